import hashlib
import io
import os
import pickle
import subprocess
import sys
import tarfile
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from course_utils.data import (
    MNIST_FILES,
    digits_as_mnist,
    load_mnist,
    load_mnist_or_digits,
    mnist_present,
    read_idx,
    CIFAR10_CLASSES,
    GAZE_QUADRANTS,
    SYNTHETIC_CIFAR10_CLASSES,
    get_CIFAR10_data,
    iterate_minibatches,
    load_cifar10,
    load_cifar10_or_stand_in,
    load_cifar_batch,
    load_digits_data,
    load_gaze,
    load_gaze_or_stand_in,
    synthetic_cifar10,
    synthetic_gaze,
)

ROOT = Path(__file__).resolve().parents[2]
GET_DATASETS = ROOT / "datasets" / "get_datasets"
BATCH_NAMES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
PER_BATCH = 20


def write_fake_cifar(folder: Path) -> dict[str, np.ndarray]:
    """Five training batches and a test batch of 20 images each, in the real pickle format."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = {}
    for index, name in enumerate(BATCH_NAMES):
        data = rng.integers(0, 256, size=(PER_BATCH, 3072), dtype=np.uint8)
        labels = [(index + i) % 10 for i in range(PER_BATCH)]
        with open(folder / name, "wb") as f:
            pickle.dump({"data": data, "labels": labels, "batch_label": name}, f)
        rows[name] = data
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": list(CIFAR10_CLASSES), "num_cases_per_batch": PER_BATCH}, f)
    return rows


def channels_last(rows: np.ndarray) -> np.ndarray:
    return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float64)


@pytest.fixture
def cifar_root(tmp_path: Path) -> Path:
    write_fake_cifar(tmp_path / "cifar-10-batches-py")
    return tmp_path


def write_fake_gaze(folder: Path, sizes=(30, 10, 10), dtype=np.uint8) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    arrays = {}
    for split, n in zip(("train", "val", "test"), sizes):
        images = rng.integers(0, 256, size=(n, 36, 120)).astype(np.uint8)
        if dtype != np.uint8:
            images = (images / 255.0).astype(dtype)
        labels = np.arange(n) % 4
        for kind, array in (("Image", images), ("Label", labels)):
            (folder / kind).mkdir(parents=True, exist_ok=True)
            np.save(folder / kind / f"{split}.npy", array)
        arrays[f"X_{split}"], arrays[f"y_{split}"] = images, labels
    return arrays


def pooled_logistic_accuracy(X_train, y_train, X_val, y_val, pool: int = 2) -> float:
    """Validation accuracy of a logistic regression on 2x2-average-pooled pixels."""
    def features(X):
        X = X.reshape(len(X), -1, X.shape[-2] // pool, pool, X.shape[-1] // pool, pool).mean(axis=(3, 5))
        return X.reshape(len(X), -1) / np.abs(X).max()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(max_iter=100, C=0.1).fit(features(X_train), y_train)
    return model.score(features(X_val), y_val)


# ---------------------------------------------------------------- CIFAR-10 files


def test_load_cifar_batch_puts_pixels_at_row_col_channel(tmp_path):
    data = np.zeros((2, 3072), dtype=np.uint8)
    data[1, 0 * 1024 + 2 * 32 + 5] = 200
    data[1, 1 * 1024 + 7 * 32 + 1] = 77
    data[1, 2 * 1024 + 31 * 32 + 31] = 13
    with open(tmp_path / "batch", "wb") as f:
        pickle.dump({"data": data, "labels": [3, 9]}, f)
    X, y = load_cifar_batch(tmp_path / "batch")
    assert X.dtype == np.float64 and X.shape == (2, 32, 32, 3)
    assert y.dtype == np.int64 and y.tolist() == [3, 9]
    assert X[1, 2, 5, 0] == 200 and X[1, 7, 1, 1] == 77 and X[1, 31, 31, 2] == 13
    assert X.sum() == 200 + 77 + 13


def test_load_cifar_batch_rejects_a_malformed_batch(tmp_path):
    with open(tmp_path / "bad", "wb") as f:
        pickle.dump({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}, f)
    with pytest.raises(ValueError, match="bad"):
        load_cifar_batch(tmp_path / "bad")


def python2_batch(data: np.ndarray, labels: list[int]) -> bytes:
    """A batch as the CIFAR-10 site ships it: a dict pickled by Python 2 (protocol 2, numpy.core spelling)."""
    batch = {"batch_label": "training batch 1 of 5", "labels": labels, "data": data,
             "filenames": [f"img_{i}.png".encode() for i in range(len(labels))]}
    return pickle.dumps(batch, protocol=2).replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


@pytest.mark.parametrize("protocol", [2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_load_cifar_batch_reads_plain_data_in_every_pickle_protocol(tmp_path, protocol):
    data = np.arange(2 * 3072).reshape(2, 3072).astype(np.uint8)
    raw = python2_batch(data, [4, 1]) if protocol == 2 else \
        pickle.dumps({"data": data, "labels": np.array([4, 1]), "batch_label": b"x"}, protocol=protocol)
    (tmp_path / "batch").write_bytes(raw)
    X, y = load_cifar_batch(tmp_path / "batch")
    assert np.array_equal(X, channels_last(data)) and y.tolist() == [4, 1]


class Planted:
    """Unpickling this runs ``function(*arguments)``: what a hostile data file does."""

    def __init__(self, function, *arguments):
        self.function, self.arguments = function, arguments

    def __reduce__(self):
        return self.function, self.arguments


class Record:
    """A plain class: unpickling its instances imports and calls whatever the file names."""


@pytest.mark.parametrize("payload", ["os.system", "builtins.eval", "a class"])
def test_load_cifar_batch_refuses_a_pickle_that_holds_code_without_running_it(tmp_path, payload):
    marker = tmp_path / "ran"
    planted = {"os.system": Planted(os.system, f"touch {marker}"),
               "builtins.eval": Planted(eval, f"open({str(marker)!r}, 'w').close()"),
               "a class": Planted(Path.touch, marker)}[payload]
    with open(tmp_path / "batch", "wb") as f:
        pickle.dump({"data": np.zeros((1, 3072), np.uint8), "labels": [0], "x": planted}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="this file holds code, not data: refusing to load it") as error:
        load_cifar_batch(tmp_path / "batch")
    assert str(tmp_path / "batch") in str(error.value)
    assert not marker.exists()


def test_the_plain_data_unpickler_refuses_an_instance_of_any_class():
    from course_utils.safe_pickle import CodeInPickle, load

    with pytest.raises(CodeInPickle, match=r"holds code, not data.*test_data\.Record"):
        load(io.BytesIO(pickle.dumps([Record()])))
    assert load(io.BytesIO(pickle.dumps({"a": (1, 2.5, 3j, {4}, frozenset(), bytearray(b"x"), range(2))}))) == \
        {"a": (1, 2.5, 3j, {4}, frozenset(), bytearray(b"x"), range(2))}


def test_load_cifar10_concatenates_the_five_training_batches(tmp_path):
    rows = write_fake_cifar(tmp_path / "c")
    X_train, y_train, X_test, y_test = load_cifar10(tmp_path / "c")
    assert X_train.shape == (100, 32, 32, 3) and X_test.shape == (20, 32, 32, 3)
    assert X_train.dtype == X_test.dtype == np.float64 and y_train.dtype == y_test.dtype == np.int64
    np.testing.assert_array_equal(X_train[20:40], channels_last(rows["data_batch_2"]))
    np.testing.assert_array_equal(X_test, channels_last(rows["test_batch"]))
    assert y_train[20:23].tolist() == [1, 2, 3]


def test_get_cifar10_data_splits_subtracts_the_mean_and_goes_channels_first(tmp_path):
    rows = write_fake_cifar(tmp_path / "c")
    data = get_CIFAR10_data(70, 20, 10, cifar10_dir=tmp_path / "c")
    assert set(data) == {"X_train", "y_train", "X_val", "y_val", "X_test", "y_test"}
    raw = channels_last(np.concatenate([rows[name] for name in BATCH_NAMES[:5]]))
    mean = raw[:70].mean(axis=0)
    np.testing.assert_allclose(data["X_val"], (raw[70:90] - mean).transpose(0, 3, 1, 2))
    np.testing.assert_allclose(data["X_test"], (channels_last(rows["test_batch"])[:10] - mean).transpose(0, 3, 1, 2))
    assert data["X_train"].shape == (70, 3, 32, 32) and data["X_train"].dtype == np.float64
    assert np.abs(data["X_train"].mean(axis=0)).max() < 1e-9
    assert len(data["y_val"]) == 20 and data["y_test"].dtype == np.int64


def test_get_cifar10_data_without_mean_subtraction_and_from_course_datasets(cifar_root, monkeypatch):
    monkeypatch.setenv("COURSE_DATASETS", str(cifar_root))
    data = get_CIFAR10_data(10, 5, 5, subtract_mean=False)
    X, _ = load_cifar_batch(cifar_root / "cifar-10-batches-py" / "data_batch_1")
    np.testing.assert_array_equal(data["X_train"], X[:10].transpose(0, 3, 1, 2))
    assert data["X_train"].min() >= 0 and data["X_train"].max() <= 255


@pytest.mark.parametrize(
    "counts", [(90, 20, 5), (10, 5, 21), (-1, 5, 5), (10, 2.5, 5), (0, 5, 5)], ids=str
)
def test_get_cifar10_data_rejects_counts_that_do_not_fit(cifar_root, counts):
    with pytest.raises(ValueError):
        get_CIFAR10_data(*counts, cifar10_dir=cifar_root / "cifar-10-batches-py")


def test_missing_cifar10_names_the_folder_and_get_datasets(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        get_CIFAR10_data()
    assert str(tmp_path / "cifar-10-batches-py") in str(error.value)
    assert "get_datasets cifar10" in str(error.value)


# ---------------------------------------------------------------- digits


def test_digits_shapes_range_split_and_determinism():
    data = load_digits_data(num_validation=300, num_test=200, seed=0)
    assert data["X_train"].shape == (1297, 1, 8, 8) and data["X_val"].shape == (300, 1, 8, 8)
    assert data["X_test"].shape == (200, 1, 8, 8) and data["X_train"].dtype == np.float64
    assert data["y_train"].dtype == np.int64 and set(np.unique(data["y_train"])) == set(range(10))
    assert data["X_train"].min() == 0.0 and data["X_train"].max() == 1.0
    again, other = load_digits_data(300, 200, seed=0), load_digits_data(300, 200, seed=1)
    assert all(np.array_equal(data[key], again[key]) for key in data)
    assert not np.array_equal(data["y_val"], other["y_val"])
    with pytest.raises(ValueError):
        load_digits_data(num_validation=1000, num_test=1000)


# ---------------------------------------------------------------- stand-ins


@pytest.fixture(scope="module")
def gaze():
    return synthetic_gaze(1000, 500, 200, seed=0)


@pytest.fixture(scope="module")
def cifar():
    return synthetic_cifar10(1000, 500, 200, seed=0)


def test_gaze_shapes_dtypes_range_and_balance(gaze):
    for split, n in (("train", 1000), ("val", 500), ("test", 200)):
        X, y = gaze[f"X_{split}"], gaze[f"y_{split}"]
        assert X.shape == (n, 36, 120) and X.dtype == np.float32
        assert y.shape == (n,) and y.dtype == np.int64
        assert X.min() >= 0.0 and X.max() <= 1.0 and X.std() > 0.1
        assert np.bincount(y, minlength=4).tolist() == [n // 4] * 4
    assert GAZE_QUADRANTS == ("up-right", "up-left", "down-left", "down-right")


def test_gaze_quadrants_match_their_names(gaze):
    """Looking right darkens the right half of each eye more than the left; looking up, the upper half."""
    X, y = gaze["X_train"], gaze["y_train"]
    right = X[np.isin(y, [0, 3])].mean(axis=0) - X[np.isin(y, [1, 2])].mean(axis=0)
    up = X[np.isin(y, [0, 1])].mean(axis=0) - X[np.isin(y, [2, 3])].mean(axis=0)
    for eye in (slice(0, 60), slice(60, 120)):
        assert right[:, eye][:, :30].sum() - right[:, eye][:, 30:].sum() > 5
        assert up[18:, eye].sum() - up[:18, eye].sum() > 5


def test_gaze_is_deterministic_seed_sensitive_and_splits_differ(gaze):
    again, other = synthetic_gaze(1000, 500, 200, seed=0), synthetic_gaze(1000, 500, 200, seed=1)
    assert all(np.array_equal(gaze[key], again[key]) for key in gaze)
    assert not np.array_equal(gaze["X_train"], other["X_train"])
    assert not np.array_equal(gaze["X_train"][:200], gaze["X_test"])
    assert not np.array_equal(gaze["X_val"][:200], gaze["X_test"])
    assert synthetic_gaze(0, 0, 3)["X_train"].shape == (0, 36, 120)


def test_gaze_is_learnable_but_not_trivial(gaze):
    accuracy = pooled_logistic_accuracy(gaze["X_train"], gaze["y_train"], gaze["X_val"], gaze["y_val"])
    assert 0.4 < accuracy < 0.98


def test_cifar_stand_in_shapes_mean_subtraction_and_balance(cifar):
    assert cifar["class_names"] == SYNTHETIC_CIFAR10_CLASSES and len(set(cifar["class_names"])) == 10
    for split, n in (("train", 1000), ("val", 500), ("test", 200)):
        X, y = cifar[f"X_{split}"], cifar[f"y_{split}"]
        assert X.shape == (n, 3, 32, 32) and X.dtype == np.float64 and y.dtype == np.int64
        assert np.bincount(y, minlength=10).tolist() == [n // 10] * 10
        assert -255.0 <= X.min() and X.max() <= 255.0
    assert np.abs(cifar["X_train"].mean(axis=0)).max() < 1e-9
    assert np.abs(cifar["X_val"].mean(axis=0)).max() > 1e-3
    assert cifar["X_train"].std() > 20


def test_cifar_stand_in_is_deterministic_seed_sensitive_and_splits_differ(cifar):
    again, other = synthetic_cifar10(1000, 500, 200, seed=0), synthetic_cifar10(1000, 500, 200, seed=1)
    assert all(np.array_equal(cifar[key], again[key]) for key in cifar)
    assert not np.array_equal(cifar["X_train"], other["X_train"])
    assert not np.array_equal(cifar["X_val"][:200], cifar["X_test"])
    with pytest.raises(ValueError):
        synthetic_cifar10(0, 5, 5)


def test_cifar_stand_in_is_learnable_but_not_trivial(cifar):
    accuracy = pooled_logistic_accuracy(cifar["X_train"], cifar["y_train"], cifar["X_val"], cifar["y_val"])
    assert 0.3 < accuracy < 0.98


# ---------------------------------------------------------------- gaze files and the fallbacks


def test_load_gaze_scales_uint8_to_unit_float32(tmp_path):
    stored = write_fake_gaze(tmp_path / "g")
    data = load_gaze(tmp_path / "g")
    assert data["X_train"].dtype == np.float32 and data["X_train"].shape == (30, 36, 120)
    np.testing.assert_allclose(data["X_val"], stored["X_val"] / 255.0, rtol=1e-6)
    assert data["y_test"].dtype == np.int64 and data["y_test"].tolist() == stored["y_test"].tolist()


def test_load_gaze_keeps_float_images_and_follows_course_datasets(tmp_path, monkeypatch):
    stored = write_fake_gaze(tmp_path / "MPIIFaceGaze", dtype=np.float64)
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    data = load_gaze()
    assert data["X_train"].dtype == np.float32
    np.testing.assert_allclose(data["X_train"], stored["X_train"], rtol=1e-6)


@pytest.mark.parametrize(
    "file, array, message",
    [
        ("Image/val.npy", np.zeros((10, 36, 100), np.uint8), "val.npy"),
        ("Image/train.npy", np.full((30, 36, 120), 2.0), "train.npy"),
        ("Label/test.npy", np.array([0, 1, 2, 3, 4, 0, 1, 2, 3, 0]), "test.npy"),
        ("Label/train.npy", np.zeros(30), "train.npy"),
        ("Label/val.npy", np.zeros(9, np.int64), "val.npy"),
    ],
    ids=["image-shape", "float-range", "label-range", "label-dtype", "length-mismatch"],
)
def test_load_gaze_rejects_bad_files_naming_them(tmp_path, file, array, message):
    write_fake_gaze(tmp_path)
    np.save(tmp_path / file, array)
    with pytest.raises(ValueError, match=message):
        load_gaze(tmp_path)


def test_load_gaze_missing_folder_or_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="Image/train.npy") as error:
        load_gaze(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(error.value)
    write_fake_gaze(tmp_path / "g")
    (tmp_path / "g" / "Label" / "test.npy").unlink()
    with pytest.raises(FileNotFoundError, match="test.npy"):
        load_gaze(tmp_path / "g")


def test_gaze_fallback_uses_real_files_and_subsamples(tmp_path, capsys):
    stored = write_fake_gaze(tmp_path)
    data = load_gaze_or_stand_in(tmp_path, num_train=20, num_val=50, num_test=10, seed=3)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "real gaze data" in lines[0] and "20 train / 10 val / 10 test" in lines[0]
    assert data["X_train"].shape == (20, 36, 120) and data["X_train"].dtype == np.float32
    assert len(data["y_val"]) == 10
    stored_rows = {row.tobytes() for row in (stored["X_train"] / np.float32(255)).astype(np.float32)}
    assert all(row.tobytes() in stored_rows for row in data["X_train"])


def test_gaze_fallback_uses_the_stand_in_when_the_folder_is_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    data = load_gaze_or_stand_in(num_train=40, num_val=8, num_test=4, seed=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "built-in gaze stand-in" in lines[0] and "40 train / 8 val / 4 test" in lines[0]
    assert np.array_equal(data["X_train"], synthetic_gaze(40, 8, 4, seed=2)["X_train"])


def test_cifar_fallback_uses_real_files_when_present(cifar_root, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_DATASETS", str(cifar_root))
    data = load_cifar10_or_stand_in(num_training=50, num_validation=10, num_test=10)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "real CIFAR-10" in lines[0] and "50 train / 10 val / 10 test" in lines[0]
    assert data["class_names"] == CIFAR10_CLASSES and data["X_train"].shape == (50, 3, 32, 32)


def test_cifar_fallback_uses_the_stand_in_otherwise(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    data = load_cifar10_or_stand_in(num_training=30, num_validation=10, num_test=10, seed=4)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "built-in CIFAR-10 stand-in" in lines[0] and "30 train / 10 val / 10 test" in lines[0]
    assert data["class_names"] == SYNTHETIC_CIFAR10_CLASSES
    assert np.array_equal(data["X_val"], synthetic_cifar10(30, 10, 10, seed=4)["X_val"])


# ---------------------------------------------------------------- minibatches


def test_minibatches_cover_every_example_once():
    X, y = np.arange(46).reshape(23, 2), np.arange(23)
    batches = list(iterate_minibatches(X, y, 5, seed=0))
    assert [len(yb) for _, yb in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(23)) and seen.tolist() != list(range(23))
    assert all(np.array_equal(Xb[:, 0], 2 * yb) for Xb, yb in batches)


def test_minibatches_order_follows_the_seed_and_shuffle_flag():
    X, y = np.arange(50), np.arange(50)
    order = lambda **kw: np.concatenate([yb for _, yb in iterate_minibatches(X, y, 8, **kw)]).tolist()
    assert order(seed=1) == order(seed=1) != order(seed=2)
    assert order(shuffle=False) == list(range(50))
    tensors = list(iterate_minibatches(torch.arange(10.0), torch.arange(10), 4, seed=0))
    assert [len(yb) for _, yb in tensors] == [4, 4, 2] and isinstance(tensors[0][0], torch.Tensor)


def test_minibatches_reject_bad_arguments():
    with pytest.raises(ValueError):
        list(iterate_minibatches(np.zeros(3), np.zeros(2), 1))
    with pytest.raises(ValueError):
        list(iterate_minibatches(np.zeros(3), np.zeros(3), 0))


# ---------------------------------------------------------------- datasets/get_datasets


def run_get_datasets(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "COURSE_DATASETS"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, str(GET_DATASETS), *args], capture_output=True, text=True, timeout=60, env=environment
    )


@pytest.fixture
def cifar_archive(tmp_path: Path) -> Path:
    write_fake_cifar(tmp_path / "source" / "cifar-10-batches-py")
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "source" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    return archive


def test_get_datasets_is_an_executable_python_script():
    assert GET_DATASETS.read_text().startswith("#!/usr/bin/env python3\n")
    assert os.access(GET_DATASETS, os.X_OK)


def test_get_datasets_downloads_unpacks_and_is_idempotent(tmp_path, cifar_archive):
    target = tmp_path / "data"
    first = run_get_datasets("--datasets", str(target), "cifar10", "--url", cifar_archive.as_uri())
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in target.iterdir()) == ["cifar-10-batches-py"], "no archive or scratch left behind"
    X_train, _, X_test, _ = load_cifar10(target / "cifar-10-batches-py")
    assert X_train.shape == (100, 32, 32, 3) and X_test.shape == (20, 32, 32, 3)
    again = run_get_datasets("cifar10", "--url", cifar_archive.as_uri(), env={"COURSE_DATASETS": str(target)})
    assert again.returncode == 0 and "already present" in again.stdout


def test_get_datasets_checks_the_md5(tmp_path, cifar_archive):
    good = hashlib.md5(cifar_archive.read_bytes()).hexdigest()
    bad = run_get_datasets("--datasets", str(tmp_path / "a"), "cifar10", "--url", cifar_archive.as_uri(), "--md5", "0" * 32)
    assert bad.returncode == 1 and "checksum mismatch" in bad.stderr
    assert list((tmp_path / "a").iterdir()) == []
    ok = run_get_datasets("--datasets", str(tmp_path / "b"), "cifar10", "--url", cifar_archive.as_uri(), "--md5", good)
    assert ok.returncode == 0 and (tmp_path / "b" / "cifar-10-batches-py" / "test_batch").is_file()


@pytest.mark.parametrize(
    "evil", ["../evil", "cifar-10-batches-py/../../evil", "/tmp/evil-absolute", "cifar-10-batches-py/link"]
)
def test_get_datasets_refuses_unsafe_archives(tmp_path, evil):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        ok = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
        ok.size = 3
        tar.addfile(ok, io.BytesIO(b"abc"))
        member = tarfile.TarInfo(evil)
        if evil.endswith("link"):
            member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(member)
        else:
            member.size = 4
            tar.addfile(member, io.BytesIO(b"evil"))
    target = tmp_path / "data"
    result = run_get_datasets("--datasets", str(target), "cifar10", "--url", archive.as_uri())
    assert result.returncode == 1 and "refusing" in result.stderr
    assert not (tmp_path / "evil").exists() and not (target / "cifar-10-batches-py").exists()
    assert list(target.iterdir()) == []


def test_get_datasets_reports_an_unreachable_url(tmp_path):
    result = run_get_datasets("--datasets", str(tmp_path), "cifar10", "--url", (tmp_path / "absent.tar.gz").as_uri())
    assert result.returncode == 1 and "could not download" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_get_datasets_list_and_gaze(tmp_path):
    write_fake_gaze(tmp_path / "MPIIFaceGaze")
    listing = run_get_datasets("list", env={"COURSE_DATASETS": str(tmp_path)})
    assert listing.returncode == 0 and str(tmp_path) in listing.stdout
    assert "gaze     present" in listing.stdout and "cifar10  missing" in listing.stdout
    gaze_help = run_get_datasets("--datasets", str(tmp_path), "gaze")
    assert gaze_help.returncode == 0 and "Image/train.npy" in gaze_help.stdout and "6 of 6" in gaze_help.stdout


# ---------------------------------------------------------------- MNIST idx files and the digits stand-in


def write_idx(path: Path, array: np.ndarray, compress: bool = False, type_code: int = 0x08) -> Path:
    """``array`` (uint8) in the idx format: 0, 0, type, ndim, big-endian int32 dims, the bytes in C order."""
    import gzip
    import struct

    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    data = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def write_fake_mnist(folder: Path, sizes=(12, 5), compress=(False, True), raw=False) -> dict[str, np.ndarray]:
    """Four small idx files shaped like MNIST's, images in one format and labels in the other (or both)."""
    rng = np.random.default_rng(7)
    target = folder / "raw" if raw else folder
    target.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, n in zip(("train", "test"), sizes):
        arrays[f"X_{split}"] = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        arrays[f"y_{split}"] = rng.integers(0, 10, size=n).astype(np.uint8)
        write_idx(target / MNIST_FILES[f"X_{split}"], arrays[f"X_{split}"], compress[0])
        write_idx(target / MNIST_FILES[f"y_{split}"], arrays[f"y_{split}"], compress[1])
    return arrays


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_reads_plain_and_gzip_files(tmp_path, compress):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write_idx(tmp_path / "x-idx3-ubyte", array, compress)
    got = read_idx(path)
    assert got.dtype == np.uint8 and got.shape == (2, 3, 4) and np.array_equal(got, array)
    assert np.array_equal(read_idx(write_idx(tmp_path / "y-idx1-ubyte", np.array([3, 1, 4], np.uint8))), [3, 1, 4])


