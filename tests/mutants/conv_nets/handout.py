"""Handout-style solutions of every conv_nets answer cell (see autograder/check/mutants.py).

Each alternative replaces a whole answer cell with correct code written to the task as the original handout
states it, in the style of a good student of that handout rather than of our master: four nested loops, other
cache layouts, a mask for the pooling gradient (every tied maximum), np.random.normal, float32 parameters,
helper functions inside the cell, prints. Every one must keep every point.
"""
from autograder.check.mutants import Alternative

CONV_FORWARD = '''\
def conv_forward_naive(x, w, b, conv_param):
    """A naive implementation of the forward pass for a convolutional layer."""
    out = None
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride = conv_param.get("stride", 1)
    pad = conv_param.get("pad", 0)
    assert (H + 2 * pad - HH) % stride == 0, "height does not fit"
    assert (W + 2 * pad - WW) % stride == 0, "width does not fit"
    H_out = int(1 + (H + 2 * pad - HH) / stride)
    W_out = int(1 + (W + 2 * pad - WW) / stride)
    x_padded = np.pad(x, ((0,), (0,), (pad,), (pad,)), mode="constant", constant_values=0)
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    h0, w0 = i * stride, j * stride
                    out[n, f, i, j] = np.sum(x_padded[n, :, h0:h0 + HH, w0:w0 + WW] * w[f]) + b[f]
    cache = (x, w, b, conv_param)
    return out, cache
'''

CONV_BACKWARD = '''\
def conv_backward_naive(dout, cache):
    """A naive implementation of the backward pass for a convolutional layer."""
    dx, dw, db = None, None, None
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), "constant")
    dx_padded = np.zeros_like(x_padded)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            db[f] += np.sum(dout[n, f])
            for i in range(H_out):
                for j in range(W_out):
                    h0, w0 = i * stride, j * stride
                    dw[f] += x_padded[n, :, h0:h0 + HH, w0:w0 + WW] * dout[n, f, i, j]
                    dx_padded[n, :, h0:h0 + HH, w0:w0 + WW] += w[f] * dout[n, f, i, j]
    dx = dx_padded[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db
'''

POOL_FORWARD = '''\
def max_pool_forward_naive(x, pool_param):
    """A naive implementation of the forward pass for a max-pooling layer."""
    out = None
    N, C, H, W = x.shape
    pool_height = pool_param["pool_height"]
    pool_width = pool_param["pool_width"]
    stride = pool_param["stride"]
    H_out = 1 + (H - pool_height) // stride
    W_out = 1 + (W - pool_width) // stride
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    h0, w0 = i * stride, j * stride
                    out[n, c, i, j] = np.max(x[n, c, h0:h0 + pool_height, w0:w0 + pool_width])
    cache = (x, pool_param)
    return out, cache
'''

POOL_BACKWARD = '''\
def max_pool_backward_naive(dout, cache):
    """A naive implementation of the backward pass for a max-pooling layer."""
    dx = None
    x, pool_param = cache
    N, C, H, W = x.shape
    pool_height, pool_width, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    H_out = 1 + (H - pool_height) // stride
    W_out = 1 + (W - pool_width) // stride
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    h0, w0 = i * stride, j * stride
                    window = x[n, c, h0:h0 + pool_height, w0:w0 + pool_width]
                    mask = (window == np.max(window))
                    dx[n, c, h0:h0 + pool_height, w0:w0 + pool_width] += mask * dout[n, c, i, j]
    return dx
'''

