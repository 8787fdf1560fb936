"""MNIST: the four idx files (plain or gzip) and scikit-learn's digits laid out like MNIST as its stand-in.

These loaders return the train and test splits only, as the MNIST lab uses them;
``load_mnist_or_digits`` picks the real files when all four are present.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from course_utils.data.common import _bilinear_weights, datasets_dir, shown_folder
from course_utils.data.digits import load_digits_data

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
