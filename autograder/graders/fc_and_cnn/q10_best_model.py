"""Q10: the best fully connected model reaches the target in at most 50 epochs."""
from __future__ import annotations

from autograder.graders.fc_and_cnn import HIDDEN_DRAW, SEEDS
from autograder.graders.fc_and_cnn.common import trained_val_accuracy, training_data
from autograder.kit import Calibration, Kit, graded


def best_model_accuracy(kit: Kit, seed: int) -> float:
    """train_best_fc_model on hidden draw HIDDEN_DRAW + seed, the child seeded with seed; at most 50 epochs."""
    kit.session.seed(seed)
    solver = kit.session.call("train_best_fc_model", training_data(HIDDEN_DRAW + seed))
    epochs = len(kit.array(solver.get("val_acc_history"), None, "val_acc_history"))
    kit.expect(epochs <= 50, "trained for more than 50 epochs, at most 50 are allowed", detail=f"{epochs} epochs")
    return trained_val_accuracy(kit, solver, "FullyConnectedNet", HIDDEN_DRAW + seed)


CALIBRATION = Calibration("Q10_training", best_model_accuracy, threshold=0.50, seeds=SEEDS,
                          master_range=(0.550, 0.615))


@graded("Q10_training", 5, timeout=180)
def test_Q10_reaches_the_accuracy_target_on_a_hidden_draw(kit: Kit) -> None:
    """trained on a hidden draw in at most 50 epochs, the returned solver's model reaches the target."""
    CALIBRATION.require(kit)
