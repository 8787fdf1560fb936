"""Training loop for captioning models written with torch tensors.

A model exposes ``model.params`` (dict name -> torch tensor) and ``model.loss(features, captions)``, a scalar
tensor: the caption loss of a minibatch, features (N, D) and captions (N, T) of word indices. The solver trains
every tensor of ``params`` with ``torch.optim.Adam``; gradients come from autograd. Example::

    solver = CaptioningSolver(model, data, learning_rate=5e-3, batch_size=25, num_epochs=50)
    solver.train()
    solver.loss_history[-1]
    solver.plot_loss()
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Mapping, Protocol

import matplotlib.pyplot as plt
import numpy as np
import torch
from tqdm.auto import tqdm

from course_utils.data import sample_coco_minibatch

DATA_KEYS = ("train_captions", "train_image_idxs", "train_features")


class CaptioningModel(Protocol):
    params: dict[str, torch.Tensor]

    def loss(self, features: torch.Tensor, captions: torch.Tensor) -> torch.Tensor: ...


def _positive_int(name: str, value: object) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


class CaptioningSolver:
    """Adam on random minibatches of a captioning data dict (``load_coco_data`` or the built-in captions).

    Options: ``learning_rate`` (Adam's), ``batch_size`` captions per step, ``num_epochs`` (an epoch is
    ``max(N_train // batch_size, 1)`` steps), ``print_every`` steps between printed losses, ``verbose``
    (print them), ``progress`` (a progress bar). Minibatches are drawn with numpy's global generator
    (``sample_coco_minibatch``), so ``np.random.seed`` makes a run repeatable.
    """

    def __init__(self, model: CaptioningModel, data: Mapping[str, Any], learning_rate: float = 1e-3,
                 batch_size: int = 100, num_epochs: int = 10, print_every: int = 10, verbose: bool = True,
                 progress: bool = True) -> None:
        if not isinstance(getattr(model, "params", None), dict) or not callable(getattr(model, "loss", None)):
            raise TypeError("model needs a params dict of tensors and a loss(features, captions) method")
        missing = [key for key in DATA_KEYS if key not in data]
        if missing:
            raise KeyError(f"data lacks {', '.join(missing)} (load it with load_coco_data or the built-in captions)")
        if not isinstance(learning_rate, numbers.Real) or not 0 < learning_rate < math.inf:
            raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
        self.model = model
        self.data = data
        self.learning_rate = float(learning_rate)
        self.batch_size = _positive_int("batch_size", batch_size)
        self.num_epochs = _positive_int("num_epochs", num_epochs)
        self.print_every = _positive_int("print_every", print_every)
        self.verbose = bool(verbose)
        self.progress = bool(progress)
        self.loss_history: list[float] = []

    def train(self) -> None:
        """Run ``num_epochs`` epochs of Adam steps on the model's current parameters.

        The parameters require gradients only while training. A non-finite loss stops training with a
        RuntimeWarning before its update; ``loss_history`` keeps the finite losses.
        """
        num_train = len(self.data["train_captions"])
        iterations = self.num_epochs * max(num_train // self.batch_size, 1)
        params = list(self.model.params.values())
        dtype = getattr(self.model, "dtype", torch.float32)
        optimizer = torch.optim.Adam(params, lr=self.learning_rate)
        for param in params:
            param.requires_grad_(True)
        try:
            for iteration in tqdm(range(1, iterations + 1), desc="training", disable=not self.progress):
                captions, features, _ = sample_coco_minibatch(self.data, self.batch_size, "train")
                loss = self.model.loss(torch.as_tensor(features, dtype=dtype), torch.as_tensor(captions).long())
                value = float(loss.detach())
                if not math.isfinite(value):
                    warnings.warn(f"loss is {value} at iteration {iteration}; training stopped. Try a smaller "
                                  f"learning rate.", RuntimeWarning, stacklevel=2)
                    break
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                self.loss_history.append(value)
                if self.verbose and (iteration - 1) % self.print_every == 0:
                    tqdm.write(f"(Iteration {iteration} / {iterations}) loss: {value:.6f}")
        finally:
            for param in params:
                param.requires_grad_(False)
                param.grad = None

    def plot_loss(self, title: str = "Training loss history") -> plt.Figure:
        """The loss of every training step, on a log scale when it spans more than a factor of 100."""
        if not self.loss_history:
            raise ValueError("nothing to plot: train() has not run")
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.plot(np.arange(1, len(self.loss_history) + 1), self.loss_history)
        if min(self.loss_history) > 0 and max(self.loss_history) > 100 * min(self.loss_history):
            ax.set_yscale("log")
        ax.set(xlabel="Iteration", ylabel="Loss", title=title)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        return fig
