"""Q1: conv_forward_naive and conv_backward_naive on hidden shapes (stride, padding, non-square inputs and kernels).

The forward is priced by what it gets wrong: stride 1 with padding 1, then larger padding and non-square
kernels, then strides 2 and 3, and pad = 0 as an edge case of its own. The backward gets the cache of the
submission's own forward and is judged per gradient (dx, dw,
db) against the reference, with pad = 0 as an edge case of its own (``pad:-pad`` drops everything there), then
against finite differences of that forward where the forward is right. Where the forward raises, the backward
gets the cache of the release's stub, so that a forward that crashes is priced once, in its own item. The shapes
of dx, dw and db are priced in a test of their own, and compared on their values everywhere else.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.conv_nets.common import pair, triple
from autograder.kit import Kit, graded, matches_reference, normal
from autograder.sandbox import Session, StudentException


def out_shape(x_shape: tuple, w_shape: tuple, stride: int, pad: int) -> tuple[int, ...]:
    (N, _, H, W), (F, _, HH, WW) = x_shape, w_shape
    return N, F, 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride


def _forward(s: Session, cases: list) -> dict:
    out = {}
    for seed, x_shape, w_shape, stride, pad in cases:
        result = s.call("conv_forward_naive", normal(seed, *x_shape), normal(seed + 1, *w_shape),
                        normal(seed + 2, w_shape[0]), {"stride": stride, "pad": pad})
        out[f"conv output for x {x_shape}, w {w_shape}, stride {stride}, pad {pad}"] = result[0]
    return out


def conv_stride_one(s: Session) -> dict:
    """the output matches the reference with stride 1 and padding 1."""
    return _forward(s, [(1101, (2, 3, 5, 6), (4, 3, 3, 3), 1, 1), (1102, (1, 1, 4, 4), (1, 1, 3, 3), 1, 1)])


def conv_padding(s: Session) -> dict:
    """the output matches the reference with padding 2 and with a non-square kernel (stride 1)."""
    return _forward(s, [(1111, (2, 2, 5, 4), (3, 2, 3, 5), 1, 1), (1112, (1, 3, 4, 4), (2, 3, 5, 5), 1, 2)])


def conv_stride(s: Session) -> dict:
    """the output matches the reference with strides 2 and 3 (padding 1, non-square inputs)."""
    return _forward(s, [(1121, (2, 3, 7, 9), (2, 3, 3, 3), 2, 1), (1122, (1, 3, 7, 10), (2, 3, 3, 3), 3, 1)])


def conv_no_padding_forward(s: Session) -> dict:
    """the edge case pad = 0: the output matches the reference (stride 1, a non-square kernel)."""
    return _forward(s, [(1131, (2, 3, 5, 6), (4, 3, 2, 3), 1, 0), (1132, (1, 3, 8, 11), (2, 3, 3, 4), 1, 0)])


test_Q1_forward_stride_one = matches_reference("Q1_conv_forward", 2, conv_stride_one, rtol=1e-8)
test_Q1_forward_padding = matches_reference("Q1_conv_forward", 1, conv_padding, rtol=1e-8)
test_Q1_forward_stride = matches_reference("Q1_conv_forward", 1, conv_stride, rtol=1e-8)
test_Q1_forward_without_padding = matches_reference("Q1_conv_forward", 1, conv_no_padding_forward, rtol=1e-8)


BACKWARD_CASES = [(1201, (2, 3, 5, 5), (2, 3, 3, 3), 1, 2), (1202, (2, 2, 5, 4), (3, 2, 3, 3), 1, 1),
                  (1203, (2, 2, 7, 9), (3, 2, 3, 5), 2, 1)]
NO_PADDING_CASES = [(1211, (2, 3, 5, 6), (2, 3, 2, 3), 1, 0), (1212, (1, 2, 6, 7), (2, 2, 3, 3), 1, 0)]
NAMES = ("dx", "dw", "db")


def own_cache(s: Session, x: np.ndarray, w: np.ndarray, b: np.ndarray, param: dict) -> object:
    """The cache of the submission's forward, or, where that forward raises (its tests priced it), the cache that
    the release's forward stub returns, (x, w, b, conv_param), so that the backward is judged on its own."""
    try:
        result = s.call("conv_forward_naive", x, w, b, param)
    except StudentException:
        return x, w, b, param
    return result[1] if isinstance(result, (tuple, list)) and len(result) == 2 else result


