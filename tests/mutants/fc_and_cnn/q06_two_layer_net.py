"""Q6 TwoLayerNet: bugs in the master's Q6_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

TWO_INIT_W1 = 'self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)'
TWO_REG = 'loss += 0.5 * self.reg * (np.sum(self.params["W1"] ** 2) + np.sum(self.params["W2"] ** 2))'

MUTANTS = [
    Mutant("Q6_two_layer_net", "no ReLU (the seed's own bug)", "Q6_solution",
           (("fc_relu_forward(X, ", "fc_forward(X, "), ("fc_relu_backward(dhidden, ", "fc_backward(dhidden, "))),
    Mutant("Q6_two_layer_net", "regularization without the 1/2", "Q6_solution",
           ((TWO_REG, TWO_REG.replace("0.5 * ", "")),)),
    Mutant("Q6_two_layer_net", "forgets the regularization gradient of W2", "Q6_solution",
           (('        grads["W2"] += self.reg * self.params["W2"]', ""),)),
    Mutant("Q6_two_layer_net", "uniform initial weights", "Q6_solution",
           ((TWO_INIT_W1, TWO_INIT_W1.replace("randn", "rand")),)),
]

ALTERNATIVES = [
    Alternative("TwoLayerNet with np.random.normal and without the sandwich", "Q6_solution",
                ((TWO_INIT_W1, 'self.params["W1"] = np.random.normal(0.0, weight_scale, (input_dim, hidden_dim))'),
                 ('hidden, hidden_cache = fc_relu_forward(X, self.params["W1"], self.params["b1"])',
                  'pre, fc1_cache = fc_forward(X, self.params["W1"], self.params["b1"])\n'
                  '        hidden, relu_cache = relu_forward(pre)'),
                 ('_, grads["W1"], grads["b1"] = fc_relu_backward(dhidden, hidden_cache)',
                  '_, grads["W1"], grads["b1"] = fc_backward(relu_backward(dhidden, relu_cache), fc1_cache)'))),
]
