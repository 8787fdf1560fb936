"""Hollow answers: code that does none of the work of its cell. Each must score nothing in its question (beyond
the part it does do, named in its description)."""
from autograder.check.mutants import Hollow

TWO_LAYER_INIT = '''\
    def __init__(self, input_dim=1 * 36 * 120, hidden_dim=128, num_classes=4, weight_scale=1e-3, reg=0.0):
        self.params = {}
        self.reg = reg
        self.num_classes = num_classes
        self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b2"] = np.zeros(num_classes)
'''

FC_INIT = '''\
class FullyConnectedNet:
    def __init__(self, hidden_dims, input_dim=1 * 36 * 120, num_classes=4, reg=0.0, weight_scale=1e-2, seed=None):
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.num_classes = num_classes
        self.params = {}
        if seed is not None:
            np.random.seed(seed)
        dims = [input_dim, *hidden_dims, num_classes]
        for i in range(self.num_layers):
            self.params[f"W{i + 1}"] = weight_scale * np.random.randn(dims[i], dims[i + 1])
            self.params[f"b{i + 1}"] = np.zeros(dims[i + 1])
'''

CNN_LAYERS = '''\
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(16 * 6 * 27, 256)
        self.fc2 = nn.Linear(256, 4)
'''

ZERO_SCORES = '''
    def forward(self, x):
        return torch.zeros(x.shape[0], 4)
'''

