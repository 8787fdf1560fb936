"""Q6: the challenge, graded from the trained weights handed in next to the notebook: they load into the
submission's own challenge_model() (tensors only), and the network's accuracy on images the notebook never shows
earns points between a floor and the calibrated target, and a place on the class leaderboard. Nothing is
trained here."""
from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache

import numpy as np

from autograder.graders.pytorch_cifar10 import CHALLENGE_DRAW, SEEDS
from autograder.graders.pytorch_cifar10.common import hidden_images, normalized
from autograder.kit import Calibration, Failure, Given, Kit, graded
from autograder.sandbox import Remote, StudentException
from course_utils.data import CIFAR10_FOLDER, datasets_dir, read_cifar10_images
from course_utils.data.cifar10 import real_cifar10_installed

WEIGHTS = "challenge_model.pt"
FLOOR = 0.40  # the stand-in's accuracy below which the accuracy earns nothing (chance is 0.10)
REAL_FLOOR, REAL_TARGET = 0.30, 0.70  # on the real CIFAR-10 test set, where a course has it


@lru_cache(maxsize=2)
def challenge_images(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The images the challenge is scored on: the real CIFAR-10 test set where the course has it, else a hidden
    draw of the stand-in (1,000 images), normalized as the notebook's loaders do."""
    if not real_cifar10_installed():
        return hidden_images(CHALLENGE_DRAW + seed, 1000)
    _, _, images, labels = read_cifar10_images(datasets_dir() / CIFAR10_FOLDER)
    return normalized(images.transpose(0, 3, 1, 2)), labels


def tensors_saved(data: bytes) -> int:
    """How many tensors' data a file that ``torch.save`` wrote holds (read here as a zip archive, never
    unpickled); -1 if it is no such file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return -1
    if not any(name.endswith("/data.pkl") for name in names):
        return -1
    return sum(re.search(r"/data/\d+$", name) is not None for name in names)


def loaded_model(kit: Kit) -> Remote:
    """The submission's challenge_model() with the handed-in weights loaded (``load_weights``: weights_only)."""
    data = kit.file(WEIGHTS)
    count = tensors_saved(data)
    kit.expect(count >= 0, "challenge_model.pt is not a file that torch.save writes: save best_model.state_dict() "
               "with the notebook's cell")
    kit.expect(count > 0, "challenge_model.pt holds no tensor: save the state_dict of a network with parameters")
    s = kit.session
    try:
        model = s.call_kept("challenge_model")
    except StudentException:
        raise Failure("challenge_model() raised an error: it must build the network from its own cell's code and "
                      "the notebook's given cells (the tests do not run your other answer cells)") from None
    try:
        s.call("load_weights", model, np.frombuffer(data, dtype=np.uint8))
    except StudentException:
        raise Failure("challenge_model.pt does not load into challenge_model() (torch.load with weights_only=True, "
                      "then load_state_dict): hand in the state_dict of the network that challenge_model() builds, "
                      "saved by the notebook's cell") from None
    model.call("eval")
    return model


def challenge_accuracy(kit: Kit, seed: int) -> float:
    """The accuracy of the handed-in network on the challenge's hidden images of draw ``seed``."""
    model = loaded_model(kit)
    images, labels = challenge_images(seed)
    return kit.accuracy(kit.scores(model, images, "the scores"), labels, "the challenge network's scores")


CALIBRATION = Calibration("Q6_challenge", challenge_accuracy, threshold=0.75, seeds=SEEDS, master_range=(0.827, 0.862),
                          what="accuracy of the master's challenge weights on a hidden draw")


@graded("Q6_challenge", 1, timeout=60)
def test_Q6_weights_load_into_the_architecture(kit: Kit) -> None:
    """challenge_model.pt, handed in next to the notebook, loads into challenge_model() (tensors only)."""
    loaded_model(kit)


@graded("Q6_challenge", 4, timeout=120)
def test_Q6_accuracy_on_hidden_images(kit: Kit) -> None:
    """the handed-in network's accuracy on images the notebook never shows: all 4 points at the target, none at the
    floor, in proportion between."""
    floor, target = (REAL_FLOOR, REAL_TARGET) if real_cifar10_installed() else (FLOOR, CALIBRATION.threshold)
    accuracy = challenge_accuracy(kit, CALIBRATION.seeds[0])
    kit.leaderboard("challenge accuracy", round(accuracy, 3))
    fraction = (accuracy - floor) / (target - floor)
    kit.award(np.floor(8 * fraction) / 8, "accuracy {accuracy:.3f} on hidden images: all points from {target:.2f}, "
              "none below {floor:.2f}", accuracy=accuracy, target=Given(target), floor=Given(floor))
