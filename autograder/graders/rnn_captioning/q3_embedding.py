"""Q3: word_embedding_forward with repeated words against the reference, and autograd's gradient of W."""
from __future__ import annotations

import numpy as np

from autograder.graders.rnn_captioning.common import autograd, gradient_test
from autograder.kit import Kit, Session, graded, matches_reference, normal


def embedding_inputs(seed: int, n: int, t: int, v: int, d: int) -> dict[str, np.ndarray]:
    """Word indices in which every word repeats (int64, as torch indexes), and a matrix W (V, D) with D > V."""
    rng = np.random.default_rng(seed)
    return {"x": rng.integers(0, v, size=(n, t)).astype(np.int64), "W": normal(seed + 1, v, d)}


def embedded(s: Session) -> dict:
    """out matches the reference (4 captions of 6 words from 5, and one word)."""
    return {f"out for N, T, V, D = {n}, {t}, {v}, {d}": s.call("word_embedding_forward",
                                                                *embedding_inputs(seed, n, t, v, d).values())
            for seed, n, t, v, d in ((3101, 4, 6, 5, 7), (3111, 1, 1, 3, 4))}


GRADIENT_CASE = (3201, 6, 4, 3, 5)


def gradient_case_output(s: Session) -> dict:
    return {"out on the gradient test's words": s.call("word_embedding_forward",
                                                       *embedding_inputs(*GRADIENT_CASE).values())}


def gradient_case_dout(seed: int, n: int, t: int, v: int, d: int) -> np.ndarray:
    return normal(seed + 10, n, t, d)


def embedding_gradient(s: Session) -> dict:
    """autograd's gradient of W, where every word occurs several times, matches the reference."""
    return {"dW": autograd(s, "word_embedding_forward", embedding_inputs(*GRADIENT_CASE),
                           gradient_case_dout(*GRADIENT_CASE))["W"]}


test_Q3_embedded_matches_reference = matches_reference("Q3_embedding", 1, embedded, rtol=1e-12)


@graded("Q3_embedding", 1)
def test_Q3_autograd_gradient(kit: Kit) -> None:
    """autograd's gradient of W adds up the gradients of every occurrence of a word (float64)."""
    gradient_test(kit, "word_embedding_forward", embedding_inputs(*GRADIENT_CASE), gradient_case_dout(*GRADIENT_CASE),
                  gradient_case_output, embedding_gradient, rtol=1e-10, core=("x", "W"))
