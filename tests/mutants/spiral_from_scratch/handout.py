"""Correct answer cells written to the handout's task, not to the master's design (see autograder/check/mutants.py).

Each entry replaces a whole answer cell of the master with code a good student writes from the handout and the
release's stubs, docstrings and visible checks: the contracts the release states (names, signatures, attributes,
the ``norm_layer`` class attribute, ``MLP_BN`` a subclass of ``MLP``, shuffling with one ``default_rng(seed)``)
are kept, every other choice is the student's own: the handout's formulas written out literally, named layer
attributes instead of a list, boolean masks, one-hot matrices, asserts on the input shape, a training loop that
prints with ``epoch % print_every`` and expects the history's keys to exist. Every one must keep every point.
"""
from autograder.check.mutants import Alternative

INSTANCE_NORM = '''class InstanceNorm1D:
    """Per-sample normalization over the feature axis, with a per-feature scale and shift.

    forward(z): z (B, D) -> a (B, D); backward(da): da (B, D) -> dz (B, D),
    and sets self.dgamma (D,) and self.dbeta (D,).
    """

    def __init__(self, D, eps=1e-5, device=None, dtype=torch.float32):
        self.D = D
        self.eps = eps
        self.gamma = torch.ones(D, device=device, dtype=dtype)
        self.beta = torch.zeros(D, device=device, dtype=dtype)
        self.dgamma = torch.zeros_like(self.gamma)
        self.dbeta = torch.zeros_like(self.beta)
        self.cache = None

    def forward(self, z):
        assert z.dim() == 2 and z.shape[1] == self.D, "InstanceNorm1D expects a (B, D) input"
        mu = z.mean(dim=1, keepdim=True)
        var = z.var(dim=1, unbiased=False, keepdim=True)
        invstd = 1.0 / torch.sqrt(var + self.eps)
        z_hat = (z - mu) * invstd
        self.cache = (z_hat, invstd)
        return self.gamma * z_hat + self.beta

    def backward(self, da):
        z_hat, invstd = self.cache
        D = z_hat.shape[1]
        self.dbeta = da.sum(dim=0)
        self.dgamma = (da * z_hat).sum(dim=0)
        d_zhat = da * self.gamma
        sum_d = d_zhat.sum(dim=1, keepdim=True)
        sum_dz = (d_zhat * z_hat).sum(dim=1, keepdim=True)
        return (invstd / D) * (D * d_zhat - sum_d - z_hat * sum_dz)
'''

DROPOUT = '''class Dropout:
    """Inverted dropout; p is the probability of dropping a unit.

    forward(z): z (B, D) -> a (B, D); backward(da): da (B, D) -> dz (B, D).
    """

    def __init__(self, p=0.5):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p
        self.training = True
        self.mask = None

    def train(self):
        self.training = True

    def eval(self):
        self.training = False

    def forward(self, z):
        if not self.training or self.p == 0:
            self.mask = None
            return z
        self.mask = torch.rand(z.shape, device=z.device) >= self.p
        return z * self.mask / (1.0 - self.p)

    def backward(self, da):
        if self.mask is None:
            return da
        return da * self.mask / (1.0 - self.p)
'''

DROPOUT_BERNOULLI = '''class Dropout:
    """Inverted dropout; p is the probability of dropping a unit.

    forward(z): z (B, D) -> a (B, D); backward(da): da (B, D) -> dz (B, D).
    """

    def __init__(self, p=0.5):
        assert 0 <= p < 1, "p must be in [0, 1)"
        self.p = p
        self.mode = "train"
        self.scale = None

    def train(self):
        self.mode = "train"
        return self

    def eval(self):
        self.mode = "eval"
        return self

    def forward(self, z):
        if self.mode == "eval":
            self.scale = None
            return z.clone()
        keep = 1 - self.p
        self.scale = torch.bernoulli(torch.full_like(z, keep)) / keep
        return z * self.scale

    def backward(self, da):
        return da.clone() if self.scale is None else da * self.scale
'''

