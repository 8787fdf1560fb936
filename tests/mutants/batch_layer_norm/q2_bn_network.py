"""Q2 FullyConnectedNet with batch normalization: bugs in the master's Q2_solution and correct variants of it.

Every bug here is in what the batch-norm branch does or in what both branches share; the Q7 tests (layer-norm
branch) price only what is particular to layer normalization, so these lose points in Q2 only.
"""
from autograder.check.mutants import Alternative, Mutant

AFFINE = 'hidden, caches[f"affine{layer}"] = affine_forward(hidden, W, b)'
RELU = 'hidden, caches[f"relu{layer}"] = relu_forward(hidden)'
SCORES = 'scores, caches["scores"] = affine_forward(hidden, self.params[f"W{last}"], self.params[f"b{last}"])'
DSCORES = 'dhidden, grads[f"W{last}"], grads[f"b{last}"] = affine_backward(dscores, caches["scores"])'
REG_GRAD = 'grads[f"W{layer}"] += self.reg * self.params[f"W{layer}"]'

MUTANTS = [
    Mutant("Q2_bn_network", "normalization after the ReLU", "Q2_solution",
           ((AFFINE, AFFINE.replace("affine_forward", "affine_relu_forward")),
            (RELU, 'caches[f"relu{layer}"] = None'),
            ('dhidden = relu_backward(dhidden, caches[f"relu{layer}"])', ""),
            ('dhidden, grads[f"W{layer}"], grads[f"b{layer}"] = affine_backward(dhidden, caches[f"affine{layer}"])',
             'dhidden, grads[f"W{layer}"], grads[f"b{layer}"] = affine_relu_backward('
             'dhidden, caches[f"affine{layer}"])'))),
    Mutant("Q2_bn_network", "batch norm after the last affine layer too", "Q2_solution",
           ((SCORES, SCORES + '\n        if self.normalization == "batchnorm":\n'
                     '            scores, caches["scores_norm"] = batchnorm_forward(\n'
                     '                scores, np.ones(scores.shape[1]), np.zeros(scores.shape[1]), {"mode": mode})'),
            (DSCORES, 'if self.normalization == "batchnorm":\n'
                      '            dscores = batchnorm_backward(dscores, caches["scores_norm"])[0]\n'
                      '        ' + DSCORES))),
    Mutant("Q2_bn_network", "batch norm stays in training mode when y is None", "Q2_solution",
           (('bn_param["mode"] = mode', 'bn_param["mode"] = "train"'),)),
    Mutant("Q2_bn_network", "gamma regularized like the weights", "Q2_solution",
           (('loss += 0.5 * self.reg * sum(np.sum(self.params[f"W{layer}"] ** 2) for layer in range(1, last + 1))',
             'loss += 0.5 * self.reg * sum(np.sum(v ** 2) for k, v in self.params.items() if k[0] in "Wg")'),
            (REG_GRAD, REG_GRAD + '\n            if f"gamma{layer}" in grads:\n'
                                  '                grads[f"gamma{layer}"] += '
                                  'self.reg * self.params[f"gamma{layer}"]'))),
    Mutant("Q2_bn_network", "biases start at 0.1", "Q2_solution",
           (('self.params[f"b{layer}"] = np.zeros(dims[layer])',
             'self.params[f"b{layer}"] = np.full(dims[layer], 0.1)'),)),
    Mutant("Q2_bn_network", "a new bn_param for every call: no running averages kept", "Q2_solution",
           (("batchnorm_forward(hidden, gamma, beta, self.bn_params[layer - 1])",
             'batchnorm_forward(hidden, gamma, beta, {"mode": mode})'),)),
    Mutant("Q2_bn_network", "weights scaled by 1/sqrt(fan_in), weight_scale ignored", "Q2_solution",
           (('self.params[f"W{layer}"] = weight_scale * np.random.randn(dims[layer - 1], dims[layer])',
             'self.params[f"W{layer}"] = np.random.randn(dims[layer - 1], dims[layer]) / np.sqrt(dims[layer - 1])'),)),
    Mutant("Q2_bn_network", "gamma starts at zeros", "Q2_solution",
           (('self.params[f"gamma{layer}"] = np.ones(dims[layer])',
             'self.params[f"gamma{layer}"] = np.zeros(dims[layer])'),)),
]

ALTERNATIVES = [
    Alternative("graph backward of batch norm, caches in a list, prints the loss", "Q2_solution",
                (('dhidden, grads[f"gamma{layer}"], grads[f"beta{layer}"] = batchnorm_backward_alt(',
                  'dhidden, grads[f"gamma{layer}"], grads[f"beta{layer}"] = batchnorm_backward('),
                 ("        return loss, grads", '        print("loss", loss)\n        return loss, grads'))),
]
