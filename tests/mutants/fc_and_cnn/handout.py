"""Handout-style solutions of every fc_and_cnn answer cell (see autograder/check/mutants.py).

Each alternative replaces a whole answer cell with correct code written to the task as the release states it,
in the style of a good student of the original handout rather than of our master: other layouts, loops where
loops are allowed, prints, numpy conversions, separate pooling modules. Every one must keep every point.

The mutants are the handout-style code that misses the edge case of no hidden layer (the seed's own
FullyConnectedNet does): they must lose the edge case's small test and nothing more.
"""
from autograder.check.mutants import Alternative, Mutant

MUTANTS = [
    Mutant("Q8_fully_connected_net", "the seed's loop: the first layer reads X, so no hidden layer crashes",
           "Q8_solution", (("        hidden = X", ""),
                           ("fc_relu_forward(hidden, ", "fc_relu_forward(X if layer == 1 else hidden, "))),
    Mutant("Q16_counts", "counts from hidden_dims[0] on, so no hidden layer crashes", "Q16_solution",
           (("dims = [input_dim, *hidden_dims, num_classes]", "dims = [input_dim, hidden_dims[0], *hidden_dims[1:], "
             "num_classes]"),)),
]

FC_FORWARD = '''\
def fc_forward(x, w, b):
    """Affine layer. x (N, d_1, ..., d_k), w (D, M), b (M,) -> out (N, M), cache (x, w, b)."""
    N, D = x.shape[0], w.shape[0]
    out = np.dot(x.reshape((N, D)), w) + b
    cache = (x, w, b)
    return out, cache
'''

FC_BACKWARD = '''\
def fc_backward(dout, cache):
    """Affine layer backward. dout (N, M), cache (x, w, b) -> dx (same shape as x), dw (D, M), db (M,)."""
    x, w, b = cache
    N, D = x.shape[0], w.shape[0]
    dx = np.dot(dout, w.T).reshape(x.shape)
    dw = np.dot(x.reshape((N, D)).T, dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
'''

RELU_FORWARD = '''\
def relu_forward(x):
    """Rectified linear unit. x (any shape) -> out (same shape), cache x."""
    out = x.copy()
    out[out < 0] = 0
    cache = x
    return out, cache
'''

RELU_BACKWARD = '''\
def relu_backward(dout, cache):
    """ReLU backward. dout (any shape), cache x (same shape) -> dx (same shape)."""
    dx, x = dout.copy(), cache
    dx[x <= 0] = 0
    return dx
'''

SOFTMAX_LOSS = '''\
def softmax_loss(x, y):
    """Mean softmax cross-entropy. x (N, C) scores, y (N,) labels in [0, C) -> loss (float), dx (N, C)."""
    N, C = x.shape
    y_one_hot = np.eye(C)[y]
    shifted = x - np.max(x, axis=-1, keepdims=True)
    log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(y_one_hot * log_softmax) / N
    dx = (np.exp(log_softmax) - y_one_hot) / N
    return loss, dx
'''

TWO_LAYER_NET = '''\
class TwoLayerNet:
    """fc - relu - fc - softmax, with L2 regularization of the weights.

    loss(X): X (N, d_1, ..., d_k) -> scores (N, C); loss(X, y) -> (loss, grads) with grads[name] shaped
    like params[name].
    """

    def __init__(self, input_dim=1 * 36 * 120, hidden_dim=128, num_classes=4, weight_scale=1e-3, reg=0.0):
        self.params = {}
        self.reg = reg
        self.params["W1"] = np.random.normal(0, weight_scale, size=(input_dim, hidden_dim))
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = np.random.normal(0, weight_scale, size=(hidden_dim, num_classes))
        self.params["b2"] = np.zeros(num_classes)

    def loss(self, X, y=None):
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        a1, fc1_cache = fc_forward(X, W1, b1)
        h1, relu_cache = relu_forward(a1)
        scores, fc2_cache = fc_forward(h1, W2, b2)
        if y is None:
            return scores
        grads = {}
        data_loss, dscores = softmax_loss(scores, y)
        loss = data_loss + 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        dh1, grads["W2"], grads["b2"] = fc_backward(dscores, fc2_cache)
        da1 = relu_backward(dh1, relu_cache)
        _, grads["W1"], grads["b1"] = fc_backward(da1, fc1_cache)
        grads["W1"] += self.reg * W1
        grads["W2"] += self.reg * W2
        return loss, grads
'''

