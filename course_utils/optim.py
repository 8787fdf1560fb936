"""First-order update rules for numpy parameters.

Every rule follows one contract::

    next_w, config = rule(w, dw, config=None)

``w`` and ``dw`` are arrays of the same shape; ``w`` is not modified. ``config``
holds the hyper-parameters and the rule's state (moving averages, step count);
missing hyper-parameters are filled in with defaults, the state is updated in
place, and the same dict is returned (a new one when ``config`` is None).
Pass the returned config to the next call for the same parameter.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

Config = dict[str, Any]
UpdateRule = Callable[..., tuple[np.ndarray, Config]]


def _prepare(w: np.ndarray, dw: np.ndarray, config: Config | None) -> Config:
    if np.shape(w) != np.shape(dw):
        raise ValueError(f"w and dw must have the same shape, got {np.shape(w)} and {np.shape(dw)}")
    return {} if config is None else config


def sgd(w: np.ndarray, dw: np.ndarray, config: Config | None = None) -> tuple[np.ndarray, Config]:
    """Vanilla gradient descent: ``w - learning_rate * dw``.

    config: ``learning_rate`` (1e-2).
    """
    config = _prepare(w, dw, config)
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


def rmsprop(w: np.ndarray, dw: np.ndarray, config: Config | None = None) -> tuple[np.ndarray, Config]:
    """RMSProp: step scaled by a running average of squared gradients.

    config: ``learning_rate`` (1e-2), ``decay_rate`` (0.99), ``epsilon`` (1e-8);
    state ``cache`` (same shape as ``w``, starts at zero).
    """
    config = _prepare(w, dw, config)
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    decay = config["decay_rate"]
    config["cache"] = decay * config["cache"] + (1 - decay) * dw**2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return next_w, config


def adam(w: np.ndarray, dw: np.ndarray, config: Config | None = None) -> tuple[np.ndarray, Config]:
    """Adam: bias-corrected moving averages of the gradient and its square.

    config: ``learning_rate`` (1e-3), ``beta1`` (0.9), ``beta2`` (0.999),
    ``epsilon`` (1e-8); state ``m`` and ``v`` (same shape as ``w``, start at
    zero) and the step count ``t`` (starts at 0, incremented before the update).
    """
    config = _prepare(w, dw, config)
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    beta1, beta2 = config["beta1"], config["beta2"]
    config["t"] += 1
    config["m"] = beta1 * config["m"] + (1 - beta1) * dw
    config["v"] = beta2 * config["v"] + (1 - beta2) * dw**2
    m_hat = config["m"] / (1 - beta1 ** config["t"])
    v_hat = config["v"] / (1 - beta2 ** config["t"])
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    return next_w, config


UPDATE_RULES: dict[str, UpdateRule] = {"sgd": sgd, "rmsprop": rmsprop, "adam": adam}


def get_update_rule(rule: str | UpdateRule) -> UpdateRule:
    """The update function named ``rule`` in ``UPDATE_RULES``, or ``rule`` itself if it is callable."""
    if callable(rule):
        return rule
    if not isinstance(rule, str):
        raise TypeError(f"update rule must be a name or a function, got {type(rule).__name__}")
    if rule not in UPDATE_RULES:
        raise ValueError(
            f"unknown update rule {rule!r}; known names: {', '.join(sorted(UPDATE_RULES))}. "
            "For a rule defined in your notebook (for example sgd_momentum), pass the function "
            "itself: update_rule=sgd_momentum"
        )
    return UPDATE_RULES[rule]
