"""CIFAR-10 for PyTorch without torchvision: the datasets and loaders of the PyTorch notebook.

What ``torchvision.datasets.CIFAR10(..., transform=Compose([ToTensor(), Normalize(mean, std)]))`` and a
``DataLoader`` split by ``SubsetRandomSampler`` give, built on ``course_utils.data``: the real CIFAR-10 files when
they are installed (``datasets/cifar-10-batches-py``), else the built-in stand-in; ``cifar10_loaders`` prints
which one it uses. ``load_weights`` reads trained weights back, tensors only, as the grader of the PyTorch
notebook's challenge does.
"""
from __future__ import annotations

import io
import os

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, SubsetRandomSampler

from course_utils.data import CIFAR10_FOLDER, datasets_dir, read_cifar10_images, shown_folder, synthetic_cifar10
from course_utils.data.cifar10 import CIFAR10_MEAN, CIFAR10_STD, real_cifar10_installed


class NormalizedImages(Dataset):
    """Images with pixel values 0-255 and their labels. Item i is ``(image, label)``: the image as a float32
    tensor (3, H, W), scaled to [0, 1] and normalized per channel with ``mean`` and ``std`` (torchvision's
    ``ToTensor`` then ``Normalize``), and the label as an int.

    ``images``: (N, H, W, 3), as CIFAR-10 stores them, or (N, 3, H, W); ``labels``: (N,) integers.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, mean: tuple[float, ...] = CIFAR10_MEAN,
                 std: tuple[float, ...] = CIFAR10_STD) -> None:
        images, labels = np.asarray(images), np.asarray(labels)
        if images.ndim != 4 or 3 not in (images.shape[1], images.shape[3]) or labels.shape != (len(images),):
            raise ValueError(f"expected images (N, H, W, 3) or (N, 3, H, W) and N labels, got images "
                             f"{images.shape} and labels {labels.shape}")
        if images.size and (images.min() < 0 or images.max() > 255):
            raise ValueError("expected pixel values 0-255 (raw images, not normalized or mean-subtracted)")
        channels_first = images if images.shape[1] == 3 else images.transpose(0, 3, 1, 2)
        self.images = torch.from_numpy(np.ascontiguousarray(channels_first, dtype=np.uint8)
                                       if images.dtype == np.uint8 else
                                       np.ascontiguousarray(channels_first, dtype=np.float32))
        self.labels = [int(label) for label in labels]
        self.mean = torch.tensor(mean, dtype=torch.float32).reshape(3, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).reshape(3, 1, 1)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return (self.images[index].to(torch.float32) / 255.0 - self.mean) / self.std, self.labels[index]


def cifar10_datasets(num_train: int | None = None, num_val: int | None = None, num_test: int | None = None,
                     seed: int = 0, stand_in: bool = False) -> tuple[NormalizedImages, NormalizedImages, str]:
    """The training set (its first ``num_train`` images train, the next ``num_val`` validate), the test set and
    a line saying which data it is: the real files (all 50,000 and 10,000 images; the counts only check that they
    fit), else (or with ``stand_in``) a stand-in drawn with ``seed`` (by default 4,000 + 500 training and 500
    test images)."""
    folder = datasets_dir() / CIFAR10_FOLDER
    if not stand_in and real_cifar10_installed():
        X_train, y_train, X_test, y_test = read_cifar10_images(folder)
        source = f"the real CIFAR-10 data from {shown_folder(folder)}"
    else:
        counts = [default if count is None else count for count, default in zip((num_train, num_val, num_test),
                                                                                 (4000, 500, 500))]
        draw = synthetic_cifar10(counts[0] + counts[1], 0, counts[2], seed=seed, subtract_mean=False)
        X_train, y_train, X_test, y_test = draw["X_train"], draw["y_train"], draw["X_test"], draw["y_test"]
        source = f"the built-in CIFAR-10 stand-in ({shown_folder(folder)} not found)"
    needed = (num_train or 0) + (num_val or 0)
    if needed > len(X_train) or (num_test or 0) > len(X_test):
        raise ValueError(f"{needed} training and validation images and {num_test or 0} test images asked for, "
                         f"but {source} has {len(X_train)} and {len(X_test)}")
    return NormalizedImages(X_train, y_train), NormalizedImages(X_test, y_test), source


def cifar10_loaders(batch_size: int = 64, num_train: int | None = None, num_val: int | None = None,
                    seed: int = 0, stand_in: bool = False) -> dict[str, DataLoader]:
    """``train``, ``val`` and ``test`` loaders, as the notebook uses them: training batches drawn in a random
    order from the first ``num_train`` training images (49,000 of the real set, 4,000 of the stand-in), validation
    batches from the next ``num_val`` (1,000 or 500), and the whole test set in order. ``seed`` fixes the orders
    and the stand-in's draw; ``stand_in`` takes the stand-in even where the real files are installed. Prints which
    data it uses."""
    real = not stand_in and real_cifar10_installed()
    num_train = num_train if num_train is not None else 49000 if real else 4000
    num_val = num_val if num_val is not None else 1000 if real else 500
    train_set, test_set, source = cifar10_datasets(num_train, num_val, None, seed, stand_in)
    print(f"Using {source}: {num_train} training, {num_val} validation and {len(test_set)} test images.")
    orders = [torch.Generator().manual_seed(seed + offset) for offset in (0, 1)]
    return {
        "train": DataLoader(train_set, batch_size, sampler=SubsetRandomSampler(range(num_train), orders[0])),
        "val": DataLoader(train_set, batch_size, sampler=SubsetRandomSampler(range(num_train, num_train + num_val),
                                                                             orders[1])),
        "test": DataLoader(test_set, batch_size),
    }


def load_weights(model: torch.nn.Module, source: str | os.PathLike | bytes | np.ndarray | torch.Tensor,
                 map_location: str | torch.device = "cpu") -> torch.nn.Module:
    """Load a ``state_dict`` saved with ``torch.save`` into ``model`` (strictly: the same keys and shapes) and
    return the model. ``source``: the file's path, or its bytes (``bytes``, or a uint8 array or tensor). Tensors
    only (``weights_only=True``): a file that holds pickled code is refused, never run."""
    if not isinstance(source, (str, os.PathLike)):
        raw = bytes(source) if isinstance(source, (bytes, bytearray)) else np.asarray(source, np.uint8).tobytes()
        source = io.BytesIO(raw)
    model.load_state_dict(torch.load(source, map_location=map_location, weights_only=True))
    return model