TRAIN_TWO_LAYER = '''\
def train_two_layer_net(data):
    """Train a TwoLayerNet with Solver on data (X_train, y_train, X_val, y_val, ...); return the solver."""
    model = TwoLayerNet(hidden_dim=100, weight_scale=1e-2)
    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 2e-2}, lr_decay=0.95,
                    num_epochs=20, batch_size=100, print_every=200, verbose=True)
    solver.train()
    print("best validation accuracy:", solver.best_val_acc)
    return solver
'''

FULLY_CONNECTED_NET = '''\
class FullyConnectedNet:
    """{fc - relu} x (L - 1) - fc - softmax, with L2 regularization of the weights.

    loss(X): X (N, d_1, ..., d_k) -> scores (N, C); loss(X, y) -> (loss, grads).
    """

    def __init__(self, hidden_dims, input_dim=1 * 36 * 120, num_classes=4, reg=0.0, weight_scale=1e-2, seed=None):
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.params = {}
        if seed is not None:
            np.random.seed(seed)
        sizes = [input_dim] + list(hidden_dims) + [num_classes]
        for i in range(1, self.num_layers + 1):
            self.params["W" + str(i)] = weight_scale * np.random.randn(sizes[i - 1], sizes[i])
            self.params["b" + str(i)] = np.zeros(sizes[i])

    def loss(self, X, y=None):
        L = self.num_layers
        caches = {}
        out = X
        for i in range(1, L):
            out, caches[i] = fc_relu_forward(out, self.params["W%d" % i], self.params["b%d" % i])
        scores, caches[L] = fc_forward(out, self.params["W%d" % L], self.params["b%d" % L])
        if y is None:
            return scores
        grads = {}
        loss, dout = softmax_loss(scores, y)
        for i in range(1, L + 1):
            loss += 0.5 * self.reg * np.linalg.norm(self.params["W%d" % i]) ** 2
        dout, dw, db = fc_backward(dout, caches[L])
        grads["W%d" % L], grads["b%d" % L] = dw + self.reg * self.params["W%d" % L], db
        i = L - 1
        while i > 0:
            dout, dw, db = fc_relu_backward(dout, caches[i])
            grads["W%d" % i], grads["b%d" % i] = dw + self.reg * self.params["W%d" % i], db
            i -= 1
        return loss, grads
'''

SGD_MOMENTUM = '''\
def sgd_momentum(w, dw, config=None):
    """SGD with momentum. w, dw arrays of the same shape; config: learning_rate, momentum, velocity."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config


def compare_update_rules(data, num_epochs):
    """Train the same network with "sgd" and with sgd_momentum; return {"sgd": solver, "sgd_momentum": solver}."""
    solvers = {}
    start = FullyConnectedNet([256, 128, 64], weight_scale=5e-2)
    for update_rule in ["sgd", "sgd_momentum"]:
        print("running with", update_rule)
        model = FullyConnectedNet([256, 128, 64], weight_scale=5e-2)
        model.params = {name: value.copy() for name, value in start.params.items()}
        solver = Solver(model, data, num_epochs=num_epochs, batch_size=256,
                        update_rule=update_rule if update_rule == "sgd" else sgd_momentum,
                        optim_config={"learning_rate": 1e-2, "momentum": 0.9}, print_every=100, seed=228,
                        verbose=True)
        solver.train()
        solvers[update_rule] = solver
    return solvers
'''

TRAIN_BEST_FC = '''\
def train_best_fc_model(data):
    """Train your best FullyConnectedNet with Solver (at most 50 epochs); return the solver."""
    learning_rate, lr_decay, momentum = 1e-2, 0.9, 0.9
    model = FullyConnectedNet([100, 100, 100], weight_scale=5e-2)
    solver = Solver(model, data, print_every=100, num_epochs=15, batch_size=128, update_rule=sgd_momentum,
                    optim_config={"learning_rate": learning_rate, "momentum": momentum}, lr_decay=lr_decay,
                    num_val_samples=500, verbose=True)
    solver.train()
    return solver
'''

