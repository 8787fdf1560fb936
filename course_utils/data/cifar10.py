"""Data sets of the image assignments: CIFAR-10, digits, gaze, and built-in stand-ins.

The real CIFAR-10 and gaze files live in the datasets folder, ``<course root>/datasets``
unless the environment variable ``COURSE_DATASETS`` names another folder. When they
are absent, ``load_cifar10_or_stand_in`` and ``load_gaze_or_stand_in`` fall back to
the deterministic generators ``synthetic_cifar10`` and ``synthetic_gaze``, which run
offline in about a second. ``datasets/get_datasets`` downloads CIFAR-10.

Every loader returns a dict with ``X_train``, ``y_train``, ``X_val``, ``y_val``,
``X_test`` and ``y_test``; labels are always int64. The MNIST loaders (the real idx
files, ``load_mnist``, or scikit-learn's digits laid out like MNIST,
``digits_as_mnist``; ``load_mnist_or_digits`` picks one) return the train and test
splits only, as the MNIST lab uses them. Pickled CIFAR-10 batches are read as plain data
only (``course_utils.safe_pickle``): a file that holds code is refused, never run.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from course_utils import safe_pickle

COURSE_ROOT = Path(__file__).resolve().parents[2]

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
CIFAR10_FOLDER = "cifar-10-batches-py"
GAZE_FOLDER = "MPIIFaceGaze"
GAZE_SHAPE = (36, 120)
GAZE_SPLITS = ("train", "val", "test")
GAZE_QUADRANTS = ("up-right", "up-left", "down-left", "down-right")
GAZE_LAYOUT = (
    "Image/train.npy, Image/val.npy, Image/test.npy: uint8 (0-255) or float (0-1) arrays of shape (N, 36, 120); "
    "Label/train.npy, Label/val.npy, Label/test.npy: integer arrays of shape (N,) with values 0-3"
)
SYNTHETIC_CIFAR10_CLASSES = (
    "red disc", "green square", "blue ring", "yellow horizontal stripes", "cyan vertical stripes",
    "magenta cross", "orange triangle", "purple checkerboard", "white blob", "brown frame",
)

_CIFAR_SIDE = 32
_CIFAR_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_CHUNK = 256


def datasets_dir() -> Path:
    """The datasets folder: ``$COURSE_DATASETS`` if set, else ``<course root>/datasets``."""
    override = os.environ.get("COURSE_DATASETS", "").strip()
    return Path(override).expanduser() if override else COURSE_ROOT / "datasets"


def _split_dict(*arrays: np.ndarray) -> dict[str, np.ndarray]:
    """X_train, y_train, X_val, y_val, X_test, y_test, in that order, under their names."""
    return dict(zip(("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"), arrays, strict=True))


def _check_counts(**counts: int) -> None:
    for name, value in counts.items():
        if int(value) != value or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


# ---------------------------------------------------------------- CIFAR-10 (real files)


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


# ---------------------------------------------------------------- digits (scikit-learn, offline)


def load_digits_data(num_validation: int = 300, num_test: int = 300, seed: int = 0) -> dict[str, np.ndarray]:
    """scikit-learn's 1797 handwritten digits, shuffled with ``default_rng(seed)`` and split.

    X float64 (N, 1, 8, 8) scaled from 0-16 to [0, 1], y int64 (N,) in 0-9;
    validation and test take ``num_validation`` and ``num_test`` images, training the rest.
    """
    from sklearn.datasets import load_digits

    _check_counts(num_validation=num_validation, num_test=num_test)
    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float64)[:, None]
    y = digits.target.astype(np.int64)
    if num_validation + num_test >= len(X):
        raise ValueError(f"num_validation + num_test must leave training images out of {len(X)}")
    order = np.random.default_rng(seed).permutation(len(X))
    val, test, train = np.split(order, [num_validation, num_validation + num_test])
    return _split_dict(X[train], y[train], X[val], y[val], X[test], y[test])


# ---------------------------------------------------------------- gaze stand-in


def _bilinear_weights(size: int, knots: int) -> np.ndarray:
    """(size, knots) float32 matrix that interpolates ``knots`` values linearly onto ``size`` pixels."""
    position = np.linspace(0.0, knots - 1.0, size)
    return np.clip(1.0 - np.abs(position[:, None] - np.arange(knots)[None, :]), 0.0, None).astype(np.float32)


def _per_image(values: np.ndarray) -> np.ndarray:
    """(n,) values as float32 (n, 1, 1), ready to broadcast against (n, H, W) images."""
    return values.astype(np.float32)[:, None, None]


def _soft_disc(rows: np.ndarray, cols: np.ndarray, centre_y, centre_x, radius) -> np.ndarray:
    """Antialiased discs: 1 inside, 0 outside, a one-pixel ramp at the rim; float32 (n, H, W)."""
    disc = (cols - centre_x) ** 2 + (rows - centre_y) ** 2
    np.sqrt(disc, out=disc)
    np.subtract(radius + 0.5, disc, out=disc)
    return np.clip(disc, 0.0, 1.0, out=disc)


def _render_gaze(rng: np.random.Generator, image: np.ndarray, quadrant: np.ndarray) -> None:
    """Draw eye strips gazing into quadrants ``quadrant`` (n,) into ``image``, float32 (n, 36, 120), in [0, 1].

    Each eye is drawn inside a 72-column window at its end of the strip, which is all it can cover.
    """
    n, height, width = image.shape
    window = 72
    gaze_x = np.where((quadrant == 0) | (quadrant == 3), 1.0, -1.0) * rng.uniform(0.0, 1.0, n)
    gaze_y = np.where(quadrant <= 1, 1.0, -1.0) * rng.uniform(0.0, 1.0, n)
    # The iris sits where a noisy (head-relative) view of the gaze points; the pupil's
    # offset from the iris centre, where the glint stays, follows the true gaze closely.
    head_gaze_x = gaze_x + rng.normal(0.0, 0.5, n)
    head_gaze_y = gaze_y + rng.normal(0.0, 0.5, n)
    eye_gaze_x = gaze_x + rng.normal(0.0, 0.05, n)
    eye_gaze_y = gaze_y + rng.normal(0.0, 0.05, n)
    pupil_shift_x = np.sign(eye_gaze_x) * np.sqrt(np.abs(eye_gaze_x))
    pupil_shift_y = np.sign(eye_gaze_y) * np.sqrt(np.abs(eye_gaze_y))
    zoom = rng.uniform(0.8, 1.2, n)
    reach = rng.uniform(0.8, 1.2, n) * zoom
    head_y, head_x = rng.uniform(-4.0, 4.0, n), rng.uniform(-6.0, 6.0, n)
    roll, spread = rng.uniform(-2.0, 2.0, n), rng.uniform(-3.0, 3.0, n)
    half_height, half_width = rng.uniform(9.0, 11.0, n) * zoom, rng.uniform(20.0, 24.0, n) * zoom
    iris_radius = rng.uniform(5.0, 7.0, n) * zoom
    vergence = rng.uniform(0.0, 1.5, n)
    sclera, iris, pupil = rng.uniform(0.7, 0.95, n), rng.uniform(0.35, 0.55, n), rng.uniform(0.0, 0.1, n)
    skin = rng.uniform(0.3, 0.65, n)
    lid_drop, lid_slope = rng.uniform(0.0, 0.5, n) * half_height, rng.uniform(-0.1, 0.1, n)
    tilt_x, tilt_y = rng.uniform(-0.25, 0.25, n), rng.uniform(-0.25, 0.25, n)
    shading = rng.normal(0.0, 1.0, (n, 3, 7)).astype(np.float32) * _per_image(rng.uniform(0.0, 0.15, n))
    noise = rng.uniform(0.03, 0.08, n)

    rows = np.arange(height, dtype=np.float32)[None, :, None]
    cols = np.arange(window, dtype=np.float32)[None, None, :]
    image[:] = _per_image(skin)
    # side is +1 for the eye on the left of the image and -1 for the other: roll, spread and vergence mirror
    for side, start, centre_column in ((1.0, 0, 29.5), (-1.0, width - window, 89.5)):
        centre_y = _per_image(17.5 + head_y + side * roll)
        centre_x = _per_image(centre_column - start + head_x - side * spread)
        ramp = _per_image(half_height / 2)
        across = (ramp + 0.5) - ramp * ((cols - centre_x) / _per_image(half_width)) ** 2
        opening = across - ramp * ((rows - centre_y) / _per_image(half_height)) ** 2
        np.clip(opening, 0.0, 1.0, out=opening)
        lid = centre_y - _per_image(half_height - lid_drop + 0.5) + _per_image(lid_slope) * (cols - centre_x)
        below_lid = rows - lid
        opening *= np.clip(below_lid, 0.0, 1.0, out=below_lid)
        iris_y = centre_y - _per_image(4.0 * reach * head_gaze_y)
        iris_x = centre_x + _per_image(9.0 * reach * head_gaze_x + side * vergence)
        pupil_y = iris_y - _per_image(0.65 * iris_radius * pupil_shift_y)
        pupil_x = iris_x + _per_image(0.65 * iris_radius * pupil_shift_x)
        eye = _soft_disc(rows, cols, iris_y, iris_x, _per_image(iris_radius))
        eye *= _per_image(iris - sclera)
        eye += _per_image(sclera)
        pupil_disc = _soft_disc(rows, cols, pupil_y, pupil_x, _per_image(0.45 * iris_radius))
        eye += pupil_disc * (_per_image(pupil) - eye)
        glint = (cols - iris_x) ** 2 + (rows - iris_y) ** 2
        np.subtract(1.5, glint, out=glint)
        np.maximum(eye, glint, out=eye)
        region = image[:, :, start:start + window]
        eye -= region
        eye *= opening
        region += eye
    x_ramp = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, None, :]
    y_ramp = np.linspace(-1.0, 1.0, height, dtype=np.float32)[None, :, None]
    image *= 1.0 + _per_image(tilt_x) * x_ramp + _per_image(tilt_y) * y_ramp
    image += _bilinear_weights(height, 3) @ shading @ _bilinear_weights(width, 7).T
    image += (rng.random(image.shape, dtype=np.float32) - 0.5) * _per_image(np.sqrt(12.0) * noise)
    np.clip(image, 0.0, 1.0, out=image)


def _draw_split(
    render: Callable[[np.random.Generator, np.ndarray, np.ndarray], None],
    rng: np.random.Generator,
    num_classes: int,
    shape: tuple[int, ...],
    dtype: type,
) -> tuple[np.ndarray, np.ndarray]:
    """Balanced labels int64 (N,) in random order, and images of ``shape`` drawn by ``render`` in chunks.

    Chunks of ``_CHUNK`` images keep the temporaries small enough to stay in cache.
    """
    y = rng.permutation(np.arange(shape[0]) % num_classes).astype(np.int64)
    X = np.empty(shape, dtype)
    for start in range(0, shape[0], _CHUNK):
        render(rng, X[start:start + _CHUNK], y[start:start + _CHUNK])
    return X, y


def synthetic_gaze(
    num_train: int = 4000, num_val: int = 1000, num_test: int = 1000, seed: int = 0
) -> dict[str, np.ndarray]:
    """Built-in stand-in for the gaze data: two rendered eyes per grayscale strip.

    X float32 (N, 36, 120) in [0, 1]; y int64 (N,) is the gaze quadrant in image
    terms (``GAZE_QUADRANTS``): 0 = up-right, 1 = up-left, 2 = down-left,
    3 = down-right, where "up" means the iris and pupil move towards row 0 and
    "right" towards the last column. Each split is an independent draw
    (sub-seed ``[seed, split]``) with classes balanced to within one image.
    """
    _check_counts(num_train=num_train, num_val=num_val, num_test=num_test)
    splits = [_draw_split(_render_gaze, np.random.default_rng([seed, split]), 4, (count, *GAZE_SHAPE), np.float32)
              for split, count in enumerate((num_train, num_val, num_test))]
    return _split_dict(*(array for split in splits for array in split))


# ---------------------------------------------------------------- CIFAR-10 stand-in

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


# ---------------------------------------------------------------- gaze (instructor's files) and fallbacks


def _gaze_array(path: Path, kind: str) -> np.ndarray:
    if not path.is_file():
        raise FileNotFoundError(f"missing {path}; expected layout: {GAZE_LAYOUT}")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as error:
        raise ValueError(f"{path} is not a plain .npy array: {error}") from error
    if kind == "Image":
        if array.ndim != 3 or array.shape[1:] != GAZE_SHAPE:
            raise ValueError(f"{path}: expected images of shape (N, 36, 120), got {array.shape}")
        if array.dtype == np.uint8:
            return (array / np.float32(255)).astype(np.float32)
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(f"{path}: expected uint8 or float images, got dtype {array.dtype}")
        if array.size and not (np.isfinite(array).all() and array.min() >= 0.0 and array.max() <= 1.0):
            raise ValueError(f"{path}: float images must lie in [0, 1]")
        return array.astype(np.float32)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{path}: expected integer labels of shape (N,), got {array.dtype} {array.shape}")
    if array.size and (array.min() < 0 or array.max() > 3):
        raise ValueError(f"{path}: labels must be quadrants 0-3, found {array.min()}..{array.max()}")
    return array.astype(np.int64)


def load_gaze(directory: str | os.PathLike | None = None) -> dict[str, np.ndarray]:
    """The instructor's gaze files: X float32 (N, 36, 120) in [0, 1], y int64 (N,) quadrants 0-3.

    ``directory`` (default ``datasets_dir() / "MPIIFaceGaze"``) holds
    ``Image/{train,val,test}.npy`` and ``Label/{train,val,test}.npy``; uint8
    images are divided by 255. Quadrants are numbered as in ``synthetic_gaze``.
    """
    folder = Path(directory) if directory is not None else datasets_dir() / GAZE_FOLDER
    if not folder.is_dir():
        raise FileNotFoundError(f"gaze data not found: {folder} does not exist; expected layout: {GAZE_LAYOUT}")
    arrays = []
    for split in GAZE_SPLITS:
        images = _gaze_array(folder / "Image" / f"{split}.npy", "Image")
        labels = _gaze_array(folder / "Label" / f"{split}.npy", "Label")
        if len(images) != len(labels):
            raise ValueError(
                f"{folder}: Image/{split}.npy has {len(images)} images but Label/{split}.npy has {len(labels)} labels"
            )
        arrays += [images, labels]
    return _split_dict(*arrays)


def _subsample(X: np.ndarray, y: np.ndarray, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """At most ``count`` rows, chosen at random (order kept) when there are more."""
    if len(X) <= count:
        return X, y
    keep = np.sort(rng.choice(len(X), size=count, replace=False))
    return X[keep], y[keep]


def shown_folder(folder: Path) -> str:
    """``folder`` relative to the course root when inside it, else in full."""
    try:
        return str(folder.resolve().relative_to(COURSE_ROOT))
    except ValueError:
        return str(folder)


def _sizes(data: dict[str, np.ndarray]) -> str:
    return f"{len(data['y_train'])} train / {len(data['y_val'])} val / {len(data['y_test'])} test"


def load_gaze_or_stand_in(
    directory: str | os.PathLike | None = None,
    num_train: int = 4000,
    num_val: int = 1000,
    num_test: int = 1000,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """``load_gaze(directory)`` if that folder exists, else ``synthetic_gaze``; prints one line saying which.

    Real splits larger than requested are subsampled with ``default_rng(seed)``;
    smaller ones are used whole. A folder that exists but is broken raises
    ``load_gaze``'s error instead of falling back. Returns the six keys of ``load_gaze``.
    """
    _check_counts(num_train=num_train, num_val=num_val, num_test=num_test)
    folder = Path(directory) if directory is not None else datasets_dir() / GAZE_FOLDER
    if not folder.is_dir():
        data = synthetic_gaze(num_train, num_val, num_test, seed=seed)
        print(f"Using the built-in gaze stand-in ({shown_folder(folder)} not found): {_sizes(data)}.")
        return data
    full = load_gaze(folder)
    rng = np.random.default_rng(seed)
    arrays = []
    for split, count in zip(GAZE_SPLITS, (num_train, num_val, num_test)):
        arrays += _subsample(full[f"X_{split}"], full[f"y_{split}"], count, rng)
    data = _split_dict(*arrays)
    print(f"Using the real gaze data from {shown_folder(folder)}: {_sizes(data)}.")
    return data


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


# ---------------------------------------------------------------- minibatches


def iterate_minibatches(
    X: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True, seed: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (X_batch, y_batch) pairs that cover every example once; the last batch may be smaller.

    With ``shuffle`` the order is a permutation from ``default_rng(seed)``,
    otherwise the stored order. Works for numpy arrays and torch tensors alike.
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    order = np.random.default_rng(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]


# ---------------------------------------------------------------- MNIST (real idx files) and its digits stand-in

MNIST_FOLDER = "MNIST"
MNIST_FILES = {
    "X_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
    "X_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte",
}
MNIST_SIDE = 28
_IDX_UBYTE = 0x08


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """One idx file (plain, or gzip-compressed when its name ends in ``.gz``) as a uint8 array.

    The idx format: two zero bytes, a type byte (0x08 = unsigned byte, the only type MNIST uses), a byte
    giving the number of dimensions, one big-endian int32 per dimension, then the values in C order. The
    magic number, the dimensions and the length of the data are checked, and errors name the file.
    """
    import gzip

    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as error:  # EOFError: a truncated gzip stream
        raise ValueError(f"{path}: cannot be read as an idx file ({error})") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an idx file (bad magic number {raw[:4].hex() or 'missing'})")
    if raw[2] != _IDX_UBYTE:
        raise ValueError(f"{path}: idx type 0x{raw[2]:02x} is not supported (MNIST files hold unsigned bytes, 0x08)")
    ndim = raw[3]
    if ndim < 1 or len(raw) < 4 + 4 * ndim:
        raise ValueError(f"{path}: idx header with {ndim} dimensions is truncated or empty")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64))
    body = len(raw) - 4 - 4 * ndim
    if body != expected:
        raise ValueError(f"{path}: the header promises {expected} values of shape {shape} but the file holds {body} "
                         "(truncated or corrupt)")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()


def _mnist_file(folder: Path, name: str) -> Path:
    for candidate in (folder / name, folder / f"{name}.gz", folder / "raw" / name, folder / "raw" / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"missing {folder / name} (or {name}.gz, also looked in raw/); run "
                            "`datasets/get_datasets mnist` to download MNIST")


def mnist_present(folder: str | os.PathLike | None = None) -> bool:
    """Whether all four MNIST idx files are in ``folder`` (default ``datasets_dir() / "MNIST"``)."""
    folder = Path(folder) if folder is not None else datasets_dir() / MNIST_FOLDER
    try:
        for name in MNIST_FILES.values():
            _mnist_file(folder, name)
    except FileNotFoundError:
        return False
    return True


def load_mnist(folder: str | os.PathLike | None = None) -> dict[str, np.ndarray]:
    """MNIST from its four idx files: X float32 (N, 1, 28, 28) in [0, 1] (bytes / 255, as torchvision's
    ``ToTensor``), y int64 (N,) in 0-9; keys ``X_train``, ``y_train`` (60000) and ``X_test``, ``y_test`` (10000).

    ``folder`` (default ``datasets_dir() / "MNIST"``) holds ``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, plain or ``.gz``,
    directly or in ``raw/`` (torchvision's layout). Shapes, label range and matching counts are checked.
    """
    folder = Path(folder) if folder is not None else datasets_dir() / MNIST_FOLDER
    if not folder.is_dir():
        raise FileNotFoundError(f"MNIST not found: {folder} does not exist; run `datasets/get_datasets mnist`")
    data = {}
    for split in ("train", "test"):
        images_path = _mnist_file(folder, MNIST_FILES[f"X_{split}"])
        labels_path = _mnist_file(folder, MNIST_FILES[f"y_{split}"])
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or images.shape[1:] != (MNIST_SIDE, MNIST_SIDE):
            raise ValueError(f"{images_path}: expected images of shape (N, 28, 28), got {images.shape}")
        if labels.ndim != 1:
            raise ValueError(f"{labels_path}: expected labels of shape (N,), got {labels.shape}")
        if len(images) != len(labels):
            raise ValueError(f"{images_path.name} holds {len(images)} images but {labels_path.name} holds "
                             f"{len(labels)} labels")
        if labels.size and labels.max() > 9:
            raise ValueError(f"{labels_path}: labels must be digits 0-9, found {labels.max()}")
        data[f"X_{split}"] = (images[:, None] / np.float32(255)).astype(np.float32)
        data[f"y_{split}"] = labels.astype(np.int64)
    return {key: data[key] for key in ("X_train", "y_train", "X_test", "y_test")}


def digits_as_mnist(num_test: int = 360, seed: int = 0) -> dict[str, np.ndarray]:
    """scikit-learn's 8x8 digits laid out like MNIST: X float32 (N, 1, 28, 28) in [0, 1], y int64 (N,).

    ``load_digits_data(num_validation=0, num_test=num_test, seed=seed)`` (1797 images), each image stretched
    bilinearly to 20x20 and centred in a 28x28 frame of zeros, as MNIST centres its 20x20 digits.
    Keys ``X_train``, ``y_train``, ``X_test``, ``y_test``.
    """
    digits = load_digits_data(num_validation=0, num_test=num_test, seed=seed)
    stretch = _bilinear_weights(20, 8).astype(np.float64)
    out = {}
    for split in ("train", "test"):
        small = digits[f"X_{split}"][:, 0]
        big = np.zeros((len(small), 1, MNIST_SIDE, MNIST_SIDE), dtype=np.float32)
        big[:, 0, 4:24, 4:24] = np.clip(stretch @ small @ stretch.T, 0.0, 1.0)
        out[f"X_{split}"], out[f"y_{split}"] = big, digits[f"y_{split}"]
    return out


def load_mnist_or_digits(folder: str | os.PathLike | None = None, num_test: int = 360,
                         seed: int = 0) -> dict[str, np.ndarray]:
    """``load_mnist(folder)`` if the MNIST files are there, else ``digits_as_mnist(num_test, seed)``; prints one
    line saying which. A folder with all four files that are broken raises ``load_mnist``'s error."""
    folder = Path(folder) if folder is not None else datasets_dir() / MNIST_FOLDER
    if not mnist_present(folder):
        data = digits_as_mnist(num_test, seed)
        reason = "incomplete: run datasets/get_datasets mnist" if folder.is_dir() else "not found"
        print(f"Using scikit-learn's digits as a stand-in for MNIST ({shown_folder(folder)} {reason}): "
              f"{len(data['y_train'])} train / {len(data['y_test'])} test images, 8x8 stretched to 28x28.")
        return data
    data = load_mnist(folder)
    print(f"Using the real MNIST data from {shown_folder(folder)}: {len(data['y_train'])} train / "
          f"{len(data['y_test'])} test images.")
    return data
