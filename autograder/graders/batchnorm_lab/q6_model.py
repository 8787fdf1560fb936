"""Q6: Model (layers, init_weights, BN before ReLU), train and test; myBatchnorm is the master's.

The tests do not depend on the names of the linear layers: weights are set by each tensor's role (the last part
of its state_dict name) and shape, with hidden sizes that make every shape of a role unique. train and test
are judged on a small network built here from torch's layers and the reference myBatchnorm, not on the
submission's Model, so that a defect of Model costs points once.
"""
from __future__ import annotations

import zlib
from collections import Counter

import numpy as np

from autograder.graders.batchnorm_lab.common import hidden_digits, loader
from autograder.graders.batchnorm_lab import HIDDEN_DRAW
from autograder.kit import Given, Kit, graded, matches_reference
from autograder.sandbox import Remote, Session

H1, H2 = 13, 6
EXPECTED = Counter({("weight", (H1, 784)): 1, ("weight", (H2, H1)): 1, ("weight", (10, H2)): 1, ("bias", (H1,)): 1,
                    ("bias", (H2,)): 1, ("bias", (10,)): 1, **{(role, (size,)): 1 for size in (H1, H2)
                                                              for role in ("gamma", "beta", "running_mean",
                                                                           "running_var")}})


def _role(key: str) -> str:
    return key.rpartition(".")[2]


def set_weights(model: Remote, seed: int, dtype=np.float64) -> None:
    """Overwrite every tensor of the model's state_dict with values that depend only on its role and shape."""
    state = model.call("state_dict")
    new = {}
    for key, value in state.items():
        role, shape = _role(key), np.asarray(value).shape
        rng = np.random.default_rng([seed, zlib.crc32(f"{role} {shape}".encode())])
        if role == "running_var":
            array = 0.5 + rng.random(shape)
        elif role == "gamma":
            array = 1 + 0.3 * rng.standard_normal(shape)
        elif role == "weight":
            array = 2 * rng.standard_normal(shape) / np.sqrt(shape[1])
        else:
            array = 0.3 * rng.standard_normal(shape)
        new[key] = array.astype(dtype)
    model.call("load_state_dict", new)


def _model(s: Session, seed: int, dtype=np.float64) -> Remote:
    s.seed(seed)
    model = s.new("Model", H1, H2)
    if dtype == np.float64:
        model.call("double")
    set_weights(model, seed + 1, dtype)
    return model


def forward_modes(s: Session) -> dict:
    """linear, batch norm, then ReLU in each hidden layer: training-mode scores and buffers, then eval-mode scores."""
    model = _model(s, 6101)
    model.call("train")
    x = np.random.default_rng(6102).random((9, 1, 28, 28))
    out = {"training-mode scores": model.call("forward", x)}
    state = model.call("state_dict")
    out["buffers after a training batch"] = sorted(np.asarray(v).sum() for k, v in state.items()
                                                   if _role(k) in ("running_mean", "running_var"))
    model.call("eval")
    out["evaluation-mode scores"] = model.call("forward", np.random.default_rng(6103).random((4, 1, 28, 28)))
    return out


def _digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    draw = hidden_digits(HIDDEN_DRAW + 300)
    return draw["X_train"][:n], draw["y_train"][:n]


def small_net(s: Session, seed: int) -> Remote:
    """A network that is not the submission's Model (so that train and test are judged on their own): flatten,
    linear 784 -> 11, the reference myBatchnorm(11), ReLU, linear 11 -> 10, with weights set by role and shape."""
    nn = s.get("nn")
    s.seed(seed)
    net = nn.call_kept("Sequential", nn.call_kept("Flatten"), nn.call_kept("Linear", 784, 11),
                       s.call_kept("myBatchnorm", 11), nn.call_kept("ReLU"), nn.call_kept("Linear", 11, 10))
    set_weights(net, seed + 1, np.float32)
    return net


def train_records(s: Session) -> dict:
    """one epoch of train: the records averaged since the last one, and where the model ends (eval-mode scores)."""
    model = small_net(s, 6201)
    X, y = _digits(96)
    optimizer = s.get("torch").get("optim").call_kept("SGD", model.call_kept("parameters"), lr=0.05)
    model.call("eval")  # train must switch the model to training mode itself
    s.seed(6202)
    result = s.call("train", model, optimizer, loader(s, X, y, 16, True), history_frequency=2)
    model.call("eval")
    out = {"scores after one epoch of train": model.call("forward", X[:20])}
    if isinstance(result, (tuple, list)) and len(result) == 2:
        out["minibatch_losses"], out["minibatch_accuracies"] = list(result[0]), list(result[1])
    else:
        out["train's result"] = result
    return out


def values_of_test(s: Session) -> dict:
    """test returns (mean loss, accuracy) over every image, in evaluation mode, whatever mode the model was in."""
    model = small_net(s, 6301)
    model.call("train")
    X, y = _digits(70)
    result = s.call("test", model, loader(s, X, y, 32, False))
    return {"test's (loss, accuracy)": list(result) if isinstance(result, (tuple, list)) else result,
            "model.training after test": bool(model.get("training"))}


@graded("Q6_model", 0.5)
def test_Q6_layers_and_init_weights(kit: Kit) -> None:
    """Model(h1_siz, h2_siz) holds three linear layers and two myBatchnorm of the sizes asked; init_weights draws U(-1, 1)."""
    s = kit.session
    s.seed(6001)
    model = s.new("Model", H1, H2)
    state = model.call("state_dict")
    kit.expect(isinstance(state, dict), "state_dict() should return a dict")
    shapes = {key: kit.array(value, None, "a parameter or buffer").shape for key, value in state.items()}
    got = Counter((_role(key), shape) for key, shape in shapes.items())
    for (role, shape), count in sorted(EXPECTED.items()):
        kit.expect(got[role, shape] == count, "expected {count} {role} of shape {shape}, found another number",
                   count=Given(count), role=role, shape=Given(shape), detail=f"found {got[role, shape]}")
    kit.expect(sum((got - EXPECTED).values()) == 0, "Model holds parameters or buffers that the task does not ask for")
    kit.expect(len(model.find("myBatchnorm")) == 2, "Model should hold two myBatchnorm layers")
    for role in ("weight", "bias"):  # U(-1, 1) has standard deviation 0.58; nn.Linear's default init far less
        values = np.concatenate([kit.array(value, None, key).ravel() for key, value in state.items()
                                 if _role(key) == role])
        kit.expect(values.min() >= -1 and values.max() <= 1 and values.std() > 0.4,
                   "init_weights should draw every linear {role} uniformly from [-1, 1]", role=role)


test_Q6_forward_matches_reference = matches_reference("Q6_model", 0.5, forward_modes, rtol=1e-8)


test_Q6_train_matches_reference = matches_reference("Q6_model", 0.25, train_records, rtol=1e-4, atol=1e-5)


test_Q6_test_matches_reference = matches_reference("Q6_model", 0.25, values_of_test, rtol=1e-5)
