"""Q1: rnn_step_forward against the reference on hidden sizes (float64), and autograd's gradients."""
from __future__ import annotations

import numpy as np

from autograder.graders.rnn_captioning.common import autograd, gradient_test
from autograder.kit import Kit, Session, graded, matches_reference, normal


def step_inputs(seed: int, n: int, d: int, h: int) -> dict[str, np.ndarray]:
    """x, prev_h, Wx, Wh, b of one step, scaled so that tanh is neither linear nor saturated."""
    return {"x": normal(seed, n, d), "prev_h": normal(seed + 1, n, h, scale=0.8),
            "Wx": normal(seed + 2, d, h, scale=d ** -0.5), "Wh": normal(seed + 3, h, h, scale=h ** -0.5),
            "b": normal(seed + 4, h, scale=0.3)}


def next_states(s: Session) -> dict:
    """next_h matches the reference (4 sequences of 7 inputs and 5 hidden units, and one sequence)."""
    return {f"next_h for N, D, H = {n}, {d}, {h}": s.call("rnn_step_forward", *step_inputs(seed, n, d, h).values())
            for seed, n, d, h in ((1101, 4, 7, 5), (1111, 1, 3, 6))}


GRADIENT_CASE = (1201, 3, 4, 5)


def gradient_case_output(s: Session) -> dict:
    return {"next_h on the gradient test's inputs": s.call("rnn_step_forward",
                                                           *step_inputs(*GRADIENT_CASE).values())}


def gradient_case_dout(seed: int, n: int, d: int, h: int) -> np.ndarray:
    return normal(seed + 10, n, h)


def step_gradients(s: Session) -> dict:
    """autograd's gradients of x, prev_h, Wx, Wh and b match the reference."""
    grads = autograd(s, "rnn_step_forward", step_inputs(*GRADIENT_CASE), gradient_case_dout(*GRADIENT_CASE))
    return {f"d{name}": value for name, value in grads.items()}


test_Q1_next_states_match_reference = matches_reference("Q1_step_forward", 2, next_states, rtol=1e-8)


@graded("Q1_step_forward", 1)
def test_Q1_autograd_gradients(kit: Kit) -> None:
    """autograd's gradients with respect to x, prev_h, Wx, Wh and b are right (float64)."""
    gradient_test(kit, "rnn_step_forward", step_inputs(*GRADIENT_CASE), gradient_case_dout(*GRADIENT_CASE),
                  gradient_case_output, step_gradients, rtol=1e-7, core=("x", "prev_h", "Wx", "Wh"))