CONVNET = '''\
class ThreeLayerConvNet(object):
    """A three-layer convolutional network: conv - relu - 2x2 max pool - affine - relu - affine - softmax."""

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0, dtype=np.float32):
        self.params = {}
        self.reg = reg
        self.dtype = dtype
        C, H, W = input_dim
        self.params["W1"] = np.random.normal(0, weight_scale, (num_filters, C, filter_size, filter_size))
        self.params["b1"] = np.zeros(num_filters)
        self.params["W2"] = np.random.normal(0, weight_scale, (num_filters * int(H / 2) * int(W / 2), hidden_dim))
        self.params["b2"] = np.zeros(hidden_dim)
        self.params["W3"] = np.random.normal(0, weight_scale, (hidden_dim, num_classes))
        self.params["b3"] = np.zeros(num_classes)
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]
        filter_size = W1.shape[2]
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        scores = None
        out1, cache1 = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)
        out2, cache2 = affine_relu_forward(out1, W2, b2)
        scores, cache3 = affine_forward(out2, W3, b3)
        if y is None:
            return scores
        loss, grads = 0, {}
        loss, dscores = softmax_loss(scores, y)
        for k in ["W1", "W2", "W3"]:
            loss += 0.5 * self.reg * np.sum(self.params[k] * self.params[k])
        dout2, grads["W3"], grads["b3"] = affine_backward(dscores, cache3)
        dout1, grads["W2"], grads["b2"] = affine_relu_backward(dout2, cache2)
        dx, grads["W1"], grads["b1"] = conv_relu_pool_backward(dout1, cache1)
        for k in ["W1", "W2", "W3"]:
            grads[k] += self.reg * self.params[k]
        return loss, grads
'''

SPATIAL_BN_FORWARD = '''\
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Computes the forward pass for spatial batch normalization."""
    out, cache = None, None
    N, C, H, W = x.shape
    x_flat = np.transpose(x, (0, 2, 3, 1)).reshape(N * H * W, C)
    out_flat, bn_cache = batchnorm_forward(x_flat, gamma, beta, bn_param)
    out = np.transpose(out_flat.reshape(N, H, W, C), (0, 3, 1, 2))
    cache = (bn_cache, x.shape)
    return out, cache
'''

SPATIAL_BN_BACKWARD = '''\
def spatial_batchnorm_backward(dout, cache):
    """Computes the backward pass for spatial batch normalization."""
    dx, dgamma, dbeta = None, None, None
    bn_cache, (N, C, H, W) = cache
    dout_flat = np.transpose(dout, (0, 2, 3, 1)).reshape(N * H * W, C)
    dx_flat, dgamma, dbeta = batchnorm_backward(dout_flat, bn_cache)
    dx = np.transpose(dx_flat.reshape(N, H, W, C), (0, 3, 1, 2))
    return dx, dgamma, dbeta
'''

GROUPNORM_FORWARD = '''\
def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Computes the forward pass for spatial group normalization."""
    out, cache = None, None
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    x_group = np.reshape(x, (N, G, C // G, H, W))
    mean = np.mean(x_group, axis=(2, 3, 4), keepdims=True)
    var = np.var(x_group, axis=(2, 3, 4), keepdims=True)
    x_groupnorm = (x_group - mean) / np.sqrt(var + eps)
    x_norm = np.reshape(x_groupnorm, (N, C, H, W))
    out = x_norm * gamma + beta
    cache = (G, x, x_norm, mean, var, beta, gamma, eps)
    return out, cache
'''

GROUPNORM_BACKWARD = '''\
def spatial_groupnorm_backward(dout, cache):
    """Computes the backward pass for spatial group normalization."""
    dx, dgamma, dbeta = None, None, None
    G, x, x_norm, mean, var, beta, gamma, eps = cache
    N, C, H, W = dout.shape
    dbeta = np.sum(dout, axis=(0, 2, 3), keepdims=True)
    dgamma = np.sum(dout * x_norm, axis=(0, 2, 3), keepdims=True)
    x_group = np.reshape(x, (N, G, C // G, H, W))
    m = C // G * H * W
    dx_norm = np.reshape(dout * gamma, (N, G, C // G, H, W))
    dvar = np.sum(dx_norm * (x_group - mean) * -0.5 * (var + eps) ** -1.5, axis=(2, 3, 4), keepdims=True)
    dmean = np.sum(dx_norm * -1 / np.sqrt(var + eps), axis=(2, 3, 4), keepdims=True) \\
        + dvar * np.sum(-2 * (x_group - mean), axis=(2, 3, 4), keepdims=True) / m
    dx_group = dx_norm / np.sqrt(var + eps) + dvar * 2 * (x_group - mean) / m + dmean / m
    dx = np.reshape(dx_group, (N, C, H, W))
    return dx, dgamma, dbeta
'''