def _backward(s: Session, which: str, cases: list = BACKWARD_CASES) -> dict:
    out = {}
    for seed, x_shape, w_shape, stride, pad in cases:
        cache = own_cache(s, normal(seed, *x_shape), normal(seed + 1, *w_shape), normal(seed + 2, w_shape[0]),
                          {"stride": stride, "pad": pad})
        grads = s.call("conv_backward_naive", normal(seed + 3, *out_shape(x_shape, w_shape, stride, pad)), cache)
        value = grads[NAMES.index(which)] if isinstance(grads, (tuple, list)) and len(grads) == 3 else None
        out[f"{which} for x {x_shape}, w {w_shape}, stride {stride}, pad {pad}"] = value
    return out


def conv_dx(s: Session) -> dict:
    """dx matches the reference (stride 1 with padding 1 and 2, stride 2 with padding 1, non-square)."""
    return _backward(s, "dx")


def conv_dw(s: Session) -> dict:
    """dw matches the reference (stride 1 with padding 1 and 2, stride 2 with padding 1, non-square)."""
    return _backward(s, "dw")


def conv_db(s: Session) -> dict:
    """db matches the reference."""
    return _backward(s, "db")


def conv_no_padding(s: Session) -> dict:
    """the edge case pad = 0: dx, dw and db match the reference (stride 1)."""
    return {**_backward(s, "dx", NO_PADDING_CASES), **_backward(s, "dw", NO_PADDING_CASES),
            **_backward(s, "db", NO_PADDING_CASES)}


test_Q1_backward_dx = matches_reference("Q1_conv_backward", 1.5, conv_dx, rtol=1e-8)
test_Q1_backward_dw = matches_reference("Q1_conv_backward", 1.5, conv_dw, rtol=1e-8)
test_Q1_backward_db = matches_reference("Q1_conv_backward", 0.25, conv_db, rtol=1e-8)
test_Q1_backward_without_padding = matches_reference("Q1_conv_backward", 0.5, conv_no_padding, rtol=1e-8)


@graded("Q1_conv_backward", 0.25, prices_shapes=True)
def test_Q1_backward_shapes(kit: Kit) -> None:
    """dx, dw and db have the shapes of x, w and b."""
    s = kit.session
    seed, x_shape, w_shape, stride, pad = BACKWARD_CASES[-1]
    cache = own_cache(s, normal(seed, *x_shape), normal(seed + 1, *w_shape), normal(seed + 2, w_shape[0]),
                      {"stride": stride, "pad": pad})
    dout_shape = out_shape(x_shape, w_shape, stride, pad)
    kit.require_shapes(lambda dout: dict(zip(NAMES, triple(kit, s.call("conv_backward_naive", dout, cache),
                                                           "conv_backward_naive"))),
                       (normal(seed + 3, *dout_shape), normal(seed + 4, *dout_shape)),
                       dict(zip(NAMES, (x_shape, w_shape, (w_shape[0],)))))

FD_CASE = (1301, (2, 2, 5, 6), (2, 2, 3, 2), 2, 1)


def conv_fd_forward(s: Session) -> dict:
    return _forward(s, [FD_CASE])


def conv_fd_backward(s: Session) -> dict:
    seed, x_shape, w_shape, stride, pad = FD_CASE
    cache = own_cache(s, normal(seed, *x_shape), normal(seed + 1, *w_shape), normal(seed + 2, w_shape[0]),
                      {"stride": stride, "pad": pad})
    grads = s.call("conv_backward_naive", normal(seed + 3, *out_shape(x_shape, w_shape, stride, pad)), cache)
    return {"gradients for the finite-difference case": grads}


@graded("Q1_conv_backward", 1)
def test_Q1_backward_matches_finite_differences(kit: Kit) -> None:
    """dx, dw and db match finite differences of your own forward (stride 2, padding 1), where it is right."""
    if not kit.agrees(conv_fd_forward):
        # differences of a wrong forward say nothing of the backward (the forward's tests priced it): the
        # backward is judged against the reference's gradients instead
        kit.compare(conv_fd_backward, rtol=1e-8)
        return
    s = kit.session
    seed, x_shape, w_shape, stride, pad = FD_CASE
    inputs = {"x": normal(seed, *x_shape), "w": normal(seed + 1, *w_shape), "b": normal(seed + 2, w_shape[0])}
    dout = normal(seed + 3, *out_shape(x_shape, w_shape, stride, pad))
    param = {"stride": stride, "pad": pad}
    _, cache = pair(kit, s.call("conv_forward_naive", inputs["x"], inputs["w"], inputs["b"], param),
                    "conv_forward_naive")
    grads = triple(kit, s.call("conv_backward_naive", dout, cache), "conv_backward_naive")
    kit.gradients(kit.forward(lambda x, w, b: [s.planned_call("conv_forward_naive", x, w, b, param)],
                              lambda result: result[0]), inputs, dout, dict(zip("xwb", grads)))
