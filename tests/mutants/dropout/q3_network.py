"""Q3 FullyConnectedNet with dropout: bugs in the master's Q3_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

DROP_FORWARD = "hidden, drop_cache = dropout_forward(hidden, self.dropout_param)"
DROP_BACKWARD = "dhidden = dropout_backward(dhidden, drop_cache)"
SCORES = "scores, scores_cache = affine_forward(hidden, self.params[f\"W{last}\"], self.params[f\"b{last}\"])"
LAST_BACKWARD = "dhidden, grads[f\"W{last}\"], grads[f\"b{last}\"] = affine_backward(dscores, scores_cache)"
PARAM = "self.dropout_param = {\"mode\": \"train\", \"p\": dropout_keep_ratio}"
MODE = "mode = \"test\" if y is None else \"train\""
RELU_FORWARD = "hidden, cache = affine_relu_forward(hidden, self.params[f\"W{layer}\"], self.params[f\"b{layer}\"])"
RELU_BACKWARD = "dhidden, grads[f\"W{layer}\"], grads[f\"b{layer}\"] = affine_relu_backward(dhidden, cache)"

MUTANTS = [
    Mutant("Q3_network", "dropout after the last affine layer too", "Q3_solution",
           ((SCORES, SCORES + "\n        if self.use_dropout:\n"
                              "            scores, last_drop = dropout_forward(scores, self.dropout_param)"),
            (LAST_BACKWARD, "if self.use_dropout:\n            dscores = dropout_backward(dscores, last_drop)\n"
                            "        " + LAST_BACKWARD))),
    Mutant("Q3_network", "dropout only after the first ReLU", "Q3_solution",
           ((DROP_FORWARD, DROP_FORWARD + " if layer == 1 else (hidden, None)"),
            (DROP_BACKWARD, DROP_BACKWARD + " if drop_cache is not None else dhidden"))),
    Mutant("Q3_network", "the dropout seed not passed on", "Q3_solution",
           (("self.dropout_param[\"seed\"] = seed", "pass"),)),
    Mutant("Q3_network", "keep ratio passed as the drop probability", "Q3_solution",
           ((PARAM, "self.dropout_param = {\"mode\": \"train\", \"p\": 1 - dropout_keep_ratio}"),)),
    Mutant("Q3_network", "the mode not switched to test when y is None", "Q3_solution",
           ((MODE, "mode = \"train\""),)),
    Mutant("Q3_network", "the mode set to test when y is None but never back to train", "Q3_solution",
           ((MODE, "mode = \"test\" if y is None else self.dropout_param.get(\"mode\", \"train\")"),)),
    Mutant("Q3_network", "no dropout backward", "Q3_solution",
           ((DROP_BACKWARD, "pass"),)),
    Mutant("Q3_network", "the dropout mask applied twice in backward", "Q3_solution",
           ((DROP_BACKWARD, "dhidden = dropout_backward(dropout_backward(dhidden, drop_cache), drop_cache)"),)),
    Mutant("Q3_network", "regularization without the 1/2", "Q3_solution",
           (("loss += 0.5 * self.reg * sum(", "loss += self.reg * sum("),)),
    Mutant("Q3_network", "no regularization gradient", "Q3_solution",
           (("grads[f\"W{layer}\"] += self.reg * self.params[f\"W{layer}\"]", "pass"),)),
    Mutant("Q3_network", "the dropout seed also reseeds the weights", "Q3_solution",
           (("dims = [input_dim, *hidden_dims, num_classes]",
             "dims = [input_dim, *hidden_dims, num_classes]\n        if seed is not None:\n"
             "            np.random.seed(seed)"),)),
    Mutant("Q3_network", "weights not scaled by weight_scale", "Q3_solution",
           (("self.params[f\"W{layer}\"] = weight_scale * np.random.randn(fan_in, fan_out)",
             "self.params[f\"W{layer}\"] = np.random.randn(fan_in, fan_out) / np.sqrt(fan_in)"),)),
    Mutant("Q3_network", "biases drawn at random", "Q3_solution",
           (("self.params[f\"b{layer}\"] = np.zeros(fan_out)",
             "self.params[f\"b{layer}\"] = weight_scale * np.random.randn(fan_out)"),)),
]

ALTERNATIVES = [
    Alternative("dropout before the ReLU (the same function: the mask is non-negative)", "Q3_solution",
                ((RELU_FORWARD, RELU_FORWARD.replace("affine_relu_forward", "affine_forward")),
                 ("caches.append((cache, drop_cache))",
                  "hidden, relu_cache = relu_forward(hidden)\n            caches.append(((cache, relu_cache), drop_cache))"),
                 ("cache, drop_cache = caches[layer - 1]",
                  "(cache, relu_cache), drop_cache = caches[layer - 1]\n            dhidden = relu_backward(dhidden, "
                  "relu_cache)"),
                 (RELU_BACKWARD, RELU_BACKWARD.replace("affine_relu_backward", "affine_backward")))),
    Alternative("caches in a dict keyed by layer, a print of the loss", "Q3_solution",
                (("caches = []", "caches = {}"),
                 ("caches.append((cache, drop_cache))", "caches[layer - 1] = (cache, drop_cache)"),
                 ("        return loss, grads", "        print(\"loss\", loss)\n        return loss, grads"))),
]
