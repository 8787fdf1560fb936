"""Helpers the fc_and_cnn graders share: hidden inputs and draws of the data, parameter and weight setters,
the model gradient check, and the CNN's probes and layer table.

The CNN helpers do not depend on the names a submission gives its layers (only Q11's attribute-name test
does): weights are set by each tensor's role and shape, and layer shapes are compared by role and shape.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from autograder.graders.fc_and_cnn import HIDDEN_DRAW, TRAIN_IMAGES
from autograder.kit import Kit, set_module_weights
from autograder.sandbox import Remote, Session
from course_utils.data import synthetic_gaze


def standardized(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What the notebook's given_data cell does: subtract the mean training image, divide by the pixels' std."""
    mean_image, pixel_std = data["X_train"].mean(axis=0), data["X_train"].std()
    return {key: ((value - mean_image) / pixel_std).astype(np.float32) if key.startswith("X_") else value
            for key, value in data.items()}


@lru_cache(maxsize=1)
def hidden_gaze(seed: int = HIDDEN_DRAW) -> dict[str, np.ndarray]:
    """A standardized draw of the gaze stand-in that the release never shows (``TRAIN_IMAGES`` training images)."""
    return standardized(synthetic_gaze(num_train=TRAIN_IMAGES, num_val=1000, num_test=10, seed=seed))


FC_CASES = [(1101, 4, (3, 5, 2), 7), (1102, 1, (10,), 3), (1103, 6, (2, 2, 3, 2), 5)]


def set_params(model: Remote, params: dict[str, np.ndarray]) -> None:
    model.set("params", dict(params))


def model_gradient_check(kit: Kit, model: Remote, params: dict[str, np.ndarray], X: np.ndarray,
                          y: np.ndarray, rtol: float = 1e-6) -> None:
    """Every gradient of ``loss(X, y)`` against finite differences of the model's own loss, once its scores are
    seen to depend on the parameters."""
    kit.require_computed_scores(model, params, X)
    result = model.call("loss", X, y)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "loss(X, y) should return (loss, grads)")
    grads = result[1]
    kit.expect(isinstance(grads, dict) and set(grads) == set(params), "grads should have one entry per parameter")

    def loss(**values: np.ndarray) -> float:
        set_params(model, values)
        return kit.number(model.call("loss", X, y)[0], "loss")

    kit.gradients(loss, params, np.ones(()), {name: grads[name] for name in sorted(params)}, rtol=rtol)


def training_data(seed: int, num_train: int | None = None) -> dict[str, np.ndarray]:
    """A hidden draw with the six arrays of the notebook's ``data``, the training split cut to ``num_train``
    images (the test split is a token one: the graders never score on it)."""
    draw = hidden_gaze(seed)
    return {**draw, "X_train": draw["X_train"][:num_train], "y_train": draw["y_train"][:num_train]}


def as_numpy(s: Session, arrays: dict[str, object]) -> dict[str, Remote]:
    """``arrays`` as numpy arrays kept in the child, for a test whose arrays arrive as torch tensors: the
    release passes numpy arrays to these functions (``torch.from_numpy`` must work on them)."""
    numpy = s.get("np")
    return {key: numpy.call_kept("asarray", value) for key, value in arrays.items()}


def trained_val_accuracy(kit: Kit, solver: object, cls: str, seed: int) -> float:
    kit.expect(isinstance(solver, Remote) and solver.isinstance("Solver"), "the function should return the Solver")
    model = solver.get("model")
    kit.expect(isinstance(model, Remote) and model.isinstance(cls), "solver.model should be a {cls}", cls=cls)
    draw = hidden_gaze(seed)
    return kit.accuracy(model.call("loss", draw["X_val"]), draw["y_val"], "the validation scores")


def images(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).random((n, 1, 36, 120), dtype=np.float32)


def state_shapes(kit: Kit, cls: str) -> dict[str, tuple[int, ...]]:
    """The shape of every parameter and buffer of a new ``cls``, by name."""
    return kit.module_shapes(kit.session.new(cls))


def expect_layer_shapes(kit: Kit, cls: str, expected: dict[str, tuple[int, ...]]) -> None:
    """A new ``cls`` has the parameters and buffers of ``expected`` by role and shape, and nothing else."""
    kit.expect_module_shapes(kit.session.new(cls), expected)


def cnn_forward(s: Session, cls: str = "CNNWithoutBatchNorm") -> dict:
    s.seed(11101)
    model = s.new(cls)
    set_module_weights(model, 11102)
    model.call("eval")
    return {f"{cls} scores (eval mode)": model.call("forward", images(11103, 3)),
            f"{cls} scores for one image": model.call("forward", images(11104, 1))}


def cnn_bn_training(s: Session) -> dict:
    s.seed(13101)
    model = s.new("CNNWithBatchNorm")
    set_module_weights(model, 13102)
    model.call("train")
    out = {"training-mode scores": model.call("forward", images(13103, 6))}
    state = model.call("state_dict")
    for key in ("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"):
        out[f"{key} after one training batch"] = state.get(key) if isinstance(state, dict) else None
    return out


def cnn_bn_eval(s: Session) -> dict:
    return cnn_forward(s, "CNNWithBatchNorm")


CNN_SHAPES = {"conv1.weight": (6, 1, 3, 3), "conv1.bias": (6,), "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
              "fc1.weight": (256, 2592), "fc1.bias": (256,), "fc2.weight": (4, 256), "fc2.bias": (4,)}
BN_SHAPES = {**CNN_SHAPES, **{f"bn{i}.{name}": (channels,) for i, channels in ((1, 6), (2, 16))
                              for name in ("weight", "bias", "running_mean", "running_var")},
             "bn1.num_batches_tracked": (), "bn2.num_batches_tracked": ()}
