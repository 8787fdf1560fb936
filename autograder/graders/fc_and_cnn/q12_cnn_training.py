"""Q12: cnn_accuracy and train_cnn against the reference, and two epochs reaching the target.

The images and labels reach train_cnn and cnn_accuracy as numpy arrays, as in the notebook (``as_numpy``).
"""
from __future__ import annotations

from autograder.graders.fc_and_cnn import CALIBRATION, CNN_TRAIN_IMAGES, HIDDEN_DRAW
from autograder.graders.fc_and_cnn.common import as_numpy, hidden_gaze, scores_accuracy, set_weights, training_data
from autograder.kit import Given, Kit, graded
from autograder.sandbox import Session


def cnn_training_losses(s: Session) -> dict:
    s.seed(12101)
    model = s.new("CNNWithoutBatchNorm")
    losses = s.call("train_cnn", model, as_numpy(s, training_data(HIDDEN_DRAW, 300)), 3, batch_size=64, lr=0.02,
                    seed=5)
    return {"epoch losses of train_cnn (300 images, 3 epochs, batch 64)": losses}


def cnn_accuracy_value(s: Session) -> dict:
    s.seed(12201)
    model = s.new("CNNWithoutBatchNorm")
    set_weights(model, 12202)
    draw = as_numpy(s, {key: hidden_gaze(HIDDEN_DRAW)[key][:300] for key in ("X_val", "y_val")})
    return {"cnn_accuracy on 300 hidden images": s.call("cnn_accuracy", model, draw["X_val"], draw["y_val"],
                                                        batch_size=128)}


@graded("Q12_training", 1, timeout=60)
def test_Q12_accuracy_matches_reference(kit: Kit) -> None:
    """cnn_accuracy matches the reference (a last batch smaller than batch_size); a float32 mean is fine."""
    kit.compare(cnn_accuracy_value, rtol=1e-6)


@graded("Q12_training", 1, timeout=60)
def test_Q12_accuracy_uses_eval_mode(kit: Kit) -> None:
    """cnn_accuracy leaves a model that was in training mode in evaluation mode."""
    s = kit.session
    model = s.new("CNNWithoutBatchNorm")
    model.call("train")
    draw = as_numpy(s, {key: hidden_gaze(HIDDEN_DRAW)[key][:10] for key in ("X_val", "y_val")})
    s.call("cnn_accuracy", model, draw["X_val"], draw["y_val"])
    kit.expect(not model.get("training"), "cnn_accuracy should evaluate the model in evaluation mode")


@graded("Q12_training", 2, timeout=90)
def test_Q12_train_cnn_follows_the_recipe(kit: Kit) -> None:
    """train_cnn's epoch losses match the reference: SGD with momentum, StepLR(2, 0.9), the given minibatches."""
    kit.compare(cnn_training_losses, rtol=2e-3)


@graded("Q12_training", 1, timeout=180)
def test_Q12_training_reaches_the_accuracy_target(kit: Kit) -> None:
    """two epochs of train_cnn on a hidden draw reach the validation target."""
    _cnn_training_target(kit, "CNNWithoutBatchNorm", "Q12")


def _cnn_training_target(kit: Kit, cls: str, question: str) -> None:
    target = CALIBRATION[question]["threshold"]
    s = kit.session
    s.seed(12301)
    model = s.new(cls)
    s.call("train_cnn", model, as_numpy(s, training_data(HIDDEN_DRAW, CNN_TRAIN_IMAGES)), 2)
    model.call("eval")
    draw = hidden_gaze(HIDDEN_DRAW)
    accuracy = scores_accuracy(kit, model.call("forward", draw["X_val"][:, None]), draw["y_val"], "validation scores")
    kit.expect(accuracy >= target, "validation accuracy {accuracy:.3f} after two epochs on a hidden draw, "
               "required {target:.2f}", accuracy=accuracy, target=Given(target))
