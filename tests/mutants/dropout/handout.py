"""Correct answer cells written to the original handout's task, not to the master's design (see
autograder/check/mutants.py).

Each entry replaces a whole answer cell with code a good student writes from the CS231n-style handout (the
``layers.py`` / ``fc_net.py`` skeletons and their docstrings): the contracts the release states are kept (names,
signatures, ``dropout_param`` with the keep probability ``p`` and an optional seed passed to
``np.random.seed``, the mask drawn with ``np.random.rand``, ``cache = (dropout_param, mask)``, one shared
``self.dropout_param``, parameters ``W1..WL``/``b1..bL``), every other choice is the student's own: a mask without
the division folded in, divided when applied; the handout's ``if mode == 'train' / elif mode == 'test'`` blocks;
caches kept in a dict keyed by strings; loops over layers with ``str(i + 1)`` keys; batch-norm and layer-norm
branches that call functions this notebook does not define (never reached with ``normalization=None``); helper
sandwich functions inside the cell; float32 where the default dtype is used; prints. Every one must keep every
point.
"""
from autograder.check.mutants import Alternative

DROPOUT_HANDOUT = '''def dropout_forward(x, dropout_param):
    """
    Forward pass for inverted dropout.

    Note that this is different from the vanilla version of dropout.
    Here, p is the probability of keeping a neuron output, as opposed to
    the probability of dropping a neuron output.

    Inputs:
    - x: Input data, of any shape
    - dropout_param: A dictionary with the following keys:
      - p: Dropout parameter. We keep each neuron output with probability p.
      - mode: 'test' or 'train'.
      - seed: Seed for the random number generator.

    Outputs:
    - out: Array of the same shape as x.
    - cache: tuple (dropout_param, mask).
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])

    mask = None
    out = None

    if mode == "train":
        mask = np.random.rand(*x.shape) < p
        out = x * mask / p
    elif mode == "test":
        out = x

    cache = (dropout_param, mask)
    out = out.astype(x.dtype, copy=False)

    return out, cache


def dropout_backward(dout, cache):
    """
    Backward pass for inverted dropout.

    Inputs:
    - dout: Upstream derivatives, of any shape
    - cache: (dropout_param, mask) from dropout_forward.
    """
    dropout_param, mask = cache
    mode = dropout_param["mode"]

    dx = None
    if mode == "train":
        dx = dout * mask / dropout_param["p"]
    elif mode == "test":
        dx = dout
    return dx
'''

DROPOUT_HELPERS = '''def _keep_mask(shape, keep_prob):
    """Boolean array of the given shape, True where a unit is kept."""
    return np.random.rand(*shape) < keep_prob


def dropout_forward(x, dropout_param):
    p = dropout_param['p']
    mode = dropout_param['mode']
    seed = dropout_param.get('seed', None)
    if seed is not None:
        np.random.seed(seed)
    if mode == 'test':
        return x, (dropout_param, None)
    assert mode == 'train', mode
    mask = _keep_mask(x.shape, p).astype(x.dtype) / p
    out = mask * x
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param['mode'] == 'test':
        return dout
    dx = mask * dout
    print('dropout backward:', dx.shape)
    return dx
'''

