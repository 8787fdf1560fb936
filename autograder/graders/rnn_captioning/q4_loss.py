"""Q4: CaptioningRNN.loss with the master's RNN functions, in float64 models whose parameters are set here: the
loss of captions without padding, of captions padded with <NULL> to different lengths, and autograd's gradient of
every parameter."""
from __future__ import annotations

import numpy as np

from autograder.graders.rnn_captioning.common import (captioning_model, own_gradients, param_values,
                                                     require_an_attempt, vocabulary)
from autograder.kit import Failure, Kit, Session, StudentException, as_leaf, graded, matches_reference, normal

# seed, captions, words per caption with <START> and <END>, input_dim, wordvec_dim, hidden_dim, vocabulary size
CASES = ((4101, 4, 8, 6, 5, 7, 9), (4111, 1, 5, 3, 4, 2, 6))
GRADIENT_CASE = (4201, 3, 6, 4, 3, 5, 7)


def captions(seed: int, n: int, length: int, vocab_size: int, padded: bool) -> np.ndarray:
    """``n`` captions ``<START> words <END>``, of ``length`` words in all, or of different lengths padded with
    ``<NULL>`` (the shortest has one word) when ``padded``."""
    vocab = vocabulary(vocab_size)
    rng = np.random.default_rng(seed)
    rows = np.full((n, length), vocab["<NULL>"], dtype=np.int64)
    for row in range(n):
        words = length - 2 if not padded else (1 + (length - 3) * row // max(n - 1, 1) if n > 1 else 1)
        rows[row, 0] = vocab["<START>"]
        rows[row, 1:1 + words] = rng.integers(vocab["<UNK>"], vocab_size, size=words)
        rows[row, 1 + words] = vocab["<END>"]
    return rows


def loss_of(s: Session, case: tuple, padded: bool, params: dict | None = None) -> object:
    seed, n, length, input_dim, wordvec_dim, hidden_dim, vocab_size = case
    params = params or param_values(seed, input_dim, wordvec_dim, hidden_dim, vocab_size)
    model = captioning_model(s, vocabulary(vocab_size), params, input_dim, wordvec_dim, hidden_dim)
    return model.call("loss", normal(seed + 20, n, input_dim), captions(seed + 30, n, length, vocab_size, padded))


def unpadded_loss(s: Session) -> dict:
    """the loss of full-length captions matches the reference (4 captions of 8 words, and one of 5)."""
    return {f"loss of {case[1]} captions of {case[2]} words": loss_of(s, case, padded=False) for case in CASES}


def padded_loss(s: Session) -> dict:
    """the loss of captions padded with <NULL> to different lengths matches the reference: padding is no target."""
    return {f"loss of {case[1]} padded captions of up to {case[2]} words": loss_of(s, case, padded=True)
            for case in CASES}


def gradient_case_loss(s: Session) -> dict:
    return {"loss on the gradient test's captions": loss_of(s, GRADIENT_CASE, padded=True)}


def gradient_case_losses(s: Session) -> dict:
    """The loss of the gradient test's model on six draws of features and captions."""
    seed, n, length, input_dim, wordvec_dim, hidden_dim, vocab_size = GRADIENT_CASE
    model = captioning_model(s, vocabulary(vocab_size), gradient_case_params(), input_dim, wordvec_dim, hidden_dim)
    return {"losses of six draws": [model.call("loss", normal(seed + 50 + k, n, input_dim),
                                               captions(seed + 60 + k, n, length, vocab_size, True))
                                    for k in range(6)]}


def gradient_case_params() -> dict:
    seed, n, length, input_dim, wordvec_dim, hidden_dim, vocab_size = GRADIENT_CASE
    return param_values(seed, input_dim, wordvec_dim, hidden_dim, vocab_size)


def autograd_of_loss(s: Session) -> dict:
    """Autograd's gradient of the loss for every parameter, in the child (None where it found none)."""
    leaves = {name: as_leaf(s, value) for name, value in gradient_case_params().items()}
    seed, n, length, input_dim, wordvec_dim, hidden_dim, vocab_size = GRADIENT_CASE
    model = captioning_model(s, vocabulary(vocab_size), leaves, input_dim, wordvec_dim, hidden_dim)
    loss = model.call_kept("loss", normal(seed + 20, n, input_dim), captions(seed + 30, n, length, vocab_size, True))
    loss.call("backward")
    return {f"d{name}": leaf.get("grad") for name, leaf in leaves.items()}


test_Q4_unpadded_loss_matches_reference = matches_reference("Q4_loss", 1, unpadded_loss, rtol=1e-8)
test_Q4_padded_loss_matches_reference = matches_reference("Q4_loss", 1, padded_loss, rtol=1e-8)


@graded("Q4_loss", 1, timeout=60)
def test_Q4_autograd_gradients(kit: Kit) -> None:
    """autograd's gradient of the loss is right for every parameter (float64).

    It is compared with the reference where the loss matches it, and otherwise (the tests above priced the loss)
    with finite differences of the submission's own loss."""
    if kit.agrees(gradient_case_loss):
        kit.compare(autograd_of_loss, rtol=1e-7)
        return
    s = kit.session
    require_an_attempt(kit, [kit.number(value, "loss") for value in gradient_case_losses(s)["losses of six draws"]],
                       np.asarray(kit.reference(gradient_case_losses)["losses of six draws"], dtype=float), "loss")
    try:
        analytic = autograd_of_loss(s)
    except StudentException:
        raise Failure("loss(features, captions) should return a tensor that autograd can differentiate") from None
    params = gradient_case_params()
    seed, n, length, input_dim, wordvec_dim, hidden_dim, vocab_size = GRADIENT_CASE
    model = captioning_model(s, vocabulary(vocab_size), params, input_dim, wordvec_dim, hidden_dim)
    features, words = normal(seed + 20, n, input_dim), captions(seed + 30, n, length, vocab_size, True)

    def loss(**values: np.ndarray) -> list[dict]:
        return [model.planned_set("params", values), model.planned_call("loss", features, words)]

    own_gradients(kit, kit.forward(loss, lambda value: kit.number(value, "loss")), params, np.ones(()),
                  {name: analytic[f"d{name}"] for name in params})