def test_read_idx_rejects_a_wrong_magic_number(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x01\x02\x08\x01" + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(ValueError, match=r"bad: not an idx file \(bad magic number 01020801\)"):
        read_idx(path)
    with pytest.raises(ValueError, match="type 0x0d"):
        read_idx(write_idx(tmp_path / "floats", np.zeros(3, np.uint8), type_code=0x0D))
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="not an idx file"):
        read_idx(empty)


@pytest.mark.parametrize("cut", [1, 100, 600])
def test_read_idx_rejects_a_truncated_file(tmp_path, cut):
    path = write_idx(tmp_path / "images", np.ones((2, 28, 28), np.uint8))
    data = path.read_bytes()
    path.write_bytes(data[:-cut])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)
    path.write_bytes(data + b"\x00")
    with pytest.raises(ValueError, match="promises 1568 values"):
        read_idx(path)


def test_read_idx_rejects_a_truncated_gzip_stream(tmp_path):
    path = write_idx(tmp_path / "images", np.ones((5, 28, 28), np.uint8), compress=True)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ValueError, match="images.gz"):
        read_idx(path)
    header_only = tmp_path / "header"
    header_only.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(ValueError, match="header with 3 dimensions is truncated"):
        read_idx(header_only)


@pytest.mark.parametrize("compress, raw", [((False, True), False), ((True, False), True), ((True, True), False)])
def test_load_mnist_scales_like_to_tensor(tmp_path, compress, raw):
    arrays = write_fake_mnist(tmp_path / "MNIST", compress=compress, raw=raw)
    data = load_mnist(tmp_path / "MNIST")
    assert list(data) == ["X_train", "y_train", "X_test", "y_test"]
    assert data["X_train"].shape == (12, 1, 28, 28) and data["X_test"].shape == (5, 1, 28, 28)
    assert data["X_train"].dtype == np.float32 and data["y_train"].dtype == np.int64
    assert np.array_equal(data["X_test"][:, 0], arrays["X_test"] / np.float32(255))
    assert np.array_equal(data["y_train"], arrays["y_train"])
    assert mnist_present(tmp_path / "MNIST")


