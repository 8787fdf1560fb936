"""The fast layers against PyTorch float64 (values and autograd gradients) on random shapes, strides and pads."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.fast_layers import (conv_backward_fast, conv_forward_fast, conv_relu_backward, conv_relu_forward,
                                      conv_relu_pool_backward, conv_relu_pool_forward, max_pool_backward_fast,
                                      max_pool_forward_fast)
from course_utils.gradient_check import eval_numerical_gradient_array, rel_error


def torch_conv(x, w, b, stride, pad, dout):
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out = F.conv2d(xt, wt, bt, stride=stride, padding=pad)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def torch_pool(x, height, width, stride, dout):
    xt = torch.tensor(x, requires_grad=True)
    out = F.max_pool2d(xt, (height, width), stride=stride)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy()


CONV_CASES = [  # (N, C, H, W), (F, HH, WW), stride, pad
    ((2, 3, 7, 7), (4, 3, 3), 1, 1),
    ((1, 2, 9, 6), (3, 2, 4), 2, 1),  # non-square input and kernel
    ((3, 1, 8, 11), (2, 5, 3), 3, 2),
    ((2, 4, 5, 5), (1, 5, 5), 1, 0),  # kernel as large as the input
    ((100, 3, 31, 31), (25, 3, 3), 2, 1),  # the seed's shape
]


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CONV_CASES)
def test_conv_matches_torch_in_values_and_gradients(x_shape, w_shape, stride, pad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal((w_shape[0], x_shape[1], *w_shape[1:]))
    b = rng.standard_normal(w_shape[0])
    out, cache = conv_forward_fast(x, w, b, {"stride": stride, "pad": pad})
    dout = rng.standard_normal(out.shape)
    expected = torch_conv(x, w, b, stride, pad, dout)
    assert out.shape == expected[0].shape
    for got, want in zip((out, *conv_backward_fast(dout, cache)), expected):
        assert got.shape == want.shape and rel_error(got, want) < 1e-10


@pytest.mark.parametrize("x_shape, pool, stride", [
    ((2, 3, 8, 8), (2, 2), 2),  # tiles: the reshape path
    ((2, 2, 9, 7), (2, 2), 2),  # does not tile: the last row and column are left out
    ((1, 3, 7, 9), (3, 3), 2),  # overlapping windows
    ((2, 1, 6, 10), (2, 3), 1),  # non-square, stride 1
    ((3, 2, 12, 12), (3, 4), 3),
    ((100, 3, 32, 32), (2, 2), 2),  # the seed's shape
])
def test_max_pool_matches_torch_in_values_and_gradients(x_shape, pool, stride):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape)
    out, cache = max_pool_forward_fast(x, {"pool_height": pool[0], "pool_width": pool[1], "stride": stride})
    dout = rng.standard_normal(out.shape)
    want_out, want_dx = torch_pool(x, *pool, stride, dout)
    dx = max_pool_backward_fast(dout, cache)
    assert out.shape == want_out.shape and np.array_equal(out, want_out)
    assert dx.shape == x.shape and rel_error(dx, want_dx) < 1e-12


@pytest.mark.parametrize("stride", [2, 1])
def test_a_window_with_tied_maxima_sends_its_gradient_to_the_first_one_only(stride):
    x = np.zeros((1, 1, 4, 4))
    out, cache = max_pool_forward_fast(x, {"pool_height": 2, "pool_width": 2, "stride": stride})
    dx = max_pool_backward_fast(np.ones_like(out), cache)
    top_left_of_every_window = np.zeros_like(x)
    top_left_of_every_window[..., :4 - 1:stride, :4 - 1:stride] = 1
    assert np.array_equal(dx, top_left_of_every_window)


def test_float32_inputs_stay_float32():
    rng = np.random.default_rng(2)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 6, 6), (4, 3, 3, 3), (4,)))
    out, cache = conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    pooled, pool_cache = max_pool_forward_fast(out, {"pool_height": 2, "pool_width": 2, "stride": 2})
    assert out.dtype == pooled.dtype == np.float32
    assert all(g.dtype == np.float32 for g in conv_backward_fast(np.ones_like(out), cache))
    assert max_pool_backward_fast(np.ones_like(pooled), pool_cache).dtype == np.float32


def test_sandwich_layers_match_numerical_gradients():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((3, 3, 3, 3)), rng.standard_normal(3)
    conv_param, pool_param = {"stride": 1, "pad": 1}, {"pool_height": 2, "pool_width": 2, "stride": 2}
    for forward, backward, extra in ((conv_relu_forward, conv_relu_backward, ()),
                                     (conv_relu_pool_forward, conv_relu_pool_backward, (pool_param,))):
        out, cache = forward(x, w, b, conv_param, *extra)
        dout = rng.standard_normal(out.shape)
        dx, dw, db = backward(dout, cache)
        for value, grad in ((x, dx), (w, dw), (b, db)):
            numeric = eval_numerical_gradient_array(lambda _: forward(x, w, b, conv_param, *extra)[0], value, dout)
            assert rel_error(grad, numeric) < 1e-6


@pytest.mark.parametrize("x_shape, w_shape, conv_param, message", [
    ((1, 3, 5, 5), (2, 4, 3, 3), {"stride": 1, "pad": 0}, "channels"),
    ((1, 1, 2, 2), (1, 1, 5, 5), {"stride": 1, "pad": 0}, "does not fit"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": 0, "pad": 0}, "stride"),
])
def test_conv_refuses_shapes_that_do_not_fit_with_a_clear_message(x_shape, w_shape, conv_param, message):
    with pytest.raises(ValueError, match=message):
        conv_forward_fast(np.zeros(x_shape), np.zeros(w_shape), np.zeros(w_shape[0]), conv_param)


def test_pool_refuses_a_window_larger_than_the_input():
    with pytest.raises(ValueError, match="does not fit"):
        max_pool_forward_fast(np.zeros((1, 1, 3, 3)), {"pool_height": 4, "pool_width": 2, "stride": 2})


@pytest.mark.parametrize("seed", range(12))
def test_conv_and_pool_match_torch_on_random_shapes(seed):
    """Random batch, channels, sizes, kernels, strides and pads (kernels that fit), and random pools."""
    rng = np.random.default_rng(100 + seed)
    N, C, F = (int(v) for v in rng.integers(1, 5, size=3))
    H, W = (int(v) for v in rng.integers(3, 14, size=2))
    pad, stride = int(rng.integers(0, 3)), int(rng.integers(1, 4))
    HH, WW = int(rng.integers(1, min(H + 2 * pad, 6) + 1)), int(rng.integers(1, min(W + 2 * pad, 6) + 1))
    x, w, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, HH, WW)), rng.standard_normal(F)
    out, cache = conv_forward_fast(x, w, b, {"stride": stride, "pad": pad})
    dout = rng.standard_normal(out.shape)
    for got, want in zip((out, *conv_backward_fast(dout, cache)), torch_conv(x, w, b, stride, pad, dout)):
        assert got.shape == want.shape and rel_error(got, want) < 1e-10
    height, width = int(rng.integers(1, H + 1)), int(rng.integers(1, W + 1))
    pool_stride = int(rng.integers(1, 4))
    pooled, pool_cache = max_pool_forward_fast(x, {"pool_height": height, "pool_width": width, "stride": pool_stride})
    dpooled = rng.standard_normal(pooled.shape)
    want_out, want_dx = torch_pool(x, height, width, pool_stride, dpooled)
    assert np.array_equal(pooled, want_out)
    assert rel_error(max_pool_backward_fast(dpooled, pool_cache), want_dx) < 1e-12
