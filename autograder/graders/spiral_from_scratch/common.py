"""Helpers the spiral graders share: hidden inputs, normalization layers with set parameters, the data."""
from __future__ import annotations

from functools import partial
from typing import Callable

import numpy as np

from autograder.graders.spiral_from_scratch import F64
from autograder.kit import Judged, Kit, Probe, balanced_square, correlated_dout, normal
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


def fd_forward(s: Session, cls: str, seed: int, b: int, d: int) -> dict:
    """The layer's forward on its finite-difference check's input (a probe: the master's is the reference)."""
    return {"forward on the finite-difference input": norm_layer(s, cls, seed, d).call("forward",
                                                                                      fd_input(seed, b, d))}


def norm_forward_values(s: Session, cls: str, cases: tuple, **layer_options) -> dict:
    """The layer's forward on the inputs ``norm_backward_values`` uses (a probe)."""
    return {f"forward on a ({b}, {d}) input": norm_layer(s, cls, seed, d, **layer_options).call(
        "forward", normal(seed, b, d, scale=3, shift=0.5)) for seed, b, d in cases}


def norm_backward_values(s: Session, cls: str, cases: tuple, input_name: str, correlated_axis: int | None = None,
                         balanced: bool = False, **layer_options) -> dict:
    """d<input_name>, dgamma and dbeta of the layer after a training-mode forward, for each (seed, B, D) of
    ``cases`` (a probe); the upstream gradient is ``correlated_dout`` over ``correlated_axis`` if one is given;
    with ``balanced``, the inputs are ``balanced_square``s (B = D), whose statistics over either axis agree."""
    out = {}
    for seed, b, d in cases:
        layer = norm_layer(s, cls, seed, d, **layer_options)
        x = balanced_square(seed, d, scale=3, shift=0.5) if balanced else normal(seed, b, d, scale=3, shift=0.5)
        layer.call("forward", x)
        dout = normal(seed + 3, b, d) if correlated_axis is None else correlated_dout(seed + 3, x, correlated_axis)
        out[f"d{input_name} for a ({b}, {d}) input"] = layer.call("backward", dout)
        out[f"dgamma for a ({b}, {d}) input"] = layer.get("dgamma")
        out[f"dbeta for a ({b}, {d}) input"] = layer.get("dbeta")
    return out


def layer_gradient_check(kit: Kit, cls: str, seed: int, b: int, d: int, forwards: tuple[Probe, ...],
                         wide: Judged, balanced: tuple[Judged, ...] = ()) -> None:
    """dz, dgamma and dbeta against finite differences of the layer's own forward, once that forward is seen to
    normalize; where the forward is wrong (on ``forwards``, its graded probes, and on this input), the ``wide``
    comparison, or else the ``balanced`` ones, judge the backward instead (``Kit.own_gradients_or``)."""
    s = kit.session
    layer = norm_layer(s, cls, seed, d)
    z, dout = fd_input(seed, b, d), normal(seed + 3, b, d)
    kit.require_normalization(lambda value: layer.call("forward", value), z, None, "the layer's forward")
    inputs = {"z": z, "gamma": kit.array(layer.get("gamma"), (d,), "gamma"),
              "beta": kit.array(layer.get("beta"), (d,), "beta")}
    layer.call("forward", z)
    analytic = {"z": layer.call("backward", dout), "gamma": layer.get("dgamma"), "beta": layer.get("dbeta")}

    update = changed_only(layer.planned_set, inputs)

    def forward(z: np.ndarray, **parameters: np.ndarray) -> list[dict]:
        return [*update(**parameters), layer.planned_call("forward", z)]

    kit.own_gradients_or(lambda: kit.gradients(kit.forward(forward), inputs, dout, analytic),
                         (*forwards, partial(fd_forward, cls=cls, seed=seed, b=b, d=d)), (wide,), balanced)


def gradient_shapes(kit: Kit, layer: Remote, seed: int, b: int, d: int) -> None:
    """The shape test of a layer's backward: after a training-mode forward seen to normalize, backward returns
    d<input> in the shape (b, d) of its input and sets dgamma and dbeta in the shape (d,) of gamma and beta, each
    computed from the upstream gradient."""
    z = fd_input(seed, b, d)
    kit.require_normalization(lambda value: layer.call("forward", value), z, None, "the layer's forward")
    layer.call("forward", z)

    def gradients(dout: np.ndarray) -> dict:
        return {"the input's gradient": layer.call("backward", dout), "dgamma": layer.get("dgamma"),
                "dbeta": layer.get("dbeta")}

    kit.require_shapes(gradients, (normal(seed + 3, b, d), normal(seed + 4, b, d)),
                       {"the input's gradient": (b, d), "dgamma": (d,), "dbeta": (d,)})


def changed_only(plan: Callable[[str, np.ndarray], dict], inputs: dict[str, np.ndarray]
                 ) -> Callable[..., list[dict]]:
    """For the forward of a gradient check on an object in the child (``Kit.forward``): ``update(**values)`` plans
    (``plan(name, value)``, a ``planned_set``) only the values that differ from the last ones planned, ``inputs``
    at first: one operation per changed parameter rather than per parameter."""
    current = dict(inputs)

    def update(**values: np.ndarray) -> list[dict]:
        plans = []
        for name, value in values.items():
            if value is not current[name]:
                plans.append(plan(name, value))
                current[name] = value
        return plans

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
