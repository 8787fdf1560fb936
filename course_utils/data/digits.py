"""scikit-learn's handwritten 8x8 digits, split like the other image data sets (offline, no download)."""
from __future__ import annotations

import numpy as np

from course_utils.data.common import _check_counts, _split_dict


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