DROPOUT_OWN_GENERATOR = '''class Dropout:
    """Inverted dropout; p is the probability of dropping a unit.

    forward(z): z (B, D) -> a (B, D); backward(da): da (B, D) -> dz (B, D).
    """

    def __init__(self, p=0.5):
        if p < 0 or p >= 1:
            raise ValueError("p must satisfy 0 <= p < 1")
        self.p = p
        self.is_training = True
        self.rng = np.random.default_rng()
        self.mask = None

    def train(self):
        self.is_training = True

    def eval(self):
        self.is_training = False

    def forward(self, z):
        if self.is_training and self.p > 0:
            keep = torch.from_numpy(self.rng.random(tuple(z.shape)) >= self.p)
            self.mask = keep.to(dtype=z.dtype, device=z.device) / (1 - self.p)
        else:
            self.mask = torch.ones_like(z)
        return z * self.mask

    def backward(self, da):
        return da * self.mask
'''

CROSS_ENTROPY = '''class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(z) against integer labels.

    forward(z, y): z (B, C) logits, y (B,) int64 -> scalar loss; backward() -> dz (B, C).
    """

    def __init__(self):
        self.y_hat = None
        self.onehot = None

    def forward(self, z, y):
        B, C = z.shape
        shifted = z - z.max(dim=1, keepdim=True).values
        exps = torch.exp(shifted)
        sums = exps.sum(dim=1, keepdim=True)
        self.y_hat = exps / sums
        self.onehot = torch.nn.functional.one_hot(y, num_classes=C).to(z.dtype)
        log_y_hat = shifted - torch.log(sums)
        return -(self.onehot * log_y_hat).sum() / B

    def backward(self):
        assert self.y_hat is not None, "call forward first"
        return (self.y_hat - self.onehot) / self.y_hat.shape[0]
'''

CROSS_ENTROPY_GATHER = '''class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(z) against integer labels.

    forward(z, y): z (B, C) logits, y (B,) int64 -> scalar loss; backward() -> dz (B, C).
    """

    def __init__(self):
        self.z = None
        self.y = None

    def forward(self, z, y):
        self.z, self.y = z, y
        picked = z.gather(1, y.view(-1, 1)).squeeze(1)
        return (torch.logsumexp(z, dim=1) - picked).mean()

    def backward(self):
        B = self.z.shape[0]
        dz = torch.softmax(self.z, dim=1)
        dz[torch.arange(B), self.y] -= 1
        return dz / B
'''

TANH = '''class Tanh:
    """Elementwise tanh. forward(z): z (B, D) -> a (B, D); backward(da): da (B, D) -> dz (B, D)."""

    def __init__(self):
        self.a = None

    def forward(self, z):
        assert z.dim() == 2, "Tanh expects a (B, D) input"
        self.a = torch.tanh(z)
        return self.a

    def backward(self, da):
        if self.a is None:
            raise RuntimeError("Tanh.backward called before forward")
        return da * (1 - self.a ** 2)
'''

TANH_PLAIN = '''class Tanh:
    """Elementwise tanh. forward(z): z (B, D) -> a (B, D); backward(da): da (B, D) -> dz (B, D)."""

    def __init__(self):
        self.out = None

    def forward(self, z):
        self.out = z.tanh()
        return self.out

    def backward(self, da):
        assert self.out is not None, "forward must be called before backward"
        return da * (1.0 - self.out * self.out)
'''

