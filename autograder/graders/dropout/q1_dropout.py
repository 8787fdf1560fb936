"""Q1: dropout_forward (statistics, test mode, fresh masks, the seed) and dropout_backward (the forward's mask).

Each forward test prices one defect. The training-mode statistics (a fraction p kept, survivors divided by p)
are one test, so that reading p as the drop probability (PyTorch's convention: keep 1 - p, divide by 1 - p)
costs once. The seed test works at p = 0.5 and compares which units are kept, not their values, with the
reference's (or its complement), so that it prices only where the random numbers come from, not the keep
convention or the scale.

The backward is judged against the forward's own output: with positive inputs, ``out / x`` is the mask (and
scale) that the submission's forward applied, so ``dx`` must be ``dout * out / x`` whatever that forward did;
a forward defect (no scaling, dropping in test mode) is the forward tests' to price, not the backward's.
Every backward gets the cache of the same submission's forward, sent back as the forward returned it.
"""
from __future__ import annotations

import numpy as np

from autograder.kit import Given, Kit, graded
from autograder.sandbox import Session


def positive(seed: int, *shape: int) -> np.ndarray:
    """A hidden input in [1, 2): zeros of the output mark dropped units and ``out / x`` recovers the mask."""
    return np.random.default_rng(seed).random(shape) + 1.0


def forward(kit: Kit, x: np.ndarray, dropout_param: dict, what: str) -> tuple[np.ndarray, object]:
    result = kit.session.call("dropout_forward", x, dropout_param)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "dropout_forward should return (out, cache)")
    return kit.array(result[0], x.shape, what), result[1]


def backward(kit: Kit, dout: np.ndarray, cache: object, what: str) -> np.ndarray:
    return kit.array(kit.session.call("dropout_backward", dout, cache), dout.shape, what)


def dropping_forward(kit: Kit, x: np.ndarray, p: float) -> tuple[np.ndarray, object]:
    """The training-mode forward, required to drop some units and keep others: a backward is judged against
    the forward's own mask, and a forward that drops nothing (or everything) leaves nothing to judge it by."""
    out, cache = forward(kit, x, {"mode": "train", "p": p}, "the training-mode output")
    kit.require_dropping(out, p)
    return out, cache


@graded("Q1_forward", 1.5)
def test_Q1_forward_keeps_a_fraction_p_and_divides_by_p(kit: Kit) -> None:
    """in training mode about a fraction p of the units is kept, each divided by p (so the mean is kept)."""
    for seed, p, shape in [(1101, 0.3, (300, 400)), (1102, 0.55, (40, 50, 60)), (1103, 0.85, (500, 240))]:
        x = positive(seed, *shape)
        kit.session.seed(seed)
        out, _ = forward(kit, x, {"mode": "train", "p": p}, "the training-mode output")
        kept = out != 0
        fraction = float(np.mean(kept))
        kit.expect(abs(fraction - p) < 0.01, "p={p}: {fraction:.3f} of the units were kept, expected about {p} "
                                             "(p is the probability of keeping a unit)", p=Given(p), fraction=fraction)
        error = float(np.max(np.abs(out[kept] * p - x[kept]) / x[kept], initial=0.0))
        kit.expect(error < 1e-9, "p={p}: the kept units are not x / p (relative error {error:.1e})", p=Given(p),
                   error=error)


@graded("Q1_forward", 0.5)
def test_Q1_forward_test_mode_is_the_identity(kit: Kit) -> None:
    """in test mode the output is the input unchanged, with or without a seed, where training mode drops units."""
    for seed, p, shape, extra in [(1201, 0.4, (64, 50), {}), (1202, 0.7, (6, 7, 8), {"seed": 5})]:
        x = positive(seed, *shape)
        out, _ = forward(kit, x, {"mode": "test", "p": p, **extra}, "the test-mode output")
        kit.expect(np.array_equal(out, x), "p={p}: in test mode dropout_forward must return x unchanged",
                   p=Given(p))
        trained, _ = forward(kit, x, {"mode": "train", "p": p, **extra}, "the training-mode output")
        kit.expect(bool(np.any(trained == 0)), "p={p}: the training-mode output drops no unit, so the two modes "
                                               "are not told apart", p=Given(p))


@graded("Q1_forward", 0.5)
def test_Q1_forward_draws_a_new_mask_every_call(kit: Kit) -> None:
    """without a seed, two training-mode calls on the same input drop different units."""
    x = positive(1301, 60, 70)
    first, _ = forward(kit, x, {"mode": "train", "p": 0.5}, "the training-mode output")
    second, _ = forward(kit, x, {"mode": "train", "p": 0.5}, "the training-mode output")
    kit.expect(not np.array_equal(first == 0, second == 0),
               "two training-mode calls without a seed dropped exactly the same units: draw a new mask every call")


