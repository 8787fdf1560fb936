"""Handout-style solutions of every batchnorm_lab answer cell (see autograder/check/mutants.py).

Each alternative replaces a whole answer cell with correct code written to the task as the original lab's
handout states it, in the style of a good student of that handout rather than of our master: running
statistics kept in local names and written back into the dict without detaching them, the layers of the
network written out one by one with ``view`` and in-place ReLU, ``.data`` initializations, ``enumerate`` over
the loaders with ``.to(device, dtype=...)``, prints at every record. Every one must keep every point.
"""
from autograder.check.mutants import Alternative

BATCHNORM = '''\
def batchnorm(inputs, beta, gamma, stats_dict, train=True, eps=0.001, momentum=0.1):
    """Batch norm of a (N, F) batch; the running statistics in stats_dict are updated in training mode."""
    run_mean = stats_dict["running_mean"]
    run_var = stats_dict["running_var"]
    if train:
        batch_mean = inputs.mean(0)
        batch_var = inputs.var(0)
        run_mean = momentum * batch_mean + (1 - momentum) * run_mean
        run_var = momentum * batch_var + (1 - momentum) * run_var
        stats_dict["running_mean"] = run_mean
        stats_dict["running_var"] = run_var
        normalized = (inputs - batch_mean) / torch.sqrt(batch_var + eps)
    else:
        normalized = (inputs - run_mean) / torch.sqrt(run_var + eps)
    return normalized * gamma + beta
'''

BATCHNORM_UNBIASED_TRUE = '''\
def batchnorm(inputs, beta, gamma, stats_dict, train=True, eps=0.001, momentum=0.1):
    # normalize along the minibatch dimension; keep the running averages up to date while training
    if not train:
        mu, sigma2 = stats_dict["running_mean"], stats_dict["running_var"]
        return gamma * (inputs - mu) / (sigma2 + eps) ** 0.5 + beta
    mu = torch.mean(inputs, dim=0)
    sigma2 = torch.var(inputs, dim=0, unbiased=True)
    with torch.no_grad():
        for key, value in (("running_mean", mu), ("running_var", sigma2)):
            stats_dict[key] = (1.0 - momentum) * stats_dict[key] + momentum * value.detach()
    return gamma * (inputs - mu) / (sigma2 + eps) ** 0.5 + beta
'''

MODEL = '''\
def my_nn(input, param_dict, layers_stats_list, train=True):
    """Forward pass of the 2-layer MLP with batch norm after each hidden ReLU."""
    x = input.view(-1, 28 * 28)

    # layer 1
    x = torch.relu_(x @ param_dict["W0"] + param_dict["b0"])
    x = batchnorm(x, param_dict["beta0"], param_dict["gamma0"], layers_stats_list[0], train)

    # layer 2
    x = torch.relu_(x @ param_dict["W1"] + param_dict["b1"])
    x = batchnorm(x, param_dict["beta1"], param_dict["gamma1"], layers_stats_list[1], train)

    # output
    x = x @ param_dict["W2"] + param_dict["b2"]
    return x


def my_zero_grad(param_dict):
    """Zero the gradients of the parameters."""
    for _, param in param_dict.items():
        if param.grad is not None:
            param.grad.detach_()
            param.grad.zero_()


def initialize_nn(param_dict, layers_stats_list):
    """Re-initialize the parameters and reset the running statistics."""
    for name, param in param_dict.items():
        if "beta" in name:
            param_dict[name] = torch.zeros_like(param)
        elif "gamma" in name:
            param_dict[name] = torch.ones_like(param)
        else:
            param_dict[name] = torch.rand_like(param) * 2 - 1

    for name, param in param_dict.items():
        param_dict[name] = param.to(device)
        param_dict[name].requires_grad = True

    for layer_stats in layers_stats_list:
        layer_stats["running_mean"] = torch.zeros_like(layer_stats["running_mean"], device=device)
        layer_stats["running_var"] = torch.ones_like(layer_stats["running_var"], device=device)
'''

