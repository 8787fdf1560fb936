"""Q1: InstanceNorm1D, forward and backward, against the reference and finite differences. The backward's shapes
(dz, dgamma, dbeta) are priced in a test of their own and compared on their values everywhere else. Where the
forward is wrong, the backward is judged on wide rows, or else on balanced inputs (statistics over the batch
axis are right there), so that a forward's defect is priced in Q1_forward alone."""
from __future__ import annotations

from functools import partial

import numpy as np

from autograder.graders.spiral_from_scratch.common import (gradient_shapes, layer_gradient_check,
                                                           norm_backward_values, norm_forward_values, norm_layer)
from autograder.kit import Kit, graded, matches_reference, normal
from autograder.sandbox import Session


NORM_CASES = ((1101, 7, 13), (1102, 1, 5), (1103, 33, 3))


def instance_norm_forward(s: Session) -> dict:
    """forward matches the reference on hidden shapes, with learned gamma and beta."""
    out = {}
    for seed, b, d in NORM_CASES:
        layer = norm_layer(s, "InstanceNorm1D", seed, d, eps=1e-3)
        out[f"InstanceNorm1D.forward on a ({b}, {d}) input"] = layer.call("forward", normal(seed, b, d, scale=4,
                                                                                          shift=-2))
    return out


def instance_norm_float32(s: Session) -> dict:
    layer = s.new("InstanceNorm1D", 9)
    x = normal(1104, 5, 9, scale=2).astype(np.float32)
    return {"InstanceNorm1D(9).forward on a float32 (5, 9) input": layer.call("forward", x),
            "gamma at construction": layer.get("gamma"), "beta at construction": layer.get("beta")}


test_Q1_forward_matches_reference = matches_reference("Q1_forward", 3, instance_norm_forward, rtol=1e-8)


@graded("Q1_forward", 1)
def test_Q1_forward_keeps_float32_and_starts_at_identity_affine(kit: Kit) -> None:
    """float32 in, float32 out; gamma starts at ones and beta at zeros."""
    kit.compare(instance_norm_float32, rtol=1e-5, atol=1e-6)
    x = np.array([[1, 2, 3, 4], [4, 0, 2, 1]], dtype=np.float32)
    out = kit.session.new("InstanceNorm1D", 4).call("forward", x)
    kit.expect(getattr(out, "dtype", None) == np.float32, "a float32 input gave an output that is not float32",
               detail=str(getattr(out, "dtype", "no array")))


# wide rows: a forward's N - 1 or eps placement moves these gradients by about 1e-4 of their size, a backward bug
# by far more than the tolerances
WIDE_CASES = ((1301, 3, 8000), (1302, 2, 6000))
TIGHT = (partial(norm_backward_values, cls="InstanceNorm1D", cases=NORM_CASES, input_name="z"), 1e-7, 0.0)
WIDE = (partial(norm_backward_values, cls="InstanceNorm1D", cases=WIDE_CASES, input_name="z", correlated_axis=1),
        2e-3, 2e-3)
BALANCED = (partial(norm_backward_values, cls="InstanceNorm1D", cases=((1311, 9, 9), (1312, 14, 14)), input_name="z",
                   balanced=True), 1e-7, 0.0)
FORWARDS = (instance_norm_forward, partial(norm_forward_values, cls="InstanceNorm1D", cases=NORM_CASES))


@graded("Q1_backward", 2.5)
def test_Q1_backward_matches_reference(kit: Kit) -> None:
    """dz, dgamma and dbeta match the reference on hidden shapes (on wide rows or balanced inputs, where your forward
    is wrong)."""
    kit.compare_backward(TIGHT, FORWARDS, WIDE, (BALANCED,))


@graded("Q1_backward", 3)
def test_Q1_backward_matches_finite_differences(kit: Kit) -> None:
    """dz, dgamma and dbeta match finite differences of your own forward, where it is right."""
    layer_gradient_check(kit, "InstanceNorm1D", 1201, 5, 6, FORWARDS[:1], WIDE, (BALANCED,))


@graded("Q1_backward", 0.5, prices_shapes=True)
def test_Q1_backward_shapes(kit: Kit) -> None:
    """backward returns dz in the shape (B, D) of z and sets dgamma and dbeta in the shape (D,) of gamma and beta."""
    gradient_shapes(kit, norm_layer(kit.session, "InstanceNorm1D", 1401, 6), 1401, 4, 6)