MLP_AND_LOOP = '''class MLP:
    """Two hidden layers of [Linear -> norm_layer -> Tanh -> Dropout], then a Linear to the logits.

    forward(x): x (B, in_dim) -> logits (B, out_dim); backward(dlogits): (B, out_dim) -> dx (B, in_dim).
    """

    norm_layer = InstanceNorm1D

    def __init__(self, in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2, device=None, dtype=torch.float32):
        self.fc1 = Linear(in_dim, hidden_dim, device=device, dtype=dtype)
        self.norm1 = self.norm_layer(hidden_dim, device=device, dtype=dtype)
        self.act1 = Tanh()
        self.drop1 = Dropout(p_drop)
        self.fc2 = Linear(hidden_dim, hidden_dim, device=device, dtype=dtype)
        self.norm2 = self.norm_layer(hidden_dim, device=device, dtype=dtype)
        self.act2 = Tanh()
        self.drop2 = Dropout(p_drop)
        self.fc3 = Linear(hidden_dim, out_dim, device=device, dtype=dtype)
        self.sequence = [self.fc1, self.norm1, self.act1, self.drop1,
                         self.fc2, self.norm2, self.act2, self.drop2, self.fc3]

    def train(self):
        for layer in self.sequence:
            if hasattr(layer, "train"):
                layer.train()

    def eval(self):
        for layer in self.sequence:
            if hasattr(layer, "eval"):
                layer.eval()

    def forward(self, x):
        for layer in self.sequence:
            x = layer.forward(x)
        return x

    def backward(self, dlogits):
        grad = dlogits
        for layer in reversed(self.sequence):
            grad = layer.backward(grad)
        return grad

    def zero_grad(self):
        for fc in (self.fc1, self.fc2, self.fc3):
            fc.zero_grad()
        for norm in (self.norm1, self.norm2):
            norm.dgamma = torch.zeros_like(norm.gamma)
            norm.dbeta = torch.zeros_like(norm.beta)

    def step(self, lr):
        for fc in (self.fc1, self.fc2, self.fc3):
            fc.step(lr)
        for norm in (self.norm1, self.norm2):
            norm.gamma -= lr * norm.dgamma
            norm.beta -= lr * norm.dbeta


def train_model(model, loss_fn, Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, epochs=2000, batch_size=64, seed=0,
                print_every=200, history=None):
    """Minibatch gradient descent; returns (final_train_acc, final_val_acc) measured in eval mode."""
    rng = np.random.default_rng(seed)
    n = len(Xtr_t)
    for epoch in range(1, epochs + 1):
        model.train()
        perm = torch.as_tensor(rng.permutation(n))
        total_loss, total_acc, n_batches = 0.0, 0.0, 0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = Xtr_t[idx], ytr_t[idx]
            model.zero_grad()
            logits = model.forward(xb)
            loss = loss_fn.forward(logits, yb)
            model.backward(loss_fn.backward())
            model.step(lr)
            total_loss += loss.item()
            total_acc += accuracy_from_logits(logits, yb)
            n_batches += 1
        model.eval()
        val_acc = accuracy_from_logits(model.forward(Xva_t), yva_t)
        if history is not None:
            history["loss"].append(total_loss / n_batches)
            history["train_acc"].append(total_acc / n_batches)
            history["val_acc"].append(val_acc)
        if epoch == 1 or epoch % print_every == 0:
            print(f"epoch {epoch}: loss {total_loss / n_batches:.4f}, train acc {total_acc / n_batches:.3f}, "
                  f"val acc {val_acc:.3f}")
    model.eval()
    final_train_acc = accuracy_from_logits(model.forward(Xtr_t), ytr_t)
    final_val_acc = accuracy_from_logits(model.forward(Xva_t), yva_t)
    return final_train_acc, final_val_acc
'''

