'''Handout-style solutions of every batch_layer_norm answer cell (see autograder/check/mutants.py).

Each alternative replaces a whole answer cell with correct code written to the task as the original handout
states it, the way a good student of that handout would write it rather than the way our master does: the
step-by-step computation graph with a tuple cache in graph order, a dict cache, layer norm through transposes,
an affine-batchnorm-ReLU sandwich with its own backward, a list of caches, `np.random.normal` for the weights.
Every one must keep every point.
'''
from autograder.check.mutants import Alternative

BN_GRAPH = """\
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param['mode']
    eps = bn_param.get('eps', 1e-5)
    momentum = bn_param.get('momentum', 0.9)

    N, D = x.shape
    running_mean = bn_param.get('running_mean', np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get('running_var', np.zeros(D, dtype=x.dtype))

    out, cache = None, None
    if mode == 'train':
        # step by step through the computation graph
        mu = 1. / N * np.sum(x, axis=0)
        xmu = x - mu
        sq = xmu ** 2
        var = 1. / N * np.sum(sq, axis=0)
        sqrtvar = np.sqrt(var + eps)
        ivar = 1. / sqrtvar
        xhat = xmu * ivar
        gammax = gamma * xhat
        out = gammax + beta
        cache = (xhat, gamma, xmu, ivar, sqrtvar, var, eps)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    elif mode == 'test':
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * xhat + beta
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)

    bn_param['running_mean'] = running_mean
    bn_param['running_var'] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N, D = dout.shape
    dbeta = np.sum(dout, axis=0)
    dgammax = dout
    dgamma = np.sum(dgammax * xhat, axis=0)
    dxhat = dgammax * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1. / (sqrtvar ** 2) * divar
    dvar = 0.5 * 1. / np.sqrt(var + eps) * dsqrtvar
    dsq = 1. / N * np.ones((N, D)) * dvar
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -1 * np.sum(dxmu1 + dxmu2, axis=0)
    dx2 = 1. / N * np.ones((N, D)) * dmu
    dx = dx1 + dx2
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = (1. / N) * ivar * (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx, dgamma, dbeta
"""

BN_DICT = """\
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    if mode == "train":
        mean = np.mean(x, axis=0, keepdims=True)
        var = np.var(x, axis=0, keepdims=True)
        std = np.sqrt(var + eps)
        x_norm = (x - mean) / std
        out = x_norm * gamma + beta
        cache = {"x": x, "mean": mean, "var": var, "std": std, "x_norm": x_norm, "gamma": gamma, "eps": eps}
        running_mean = momentum * running_mean + (1 - momentum) * mean.ravel()
        running_var = momentum * running_var + (1 - momentum) * var.ravel()
    elif mode == "test":
        x_norm = (x - running_mean) / np.sqrt(running_var + eps)
        out = x_norm * gamma + beta
        cache = {"x": x, "x_norm": x_norm, "gamma": gamma}
    else:
        raise ValueError("Invalid forward batchnorm mode " + str(mode))

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    x, mean, var, eps = cache["x"], cache["mean"], cache["var"], cache["eps"]
    gamma, x_norm = cache["gamma"], cache["x_norm"]
    N = x.shape[0]
    dgamma = np.sum(dout * x_norm, axis=0)
    dbeta = np.sum(dout, axis=0)
    dx_norm = dout * gamma
    dvar = np.sum(dx_norm * (x - mean), axis=0, keepdims=True) * -0.5 * (var + eps) ** (-3 / 2)
    dmean = np.sum(-dx_norm / np.sqrt(var + eps), axis=0, keepdims=True) \\
        + dvar * np.sum(-2 * (x - mean), axis=0, keepdims=True) / N
    dx = dx_norm / np.sqrt(var + eps) + dvar * 2 * (x - mean) / N + dmean / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    x_norm, gamma, std = cache["x_norm"], cache["gamma"], cache["std"]
    N = dout.shape[0]
    dgamma = np.sum(dout * x_norm, axis=0)
    dbeta = np.sum(dout, axis=0)
    dx = gamma / (N * std) * (N * dout - dbeta - x_norm * dgamma)
    return dx, dgamma, dbeta
"""

LN_TRANSPOSE = """\
def layernorm_forward(x, gamma, beta, ln_param):
    out, cache = None, None
    eps = ln_param.get("eps", 1e-5)
    # layer norm is batch norm of the transposed input, without running averages
    xT = x.T
    mu = xT.mean(axis=0)
    var = xT.var(axis=0)
    std = np.sqrt(var + eps)
    xhatT = (xT - mu) / std
    xhat = xhatT.T
    out = gamma * xhat + beta
    cache = (x, xhat, mu, var, std, gamma, eps)
    return out, cache


def layernorm_backward(dout, cache):
    x, xhat, mu, var, std, gamma, eps = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhatT = (dout * gamma).T
    xhatT = xhat.T
    D = dxhatT.shape[0]
    dxT = (1.0 / D) / std * (D * dxhatT - dxhatT.sum(axis=0) - xhatT * (dxhatT * xhatT).sum(axis=0))
    return dxT.T, dgamma, dbeta
"""

