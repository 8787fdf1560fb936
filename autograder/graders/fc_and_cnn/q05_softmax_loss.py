"""Q5: softmax_loss, its gradient, its stability for large scores and what it returns."""
from __future__ import annotations

import numpy as np

from autograder.kit import Kit, graded, labels, matches_reference, normal
from autograder.sandbox import Session


LOSS_CASES = [(5101, 9, 4, 1.0), (5102, 1, 2, 3.0), (5103, 40, 11, 10.0)]


def softmax_values(s: Session) -> dict:
    """loss and dx match the reference on hidden scores and labels."""
    out = {}
    for seed, n, c, scale in LOSS_CASES:
        loss, dx = s.call("softmax_loss", normal(seed, n, c, scale=scale), labels(seed + 1, n, c))
        out[f"loss for ({n}, {c}) scores"] = loss
        out[f"dx for ({n}, {c}) scores"] = dx
    return out


def softmax_extreme_values(s: Session) -> dict:
    """One row at a time: with N = 1 a mean and a sum agree, so only the large scores are priced here."""
    out = {}
    for row, (scores, label) in enumerate([([1000.0, 0.0, -1000.0], 2), ([-800.0, 900.0, 50.0], 0),
                                           ([3e4, 3e4, -3e4], 1)], start=1):
        loss, dx = s.call("softmax_loss", np.array([scores]), np.array([label]))
        out[f"loss for large scores, row {row}"] = loss
        out[f"dx for large scores, row {row}"] = dx
    return out


def require_softmax(kit: Kit, x: np.ndarray, y: np.ndarray) -> None:
    """Refuse a loss that does not compare the classes' scores (a constant, minus the label's score): judged
    against itself, by finite differences or by what it returns, it would pass without any softmax."""
    s = kit.session
    rows = np.arange(len(y))
    other = (y + 1) % x.shape[1]
    losses = []
    for change in (None, y, other):
        moved = x.copy()
        if change is not None:
            moved[rows, change] += 1.0
        result = s.call("softmax_loss", moved, y)
        kit.expect(isinstance(result, tuple) and len(result) == 2, "softmax_loss should return (loss, dx)")
        losses.append(kit.number(result[0], "loss"))
    kit.expect(abs(losses[1] - losses[0]) > 1e-6 and abs(losses[2] - losses[0]) > 1e-6,
               "the loss does not change when the label's score or another class's score does: softmax_loss "
               "should compare the scores of every class")


test_Q5_loss_and_gradient_match_reference = matches_reference("Q5_softmax_loss", 3, softmax_values, rtol=1e-7)


@graded("Q5_softmax_loss", 2)
def test_Q5_gradient_matches_finite_differences(kit: Kit) -> None:
    """dx matches finite differences of your own loss."""
    s = kit.session
    x, y = normal(5201, 6, 5, scale=2), labels(5202, 6, 5)
    require_softmax(kit, x, y)
    result = s.call("softmax_loss", x, y)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "softmax_loss should return (loss, dx)")
    kit.gradient_check(lambda v: kit.number(s.call("softmax_loss", v, y)[0], "loss"), x, np.ones(()),
                       result[1], "dx", rtol=1e-6)


@graded("Q5_softmax_loss", 2)
def test_Q5_is_stable_for_large_scores(kit: Kit) -> None:
    """single rows of scores of +-1000 and beyond give a finite loss and gradient equal to the reference."""
    kit.compare(softmax_extreme_values, rtol=1e-7)


@graded("Q5_softmax_loss", 1)
def test_Q5_returns_a_number_and_a_gradient(kit: Kit) -> None:
    """the loss is a single number and dx has the shape of the scores."""
    require_softmax(kit, normal(5303, 3, 4), labels(5304, 3, 4))
    loss, dx = kit.session.call("softmax_loss", normal(5301, 3, 4), labels(5302, 3, 4))
    kit.number(loss, "loss")
    kit.array(dx, (3, 4), "dx")