MLP_BLOCKS_AND_SPLIT_LOOP = '''class MLP:
    """Two hidden layers of [Linear -> norm_layer -> Tanh -> Dropout], then a Linear to the logits.

    forward(x): x (B, in_dim) -> logits (B, out_dim); backward(dlogits): (B, out_dim) -> dx (B, in_dim).
    """

    norm_layer = InstanceNorm1D

    def __init__(self, in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2, device=None, dtype=torch.float32):
        self.blocks = []
        for fan_in in (in_dim, hidden_dim):
            self.blocks.append({"linear": Linear(fan_in, hidden_dim, device=device, dtype=dtype),
                                "norm": self.norm_layer(hidden_dim, device=device, dtype=dtype),
                                "tanh": Tanh(),
                                "dropout": Dropout(p=p_drop)})
        self.head = Linear(hidden_dim, out_dim, device=device, dtype=dtype)

    def _set_mode(self, training):
        for block in self.blocks:
            for layer in (block["norm"], block["dropout"]):
                switch = getattr(layer, "train" if training else "eval", None)
                if switch is not None:
                    switch()

    def train(self):
        self._set_mode(True)

    def eval(self):
        self._set_mode(False)

    def forward(self, x):
        h = x
        for block in self.blocks:
            h = block["linear"].forward(h)
            h = block["norm"].forward(h)
            h = block["tanh"].forward(h)
            h = block["dropout"].forward(h)
        return self.head.forward(h)

    def backward(self, dlogits):
        g = self.head.backward(dlogits)
        for block in self.blocks[::-1]:
            g = block["dropout"].backward(g)
            g = block["tanh"].backward(g)
            g = block["norm"].backward(g)
            g = block["linear"].backward(g)
        return g

    def zero_grad(self):
        self.head.zero_grad()
        for block in self.blocks:
            block["linear"].zero_grad()
            norm = block["norm"]
            norm.dgamma = torch.zeros_like(norm.dgamma)
            norm.dbeta = torch.zeros_like(norm.dbeta)

    def step(self, lr):
        self.head.step(lr)
        for block in self.blocks:
            block["linear"].step(lr)
            norm = block["norm"]
            norm.gamma = norm.gamma - lr * norm.dgamma
            norm.beta = norm.beta - lr * norm.dbeta


def train_model(model, loss_fn, Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, epochs=2000, batch_size=64, seed=0,
                print_every=200, history=None):
    """Minibatch gradient descent; returns (final_train_acc, final_val_acc) measured in eval mode."""
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        model.train()
        order = torch.from_numpy(rng.permutation(len(Xtr_t)))
        batch_losses, batch_accs = [], []
        for idx in torch.split(order, batch_size):
            model.zero_grad()
            scores = model.forward(Xtr_t[idx])
            batch_losses.append(float(loss_fn.forward(scores, ytr_t[idx])))
            model.backward(loss_fn.backward())
            model.step(lr)
            batch_accs.append(accuracy_from_logits(scores, ytr_t[idx]))
        model.eval()
        val_acc = accuracy_from_logits(model.forward(Xva_t), yva_t)
        if history is not None:
            for key, value in (("loss", np.mean(batch_losses)), ("train_acc", np.mean(batch_accs)),
                               ("val_acc", val_acc)):
                history.setdefault(key, []).append(float(value))
        if (epoch + 1) % print_every == 0 or epoch == 0:
            print(f"[{epoch + 1}/{epochs}] loss={np.mean(batch_losses):.4f} val_acc={val_acc:.3f}")
    model.eval()
    return (accuracy_from_logits(model.forward(Xtr_t), ytr_t), accuracy_from_logits(model.forward(Xva_t), yva_t))
'''

MLP_HEAD_FIRST = '''class MLP:
    """Two hidden layers of [Linear -> norm_layer -> Tanh -> Dropout], then a Linear to the logits.

    forward(x): x (B, in_dim) -> logits (B, out_dim); backward(dlogits): (B, out_dim) -> dx (B, in_dim).
    """

    norm_layer = InstanceNorm1D

    def __init__(self, in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2, device=None, dtype=torch.float32):
        kw = dict(device=device, dtype=dtype)
        self.out_layer = Linear(hidden_dim, out_dim, **kw)
        self.linears = [Linear(in_dim, hidden_dim, **kw), Linear(hidden_dim, hidden_dim, **kw)]
        self.norms = [self.norm_layer(hidden_dim, **kw) for _ in range(2)]
        self.tanhs = [Tanh(), Tanh()]
        self.dropouts = [Dropout(p_drop), Dropout(p_drop)]

    def train(self):
        for d in self.dropouts:
            d.train()
        for n in self.norms:
            if hasattr(n, "train"):
                n.train()

    def eval(self):
        for d in self.dropouts:
            d.eval()
        for n in self.norms:
            if hasattr(n, "eval"):
                n.eval()

    def forward(self, x):
        for i in range(2):
            x = self.dropouts[i].forward(self.tanhs[i].forward(self.norms[i].forward(self.linears[i].forward(x))))
        return self.out_layer.forward(x)

    def backward(self, dlogits):
        d = self.out_layer.backward(dlogits)
        for i in (1, 0):
            d = self.linears[i].backward(self.norms[i].backward(self.tanhs[i].backward(self.dropouts[i].backward(d))))
        return d

    def zero_grad(self):
        for lin in self.linears + [self.out_layer]:
            lin.zero_grad()
        for n in self.norms:
            n.dgamma = torch.zeros_like(n.gamma)
            n.dbeta = torch.zeros_like(n.beta)

    def step(self, lr):
        for lin in self.linears + [self.out_layer]:
            lin.step(lr)
        for n in self.norms:
            n.gamma = n.gamma - lr * n.dgamma
            n.beta = n.beta - lr * n.dbeta


def train_model(model, loss_fn, Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, epochs=2000, batch_size=64, seed=0,
                print_every=200, history=None):
    """Minibatch gradient descent; returns (final_train_acc, final_val_acc) measured in eval mode."""
    rng = np.random.default_rng(seed)
    N = Xtr_t.shape[0]
    for epoch in range(1, epochs + 1):
        model.train()
        idx = rng.permutation(N)
        seen, loss_sum, correct = 0, 0.0, 0.0
        for start in range(0, N, batch_size):
            b = torch.from_numpy(idx[start:start + batch_size])
            model.zero_grad()
            out = model.forward(Xtr_t[b])
            loss = loss_fn.forward(out, ytr_t[b])
            model.backward(loss_fn.backward())
            model.step(lr)
            loss_sum += float(loss) * len(b)
            correct += accuracy_from_logits(out, ytr_t[b]) * len(b)
            seen += len(b)
        model.eval()
        val_acc = accuracy_from_logits(model.forward(Xva_t), yva_t)
        if history is not None:
            history.setdefault("loss", []).append(loss_sum / seen)
            history.setdefault("train_acc", []).append(correct / seen)
            history.setdefault("val_acc", []).append(val_acc)
        if epoch % print_every == 0 or epoch == 1:
            print("epoch", epoch, "loss", round(loss_sum / seen, 4), "val acc", round(val_acc, 3))
    model.eval()
    with torch.no_grad():
        train_acc = accuracy_from_logits(model.forward(Xtr_t), ytr_t)
        val_acc = accuracy_from_logits(model.forward(Xva_t), yva_t)
    return train_acc, val_acc
'''

