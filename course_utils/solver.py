"""Minibatch training loop for numpy classification models.

A model exposes ``model.params`` (dict name -> numpy array) and
``model.loss(X, y=None)``, which returns class scores of shape (N, C) when
``y`` is None and ``(loss, grads)`` otherwise, ``grads`` having the keys of
``params``. Example::

    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    num_epochs=5, batch_size=100)
    solver.train()
    solver.best_val_acc, solver.loss_history
"""
from __future__ import annotations

import copy
import math
import numbers
import os
import pickle
import tempfile
import warnings
from typing import Any, Mapping, Protocol

import numpy as np
from tqdm.auto import tqdm

from course_utils.optim import Config, UpdateRule, get_update_rule

DATA_KEYS = ("X_train", "y_train", "X_val", "y_val")

DEFAULT_OPTIONS: dict[str, Any] = {
    "update_rule": "sgd",
    "optim_config": None,
    "lr_decay": 1.0,
    "batch_size": 100,
    "num_epochs": 10,
    "num_train_samples": 1000,
    "num_val_samples": None,
    "checkpoint_name": None,
    "print_every": 10,
    "verbose": True,
    "progress": True,
    "seed": None,
}


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_positive_int(name: str, value: object, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not _is_int(value):
        expected = "a positive int or None" if allow_none else "a positive int"
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")


def _check_options(options: Mapping[str, Any]) -> None:
    unknown = sorted(set(options) - set(DEFAULT_OPTIONS))
    if unknown:
        raise TypeError(
            f"unknown Solver option(s): {', '.join(unknown)}; valid options: {', '.join(DEFAULT_OPTIONS)}"
        )
    for name in ("batch_size", "num_epochs", "print_every"):
        _check_positive_int(name, options[name])
    for name in ("num_train_samples", "num_val_samples"):
        _check_positive_int(name, options[name], allow_none=True)
    lr_decay = options["lr_decay"]
    if not isinstance(lr_decay, numbers.Real) or isinstance(lr_decay, bool) or not 0 < lr_decay < math.inf:
        raise ValueError(f"lr_decay must be a positive number, got {lr_decay!r}")
    if options["optim_config"] is not None and not isinstance(options["optim_config"], Mapping):
        raise TypeError(f"optim_config must be a dict or None, got {type(options['optim_config']).__name__}")
    for name in ("verbose", "progress"):
        if not isinstance(options[name], bool):
            raise TypeError(f"{name} must be True or False, got {options[name]!r}")
    if options["seed"] is not None and not _is_int(options["seed"]):
        raise TypeError(f"seed must be an int or None, got {options['seed']!r}")
    if options["checkpoint_name"] is not None and not isinstance(options["checkpoint_name"], (str, os.PathLike)):
        raise TypeError(f"checkpoint_name must be a path or None, got {options['checkpoint_name']!r}")


def _check_data(data: Mapping[str, Any]) -> None:
    missing = [key for key in DATA_KEYS if key not in data]
    if missing:
        raise KeyError(f"data lacks {', '.join(missing)}; it needs {', '.join(DATA_KEYS)}")
    for split in ("train", "val"):
        num_x, num_y = len(data[f"X_{split}"]), len(data[f"y_{split}"])
        if num_x != num_y:
            raise ValueError(f"X_{split} has {num_x} rows but y_{split} has {num_y}")
        if num_x == 0:
            raise ValueError(f"X_{split} is empty")


class SolverModel(Protocol):
    """What the Solver needs from a model."""

    params: dict[str, np.ndarray]

    def loss(self, X: np.ndarray, y: np.ndarray | None = None) -> np.ndarray | tuple[float, dict[str, np.ndarray]]:
        """Scores (N, C) when ``y`` is None, else the loss and a gradient per entry of ``params``."""


class _NonFiniteLoss(Exception):
    """Raised inside the training loop to stop it; ``train()`` turns it into a RuntimeWarning."""


class Solver:
    """Trains ``model`` on ``data`` with minibatch first-order updates.

    ``data`` holds ``X_train``, ``y_train``, ``X_val``, ``y_val`` (other keys are
    ignored). Options and defaults: ``update_rule="sgd"`` (a name from
    ``optim.UPDATE_RULES`` or an update function), ``optim_config=None`` (copied
    for every parameter), ``lr_decay=1.0`` (applied to ``learning_rate`` after
    every epoch), ``batch_size=100``, ``num_epochs=10``,
    ``num_train_samples=1000`` and ``num_val_samples=None`` (rows used to measure
    accuracy each epoch; None = all), ``checkpoint_name=None``,
    ``print_every=10``, ``verbose=True``, ``progress=True`` (tqdm bar),
    ``seed=None`` (None draws one from ``np.random``, so ``np.random.seed``
    makes runs reproducible).

    After ``train()``: ``loss_history`` has one loss per iteration,
    ``train_acc_history`` and ``val_acc_history`` one accuracy (a fraction) per
    epoch, and ``model.params`` holds the parameters of the best validation epoch.
    """

    def __init__(self, model: SolverModel, data: Mapping[str, Any], **options: Any) -> None:
        options = {**DEFAULT_OPTIONS, **options}
        _check_options(options)
        _check_data(data)
        if not isinstance(getattr(model, "params", None), dict) or not callable(getattr(model, "loss", None)):
            raise TypeError("model needs a dict model.params and a method model.loss(X, y=None)")
        self.model = model
        self.X_train, self.y_train = np.asarray(data["X_train"]), np.asarray(data["y_train"])
        self.X_val, self.y_val = np.asarray(data["X_val"]), np.asarray(data["y_val"])

        self.update_rule: UpdateRule = get_update_rule(options["update_rule"])
        self.update_rule_name: str = getattr(self.update_rule, "__name__", repr(self.update_rule))
        self.optim_config: Config = dict(options["optim_config"] or {})
        self.lr_decay: float = options["lr_decay"]
        self.batch_size: int = int(options["batch_size"])
        self.num_epochs: int = int(options["num_epochs"])
        self.num_train_samples: int | None = options["num_train_samples"]
        self.num_val_samples: int | None = options["num_val_samples"]
        self.checkpoint_name: str | os.PathLike | None = options["checkpoint_name"]
        self.print_every: int = int(options["print_every"])
        self.verbose: bool = options["verbose"]
        self.progress: bool = options["progress"]
        seed = options["seed"] if options["seed"] is not None else np.random.randint(2**31 - 1)
        self.rng = np.random.default_rng(seed)

        self.optim_configs: dict[str, Config] = {name: copy.deepcopy(self.optim_config) for name in model.params}
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params: dict[str, np.ndarray] = {}
        self.loss_history: list[float] = []
        self.train_acc_history: list[float] = []
        self.val_acc_history: list[float] = []

    def check_accuracy(
        self, X: np.ndarray, y: np.ndarray, num_samples: int | None = None, batch_size: int = 100
    ) -> float:
        """Fraction of rows whose argmax score equals ``y``; X (N, ...), y (N,).

        With ``num_samples`` < N, a random subset of that many rows (drawn with
        ``self.rng``) is scored instead. Scores are computed ``batch_size`` rows at a time.
        """
        _check_positive_int("num_samples", num_samples, allow_none=True)
        _check_positive_int("batch_size", batch_size)
        X, y = np.asarray(X), np.asarray(y)
        if len(X) != len(y) or len(X) == 0:
            raise ValueError(f"X and y must be non-empty with equal length, got {len(X)} and {len(y)}")
        if num_samples is not None and num_samples < len(X):
            rows = self.rng.choice(len(X), size=num_samples, replace=False)
            X, y = X[rows], y[rows]
        predictions = np.concatenate(
            [np.argmax(self.model.loss(X[start:start + batch_size]), axis=1) for start in range(0, len(X), batch_size)]
        )
        return float(np.mean(predictions == y))

    def train(self) -> None:
        """Run ``num_epochs`` epochs, then put the best-validation parameters back into the model.

        Each epoch visits a fresh permutation of the training set in
        ``max(N // batch_size, 1)`` minibatches (the incomplete last batch is
        dropped). A non-finite loss stops training with a RuntimeWarning; the
        update for it is not applied and the loss is not recorded. Calling
        ``train()`` again trains ``num_epochs`` more epochs and extends the histories.
        """
        num_train = len(self.X_train)
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        last_epoch = self.epoch + self.num_epochs
        last_iteration = len(self.loss_history) + self.num_epochs * iterations_per_epoch
        try:
            with tqdm(total=last_iteration, initial=len(self.loss_history), disable=not self.progress) as bar:
                while self.epoch < last_epoch:
                    bar.set_description(f"epoch {self.epoch + 1}/{last_epoch}")
                    order = self.rng.permutation(num_train)
                    for start in range(0, iterations_per_epoch * self.batch_size, self.batch_size):
                        batch = order[start:start + self.batch_size]
                        self._step(self.X_train[batch], self.y_train[batch], last_iteration)
                        bar.set_postfix(loss=f"{self.loss_history[-1]:.4f}", refresh=False)
                        bar.update()
                    self.epoch += 1
                    self._finish_epoch(last_epoch)
        except _NonFiniteLoss as stop:
            warnings.warn(str(stop), RuntimeWarning, stacklevel=2)
        self._restore_best_params()

    def _step(self, X_batch: np.ndarray, y_batch: np.ndarray, last_iteration: int) -> None:
        """Update every parameter once; raise _NonFiniteLoss, changing nothing, if the loss is not finite."""
        iteration = len(self.loss_history) + 1
        loss, grads = self.model.loss(X_batch, y_batch)
        loss = float(loss)
        if not math.isfinite(loss):
            kept = "the best parameters so far" if self.best_params else "the parameters before that iteration"
            raise _NonFiniteLoss(
                f"loss is {loss} at iteration {iteration} (epoch {self.epoch + 1}); training stopped. "
                f"The histories keep the {iteration - 1} finite losses and {len(self.val_acc_history)} finished "
                f"epoch(s); model.params holds {kept}. Try a smaller learning rate."
            )
        missing = [name for name in self.model.params if name not in grads]
        if missing:
            raise KeyError(f"model.loss returned no gradient for {', '.join(missing)}")
        for name, value in self.model.params.items():
            self.model.params[name], self.optim_configs[name] = self.update_rule(
                value, grads[name], self.optim_configs[name]
            )
        self.loss_history.append(loss)
        if self.verbose and (iteration - 1) % self.print_every == 0:
            tqdm.write(f"(Iteration {iteration} / {last_iteration}) loss: {loss:.6f}")

    def _finish_epoch(self, last_epoch: int) -> None:
        if self.lr_decay != 1.0:
            for name, config in self.optim_configs.items():
                if "learning_rate" not in config:
                    raise KeyError(f"lr_decay needs 'learning_rate' in the config of {name!r}; the rule never set it")
                config["learning_rate"] *= self.lr_decay
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples, self.batch_size)
        val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples, self.batch_size)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if not self.best_params or val_acc > self.best_val_acc:
            self.best_val_acc = val_acc
            self.best_params = copy.deepcopy(self.model.params)
        if self.checkpoint_name is not None:
            self._save_checkpoint()
        if self.verbose:
            tqdm.write(f"(Epoch {self.epoch} / {last_epoch}) train acc: {train_acc:.4f}; val_acc: {val_acc:.4f}")

    def _restore_best_params(self) -> None:
        for name, value in self.best_params.items():
            self.model.params[name] = value.copy()

    def _save_checkpoint(self) -> None:
        """Pickle the run to ``<checkpoint_name>_epoch_<epoch>.pkl`` through a temporary file."""
        checkpoint = {
            "params": self.model.params,
            "update_rule": self.update_rule_name,
            "lr_decay": self.lr_decay,
            "optim_config": self.optim_config,
            "optim_configs": self.optim_configs,
            "batch_size": self.batch_size,
            "num_train_samples": self.num_train_samples,
            "num_val_samples": self.num_val_samples,
            "epoch": self.epoch,
            "loss_history": self.loss_history,
            "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history,
        }
        path = f"{os.fspath(self.checkpoint_name)}_epoch_{self.epoch}.pkl"
        folder = os.path.dirname(path) or "."
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".checkpoint_", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                pickle.dump(checkpoint, file)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
