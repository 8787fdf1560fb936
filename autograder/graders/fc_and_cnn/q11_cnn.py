"""Q11: CNNWithoutBatchNorm: output shape, layer shapes, the attribute names the release asks for, forward
against the reference."""
from __future__ import annotations

import numpy as np

from autograder.graders.fc_and_cnn.common import CNN_SHAPES, cnn_forward, expect_layer_shapes, images, state_shapes
from autograder.kit import Kit, graded


@graded("Q11_cnn", 2)
def test_Q11_output_shape(kit: Kit) -> None:
    """scores have shape (N, 4) for batches of 1, 3 and 9 images."""
    model = kit.session.new("CNNWithoutBatchNorm")
    scores = [kit.array(model.call("forward", images(11201 + n, n)), (n, 4), "the scores") for n in (1, 3, 9)]
    # a shape is judged only for scores the network computes from its images (zeros have it for free)
    kit.expect(float(np.max(np.abs(scores[2] - scores[2][:1]))) > 1e-6,
               "the nine images got the same scores: forward should compute the scores from its input")


@graded("Q11_cnn", 2)
def test_Q11_layers_and_parameter_count(kit: Kit) -> None:
    """the convolution and linear layers have the shapes of the table and nothing else is learned (667,312 values)."""
    expect_layer_shapes(kit, "CNNWithoutBatchNorm", CNN_SHAPES)


@graded("Q11_cnn", 1)
def test_Q11_attribute_names(kit: Kit) -> None:
    """the learned layers are the attributes conv1, conv2, fc1 and fc2 that the release asks for."""
    names = {key.rpartition(".")[0] for key in state_shapes(kit, "CNNWithoutBatchNorm")}
    kit.expect(names == {key.rpartition(".")[0] for key in CNN_SHAPES},
               "the layers with parameters should be the attributes conv1, conv2, fc1 and fc2, and no others")


@graded("Q11_cnn", 5, timeout=60)
def test_Q11_forward_matches_reference(kit: Kit) -> None:
    """with the same weights, the scores match the reference (order of conv, ReLU, pooling, flatten)."""
    kit.compare(cnn_forward, rtol=1e-4, atol=1e-5)
