"""Hidden graders for ``source/dropout/dropout.ipynb``: the spec, then one module per question.

Q1 grades ``dropout_forward`` and ``dropout_backward`` (one answer cell, two items); Q3 grades
``FullyConnectedNet`` with the master's dropout functions (``needs``), so that a bug in the dropout layer costs
points in Q1 only. Q2 and Q4 are written answers, graded by hand. Inputs, shapes, seeds and keep
probabilities are hidden: the release never shows them. The notebook's convention is graded exactly:
``dropout_param['p']`` is the probability of KEEPING a unit, the mask is ``np.random.rand(*x.shape) < p``
divided by ``p``, and a ``'seed'`` means ``np.random.seed(seed)`` at the start of every call.

The regularization experiment is given code and graded by hand (Q4): no training test, so no calibration.
"""
from __future__ import annotations

from autograder.kit import Question

SETUP_CELLS = ("given_imports", "given_layers")
QUESTIONS = {
    "Q1": Question(cells=("Q1_solution",), arrays="numpy"),
    "Q3": Question(cells=("Q3_solution",), needs=("Q1_solution",), arrays="numpy"),
}
RULES: dict = {}