LN_REUSE = """\
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    # normalize each example with the batch norm of Q1 applied to x.T (the examples become the features)
    bn_param = {"mode": "train", "eps": eps}
    xn, bn_cache = batchnorm_forward(x.T, np.ones(x.shape[0]), np.zeros(x.shape[0]), bn_param)
    xhat = xn.T
    out = gamma * xhat + beta
    cache = (xhat, gamma, bn_cache)
    return out, cache


def layernorm_backward(dout, cache):
    xhat, gamma, bn_cache = cache
    dgamma = np.sum(dout * xhat, axis=0)
    dbeta = np.sum(dout, axis=0)
    dxT, _, _ = batchnorm_backward_alt((dout * gamma).T, bn_cache)
    return dxT.T, dgamma, dbeta
"""

LN_GRAPH = """\
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    D = x.shape[1]
    mu = np.sum(x, axis=1, keepdims=True) / D
    xmu = x - mu
    var = np.sum(xmu ** 2, axis=1, keepdims=True) / D
    ivar = 1.0 / np.sqrt(var + eps)
    xhat = xmu * ivar
    out = gamma * xhat + beta
    cache = {"xhat": xhat, "xmu": xmu, "ivar": ivar, "gamma": gamma}
    return out, cache


def layernorm_backward(dout, cache):
    xhat, xmu, ivar, gamma = cache["xhat"], cache["xmu"], cache["ivar"], cache["gamma"]
    D = dout.shape[1]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    divar = np.sum(dxhat * xmu, axis=1, keepdims=True)
    dvar = divar * -0.5 * ivar ** 3
    dxmu = dxhat * ivar + 2.0 * xmu * dvar / D
    dmu = -np.sum(dxmu, axis=1, keepdims=True)
    dx = dxmu + dmu / D
    return dx, dgamma, dbeta
"""

NET_SANDWICH = """\
def affine_bn_relu_forward(x, w, b, gamma, beta, bn_param):
    a, fc_cache = affine_forward(x, w, b)
    a_bn, bn_cache = batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(a_bn)
    return out, (fc_cache, bn_cache, relu_cache)


def affine_bn_relu_backward(dout, cache):
    fc_cache, bn_cache, relu_cache = cache
    da_bn = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = batchnorm_backward(da_bn, bn_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


def affine_ln_relu_forward(x, w, b, gamma, beta, ln_param):
    a, fc_cache = affine_forward(x, w, b)
    a_ln, ln_cache = layernorm_forward(a, gamma, beta, ln_param)
    out, relu_cache = relu_forward(a_ln)
    return out, (fc_cache, ln_cache, relu_cache)


def affine_ln_relu_backward(dout, cache):
    fc_cache, ln_cache, relu_cache = cache
    da_ln = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = layernorm_backward(da_ln, ln_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


class FullyConnectedNet(object):
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}

        layer_dims = [input_dim] + hidden_dims + [num_classes]
        for i in range(self.num_layers):
            self.params['W' + str(i + 1)] = np.random.randn(layer_dims[i], layer_dims[i + 1]) * weight_scale
            self.params['b' + str(i + 1)] = np.zeros(layer_dims[i + 1])
            if self.normalization and i < self.num_layers - 1:
                self.params['gamma' + str(i + 1)] = np.ones(layer_dims[i + 1])
                self.params['beta' + str(i + 1)] = np.zeros(layer_dims[i + 1])

        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed

        self.bn_params = []
        if self.normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for i in range(self.num_layers - 1)]
        if self.normalization == "layernorm":
            self.bn_params = [{} for i in range(self.num_layers - 1)]

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode
        scores = None

        caches = []
        out = X
        for i in range(self.num_layers - 1):
            W, b = self.params['W%d' % (i + 1)], self.params['b%d' % (i + 1)]
            if self.normalization == 'batchnorm':
                gamma, beta = self.params['gamma%d' % (i + 1)], self.params['beta%d' % (i + 1)]
                out, cache = affine_bn_relu_forward(out, W, b, gamma, beta, self.bn_params[i])
            elif self.normalization == 'layernorm':
                gamma, beta = self.params['gamma%d' % (i + 1)], self.params['beta%d' % (i + 1)]
                out, cache = affine_ln_relu_forward(out, W, b, gamma, beta, self.bn_params[i])
            else:
                out, cache = affine_relu_forward(out, W, b)
            caches.append(cache)
        W, b = self.params['W%d' % self.num_layers], self.params['b%d' % self.num_layers]
        scores, cache = affine_forward(out, W, b)
        caches.append(cache)

        if mode == "test":
            return scores

        loss, grads = 0.0, {}
        loss, dscores = softmax_loss(scores, y)
        for i in range(self.num_layers):
            W = self.params['W%d' % (i + 1)]
            loss += 0.5 * self.reg * np.sum(W * W)

        dout, dW, db = affine_backward(dscores, caches.pop())
        grads['W%d' % self.num_layers] = dW + self.reg * self.params['W%d' % self.num_layers]
        grads['b%d' % self.num_layers] = db
        for i in reversed(range(self.num_layers - 1)):
            cache = caches.pop()
            if self.normalization == 'batchnorm':
                dout, dW, db, dgamma, dbeta = affine_bn_relu_backward(dout, cache)
                grads['gamma%d' % (i + 1)] = dgamma
                grads['beta%d' % (i + 1)] = dbeta
            elif self.normalization == 'layernorm':
                dout, dW, db, dgamma, dbeta = affine_ln_relu_backward(dout, cache)
                grads['gamma%d' % (i + 1)] = dgamma
                grads['beta%d' % (i + 1)] = dbeta
            else:
                dout, dW, db = affine_relu_backward(dout, cache)
            grads['W%d' % (i + 1)] = dW + self.reg * self.params['W%d' % (i + 1)]
            grads['b%d' % (i + 1)] = db
        return loss, grads
"""

