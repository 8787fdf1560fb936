"""Fast convolution and max pooling in pure numpy, with the API of the naive layers.

``conv_forward_fast(x, w, b, conv_param) -> (out, cache)`` and
``conv_backward_fast(dout, cache) -> (dx, dw, db)`` lay every receptive field
out as a row (im2col) and do the work in one matrix product; the backward
scatters the columns back with one strided add per kernel offset. Any stride,
padding, kernel height and width.

``max_pool_forward_fast(x, pool_param) -> (out, cache)`` and
``max_pool_backward_fast(dout, cache) -> dx`` work on strided views of the
windows, one elementwise pass per window position, for every pool size and
stride (overlapping windows and pools that do not tile the input included).
The gradient of a window goes to its first maximum, as in the naive layer.

The sandwich layers ``conv_relu_forward/backward`` and
``conv_relu_pool_forward/backward`` chain them with a ReLU. No compile step.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

ConvParam = dict[str, int]
PoolParam = dict[str, int]


def _conv_geometry(x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: int, pad: int) -> tuple[int, int]:
    (_, C, H, W), (_, Cw, HH, WW) = x_shape, w_shape
    if C != Cw:
        raise ValueError(f"x has {C} channels but w expects {Cw}")
    if stride < 1 or pad < 0:
        raise ValueError(f"stride must be >= 1 and pad >= 0, got stride={stride}, pad={pad}")
    H_out, W_out = (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1
    if H_out < 1 or W_out < 1:
        raise ValueError(f"a {HH}x{WW} kernel does not fit a {H}x{W} input padded by {pad}")
    return H_out, W_out


def _windows(x: np.ndarray, height: int, width: int, stride: int, H_out: int, W_out: int) -> np.ndarray:
    """A read-only view of shape (N, C, H_out, W_out, height, width): every window of ``x`` (N, C, H, W)."""
    sN, sC, sH, sW = x.strides
    return as_strided(x, (x.shape[0], x.shape[1], H_out, W_out, height, width),
                      (sN, sC, stride * sH, stride * sW, sH, sW), writeable=False)


def _channels_last_windows(x: np.ndarray, height: int, width: int, stride: int, H_out: int, W_out: int) -> np.ndarray:
    """A read-only view (N, H_out, W_out, height, width, C) of ``x`` (N, H, W, C): each window's rows of channels."""
    sN, sH, sW, sC = x.strides
    return as_strided(x, (x.shape[0], H_out, W_out, height, width, x.shape[3]),
                      (sN, stride * sH, stride * sW, sH, sW, sC), writeable=False)


CHUNK_BYTES = 8 << 20  # im2col columns are built this many bytes at a time, so that they stay in cache
KEEP_BYTES = 64 << 20  # columns up to this size are kept from the forward pass for the backward pass


