"""Hidden graders for ``source/conv_nets/conv_nets.ipynb``: the spec, then one module per question.

Every value is compared with the master notebook on hidden shapes and seeds (``kit.compare``): strides above
one, padding, non-square inputs and kernels, odd sizes, overlapping pools. Backward passes are checked with the
cache of the submission's own forward pass, against the reference and against centered finite differences of
that forward (where the forward is right: a wrong forward is priced by the forward's tests, and the backward is
then judged against the reference alone). Pooling inputs have no ties (distinct, well-spaced values), so a
backward that sends a tied window's gradient to its first maximum and one that sends it to every tied maximum
both keep their points, as the notebook says.

The training tests of Q3 train the submission's ThreeLayerConvNet with the course's Solver on draws of the
built-in CIFAR-10 stand-in that the release never shows (``synthetic_cifar10`` with hidden seeds, shrunk to 16 x 16
pixels so that a test takes seconds), generated here and sent to the child; accuracies are computed here from the
scores the child returns. The thresholds were set from the master over ten hidden draws (each test's
``Calibration``; ``course calibrate conv_nets`` reruns them).

Here: the setup cells every child runs first, what each item loads, the rules. ``common`` holds what several
modules use.
"""
from __future__ import annotations

from autograder.kit import EVERY_TORCH_OPERATOR, Question, Rule

SETUP_CELLS = ("given_imports", "given_layers")
NAIVE = ("Q1_solution", "Q2_solution")
# an answer cell holds a layer's forward and backward (the backward reads the forward's cache); Q3 takes the
# master's naive layers in case a submission's network calls them
QUESTIONS = {
    **{f"Q{n}": Question(cells=(f"Q{n}_solution",), arrays="numpy") for n in (1, 2, 4, 5)},
    "Q3": Question(cells=("Q3_solution",), needs=NAIVE, arrays="numpy"),
}

NUMPY_ONLY = Rule("this notebook is numpy only: do not use torch", names=("torch",), operators=EVERY_TORCH_OPERATOR)
NAIVE_ONLY = Rule("the naive layers are loops and plain numpy: no scipy, no numpy.lib.stride_tricks (as_strided, "
                  "sliding_window_view) and none of the course's fast layers",
                  names=("scipy", "numpy.lib.stride_tricks", "numpy.lib.stride_tricks.as_strided",
                         "numpy.lib.stride_tricks.sliding_window_view", "course_utils.fast_layers",
                         "course_utils.fast_layers.conv_forward_fast", "course_utils.fast_layers.conv_backward_fast",
                         "course_utils.fast_layers.max_pool_forward_fast",
                         "course_utils.fast_layers.max_pool_backward_fast",
                         "course_utils.fast_layers.conv_relu_forward", "course_utils.fast_layers.conv_relu_backward",
                         "course_utils.fast_layers.conv_relu_pool_forward",
                         "course_utils.fast_layers.conv_relu_pool_backward"))
ANSWERS = (*NAIVE, "Q3_solution", "Q4_solution", "Q5_solution")
RULES = {cell: [NUMPY_ONLY, NAIVE_ONLY] if cell in NAIVE else [NUMPY_ONLY] for cell in ANSWERS}

HIDDEN_DRAW = 9101
SEEDS = tuple(range(10))  # training tests' calibration: draws HIDDEN_DRAW + s, the tests themselves use s = 0
