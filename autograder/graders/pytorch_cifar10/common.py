"""Helpers the pytorch_cifar10 graders share: hidden images, hidden loaders in the child, the Kaiming band, and
the recipe runs (a few steps of the given training loops from weights set here)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from autograder.graders.pytorch_cifar10 import TRAIN_IMAGES, TRAINING_DRAW, VALIDATION_DRAW
from autograder.kit import Kit, set_module_weights
from autograder.sandbox import Remote, Session
from course_utils.data import synthetic_cifar10
from course_utils.data.cifar10 import CIFAR10_MEAN, CIFAR10_STD

KAIMING_BAND = 0.1  # a weight's std within 10% of sqrt(2 / fan_in): 7 standard errors at 2,400 values


def normalized(images: np.ndarray) -> np.ndarray:
    """Images (N, 3, H, W) of pixel values 0-255 as the notebook's loaders give them: scaled to [0, 1] and
    normalized per channel with CIFAR-10's mean and std, float32."""
    mean, std = (np.asarray(v, dtype=np.float32).reshape(3, 1, 1) for v in (CIFAR10_MEAN, CIFAR10_STD))
    return ((images / 255.0 - mean) / std).astype(np.float32)


@lru_cache(maxsize=4)
def hidden_images(seed: int, count: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """``count`` images of the stand-in that the release never shows, normalized as the notebook's loaders do
    (float32 (count, 3, 32, 32)), and their labels."""
    draw = synthetic_cifar10(0, count, 0, seed=seed, subtract_mean=False)
    return normalized(draw["X_val"]), draw["y_val"]


def validation_images(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The hidden images on which an accuracy test of draw ``seed`` scores the trained network (from a seed that
    no child sees)."""
    return hidden_images(VALIDATION_DRAW + seed)


def use_hidden_loaders(s: Session, seed: int, num_train: int, num_val: int = 64) -> None:
    """Point the notebook's ``loader_train`` and ``loader_val`` at a draw of the stand-in made in the child from a
    secret seed (the given training loops read those globals)."""
    loaders = s.call_kept("cifar10_loaders", batch_size=64, num_train=num_train, num_val=num_val,
                          seed=TRAINING_DRAW + seed, stand_in=True)
    for split in ("train", "val"):
        s.assign(f"loader_{split}", loaders.call_kept("__getitem__", split))


def kaiming_ratio(values: np.ndarray, fan_in: int) -> float:
    """The standard deviation of ``values`` over the Kaiming-normal one, sqrt(2 / fan_in)."""
    return float(np.std(values) / np.sqrt(2.0 / fan_in))


def expect_kaiming(kit: Kit, values: np.ndarray, fan_in: int, what: str) -> None:
    """The weights have the Kaiming-normal scale, within ``KAIMING_BAND``."""
    ratio = kaiming_ratio(values, fan_in)
    kit.expect(abs(ratio - 1.0) <= KAIMING_BAND, "{what}: the standard deviation is {ratio:.2f} times the "
               "Kaiming-normal one, sqrt(2 / fan_in)", what=what, ratio=ratio)


def fan_in(shape: tuple[int, ...], matrix_rows_in: bool) -> int:
    """A weight's fan-in: rows for a matrix that multiplies rows of features (``x @ w``, barebones), columns for
    ``nn.Linear``'s (out, in), and C * KH * KW for a filter bank."""
    if len(shape) == 2:
        return shape[0] if matrix_rows_in else shape[1]
    return int(np.prod(shape[1:]))


def clear_optimizer(optimizer: Remote) -> None:
    """Forget the optimizer's state (momentum buffers), as if it had not stepped yet."""
    optimizer.call_kept("__getattribute__", "state").call("clear")


def module_recipe_scores(s: Session, steps_seed: int, images_seed: int) -> np.ndarray:
    """The cell's ``model`` and ``optimizer``, trained by ``train_part34`` for one epoch of 3 hidden batches from
    weights set here: the eval-mode scores of hidden images."""
    model, optimizer = s.get_kept("model"), s.get_kept("optimizer")
    set_module_weights(model, steps_seed)
    clear_optimizer(optimizer)
    use_hidden_loaders(s, steps_seed, num_train=192, num_val=16)
    s.call("train_part34", model, optimizer)
    model.call("eval")
    return model.call("forward", hidden_images(images_seed, 20)[0])


def module_accuracy(kit: Kit, seed: int) -> float:
    """One epoch of ``train_part34`` of the cell's ``model`` and ``optimizer`` (its own initialization) on hidden
    draw ``seed``; the validation accuracy computed here."""
    s = kit.session
    use_hidden_loaders(s, seed, TRAIN_IMAGES)
    model = s.get_kept("model")
    s.call("train_part34", model, s.get_kept("optimizer"))
    model.call("eval")
    images, labels = validation_images(seed)
    return kit.accuracy(kit.scores(model, images, "the validation scores"), labels, "the validation scores")