FC_NET_HANDOUT = '''class FullyConnectedNet(object):
    """Class for a multi-layer fully connected neural network.

    Network contains an arbitrary number of hidden layers, ReLU nonlinearities,
    and a softmax loss function. This will also implement dropout and batch/layer
    normalization as options. For a network with L layers, the architecture will be

    {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax
    """

    def __init__(
        self,
        hidden_dims,
        input_dim=3 * 32 * 32,
        num_classes=10,
        dropout_keep_ratio=1,
        normalization=None,
        reg=0.0,
        weight_scale=1e-2,
        dtype=np.float32,
        seed=None,
    ):
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}

        layer_dims = [input_dim] + list(hidden_dims) + [num_classes]
        for i in range(self.num_layers):
            self.params['W' + str(i + 1)] = np.random.randn(layer_dims[i], layer_dims[i + 1]) * weight_scale
            self.params['b' + str(i + 1)] = np.zeros(layer_dims[i + 1])
            if self.normalization is not None and i < self.num_layers - 1:
                self.params['gamma' + str(i + 1)] = np.ones(layer_dims[i + 1])
                self.params['beta' + str(i + 1)] = np.zeros(layer_dims[i + 1])

        # When using dropout we need to pass a dropout_param dictionary to each
        # dropout layer so that the layer knows the dropout probability and the mode
        # (train / test). You can pass the same dropout_param to each dropout layer.
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

        cache = {}
        out = X
        for i in range(self.num_layers - 1):
            W, b = self.params['W' + str(i + 1)], self.params['b' + str(i + 1)]
            if self.normalization == 'batchnorm':
                a, cache['affine' + str(i)] = affine_forward(out, W, b)
                a, cache['norm' + str(i)] = batchnorm_forward(a, self.params['gamma' + str(i + 1)],
                                                              self.params['beta' + str(i + 1)], self.bn_params[i])
                out, cache['relu' + str(i)] = relu_forward(a)
            elif self.normalization == 'layernorm':
                a, cache['affine' + str(i)] = affine_forward(out, W, b)
                a, cache['norm' + str(i)] = layernorm_forward(a, self.params['gamma' + str(i + 1)],
                                                              self.params['beta' + str(i + 1)], self.bn_params[i])
                out, cache['relu' + str(i)] = relu_forward(a)
            else:
                out, cache['affine_relu' + str(i)] = affine_relu_forward(out, W, b)
            if self.use_dropout:
                out, cache['dropout' + str(i)] = dropout_forward(out, self.dropout_param)
        L = self.num_layers
        scores, cache['affine' + str(L - 1)] = affine_forward(out, self.params['W' + str(L)], self.params['b' + str(L)])

        # If test mode return early.
        if mode == "test":
            return scores

        loss, grads = 0.0, {}
        loss, dout = softmax_loss(scores, y)
        for i in range(L):
            W = self.params['W' + str(i + 1)]
            loss += 0.5 * self.reg * np.sum(W * W)

        dout, dW, db = affine_backward(dout, cache['affine' + str(L - 1)])
        grads['W' + str(L)] = dW + self.reg * self.params['W' + str(L)]
        grads['b' + str(L)] = db
        for i in reversed(range(L - 1)):
            if self.use_dropout:
                dout = dropout_backward(dout, cache['dropout' + str(i)])
            if self.normalization == 'batchnorm':
                dout = relu_backward(dout, cache['relu' + str(i)])
                dout, grads['gamma' + str(i + 1)], grads['beta' + str(i + 1)] = batchnorm_backward_alt(
                    dout, cache['norm' + str(i)])
                dout, dW, db = affine_backward(dout, cache['affine' + str(i)])
            elif self.normalization == 'layernorm':
                dout = relu_backward(dout, cache['relu' + str(i)])
                dout, grads['gamma' + str(i + 1)], grads['beta' + str(i + 1)] = layernorm_backward(
                    dout, cache['norm' + str(i)])
                dout, dW, db = affine_backward(dout, cache['affine' + str(i)])
            else:
                dout, dW, db = affine_relu_backward(dout, cache['affine_relu' + str(i)])
            grads['W' + str(i + 1)] = dW + self.reg * self.params['W' + str(i + 1)]
            grads['b' + str(i + 1)] = db

        return loss, grads
'''

FC_NET_SANDWICH = '''def affine_relu_dropout_forward(x, w, b, dropout_param):
    """affine -> relu -> dropout (dropout_param None: no dropout)."""
    out, ar_cache = affine_relu_forward(x, w, b)
    d_cache = None
    if dropout_param is not None:
        out, d_cache = dropout_forward(out, dropout_param)
    return out, (ar_cache, d_cache)


def affine_relu_dropout_backward(dout, cache):
    ar_cache, d_cache = cache
    if d_cache is not None:
        dout = dropout_backward(dout, d_cache)
    return affine_relu_backward(dout, ar_cache)


class FullyConnectedNet:
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}
        sizes = [input_dim, *hidden_dims, num_classes]
        for i in range(1, self.num_layers + 1):
            self.params['W%d' % i] = np.random.normal(0.0, weight_scale, (sizes[i - 1], sizes[i]))
            self.params['b%d' % i] = np.zeros(sizes[i])
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {'mode': 'train', 'p': dropout_keep_ratio}
            if seed is not None:
                self.dropout_param['seed'] = seed
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = 'test' if y is None else 'train'
        if self.use_dropout:
            self.dropout_param['mode'] = mode
        L = self.num_layers
        h = X
        caches = []
        for i in range(1, L):
            h, c = affine_relu_dropout_forward(h, self.params['W%d' % i], self.params['b%d' % i],
                                               self.dropout_param if self.use_dropout else None)
            caches.append(c)
        scores, last_cache = affine_forward(h, self.params['W%d' % L], self.params['b%d' % L])
        if mode == 'test':
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        reg_loss = 0.0
        for i in range(1, L + 1):
            reg_loss += 0.5 * self.reg * np.sum(np.square(self.params['W%d' % i]))
        loss = data_loss + reg_loss

        grads = {}
        dh, grads['W%d' % L], grads['b%d' % L] = affine_backward(dscores, last_cache)
        grads['W%d' % L] += self.reg * self.params['W%d' % L]
        for i in range(L - 1, 0, -1):
            dh, dw, db = affine_relu_dropout_backward(dh, caches.pop())
            grads['W%d' % i] = dw + self.reg * self.params['W%d' % i]
            grads['b%d' % i] = db
        return loss, grads
'''