MODEL_LOOP = '''\
def my_nn(input, param_dict, layers_stats_list, train=True):
    out = torch.flatten(input, start_dim=1)
    n_hidden = len(layers_stats_list)
    for i in range(n_hidden):
        out = torch.clamp(torch.matmul(out, param_dict["W" + str(i)]) + param_dict["b" + str(i)], min=0)
        out = batchnorm(out, param_dict["beta" + str(i)], param_dict["gamma" + str(i)], layers_stats_list[i],
                        train=train)
    return torch.matmul(out, param_dict["W" + str(n_hidden)]) + param_dict["b" + str(n_hidden)]


def my_zero_grad(param_dict):
    for key in param_dict:
        param_dict[key].grad = None


def initialize_nn(param_dict, layers_stats_list):
    with torch.no_grad():
        for key in list(param_dict.keys()):
            shape = param_dict[key].shape
            if key.startswith("gamma"):
                fresh = torch.ones(shape)
            elif key.startswith("beta"):
                fresh = torch.zeros(shape)
            else:
                fresh = torch.empty(shape).uniform_(-1.0, 1.0)
            param_dict[key] = fresh.to(device).requires_grad_()
    for stats in layers_stats_list:
        size = stats["running_mean"].shape[0]
        stats.update(running_mean=torch.zeros(size, device=device), running_var=torch.ones(size, device=device))
'''

MODEL_IN_PLACE = '''\
def my_nn(input, param_dict, layers_stats_list, train=True):
    h = input.reshape(len(input), 784)
    h = batchnorm(F.relu(h @ param_dict["W0"] + param_dict["b0"]), param_dict["beta0"], param_dict["gamma0"],
                  layers_stats_list[0], train)
    h = batchnorm(F.relu(h @ param_dict["W1"] + param_dict["b1"]), param_dict["beta1"], param_dict["gamma1"],
                  layers_stats_list[1], train)
    return h @ param_dict["W2"] + param_dict["b2"]


def my_zero_grad(param_dict):
    for p in param_dict.values():
        if p.grad is not None:
            p.grad.data.zero_()


def initialize_nn(param_dict, layers_stats_list):
    # overwrite the existing tensors in place (they stay the same leaf tensors)
    with torch.no_grad():
        for name, p in param_dict.items():
            if "beta" in name:
                p.zero_()
            elif "gamma" in name:
                p.fill_(1.0)
            else:
                p.uniform_(-1, 1)
            p.requires_grad_(True)
        for stats in layers_stats_list:
            stats["running_mean"].zero_()
            stats["running_var"].fill_(1.0)
'''

TRAINING = '''\
def train_nn(param_dict, layers_stats_list, train_loader, num_epochs, lr=0.01, record_every=10):
    initialize_nn(param_dict, layers_stats_list)
    optimizer = SGD(param_dict.values(), lr=lr)
    train_track = {
        "loss": [],
        "acc": [],
    }

    for epoch in range(num_epochs):
        total_train = 0
        total_loss = 0
        total_correct = 0
        for i, (data, label) in enumerate(train_loader):
            data = data.to(device, dtype=torch.float32)
            label = label.to(device, dtype=torch.long)

            # forward pass
            output = my_nn(data, param_dict, layers_stats_list, train=True)
            loss = torch.nn.functional.cross_entropy(output, label)

            # backward pass
            my_zero_grad(param_dict)
            loss.backward()
            optimizer.step()

            m_batch = data.shape[0]
            total_train += m_batch
            total_loss += loss.item() * m_batch
            total_correct += (output.argmax(dim=1) == label).sum().item()

            if i % record_every == 0:
                train_loss = total_loss / total_train
                train_acc = total_correct / total_train
                train_track["loss"].append(train_loss)
                train_track["acc"].append(train_acc)
                print(f"Epoch: {epoch+1}/{num_epochs}, Step: {i+1}/{len(train_loader)}, "
                      f"Loss: {train_loss:.4f}, Acc: {train_acc:.4f}")
    return train_track
'''

EVALUATION = '''\
def evaluation(my_nn, param_dict, layers_stats_list, test_loader, device):
    total_test = 0
    total_correct = 0
    with torch.no_grad():
        for i, (data, label) in enumerate(test_loader):
            data = data.to(device, dtype=torch.float32)
            label = label.to(device, dtype=torch.long)
            output = my_nn(data, param_dict, layers_stats_list, train=False)
            total_correct += (output.argmax(dim=1) == label).sum().item()
            total_test += data.shape[0]
    return total_correct / total_test
'''

