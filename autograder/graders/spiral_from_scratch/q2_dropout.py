"""Q2: Dropout: the fraction dropped, rescaling, fresh masks, modes, and a backward through the same mask.

The backward is checked against the mask and scale that the forward's output shows (``a / z``, the inputs
being positive), so that a wrong scale or an eval-mode forward that still drops costs the forward's tests only;
not by finite differences of a forward re-run under a reseeded generator: the release does not say where the
mask's random numbers come from (a generator of the layer's own is as correct as torch's global one).
"""
from __future__ import annotations

import numpy as np

from autograder.kit import Given, Kit, graded, normal
from autograder.sandbox import StudentException


@graded("Q2_forward", 2)
def test_Q2_forward_drops_fraction_p_and_rescales(kit: Kit) -> None:
    """in training mode about a fraction p of the units is zeroed and the rest is divided by 1 - p."""
    for seed, p, shape in [(2101, 0.15, (300, 200)), (2102, 0.5, (123, 321)), (2103, 0.85, (250, 240))]:
        z = np.random.default_rng(seed).random(shape) + 1.0
        kit.session.seed(seed)
        a = kit.array(kit.session.new("Dropout", p=p).call("forward", z), shape, "the training-mode forward")
        dropped = float(np.mean(a == 0))
        kit.expect(abs(dropped - p) < 0.015, "p={p}: {dropped:.3f} of the units were zeroed, expected about {p}",
                   p=Given(p), dropped=dropped)
        kept = a != 0
        error = np.max(np.abs(a[kept] * (1 - p) - z[kept]) / z[kept], initial=0.0)
        kit.expect(error < 1e-10, "p={p}: kept units are not z / (1 - p) (relative error {error:.1e})",
                   p=Given(p), error=error)


@graded("Q2_forward", 1)
def test_Q2_forward_draws_a_new_mask_every_time(kit: Kit) -> None:
    """two training-mode forwards of the same input drop different units."""
    z = np.random.default_rng(2105).random((60, 50)) + 1.0
    layer = kit.session.new("Dropout", p=0.5)
    first, second = (kit.array(layer.call("forward", z), z.shape, "the training-mode forward") for _ in range(2))
    kit.expect(not np.array_equal(first == 0, second == 0),
               "two training-mode forwards dropped exactly the same units: draw a new mask in every forward")


@graded("Q2_forward", 1)
def test_Q2_forward_eval_is_identity_and_train_switches_back(kit: Kit) -> None:
    """eval() makes forward the identity, train() switches dropout back on, p = 0 keeps everything."""
    z = np.random.default_rng(2104).random((64, 50)) + 1.0
    layer = kit.session.new("Dropout", p=0.4)
    layer.call("eval")
    kit.expect(np.array_equal(kit.array(layer.call("forward", z), z.shape, "the eval-mode forward"), z),
               "in evaluation mode forward must return its input unchanged")
    layer.call("train")
    kit.expect(bool(np.any(kit.array(layer.call("forward", z), z.shape, "the forward after train()") == 0)),
               "after train() forward should drop units again")
    zero = kit.session.new("Dropout", p=0.0)
    kit.expect(np.array_equal(kit.array(zero.call("forward", z), z.shape, "the forward with p = 0"), z),
               "with p = 0 forward must return its input unchanged")


@graded("Q2_forward", 1)
def test_Q2_forward_rejects_invalid_p(kit: Kit) -> None:
    """Dropout(p) works for p in [0, 1) and raises an error for p outside it."""
    z = np.ones((4, 5))
    for good in (0.0, 0.5, 0.99):
        kit.array(kit.session.new("Dropout", p=good).call("forward", z), z.shape, "the forward with a valid p")
    for bad in (1.0, -0.2, 1.7):
        try:
            kit.session.new("Dropout", p=bad)
        except StudentException:
            continue
        kit.expect(False, "Dropout(p={p}) should raise an error", p=Given(bad))


@graded("Q2_backward", 4)
def test_Q2_backward_reuses_the_forward_mask(kit: Kit) -> None:
    """backward multiplies by the same mask and scale as the last forward, however often it is called."""
    for seed, p in [(2201, 0.3), (2202, 0.65)]:
        z = normal(seed, 40, 30) + 10.0
        da = normal(seed + 1, 40, 30)
        kit.session.seed(seed)
        layer = kit.session.new("Dropout", p=p)
        a = kit.array(layer.call("forward", z), z.shape, "the training-mode forward")
        kit.require_dropping(a, p)
        dz = kit.array(layer.call("backward", da), z.shape, "backward")
        expected = da * a / z  # the forward's own mask and scale: a wrong scale is the forward test's to price
        error = float(np.max(np.abs(dz - expected), initial=0.0))
        kit.expect(error < 1e-10, "p={p}: backward is not da * a / z, the mask and scale of the forward "
                                  "(largest difference {error:.1e})", p=Given(p), error=error)
        again = kit.array(layer.call("backward", da), z.shape, "a second backward")
        kit.expect(np.array_equal(again, dz), "p={p}: a second backward gave a different result", p=Given(p))


@graded("Q2_backward", 1)
def test_Q2_backward_eval_is_identity(kit: Kit) -> None:
    """in eval mode backward follows the eval-mode forward (the identity), not a mask an earlier forward drew."""
    layer = kit.session.new("Dropout", p=0.35)
    z, da = normal(2203, 6, 7) + 10.0, normal(2204, 6, 7)
    kit.require_dropping(kit.array(layer.call("forward", z), z.shape, "the training-mode forward"), 0.35)
    layer.call("eval")
    a = kit.array(layer.call("forward", z), z.shape, "the eval-mode forward")
    dz = kit.array(layer.call("backward", da), da.shape, "eval-mode backward")
    kit.expect(np.allclose(dz, da * a / z, rtol=0, atol=1e-12),
               "in evaluation mode backward is not da * a / z for the eval-mode forward's output a: it should "
               "return da unchanged, as forward returns z")
