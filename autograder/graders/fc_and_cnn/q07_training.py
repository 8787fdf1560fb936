"""Q7: train_two_layer_net on a hidden draw reaches the calibrated validation target."""
from __future__ import annotations

from autograder.graders.fc_and_cnn import CALIBRATION, HIDDEN_DRAW
from autograder.graders.fc_and_cnn.common import trained_val_accuracy, training_data
from autograder.kit import Given, Kit, graded


@graded("Q7_training", 3, timeout=120)
def test_Q7_reaches_the_accuracy_target_on_a_hidden_draw(kit: Kit) -> None:
    """trained on a hidden draw of the data, the two-layer network reaches the validation target."""
    target = CALIBRATION["Q7"]["threshold"]
    kit.session.seed(7101)
    solver = kit.session.call("train_two_layer_net", training_data(HIDDEN_DRAW))
    accuracy = trained_val_accuracy(kit, solver, "TwoLayerNet", HIDDEN_DRAW)
    kit.expect(accuracy >= target, "validation accuracy {accuracy:.3f} on a hidden draw, required {target:.2f}",
               accuracy=accuracy, target=Given(target))
