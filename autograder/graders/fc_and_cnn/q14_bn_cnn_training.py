"""Q14: the cell that trains bn_cnn, verified against the master's run, and its accuracy."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from autograder.graders.fc_and_cnn import HIDDEN_DRAW, SEEDS, TRAIN_IMAGES
from autograder.graders.fc_and_cnn.common import as_numpy, hidden_gaze, standardized, training_data
from autograder.kit import Calibration, Given, Kit, graded
from autograder.sandbox import Remote, Session


@graded("Q14_training", 2, timeout=240)
def test_Q14_trains_a_batchnorm_cnn(kit: Kit) -> None:
    """the cell trains a CNNWithBatchNorm called bn_cnn for CNN_EPOCHS epochs and keeps its losses."""
    s, want = kit.session, kit.reference(bn_cnn_run)
    epochs = int(want["CNN_EPOCHS"])
    model = s.get("bn_cnn")
    kit.expect(isinstance(model, Remote) and model.isinstance("CNNWithBatchNorm"),
               "bn_cnn should be a CNNWithBatchNorm")
    losses = kit.array(s.get("bn_cnn_losses"), None, "bn_cnn_losses")
    kit.expect(losses.shape == (epochs,), "bn_cnn_losses should hold CNN_EPOCHS = {epochs} values",
               epochs=Given(epochs), detail=f"shape {losses.shape}")
    # batch norm counts its training batches: as many as the master's run of the same epochs on the same data
    batches = int(kit.number(bn_cnn_run(s)["bn1 batches"], "bn1.num_batches_tracked"))
    kit.expect(batches == int(want["bn1 batches"]), "bn_cnn did not see the {expected} training batches that "
               "CNN_EPOCHS epochs of train_cnn on the course data are", expected=Given(int(want["bn1 batches"])),
               detail=f"{batches} batches")


def bn_cnn_run(s: Session) -> dict:
    return {"CNN_EPOCHS": s.get("CNN_EPOCHS"), "bn1 batches": s.get("bn_cnn").get("bn1").get("num_batches_tracked")}


def batchnorm_cnn_accuracy(kit: Kit, seed: int) -> float:
    """The Q14 cell's recipe on hidden draw HIDDEN_DRAW + seed: a CNNWithBatchNorm made after seeding the child
    with seed, CNN_EPOCHS epochs of the master's train_cnn (the threshold's calibration; the test itself scores
    the cell's own run on the course data)."""
    s = kit.session
    s.seed(seed)
    model = s.new("CNNWithBatchNorm")
    s.call("train_cnn", model, as_numpy(s, training_data(HIDDEN_DRAW + seed)), s.get("CNN_EPOCHS"))
    model.call("eval")
    draw = hidden_gaze(HIDDEN_DRAW + seed)
    return kit.accuracy(kit.scores(model, draw["X_val"][:, None], "the validation scores"), draw["y_val"],
                        "the validation scores")


CALIBRATION = Calibration("Q14_training", batchnorm_cnn_accuracy, threshold=0.60, seeds=SEEDS,
                          master_range=(0.650, 0.714))


@graded("Q14_training", 3, timeout=240)
def test_Q14_trained_network_reaches_the_accuracy_target(kit: Kit) -> None:
    """the trained bn_cnn reaches the validation target on the course data."""
    s = kit.session
    model = s.get("bn_cnn")
    kit.expect(isinstance(model, Remote), "bn_cnn should be a network")
    model.call("eval")
    X_val, y_val = course_validation_data()
    accuracy = kit.accuracy(kit.scores(model, X_val[:, None], "the validation scores"), y_val, "the validation scores")
    kit.expect(accuracy >= CALIBRATION.threshold, "validation accuracy {accuracy:.3f}, required {target:.2f}",
               accuracy=accuracy, target=Given(CALIBRATION.threshold))


@lru_cache(maxsize=1)
def course_validation_data() -> tuple[np.ndarray, np.ndarray]:
    """The validation split of the data that the notebook's given_data cell loads in quick mode, where children
    run (the built-in stand-in, ``TRAIN_IMAGES`` training images)."""
    from course_utils.data import load_gaze_or_stand_in

    data = standardized(load_gaze_or_stand_in(num_train=TRAIN_IMAGES))
    return data["X_val"], data["y_val"]