def test_load_mnist_checks_shapes_counts_and_labels(tmp_path):
    folder = tmp_path / "MNIST"
    write_fake_mnist(folder)
    write_idx(folder / MNIST_FILES["y_test"], np.zeros(4, np.uint8), compress=True)
    with pytest.raises(ValueError, match="holds 5 images but .* holds 4 labels"):
        load_mnist(folder)
    write_idx(folder / MNIST_FILES["y_test"], np.full(5, 10, np.uint8), compress=True)
    with pytest.raises(ValueError, match="labels must be digits 0-9"):
        load_mnist(folder)
    write_fake_mnist(folder)
    write_idx(folder / MNIST_FILES["X_train"], np.zeros((12, 28, 27), np.uint8))
    with pytest.raises(ValueError, match=r"expected images of shape \(N, 28, 28\)"):
        load_mnist(folder)


def test_load_mnist_missing_folder_or_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="get_datasets mnist"):
        load_mnist(tmp_path / "absent")
    write_fake_mnist(tmp_path / "MNIST")
    (tmp_path / "MNIST" / (MNIST_FILES["y_test"] + ".gz")).unlink()
    assert not mnist_present(tmp_path / "MNIST")
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path / "MNIST")


def test_digits_as_mnist_centres_stretched_digits():
    data = digits_as_mnist(num_test=300, seed=0)
    assert data["X_train"].shape == (1497, 1, 28, 28) and data["X_test"].shape == (300, 1, 28, 28)
    assert data["X_train"].dtype == np.float32 and data["y_test"].dtype == np.int64
    assert data["X_train"].min() == 0.0 and data["X_train"].max() == 1.0
    frame = np.ones((28, 28), bool)
    frame[4:24, 4:24] = False
    assert not data["X_train"][:, 0][:, frame].any(), "the digits sit in the central 20 x 20 pixels"
    digits = load_digits_data(num_validation=0, num_test=300, seed=0)
    assert np.array_equal(data["y_train"], digits["y_train"])
    corners = data["X_train"][:, 0, [4, 4, 23, 23], [4, 23, 4, 23]]
    assert np.allclose(corners, digits["X_train"][:, 0, [0, 0, 7, 7], [0, 7, 0, 7]], atol=1e-6)
    again, other = digits_as_mnist(300, seed=0), digits_as_mnist(300, seed=1)
    assert np.array_equal(data["X_test"], again["X_test"]) and not np.array_equal(data["y_test"], other["y_test"])


