"""course_utils.torch_data: CIFAR-10 as PyTorch datasets and loaders, from real-format files or the stand-in."""
import numpy as np
import pytest
import torch

from course_utils.data import CIFAR10_FOLDER
from course_utils.torch_data import (CIFAR10_MEAN, CIFAR10_STD, NormalizedImages, cifar10_datasets, cifar10_loaders,
                                     load_weights)
from tests.course_utils.test_data import PER_BATCH, write_fake_cifar


def test_an_item_is_totensor_then_normalize_of_the_image():
    images = np.random.default_rng(0).integers(0, 256, size=(4, 5, 6, 3), dtype=np.uint8)
    dataset = NormalizedImages(images, np.array([3, 1, 4, 1]))
    image, label = dataset[2]
    expected = (images[2].transpose(2, 0, 1) / 255.0 - np.reshape(CIFAR10_MEAN, (3, 1, 1))) / \
        np.reshape(CIFAR10_STD, (3, 1, 1))
    assert image.dtype == torch.float32 and tuple(image.shape) == (3, 5, 6) and label == 4 and len(dataset) == 4
    np.testing.assert_allclose(image.numpy(), expected, rtol=1e-5, atol=1e-6)
    channels_first = NormalizedImages(images.transpose(0, 3, 1, 2).astype(np.float64), np.zeros(4))
    np.testing.assert_allclose(channels_first[2][0].numpy(), image.numpy(), rtol=1e-6)


@pytest.mark.parametrize("images, labels, message", [
    (np.zeros((4, 5, 6)), np.zeros(4), "expected images"),
    (np.zeros((4, 5, 6, 2)), np.zeros(4), "expected images"),
    (np.zeros((4, 5, 6, 3)), np.zeros(3), "expected images"),
    (np.full((2, 3, 4, 4), -12.0), np.zeros(2), "pixel values 0-255"),
])
def test_images_that_are_not_raw_pixels_are_refused(images, labels, message):
    with pytest.raises(ValueError, match=message):
        NormalizedImages(images, labels)


def test_the_real_files_are_read_when_installed(tmp_path, monkeypatch):
    rows = write_fake_cifar(tmp_path / CIFAR10_FOLDER)
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    train, test, source = cifar10_datasets()
    assert "real CIFAR-10" in source and len(train) == 5 * PER_BATCH and len(test) == PER_BATCH
    first = rows["data_batch_1"][0].reshape(3, 32, 32) / 255.0
    np.testing.assert_allclose(train[0][0].numpy()[1], (first[1] - CIFAR10_MEAN[1]) / CIFAR10_STD[1], rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(ValueError, match="110 training and validation images .* has 100 and 20"):
        cifar10_datasets(num_train=90, num_val=20)
    # the graders train on draws of the stand-in, whatever the course installed
    train, test, source = cifar10_datasets(num_train=40, num_val=10, num_test=5, seed=2, stand_in=True)
    assert "stand-in" in source and (len(train), len(test)) == (50, 5)


def test_loaders_split_the_training_set_and_keep_the_test_set_in_order(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))  # no CIFAR-10 here: the stand-in
    loaders = cifar10_loaders(batch_size=16, num_train=48, num_val=16, seed=3)
    assert "built-in CIFAR-10 stand-in" in capsys.readouterr().out
    assert sorted(loaders["train"].sampler.indices) == list(range(48))
    assert sorted(loaders["val"].sampler.indices) == list(range(48, 64))
    assert loaders["train"].dataset is loaders["val"].dataset and len(loaders["test"].dataset) == 500
    seen = [labels for _, labels in loaders["train"]]
    assert sum(len(labels) for labels in seen) == 48 and all(len(labels) == 16 for labels in seen)
    # the seed fixes the orders, and every epoch draws a new one
    first, twin = (cifar10_loaders(16, 48, 16, seed=3)["train"].sampler for _ in range(2))
    assert list(first) == list(twin) != list(first)
    images, labels = next(iter(loaders["test"]))
    assert images.shape == (16, 3, 32, 32) and labels.dtype == torch.int64
    np.testing.assert_array_equal(labels.numpy(), [loaders["test"].dataset[i][1] for i in range(16)])


class _Payload:
    """Pickles to a call of print: what a weights file that carries code would run if unpickled in full."""

    def __reduce__(self):
        return (print, ("the payload ran",))


def test_weights_load_from_a_path_or_bytes_and_pickled_code_is_refused(tmp_path, capsys):
    torch.manual_seed(0)
    trained, fresh = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    torch.save(trained.state_dict(), tmp_path / "w.pt")
    data = (tmp_path / "w.pt").read_bytes()
    for source in (tmp_path / "w.pt", data, np.frombuffer(data, np.uint8), torch.frombuffer(bytearray(data),
                                                                                               dtype=torch.uint8)):
        loaded = load_weights(torch.nn.Linear(3, 2), source)
        assert torch.equal(loaded.weight, trained.weight) and torch.equal(loaded.bias, trained.bias)
    with pytest.raises(RuntimeError, match="size mismatch"):
        load_weights(torch.nn.Linear(4, 2), data)
    assert not torch.equal(fresh.weight, trained.weight)
    torch.save({"weight": _Payload(), "bias": torch.zeros(2)}, tmp_path / "payload.pt")
    with pytest.raises(Exception, match="[Ww]eights only load failed"):
        load_weights(torch.nn.Linear(3, 2), tmp_path / "payload.pt")
    assert "the payload ran" not in capsys.readouterr().out