MODULE = '''\
class myBatchnorm(nn.Module):
    def __init__(self, num_features, epsilon=1e-3, momentum=.1):
        super(myBatchnorm, self).__init__()
        self.epsilon = epsilon
        self.m = momentum
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.gamma = nn.Parameter(torch.ones(num_features, requires_grad=True))
        self.beta = nn.Parameter(torch.zeros(num_features, requires_grad=True))

    def forward(self, x):
        mean = self.running_mean
        var = self.running_var
        if self.training:
            batch_mean = x.mean(dim=0)
            batch_var = x.var(dim=0)
            self.running_mean = self.m * batch_mean + (1 - self.m) * mean
            self.running_var = self.m * batch_var + (1 - self.m) * var
            x = (x - batch_mean) / torch.sqrt(batch_var + self.epsilon)
            return self.gamma * x + self.beta
        x = (x - mean) / torch.sqrt(var + self.epsilon)
        return self.gamma * x + self.beta
'''

MODULE_TRAINING = '''\
class Model(nn.Module):
    def __init__(self, h1_siz, h2_siz):
        super(Model, self).__init__()
        self.linear1 = nn.Linear(28 * 28, h1_siz)
        self.linear2 = nn.Linear(h1_siz, h2_siz)
        self.linear3 = nn.Linear(h2_siz, 10)
        self.bn1 = myBatchnorm(h1_siz)
        self.bn2 = myBatchnorm(h2_siz)
        self.init_weights()

    def init_weights(self):
        self.linear1.weight.data.uniform_(-1, 1)
        self.linear1.bias.data.uniform_(-1, 1)
        self.linear2.weight.data.uniform_(-1, 1)
        self.linear2.bias.data.uniform_(-1, 1)
        self.linear3.weight.data.uniform_(-1, 1)
        self.linear3.bias.data.uniform_(-1, 1)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        x = self.linear1(x)
        x = self.bn1(x)
        x = self.linear2(F.relu(x))
        x = self.bn2(x)
        x = F.relu(x)
        return self.linear3(x)


def train(model, optimizer, train_loader, history_frequency=50):
    minibatch_losses = []
    minibatch_accuracies = []
    model.train()
    total_train = 0
    total_correct = 0
    total_loss = 0
    for i, (data, label) in enumerate(train_loader):
        data = data.to(device, dtype=torch.float32)
        label = label.to(device, dtype=torch.long)
        output = model(data)
        loss = torch.nn.functional.cross_entropy(output, label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        m_batch = data.shape[0]
        total_train += m_batch
        total_loss += loss.item() * m_batch
        total_correct += (output.argmax(dim=1) == label).sum().item()
        if i % history_frequency == 0:
            minibatch_losses.append(total_loss / total_train)
            minibatch_accuracies.append(total_correct / total_train)
            total_train = 0
            total_correct = 0
            total_loss = 0
    return minibatch_losses, minibatch_accuracies


def test(model, test_loader):
    accuracy = 0
    loss = 0
    model.eval()
    total_correct = 0
    total_test = 0
    with torch.no_grad():
        for i, (data, label) in enumerate(test_loader):
            data = data.to(device, dtype=torch.float32)
            label = label.to(device, dtype=torch.long)
            output = model(data)
            loss += torch.nn.functional.cross_entropy(output, label, reduction="sum").item()
            total_correct += (output.argmax(dim=1) == label).sum().item()
            total_test += data.shape[0]
    accuracy = total_correct / total_test
    loss = loss / total_test
    return (loss, accuracy)
'''

ALTERNATIVES = [
    Alternative("handout-style batchnorm: local running statistics written back into the dict, not detached",
                "Q1_solution", source=BATCHNORM),
    Alternative("handout-style batchnorm: unbiased=True, ** 0.5, a loop over the two statistics", "Q1_solution",
                source=BATCHNORM_UNBIASED_TRUE),
    Alternative("handout-style model: layers written out with view and relu_, two loops in initialize_nn",
                "Q2_solution", source=MODEL),
    Alternative("handout-style model: a loop over layers by index, clamp, grads set to None", "Q2_solution",
                source=MODEL_LOOP),
    Alternative("handout-style model: initialize_nn overwriting the tensors in place under no_grad", "Q2_solution",
                source=MODEL_IN_PLACE),
    Alternative("handout-style training loop with my_zero_grad and a print at every record", "Q3_solution",
                source=TRAINING),
    Alternative("handout-style evaluation over enumerate(test_loader)", "Q4_solution", source=EVALUATION),
    Alternative("handout-style myBatchnorm with attached running statistics", "Q5_solution", source=MODULE),
    Alternative("handout-style Model with .data init, train and test with enumerate", "Q6_solution",
                source=MODULE_TRAINING),
]
