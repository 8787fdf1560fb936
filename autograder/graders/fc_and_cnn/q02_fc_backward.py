"""Q2: fc_backward against the reference and finite differences, with the shapes of x, w and b.

The shapes are priced once, in their own test (``prices_shapes``): the value tests compare a gradient of the right
size in the shape of its variable, so a flattened dx loses only the shape test.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.fc_and_cnn.common import FC_CASES
from autograder.kit import Kit, graded, matches_reference, normal
from autograder.sandbox import Session


def fc_backward_values(s: Session) -> dict:
    """dx, dw and db match the reference on hidden shapes."""
    out = {}
    for seed, n, shape, m in FC_CASES:
        d = int(np.prod(shape))
        _, cache = s.call("fc_forward", normal(seed, n, *shape), normal(seed + 1, d, m), normal(seed + 2, m))
        dx, dw, db = s.call("fc_backward", normal(seed + 3, n, m), cache)
        out.update({f"dx for x of shape {(n, *shape)}": dx, f"dw for x of shape {(n, *shape)}": dw,
                    f"db for x of shape {(n, *shape)}": db})
    return out


test_Q2_backward_matches_reference = matches_reference("Q2_fc_backward", 2, fc_backward_values, rtol=1e-10)


@graded("Q2_fc_backward", 2)
def test_Q2_backward_matches_finite_differences(kit: Kit) -> None:
    """dx, dw and db match finite differences of fc_forward on a 3-D input."""
    s = kit.session
    x, w, b, dout = normal(2201, 3, 2, 2), normal(2202, 4, 3), normal(2203, 3), normal(2204, 3, 3)
    _, cache = s.call("fc_forward", x, w, b)
    dx, dw, db = _three(kit, s.call("fc_backward", dout, cache), "fc_backward")
    kit.gradient_check(lambda v: s.call("fc_forward", v, w, b)[0], x, dout, dx, "dx")
    kit.gradient_check(lambda v: s.call("fc_forward", x, v, b)[0], w, dout, dw, "dw")
    kit.gradient_check(lambda v: s.call("fc_forward", x, w, v)[0], b, dout, db, "db")


@graded("Q2_fc_backward", 1, prices_shapes=True)
def test_Q2_backward_shapes(kit: Kit) -> None:
    """dx has the shape of x (here 4-D), dw the shape of w and db the shape of b."""
    s = kit.session
    _, cache = s.call("fc_forward", normal(2301, 2, 3, 1, 2), normal(2302, 6, 4), normal(2303, 4))
    dout = normal(2304, 2, 4)
    dx, dw, db = _three(kit, s.call("fc_backward", dout, cache), "fc_backward")
    kit.array(dx, (2, 3, 1, 2), "dx")
    kit.array(dw, (6, 4), "dw")
    kit.array(db, (4,), "db")
    # shapes are judged only for gradients that come from dout (zeros or the cache itself have them for free)
    again = _three(kit, s.call("fc_backward", 2 * dout + 1, cache), "fc_backward")
    kit.expect(any(isinstance(new, np.ndarray) and new.shape == old.shape and
                   float(np.max(np.abs(new - old), initial=0.0)) > 1e-6 for new, old in zip(again, (dx, dw, db))),
               "fc_backward returned the same dx, dw and db for another dout: the gradients should come from dout")


def _three(kit: Kit, value: object, what: str) -> tuple:
    kit.expect(isinstance(value, (tuple, list)) and len(value) == 3, "{what} should return three arrays", what=what)
    return tuple(value)
