"""CIFAR-10: the real pickled batches (``cifar-10-batches-py``) and a built-in stand-in of coloured shapes.

Pickled batches are read as plain data only (``course_utils.safe_pickle``): a file that holds code is
refused, never run. ``load_cifar10_or_stand_in`` returns the real split when it is downloaded
(``datasets/get_datasets cifar10``) and ``synthetic_cifar10`` otherwise.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from course_utils import safe_pickle
from course_utils.data.common import (_bilinear_weights, _check_counts, _draw_split, _sizes, _split_dict, datasets_dir,
                                      shown_folder)

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)  # per channel, of the real training images scaled to [0, 1]
CIFAR10_STD = (0.2023, 0.1994, 0.2010)
SYNTHETIC_CIFAR10_CLASSES = (
    "red disc", "green square", "blue ring", "yellow horizontal stripes", "cyan vertical stripes",
    "magenta cross", "orange triangle", "purple checkerboard", "white blob", "brown frame",
)

_CIFAR_SIDE = 32
_CIFAR_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))


def real_cifar10_installed() -> bool:
    """Whether the real CIFAR-10 files are installed (``datasets/cifar-10-batches-py``)."""
    return (datasets_dir() / CIFAR10_FOLDER).is_dir()


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, 32, 32, 3) and int64 labels (N,) of one pickled batch, read as plain data only."""
    with open(path, "rb") as f:
        try:
            batch = safe_pickle.load(f, encoding="latin1")
        except safe_pickle.CodeInPickle as error:
            raise safe_pickle.CodeInPickle(f"{path}: {error}") from None
    if not isinstance(batch, dict) or "data" not in batch or "labels" not in batch:
        raise ValueError(f"{path} is not a CIFAR-10 batch: expected a dict with 'data' and 'labels'")
    data = np.asarray(batch["data"], dtype=np.uint8)
    labels = np.asarray(batch["labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * _CIFAR_SIDE**2 or labels.shape != (len(data),):
        raise ValueError(
            f"{path}: expected data (N, 3072) and N labels, got data {data.shape} and labels {labels.shape}"
        )
    images = data.reshape(len(data), 3, _CIFAR_SIDE, _CIFAR_SIDE).transpose(0, 2, 3, 1)
    return images, labels


def load_cifar_batch(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """One CIFAR-10 batch file: X float64 (N, 32, 32, 3) with values 0-255, y int64 (N,)."""
    images, labels = _read_cifar_batch(Path(path))
    return images.astype(np.float64), labels


def read_cifar10_images(root: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The uint8 images (N, 32, 32, 3) and int64 labels of ``cifar-10-batches-py`` at ``root``: training, test."""
    parts = [_read_cifar_batch(root / name) for name in _CIFAR_TRAIN_BATCHES]
    X_test, y_test = _read_cifar_batch(root / "test_batch")
    return np.concatenate([X for X, _ in parts]), np.concatenate([y for _, y in parts]), X_test, y_test


def load_cifar10(root: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All of ``cifar-10-batches-py`` at ``root``: (X_train, y_train, X_test, y_test).

    X arrays are float64 (N, 32, 32, 3) with values 0-255, y arrays int64; the
    training set concatenates ``data_batch_1`` to ``data_batch_5``.
    """
    X_train, y_train, X_test, y_test = read_cifar10_images(Path(root))
    return X_train.astype(np.float64), y_train, X_test.astype(np.float64), y_test


def _missing_cifar_message(folder: Path) -> str:
    return (
        f"CIFAR-10 not found in {folder}. Run `datasets/get_datasets cifar10` to download it, "
        "or use course_utils.data.load_cifar10_or_stand_in() for the built-in stand-in."
    )


def get_CIFAR10_data(
    num_training: int = 49000,
    num_validation: int = 1000,
    num_test: int = 1000,
    subtract_mean: bool = True,
    cifar10_dir: str | os.PathLike | None = None,
) -> dict[str, np.ndarray]:
    """CIFAR-10 split for training: X float64 (N, 3, 32, 32), y int64 (N,).

    Training images are the first ``num_training`` of the 50000, validation the
    next ``num_validation``, test the first ``num_test`` test images. With
    ``subtract_mean`` the mean training image is subtracted from all three.
    ``cifar10_dir`` defaults to ``datasets_dir() / "cifar-10-batches-py"``.
    """
    _check_counts(num_training=num_training, num_validation=num_validation, num_test=num_test)
    if subtract_mean and num_training == 0:
        raise ValueError("subtract_mean needs at least one training image")
    folder = Path(cifar10_dir) if cifar10_dir is not None else datasets_dir() / CIFAR10_FOLDER
    if not folder.is_dir():
        raise FileNotFoundError(_missing_cifar_message(folder))
    X_all, y_all, X_test_all, y_test_all = read_cifar10_images(folder)
    if num_training + num_validation > len(X_all):
        raise ValueError(
            f"num_training + num_validation = {num_training + num_validation} exceeds the {len(X_all)} training images"
        )
    if num_test > len(X_test_all):
        raise ValueError(f"num_test = {num_test} exceeds the {len(X_test_all)} test images")
    X_train = X_all[:num_training].astype(np.float64)
    X_val = X_all[num_training:num_training + num_validation].astype(np.float64)
    X_test = X_test_all[:num_test].astype(np.float64)
    if subtract_mean:
        mean_image = X_train.mean(axis=0)
        X_train -= mean_image
        X_val -= mean_image
        X_test -= mean_image
    return _split_dict(
        np.ascontiguousarray(X_train.transpose(0, 3, 1, 2)), y_all[:num_training],
        np.ascontiguousarray(X_val.transpose(0, 3, 1, 2)), y_all[num_training:num_training + num_validation],
        np.ascontiguousarray(X_test.transpose(0, 3, 1, 2)), y_test_all[:num_test],
    )


_SYNTHETIC_COLOURS = np.array(
    [
        [0.85, 0.15, 0.15], [0.2, 0.7, 0.2], [0.2, 0.3, 0.85], [0.9, 0.85, 0.2], [0.2, 0.8, 0.85],
        [0.85, 0.2, 0.8], [0.95, 0.55, 0.1], [0.5, 0.2, 0.65], [0.92, 0.92, 0.92], [0.5, 0.32, 0.15],
    ]
)


def _shape_alpha(label: int, u: np.ndarray, v: np.ndarray, size: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Coverage in [0, 1] of class ``label``'s shape at shape coordinates ``u``, ``v`` (radius 1), (m, 32, 32)."""
    radial = np.sqrt(u**2 + v**2)
    box = np.maximum(np.abs(u), np.abs(v))
    if label == 8:
        return np.exp(-2.0 * radial**2)
    if label in (3, 4, 7):
        stripes = np.cos(np.pi * size * v / period)
        if label == 7:
            stripes *= np.cos(np.pi * size * u / period)
        return np.clip(0.5 - (box - 1.0) * size, 0.0, 1.0) * np.clip(0.5 + 2.0 * stripes, 0.0, 1.0)
    outside = {
        0: radial - 1.0,
        1: box - 0.8,
        2: np.abs(radial - 0.75) - 0.25,
        5: np.minimum(np.maximum(np.abs(u) - 0.3, np.abs(v) - 1.0), np.maximum(np.abs(v) - 0.3, np.abs(u) - 1.0)),
        6: np.maximum(v, 0.866 * np.abs(u) - 0.5 * v) - 0.5,
        9: np.abs(box - 0.7) - 0.2,
    }[label]
    return np.clip(0.5 - outside * size, 0.0, 1.0)


def _render_cifar(rng: np.random.Generator, image: np.ndarray, labels: np.ndarray) -> None:
    """Draw images of classes ``labels`` (n,) into ``image``, float64 (n, 3, 32, 32), values 0-255."""
    n, _, side, _ = image.shape
    background = 0.5 + 0.8 * (rng.uniform(0.0, 1.0, (n, 3)) - 0.5)
    shading = rng.normal(0.0, 1.0, (n, 3, 4, 4)) * rng.uniform(0.0, 0.15, (n, 1, 1, 1))
    weights = _bilinear_weights(side, 4).astype(np.float64)
    image[:] = background[:, :, None, None] + weights @ shading @ weights.T
    own_colour = rng.uniform(0.0, 1.0, n) < 0.75
    colour = np.where(own_colour[:, None], _SYNTHETIC_COLOURS[labels], rng.uniform(0.0, 1.0, (n, 3)))
    colour = np.clip(colour + rng.normal(0.0, 0.12, (n, 3)), 0.0, 1.0)
    centre = rng.uniform(9.0, 23.0, (n, 2))
    size = rng.uniform(6.0, 11.0, n)
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    angle = np.where(labels == 3, rng.normal(0.0, 0.2, n), angle)
    angle = np.where(labels == 4, np.pi / 2 + rng.normal(0.0, 0.2, n), angle)
    period = rng.uniform(2.0, 3.0, n)
    pixels = np.arange(side, dtype=np.float64)
    dy = (pixels[None, :, None] - centre[:, 0, None, None]) / size[:, None, None]
    dx = (pixels[None, None, :] - centre[:, 1, None, None]) / size[:, None, None]
    cos, sin = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    u, v = cos * dx + sin * dy, cos * dy - sin * dx
    alpha = np.empty((n, side, side))
    for label in range(10):
        members = labels == label
        alpha[members] = _shape_alpha(
            label, u[members], v[members], size[members, None, None], period[members, None, None]
        )
    image += alpha[:, None] * (colour[:, :, None, None] - image)
    image += rng.uniform(-0.5, 0.5, image.shape) * rng.uniform(0.1, 0.3, (n, 1, 1, 1))
    np.clip(image, 0.0, 1.0, out=image)
    image *= 255.0


def synthetic_cifar10(
    num_training: int = 4000, num_validation: int = 500, num_test: int = 500, seed: int = 0,
    subtract_mean: bool = True,
) -> dict[str, np.ndarray | tuple[str, ...]]:
    """Built-in stand-in for ``get_CIFAR10_data``: ten classes of coloured shapes on noisy backgrounds.

    X float64 (N, 3, 32, 32): pixel values 0-255 minus the mean training image (the raw
    values without ``subtract_mean``); y int64 (N,) in 0-9, balanced to within one image per
    split; ``class_names`` names the ten classes. Each split is an independent draw (sub-seed
    ``[seed, split]``).
    """
    _check_counts(num_training=num_training, num_validation=num_validation, num_test=num_test)
    if num_training == 0 and subtract_mean:
        raise ValueError("the mean training image needs at least one training image")
    shape = (3, _CIFAR_SIDE, _CIFAR_SIDE)
    splits = [_draw_split(_render_cifar, np.random.default_rng([seed, split]), 10, (count, *shape), np.float64)
              for split, count in enumerate((num_training, num_validation, num_test))]
    if subtract_mean:
        mean_image = splits[0][0].mean(axis=0)
        for X, _ in splits:
            X -= mean_image
    return {**_split_dict(*(array for split in splits for array in split)), "class_names": SYNTHETIC_CIFAR10_CLASSES}


def load_cifar10_or_stand_in(
    num_training: int | None = None,
    num_validation: int | None = None,
    num_test: int | None = None,
    seed: int = 0,
) -> dict[str, np.ndarray | tuple[str, ...]]:
    """``get_CIFAR10_data`` if CIFAR-10 is downloaded, else ``synthetic_cifar10``; prints one line saying which.

    Counts left as None take the chosen source's defaults (49000/1000/1000 for
    the real set, 4000/500/500 for the stand-in); ``seed`` only affects the
    stand-in. Both return X float64 (N, 3, 32, 32) minus the mean training
    image, y int64, and ``class_names``.
    """
    folder = datasets_dir() / CIFAR10_FOLDER
    found = folder.is_dir()
    defaults = (49000, 1000, 1000) if found else (4000, 500, 500)
    counts = [default if count is None else count
              for count, default in zip((num_training, num_validation, num_test), defaults)]
    if not found:
        data = synthetic_cifar10(*counts, seed=seed)
        print(f"Using the built-in CIFAR-10 stand-in ({shown_folder(folder)} not found): {_sizes(data)}.")
        return data
    data = get_CIFAR10_data(*counts, cifar10_dir=folder)
    print(f"Using the real CIFAR-10 data from {shown_folder(folder)}: {_sizes(data)}.")
    return {**data, "class_names": CIFAR10_CLASSES}
