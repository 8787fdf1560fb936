"""Data sets of the image assignments, one module per data set; every name is importable from here.

- ``common``: ``datasets_dir()`` (``<course root>/datasets``, or ``$COURSE_DATASETS``), ``COURSE_ROOT``,
  ``shown_folder``, ``iterate_minibatches`` and the helpers the generators share.
- ``cifar10``: the real pickled batches (``get_CIFAR10_data``, ``load_cifar10``, ``load_cifar_batch``,
  ``read_cifar10_images``), the stand-in ``synthetic_cifar10`` and ``load_cifar10_or_stand_in``.
- ``digits``: scikit-learn's 8x8 digits, ``load_digits_data``.
- ``gaze``: the instructor's files (``load_gaze``), the stand-in ``synthetic_gaze`` and ``load_gaze_or_stand_in``.
- ``mnist``: the idx files (``read_idx``, ``load_mnist``, ``mnist_present``), the stand-in ``digits_as_mnist``
  and ``load_mnist_or_digits``.

The image loaders return dicts with ``X_train``, ``y_train``, ``X_val``, ``y_val``, ``X_test`` and ``y_test``
(labels int64; MNIST has no validation split). When a real data set is absent, the ``*_or_stand_in`` loaders
fall back to a deterministic generator that runs offline in about a second and print one line saying which
they used; ``datasets/get_datasets`` downloads the public sets.
"""
from course_utils.data.cifar10 import (CIFAR10_CLASSES, CIFAR10_FOLDER, SYNTHETIC_CIFAR10_CLASSES, get_CIFAR10_data,
                                       load_cifar10, load_cifar10_or_stand_in, load_cifar_batch, read_cifar10_images,
                                       synthetic_cifar10)
from course_utils.data.common import COURSE_ROOT, datasets_dir, iterate_minibatches, shown_folder
from course_utils.data.digits import load_digits_data
from course_utils.data.gaze import (GAZE_FOLDER, GAZE_LAYOUT, GAZE_QUADRANTS, GAZE_SHAPE, GAZE_SPLITS, load_gaze,
                                    load_gaze_or_stand_in, synthetic_gaze)
from course_utils.data.mnist import (MNIST_FILES, MNIST_FOLDER, MNIST_SIDE, digits_as_mnist, load_mnist,
                                     load_mnist_or_digits, mnist_present, read_idx)

__all__ = [
    "CIFAR10_CLASSES", "CIFAR10_FOLDER", "COURSE_ROOT", "GAZE_FOLDER", "GAZE_LAYOUT", "GAZE_QUADRANTS", "GAZE_SHAPE",
    "GAZE_SPLITS", "MNIST_FILES", "MNIST_FOLDER", "MNIST_SIDE", "SYNTHETIC_CIFAR10_CLASSES", "datasets_dir",
    "digits_as_mnist", "get_CIFAR10_data", "iterate_minibatches", "load_cifar10", "load_cifar10_or_stand_in",
    "load_cifar_batch", "load_digits_data", "load_gaze", "load_gaze_or_stand_in", "load_mnist", "load_mnist_or_digits",
    "mnist_present", "read_cifar10_images", "read_idx", "shown_folder", "synthetic_cifar10", "synthetic_gaze",
]
