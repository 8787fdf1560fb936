"""The pytorch_cifar10 grader's statistical band: no correct initialization fails it, the wrong scales do."""
import numpy as np
import torch

from autograder.graders.pytorch_cifar10.common import KAIMING_BAND, fan_in, kaiming_ratio
from autograder.graders.pytorch_cifar10.q2_barebones_training import SHAPES

# the weights the Kaiming tests judge: Q2's barebones ones, and ThreeLayerConvNet(3, 32, 16, 10)'s as nn stores them
BAREBONES = [shape for shape in SHAPES if len(shape) > 1]
MODULE = [(32, 3, 5, 5), (16, 32, 3, 3), (10, 16 * 32 * 32)]


def test_no_kaiming_normal_draw_of_a_thousand_falls_outside_the_band():
    worst = 0.0
    for seed in range(1000):
        torch.manual_seed(seed)
        for shape in BAREBONES:
            values = torch.randn(shape) * np.sqrt(2.0 / fan_in(shape, matrix_rows_in=True))
            worst = max(worst, abs(kaiming_ratio(values.numpy(), fan_in(shape, matrix_rows_in=True)) - 1))
        for shape in MODULE:
            values = torch.nn.init.kaiming_normal_(torch.empty(shape))
            worst = max(worst, abs(kaiming_ratio(values.numpy(), fan_in(shape, matrix_rows_in=False)) - 1))
    assert worst < 0.75 * KAIMING_BAND, worst  # the widest miss of a thousand seeds, with room to spare


def test_the_usual_wrong_scales_fall_outside_the_band():
    torch.manual_seed(0)
    for shape in MODULE:
        fan = fan_in(shape, matrix_rows_in=False)
        default = torch.nn.Conv2d(shape[1], shape[0], shape[2]).weight if len(shape) == 4 else \
            torch.nn.Linear(shape[1], shape[0]).weight
        fan_out = torch.nn.init.kaiming_normal_(torch.empty(shape), mode="fan_out")
        for wrong in (default.detach(), fan_out, torch.randn(shape)):
            assert abs(kaiming_ratio(wrong.numpy(), fan) - 1) > 2 * KAIMING_BAND


def test_where_the_course_has_the_real_cifar10_the_challenge_is_scored_on_its_test_set(tmp_path, monkeypatch):
    from autograder.graders.pytorch_cifar10.q6_challenge import challenge_images
    from course_utils.data import CIFAR10_FOLDER
    from course_utils.torch_data import CIFAR10_MEAN, CIFAR10_STD
    from tests.course_utils.test_data import write_fake_cifar

    rows = write_fake_cifar(tmp_path / CIFAR10_FOLDER)
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path))
    challenge_images.cache_clear()
    try:
        images, labels = challenge_images(0)
    finally:
        challenge_images.cache_clear()
    first = rows["test_batch"][0].reshape(3, 32, 32) / 255.0
    assert images.shape == (len(rows["test_batch"]), 3, 32, 32) and images.dtype == np.float32
    np.testing.assert_allclose(images[0][2], (first[2] - CIFAR10_MEAN[2]) / CIFAR10_STD[2], rtol=1e-5, atol=1e-5)
    assert labels.shape == (len(images),)


def test_the_challenges_children_get_no_data_sets_folder():
    from autograder.assignments import load_assignment
    from autograder.engine import load_grader
    from tests.conftest import ROOT

    (notebook,) = load_assignment(ROOT, "pytorch_cifar10").notebooks
    config = load_grader("pytorch_cifar10", notebook, with_tests=False).sandbox_config()
    assert config.folders == () and "no-data-sets-here" in config.environment["COURSE_DATASETS"]