def test_mnist_fallback_prefers_the_real_files(tmp_path, capsys, monkeypatch):
    write_fake_mnist(tmp_path / "MNIST")
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    data = load_mnist_or_digits()
    assert data["X_train"].shape == (12, 1, 28, 28)
    assert capsys.readouterr().out.startswith("Using the real MNIST data from ")


def test_mnist_fallback_uses_the_digits_otherwise(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    data = load_mnist_or_digits(num_test=200)
    assert data["X_train"].shape == (1597, 1, 28, 28) and len(data["y_test"]) == 200
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and printed.startswith("Using scikit-learn's digits as a stand-in for MNIST")
    assert "not found" in printed
    write_fake_mnist(tmp_path / "MNIST")
    (tmp_path / "MNIST" / MNIST_FILES["X_test"]).unlink()
    load_mnist_or_digits()
    assert "incomplete: run datasets/get_datasets mnist" in capsys.readouterr().out


def test_get_datasets_mnist_downloads_checks_and_lists(tmp_path):
    import gzip

    mirror = tmp_path / "mirror"
    write_fake_mnist(mirror, compress=(True, True))
    target = tmp_path / "data"
    first = run_get_datasets("--datasets", str(target), "mnist", "--url", mirror.as_uri())
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in (target / "MNIST").iterdir()) == sorted(f"{n}.gz" for n in MNIST_FILES.values())
    assert load_mnist(target / "MNIST")["X_train"].shape == (12, 1, 28, 28)
    again = run_get_datasets("mnist", env={"COURSE_DATASETS": str(target)})
    assert again.returncode == 0 and "already present" in again.stdout
    listing = run_get_datasets("list", env={"COURSE_DATASETS": str(target)})
    assert "mnist    present" in listing.stdout
    assert gzip.decompress((target / "MNIST" / "t10k-labels-idx1-ubyte.gz").read_bytes())[:4] == bytes([0, 0, 8, 1])


def test_get_datasets_mnist_reports_an_unreachable_mirror(tmp_path):
    result = run_get_datasets("--datasets", str(tmp_path), "mnist", "--url", (tmp_path / "absent").as_uri())
    assert result.returncode == 1 and "could not download" in result.stderr
    assert list(tmp_path.iterdir()) == []
