"""Q6: layernorm_forward (against the reference, per-example statistics) and layernorm_backward (against the
reference on wide rows, and against finite differences, with a shape test: dgamma and dbeta of another shape of
the right size cost that test alone).

A forward that takes its statistics over the wrong axis (the batch) hands its backward a cache of the wrong
statistics; the backward is then judged on balanced inputs (``balanced_square``), where statistics over either
axis agree, so that a right backward keeps its points and the forward's defect is priced in Q6_forward alone."""
from __future__ import annotations

from functools import partial

from autograder.graders.batch_layer_norm.common import (backward_shapes, balanced_backward, forward, forward_out,
                                                        layer_gradient_check, layer_inputs, require_normalization,
                                                        three)
from autograder.kit import Kit, compare_values, correlated_dout, graded, matches_reference, normal
from autograder.sandbox import Session

LN_CASES = [(6101, 5, 8), (6102, 3, 20)]


def forward_values(s: Session) -> dict:
    """the output matches the reference on hidden shapes, with a given eps and with the default eps on
    small-variance rows."""
    out = {}
    for seed, n, d in LN_CASES:
        x, gamma, beta = layer_inputs(seed, n, d)
        out[f"output for x of shape {(n, d)}, eps=1e-2"] = forward_out(s, "layernorm_forward", x, gamma, beta,
                                                                       {"eps": 1e-2})
        small = normal(seed + 5, n, d, scale=0.004, shift=0.3)
        out[f"output for small-variance x of shape {(n, d)}, default eps"] = forward_out(
            s, "layernorm_forward", small, gamma, beta, {})
    return out


test_Q6_forward_matches_reference = matches_reference("Q6_forward", 1.5, forward_values, rtol=1e-8)


@graded("Q6_forward", 0.5)
def test_Q6_forward_statistics_per_example(kit: Kit) -> None:
    """each example is normalized on its own: its output does not change when it is passed alone or with others."""
    s = kit.session
    x, gamma, beta = layer_inputs(6201, 6, 7)
    require_normalization(kit, "layernorm_forward", x, gamma, beta, {}, axis=1)
    whole = kit.array(forward_out(s, "layernorm_forward", x, gamma, beta, {}), x.shape, "the output")
    for rows in (slice(0, 1), slice(2, 5)):
        part = forward_out(s, "layernorm_forward", x[rows], gamma, beta, {})
        compare_values(part, whole[rows], "the output of a subset of the examples", 1e-9)


WIDE_CASES = [(6301, 3, 8000), (6302, 2, 6000)]


def _wide_backward(s: Session, parts: tuple[int, ...]) -> dict:
    out = {}
    for seed, n, d in WIDE_CASES:
        x, gamma, beta = layer_inputs(seed, n, d, scale=4.0, shift=2.0)
        _, cache = forward(s, "layernorm_forward", x, gamma, beta, {})
        grads = three(s.call("layernorm_backward", correlated_dout(seed + 3, x, axis=1), cache), "layernorm_backward")
        for index in parts:
            out[f"{('dx', 'dgamma', 'dbeta')[index]} for x of shape {(n, d)}"] = grads[index]
    return out


def backward_dx(s: Session) -> dict:
    """dx matches the reference on wide rows."""
    return _wide_backward(s, (0,))


def backward_dgamma_dbeta(s: Session) -> dict:
    """dgamma and dbeta match the reference on wide rows."""
    return _wide_backward(s, (1, 2))


DX, DGAMMA_DBETA = (backward_dx, 1e-6, 2e-3), (backward_dgamma_dbeta, 2e-3, 2e-2)
BALANCED_CASES = ((6601, 7), (6602, 12))
BALANCED_DX = (partial(balanced_backward, forward_name="layernorm_forward", backward_name="layernorm_backward",
                       param={}, cases=BALANCED_CASES, parts=(0,)), 1e-7, 0.0)
BALANCED_DGAMMA_DBETA = (partial(balanced_backward, forward_name="layernorm_forward",
                                 backward_name="layernorm_backward", param={}, cases=BALANCED_CASES, parts=(1, 2)),
                         1e-7, 0.0)


@graded("Q6_backward", 1)
def test_Q6_backward_dx_matches_reference(kit: Kit) -> None:
    """dx matches the reference on wide rows (or, where your forward is wrong, on balanced inputs)."""
    kit.compare_backward(DX, (forward_values,), DX, (BALANCED_DX,))


@graded("Q6_backward", 0.25)
def test_Q6_backward_dgamma_dbeta_match_reference(kit: Kit) -> None:
    """dgamma and dbeta match the reference on wide rows (or, where your forward is wrong, on balanced inputs)."""
    kit.compare_backward(DGAMMA_DBETA, (forward_values,), DGAMMA_DBETA, (BALANCED_DGAMMA_DBETA,))


@graded("Q6_backward", 0.25, prices_shapes=True)
def test_Q6_backward_shapes(kit: Kit) -> None:
    """dx has the shape (N, D) of x, dgamma and dbeta the shape (D,) of gamma and beta."""
    backward_shapes(kit, "layernorm_forward", "layernorm_backward", {}, 6501, 4, 6)


@graded("Q6_backward", 0.5)
def test_Q6_backward_matches_finite_differences(kit: Kit) -> None:
    """dx, dgamma and dbeta match finite differences of your own forward, where it is right."""
    layer_gradient_check(kit, "layernorm_forward", "layernorm_backward", {}, 6401, 3, 5, forwards=(forward_values,),
                         wide=(DX, DGAMMA_DBETA), balanced=(BALANCED_DX, BALANCED_DGAMMA_DBETA))
