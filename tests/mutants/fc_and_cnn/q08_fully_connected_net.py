"""Q8 FullyConnectedNet: bugs in the master's Q8_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

FCN_SCORES = "scores, scores_cache = fc_forward(hidden, self.params[f\"W{last}\"], self.params[f\"b{last}\"])"

MUTANTS = [
    Mutant("Q8_fully_connected_net", "ReLU on the scores too", "Q8_solution",
           ((FCN_SCORES, FCN_SCORES.replace("fc_forward", "fc_relu_forward")),
            ("fc_backward(dscores, scores_cache)", "fc_relu_backward(dscores, scores_cache)"))),
    Mutant("Q8_fully_connected_net", "ignores the seed", "Q8_solution",
           (("        if seed is not None:", ""), ("            np.random.seed(seed)", ""))),
    Mutant("Q8_fully_connected_net", "no regularization gradient for the last layer", "Q8_solution",
           (("for layer in range(1, last + 1):", "for layer in range(1, last):"),)),
    Mutant("Q8_fully_connected_net", "regularization without the 1/2", "Q8_solution",
           (("loss += 0.5 * self.reg * sum(", "loss += self.reg * sum("),)),
]

ALTERNATIVES = [
    Alternative("FullyConnectedNet that keeps its caches in a dict and prints", "Q8_solution",
                (("caches = []", "caches = {}"),
                 ("caches.append(cache)", "caches[layer - 1] = cache"),
                 ("        return loss, grads", '        print("loss", loss)\n        return loss, grads'))),
]
