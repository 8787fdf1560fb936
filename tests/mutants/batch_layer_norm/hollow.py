"""Hollow answers: code that does none of the work of its cell. Each must score nothing in its question (beyond
the part it does do, named in its description)."""
from autograder.check.mutants import Hollow

PLAIN_NETWORK = '''\
import numpy as np


class FullyConnectedNet:
    """The previous assignment's network: right for normalization=None, and it ignores normalization."""

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        dims = [input_dim, *hidden_dims, num_classes]
        self.num_layers, self.reg, self.dtype = len(dims) - 1, reg, dtype
        self.params = {}
        for i in range(self.num_layers):
            self.params[f"W{i + 1}"] = (weight_scale * np.random.randn(dims[i], dims[i + 1])).astype(dtype)
            self.params[f"b{i + 1}"] = np.zeros(dims[i + 1], dtype=dtype)

    def loss(self, X, y=None):
        caches, out = [], X.astype(self.dtype)
        for i in range(1, self.num_layers):
            out, cache = affine_relu_forward(out, self.params[f"W{i}"], self.params[f"b{i}"])
            caches.append(cache)
        L = self.num_layers
        scores, last = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores
        loss, dout = softmax_loss(scores, y)
        grads = {}
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, last)
        for i in range(L - 1, 0, -1):
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_relu_backward(dout, caches[i - 1])
        for i in range(1, L + 1):
            loss += 0.5 * self.reg * np.sum(self.params[f"W{i}"] ** 2)
            grads[f"W{i}"] += self.reg * self.params[f"W{i}"]
        return loss, grads
'''

HOLLOW = [
    Hollow("batch norm that returns its input, and gradients that pass dout through", "Q1_solution", '''\
import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    return x, None


def batchnorm_backward(dout, cache):
    return dout, np.zeros(dout.shape[1]), np.zeros(dout.shape[1])


batchnorm_backward_alt = batchnorm_backward
'''),
    Hollow("batch norm that only scales and shifts (no statistics), with its exact gradients", "Q1_solution", '''\
def batchnorm_forward(x, gamma, beta, bn_param):
    return gamma * x + beta, (x, gamma)


def batchnorm_backward(dout, cache):
    x, gamma = cache
    return dout * gamma, (dout * x).sum(axis=0), dout.sum(axis=0)


batchnorm_backward_alt = batchnorm_backward
'''),
    Hollow("the previous assignment's network, without normalization (its initialization is right: 0.5 points)",
           "Q2_solution", PLAIN_NETWORK, keeps=0.5),
    Hollow("layer norm that returns its input, and gradients that pass dout through", "Q6_solution", '''\
import numpy as np


def layernorm_forward(x, gamma, beta, ln_param):
    return x, None


def layernorm_backward(dout, cache):
    return dout, np.zeros(dout.shape[1]), np.zeros(dout.shape[1])
'''),
    Hollow("layer norm that only scales and shifts (no statistics), with its exact gradients", "Q6_solution", '''\
def layernorm_forward(x, gamma, beta, ln_param):
    return gamma * x + beta, (x, gamma)


def layernorm_backward(dout, cache):
    x, gamma = cache
    return dout * gamma, (dout * x).sum(axis=0), dout.sum(axis=0)
'''),
]