DROPOUT_RANDOM_FLOAT32 = '''def dropout_forward(x, dropout_param):
    p = float(dropout_param["p"])
    mode = dropout_param["mode"]
    if dropout_param.get("seed") is not None:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        keep = np.random.random(x.shape) < p
        mask = keep.astype(x.dtype) * np.asarray(1.0 / p, dtype=x.dtype)
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        assert mask.shape == dout.shape
        return dout * mask
    return dout
'''

FC_NET_LISTS = '''class FullyConnectedNet(object):
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}
        fan_in = input_dim
        for i, fan_out in enumerate(list(hidden_dims) + [num_classes]):
            self.params["W{}".format(i + 1)] = weight_scale * np.random.randn(fan_in, fan_out)
            self.params["b{}".format(i + 1)] = np.zeros((fan_out,))
            fan_in = fan_out
        self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
        if seed is not None:
            self.dropout_param["seed"] = seed
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        self.dropout_param["mode"] = mode
        affine_caches, relu_caches, dropout_caches = [], [], []
        h = X.reshape(X.shape[0], -1)
        for i in range(1, self.num_layers):
            h, c = affine_forward(h, self.params["W{}".format(i)], self.params["b{}".format(i)])
            affine_caches.append(c)
            h, c = relu_forward(h)
            relu_caches.append(c)
            if self.use_dropout:
                h, c = dropout_forward(h, self.dropout_param)
                dropout_caches.append(c)
        n = self.num_layers
        scores, out_cache = affine_forward(h, self.params["W{}".format(n)], self.params["b{}".format(n)])
        if mode == "test":
            return scores

        loss, dscores = softmax_loss(scores, y)
        for i in range(1, n + 1):
            loss += 0.5 * self.reg * np.linalg.norm(self.params["W{}".format(i)]) ** 2
        grads = {}
        dh, dw, db = affine_backward(dscores, out_cache)
        grads["W{}".format(n)], grads["b{}".format(n)] = dw + self.reg * self.params["W{}".format(n)], db
        for i in range(n - 1, 0, -1):
            if self.use_dropout:
                dh = dropout_backward(dh, dropout_caches[i - 1])
            dh = relu_backward(dh, relu_caches[i - 1])
            dh, dw, db = affine_backward(dh, affine_caches[i - 1])
            grads["W{}".format(i)] = dw + self.reg * self.params["W{}".format(i)]
            grads["b{}".format(i)] = db
        return loss, grads
'''

ALTERNATIVES = [
    Alternative("handout-style dropout: a boolean mask divided by p when applied, the handout's train/test "
                "blocks", "Q1_solution", source=DROPOUT_HANDOUT),
    Alternative("handout-style dropout: a mask helper, early return in test mode, seed via dict.get, a print in "
                "backward", "Q1_solution", source=DROPOUT_HELPERS),
    Alternative("handout-style FullyConnectedNet: string-keyed cache dict, batch/layer-norm branches that call "
                "functions this notebook does not define", "Q3_solution", source=FC_NET_HANDOUT),
    Alternative("handout-style FullyConnectedNet: an affine-relu-dropout sandwich in the cell, np.random.normal "
                "weights, a popped cache list", "Q3_solution", source=FC_NET_SANDWICH),
    Alternative("handout-style dropout: np.random.random, a mask in x's dtype, a shape assert in backward",
                "Q1_solution", source=DROPOUT_RANDOM_FLOAT32),
    Alternative("handout-style FullyConnectedNet: separate cache lists per layer kind, a dropout_param made even "
                "for keep ratio 1, the regularization through np.linalg.norm", "Q3_solution", source=FC_NET_LISTS),
]
