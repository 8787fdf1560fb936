"""Q7: train_two_layer_net on a hidden draw reaches the calibrated validation target."""
from __future__ import annotations

from autograder.graders.fc_and_cnn import HIDDEN_DRAW, SEEDS
from autograder.graders.fc_and_cnn.common import trained_val_accuracy, training_data
from autograder.kit import Calibration, Kit, graded


def two_layer_net_accuracy(kit: Kit, seed: int) -> float:
    """train_two_layer_net on hidden draw HIDDEN_DRAW + seed, the child seeded with seed."""
    kit.session.seed(seed)
    solver = kit.session.call("train_two_layer_net", training_data(HIDDEN_DRAW + seed))
    return trained_val_accuracy(kit, solver, "TwoLayerNet", HIDDEN_DRAW + seed)


CALIBRATION = Calibration("Q7_training", two_layer_net_accuracy, threshold=0.55, seeds=SEEDS,
                          master_range=(0.600, 0.647))


@graded("Q7_training", 3, timeout=120)
def test_Q7_reaches_the_accuracy_target_on_a_hidden_draw(kit: Kit) -> None:
    """trained on a hidden draw of the data, the two-layer network reaches the validation target."""
    CALIBRATION.require(kit)
