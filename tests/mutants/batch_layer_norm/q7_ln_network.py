"""Q7 FullyConnectedNet with layer normalization: bugs in the layer-norm branch of the master's Q2_solution and a
correct variant of it. They must lose points in Q7 and not in Q2."""
from autograder.check.mutants import Alternative, Mutant

LN_FORWARD = 'hidden, caches[f"norm{layer}"] = layernorm_forward('
LN_BACKWARD = 'dhidden, grads[f"gamma{layer}"], grads[f"beta{layer}"] = layernorm_backward('

MUTANTS = [
    Mutant("Q7_ln_network", "the layer-norm branch calls batchnorm_forward", "Q2_solution",
           ((LN_FORWARD, 'hidden, caches[f"norm{layer}"] = batchnorm_forward('),
            ("self.bn_params = [{} for _ in range(self.num_layers - 1)]",
             'self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]'))),
    Mutant("Q7_ln_network", "layer norm skipped: gamma and beta unused", "Q2_solution",
           ((LN_FORWARD, 'hidden, caches[f"norm{layer}"] = (hidden, None) if True else layernorm_forward('),
            (LN_BACKWARD, 'dhidden, grads[f"gamma{layer}"], grads[f"beta{layer}"] = (dhidden, 0 * self.params['
                          'f"gamma{layer}"], 0 * self.params[f"beta{layer}"]) if True else layernorm_backward('))),
    Mutant("Q7_ln_network", "no gamma and beta for layer norm", "Q2_solution",
           (("if self.normalization is not None:", 'if self.normalization == "batchnorm":'),)),
    Mutant("Q7_ln_network", "the layer-norm branch backpropagates with the batch-norm formula", "Q2_solution",
           ((LN_BACKWARD, 'dhidden, grads[f"gamma{layer}"], grads[f"beta{layer}"] = batchnorm_backward_alt('),)),
]

ALTERNATIVES = [
    Alternative("layer norm read from its own list of parameter dicts", "Q2_solution",
                (("self.bn_params = [{} for _ in range(self.num_layers - 1)]",
                  'self.bn_params = [{"eps": 1e-5} for _ in range(self.num_layers - 1)]'),)),
]
