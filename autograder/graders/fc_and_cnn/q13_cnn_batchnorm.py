"""Q13: CNNWithBatchNorm: layers, training and evaluation mode against the reference."""
from __future__ import annotations

from autograder.graders.fc_and_cnn.common import BN_SHAPES, cnn_bn_eval, cnn_bn_training, expect_layer_shapes
from autograder.kit import Kit, graded


@graded("Q13_cnn_batchnorm", 1)
def test_Q13_layers(kit: Kit) -> None:
    """the layers of the table plus a BatchNorm2d(6) and a BatchNorm2d(16), nothing else."""
    expect_layer_shapes(kit, "CNNWithBatchNorm", BN_SHAPES)


@graded("Q13_cnn_batchnorm", 2, timeout=60)
def test_Q13_training_mode_matches_reference(kit: Kit) -> None:
    """in training mode the scores and the updated running statistics match the reference (BN after pooling)."""
    kit.compare(cnn_bn_training, rtol=1e-4, atol=1e-5)


@graded("Q13_cnn_batchnorm", 2, timeout=60)
def test_Q13_eval_mode_matches_reference(kit: Kit) -> None:
    """in evaluation mode the scores use the running statistics and match the reference."""
    kit.compare(cnn_bn_eval, rtol=1e-4, atol=1e-5)
