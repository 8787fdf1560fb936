"""Hidden graders for ``source/fc_and_cnn/fc_and_cnn.ipynb``: the spec, then one module per question.

Part 1 (numpy) tests run with numpy arrays in the child, Part 2 (PyTorch) tests with tensors. Values are
compared with the master notebook on hidden shapes and seeds (``kit.compare``); gradients are also checked
against centered finite differences. Tests of one question load only that question's answer cells from the
submission and take the cells they build on from the master (``needs``).

Training tests (Q7, Q9, Q10, Q12, Q14) train on draws of the built-in gaze stand-in that the release never
shows (``synthetic_gaze`` with hidden seeds), generated here in the grader and sent to the child, and
accuracies are computed here from the scores the child returns. The thresholds were set from the master's
results over ten hidden draws: each training test's ``Calibration`` holds them, and ``course calibrate
fc_and_cnn`` reruns it.

Here: the setup cells every child runs first, what each question loads, the rules of Part 1. The tests are in the
``q*`` modules, in question order; ``common`` holds what several of them use.
"""
from __future__ import annotations

import ast

from autograder.kit import EVERY_TORCH_OPERATOR, Question, Rule

SETUP_CELLS = ("given_imports", "given_data", "given_sandwich", "given_cnn_settings")
LAYERS = ("Q1_solution", "Q2_solution", "Q3_solution", "Q4_solution", "Q5_solution")
PART1 = (*LAYERS, "Q6_solution", "Q7_solution", "Q8_solution", "Q9_solution", "Q10_solution")
# Part 1 (numpy) receives numpy arrays, Part 2 (PyTorch) tensors
QUESTIONS = {
    "Q1": Question(cells=("Q1_solution",), arrays="numpy"),
    "Q2": Question(cells=("Q2_solution",), needs=("Q1_solution",), arrays="numpy"),
    "Q3": Question(cells=("Q3_solution",), arrays="numpy"),
    "Q4": Question(cells=("Q4_solution",), needs=("Q3_solution",), arrays="numpy"),
    "Q5": Question(cells=("Q5_solution",), arrays="numpy"),
    "Q6": Question(cells=("Q6_solution",), needs=LAYERS, arrays="numpy"),
    "Q7": Question(cells=("Q7_solution",), needs=(*LAYERS, "Q6_solution"), arrays="numpy"),
    "Q8": Question(cells=("Q8_solution",), needs=LAYERS, arrays="numpy"),
    "Q9": Question(cells=("Q9_solution",), needs=(*LAYERS, "Q8_solution"), arrays="numpy"),
    "Q10": Question(cells=("Q10_solution",), needs=(*LAYERS, "Q8_solution", "Q9_solution"), arrays="numpy"),
    "Q11": Question(cells=("Q11_solution",)),
    "Q12": Question(cells=("Q12_solution",), needs=("Q11_solution",)),
    "Q13": Question(cells=("Q13_solution",)),
    "Q14": Question(cells=("Q14_solution",), needs=("Q11_solution", "Q12_solution", "Q13_solution")),
    "Q15": Question(cells=("Q15_solution",), needs=("Q11_solution",)),
    "Q16": Question(cells=("Q16_solution",), arrays="numpy"),
}

NO_LOOPS = Rule("Q1-Q6 must be vectorized: no for/while loop or comprehension (nor np.vectorize, "
                "np.apply_along_axis, np.frompyfunc or map)",
                names=("numpy.vectorize", "numpy.apply_along_axis", "numpy.frompyfunc", "map"),
                syntax=(ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp,
                        ast.GeneratorExp))
NUMPY_ONLY = Rule("Part 1 is numpy only: do not use torch", names=("torch",), operators=EVERY_TORCH_OPERATOR)
RULES = {cell: [NUMPY_ONLY, NO_LOOPS] if cell in (*LAYERS, "Q6_solution") else [NUMPY_ONLY] for cell in PART1}

HIDDEN_DRAW = 7101
SEEDS = tuple(range(10))  # training tests' calibration: draws HIDDEN_DRAW + s, the tests themselves use s = 0
# the training images of a hidden draw, as many as the course data has in quick mode (where children run): half of
# the full 4,000, so that one submission is graded within Gradescope's two minutes at half a CPU
TRAIN_IMAGES = 2000