CNN = '''\
class CNNWithoutBatchNorm(nn.Module):
    """conv1 - relu - pool - conv2 - relu - pool - fc1 - relu - fc2. x (N, 1, 36, 120) -> scores (N, 4)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(16 * 6 * 27, 256)
        self.fc2 = nn.Linear(256, 4)

    def forward(self, x):
        x = F.relu(self.conv1(x))  # (6, 34, 118)
        x = self.pool1(x)  # (6, 17, 59)
        x = F.relu(self.conv2(x))  # (16, 13, 55)
        x = self.pool2(x)  # (16, 6, 27)
        x = x.view(-1, 16 * 6 * 27)
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return x
'''

TRAIN_CNN = '''\
def train_cnn(model, data, num_epochs, batch_size=64, lr=0.01, momentum=0.9, seed=0):
    """Train model with SGD + momentum and StepLR(2, 0.9); return the mean training loss of each epoch."""
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.9)
    model.train()
    epoch_losses = []
    for epoch in range(num_epochs):
        running_loss, batches = 0.0, 0
        for inputs, labels in iterate_minibatches(data["X_train"], data["y_train"], batch_size, shuffle=True,
                                                  seed=seed + epoch):
            inputs = torch.from_numpy(inputs).unsqueeze(1).float()
            labels = torch.from_numpy(labels).long()
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            batches += 1
        scheduler.step()
        epoch_losses.append(running_loss / batches)
        print(f"[{epoch + 1}] loss: {epoch_losses[-1]:.3f}")
    return epoch_losses


def cnn_accuracy(model, X, y, batch_size=256):
    """Fraction of X (N, 36, 120) that model classifies as y (N,), in eval mode without gradients."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            inputs = torch.from_numpy(X[start:start + batch_size]).unsqueeze(1).float()
            predictions = model(inputs).argmax(dim=1).numpy()
            correct += int(np.sum(predictions == y[start:start + batch_size]))
    return correct / len(X)
'''

CNN_BATCHNORM = '''\
class CNNWithBatchNorm(nn.Module):
    """conv1 - relu - pool - bn1 - conv2 - relu - pool - bn2 - fc1 - relu - fc2. (N, 1, 36, 120) -> (N, 4)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(16 * 6 * 27, 256)
        self.fc2 = nn.Linear(256, 4)

    def forward(self, x):
        x = self.bn1(self.pool1(F.relu(self.conv1(x))))
        x = self.bn2(self.pool2(F.relu(self.conv2(x))))
        x = x.view(-1, 16 * 6 * 27)
        return self.fc2(F.relu(self.fc1(x)))
'''

TRAIN_BN_CNN = '''\
torch.manual_seed(0)  # the same initial weights every time you run this cell
bn_cnn = CNNWithBatchNorm()
bn_cnn_losses = train_cnn(bn_cnn, data, CNN_EPOCHS)
print("losses:", bn_cnn_losses)
'''

FILTER_GRID = '''\
def first_layer_filter_grid(model):
    """The filters of model.conv1 laid out in one image (grid_h, grid_w, C) by visualize_grid."""
    conv1_weights = model.conv1.weight.data.cpu().numpy()
    grid = visualize_grid(np.transpose(conv1_weights, (0, 2, 3, 1)))
    return grid
'''

COUNTS = '''\
def count_fc_parameters(input_dim, hidden_dims, num_classes):
    """Learnable parameters of FullyConnectedNet(hidden_dims, input_dim, num_classes), by formula."""
    sizes = [input_dim, *hidden_dims, num_classes]
    count = 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        count += fan_in * fan_out + fan_out
    return count


# conv: filters * (channels * kh * kw + 1); linear: out * (in + 1); batch norm: gamma and beta per channel
CNN_WITHOUT_BN_PARAMETERS = (1 * 3 * 3 * 6 + 6) + (6 * 5 * 5 * 16 + 16) + (16 * 6 * 27 * 256 + 256) + (256 * 4 + 4)
CNN_WITH_BN_PARAMETERS = CNN_WITHOUT_BN_PARAMETERS + 2 * 6 + 2 * 16
'''

TWO_LAYER_NET_BY_HAND = '''\
class TwoLayerNet:
    """fc - relu - fc - softmax, with L2 regularization of the weights, the layers written out by hand."""

    def __init__(self, input_dim=1 * 36 * 120, hidden_dim=128, num_classes=4, weight_scale=1e-3, reg=0.0):
        self.params = {}
        self.reg = reg
        self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b2"] = np.zeros(num_classes)

    def loss(self, X, y=None):
        W1, b1, W2, b2 = self.params["W1"], self.params["b1"], self.params["W2"], self.params["b2"]
        rows = X.reshape(X.shape[0], -1)
        pre = rows.dot(W1) + b1
        hidden = np.maximum(pre, 0)
        scores = hidden.dot(W2) + b2
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
        dhidden = dscores.dot(W2.T)
        dpre = np.where(pre > 0, dhidden, 0.0)
        grads = {"W1": rows.T.dot(dpre) + self.reg * W1, "b1": dpre.sum(axis=0),
                 "W2": hidden.T.dot(dscores) + self.reg * W2, "b2": dscores.sum(axis=0)}
        return loss, grads
'''