TRAIN_CELL = '''torch.manual_seed(0)  # the same initial weights every time you run this cell
model = MLP(in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)
history = {"loss": [], "train_acc": [], "val_acc": []}
final_train_acc, final_val_acc = train_model(model, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1,
                                             epochs=2000, batch_size=64, seed=0, print_every=200,
                                             history=history)
print(f"final training accuracy:   {final_train_acc:.3f}")
print(f"final validation accuracy: {final_val_acc:.3f}")
'''

BATCH_NORM = '''class BatchNorm1D:
    """Per-feature normalization over the batch, with running statistics for evaluation.

    forward(x): x (B, D) -> a (B, D); backward(da): da (B, D) -> dx (B, D) (training mode),
    and sets self.dgamma (D,) and self.dbeta (D,).
    """

    def __init__(self, D, eps=1e-5, momentum=0.9, device=None, dtype=torch.float32):
        self.D = D
        self.eps = eps
        self.momentum = momentum
        self.gamma = torch.ones(D, device=device, dtype=dtype)
        self.beta = torch.zeros(D, device=device, dtype=dtype)
        self.dgamma = torch.zeros_like(self.gamma)
        self.dbeta = torch.zeros_like(self.beta)
        self.running_mean = torch.zeros(D, device=device, dtype=dtype)
        self.running_var = torch.ones(D, device=device, dtype=dtype)
        self.training = True
        self.cache = None

    def train(self):
        self.training = True

    def eval(self):
        self.training = False

    def forward(self, x):
        assert x.dim() == 2 and x.shape[1] == self.D, "BatchNorm1D expects a (B, D) input"
        if self.training:
            mu = x.mean(dim=0)
            var = ((x - mu) ** 2).mean(dim=0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
            invstd = 1.0 / torch.sqrt(var + self.eps)
            x_hat = (x - mu) * invstd
            self.cache = (x_hat, invstd)
        else:
            x_hat = (x - self.running_mean) / torch.sqrt(self.running_var + self.eps)
        return self.gamma * x_hat + self.beta

    def backward(self, da):
        x_hat, invstd = self.cache
        B = x_hat.shape[0]
        self.dbeta = da.sum(dim=0)
        self.dgamma = (da * x_hat).sum(dim=0)
        dx_hat = da * self.gamma
        return (invstd / B) * (B * dx_hat - dx_hat.sum(dim=0) - x_hat * (dx_hat * x_hat).sum(dim=0))


class MLP_BN(MLP):
    """The Q5 network with BatchNorm1D in place of InstanceNorm1D."""

    def __init__(self, *args, **kwargs):
        self.norm_layer = BatchNorm1D
        super().__init__(*args, **kwargs)
'''

