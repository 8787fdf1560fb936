"""What the data-set modules share: where the data sets live, split dicts, count checks, drawing helpers.

``datasets_dir()`` is ``<course root>/datasets`` unless the environment variable ``COURSE_DATASETS`` names
another folder; every loader looks there, and ``datasets/get_datasets`` downloads into the same place.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from course_utils.settings import datasets_dir  # noqa: F401 - where every loader looks

COURSE_ROOT = Path(__file__).resolve().parents[2]

_CHUNK = 256


def _split_dict(*arrays: np.ndarray) -> dict[str, np.ndarray]:
    """X_train, y_train, X_val, y_val, X_test, y_test, in that order, under their names."""
    return dict(zip(("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"), arrays, strict=True))


def _check_counts(**counts: int) -> None:
    for name, value in counts.items():
        if int(value) != value or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def _bilinear_weights(size: int, knots: int) -> np.ndarray:
    """(size, knots) float32 matrix that interpolates ``knots`` values linearly onto ``size`` pixels."""
    position = np.linspace(0.0, knots - 1.0, size)
    return np.clip(1.0 - np.abs(position[:, None] - np.arange(knots)[None, :]), 0.0, None).astype(np.float32)


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


def shown_folder(folder: Path) -> str:
    """``folder`` relative to the course root when inside it, else in full."""
    try:
        return str(folder.resolve().relative_to(COURSE_ROOT))
    except ValueError:
        return str(folder)


def _sizes(data: dict[str, np.ndarray]) -> str:
    return f"{len(data['y_train'])} train / {len(data['y_val'])} val / {len(data['y_test'])} test"


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
