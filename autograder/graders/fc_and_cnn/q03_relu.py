"""Q3 and Q4: relu_forward (which leaves its input alone) and relu_backward."""
from __future__ import annotations

import numpy as np

from autograder.kit import Kit, graded, matches_reference, normal
from autograder.sandbox import Session


def _relu_input(seed: int, *shape: int) -> np.ndarray:
    x = normal(seed, *shape)
    x.flat[::7] = 0.0
    return x


def relu_forward_values(s: Session) -> dict:
    """the output matches the reference for 1-D, 2-D and 3-D inputs that contain zeros."""
    return {f"relu_forward output for shape {shape}": s.call("relu_forward", _relu_input(seed, *shape))[0]
            for seed, shape in [(3101, (5, 6)), (3102, (2, 3, 4)), (3103, (7,))]}


test_Q3_forward_matches_reference = matches_reference("Q3_relu_forward", 1, relu_forward_values, rtol=0.0)


@graded("Q3_relu_forward", 1)
def test_Q3_forward_leaves_its_input_unchanged(kit: Kit) -> None:
    """the cache holds the input unchanged (no in-place clipping of x)."""
    x = _relu_input(3201, 4, 5)
    result = kit.session.call("relu_forward", x)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "relu_forward should return (out, cache)")
    # the cache is given code: it is judged only for a forward that does the layer's work
    out = kit.array(result[0], x.shape, "out")
    kit.expect(not np.array_equal(out, x), "relu_forward returned its input unchanged: it should zero the negative "
                                           "entries")
    kit.expect(float(np.max(out) - np.min(out)) > 1e-6, "relu_forward returned a constant: it should keep the "
                                                        "positive entries")
    kit.expect(np.array_equal(kit.array(result[1], x.shape, "cache"), x),
               "the cache differs from the input: did relu_forward change x in place?")


def _away_from_zero(seed: int, *shape: int) -> np.ndarray:
    """An input without exact (or nearly) zero entries: which side x = 0 falls on is a convention, not graded."""
    x = normal(seed, *shape)
    x[np.abs(x) < 0.01] = 0.5
    return x


def relu_backward_values(s: Session) -> dict:
    """dx matches the reference, with a zero gradient where x < 0 (the inputs hold no zero)."""
    out = {}
    for seed, shape in [(4101, (6, 5)), (4102, (3, 2, 4))]:
        _, cache = s.call("relu_forward", _away_from_zero(seed, *shape))
        out[f"dx for shape {shape}"] = s.call("relu_backward", normal(seed + 1, *shape), cache)
    return out


test_Q4_backward_matches_reference = matches_reference("Q4_relu_backward", 2, relu_backward_values, rtol=0.0)


@graded("Q4_relu_backward", 2)
def test_Q4_backward_matches_finite_differences(kit: Kit) -> None:
    """dx matches finite differences of relu_forward."""
    s = kit.session
    x = _away_from_zero(4201, 4, 6)
    dout = normal(4202, 4, 6)
    _, cache = s.call("relu_forward", x)
    dx = s.call("relu_backward", dout, cache)
    kit.gradient_check(lambda v: s.call("relu_forward", v)[0], x, dout, dx, "dx", rtol=1e-9)