NET_DICT = """\
class FullyConnectedNet:
    # a fully connected network with optional batch or layer normalization before each ReLU

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}
        sizes = [input_dim, *hidden_dims, num_classes]
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            self.params[f"W{i}"] = np.random.normal(0.0, weight_scale, (n_in, n_out))
            self.params[f"b{i}"] = np.zeros(n_out)
        if normalization in ("batchnorm", "layernorm"):
            for i, n in enumerate(hidden_dims, start=1):
                self.params[f"gamma{i}"] = np.ones(n)
                self.params[f"beta{i}"] = np.zeros(n)
        self.bn_params = []
        if self.normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        if self.normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]
        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def _norm(self, i, h):
        gamma, beta = self.params[f"gamma{i}"], self.params[f"beta{i}"]
        if self.normalization == "batchnorm":
            return batchnorm_forward(h, gamma, beta, self.bn_params[i - 1])
        return layernorm_forward(h, gamma, beta, self.bn_params[i - 1])

    def _norm_backward(self, dh, cache):
        if self.normalization == "batchnorm":
            return batchnorm_backward(dh, cache)
        return layernorm_backward(dh, cache)

    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode
        cache = {}
        h = X.reshape(X.shape[0], -1)
        L = self.num_layers
        for i in range(1, L):
            h, cache["fc", i] = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
            if self.normalization is not None:
                h, cache["norm", i] = self._norm(i, h)
            h, cache["relu", i] = relu_forward(h)
        scores, cache["fc", L] = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        reg_loss = 0.5 * self.reg * sum(np.sum(self.params[f"W{i}"] ** 2) for i in range(1, L + 1))
        loss = data_loss + reg_loss
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, cache["fc", L])
        for i in range(L - 1, 0, -1):
            dh = relu_backward(dh, cache["relu", i])
            if self.normalization is not None:
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = self._norm_backward(dh, cache["norm", i])
            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, cache["fc", i])
        for i in range(1, L + 1):
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * self.params[f"W{i}"]
        return loss, grads
"""

MUTANTS = []

ALTERNATIVES = [
    Alternative("handout: the computation graph step by step, tuple cache in graph order", "Q1_solution",
                source=BN_GRAPH),
    Alternative("handout: a dict cache, keepdims statistics, alt from the cached dgamma and dbeta", "Q1_solution",
                source=BN_DICT),
    Alternative("handout: affine-norm-ReLU sandwiches, a list of caches, string parameter names", "Q2_solution",
                source=NET_SANDWICH),
    Alternative("handout: np.random.normal weights, dict of caches, helper methods, graph backward", "Q2_solution",
                source=NET_DICT),
    Alternative("handout: layer norm as batch norm of the transposed input", "Q6_solution", source=LN_TRANSPOSE),
    Alternative("handout: layer norm through its computation graph with a dict cache", "Q6_solution",
                source=LN_GRAPH),
    Alternative("handout: layer norm as Q1's batchnorm_forward/backward_alt of the transposed input", "Q6_solution",
                source=LN_REUSE),
]