TRAIN_TWO_LAYER_ADAM = '''\
def train_two_layer_net(data):
    """Train a TwoLayerNet with Solver on data (X_train, y_train, X_val, y_val, ...); return the solver."""
    model = TwoLayerNet(hidden_dim=64, weight_scale=1e-2)
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3}, lr_decay=0.9,
                    num_epochs=8, batch_size=128, print_every=100)
    solver.train()
    print("validation accuracy:", solver.check_accuracy(data["X_val"], data["y_val"]))
    print("test accuracy:", solver.check_accuracy(data["X_test"], data["y_test"]))
    return solver
'''

FULLY_CONNECTED_NET_LAYERS = '''\
class FullyConnectedNet:
    """{fc - relu} x (L - 1) - fc - softmax; the names of each layer's parameters are kept in a list."""

    def __init__(self, hidden_dims, input_dim=1 * 36 * 120, num_classes=4, reg=0.0, weight_scale=1e-2, seed=None):
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.params = {}
        if seed is not None:
            np.random.seed(seed)
        self.layers = [("W%d" % (i + 1), "b%d" % (i + 1)) for i in range(self.num_layers)]
        fan_in = input_dim
        for (w_name, b_name), fan_out in zip(self.layers, list(hidden_dims) + [num_classes]):
            self.params[w_name] = weight_scale * np.random.randn(fan_in, fan_out)
            self.params[b_name] = np.zeros(fan_out)
            fan_in = fan_out

    def loss(self, X, y=None):
        out, caches = X, []
        for index, (w_name, b_name) in enumerate(self.layers):
            layer = fc_forward if index == len(self.layers) - 1 else fc_relu_forward
            out, cache = layer(out, self.params[w_name], self.params[b_name])
            caches.append(cache)
        if y is None:
            return out
        loss, dout = softmax_loss(out, y)
        grads = {}
        for index in reversed(range(len(self.layers))):
            w_name, b_name = self.layers[index]
            backward = fc_backward if index == len(self.layers) - 1 else fc_relu_backward
            dout, dw, grads[b_name] = backward(dout, caches[index])
            W = self.params[w_name]
            loss += 0.5 * self.reg * np.sum(W ** 2)
            grads[w_name] = dw + self.reg * W
        return loss, grads
'''

SGD_MOMENTUM_SEEDED = '''\
def sgd_momentum(w, dw, config=None):
    """SGD with momentum. w, dw arrays of the same shape; config: learning_rate, momentum, velocity."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if "velocity" not in config:
        config["velocity"] = np.zeros_like(w)
    config["velocity"] = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
    next_w = w + config["velocity"]
    return next_w, config


def compare_update_rules(data, num_epochs):
    """Train the same network with "sgd" and with sgd_momentum; return {"sgd": solver, "sgd_momentum": solver}."""
    solvers = {}
    for name in ["sgd", "sgd_momentum"]:
        model = FullyConnectedNet([256, 128, 64], weight_scale=5e-2, seed=228)
        rule = sgd_momentum if name == "sgd_momentum" else "sgd"
        solvers[name] = Solver(model, data, update_rule=rule, optim_config={"learning_rate": 1e-2, "momentum": 0.9},
                               num_epochs=num_epochs, batch_size=256, seed=1)
        solvers[name].train()
        print(name, "best validation accuracy", solvers[name].best_val_acc)
    return solvers
'''

TRAIN_BEST_FC_PRINTS_TEST = '''\
def train_best_fc_model(data):
    """Train your best FullyConnectedNet with Solver (at most 50 epochs); return the solver."""
    model = FullyConnectedNet([256, 128], weight_scale=2e-2, seed=1)
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 5e-4}, lr_decay=0.9,
                    num_epochs=12, batch_size=200, print_every=500)
    solver.train()
    print("test accuracy of the best epoch:", solver.check_accuracy(data["X_test"], data["y_test"]))
    return solver
'''

