"""Hollow answers: code that does none of the work of its cell. Each must score nothing in its question (beyond
the part it does do, named in its description)."""
import runpy
from pathlib import Path

from autograder.check.mutants import Hollow

# the handout-style MLP of the catalogue (a correct one), for the train_model that trains nothing
HANDOUT_MLP = runpy.run_path(str(Path(__file__).with_name("handout.py")))["MLP_AND_LOOP"].split("def train_model")[0]

NORM_INIT = '''\
    def __init__(self, D, eps=1e-5, device=None, dtype=torch.float32):
        self.D = D
        self.eps = eps
        self.gamma = torch.ones(D, device=device, dtype=dtype)
        self.beta = torch.zeros(D, device=device, dtype=dtype)
        self.dgamma = torch.zeros_like(self.gamma)
        self.dbeta = torch.zeros_like(self.beta)
'''

BN_INIT = '''\
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

    def train(self):
        pass

    def eval(self):
        pass
'''

MLP_BN = '''

class MLP_BN(MLP):
    norm_layer = BatchNorm1D
'''

AFFINE_FORWARD_BACKWARD = '''
    def forward(self, z):
        self._z = z
        return self.gamma * z + self.beta

    def backward(self, da):
        self.dgamma = (da * self._z).sum(dim=0)
        self.dbeta = da.sum(dim=0)
        return da * self.gamma
'''

IDENTITY_FORWARD_BACKWARD = '''
    def forward(self, z):
        return z

    def backward(self, da):
        return da
'''

HOLLOW_MLP = '''\
class MLP:
    """The right layers, built with self.norm_layer, but logits that are zeros and a backward that does nothing."""

    norm_layer = InstanceNorm1D

    def __init__(self, in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2, device=None, dtype=torch.float32):
        self.out_dim, self.dtype = out_dim, dtype
        self.layers = [Linear(in_dim, hidden_dim, device=device, dtype=dtype),
                       self.norm_layer(hidden_dim, device=device, dtype=dtype), Tanh(), Dropout(p_drop),
                       Linear(hidden_dim, hidden_dim, device=device, dtype=dtype),
                       self.norm_layer(hidden_dim, device=device, dtype=dtype), Tanh(), Dropout(p_drop),
                       Linear(hidden_dim, out_dim, device=device, dtype=dtype)]

    def train(self):
        pass

    def eval(self):
        pass

    def forward(self, x):
        return torch.zeros(x.shape[0], self.out_dim, dtype=self.dtype)

    def backward(self, dlogits):
        return torch.zeros(dlogits.shape[0], self.layers[0].W.shape[0], dtype=self.dtype)

    def zero_grad(self):
        pass

    def step(self, lr):
        pass


def train_model(model, loss_fn, Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, epochs=2000, batch_size=64, seed=0,
                print_every=200, history=None):
    return 0.5, 0.5
'''

UNTRAINED_TRAIN_MODEL = '''

def train_model(model, loss_fn, Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, epochs=2000, batch_size=64, seed=0,
                print_every=200, history=None):
    """Trains nothing: reports the untrained model's eval-mode accuracies."""
    model.eval()
    return accuracy_from_logits(model.forward(Xtr_t), ytr_t), accuracy_from_logits(model.forward(Xva_t), yva_t)
'''


def _untrained_runs(pairs, settings):
    """A comparison cell that builds its two models as asked but trains neither, with made-up histories and
    accuracies."""
    lines = []
    for name, p_drop, model_class, history, train_acc, val_acc in pairs:
        lines += ["torch.manual_seed(0)",
                  f"{name} = {model_class}(in_dim=2, hidden_dim=64, out_dim=2, p_drop={p_drop})",
                  f"{history} = {{'loss': [0.3] * COMPARE_EPOCHS, 'train_acc': [0.9] * COMPARE_EPOCHS, "
                  f"'val_acc': [0.9] * COMPARE_EPOCHS}}",
                  f"{train_acc}, {val_acc} = 0.9, 0.9"]
    return "\n".join(lines) + "\n" + settings


