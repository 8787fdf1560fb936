"""Q3 ThreeLayerConvNet: bugs in the master's Q3_solution (model and training) and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

C = "Q3_solution"
W1 = 'self.params["W1"] = weight_scale * np.random.randn(num_filters, C, filter_size, filter_size)'
W2 = 'self.params["W2"] = weight_scale * np.random.randn(num_filters * (H // 2) * (W // 2), hidden_dim)'
W3 = 'self.params["W3"] = weight_scale * np.random.randn(hidden_dim, num_classes)'
REG = "loss += 0.5 * self.reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))"
LAST = 'dhidden, grads["W3"], grads["b3"] = affine_backward(dscores, scores_cache)'

MUTANTS = [
    Mutant("Q3_model", "W2 sized for the feature map before pooling", C,
           ((W2, W2.replace("(H // 2) * (W // 2)", "H * W")),)),
    Mutant("Q3_model", "regularization without the 1/2", C, ((REG, REG.replace("0.5 * ", "")),)),
    Mutant("Q3_model", "forgets the regularization gradient of W1", C, (('        grads["W1"] += self.reg * W1', ""),)),
    Mutant("Q3_model", "no ReLU after the hidden affine layer", C,
           (("hidden, hidden_cache = affine_relu_forward(pooled, W2, b2)",
             "hidden, hidden_cache = affine_forward(pooled, W2, b2)"),
            ('dpooled, grads["W2"], grads["b2"] = affine_relu_backward(dhidden, hidden_cache)',
             'dpooled, grads["W2"], grads["b2"] = affine_backward(dhidden, hidden_cache)'))),
    Mutant("Q3_model", "biases start at one", C,
           (('self.params["b1"] = np.zeros(num_filters)', 'self.params["b1"] = np.ones(num_filters)'),)),
    Mutant("Q3_training", "weights drawn without weight_scale", C,
           ((W1, W1.replace("weight_scale * ", "")), (W2, W2.replace("weight_scale * ", "")),
            (W3, W3.replace("weight_scale * ", "")))),
    Mutant("Q3_training", "no gradient for b3", C,
           ((LAST, 'dhidden, grads["W3"], _ = affine_backward(dscores, scores_cache)'),)),
    Mutant("Q3_training", "gradient of the negated loss (training climbs the loss)", C,
           (("loss, dscores = softmax_loss(scores, y)", "loss, dscores = softmax_loss(scores, y)\n        "
             "dscores = -dscores"),)),
]

ALTERNATIVES = [
    Alternative("ThreeLayerConvNet with np.random.normal and the conv and pool layers one by one", C,
                ((W1, 'self.params["W1"] = np.random.normal(0.0, weight_scale, (num_filters, C, filter_size, '
                      'filter_size))'),
                 ("pooled, conv_cache = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)",
                  "conv_out, conv_cache = conv_forward_fast(X, W1, b1, conv_param)\n"
                  "        relu_out, relu_cache = relu_forward(conv_out)\n"
                  "        pooled, pool_cache = max_pool_forward_fast(relu_out, pool_param)"),
                 ('_, grads["W1"], grads["b1"] = conv_relu_pool_backward(dpooled, conv_cache)',
                  'drelu = relu_backward(max_pool_backward_fast(dpooled, pool_cache), relu_cache)\n'
                  '        _, grads["W1"], grads["b1"] = conv_backward_fast(drelu, conv_cache)'))),
]
