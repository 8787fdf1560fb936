"""Q4: Tanh, forward and backward.

The backward reads what its forward cached. Where the forward is wrong (sigmoid for tanh, say), the backward
tests judge it on that forward's own output a instead: dz = da * (1 - a**2), or da * (1 - tanh(z)**2) for a
backward that recomputes from z, so that a forward's defect is priced in Q4_forward alone."""
from __future__ import annotations

import numpy as np

from autograder.kit import Kit, graded, matches_reference, normal, relative_error
from autograder.sandbox import Session, StudentException


def tanh_forward(s: Session) -> dict:
    """forward matches the reference on a hidden input."""
    return {"forward on a (13, 17) input": s.new("Tanh").call("forward", normal(4101, 13, 17, scale=5))}


def tanh_saturation(s: Session) -> dict:
    """forward gives -1 and 1 at -1000 and 1000, not an overflow."""
    return {"forward at +-1000": s.new("Tanh").call("forward", np.array([[-1000.0, 1000.0, 0.0, -20.0]]))}


BACKWARD_CASES = ((4201, (8, 3)), (4202, (2, 20)))


def tanh_backward(s: Session) -> dict:
    """backward matches the reference on hidden inputs."""
    out = {}
    for seed, shape in BACKWARD_CASES:
        layer = s.new("Tanh")
        layer.call("forward", normal(seed, *shape, scale=2))
        out[f"dz for a {shape} input"] = layer.call("backward", normal(seed + 1, *shape))
    return out


def forward_on_backward_inputs(s: Session) -> dict:
    """The forward on the inputs of ``tanh_backward`` (a probe)."""
    return {f"forward on a {shape} input": s.new("Tanh").call("forward", normal(seed, *shape, scale=2))
            for seed, shape in BACKWARD_CASES}


def require_backward_of_own_forward(kit: Kit) -> None:
    """The backward judged apart from a wrong forward: dz = da * (1 - a**2) for the output a its own forward
    returned (what the usual cache holds), or for tanh(z) (a backward that recomputes from z). Call it after
    ``require_nonlinear``: a linear forward does none of tanh's work and earns nothing here."""
    for seed, shape in BACKWARD_CASES:
        layer = kit.session.new("Tanh")
        z, da = normal(seed, *shape, scale=2), normal(seed + 1, *shape)
        a = kit.values(layer.call("forward", z), shape, "the forward's output")
        dz = kit.values(layer.call("backward", da), shape, "dz")
        error = min(relative_error(dz, da * (1 - y ** 2)) for y in (a, np.tanh(z)))
        kit.expect(error < 1e-8, "dz is not da * (1 - a**2) for the output a of your own forward, nor for tanh(z): "
                                 "relative error {error:.1e}", error=error)


FORWARDS = (tanh_forward, forward_on_backward_inputs)


def require_nonlinear(kit: Kit) -> None:
    """Refuse a forward that is linear in its input (the identity, a scaling): it does none of tanh's work, and
    judged against itself (its dtype, finite differences of it) it would pass."""
    z = normal(4301, 3, 4, scale=2)
    once = kit.array(kit.session.new("Tanh").call("forward", z), z.shape, "forward of a (3, 4) input")
    twice = kit.array(kit.session.new("Tanh").call("forward", 2 * z), z.shape, "forward of a (3, 4) input")
    kit.expect(float(np.max(np.abs(twice - 2 * once))) > 1e-6,
               "forward(2 z) is 2 forward(z): a linear forward does none of tanh's work, so there is nothing to "
               "judge here")


test_Q4_forward_matches_reference = matches_reference("Q4_forward", 2, tanh_forward, rtol=1e-12)


test_Q4_forward_saturates_at_large_inputs = matches_reference("Q4_forward", 1, tanh_saturation, rtol=1e-12)


@graded("Q4_forward", 1)
def test_Q4_forward_keeps_shape_and_float32(kit: Kit) -> None:
    """forward keeps the input's (B, D) shape and float32 dtype."""
    require_nonlinear(kit)
    out = kit.session.new("Tanh").call("forward", np.linspace(-2, 2, 24, dtype=np.float32).reshape(6, 4))
    kit.array(out, (6, 4), "forward of a (6, 4) input")
    kit.expect(out.dtype == np.float32, "a float32 input gave an output that is not float32",
               detail=str(out.dtype))


@graded("Q4_backward", 3)
def test_Q4_backward_matches_reference(kit: Kit) -> None:
    """backward matches the reference on hidden inputs (where your forward is wrong: da * (1 - a**2) for its output
    a)."""
    if kit.forward_is_wrong(FORWARDS):
        require_nonlinear(kit)
        require_backward_of_own_forward(kit)
    else:
        kit.compare(tanh_backward, rtol=1e-10)


@graded("Q4_backward", 2)
def test_Q4_backward_matches_finite_differences(kit: Kit) -> None:
    """backward matches finite differences of your own forward (where your forward is wrong: da * (1 - a**2) for
    its output a)."""
    require_nonlinear(kit)
    if kit.forward_is_wrong(FORWARDS):
        require_backward_of_own_forward(kit)
        return
    layer = kit.session.new("Tanh")
    z, da = normal(4203, 5, 6, scale=1.5), normal(4204, 5, 6)
    layer.call("forward", z)
    dz = layer.call("backward", da)
    kit.gradient_check(kit.forward(lambda x: [layer.planned_call("forward", x)]), z, da, dz, "Tanh dz")


@graded("Q4_backward", 1)
def test_Q4_backward_before_forward_raises(kit: Kit) -> None:
    """backward before any forward raises an error instead of returning garbage."""
    z = np.ones((2, 2))
    used = kit.session.new("Tanh")
    used.call("forward", z)
    kit.array(used.call("backward", z), z.shape, "backward after forward")
    try:
        kit.session.new("Tanh").call("backward", z)
    except StudentException:
        return
    kit.expect(False, "Tanh().backward(...) before forward should raise an error")
