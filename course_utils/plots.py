"""Plots that notebooks share: training curves and decision boundaries."""
from __future__ import annotations

from typing import Mapping, Protocol, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch


class Classifier(Protocol):
    def forward(self, x: torch.Tensor) -> torch.Tensor: ...


def plot_training_curves(histories: Mapping[str, Mapping[str, Sequence[float]]], title: str = "") -> plt.Figure:
    """Loss (left) and accuracy (right) per epoch, one colour per run.

    Each history maps ``"loss"``, ``"train_acc"`` and ``"val_acc"`` to one value
    per epoch; training accuracy is drawn dashed, validation accuracy solid.
    """
    if not histories:
        raise ValueError("no histories to plot")
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4))
    for (label, history), colour in zip(histories.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"] * 4):
        missing = {"loss", "train_acc", "val_acc"} - set(history)
        if missing:
            raise KeyError(f"history {label!r} lacks {sorted(missing)}")
        epochs = np.arange(1, len(history["loss"]) + 1)
        ax_loss.plot(epochs, history["loss"], color=colour, label=label)
        ax_acc.plot(epochs, history["train_acc"], color=colour, linestyle="--", alpha=0.7, label=f"{label} (train)")
        ax_acc.plot(epochs, history["val_acc"], color=colour, label=f"{label} (val)")
    ax_loss.set(xlabel="epoch", ylabel="training loss", title="Loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy", ylim=(0.0, 1.02))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


@torch.no_grad()
def plot_decision_boundaries(
    models: Mapping[str, Classifier],
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 200,
    dtype: torch.dtype = torch.float32,
) -> plt.Figure:
    """Predicted class over the plane for each model, with the data on top.

    Models that have an ``eval()`` method are switched to evaluation mode first;
    the grid is sent to ``forward`` as a (resolution**2, 2) tensor of ``dtype``.
    """
    if not models:
        raise ValueError("no models to plot")
    X, y = np.asarray(X), np.asarray(y)
    margin = 0.2
    xs = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    ys = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    fig, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 4.6), squeeze=False)
    for ax, (label, model) in zip(axes[0], models.items()):
        if hasattr(model, "eval"):
            model.eval()
        grid = torch.as_tensor(np.c_[grid_x.ravel(), grid_y.ravel()], dtype=dtype)
        predicted = model.forward(grid).argmax(dim=1).numpy().reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, predicted, alpha=0.3, cmap="coolwarm")
        ax.scatter(X[:, 0], X[:, 1], c=y, s=12, cmap="coolwarm", edgecolors="k", linewidths=0.3)
        ax.set(title=label, xticks=[], yticks=[])
    fig.tight_layout()
    return fig
