"""Helpers the batch_layer_norm graders share: hidden inputs, the entries of a ``bn_param`` kept in the child, a
layer's forward and backward called the way the release calls them, and the network's parameter setter and
gradient check."""
from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from autograder.kit import Judged, Kit, Probe, balanced_square, normal
from autograder.sandbox import DType, Remote, Session

F64 = DType("float64")


def dict_values(d: Remote, keys: tuple[str, ...]) -> dict[str, Any]:
    """The entries ``keys`` of a kept dict (None where missing)."""
    return {key: d.call("get", key) for key in keys}


def layer_inputs(seed: int, n: int, d: int, scale: float = 3.0, shift: float = 1.5) -> tuple[np.ndarray, ...]:
    """x (n, d), gamma (d,) around 1, beta (d,)."""
    return (normal(seed, n, d, scale=scale, shift=shift), normal(seed + 1, d, scale=0.5, shift=1.0),
            normal(seed + 2, d, scale=0.7))


def forward(s: Session, function: str, *args: Any) -> tuple[Any, Remote]:
    """``out, cache = function(*args)`` with the cache kept in the child, as the backward pass will read it."""
    result = s.call_kept(function, *args)
    Kit.expect(result.call("__len__") == 2, "{function} should return (out, cache)", function=function)
    return result.call("__getitem__", 0), result.call_kept("__getitem__", 1)


def three(value: Any, what: str) -> tuple:
    Kit.expect(isinstance(value, (tuple, list)) and len(value) == 3, "{what} should return (dx, dgamma, dbeta)",
               what=what)
    return tuple(value)


def forward_out(s: Session, function: str, *args: Any) -> Any:
    result = s.call(function, *args)
    Kit.expect(isinstance(result, (tuple, list)) and len(result) == 2, "{function} should return (out, cache)",
               function=function)
    return result[0]


def require_normalization(kit: Kit, forward_name: str, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                          param: dict, axis: int | None) -> None:
    """``kit.require_normalization`` for a layer that normalizes along ``axis`` (0: over the batch, 1: over the
    features, None: either): raising x[0, 0] must move the other entries of its column (0), of its row (1) or
    any other entry (None: a test of the backward, which a forward over the wrong axis must not cost)."""
    sharing = None
    if axis is not None:
        sharing = np.zeros(x.shape, dtype=bool)
        sharing[(slice(1, None), 0) if axis == 0 else (0, slice(1, None))] = True
    kit.require_normalization(lambda value: forward_out(kit.session, forward_name, value, gamma, beta, dict(param)),
                              x, sharing, forward_name)


def backward_shapes(kit: Kit, forward_name: str, backward_name: str, param: dict, seed: int, n: int, d: int) -> None:
    """The shape test of a backward item: dx has the shape (n, d) of x, dgamma and dbeta the shape (d,) of gamma
    and beta, each computed from dout, after a forward seen to normalize (along either axis)."""
    s = kit.session
    x, gamma, beta = layer_inputs(seed, n, d)
    require_normalization(kit, forward_name, x, gamma, beta, param, None)
    _, cache = forward(s, forward_name, x, gamma, beta, dict(param))

    def gradients(dout: np.ndarray) -> dict[str, Any]:
        return dict(zip(("dx", "dgamma", "dbeta"), three(s.call(backward_name, dout, cache), backward_name)))

    kit.require_shapes(gradients, (normal(seed + 3, n, d), normal(seed + 4, n, d)),
                       {"dx": (n, d), "dgamma": (d,), "dbeta": (d,)})


def fd_input(seed: int, n: int, d: int) -> tuple[np.ndarray, ...]:
    """x, gamma, beta of a finite-difference check: small, with a mean far from zero."""
    return layer_inputs(seed, n, d, scale=4.0, shift=10.0)


def fd_forward(s: Session, forward_name: str, param: dict, seed: int, n: int, d: int) -> dict:
    """The forward's output on the input of a finite-difference check (as a probe: the master's is the
    reference)."""
    return {f"{forward_name} output on the finite-difference input": forward_out(s, forward_name, *fd_input(seed, n, d),
                                                                                 dict(param))}


