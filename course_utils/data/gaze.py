"""Gaze quadrants: the instructor's eye-strip files (``MPIIFaceGaze``) and a built-in stand-in of rendered eyes.

``load_gaze_or_stand_in`` returns the real files when their folder exists and ``synthetic_gaze`` otherwise.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from course_utils.data.common import (_bilinear_weights, _check_counts, _draw_split, _sizes, _split_dict, datasets_dir,
                                      shown_folder)

GAZE_FOLDER = "MPIIFaceGaze"
GAZE_SHAPE = (36, 120)
GAZE_SPLITS = ("train", "val", "test")
GAZE_QUADRANTS = ("up-right", "up-left", "down-left", "down-right")
GAZE_LAYOUT = (
    "Image/train.npy, Image/val.npy, Image/test.npy: uint8 (0-255) or float (0-1) arrays of shape (N, 36, 120); "
    "Label/train.npy, Label/val.npy, Label/test.npy: integer arrays of shape (N,) with values 0-3"
)


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
