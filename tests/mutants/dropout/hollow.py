"""Hollow answers: code that does none of the work of its cell. Each must score nothing in its question (beyond
the part it does do, named in its description)."""
from autograder.check.mutants import Hollow

HOLLOW = [
    Hollow("dropout that passes everything through", "Q1_solution",
           "def dropout_forward(x, dropout_param):\n    return x, None\n\n\n"
           "def dropout_backward(dout, cache):\n    return dout\n"),
    Hollow("dropout that drops everything", "Q1_solution",
           "import numpy as np\n\n\ndef dropout_forward(x, dropout_param):\n    return np.zeros_like(x), None\n\n\n"
           "def dropout_backward(dout, cache):\n    return np.zeros_like(dout)\n"),
    Hollow("a network with the right initialization (0.5 points) whose loss is a constant", "Q3_solution", '''\
import numpy as np


class FullyConnectedNet:
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        dims = [input_dim, *hidden_dims, num_classes]
        self.num_classes = num_classes
        self.params = {}
        for i in range(len(dims) - 1):
            self.params[f"W{i + 1}"] = weight_scale * np.random.randn(dims[i], dims[i + 1])
            self.params[f"b{i + 1}"] = np.zeros(dims[i + 1])

    def loss(self, X, y=None):
        if y is None:
            return np.zeros((X.shape[0], self.num_classes))
        return float(np.log(self.num_classes)), {k: np.zeros_like(v) for k, v in self.params.items()}
''', keeps=0.5),
]