def _chunks(windows: np.ndarray) -> list[slice]:
    """Slices of the batch whose im2col columns take about ``CHUNK_BYTES`` each."""
    per_example = windows[0].size * windows.itemsize
    step = max(1, CHUNK_BYTES // per_example)
    return [slice(start, start + step) for start in range(0, windows.shape[0], step)]


def conv_forward_fast(x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: ConvParam) -> tuple[np.ndarray, Any]:
    """Convolution (cross-correlation) of x (N, C, H, W) with w (F, C, HH, WW) plus b (F,).

    ``conv_param``: ``stride`` and ``pad`` (zero padding on both sides of H and W).
    Returns out (N, F, H', W') with H' = 1 + (H + 2 pad - HH) // stride (W' likewise), and a cache.
    Works channels-last: each output position's window is a row of (HH, WW, C) values, so building a row
    copies runs of C contiguous numbers. A last column of ones carries the bias through the product (and
    gives db in the backward pass), one matrix multiply per chunk of the batch.
    """
    stride, pad = conv_param.get("stride", 1), conv_param.get("pad", 0)
    H_out, W_out = _conv_geometry(x.shape, w.shape, stride, pad)
    N, F, (_, C, HH, WW) = x.shape[0], w.shape[0], w.shape
    x_padded = np.zeros((N, x.shape[2] + 2 * pad, x.shape[3] + 2 * pad, C), dtype=x.dtype)
    x_padded[:, pad:pad + x.shape[2], pad:pad + x.shape[3]] = x.transpose(0, 2, 3, 1)
    depth = HH * WW * C
    filters = np.empty((F, depth + 1), dtype=np.result_type(w, b))  # rows (HH, WW, C) as a window's, then b
    filters[:, :depth] = w.transpose(0, 2, 3, 1).reshape(F, depth)
    filters[:, depth] = b
    windows = _channels_last_windows(x_padded, HH, WW, stride, H_out, W_out)
    out = np.empty((N, F, H_out * W_out), dtype=np.result_type(x, filters))
    columns = []
    for batch in _chunks(windows):
        columns.append(_columns(windows[batch], H_out * W_out, depth))
        out[batch] = (filters @ columns[-1].T).reshape(F, -1, H_out * W_out).transpose(1, 0, 2)
    kept = columns if windows.size * windows.itemsize <= KEEP_BYTES else None
    return out.reshape(N, F, H_out, W_out), (x.shape, x_padded, kept, w, stride, pad)


def _columns(windows: np.ndarray, positions: int, depth: int) -> np.ndarray:
    """im2col: one row per output position of ``windows`` (examples, H', W', HH, WW, C), then a 1 for the bias."""
    columns = np.empty((len(windows) * positions, depth + 1), dtype=windows.dtype)
    columns[:, :depth] = windows.reshape(-1, depth)
    columns[:, depth] = 1
    return columns


def conv_backward_fast(dout: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of ``conv_forward_fast``: dout (N, F, H', W') -> dx (N, C, H, W), dw (F, C, HH, WW), db (F,).

    Columns the forward pass did not keep are rebuilt chunk by chunk. Both products of a chunk take dout as an
    (F, examples x H' x W') matrix; the gradient of the columns comes out laid (C, HH, WW, examples, H', W') and
    goes back to dx with one strided add per kernel offset, over runs of W'.
    """
    (N, C, H, W), x_padded, kept, w, stride, pad = cache
    F, _, HH, WW = w.shape
    H_out, W_out = dout.shape[2], dout.shape[3]
    depth = HH * WW * C
    per_filter = np.ascontiguousarray(dout.transpose(1, 0, 2, 3)).reshape(F, -1)  # (F, N * H' * W')
    filters_t = np.ascontiguousarray(w.reshape(F, -1).T)  # (C * HH * WW, F)
    windows = _channels_last_windows(x_padded, HH, WW, stride, H_out, W_out)
    dfilters = np.zeros((F, depth + 1), dtype=np.result_type(dout, x_padded))
    dx_padded = np.zeros((C, N, H + 2 * pad, W + 2 * pad), dtype=np.result_type(dout, w))
    for index, batch in enumerate(_chunks(windows)):
        columns = kept[index] if kept is not None else _columns(windows[batch], H_out * W_out, depth)
        rows = per_filter[:, batch.start * H_out * W_out:batch.stop * H_out * W_out]
        dfilters += rows @ columns
        dcols = (filters_t @ rows).reshape(C, HH, WW, -1, H_out, W_out)
        for di in range(HH):
            for dj in range(WW):
                dx_padded[:, batch, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride] += dcols[:, di, dj]
    dx = dx_padded[:, :, pad:pad + H, pad:pad + W].transpose(1, 0, 2, 3)
    dw = dfilters[:, :depth].reshape(F, HH, WW, C).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(dx), np.ascontiguousarray(dw), dfilters[:, depth].copy()


def _pool_geometry(x_shape: tuple[int, ...], pool_param: PoolParam) -> tuple[int, int, int, int, int]:
    height, width = pool_param.get("pool_height", 2), pool_param.get("pool_width", 2)
    stride = pool_param.get("stride", 2)
    H, W = x_shape[2], x_shape[3]
    if min(height, width, stride) < 1 or height > H or width > W:
        raise ValueError(f"a {height}x{width} pool with stride {stride} does not fit a {H}x{W} input")
    return height, width, stride, (H - height) // stride + 1, (W - width) // stride + 1


def _first_max(planes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Elementwise max of same-shaped arrays and the index (int8) of the first array that holds it."""
    best, choice = planes[0], np.zeros(planes[0].shape, dtype=np.int8)
    for index, plane in enumerate(planes[1:], start=1):
        # indices grow, so "choice becomes index where plane is better" is a maximum (np.where is 10x slower)
        np.maximum(choice, (plane > best) * np.int8(index), out=choice)
        best = np.maximum(best, plane)
    return best, choice


def max_pool_forward_fast(x: np.ndarray, pool_param: PoolParam) -> tuple[np.ndarray, Any]:
    """Max pooling of x (N, C, H, W); ``pool_param``: ``pool_height``, ``pool_width``, ``stride``.

    Returns out (N, C, H', W') with H' = 1 + (H - pool_height) // stride (W' likewise), and a cache.
    Each window's maximum is found row by row (first column that holds a row's maximum, then first row),
    which is the first maximum in row-major order, the one the naive layer picks.
    """
    height, width, stride, H_out, W_out = _pool_geometry(x.shape, pool_param)
    windows = _windows(x, height, width, stride, H_out, W_out)
    rows = [_first_max([windows[..., i, j] for j in range(width)]) for i in range(height)]
    out, row = _first_max([best for best, _ in rows])
    return out, (x.shape, pool_param, row, [column for _, column in rows])


def max_pool_backward_fast(dout: np.ndarray, cache: Any) -> np.ndarray:
    """Gradient of ``max_pool_forward_fast``: dout (N, C, H', W') -> dx (N, C, H, W).

    Pools whose windows tile the input (pool size equal to stride, sizes divisible) write every entry of dx
    once; overlapping or non-tiling pools add into a zeroed dx.
    """
    x_shape, pool_param, row, columns = cache
    height, width, stride, H_out, W_out = _pool_geometry(x_shape, pool_param)
    tiles = height == width == stride and x_shape[2] == height * H_out and x_shape[3] == width * W_out
    dx = np.empty(x_shape, dtype=dout.dtype) if tiles else np.zeros(x_shape, dtype=dout.dtype)
    for i, column in enumerate(columns):
        to_row = dout * (row == i)
        for j in range(width):
            target = dx[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride]
            if tiles:
                np.multiply(to_row, column == j, out=target)
            else:
                target += to_row * (column == j)
    return dx


def conv_relu_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: ConvParam) -> tuple[np.ndarray, Any]:
    """Convolution then ReLU; shapes as ``conv_forward_fast``."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    return np.maximum(a, 0), (conv_cache, a > 0)


def conv_relu_backward(dout: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of ``conv_relu_forward``: (dx, dw, db)."""
    conv_cache, positive = cache
    return conv_backward_fast(dout * positive, conv_cache)


def conv_relu_pool_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: ConvParam,
                           pool_param: PoolParam) -> tuple[np.ndarray, Any]:
    """Convolution, ReLU, then max pooling; shapes as the two layers."""
    s, relu_cache = conv_relu_forward(x, w, b, conv_param)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (relu_cache, pool_cache)


def conv_relu_pool_backward(dout: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of ``conv_relu_pool_forward``: (dx, dw, db)."""
    relu_cache, pool_cache = cache
    return conv_relu_backward(max_pool_backward_fast(dout, pool_cache), relu_cache)