def layer_gradient_check(kit: Kit, forward_name: str, backward_name: str, param: dict, seed: int, n: int, d: int,
                         forwards: tuple[Probe, ...], wide: tuple[Judged, ...], balanced: tuple[Judged, ...] = (),
                         rtol: float = 1e-3) -> None:
    """dx, dgamma and dbeta of ``backward_name`` against finite differences of the submission's own forward, on a
    small input (``param`` is the bn_param or ln_param each call gets, as in the release's checks), once that
    forward is seen to normalize (along either axis). The tolerance lets eps sit inside or outside the square root
    (a forward matter); any backward bug misses it by far. Where the forward is wrong (on ``forwards``, its graded
    probes, and on this input), the ``wide`` comparisons, or else the ``balanced`` ones, judge the backward
    instead (``Kit.own_gradients_or``)."""
    s = kit.session
    x, gamma, beta = fd_input(seed, n, d)
    require_normalization(kit, forward_name, x, gamma, beta, param, None)
    dout = normal(seed + 3, n, d)
    _, cache = forward(s, forward_name, x, gamma, beta, dict(param))
    dx, dgamma, dbeta = three(s.call(backward_name, dout, cache), backward_name)
    inputs = {"x": x, "gamma": gamma, "beta": beta}
    kit.own_gradients_or(
        lambda: kit.gradients(lambda **v: forward_out(s, forward_name, v["x"], v["gamma"], v["beta"], dict(param)),
                              inputs, dout, {"x": dx, "gamma": dgamma, "beta": dbeta}, rtol=rtol),
        (*forwards, partial(fd_forward, forward_name=forward_name, param=param, seed=seed, n=n, d=d)), wide,
        balanced)


def balanced_backward(s: Session, forward_name: str, backward_name: str, param: dict, cases: tuple, parts: tuple[int, ...]
                      ) -> dict:
    """dx, dgamma or dbeta (``parts``) of ``backward_name`` on balanced inputs (``balanced_square``: statistics over
    either axis agree), for each (seed, n) of ``cases`` (a probe)."""
    out = {}
    for seed, n in cases:
        x = balanced_square(seed, n, scale=4.0, shift=2.0)
        _, gamma, beta = layer_inputs(seed, n, n)
        _, cache = forward(s, forward_name, x, gamma, beta, dict(param))
        grads = three(s.call(backward_name, normal(seed + 3, n, n), cache), backward_name)
        for index in parts:
            out[f"{('dx', 'dgamma', 'dbeta')[index]} for a balanced ({n}, {n}) input"] = grads[index]
    return out


def set_params(model: Remote, params: dict[str, np.ndarray]) -> None:
    model.set("params", dict(params))


def net_params(seed: int, dims: list[int], normalized: bool, first_bias: bool = True) -> dict[str, np.ndarray]:
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        params[f"W{layer}"] = normal(seed + 4 * layer, fan_in, fan_out, scale=1.2 / np.sqrt(fan_in))
        params[f"b{layer}"] = normal(seed + 4 * layer + 1, fan_out, scale=0.3) * (first_bias or layer > 1)
        if normalized and layer < len(dims) - 1:
            params[f"gamma{layer}"] = normal(seed + 4 * layer + 2, fan_out, scale=0.3, shift=1.0)
            params[f"beta{layer}"] = normal(seed + 4 * layer + 3, fan_out, scale=0.3)
    return params


def loss_and_grads(kit: Kit, model: Remote, X: np.ndarray, y: np.ndarray) -> tuple[float, dict]:
    result = model.call("loss", X, y)
    kit.expect(isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict),
               "loss(X, y) should return (loss, grads)")
    return kit.number(result[0], "the loss"), result[1]


def model_gradient_check(kit: Kit, model: Remote, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray,
                         rtol: float = 1e-5, skip: tuple[str, ...] = ()) -> None:
    """Every gradient of loss(X, y) but those named in ``skip`` against finite differences of the submission's own
    loss."""
    set_params(model, params)
    _, grads = loss_and_grads(kit, model, X, y)
    kit.expect(set(grads) == set(params), "grads should have one entry per parameter")

    def loss(**values: np.ndarray) -> float:
        set_params(model, values)
        return loss_and_grads(kit, model, X, y)[0]

    kit.gradients(loss, params, np.ones(()), {name: grads[name] for name in sorted(params) if name not in skip},
                  rtol=rtol)
