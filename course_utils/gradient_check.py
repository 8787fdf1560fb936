"""Numerical gradients by centered differences, for numpy arrays and torch tensors.

Every function perturbs its input ``x`` in place, one entry at a time, and puts
the entry back afterwards. ``x`` may be a numpy array or a CPU torch tensor
(use float64 for meaningful digits); gradients come back as the same type.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch

ArrayLike = np.ndarray | torch.Tensor


def _to_numpy(value: ArrayLike | float) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _writable_view(x: ArrayLike) -> np.ndarray:
    """A numpy view that shares memory with ``x``, so writes reach the caller's object."""
    if isinstance(x, torch.Tensor):
        if x.requires_grad or x.device.type != "cpu":
            raise ValueError("pass a CPU tensor that does not require grad")
        return x.numpy()
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a numpy array or a torch tensor, got {type(x).__name__}")
    return x


def _like(x: ArrayLike, grad: np.ndarray) -> ArrayLike:
    return torch.from_numpy(grad) if isinstance(x, torch.Tensor) else grad


def _centered_pair(f: Callable, x: ArrayLike, view: np.ndarray, ix: tuple, h: float) -> tuple[np.ndarray, np.ndarray]:
    """``f(x)`` with entry ``ix`` raised by ``h``, then lowered by ``h``; the entry is restored after."""
    old = view[ix]
    view[ix] = old + h
    plus = _to_numpy(f(x)).copy()
    view[ix] = old - h
    minus = _to_numpy(f(x)).copy()
    view[ix] = old
    return plus, minus


def rel_error(x: ArrayLike | float, y: ArrayLike | float) -> float:
    """Largest elementwise ``|x - y| / max(1e-8, |x| + |y|)``."""
    a, b = _to_numpy(x).astype(np.float64), _to_numpy(y).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def eval_numerical_gradient(
    f: Callable[[ArrayLike], float], x: ArrayLike, verbose: bool = True, h: float = 1e-5
) -> ArrayLike:
    """Gradient of a scalar function ``f`` at ``x``: ``(f(x+h) - f(x-h)) / 2h`` per entry."""
    view = _writable_view(x)
    grad = np.zeros(view.shape, dtype=np.float64)
    for ix in np.ndindex(view.shape):
        f_plus, f_minus = _centered_pair(f, x, view, ix, h)
        grad[ix] = (float(f_plus) - float(f_minus)) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return _like(x, grad)


def eval_numerical_gradient_array(
    f: Callable[[ArrayLike], ArrayLike], x: ArrayLike, df: ArrayLike, h: float = 1e-5
) -> ArrayLike:
    """Gradient at ``x`` of ``sum(f(x) * df)`` for an array-valued ``f``."""
    view = _writable_view(x)
    upstream = _to_numpy(df)
    grad = np.zeros(view.shape, dtype=np.float64)
    for ix in np.ndindex(view.shape):
        plus, minus = _centered_pair(f, x, view, ix, h)
        grad[ix] = np.sum((plus - minus) * upstream) / (2 * h)
    return _like(x, grad)


def grad_check_sparse(
    f: Callable[[ArrayLike], float],
    x: ArrayLike,
    analytic_grad: ArrayLike,
    num_checks: int = 10,
    h: float = 1e-5,
    seed: int | None = None,
) -> list[float]:
    """Compare ``analytic_grad`` with centered differences at ``num_checks`` random entries.

    Prints one line per entry and returns the relative errors.
    """
    view = _writable_view(x)
    analytic = _to_numpy(analytic_grad)
    if analytic.shape != view.shape:
        raise ValueError(f"analytic gradient has shape {analytic.shape}, x has {view.shape}")
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(num_checks):
        ix = tuple(int(rng.integers(n)) for n in view.shape)
        f_plus, f_minus = _centered_pair(f, x, view, ix, h)
        numeric = (float(f_plus) - float(f_minus)) / (2 * h)
        error = abs(numeric - analytic[ix]) / max(1e-8, abs(numeric) + abs(analytic[ix]))
        print(f"numerical: {numeric:f} analytic: {analytic[ix]:f}, relative error: {error:e}")
        errors.append(float(error))
    return errors


def check_layer_gradients(
    layer: object, x: torch.Tensor, dout: torch.Tensor, params: tuple[str, ...] = (), h: float = 1e-5
) -> dict[str, float]:
    """Relative errors of a hand-written layer's backward against centered differences.

    ``layer.forward(x)`` must be deterministic; ``layer.backward(dout)`` returns
    ``dx`` and stores the gradient of each parameter ``name`` in ``params`` as
    ``layer.d<name>`` (for example ``gamma`` -> ``dgamma``). Use float64 tensors.
    Prints and returns ``{"dx": ..., "d<name>": ...}``.
    """
    layer.forward(x)
    analytic = {"dx": layer.backward(dout)}
    for name in params:
        analytic[f"d{name}"] = getattr(layer, f"d{name}")
    analytic = {key: value.detach().clone() for key, value in analytic.items()}
    numeric = {"dx": eval_numerical_gradient_array(layer.forward, x, dout, h)}
    for name in params:
        numeric[f"d{name}"] = eval_numerical_gradient_array(lambda _: layer.forward(x), getattr(layer, name), dout, h)
    errors = {key: rel_error(analytic[key], numeric[key]) for key in analytic}
    for key, error in errors.items():
        print(f"{key:>8} relative error: {error:.2e}")
    return errors