CNN_MODULES = '''\
class CNNWithoutBatchNorm(nn.Module):
    """conv1 - relu - pool - conv2 - relu - pool - fc1 - relu - fc2. x (N, 1, 36, 120) -> scores (N, 4)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2592, 256)
        self.fc2 = nn.Linear(256, 4)
        self.conv1 = nn.Conv2d(in_channels=1, out_channels=6, kernel_size=3)
        self.conv2 = nn.Conv2d(in_channels=6, out_channels=16, kernel_size=5)
        self.pool = nn.MaxPool2d(kernel_size=2)
        self.relu = nn.ReLU()
        self.flatten = nn.Flatten()

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        return self.fc2(self.relu(self.fc1(self.flatten(x))))
'''

TRAIN_CNN_SEED_STYLE = '''\
def train_cnn(model, data, num_epochs, batch_size=64, lr=0.01, momentum=0.9, seed=0):
    """Train model with SGD + momentum and StepLR(2, 0.9); return the mean training loss of each epoch."""
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.9)
    epoch_losses = []
    for epoch in range(num_epochs):
        model.train()
        batch_losses = []
        batches = iterate_minibatches(data["X_train"], data["y_train"], batch_size, shuffle=True, seed=seed + epoch)
        for i, (inputs, labels) in enumerate(batches):
            inputs, labels = torch.tensor(inputs).unsqueeze(1).float(), torch.tensor(labels).long()
            optimizer.zero_grad()
            loss = criterion(model(inputs), labels)
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        scheduler.step()
        epoch_losses.append(sum(batch_losses) / len(batch_losses))
        val_acc = cnn_accuracy(model, data["X_val"], data["y_val"])
        print(f"epoch {epoch + 1}: loss {epoch_losses[-1]:.3f}, validation accuracy {val_acc:.3f}")
    return epoch_losses


def cnn_accuracy(model, X, y, batch_size=256):
    """Fraction of X (N, 36, 120) that model classifies as y (N,), in eval mode without gradients."""
    model.eval()
    predictions = []
    with torch.no_grad():
        for inputs, _ in iterate_minibatches(X, y, batch_size, shuffle=False):
            scores = model(torch.from_numpy(inputs).float().unsqueeze(1))
            predictions.append(scores.argmax(dim=1))
    return (torch.cat(predictions) == torch.from_numpy(y)).float().mean().item()
'''

CNN_BATCHNORM_MODULES = '''\
class CNNWithBatchNorm(nn.Module):
    """conv1 - relu - pool - bn1 - conv2 - relu - pool - bn2 - fc1 - relu - fc2. (N, 1, 36, 120) -> (N, 4)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=3)
        self.bn1 = nn.BatchNorm2d(num_features=6)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.bn2 = nn.BatchNorm2d(num_features=16)
        self.fc1 = nn.Linear(16 * 6 * 27, 256)
        self.fc2 = nn.Linear(256, 4)

    def forward(self, x):
        x = self.bn1(F.max_pool2d(F.relu(self.conv1(x)), kernel_size=2, stride=2))
        x = self.bn2(F.max_pool2d(F.relu(self.conv2(x)), kernel_size=2, stride=2))
        x = torch.flatten(x, start_dim=1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)
'''

TRAIN_BN_CNN_REPORTS = '''\
torch.manual_seed(0)  # the same initial weights every time you run this cell
bn_cnn = CNNWithBatchNorm()
bn_cnn_losses = train_cnn(bn_cnn, data, num_epochs=CNN_EPOCHS, batch_size=64)
print("validation accuracy after training:", cnn_accuracy(bn_cnn, data["X_val"], data["y_val"]))
'''

FILTER_GRID_PERMUTE = '''\
def first_layer_filter_grid(model):
    """The filters of model.conv1 laid out in one image (grid_h, grid_w, C) by visualize_grid."""
    filters = model.conv1.weight.detach().permute(0, 2, 3, 1).numpy()
    return visualize_grid(filters)
'''