HOLLOW = [
    Hollow("instance norm that returns its input, and a backward that passes da through", "Q1_solution",
           "class InstanceNorm1D:\n" + NORM_INIT + IDENTITY_FORWARD_BACKWARD),
    Hollow("instance norm that only scales and shifts (no statistics), with its exact gradients", "Q1_solution",
           "class InstanceNorm1D:\n" + NORM_INIT + AFFINE_FORWARD_BACKWARD),
    Hollow("dropout that passes everything through, in every mode", "Q2_solution", '''\
class Dropout:
    def __init__(self, p=0.5):
        self.p = p

    def train(self):
        pass

    def eval(self):
        pass

    def forward(self, z):
        return z

    def backward(self, da):
        return da
'''),
    Hollow("dropout that drops everything, with a backward of zeros", "Q2_solution", '''\
class Dropout:
    def __init__(self, p=0.5):
        self.p = p

    def train(self):
        pass

    def eval(self):
        pass

    def forward(self, z):
        return torch.zeros_like(z)

    def backward(self, da):
        return torch.zeros_like(da)
'''),
    Hollow("a cross-entropy that is the constant log C, with a zero gradient", "Q3_solution", '''\
class SoftmaxCrossEntropy:
    def forward(self, z, y):
        self._shape = z.shape
        return torch.log(torch.tensor(float(z.shape[1]), dtype=z.dtype))

    def backward(self):
        return torch.zeros(self._shape, dtype=torch.float64)
'''),
    Hollow("a loss that is minus the mean logit of the label (no softmax), with its exact gradient", "Q3_solution", '''\
class SoftmaxCrossEntropy:
    def forward(self, z, y):
        self._z, self._y = z, y
        return -z[torch.arange(z.shape[0]), y].mean()

    def backward(self):
        dz = torch.zeros_like(self._z)
        dz[torch.arange(len(self._y)), self._y] = -1.0 / len(self._y)
        return dz
'''),
    Hollow("tanh that returns its input, and a backward that passes da through", "Q4_solution", '''\
class Tanh:
    def forward(self, z):
        return z

    def backward(self, da):
        return da
'''),
    Hollow("tanh as the linear map z / 2, with its exact gradient", "Q4_solution", '''\
class Tanh:
    def forward(self, z):
        return z / 2

    def backward(self, da):
        return da / 2
'''),
    Hollow("an MLP with the right layers built with self.norm_layer (1 point) whose logits are zeros, and a "
           "train_model that trains nothing and makes up its accuracies", "Q5_solution", HOLLOW_MLP, keeps=1),
    Hollow("a correct handout-style MLP (Q5_mlp, 5 points) and a train_model that trains nothing, reporting the "
           "untrained model's accuracies", "Q5_solution", HANDOUT_MLP.rstrip() + "\n" + UNTRAINED_TRAIN_MODEL,
           keeps=5),
    Hollow("batch norm that returns its input and passes da through, with a right MLP_BN (1 point)", "Q6_solution",
           "class BatchNorm1D:\n" + BN_INIT + IDENTITY_FORWARD_BACKWARD + MLP_BN, keeps=1),
    Hollow("batch norm that only scales and shifts (no statistics), with its exact gradients and a right MLP_BN "
           "(1 point)", "Q6_solution", "class BatchNorm1D:\n" + BN_INIT + AFFINE_FORWARD_BACKWARD + MLP_BN, keeps=1),
    Hollow("a Q6 comparison that builds both models but trains neither, with made-up histories and accuracies",
           "Q6_experiment_code", _untrained_runs(
               [("model_in", 0.2, "MLP", "history_in", "in_train_acc", "in_val_acc"),
                ("model_bn", 0.2, "MLP_BN", "history_bn", "bn_train_acc", "bn_val_acc")], "")),
    Hollow("a Q7 comparison that builds both models but trains neither, with made-up histories and accuracies",
           "Q7_experiment_code", _untrained_runs(
               [("model_nodrop", 0.0, "MLP", "history_nodrop", "nodrop_train_acc", "nodrop_val_acc"),
                ("model_drop", 0.2, "MLP", "history_drop", "drop_train_acc", "drop_val_acc")], "")),
]
