"""Helpers the batchnorm_lab graders share: hidden inputs and draws, objects built in the child with the
notebook's given helpers, and reading back what the child holds."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from autograder.graders.batchnorm_lab import HIDDEN_DRAW
from autograder.kit import normal
from autograder.sandbox import Remote, Session
from course_utils.data import digits_as_mnist


def stats(s: Session, mean: np.ndarray, var: np.ndarray) -> Remote:
    """A running-statistics dict kept in the child (made by the notebook's ``new_stats``) holding these values."""
    kept = s.call_kept("new_stats", len(mean))
    kept.call("update", {"running_mean": mean, "running_var": var})
    return kept


def hidden_stats(seed: int, f: int) -> tuple[np.ndarray, np.ndarray]:
    """Running statistics that are not the initial 0 and 1: a mean and a positive variance of shape (f,)."""
    return normal(seed, f, scale=0.5), 0.5 + np.random.default_rng(seed + 1).random(f)


def read(kept: Remote) -> dict:
    """The current entries of a dict kept in the child."""
    return kept.call("copy")


PARAM_SHAPES = ("W0", "b0", "beta0", "gamma0", "W1", "b1", "beta1", "gamma1", "W2", "b2")


def param_values(seed: int, h1: int, h2: int, dtype=np.float64) -> dict[str, np.ndarray]:
    """Hidden values for every entry of a ``param_dict`` with hidden sizes ``h1`` and ``h2``."""
    shapes = {"W0": (784, h1), "b0": (h1,), "beta0": (h1,), "gamma0": (h1,), "W1": (h1, h2), "b1": (h2,),
              "beta1": (h2,), "gamma1": (h2,), "W2": (h2, 10), "b2": (10,)}
    values = {}
    for index, (name, shape) in enumerate(shapes.items()):
        value = normal(seed + index, *shape)
        if name.startswith("W"):
            value = value / np.sqrt(shape[0]) * 3
        elif name.startswith("gamma"):
            value = 1 + 0.3 * value
        else:
            value = 0.3 * value
        values[name] = value.astype(dtype)
    return values


def params(s: Session, seed: int, h1: int, h2: int, dtype=np.float64, leaves: bool = False) -> Remote:
    """A ``param_dict`` kept in the child (made by ``new_params``) holding hidden values; with ``leaves``, each a
    leaf tensor that requires grad, as ``new_params`` makes them (else plain tensors)."""
    kept = s.call_kept("new_params", h1, h2)
    kept.call("update", param_values(seed, h1, h2, dtype))
    if leaves:
        for name in PARAM_SHAPES:
            kept.call_kept("__getitem__", name).call("requires_grad_")
    return kept


def images(seed: int, n: int, dtype=np.float64) -> np.ndarray:
    """n image-like inputs (n, 1, 28, 28) with values in [0, 1]."""
    return np.random.default_rng(seed).random((n, 1, 28, 28)).astype(dtype)


@lru_cache(maxsize=4)
def hidden_digits(seed: int = HIDDEN_DRAW) -> dict[str, np.ndarray]:
    """A draw of the digits stand-in that the release never shows: another split, and pixel noise."""
    data = digits_as_mnist(num_test=360, seed=seed)
    rng = np.random.default_rng(seed)
    for split in ("train", "test"):
        noisy = data[f"X_{split}"] + rng.normal(0.0, 0.05, data[f"X_{split}"].shape).astype(np.float32)
        data[f"X_{split}"] = np.clip(noisy, 0.0, 1.0).astype(np.float32)
    return data


def loader(s: Session, X: np.ndarray, y: np.ndarray, batch_size: int, train: bool) -> Remote:
    """A DataLoader kept in the child, made by the notebook's ``make_loader``."""
    return s.call_kept("make_loader", X, y, batch_size, train)
