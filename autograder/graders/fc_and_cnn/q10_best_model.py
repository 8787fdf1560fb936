"""Q10: the best fully connected model reaches the target in at most 50 epochs."""
from __future__ import annotations

from autograder.graders.fc_and_cnn import CALIBRATION, HIDDEN_DRAW
from autograder.graders.fc_and_cnn.common import trained_val_accuracy, training_data
from autograder.kit import Given, Kit, graded


@graded("Q10_training", 5, timeout=180)
def test_Q10_reaches_the_accuracy_target_on_a_hidden_draw(kit: Kit) -> None:
    """trained on a hidden draw in at most 50 epochs, the returned solver's model reaches the target."""
    target = CALIBRATION["Q10"]["threshold"]
    kit.session.seed(10101)
    solver = kit.session.call("train_best_fc_model", training_data(HIDDEN_DRAW))
    accuracy = trained_val_accuracy(kit, solver, "FullyConnectedNet", HIDDEN_DRAW)
    epochs = len(kit.array(solver.get("val_acc_history"), None, "val_acc_history"))
    kit.expect(epochs <= 50, "trained for {epochs} epochs, at most 50 are allowed", epochs=epochs)
    kit.expect(accuracy >= target, "validation accuracy {accuracy:.3f} on a hidden draw, required {target:.2f}",
               accuracy=accuracy, target=Given(target))