@graded("Q1_forward", 0.5)
def test_Q1_forward_seed_gives_the_reference_mask(kit: Kit) -> None:
    """with a seed, the mask comes from np.random.seed(seed) then np.random.rand(*x.shape), on every call."""
    want = kit.reference(seeded_patterns)
    got = seeded_patterns(kit.session)
    for label, expected in want.items():
        pattern = kit.array(got.get(label), np.shape(expected), label)
        kit.expect(np.array_equal(pattern, expected) or np.array_equal(pattern, 1 - expected),
                   "{label}: not the units that np.random.seed(seed) then np.random.rand(*x.shape) < p keep",
                   label=label)


def seeded_patterns(s: Session) -> dict:
    """Which units a seeded training-mode call keeps (1) or drops (0), the global generator moved in between."""
    out = {}
    for seed, shape in [(1401, (30, 40)), (1402, (4, 5, 6))]:
        x = positive(seed, *shape)
        for call in (1, 2):
            s.seed(seed + 10 * call)  # a seeded call must not depend on the global generator's state
            result = s.call("dropout_forward", x, {"mode": "train", "p": 0.5, "seed": seed % 97})
            value = result[0] if isinstance(result, tuple) and len(result) == 2 else result
            shown = np.asarray(value, dtype=np.float64) if isinstance(value, np.ndarray) else None
            out[f"kept units for shape {shape}, call {call}"] = (shown != 0).astype(np.float64) \
                if shown is not None and shown.shape == shape else value
    return out


@graded("Q1_backward", 1.25)
def test_Q1_backward_multiplies_by_the_forward_mask(kit: Kit) -> None:
    """in training mode dx is dout times the mask (and scale) that the forward applied: dout * out / x."""
    for seed, p, shape in [(1501, 0.4, (30, 40)), (1502, 0.7, (5, 6, 7)), (1503, 0.25, (64, 9))]:
        x, dout = positive(seed, *shape), np.random.default_rng(seed + 1).standard_normal(shape)
        kit.session.seed(seed)
        out, cache = dropping_forward(kit, x, p)
        dx = backward(kit, dout, cache, "dx")
        error = float(np.max(np.abs(dx - dout * out / x), initial=0.0))
        kit.expect(error < 1e-9, "p={p}: dx is not dout * out / x, the mask of the forward that made the cache "
                                 "(largest difference {error:.1e})", p=Given(p), error=error)


@graded("Q1_backward", 0.5)
def test_Q1_backward_test_mode_follows_the_test_forward(kit: Kit) -> None:
    """in test mode dx is dout (or follows a test-mode forward that is not the identity); in training mode it is not.

    In training mode dx must be zero where units were dropped, so that a backward that ignores the mode fails. A
    forward that is not the identity in test mode is the forward test's to price: either answer is accepted.
    """
    x, dout = positive(1601, 8, 9), np.random.default_rng(1602).standard_normal((8, 9))
    trained, train_cache = dropping_forward(kit, x, 0.35)
    train_dx = backward(kit, dout, train_cache, "the training-mode dx")
    kit.expect(bool(np.all(train_dx[trained == 0] == 0)), "in training mode dx should be zero where the forward "
                                                         "dropped units, so the two modes are not told apart")
    out, cache = forward(kit, x, {"mode": "test", "p": 0.35}, "the test-mode output")
    dx = backward(kit, dout, cache, "the test-mode dx")
    error = min(float(np.max(np.abs(dx - dout), initial=0.0)), float(np.max(np.abs(dx - dout * out / x), initial=0.0)))
    kit.expect(error < 1e-12, "in test mode dx should be dout (or dout * out / x, following a test-mode forward "
                              "that is not the identity): largest difference {error:.1e}", error=error)


@graded("Q1_backward", 0.25)
def test_Q1_backward_reads_its_own_cache(kit: Kit) -> None:
    """after two forwards, the backward given the first forward's cache uses its mask, not the second forward's.

    dx must be zero where the first forward dropped units and must not follow the second forward's mask. Only
    that defect (a mask kept outside the cache, from the last forward) is priced here: a backward that is
    wrong in another way (a scale, say) is the test above's.
    """
    x, dout = positive(1701, 20, 30), np.random.default_rng(1702).standard_normal((20, 30))
    kit.session.seed(1703)
    first, first_cache = dropping_forward(kit, x, 0.5)
    second, _ = forward(kit, x, {"mode": "train", "p": 0.5}, "the training-mode output")
    dx = backward(kit, dout, first_cache, "dx")
    borrowed = np.allclose(dx, dout * second / x, rtol=0, atol=1e-9) and not np.array_equal(first, second)
    kit.expect(not borrowed, "given the cache of the first of two forwards, dx uses the mask of the second: keep the "
                             "mask in the cache and read it from there")
    kit.expect(bool(np.all(dx[first == 0] == 0)), "given the cache of a forward, dx should be zero where that "
                                                 "forward dropped units")
