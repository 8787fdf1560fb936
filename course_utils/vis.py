"""Pictures of what a network learned: weight grids and training histories."""
from __future__ import annotations

import math
from typing import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

HISTORY_ATTRIBUTES = ("loss_history", "train_acc_history", "val_acc_history")


def visualize_grid(Xs: np.ndarray, ubound: float = 255.0, padding: int = 1) -> np.ndarray:
    """Tile N images of shape (H, W, C) into one (grid_h, grid_w, C) image.

    Xs has shape (N, H, W, C). The tiles fill a ceil(sqrt(N)) x ceil(sqrt(N))
    grid row by row, separated by ``padding`` zero pixels; each tile is min-max
    scaled to [0, ubound] on its own, and a constant tile becomes zeros.
    """
    Xs = np.asarray(Xs, dtype=np.float64)
    if Xs.ndim != 4:
        raise ValueError(
            f"expected Xs of shape (N, H, W, C), got {Xs.ndim}-D shape {Xs.shape}; "
            "for conv weights of shape (N, C, H, W) pass W.transpose(0, 2, 3, 1)"
        )
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    num_images, height, width, channels = Xs.shape
    if num_images == 0:
        raise ValueError("Xs holds no images")
    side = math.ceil(math.sqrt(num_images))
    grid = np.zeros((side * height + (side - 1) * padding, side * width + (side - 1) * padding, channels))
    for index, image in enumerate(Xs):
        row, col = divmod(index, side)
        top, left = row * (height + padding), col * (width + padding)
        low, high = image.min(), image.max()
        if high > low:
            grid[top:top + height, left:left + width] = ubound * (image - low) / (high - low)
    return grid


def show_image_grid(grid: np.ndarray, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Show a (H, W, C) output of ``visualize_grid`` as uint8, grayscale when C is 1, axes off."""
    if ax is None:
        ax = plt.figure().add_subplot()
    image = np.clip(np.asarray(grid), 0, 255).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        ax.imshow(image[:, :, 0], cmap="gray")
    else:
        ax.imshow(image)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_solver_histories(solvers: Mapping[str, object], title: str = "") -> plt.Figure:
    """Training loss per iteration, training and validation accuracy per epoch, one series per solver.

    Each value in ``solvers`` needs ``loss_history``, ``train_acc_history`` and
    ``val_acc_history`` (accuracies as fractions), like a trained ``Solver``.
    """
    if not solvers:
        raise ValueError("no solvers to plot")
    fig, (ax_loss, ax_train, ax_val) = plt.subplots(3, 1, figsize=(10, 11))
    for label, solver in solvers.items():
        missing = [name for name in HISTORY_ATTRIBUTES if not hasattr(solver, name)]
        if missing:
            raise AttributeError(f"solver {label!r} has no {', '.join(missing)}")
        ax_loss.plot(np.arange(1, len(solver.loss_history) + 1), solver.loss_history, "o", markersize=2, label=label)
        for ax, history in ((ax_train, solver.train_acc_history), (ax_val, solver.val_acc_history)):
            ax.plot(np.arange(1, len(history) + 1), history, "-o", label=label)
    ax_loss.set(title="Training loss", xlabel="iteration", ylabel="loss")
    ax_train.set(title="Training accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0.0, 1.02))
    ax_val.set(title="Validation accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0.0, 1.02))
    for ax in (ax_train, ax_val):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in (ax_loss, ax_train, ax_val):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
