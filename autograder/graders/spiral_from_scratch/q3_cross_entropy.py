"""Q3: SoftmaxCrossEntropy: the mean loss and its gradient, and each again for logits of about +-1000.

Large logits are an edge case with a small test of their own in each item; the backward one does not re-price
a forward that fails there (an overflowing softmax caches no finite values either): the forward one priced it.
Likewise the finite differences of a loss that is wrong (summed, say) say nothing of dz, so that test judges dz
only where the loss is right. The logits the backward is compared on have a first row above every other entry, so
that each class peaks at the same value over the batch: a forward that subtracts the maximum over the wrong axis
gives the right probabilities there, and only its forward's tests price it.
"""
from __future__ import annotations

import numpy as np

from autograder.kit import Failure, Kit, compare_values, graded, labels, matches_reference, normal
from autograder.sandbox import Session, StudentException


LOSS_CASES = [(3101, 9, 5), (3102, 1, 7), (3103, 41, 2)]


def cross_entropy_forward(s: Session) -> dict:
    """the mean loss matches the reference on hidden logits and labels."""
    return {f"loss for {b} samples and {c} classes": s.new("SoftmaxCrossEntropy").call(
        "forward", normal(seed, b, c, scale=3), labels(seed + 1, b, c)) for seed, b, c in LOSS_CASES}


LARGE_LOGITS = np.array([[900.0, -700.0, 1000.0], [-1000.0, -999.0, 0.0], [1000.0, 1000.0, -1000.0]])
LARGE_LABELS = np.array([2, 1, 0], dtype=np.int64)


def cross_entropy_large_logits(s: Session) -> dict:
    loss = s.new("SoftmaxCrossEntropy")
    return {"loss for logits of about +-1000": loss.call("forward", LARGE_LOGITS, LARGE_LABELS),
            "dz for logits of about +-1000": loss.call("backward")}


def peaked(z: np.ndarray) -> np.ndarray:
    """``z`` with its first row raised to one value above every entry (a confident example of no class)."""
    z = z.copy()
    z[0] = z.max() + 1.0
    return z


def cross_entropy_backward(s: Session) -> dict:
    """dz = (softmax - onehot) / B matches the reference on hidden logits and labels."""
    out = {}
    for seed, b, c in LOSS_CASES:
        loss = s.new("SoftmaxCrossEntropy")
        loss.call("forward", peaked(normal(seed, b, c, scale=2)), labels(seed + 1, b, c))
        out[f"dz for {b} samples and {c} classes"] = loss.call("backward")
    return out


FD_LOSS = "loss on the finite-difference input"
FD_LOGITS = normal(3201, 6, 4)


def cross_entropy_fd_loss(s: Session) -> dict:
    return {FD_LOSS: s.new("SoftmaxCrossEntropy").call("forward", FD_LOGITS, labels(3202, 6, 4))}


test_Q3_forward_matches_reference = matches_reference("Q3_forward", 4, cross_entropy_forward, rtol=1e-8)


@graded("Q3_forward", 1)
def test_Q3_forward_is_stable_for_large_logits(kit: Kit) -> None:
    """the loss stays finite and correct for logits of about +-1000."""
    loss = kit.session.new("SoftmaxCrossEntropy")
    value = kit.number(loss.call("forward", LARGE_LOGITS, LARGE_LABELS), "loss for logits of about +-1000")
    want = kit.reference(cross_entropy_large_logits)["loss for logits of about +-1000"]
    kit.expect(abs(value - float(want)) < 1e-6 * max(1.0, abs(float(want))),
               "loss for logits of about +-1000: got {got:.6g}, expected {want:.6g}", got=value, want=float(want))


def cross_entropy_fd_dz(s: Session) -> dict:
    loss = s.new("SoftmaxCrossEntropy")
    loss.call("forward", peaked(FD_LOGITS), labels(3202, 6, 4))
    return {"dz for a (6, 4) input": loss.call("backward")}


test_Q3_backward_matches_reference = matches_reference("Q3_backward", 2, cross_entropy_backward, rtol=1e-8)


@graded("Q3_backward", 2)
def test_Q3_backward_matches_finite_differences(kit: Kit) -> None:
    """dz matches finite differences of your own loss, where that loss is right."""
    loss = kit.session.new("SoftmaxCrossEntropy")
    z, y = FD_LOGITS, labels(3202, 6, 4)
    try:
        compare_values(loss.call("forward", z, y), kit.reference(cross_entropy_fd_loss)[FD_LOSS], FD_LOSS, rtol=1e-8)
    except (Failure, StudentException):
        # differences of a wrong loss are not dz's (the forward's tests priced the loss): dz is judged against the
        # reference's instead, so that no point comes without a right backward
        kit.compare(cross_entropy_fd_dz, rtol=1e-7)
        return
    dz = loss.call("backward")
    kit.gradient_check(kit.forward(lambda x: [loss.planned_call("forward", x, y)],
                                   lambda value: kit.number(value, "loss")), z, np.array(1.0), dz,
                       "SoftmaxCrossEntropy dz")


@graded("Q3_backward", 1)
def test_Q3_backward_is_stable_for_large_logits(kit: Kit) -> None:
    """dz stays finite and correct for logits of about +-1000 whenever the loss there is finite."""
    loss = kit.session.new("SoftmaxCrossEntropy")
    try:
        kit.number(loss.call("forward", LARGE_LOGITS, LARGE_LABELS), "loss for logits of about +-1000")
    except (Failure, StudentException):
        # the forward's edge test priced a loss that fails here; the backward is judged on ordinary logits instead
        kit.compare(cross_entropy_fd_dz, rtol=1e-7)
        return
    want = kit.reference(cross_entropy_large_logits)["dz for logits of about +-1000"]
    compare_values(loss.call("backward"), want, "dz for logits of about +-1000", rtol=1e-8, atol=1e-12)
