import numpy as np
import pytest
import torch

from course_utils.spiral import SPIRAL_SETTINGS, accuracy_from_logits, generate_spiral, spiral_tensors, train_val_split


def test_assignment_spiral_matches_recorded_fingerprint():
    X, y = generate_spiral(**SPIRAL_SETTINGS)
    assert X.dtype == np.float32 and y.dtype == np.int64 and X.shape == (300, 2)
    np.testing.assert_allclose(X[0], [0.01523585, -0.00793174], atol=1e-7)
    np.testing.assert_allclose(X[150], [0.08636751, -0.00655688], atol=1e-7)
    assert X.sum() == pytest.approx(-0.784953, abs=1e-4)
    assert np.abs(X).max() == pytest.approx(1.0470318, abs=1e-6)
    assert (y[:150] == 0).all() and (y[150:] == 1).all()


def test_split_sizes_and_class_counts():
    X, y = generate_spiral(**SPIRAL_SETTINGS)
    Xtr, ytr, Xva, yva = train_val_split(X, y, val_ratio=0.2, seed=0)
    assert len(Xtr) == 240 and len(Xva) == 60
    assert np.bincount(ytr).tolist() == [119, 121] and np.bincount(yva).tolist() == [31, 29]
    merged = np.concatenate([Xtr, Xva])
    assert sorted(map(tuple, merged)) == sorted(map(tuple, X)), "the split must be a partition"


def test_generator_is_deterministic_and_seed_sensitive():
    a, _ = generate_spiral(seed=3)
    b, _ = generate_spiral(seed=3)
    c, _ = generate_spiral(seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("kwargs", [{"n_per_class": 0}, {"noise": -1.0}])
def test_generator_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        generate_spiral(**kwargs)


def test_split_rejects_mismatched_lengths_and_bad_ratio():
    with pytest.raises(ValueError):
        train_val_split(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError):
        train_val_split(np.zeros((3, 2)), np.zeros(3), val_ratio=1.0)


def test_accuracy_from_logits():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    acc = accuracy_from_logits(logits, torch.tensor([0, 1, 1, 1]))
    assert isinstance(acc, float) and acc == 0.75
    with pytest.raises(ValueError):
        accuracy_from_logits(logits, torch.tensor([0, 1]))


def test_spiral_tensors_shapes():
    data = spiral_tensors()
    assert data["Xtr"].shape == (240, 2) and data["Xtr"].dtype == torch.float32
    assert data["yva"].shape == (60,) and data["yva"].dtype == torch.int64