CONV_BY_KERNEL_OFFSETS = '''\
def conv_forward_naive(x, w, b, conv_param):
    """Convolution as a sum over the kernel's offsets, each a product of strided slices."""
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    S, P = conv_param["stride"], conv_param["pad"]
    Ho, Wo = (H + 2 * P - HH) // S + 1, (W + 2 * P - WW) // S + 1
    xp = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)), mode="constant")
    out = np.zeros((N, F, Ho, Wo)) + b.reshape(1, F, 1, 1)
    for p in range(HH):
        for q in range(WW):
            patch = xp[:, :, p:p + S * (Ho - 1) + 1:S, q:q + S * (Wo - 1) + 1:S]  # (N, C, Ho, Wo)
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, p, q])
    cache = (x, w, b, conv_param, xp)
    return out, cache


def conv_backward_naive(dout, cache):
    """Backward of the offset-by-offset convolution, reading the padded input from the cache."""
    x, w, b, conv_param, xp = cache
    F, _, HH, WW = w.shape
    S, P = conv_param["stride"], conv_param["pad"]
    _, _, Ho, Wo = dout.shape
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for p in range(HH):
        for q in range(WW):
            rows, cols = slice(p, p + S * (Ho - 1) + 1, S), slice(q, q + S * (Wo - 1) + 1, S)
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
    db = dout.sum(axis=(0, 2, 3))
    dx = dxp[:, :, P:P + x.shape[2], P:P + x.shape[3]]
    print("conv backward done:", dx.shape, dw.shape, db.shape)
    return dx, dw, db
'''

POOL_WITH_SWITCHES = '''\
def max_pool_forward_naive(x, pool_param):
    """Max pooling that remembers where each maximum was (the switches) for the backward pass."""
    N, C, H, W = x.shape
    HH, WW, S = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    H_out, W_out = (H - HH) // S + 1, (W - WW) // S + 1
    out = np.zeros((N, C, H_out, W_out), dtype=np.float32 if x.dtype == np.float32 else np.float64)
    switches = np.zeros((N, C, H_out, W_out, 2), dtype=int)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * S:i * S + HH, j * S:j * S + WW]
                    k = np.argmax(window)
                    out[n, c, i, j] = window.flat[k]
                    switches[n, c, i, j] = (i * S + k // WW, j * S + k % WW)
    cache = (x.shape, switches)
    return out, cache


def max_pool_backward_naive(dout, cache):
    """Send each upstream gradient to the switch of its window."""
    shape, switches = cache
    dx = np.zeros(shape)
    N, C, H_out, W_out = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    r, q = switches[n, c, i, j]
                    dx[n, c, r, q] += dout[n, c, i, j]
    return dx
'''

MUTANTS = []

ALTERNATIVES = [
    Alternative("handout-style convolution: four loops each way, np.pad with a mode, asserts, db in the loop",
                "Q1_solution", source=CONV_FORWARD + "\n\n" + CONV_BACKWARD),
    Alternative("handout-style max pooling: four loops, np.max, and a mask of the window's maxima",
                "Q2_solution", source=POOL_FORWARD + "\n\n" + POOL_BACKWARD),
    Alternative("convolution summed over the kernel's offsets, the padded input cached, a print in the backward",
                "Q1_solution", source=CONV_BY_KERNEL_OFFSETS),
    Alternative("handout-style max pooling that caches the argmax switches instead of x", "Q2_solution",
                source=POOL_WITH_SWITCHES),
    Alternative("handout-style ThreeLayerConvNet with np.random.normal and loops over the weights", "Q3_solution",
                source=CONVNET),
    Alternative("handout-style spatial batch norm with np.transpose and the input shape in the cache",
                "Q4_solution", source=SPATIAL_BN_FORWARD + "\n\n" + SPATIAL_BN_BACKWARD),
    Alternative("handout-style group norm on a (N, G, C // G, H, W) view, a long cache, dvar and dmean",
                "Q5_solution", source=GROUPNORM_FORWARD + "\n\n" + GROUPNORM_BACKWARD),
]
