"""Helpers the spiral graders share: hidden inputs, normalization layers with set parameters, the data."""
from __future__ import annotations

from typing import Callable

import numpy as np

from autograder.graders.spiral_from_scratch import F64
from autograder.kit import Kit, normal
from autograder.sandbox import Remote, Session
from course_utils.spiral import SPIRAL_SETTINGS, generate_spiral, train_val_split


def norm_layer(s: Session, cls: str, seed: int, d: int, **kwargs):
    layer = s.new(cls, d, dtype=F64, **kwargs)
    layer.set("gamma", normal(seed + 1, d))
    layer.set("beta", normal(seed + 2, d))
    return layer


def fd_input(seed: int, b: int, d: int) -> np.ndarray:
    """The input of a layer's finite-difference check."""
    return normal(seed, b, d, scale=2, shift=1)


def layer_gradient_check(kit: Kit, cls: str, seed: int, b: int, d: int) -> None:
    """dz, dgamma and dbeta against finite differences of the layer's own forward, once that forward is seen to
    normalize."""
    s = kit.session
    layer = norm_layer(s, cls, seed, d)
    z, dout = fd_input(seed, b, d), normal(seed + 3, b, d)
    everything_else = np.ones(z.shape, dtype=bool)
    everything_else.flat[0] = False
    kit.require_normalization(lambda value: layer.call("forward", value), z, everything_else, "the layer's forward")
    inputs = {"z": z, "gamma": kit.array(layer.get("gamma"), (d,), "gamma"),
              "beta": kit.array(layer.get("beta"), (d,), "beta")}
    layer.call("forward", z)
    analytic = {"z": layer.call("backward", dout), "gamma": layer.get("dgamma"), "beta": layer.get("dbeta")}

    update = changed_only(layer.set, inputs)

    def forward(z: np.ndarray, **parameters: np.ndarray):
        update(**parameters)
        return layer.call("forward", z)

    kit.gradients(forward, inputs, dout, analytic)


def changed_only(send: Callable[[str, np.ndarray], object], inputs: dict[str, np.ndarray]) -> Callable[..., None]:
    """For the forward of a gradient check on an object in the child: ``update(**values)`` sends (``send(name,
    value)``) only the values that differ from the last ones sent, ``inputs`` at first: one remote call per
    changed parameter rather than per parameter."""
    current = dict(inputs)

    def update(**values: np.ndarray) -> None:
        for name, value in values.items():
            if value is not current[name]:
                send(name, value)
                current[name] = value

    return update


def is_subclass(s: Session, child: str, parent: str) -> bool:
    """Whether the notebook's class ``child`` has its class ``parent`` among its bases (the same object in the
    child's memory), found without building an instance."""
    parent_class, child_class = s.get(parent), s.get(child)
    if not isinstance(parent_class, Remote) or not isinstance(child_class, Remote):
        return False
    bases = child_class.get("__mro__")
    return isinstance(bases, tuple) and any(isinstance(base, Remote) and base.handle.id == parent_class.handle.id
                                            for base in bases)


def course_data() -> dict[str, np.ndarray]:
    """The notebook's own split (given_data), computed here: a submission may overwrite its globals."""
    X, y = generate_spiral(**SPIRAL_SETTINGS)
    return dict(zip(("Xtr", "ytr", "Xva", "yva"), train_val_split(X, y, val_ratio=0.2, seed=0)))


def spiral_draw(seed: int) -> tuple[np.ndarray, ...]:
    X, y = generate_spiral(**{**SPIRAL_SETTINGS, "seed": 1000 + seed})
    return train_val_split(X, y, val_ratio=0.2, seed=seed)
