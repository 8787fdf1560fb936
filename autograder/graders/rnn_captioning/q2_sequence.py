"""Q2: rnn_forward (on the master's rnn_step_forward) against the reference on hidden sizes, and autograd's
gradients."""
from __future__ import annotations

import numpy as np

from autograder.graders.rnn_captioning.common import autograd, gradient_test
from autograder.kit import Kit, Session, graded, matches_reference, normal


def sequence_inputs(seed: int, n: int, t: int, d: int, h: int) -> dict[str, np.ndarray]:
    """x, h0, Wx, Wh, b of a sequence, scaled so that the states neither vanish nor saturate."""
    return {"x": normal(seed, n, t, d), "h0": normal(seed + 1, n, h, scale=0.8),
            "Wx": normal(seed + 2, d, h, scale=d ** -0.5), "Wh": normal(seed + 3, h, h, scale=1.2 * h ** -0.5),
            "b": normal(seed + 4, h, scale=0.3)}


def all_states(s: Session) -> dict:
    """h matches the reference (3 sequences of 6 steps, and one sequence of one step)."""
    return {f"h for N, T, D, H = {n}, {t}, {d}, {h}": s.call("rnn_forward", *sequence_inputs(seed, n, t, d, h).values())
            for seed, n, t, d, h in ((2101, 3, 6, 4, 5), (2111, 1, 1, 3, 2))}


GRADIENT_CASE = (2201, 2, 5, 3, 4)


def gradient_case_output(s: Session) -> dict:
    return {"h on the gradient test's inputs": s.call("rnn_forward", *sequence_inputs(*GRADIENT_CASE).values())}


def gradient_case_dout(seed: int, n: int, t: int, d: int, h: int) -> np.ndarray:
    return normal(seed + 10, n, t, h)


def sequence_gradients(s: Session) -> dict:
    """autograd's gradients of x, h0, Wx, Wh and b match the reference."""
    grads = autograd(s, "rnn_forward", sequence_inputs(*GRADIENT_CASE), gradient_case_dout(*GRADIENT_CASE))
    return {f"d{name}": value for name, value in grads.items()}


test_Q2_all_states_match_reference = matches_reference("Q2_forward", 2, all_states, rtol=1e-8)


@graded("Q2_forward", 1)
def test_Q2_autograd_gradients(kit: Kit) -> None:
    """autograd's gradients with respect to x, h0, Wx, Wh and b are right, through every step (float64)."""
    gradient_test(kit, "rnn_forward", sequence_inputs(*GRADIENT_CASE), gradient_case_dout(*GRADIENT_CASE),
                  gradient_case_output, sequence_gradients, rtol=1e-7, core=("x", "h0", "Wx", "Wh"))
