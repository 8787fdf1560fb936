"""The two-class spiral data set of the from-scratch assignment.

The settings the assignment requires are collected in ``SPIRAL_SETTINGS`` so
that every notebook and grader builds the very same 300 points.
"""
from __future__ import annotations

import numpy as np
import torch

SPIRAL_SETTINGS = {"n_per_class": 150, "n_classes": 2, "noise": 0.05, "rotations": 1.5, "seed": 42}


def generate_spiral(
    n_per_class: int = 200,
    n_classes: int = 2,
    noise: float = 0.2,
    rotations: float = 1.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class.

    Every arm uses the radii ``linspace(0, 1, n_per_class)``; arm ``c`` starts
    at angle ``2*pi*c/n_classes`` and turns ``rotations`` times while the
    radius grows. Gaussian noise of standard deviation ``noise`` is added to
    both coordinates (the x noise of an arm is drawn before its y noise).

    Returns:
        X: float32 array of shape (n_per_class * n_classes, 2).
        y: int64 array of shape (n_per_class * n_classes,), class-ordered.
    """
    if n_per_class < 1 or n_classes < 1:
        raise ValueError(f"need n_per_class >= 1 and n_classes >= 1, got {n_per_class} and {n_classes}")
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise}")
    rng = np.random.default_rng(seed)
    radius = np.linspace(0.0, 1.0, n_per_class, dtype=np.float32)
    points, labels = [], []
    for c in range(n_classes):
        angle = (2.0 * np.pi / n_classes) * c + rotations * 2.0 * np.pi * radius
        x_noise = rng.normal(0.0, noise, size=n_per_class).astype(np.float32)
        y_noise = rng.normal(0.0, noise, size=n_per_class).astype(np.float32)
        arm = np.stack([radius * np.cos(angle) + x_noise, radius * np.sin(angle) + y_noise], axis=1)
        points.append(arm.astype(np.float32))
        labels.append(np.full(n_per_class, c, dtype=np.int64))
    return np.concatenate(points), np.concatenate(labels)


def train_val_split(
    X: np.ndarray, y: np.ndarray, val_ratio: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with ``default_rng(seed)``; the first ``int(N * val_ratio)`` go to validation.

    Returns:
        (X_train, y_train, X_val, y_val).
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    if not 0.0 <= val_ratio < 1.0:
        raise ValueError(f"val_ratio must be in [0, 1), got {val_ratio}")
    order = np.arange(len(X))
    np.random.default_rng(seed).shuffle(order)
    n_val = int(len(X) * val_ratio)
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]


@torch.no_grad()
def accuracy_from_logits(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` (B, C) whose argmax equals ``y`` (B,)."""
    if logits.dim() != 2 or y.shape != logits.shape[:1]:
        raise ValueError(f"expected logits (B, C) and labels (B,), got {tuple(logits.shape)} and {tuple(y.shape)}")
    return (logits.argmax(dim=1) == y).float().mean().item()


def spiral_tensors(val_ratio: float = 0.2, split_seed: int = 0) -> dict[str, torch.Tensor]:
    """The assignment's spiral, split and converted to tensors.

    Returns a dict with ``Xtr`` (240, 2) float32, ``ytr`` (240,) int64,
    ``Xva`` (60, 2) float32 and ``yva`` (60,) int64.
    """
    X, y = generate_spiral(**SPIRAL_SETTINGS)
    Xtr, ytr, Xva, yva = train_val_split(X, y, val_ratio=val_ratio, seed=split_seed)
    return {
        "Xtr": torch.from_numpy(Xtr),
        "ytr": torch.from_numpy(ytr),
        "Xva": torch.from_numpy(Xva),
        "yva": torch.from_numpy(yva),
    }
