"""Q3: ThreeLayerConvNet: initialization, scores, loss and gradients (Q3_model), and training it (Q3_training).

The model tests use float64 networks with parameters set here, on hidden non-square inputs with odd filter sizes
and odd heights. The training tests build the network and the course's Solver in the child exactly as the
notebook's runs do (the settings are the grader's), train on a hidden draw of the stand-in and compute the accuracy
here from the scores the network returns.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.conv_nets import HIDDEN_DRAW, SEEDS
from autograder.graders.conv_nets.common import cifar_draw
from autograder.kit import Calibration, Kit, graded, labels, matches_reference, normal
from autograder.sandbox import DType, Remote, Session

F64 = DType("float64")


def convnet_params(seed: int, c: int, h: int, w: int, filters: int, size: int, hidden: int, classes: int) -> dict:
    flat = filters * (h // 2) * (w // 2)
    return {"W1": normal(seed, filters, c, size, size, scale=0.4), "b1": normal(seed + 1, filters, scale=0.2),
            "W2": normal(seed + 2, flat, hidden, scale=1 / np.sqrt(flat)), "b2": normal(seed + 3, hidden, scale=0.2),
            "W3": normal(seed + 4, hidden, classes, scale=0.5), "b3": normal(seed + 5, classes, scale=0.2)}


# seed, N, (C, H, W), filters, filter size, hidden, classes, reg
MODEL_CASES = [(3101, 2, (3, 8, 10), 4, 3, 6, 5, 0.0), (3102, 3, (2, 7, 6), 3, 5, 4, 3, 0.7)]


def _model(s: Session, case: tuple) -> tuple[Remote, np.ndarray, np.ndarray, str]:
    seed, n, (c, h, w), filters, size, hidden, classes, reg = case
    model = s.new("ThreeLayerConvNet", input_dim=(c, h, w), num_filters=filters, filter_size=size, hidden_dim=hidden,
                  num_classes=classes, reg=reg, dtype=F64)
    model.set("params", convnet_params(seed, c, h, w, filters, size, hidden, classes))
    X, y = normal(seed + 10, n, c, h, w, scale=2), labels(seed + 11, n, classes)
    return model, X, y, f"input {(n, c, h, w)}, {filters} filters of {size}x{size}, reg {reg}"


def convnet_scores_and_loss(s: Session) -> dict:
    """scores and loss match the reference (non-square and odd-sized inputs, 3x3 and 5x5 filters, reg 0 and 0.7)."""
    out = {}
    for case in MODEL_CASES:
        model, X, y, label = _model(s, case)
        out[f"scores for {label}"] = model.call("loss", X)
        result = model.call("loss", X, y)
        out[f"loss for {label}"] = result[0] if isinstance(result, tuple) and len(result) == 2 else None
    return out


def convnet_gradients(s: Session) -> dict:
    """every gradient matches the reference (the same networks)."""
    out = {}
    for case in MODEL_CASES:
        model, X, y, label = _model(s, case)
        result = model.call("loss", X, y)
        out[f"gradients for {label}"] = result[1] if isinstance(result, tuple) and len(result) == 2 else None
    return out


@graded("Q3_model", 1)
def test_Q3_initialization(kit: Kit) -> None:
    """W1, b1, W2, b2, W3, b3 have the right shapes (a non-square input); weights have std weight_scale, biases are
    zero; parameters have the dtype asked for (float32 by default)."""
    s = kit.session
    s.seed(3301)
    model = s.new("ThreeLayerConvNet", input_dim=(3, 12, 10), num_filters=16, filter_size=5, hidden_dim=50,
                  num_classes=10, weight_scale=0.05)
    params = model.get("params")
    shapes = {"W1": (16, 3, 5, 5), "b1": (16,), "W2": (16 * 6 * 5, 50), "b2": (50,), "W3": (50, 10), "b3": (10,)}
    kit.expect(isinstance(params, dict) and set(params) == set(shapes), "params should hold exactly W1, b1, W2, b2, "
                                                                         "W3, b3")
    for name, shape in shapes.items():
        value = kit.array(params[name], shape, name)
        kit.expect(getattr(params[name], "dtype", None) == np.float32, "{name} should be float32 by default",
                   name=name)
        if name.startswith("b"):
            kit.expect(np.all(value == 0), "{name} should start at zero", name=name)
        else:
            std = float(np.std(value))
            kit.expect(abs(std - 0.05) < 0.006, "{name} has std {std:.4f}, expected weight_scale = 0.05", name=name,
                       std=std)
    doubles = s.new("ThreeLayerConvNet", input_dim=(1, 6, 6), num_filters=2, filter_size=3, hidden_dim=4,
                    num_classes=3, dtype=F64).get("params")
    kit.expect(isinstance(doubles, dict) and all(getattr(v, "dtype", None) == np.float64 for v in doubles.values()),
               "with dtype=np.float64 every parameter should be float64")


test_Q3_scores_and_loss_match_reference = matches_reference("Q3_model", 1, convnet_scores_and_loss, rtol=1e-8)
test_Q3_gradients_match_reference = matches_reference("Q3_model", 1, convnet_gradients, rtol=1e-7)


@graded("Q3_model", 1)
def test_Q3_gradients_match_finite_differences(kit: Kit) -> None:
    """every gradient matches finite differences of your own loss, with reg = 0.3."""
    s = kit.session
    c, h, w, filters, size, hidden, classes = 2, 6, 6, 2, 3, 5, 3
    model = s.new("ThreeLayerConvNet", input_dim=(c, h, w), num_filters=filters, filter_size=size,
                  hidden_dim=hidden, num_classes=classes, reg=0.3, dtype=F64)
    params = convnet_params(3201, c, h, w, filters, size, hidden, classes)
    X, y = normal(3210, 2, c, h, w, scale=2), labels(3211, 2, classes)
    kit.require_computed_scores(model, params, X)  # zeros would pass the check against itself for free
    result = model.call("loss", X, y)
    kit.expect(isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict),
               "loss(X, y) should return (loss, grads)")
    grads = result[1]
    kit.expect(set(grads) == set(params), "grads should have one entry per parameter")

    def loss(**values: np.ndarray) -> list[dict]:
        return [model.planned_set("params", values), model.planned_call("loss", X, y)]

    kit.gradients(kit.forward(loss, lambda result: kit.number(result[0], "loss")), params, np.ones(()), {name: grads[name] for name in sorted(params)}, rtol=1e-6)


OVERFIT_IMAGES = 50


def overfit_accuracy(kit: Kit, seed: int) -> float:
    """Training accuracy, on its own 50 images of hidden draw HIDDEN_DRAW + seed (16 x 16 pixels), of a
    ThreeLayerConvNet(num_filters=8, filter_size=3, hidden_dim=50, weight_scale=1e-2) trained 20 epochs with
    Adam (learning rate 1e-3, batches of 25) and validated on the same images (so that Solver keeps the best
    training epoch), the child seeded with seed."""
    s = kit.session
    draw = cifar_draw(HIDDEN_DRAW + seed, OVERFIT_IMAGES, 1)
    images = {"X_train": draw["X_train"], "y_train": draw["y_train"], "X_val": draw["X_train"],
              "y_val": draw["y_train"]}
    s.seed(seed)
    model = s.new("ThreeLayerConvNet", input_dim=(3, 16, 16), num_filters=8, filter_size=3, hidden_dim=50,
                  weight_scale=1e-2)
    solver = s.new("Solver", model, images, num_epochs=20, batch_size=25, update_rule="adam",
                   optim_config={"learning_rate": 1e-3}, verbose=False, progress=False, seed=seed)
    solver.call("train")
    return kit.accuracy(model.call("loss", draw["X_train"]), draw["y_train"], "the training scores")


OVERFIT = Calibration("Q3_training", overfit_accuracy, threshold=0.8, seeds=SEEDS, master_range=(0.94, 1.0),
                      what="training accuracy after overfitting 50 hidden images")


@graded("Q3_training", 1, timeout=60)
def test_Q3_training_overfits_a_small_set(kit: Kit) -> None:
    """trained 20 epochs on 50 hidden images, the network fits them."""
    OVERFIT.require(kit)


EPOCH_IMAGES = 2000


def one_epoch_accuracy(kit: Kit, seed: int) -> float:
    """Validation accuracy, on 500 images of hidden draw HIDDEN_DRAW + seed (16 x 16 pixels), of a
    ThreeLayerConvNet(weight_scale=0.001, hidden_dim=500, reg=0.001) (float32, as by default) trained one epoch on
    2000 images of that draw with Adam (learning rate 1e-3, batches of 50), the child seeded with seed."""
    s = kit.session
    draw = cifar_draw(HIDDEN_DRAW + seed, EPOCH_IMAGES, 500)
    train = {"X_train": draw["X_train"], "y_train": draw["y_train"], "X_val": draw["X_val"][:50],
             "y_val": draw["y_val"][:50]}
    s.seed(seed)
    model = s.new("ThreeLayerConvNet", input_dim=(3, 16, 16), weight_scale=0.001, hidden_dim=500, reg=0.001)
    solver = s.new("Solver", model, train, num_epochs=1, batch_size=50, update_rule="adam",
                   optim_config={"learning_rate": 1e-3}, verbose=False, progress=False, num_train_samples=100,
                   seed=seed)
    solver.call("train")
    return kit.accuracy(model.call("loss", draw["X_val"]), draw["y_val"], "the validation scores")


ONE_EPOCH = Calibration("Q3_training", one_epoch_accuracy, threshold=0.2, seeds=SEEDS, master_range=(0.294, 0.414),
                        what="validation accuracy after one epoch on a hidden draw")


@graded("Q3_training", 1, timeout=60)
def test_Q3_training_one_epoch_beats_chance(kit: Kit) -> None:
    """trained one epoch on a hidden draw, the network (float32 by default) reaches the validation target."""
    ONE_EPOCH.require(kit)
