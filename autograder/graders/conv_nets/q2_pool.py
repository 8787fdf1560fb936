"""Q2: max_pool_forward_naive and max_pool_backward_naive on hidden shapes (non-square windows, strides that
differ from the window, overlapping windows, odd sizes).

Inputs have no ties (``spaced``), so the gradient of a window has one right place; the notebook accepts the first
or every tied maximum, and no test here tells them apart. The shape of dx is priced in a test of its own, and
compared on its values everywhere else.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.conv_nets.common import pair, spaced
from autograder.kit import Kit, graded, matches_reference, normal
from autograder.sandbox import Session, StudentException


def pool_param(height: int, width: int, stride: int) -> dict:
    return {"pool_height": height, "pool_width": width, "stride": stride}


def out_shape(x_shape: tuple, height: int, width: int, stride: int) -> tuple[int, ...]:
    N, C, H, W = x_shape
    return N, C, 1 + (H - height) // stride, 1 + (W - width) // stride


def _forward(s: Session, cases: list) -> dict:
    return {f"pooled output for x {x_shape}, window {h}x{w}, stride {stride}":
            s.call("max_pool_forward_naive", spaced(seed, *x_shape), pool_param(h, w, stride))[0]
            for seed, x_shape, h, w, stride in cases}


def pool_tiling(s: Session) -> dict:
    """the output matches the reference for 2x2 windows with stride 2."""
    return _forward(s, [(2101, (2, 3, 6, 8), 2, 2, 2), (2102, (1, 2, 4, 4), 2, 2, 2)])


def pool_non_square(s: Session) -> dict:
    """the output matches the reference for non-square windows (3x2, 2x3) with stride 3."""
    return _forward(s, [(2111, (1, 2, 9, 8), 3, 2, 3), (2112, (2, 1, 5, 9), 2, 3, 3)])


def pool_overlapping(s: Session) -> dict:
    """the output matches the reference for overlapping windows (3x3 with stride 2, 2x2 with stride 1), odd sizes."""
    return _forward(s, [(2121, (2, 2, 7, 9), 3, 3, 2), (2122, (1, 3, 5, 6), 2, 2, 1)])


test_Q2_forward_tiling = matches_reference("Q2_pool_forward", 1, pool_tiling, rtol=1e-12)
test_Q2_forward_non_square = matches_reference("Q2_pool_forward", 1, pool_non_square, rtol=1e-12)
test_Q2_forward_overlapping = matches_reference("Q2_pool_forward", 1, pool_overlapping, rtol=1e-12)


def own_cache(s: Session, x: np.ndarray, param: dict) -> object:
    """The cache of the submission's forward, or, where that forward raises (its tests priced it), the cache that
    the release's forward stub returns, (x, pool_param), so that the backward is judged on its own."""
    try:
        result = s.call("max_pool_forward_naive", x, param)
    except StudentException:
        return x, param
    return result[1] if isinstance(result, (tuple, list)) and len(result) == 2 else result


def _backward(s: Session, cases: list) -> dict:
    out = {}
    for seed, x_shape, h, w, stride in cases:
        cache = own_cache(s, spaced(seed, *x_shape), pool_param(h, w, stride))
        dx = s.call("max_pool_backward_naive", normal(seed + 1, *out_shape(x_shape, h, w, stride)), cache)
        out[f"dx for x {x_shape}, window {h}x{w}, stride {stride}"] = dx
    return out


def pool_backward_tiling(s: Session) -> dict:
    """dx matches the reference for 2x2 windows with stride 2."""
    return _backward(s, [(2201, (2, 3, 6, 8), 2, 2, 2)])


def pool_backward_general(s: Session) -> dict:
    """dx matches the reference for a non-square window with stride 3 and overlapping 3x3 windows with stride 2."""
    return _backward(s, [(2211, (1, 2, 9, 8), 3, 2, 3), (2212, (2, 2, 7, 9), 3, 3, 2)])


test_Q2_backward_tiling = matches_reference("Q2_pool_backward", 0.75, pool_backward_tiling, rtol=1e-12)
test_Q2_backward_general = matches_reference("Q2_pool_backward", 1, pool_backward_general, rtol=1e-12)


@graded("Q2_pool_backward", 0.25, prices_shapes=True)
def test_Q2_backward_shape(kit: Kit) -> None:
    """dx has the shape of x."""
    s = kit.session
    seed, x_shape, h, w, stride = 2401, (1, 2, 9, 8), 3, 2, 3
    cache = own_cache(s, spaced(seed, *x_shape), pool_param(h, w, stride))
    dout_shape = out_shape(x_shape, h, w, stride)
    kit.require_shapes(lambda dout: {"dx": s.call("max_pool_backward_naive", dout, cache)},
                       (normal(seed + 1, *dout_shape), normal(seed + 2, *dout_shape)), {"dx": x_shape})

FD_CASE = (2301, (2, 2, 5, 7), 3, 3, 2)


def pool_fd_forward(s: Session) -> dict:
    return _forward(s, [FD_CASE])


def pool_fd_backward(s: Session) -> dict:
    return _backward(s, [FD_CASE])


@graded("Q2_pool_backward", 1)
def test_Q2_backward_matches_finite_differences(kit: Kit) -> None:
    """dx matches finite differences of your own forward (overlapping 3x3 windows, stride 2), where it is right."""
    if not kit.agrees(pool_fd_forward):
        # the forward's tests priced a wrong forward: the backward is judged against the reference instead
        kit.compare(pool_fd_backward, rtol=1e-12)
        return
    s = kit.session
    seed, x_shape, h, w, stride = FD_CASE
    x, param = spaced(seed, *x_shape), pool_param(h, w, stride)
    dout = normal(seed + 1, *out_shape(x_shape, h, w, stride))
    _, cache = pair(kit, s.call("max_pool_forward_naive", x, param), "max_pool_forward_naive")
    dx = s.call("max_pool_backward_naive", dout, cache)
    kit.gradient_check(kit.forward(lambda v: [s.planned_call("max_pool_forward_naive", v, param)],
                                   lambda result: result[0]), x, dout, dx, "dx", rtol=1e-8)