Q6_COMPARISON = '''runs = {}
for name, model_class in (("in", MLP), ("bn", MLP_BN)):
    torch.manual_seed(0)
    net = model_class(in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)
    hist = {"loss": [], "train_acc": [], "val_acc": []}
    accs = train_model(net, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, epochs=COMPARE_EPOCHS,
                       batch_size=64, seed=0, print_every=500, history=hist)
    runs[name] = (net, hist, accs)
model_in, history_in, (in_train_acc, in_val_acc) = runs["in"]
model_bn, history_bn, (bn_train_acc, bn_val_acc) = runs["bn"]
print(f"InstanceNorm: final train acc {in_train_acc:.3f} | final val acc {in_val_acc:.3f}")
print(f"BatchNorm:    final train acc {bn_train_acc:.3f} | final val acc {bn_val_acc:.3f}")
'''

Q7_COMPARISON = '''torch.manual_seed(0)
model_nodrop = MLP(in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.0)
history_nodrop = {"loss": [], "train_acc": [], "val_acc": []}
nodrop_train_acc, nodrop_val_acc = train_model(model_nodrop, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t,
                                               lr=0.1, epochs=COMPARE_EPOCHS, batch_size=64, seed=0,
                                               history=history_nodrop)

torch.manual_seed(0)
model_drop = MLP(in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)
history_drop = {"loss": [], "train_acc": [], "val_acc": []}
drop_train_acc, drop_val_acc = train_model(model_drop, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t,
                                           lr=0.1, epochs=COMPARE_EPOCHS, batch_size=64, seed=0,
                                           history=history_drop)
print(f"no dropout:  final train acc {nodrop_train_acc:.3f} | final val acc {nodrop_val_acc:.3f}")
print(f"dropout 0.2: final train acc {drop_train_acc:.3f} | final val acc {drop_val_acc:.3f}")
'''

ALTERNATIVES = [
    Alternative("handout-style instance norm: the handout's backward formula, var(unbiased=False), a shape assert",
                "Q1_solution", source=INSTANCE_NORM),
    Alternative("handout-style dropout: a boolean mask from torch.rand, ValueError for p outside [0, 1)",
                "Q2_solution", source=DROPOUT),
    Alternative("handout-style dropout: a pre-scaled mask from torch.bernoulli, a mode string, an assert on p",
                "Q2_solution", source=DROPOUT_BERNOULLI),
    Alternative("handout-style dropout: a generator of its own (np.random.default_rng() in __init__), a ones mask "
                "in eval mode", "Q2_solution", source=DROPOUT_OWN_GENERATOR),
    Alternative("handout-style cross-entropy: max-shift, a one-hot matrix from F.one_hot", "Q3_solution",
                source=CROSS_ENTROPY),
    Alternative("handout-style cross-entropy: logsumexp and gather, torch.softmax of the cached logits in backward",
                "Q3_solution", source=CROSS_ENTROPY_GATHER),
    Alternative("handout-style tanh: torch.tanh with a 2-D input assert", "Q4_solution", source=TANH),
    Alternative("handout-style tanh: z.tanh(), an assert in backward", "Q4_solution", source=TANH_PLAIN),
    Alternative("handout-style MLP with named layer attributes; a loop printing with epoch % print_every and "
                "appending to the history's existing keys", "Q5_solution", source=MLP_AND_LOOP),
    Alternative("handout-style MLP as a list of dict blocks; a loop over torch.split batches", "Q5_solution",
                source=MLP_BLOCKS_AND_SPLIT_LOOP),
    Alternative("handout-style MLP in parallel lists, output layer built first; a loop weighting batches by size, "
                "accuracies under torch.no_grad", "Q5_solution", source=MLP_HEAD_FIRST),
    Alternative("handout-style training cell with a pre-filled history dict", "Q5_train", source=TRAIN_CELL),
    Alternative("handout-style batch norm; MLP_BN setting norm_layer on the instance before MLP.__init__",
                "Q6_solution", source=BATCH_NORM),
    Alternative("handout-style Q6 comparison in a loop over the two classes", "Q6_experiment_code",
                source=Q6_COMPARISON),
    Alternative("handout-style Q7 comparison written out, pre-filled history dicts", "Q7_experiment_code",
                source=Q7_COMPARISON),
]
