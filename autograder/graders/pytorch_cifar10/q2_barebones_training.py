"""Q2: the barebones parameters (shapes, autograd, zero biases, Kaiming scale) and one epoch of train_part2
reaching the calibrated target (the learning rate is the release's)."""
from __future__ import annotations

import numpy as np

from autograder.graders.pytorch_cifar10 import SEEDS, TRAIN_IMAGES
from autograder.graders.pytorch_cifar10.common import expect_kaiming, fan_in, use_hidden_loaders, validation_images
from autograder.kit import Calibration, Kit, graded
from autograder.sandbox import Remote

SHAPES = [(32, 3, 5, 5), (32,), (16, 32, 3, 3), (16,), (16 * 32 * 32, 10), (10,)]
NAMES = ("conv_w1", "conv_b1", "conv_w2", "conv_b2", "fc_w", "fc_b")


def parameters(kit: Kit) -> list[Remote]:
    """The six tensors of the cell's ``params``, kept in the child."""
    params = kit.session.get_kept("params")
    count = params.call("__len__")
    kit.expect(count == len(SHAPES), "params should hold the six tensors [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, "
               "fc_b]", detail=f"it holds {count}")
    return [params.call_kept("__getitem__", i) for i in range(len(SHAPES))]


@graded("Q2_training", 1)
def test_Q2_parameters_have_their_shapes_and_autograd(kit: Kit) -> None:
    """params holds the six tensors in the shapes of Q1 for 32 and 16 filters, float32, with requires_grad, and
    the biases start at zero."""
    tensors = parameters(kit)
    for index, (name, shape) in enumerate(zip(NAMES, SHAPES)):
        tensor = tensors[index]
        kit.expect(tensor.get("requires_grad") is True, "{name} should have requires_grad=True (autograd computes "
                   "its gradient)", name=name)
        values = tensor.call("detach")
        kit.expect(isinstance(values, np.ndarray) and values.dtype == np.float32, "{name} should be float32",
                   name=name)
        values = kit.array(values, shape, name)
        if len(shape) == 1:
            kit.expect(not np.any(values), "{name} should start at zero (zero_weight)", name=name)


@graded("Q2_training", 1)
def test_Q2_weights_have_the_kaiming_scale(kit: Kit) -> None:
    """the three weights are Kaiming-normal for their fan-in (random_weight): their standard deviation is within
    10% of sqrt(2 / fan_in)."""
    tensors = parameters(kit)
    for index, (name, shape) in enumerate(zip(NAMES, SHAPES)):
        if len(shape) > 1:
            values = kit.array(tensors[index].call("detach"), shape, name)
            expect_kaiming(kit, values, fan_in(shape, matrix_rows_in=True), name)


def barebones_accuracy(kit: Kit, seed: int) -> float:
    """One epoch of train_part2 of the cell's params (its own initialization) with its learning_rate on hidden
    draw ``seed``; the validation accuracy computed here."""
    s = kit.session
    use_hidden_loaders(s, seed, TRAIN_IMAGES)
    params, model_fn = s.get_kept("params"), s.get_kept("three_layer_convnet")
    s.call("train_part2", model_fn, params, s.get("learning_rate"))
    images, labels = validation_images(seed)
    return kit.accuracy(s.call("three_layer_convnet", images, params), labels, "the validation scores")


CALIBRATION = Calibration("Q2_training", barebones_accuracy, threshold=0.22, seeds=SEEDS, master_range=(0.332, 0.468),
                          what="validation accuracy after one epoch on a hidden draw")


@graded("Q2_training", 1, timeout=180)
def test_Q2_one_epoch_reaches_the_target(kit: Kit) -> None:
    """one epoch of train_part2 on a hidden draw of the stand-in reaches the validation target."""
    CALIBRATION.require(kit)
