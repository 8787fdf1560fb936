"""Hidden graders for ``source/pytorch_cifar10/pytorch_cifar10.ipynb``: the spec, then one module per question.

Forward passes are compared with the master notebook on hidden shapes, images and weights (float32). Modules
get their weights by the role and shape of each tensor, never by attribute name. Training is the submission's
own: its parameters, model and optimizer, trained by the notebook's given loops (``train_part2``,
``train_part34``) on draws of the built-in stand-in that the release never shows, which the child makes itself
from a secret seed (``common.use_hidden_loaders``); accuracies are computed here from the scores the child
returns on images drawn from seeds it never sees. Children get no data sets folder (``DATASETS``): where a course
has the real CIFAR-10, the challenge is scored on its test set, which no child may hold. The recipe tests train a
few steps from weights set here and compare with the master (the learning rate, momentum, Nesterov); the accuracy
tests train one epoch from the submission's own initialization and require the threshold of their
``Calibration`` (``course calibrate pytorch_cifar10``).

The challenge (Q6) is graded the way courses grade expensive training: the student hands in the trained weights
(``challenge_model.pt``, declared in ``FILES`` with its size limit) next to the notebook; the child builds the
submission's ``challenge_model()`` and loads them with ``torch.load(weights_only=True)``, and the accuracy on
hidden images is computed here, scaled between a floor and the calibrated target, and put on the leaderboard.
The master's own weights (``MASTER_FILES``) were trained by the master notebook in full mode.

Here: the setup cells every child runs first, what each question loads, the rule of the barebones part.
"""
from __future__ import annotations

from autograder.kit import Question, Rule

SETUP_CELLS = ("given_imports", "given_data", "given_flatten", "given_two_layer_fc", "given_barebones_training",
               "given_module_training", "given_flatten_layer", "given_challenge_settings")
QUESTIONS = {
    "Q1": Question(cells=("Q1_solution",)),
    "Q2": Question(cells=("Q2_solution",), needs=("Q1_solution",)),
    "Q3": Question(cells=("Q3_solution",)),
    "Q4": Question(cells=("Q4_solution",), needs=("Q3_solution",)),
    "Q5": Question(cells=("Q5_solution",)),
    "Q6": Question(cells=("Q6_solution",), files=("challenge_model.pt",)),
}
FILES = {"challenge_model.pt": 50 * 2**20}
DATASETS = False  # children see no data sets folder (the notebook's loaders fall back to the stand-in there)
MASTER_FILES = {"challenge_model.pt": "master_challenge_model.pt"}

LAYER_CLASSES = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "Linear",
                 "Bilinear", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
                 "LazyConvTranspose3d", "LazyLinear")
BAREBONES = Rule("the barebones part uses torch.nn.functional, not the layers of torch.nn (nn.Conv2d, nn.Linear)",
                 names=tuple(f"torch.nn.{name}" for name in LAYER_CLASSES))
RULES = {"Q1_solution": [BAREBONES], "Q2_solution": [BAREBONES]}

# Hidden draws of the stand-in. Its generator is public, so a small seed could be found in the child by trying
# them all and the labels of the images drawn again: these are 62-bit secrets. The child sees the seed of a
# training draw (it makes that draw itself); the images an accuracy is measured on come from seeds it never sees.
TRAINING_DRAW = 1045281888353954894  # + seed: the draws the child trains on
VALIDATION_DRAW = 1804759643231974105  # + seed: the images the accuracy tests score
CHALLENGE_DRAW = 2912497360588833663  # + seed: the images the challenge is scored on
SEEDS = tuple(range(10))  # the accuracy tests' calibration; the tests themselves use seed 0
TRAIN_IMAGES = 4000  # one epoch of the stand-in, as the notebook trains in full mode
