"""Hollow answers: code that does none of the work of its cell. Each must score nothing in its question (beyond
the part it does do, named in its description)."""
from autograder.check.mutants import Hollow

CONV_SHAPE = '''\
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
'''

POOL_SHAPE = '''\
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
'''

CONVNET_INIT = '''\
class ThreeLayerConvNet:
    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0, dtype=np.float32):
        self.params = {}
        self.reg = reg
        self.dtype = dtype
        self.num_classes = num_classes
        C, H, W = input_dim
        self.params["W1"] = weight_scale * np.random.randn(num_filters, C, filter_size, filter_size)
        self.params["b1"] = np.zeros(num_filters)
        self.params["W2"] = weight_scale * np.random.randn(num_filters * (H // 2) * (W // 2), hidden_dim)
        self.params["b2"] = np.zeros(hidden_dim)
        self.params["W3"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b3"] = np.zeros(num_classes)
        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)
'''

# scores that are the last bias for every example (the input plays no part), with the exact gradients of that
BIAS_ONLY_LOSS = '''
    def loss(self, X, y=None):
        last = max(int(name[1:]) for name in self.params if name.startswith("b"))
        scores = np.tile(self.params[f"b{last}"], (X.shape[0], 1))
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        grads = {}
        for name, value in self.params.items():
            grads[name] = self.reg * value if name.startswith("W") else np.zeros_like(value)
            if name.startswith("W"):
                loss += 0.5 * self.reg * np.sum(value * value)
        grads[f"b{last}"] = dscores.sum(axis=0)
        return loss, grads
'''

HOLLOW = [
    Hollow("a convolution that returns zeros of the output's shape, and zero gradients", "Q1_solution",
           "def conv_forward_naive(x, w, b, conv_param):\n" + CONV_SHAPE + '''\
    out = np.zeros((N, F, H_out, W_out))
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    return np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)
'''),
    Hollow("a convolution that is only its bias, with its exact gradients (its db is a conv layer's: 0.25 points)",
           "Q1_solution", "def conv_forward_naive(x, w, b, conv_param):\n" + CONV_SHAPE + '''\
    out = np.zeros((N, F, H_out, W_out)) + b.reshape(1, F, 1, 1)
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    return np.zeros_like(x), np.zeros_like(w), dout.sum(axis=(0, 2, 3))
''', keeps=0.25),
    Hollow("max pooling that returns the top-left entry of every window, and passes dout to it (its dx has the "
           "shape of x and comes from dout: 0.25 points)", "Q2_solution",
           "def max_pool_forward_naive(x, pool_param):\n" + POOL_SHAPE + '''\
    out = x[:, :, :H_out * stride:stride, :W_out * stride:stride].copy()
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    stride = pool_param["stride"]
    dx = np.zeros_like(x)
    dx[:, :, :dout.shape[2] * stride:stride, :dout.shape[3] * stride:stride] = dout
    return dx
''', keeps=0.25),
    Hollow("max pooling that returns zeros of the output's shape, and a zero gradient", "Q2_solution",
           "def max_pool_forward_naive(x, pool_param):\n" + POOL_SHAPE + '''\
    out = np.zeros((N, C, H_out, W_out))
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    return np.zeros_like(x)
'''),
    Hollow("a ThreeLayerConvNet with the right initialization (1 point) whose scores are zeros and whose loss is "
           "log C plus the regularization, with its exact gradients", "Q3_solution", CONVNET_INIT + '''
    def loss(self, X, y=None):
        if y is None:
            return np.zeros((X.shape[0], self.num_classes), dtype=self.dtype)
        weights = [self.params[name] for name in ("W1", "W2", "W3")]
        loss = np.log(self.num_classes) + 0.5 * self.reg * sum(np.sum(w * w) for w in weights)
        grads = {name: (self.reg * value if name.startswith("W") else np.zeros_like(value))
                 for name, value in self.params.items()}
        return loss, grads
''', keeps=1),
    Hollow("a ThreeLayerConvNet with the right initialization (1 point) whose scores are its last bias for every "
           "example, with the exact gradients of that", "Q3_solution", CONVNET_INIT + BIAS_ONLY_LOSS, keeps=1),
    Hollow("spatial batch norm that returns its input, and gradients that pass dout through", "Q4_solution", '''\
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    return x, None


def spatial_batchnorm_backward(dout, cache):
    C = dout.shape[1]
    return dout, np.zeros(C), np.zeros(C)
'''),
    Hollow("spatial batch norm that only scales and shifts (no statistics), with its exact gradients",
           "Q4_solution", '''\
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    g, b = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
    return g * x + b, (x, g)


def spatial_batchnorm_backward(dout, cache):
    x, g = cache
    return dout * g, (dout * x).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
'''),
    Hollow("group norm that returns its input, and gradients that pass dout through", "Q5_solution", '''\
def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    return x, None


def spatial_groupnorm_backward(dout, cache):
    C = dout.shape[1]
    return dout, np.zeros((1, C, 1, 1)), np.zeros((1, C, 1, 1))
'''),
    Hollow("group norm that only scales and shifts (no statistics), with its exact gradients", "Q5_solution", '''\
def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    return gamma * x + beta, (x, gamma)


def spatial_groupnorm_backward(dout, cache):
    x, gamma = cache
    return dout * gamma, (dout * x).sum(axis=(0, 2, 3), keepdims=True), dout.sum(axis=(0, 2, 3), keepdims=True)
'''),
]
