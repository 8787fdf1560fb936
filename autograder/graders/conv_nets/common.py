"""Helpers the conv_nets graders share: tie-free inputs, result checks, a kept bn_param, the data."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from autograder.kit import Kit
from autograder.sandbox import Remote, Session
from course_utils.data import synthetic_cifar10


def spaced(seed: int, *shape: int) -> np.ndarray:
    """A hidden input without ties: a random arrangement of distinct values 8 / size apart in [-2, 2), so that no
    window's maximum is within a finite-difference step of another entry."""
    size = int(np.prod(shape))
    order = np.random.default_rng(seed).permutation(size)
    return ((order - size / 2) * (4.0 / size)).reshape(shape)


def pair(kit: Kit, value: object, what: str) -> tuple:
    kit.expect(isinstance(value, (tuple, list)) and len(value) == 2, "{what} should return (out, cache)", what=what)
    return tuple(value)


def triple(kit: Kit, value: object, what: str) -> tuple:
    kit.expect(isinstance(value, (tuple, list)) and len(value) == 3, "{what} should return three arrays", what=what)
    return tuple(value)


def bn_param(s: Session, **values: object) -> Remote:
    """A dict that lives in the child, so that the running statistics a forward pass stores there persist."""
    return s.keep(dict(values))


@lru_cache(maxsize=4)
def cifar_draw(seed: int, num_train: int, num_val: int) -> dict[str, np.ndarray]:
    """A hidden draw of the CIFAR-10 stand-in, each image averaged down to 3 x 16 x 16 pixels."""
    draw = synthetic_cifar10(num_train, num_val, 1, seed=seed)
    shrink = {key: draw[key].reshape(len(draw[key]), 3, 16, 2, 16, 2).mean(axis=(3, 5))
              for key in ("X_train", "X_val")}
    return {"X_train": shrink["X_train"], "y_train": draw["y_train"], "X_val": shrink["X_val"], "y_val": draw["y_val"]}
