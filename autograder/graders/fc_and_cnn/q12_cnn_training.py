"""Q12: cnn_accuracy and train_cnn against the reference, and two epochs reaching the target.

The images and labels reach train_cnn and cnn_accuracy as numpy arrays, as in the notebook (``as_numpy``).
"""
from __future__ import annotations

from autograder.graders.fc_and_cnn import HIDDEN_DRAW, SEEDS
from autograder.graders.fc_and_cnn.common import as_numpy, hidden_gaze, training_data
from autograder.kit import Calibration, Kit, graded, matches_reference, set_module_weights
from autograder.sandbox import Session


def cnn_training_losses(s: Session) -> dict:
    """train_cnn's epoch losses match the reference: SGD with momentum, StepLR(2, 0.9), the given minibatches."""
    s.seed(12101)
    model = s.new("CNNWithoutBatchNorm")
    losses = s.call("train_cnn", model, as_numpy(s, training_data(HIDDEN_DRAW, 600)), 3, batch_size=64, lr=0.02,
                    seed=5)
    return {"epoch losses of train_cnn (600 images, 3 epochs, batch 64)": losses}


def cnn_accuracy_value(s: Session) -> dict:
    """cnn_accuracy matches the reference (a last batch smaller than batch_size); a float32 mean is fine."""
    s.seed(12201)
    model = s.new("CNNWithoutBatchNorm")
    set_module_weights(model, 12202)
    draw = as_numpy(s, {key: hidden_gaze(HIDDEN_DRAW)[key][:300] for key in ("X_val", "y_val")})
    return {"cnn_accuracy on 300 hidden images": s.call("cnn_accuracy", model, draw["X_val"], draw["y_val"],
                                                        batch_size=128)}


test_Q12_accuracy_matches_reference = matches_reference("Q12_training", 1, cnn_accuracy_value, rtol=1e-6, timeout=60)


@graded("Q12_training", 1, timeout=60)
def test_Q12_accuracy_uses_eval_mode(kit: Kit) -> None:
    """cnn_accuracy leaves a model that was in training mode in evaluation mode."""
    s = kit.session
    model = s.new("CNNWithoutBatchNorm")
    model.call("train")
    draw = as_numpy(s, {key: hidden_gaze(HIDDEN_DRAW)[key][:10] for key in ("X_val", "y_val")})
    s.call("cnn_accuracy", model, draw["X_val"], draw["y_val"])
    kit.expect(not model.get("training"), "cnn_accuracy should evaluate the model in evaluation mode")


test_Q12_train_cnn_follows_the_recipe = matches_reference("Q12_training", 2, cnn_training_losses, rtol=2e-3, timeout=90)


def cnn_accuracy_after_two_epochs(kit: Kit, seed: int) -> float:
    """Two epochs of train_cnn on hidden draw HIDDEN_DRAW + seed, a CNNWithoutBatchNorm made after seeding the
    child with seed."""
    s = kit.session
    s.seed(seed)
    model = s.new("CNNWithoutBatchNorm")
    s.call("train_cnn", model, as_numpy(s, training_data(HIDDEN_DRAW + seed)), 2)
    model.call("eval")
    draw = hidden_gaze(HIDDEN_DRAW + seed)
    return kit.accuracy(kit.scores(model, draw["X_val"][:, None], "the validation scores"), draw["y_val"],
                        "the validation scores")


CALIBRATION = Calibration("Q12_training", cnn_accuracy_after_two_epochs, threshold=0.55, seeds=SEEDS,
                          master_range=(0.607, 0.713), what="validation accuracy after two epochs on a hidden draw")


@graded("Q12_training", 1, timeout=180)
def test_Q12_training_reaches_the_accuracy_target(kit: Kit) -> None:
    """two epochs of train_cnn on a hidden draw reach the validation target."""
    CALIBRATION.require(kit)
