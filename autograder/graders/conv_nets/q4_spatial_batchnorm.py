"""Q4: spatial_batchnorm_forward (training mode, running statistics, test mode) and spatial_batchnorm_backward.

``bn_param`` lives in the child (``common.bn_param``) so that the running statistics the forward stores in it
persist from one call to the next, as in the notebook. The shapes of the backward's gradients are priced in a
test of their own, and compared on their values everywhere else.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.conv_nets.common import bn_param, pair, triple
from autograder.kit import Kit, graded, matches_reference, normal
from autograder.sandbox import Session

CASES = [(4101, (3, 4, 5, 6)), (4102, (2, 2, 3, 7))]


def _affine(seed: int, c: int) -> tuple:
    return normal(seed + 1, c, scale=0.8, shift=1.0), normal(seed + 2, c)


def sbn_training(s: Session) -> dict:
    """training-mode output matches the reference (non-square feature maps, learned gamma and beta)."""
    out = {}
    for seed, shape in CASES:
        gamma, beta = _affine(seed, shape[1])
        result = s.call("spatial_batchnorm_forward", normal(seed, *shape, scale=3, shift=2), gamma, beta,
                        {"mode": "train"})
        out[f"training-mode output for x {shape}"] = result[0]
    return out


def sbn_running(s: Session) -> dict:
    """the running mean and variance after three training batches (momentum 0.8, eps 1e-3 in bn_param) and the
    test-mode output that uses them match the reference."""
    out = {}
    for seed, shape in CASES:
        gamma, beta = _affine(seed, shape[1])
        param = bn_param(s, mode="train", momentum=0.8, eps=1e-3)
        for step in range(3):
            s.call("spatial_batchnorm_forward", normal(seed + 10 + step, *shape, scale=3, shift=2), gamma, beta, param)
        out[f"running_mean after three batches of {shape}"] = param.call("get", "running_mean")
        out[f"running_var after three batches of {shape}"] = param.call("get", "running_var")
        param.call("__setitem__", "mode", "test")
        result = s.call("spatial_batchnorm_forward", normal(seed + 20, *shape, scale=3, shift=2), gamma, beta, param)
        out[f"test-mode output for x {shape}"] = result[0]
    return out


test_Q4_forward_training_mode = matches_reference("Q4_spatial_batchnorm_forward", 1, sbn_training, rtol=1e-8)
test_Q4_forward_running_statistics_and_test_mode = matches_reference("Q4_spatial_batchnorm_forward", 1, sbn_running,
                                                                     rtol=1e-8)


def _backward(s: Session, seed: int, shape: tuple) -> tuple:
    gamma, beta = _affine(seed, shape[1])
    _, cache = s.call("spatial_batchnorm_forward", normal(seed + 30, *shape, scale=3, shift=2), gamma, beta,
                      {"mode": "train"})
    return s.call("spatial_batchnorm_backward", normal(seed + 31, *shape), cache)


def sbn_backward(s: Session) -> dict:
    """dx, dgamma and dbeta match the reference."""
    out = {}
    for seed, shape in CASES:
        grads = _backward(s, seed, shape)
        ok = isinstance(grads, (tuple, list)) and len(grads) == 3
        for name, grad in zip(("dx", "dgamma", "dbeta"), grads if ok else (None,) * 3):
            out[f"{name} for x {shape}"] = grad
    return out


test_Q4_backward_matches_reference = matches_reference("Q4_spatial_batchnorm_backward", 0.75, sbn_backward,
                                                       rtol=1e-7)


@graded("Q4_spatial_batchnorm_backward", 0.25, prices_shapes=True)
def test_Q4_backward_shapes(kit: Kit) -> None:
    """dx has the shape (N, C, H, W) of x, dgamma and dbeta the shape (C,) of gamma and beta."""
    s = kit.session
    seed, shape = CASES[0]
    gamma, beta = _affine(seed, shape[1])

    def forward(x: np.ndarray) -> tuple:
        return pair(kit, s.call("spatial_batchnorm_forward", x, gamma, beta, {"mode": "train"}),
                    "spatial_batchnorm_forward")

    x = normal(seed + 30, *shape, scale=3, shift=2)
    same_channel = np.zeros(shape, dtype=bool)
    same_channel[:, 0] = True
    same_channel.flat[0] = False
    kit.require_normalization(lambda value: forward(value)[0], x, same_channel, "spatial_batchnorm_forward")
    _, cache = forward(x)
    kit.require_shapes(lambda dout: dict(zip(("dx", "dgamma", "dbeta"), triple(
        kit, s.call("spatial_batchnorm_backward", dout, cache), "spatial_batchnorm_backward"))),
        (normal(seed + 31, *shape), normal(seed + 32, *shape)), {"dx": shape, "dgamma": (shape[1],),
                                                                 "dbeta": (shape[1],)})

FD_SHAPE, FD_SEED = (2, 3, 3, 4), 4301


def sbn_fd_forward(s: Session) -> dict:
    gamma, beta = _affine(FD_SEED, FD_SHAPE[1])
    return {"training-mode output on the finite-difference input": s.call(
        "spatial_batchnorm_forward", normal(FD_SEED, *FD_SHAPE, scale=3, shift=2), gamma, beta, {"mode": "train"})[0]}


def sbn_fd_backward(s: Session) -> dict:
    gamma, beta = _affine(FD_SEED, FD_SHAPE[1])
    _, cache = s.call("spatial_batchnorm_forward", normal(FD_SEED, *FD_SHAPE, scale=3, shift=2), gamma, beta,
                      {"mode": "train"})
    return {"gradients for the finite-difference case": s.call("spatial_batchnorm_backward",
                                                               normal(FD_SEED + 3, *FD_SHAPE), cache)}


@graded("Q4_spatial_batchnorm_backward", 1)
def test_Q4_backward_matches_finite_differences(kit: Kit) -> None:
    """dx, dgamma and dbeta match finite differences of your own training-mode forward, where it is right."""
    if not kit.agrees(sbn_fd_forward):
        # the forward's tests priced a wrong forward: the backward is judged against the reference instead
        kit.compare(sbn_fd_backward, rtol=1e-7)
        return
    s = kit.session
    gamma, beta = _affine(FD_SEED, FD_SHAPE[1])
    inputs = {"x": normal(FD_SEED, *FD_SHAPE, scale=3, shift=2), "gamma": gamma, "beta": beta}
    dout = normal(FD_SEED + 3, *FD_SHAPE)
    _, cache = pair(kit, s.call("spatial_batchnorm_forward", inputs["x"], gamma, beta, {"mode": "train"}),
                    "spatial_batchnorm_forward")
    grads = triple(kit, s.call("spatial_batchnorm_backward", dout, cache), "spatial_batchnorm_backward")
    kit.gradients(kit.forward(lambda x, gamma, beta: [s.planned_call("spatial_batchnorm_forward", x, gamma, beta,
                                                                     {"mode": "train"})],
                              lambda result: result[0]), inputs, dout, dict(zip(inputs, grads)), rtol=1e-6)
