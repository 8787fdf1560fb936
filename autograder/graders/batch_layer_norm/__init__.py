"""Hidden graders for ``source/batch_layer_norm/batch_layer_norm.ipynb``: the spec, then one module per question.

Values are compared with the master notebook on hidden shapes and seeds (``kit.compare``); gradients are also
checked against centered finite differences of the submission's own forward pass. A question's tests load only
that question's answer cells from the submission and take the cells they build on from the master (``needs``).

A backward pass reads the cache of its own forward pass, so Q1 and Q6 load the layer's whole answer cell (forward
and backward written together, the cache layout being the student's). To keep a forward defect from being priced
again in the backward items, the backward is compared with the reference on large batches (Q1) or wide rows (Q6),
where the defects of the statistics a forward pass can have (variance divided by N - 1, eps outside the square
root) move the gradients by less than the tolerance while every backward bug moves them by far more; only the
small finite-difference tests (one point each in Q1_backward, Q1_backward_alt, Q6_backward) see such a forward
defect again.

The network of Q2 is graded twice: its batch-norm branch in Q2 and its layer-norm branch in Q7, whose tests price
only what is particular to layer normalization (parameters, per-example statistics, invariance to the scale of
the input, gradients consistent with the submission's own loss), so a defect the two branches share costs in Q2
only.

No test trains a model: the three experiments are given code that feeds the inline questions (graded by hand).
"""
from __future__ import annotations

from autograder.kit import EVERY_TORCH_OPERATOR, Question, Rule

SETUP_CELLS = ("given_imports", "given_layers")
QUESTIONS = {
    "Q1": Question(cells=("Q1_solution",), arrays="numpy"),
    "Q2": Question(cells=("Q2_solution",), needs=("Q1_solution",), arrays="numpy"),
    # batch norm of the transposed input is a common way to write layer norm: the master's Q1 cell provides it
    "Q6": Question(cells=("Q6_solution",), needs=("Q1_solution",), arrays="numpy"),
    "Q7": Question(cells=("Q2_solution",), needs=("Q1_solution", "Q6_solution"), arrays="numpy"),
}

NUMPY_ONLY = Rule("this notebook is numpy only: do not use torch", names=("torch",), operators=EVERY_TORCH_OPERATOR)
RULES = {cell: [NUMPY_ONLY] for cell in ("Q1_solution", "Q2_solution", "Q6_solution")}