# a network whose scores are its last bias for every example (the input plays no part), with the exact gradients
# of that: consistent with itself, it computes nothing
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
    Hollow("fc_forward that returns zeros of the output's shape", "Q1_solution", '''\
def fc_forward(x, w, b):
    out = np.zeros((x.shape[0], w.shape[1]))
    cache = (x, w, b)
    return out, cache
'''),
    Hollow("fc_forward that returns the bias for every example", "Q1_solution", '''\
def fc_forward(x, w, b):
    out = np.tile(b, (x.shape[0], 1))
    cache = (x, w, b)
    return out, cache
'''),
    Hollow("fc_backward that returns zeros of the right shapes", "Q2_solution", '''\
def fc_backward(dout, cache):
    x, w, b = cache
    return np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)
'''),
    Hollow("fc_backward that returns the cache's x, w and b as their gradients", "Q2_solution", '''\
def fc_backward(dout, cache):
    x, w, b = cache
    return x, w, b
'''),
    Hollow("relu_forward that returns its input", "Q3_solution", '''\
def relu_forward(x):
    out = x.copy()
    cache = x
    return out, cache
'''),
    Hollow("relu_forward that returns zeros", "Q3_solution", '''\
def relu_forward(x):
    out = np.zeros_like(x)
    cache = x
    return out, cache
'''),
    Hollow("relu_backward that passes dout through", "Q4_solution", '''\
def relu_backward(dout, cache):
    return dout.copy()
'''),
    Hollow("relu_backward that returns zeros", "Q4_solution", '''\
def relu_backward(dout, cache):
    return np.zeros_like(dout)
'''),
    Hollow("softmax_loss that is the constant log C, with a zero gradient", "Q5_solution", '''\
def softmax_loss(x, y):
    return float(np.log(x.shape[1])), np.zeros_like(x)
'''),
    Hollow("a loss that is minus the mean score of the label (no softmax), with its exact gradient", "Q5_solution", '''\
def softmax_loss(x, y):
    n = x.shape[0]
    dx = np.zeros_like(x)
    dx[np.arange(n), y] = -1.0 / n
    return float(-x[np.arange(n), y].mean()), dx
'''),
    Hollow("a TwoLayerNet with the right initialization (2 points) whose scores are zeros and whose loss is log C "
           "plus the regularization, with its exact gradients", "Q6_solution", "class TwoLayerNet:\n" + TWO_LAYER_INIT
           + '''
    def loss(self, X, y=None):
        if y is None:
            return np.zeros((X.shape[0], self.num_classes))
        W1, W2 = self.params["W1"], self.params["W2"]
        loss = np.log(self.num_classes) + 0.5 * self.reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
        grads = {"W1": self.reg * W1, "b1": np.zeros_like(self.params["b1"]), "W2": self.reg * W2,
                 "b2": np.zeros_like(self.params["b2"])}
        return loss, grads
''', keeps=2),
    Hollow("a TwoLayerNet with the right initialization (2 points) whose scores are its last bias for every example, "
           "with the exact gradients of that", "Q6_solution", "class TwoLayerNet:\n" + TWO_LAYER_INIT + '''
    def loss(self, X, y=None):
        scores = np.tile(self.params["b2"], (X.shape[0], 1))
        if y is None:
            return scores
        W1, W2 = self.params["W1"], self.params["W2"]
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
        grads = {"W1": self.reg * W1, "b1": np.zeros_like(self.params["b1"]), "W2": self.reg * W2,
                 "b2": dscores.sum(axis=0)}
        return loss, grads
''',
           keeps=2),
    Hollow("train_two_layer_net that returns a Solver it never trained", "Q7_solution", '''\
def train_two_layer_net(data):
    model = TwoLayerNet(hidden_dim=128, weight_scale=1e-2)
    return Solver(model, data, update_rule="adam", optim_config={"learning_rate": 5e-4}, num_epochs=10,
                  batch_size=256, verbose=False)
'''),
    Hollow("a FullyConnectedNet with the right initialization and seed (3 points) whose scores are zeros and whose "
           "loss is a constant with zero gradients", "Q8_solution", FC_INIT + '''
    def loss(self, X, y=None):
        if y is None:
            return np.zeros((X.shape[0], self.num_classes))
        return float(np.log(self.num_classes)), {k: np.zeros_like(v) for k, v in self.params.items()}
''', keeps=3),
    Hollow("a FullyConnectedNet with the right initialization and seed (3 points) whose scores are its last bias for "
           "every example, with the exact gradients of that", "Q8_solution", FC_INIT + BIAS_ONLY_LOSS, keeps=3),
    Hollow("sgd_momentum that does not move w, and solvers that were never trained", "Q9_solution", '''\
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    config["velocity"] = np.zeros_like(w)
    return w, config


def compare_update_rules(data, num_epochs):
    return {name: Solver(FullyConnectedNet([256, 128, 64], weight_scale=5e-2, seed=0), data, update_rule=rule,
                         num_epochs=num_epochs, batch_size=256, verbose=False)
            for name, rule in [("sgd", "sgd"), ("sgd_momentum", sgd_momentum)]}
'''),
    Hollow("compare_update_rules that trains neither solver but fills their loss histories with made-up values of "
           "the right length, and an sgd_momentum that does not move w", "Q9_solution", '''\
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    return w, config


def compare_update_rules(data, num_epochs):
    solvers = {}
    for name, rule in [("sgd", "sgd"), ("sgd_momentum", sgd_momentum)]:
        model = FullyConnectedNet([256, 128, 64], weight_scale=5e-2, seed=0)
        solvers[name] = Solver(model, data, update_rule=rule, num_epochs=num_epochs, batch_size=256, verbose=False)
        iterations = num_epochs * (len(data["X_train"]) // 256)
        solvers[name].loss_history = [2.0 * 0.99 ** i for i in range(iterations)]
        solvers[name].val_acc_history = [0.6 if name == "sgd" else 0.7] * num_epochs
    return solvers
'''),
    Hollow("train_best_fc_model that returns an untrained Solver with made-up accuracy histories", "Q10_solution",
           '''\
def train_best_fc_model(data):
    model = FullyConnectedNet([200, 100], weight_scale=3e-2, seed=0)
    solver = Solver(model, data, num_epochs=20, batch_size=256, verbose=False)
    solver.train_acc_history = [0.7] * 20
    solver.val_acc_history = [0.65] * 20
    solver.best_val_acc = 0.65
    return solver
'''),
    Hollow("train_best_fc_model that returns a Solver it never trained", "Q10_solution", '''\
def train_best_fc_model(data):
    model = FullyConnectedNet([200, 100], weight_scale=3e-2, seed=0)
    return Solver(model, data, num_epochs=20, batch_size=256, verbose=False)
'''),
    Hollow("a CNN with the layers of the table under the asked names (3 points) whose scores are zeros", "Q11_solution",
           "class CNNWithoutBatchNorm(nn.Module):\n    def __init__(self):\n        super().__init__()\n" + CNN_LAYERS
           + ZERO_SCORES, keeps=3),
    Hollow("train_cnn that trains nothing and makes up decreasing losses, and a cnn_accuracy that is a plausible "
           "constant", "Q12_solution", '''\
def train_cnn(model, data, num_epochs, batch_size=64, lr=0.01, momentum=0.9, seed=0):
    return [1.2 * 0.8 ** epoch for epoch in range(num_epochs)]


def cnn_accuracy(model, X, y, batch_size=256):
    return 0.7
'''),
    Hollow("a train_cnn that trains nothing and makes up its losses, with a right cnn_accuracy (2 points)",
           "Q12_solution", '''\
def train_cnn(model, data, num_epochs, batch_size=64, lr=0.01, momentum=0.9, seed=0):
    return [1.2 * 0.8 ** epoch for epoch in range(num_epochs)]


def cnn_accuracy(model, X, y, batch_size=256):
    model.eval()
    with torch.no_grad():
        scores = model(torch.from_numpy(np.asarray(X, dtype=np.float32)).unsqueeze(1))
    return float((scores.argmax(dim=1).numpy() == np.asarray(y)).mean())
''', keeps=2),
    Hollow("a batch-norm CNN with the layers of the table (1 point) whose scores are zeros", "Q13_solution",
           "class CNNWithBatchNorm(nn.Module):\n    def __init__(self):\n        super().__init__()\n" + CNN_LAYERS
           + "        self.bn1 = nn.BatchNorm2d(6)\n        self.bn2 = nn.BatchNorm2d(16)\n" + ZERO_SCORES, keeps=1),
    Hollow("a bn_cnn that was never trained, with made-up losses", "Q14_solution", '''\
torch.manual_seed(0)
bn_cnn = CNNWithBatchNorm()
bn_cnn_losses = [1.2 * 0.8 ** epoch for epoch in range(CNN_EPOCHS)]
'''),
    Hollow("a filter grid of zeros", "Q15_solution", '''\
def first_layer_filter_grid(model):
    return np.zeros((11, 11, 1))
'''),
    Hollow("a parameter count of 0 for every network, and plausible constants for the CNNs", "Q16_solution", '''\
def count_fc_parameters(input_dim, hidden_dims, num_classes):
    return 0


CNN_WITHOUT_BN_PARAMETERS = 650000
CNN_WITH_BN_PARAMETERS = 650044
'''),
    Hollow("a plausible constant parameter count for every network", "Q16_solution", '''\
def count_fc_parameters(input_dim, hidden_dims, num_classes):
    return 100000


CNN_WITHOUT_BN_PARAMETERS = 700000
CNN_WITH_BN_PARAMETERS = 700000
'''),
]