COUNTS_CLOSED_FORM = '''\
def count_fc_parameters(input_dim, hidden_dims, num_classes):
    """Learnable parameters of FullyConnectedNet(hidden_dims, input_dim, num_classes), by formula."""
    if len(hidden_dims) == 0:
        return (input_dim + 1) * num_classes
    count = (input_dim + 1) * hidden_dims[0] + (hidden_dims[-1] + 1) * num_classes
    for i in range(1, len(hidden_dims)):
        count += (hidden_dims[i - 1] + 1) * hidden_dims[i]
    return count


conv1 = 6 * (1 * 3 * 3 + 1)
conv2 = 16 * (6 * 5 * 5 + 1)
fc1 = 256 * (16 * 6 * 27 + 1)
fc2 = 4 * (256 + 1)
CNN_WITHOUT_BN_PARAMETERS = conv1 + conv2 + fc1 + fc2
CNN_WITH_BN_PARAMETERS = CNN_WITHOUT_BN_PARAMETERS + 2 * (6 + 16)
'''

ALTERNATIVES = [
    Alternative("handout-style fc_forward with np.dot and (N, D) from the shapes", "Q1_solution", source=FC_FORWARD),
    Alternative("handout-style fc_backward with np.dot", "Q2_solution", source=FC_BACKWARD),
    Alternative("handout-style relu_forward clipping a copy", "Q3_solution", source=RELU_FORWARD),
    Alternative("handout-style relu_backward zeroing a copy of dout", "Q4_solution", source=RELU_BACKWARD),
    Alternative("handout-style softmax_loss with np.eye one-hot and a log-softmax", "Q5_solution",
                source=SOFTMAX_LOSS),
    Alternative("handout-style TwoLayerNet with np.random.normal, layer by layer", "Q6_solution",
                source=TWO_LAYER_NET),
    Alternative("handout-style two-layer training with plain SGD and prints", "Q7_solution", source=TRAIN_TWO_LAYER),
    Alternative("handout-style FullyConnectedNet with a size list, a cache dict and a while loop", "Q8_solution",
                source=FULLY_CONNECTED_NET),
    Alternative("handout-style sgd_momentum and a comparison that copies the initial weights", "Q9_solution",
                source=SGD_MOMENTUM),
    Alternative("handout-style best FC model on a validation subsample", "Q10_solution", source=TRAIN_BEST_FC),
    Alternative("handout-style CNN with pool1 and pool2 and view", "Q11_solution", source=CNN),
    Alternative("handout-style train_cnn with torch.from_numpy and prints, cnn_accuracy counting", "Q12_solution",
                source=TRAIN_CNN),
    Alternative("handout-style batch-norm CNN with pool1 and pool2", "Q13_solution", source=CNN_BATCHNORM),
    Alternative("handout-style bn_cnn training with a print", "Q14_solution", source=TRAIN_BN_CNN),
    Alternative("handout-style filter grid with .data.cpu().numpy() and np.transpose", "Q15_solution",
                source=FILTER_GRID),
    Alternative("handout-style parameter counts by a loop over layer sizes", "Q16_solution", source=COUNTS),
    Alternative("handout-style TwoLayerNet written out by hand with np.where", "Q6_solution",
                source=TWO_LAYER_NET_BY_HAND),
    Alternative("handout-style two-layer training with Adam that prints the test accuracy", "Q7_solution",
                source=TRAIN_TWO_LAYER_ADAM),
    Alternative("handout-style FullyConnectedNet with a list of parameter names, regularized on the way back",
                "Q8_solution", source=FULLY_CONNECTED_NET_LAYERS),
    Alternative("handout-style sgd_momentum in config and a comparison with seeded networks", "Q9_solution",
                source=SGD_MOMENTUM_SEEDED),
    Alternative("handout-style best FC model with Adam that prints the test accuracy", "Q10_solution",
                source=TRAIN_BEST_FC_PRINTS_TEST),
    Alternative("handout-style CNN with ReLU, pooling and flatten modules, fc layers defined first", "Q11_solution",
                source=CNN_MODULES),
    Alternative("handout-style train_cnn with torch.tensor that prints validation accuracy every epoch",
                "Q12_solution", source=TRAIN_CNN_SEED_STYLE),
    Alternative("handout-style batch-norm CNN with functional pooling and torch.flatten", "Q13_solution",
                source=CNN_BATCHNORM_MODULES),
    Alternative("handout-style bn_cnn training with keywords and an accuracy print", "Q14_solution",
                source=TRAIN_BN_CNN_REPORTS),
    Alternative("handout-style filter grid permuted in torch", "Q15_solution", source=FILTER_GRID_PERMUTE),
    Alternative("handout-style parameter counts in closed form, zero hidden layers special-cased", "Q16_solution",
                source=COUNTS_CLOSED_FORM),
]
