"""Q1: batchnorm_forward (training output, running statistics, their creation, test mode), batchnorm_backward
and batchnorm_backward_alt (against the reference on large batches, and against finite differences).

Each item has a shape test: the running statistics, dgamma and dbeta in the shape (D,) of gamma, outputs and dx
in the shape of x. The item's other tests compare values in any shape of the right size, so a keepdims=True
that leaves a (1, D) costs a shape test alone."""
from __future__ import annotations

import numpy as np

from autograder.graders.batch_layer_norm.common import (backward_shapes, dict_values, forward, forward_out,
                                                        layer_gradient_check, layer_inputs, three)
from autograder.kit import Kit, compare_values, correlated_dout, graded, matches_reference, normal
from autograder.sandbox import Session

BN_CASES = [(1101, 7, 4), (1102, 30, 9)]
STATS = ("running_mean", "running_var")


def training_output(s: Session) -> dict:
    """training-mode output on hidden shapes, with a given eps and with the default eps on small-variance data."""
    out = {}
    for seed, n, d in BN_CASES:
        x, gamma, beta = layer_inputs(seed, n, d)
        out[f"output for x of shape {(n, d)}, eps=1e-3"] = forward_out(
            s, "batchnorm_forward", x, gamma, beta, {"mode": "train", "eps": 1e-3})
        small = normal(seed + 5, n, d, scale=0.004, shift=0.2)
        out[f"output for small-variance x of shape {(n, d)}, default eps"] = forward_out(
            s, "batchnorm_forward", small, gamma, beta, {"mode": "train"})
    return out


def running_statistics(s: Session) -> dict:
    """running_mean and running_var in bn_param after three training batches, with momentum 0.7 and the default."""
    out = {}
    for seed, n, d in BN_CASES:
        x, gamma, beta = layer_inputs(seed, n, d)
        for momentum in (0.7, None):
            start = {"mode": "train", "running_mean": normal(seed + 6, d), "running_var": normal(seed + 7, d) ** 2}
            if momentum is not None:
                start["momentum"] = momentum
            bn_param = s.keep(start)
            for step in range(3):
                s.call("batchnorm_forward", normal(seed + 10 + step, n, d, scale=2, shift=step), gamma, beta,
                       bn_param)
            label = f"momentum {momentum or 'default'}, shape {(n, d)}"
            out.update({f"bn_param[{key!r}] after 3 batches, {label}": value
                        for key, value in dict_values(bn_param, STATS).items()})
    return out


def output_in_test_mode(s: Session) -> dict:
    """test mode normalizes with the running statistics and leaves them unchanged."""
    out = {}
    for seed, n, d in BN_CASES:
        x, gamma, beta = layer_inputs(seed, n, d)
        bn_param = s.keep({"mode": "test", "running_mean": normal(seed + 8, d),
                                 "running_var": normal(seed + 9, d) ** 2 + 0.1})
        out[f"test-mode output for shape {(n, d)}"] = forward_out(s, "batchnorm_forward", x, gamma, beta,
                                                                  bn_param)
        out.update({f"bn_param[{key!r}] after a test-mode call, shape {(n, d)}": value
                    for key, value in dict_values(bn_param, STATS).items()})
    return out


test_Q1_forward_training_output_matches_reference = matches_reference("Q1_forward", 1.5, training_output, rtol=1e-8)
test_Q1_forward_test_mode_matches_reference = matches_reference("Q1_forward", 1, output_in_test_mode, rtol=1e-9)
test_Q1_forward_running_statistics_match_reference = matches_reference("Q1_forward", 0.75, running_statistics,
                                                                       rtol=1e-9)


@graded("Q1_forward", 0.25, prices_shapes=True)
def test_Q1_forward_shapes(kit: Kit) -> None:
    """the output has the shape (N, D) of x in both modes, and the running statistics the shape (D,) of gamma."""
    s = kit.session
    seed, n, d = BN_CASES[0]
    _, gamma, beta = layer_inputs(seed, n, d)

    def training_call(x: np.ndarray) -> dict:
        bn_param = s.keep({"mode": "train"})
        out = forward_out(s, "batchnorm_forward", x, gamma, beta, bn_param)
        return {"out": out, **{f"bn_param[{key!r}]": value for key, value in dict_values(bn_param, STATS).items()}}

    def test_mode_call(x: np.ndarray) -> dict:
        bn_param = {"mode": "test", "running_mean": normal(seed + 8, d), "running_var": normal(seed + 9, d) ** 2 + 0.1}
        return {"test-mode out": forward_out(s, "batchnorm_forward", x, gamma, beta, bn_param)}

    inputs = (normal(seed, n, d, scale=3), normal(seed + 20, n, d, scale=2, shift=1))
    kit.require_shapes(training_call, inputs, {"out": (n, d), "bn_param['running_mean']": (d,),
                                               "bn_param['running_var']": (d,)})
    kit.require_shapes(test_mode_call, inputs, {"test-mode out": (n, d)})


@graded("Q1_forward", 0.5)
def test_Q1_forward_creates_running_statistics(kit: Kit) -> None:
    """missing running statistics are created as zeros(D) and written into bn_param: one training batch gives
    what your own code gives when bn_param starts with zeros (whatever its momentum and variance conventions)."""
    s = kit.session
    for seed, n, d in BN_CASES:
        x, gamma, beta = layer_inputs(seed, n, d)
        missing = s.keep({"mode": "train"})
        s.call("batchnorm_forward", x, gamma, beta, missing)
        zeros = s.keep({"mode": "train", "running_mean": np.zeros(d), "running_var": np.zeros(d)})
        s.call("batchnorm_forward", x, gamma, beta, zeros)
        want = dict_values(zeros, STATS)
        created = dict_values(missing, STATS)
        for key in STATS:
            value = created[key]
            kit.expect(value is not None, "bn_param has no {key} after a training batch", key=key)
            compare_values(kit.values(value, (d,), key), kit.values(want[key], (d,), key),
                           f"bn_param[{key!r}] created when missing", 1e-12)


# large batches: a defect of the forward statistics (N - 1, eps placement) moves these gradients by about 1e-4
# of their size, a defect of the backward pass by far more than the tolerances
BIG_CASES = [(1201, 8000, 3), (1202, 6000, 2)]


def _big_backward(s: Session, backward: str, parts: tuple[int, ...]) -> dict:
    out = {}
    for seed, n, d in BIG_CASES:
        x, gamma, beta = layer_inputs(seed, n, d, scale=4.0, shift=2.0)
        _, cache = forward(s, "batchnorm_forward", x, gamma, beta, {"mode": "train"})
        grads = three(s.call(backward, correlated_dout(seed + 3, x, axis=0), cache), backward)
        for index in parts:
            out[f"{('dx', 'dgamma', 'dbeta')[index]} of {backward} for x of shape {(n, d)}"] = grads[index]
    return out


def backward_dx(s: Session) -> dict:
    """dx of batchnorm_backward matches the reference on large batches."""
    return _big_backward(s, "batchnorm_backward", (0,))


def backward_dgamma_dbeta(s: Session) -> dict:
    """dgamma and dbeta of batchnorm_backward match the reference on large batches."""
    return _big_backward(s, "batchnorm_backward", (1, 2))


def alt_values(s: Session) -> dict:
    """dx, dgamma and dbeta of batchnorm_backward_alt match the reference on large batches."""
    return _big_backward(s, "batchnorm_backward_alt", (0, 1, 2))


DX, DGAMMA_DBETA, ALT = (backward_dx, 1e-6, 2e-3), (backward_dgamma_dbeta, 2e-3, 0.0), (alt_values, 2e-3, 2e-3)
test_Q1_backward_dx_matches_reference = matches_reference("Q1_backward", 2, *DX)
test_Q1_backward_dgamma_dbeta_match_reference = matches_reference("Q1_backward", 0.75, *DGAMMA_DBETA)
test_Q1_alt_matches_reference = matches_reference("Q1_backward_alt", 1.75, *ALT)


@graded("Q1_backward", 0.25, prices_shapes=True)
def test_Q1_backward_shapes(kit: Kit) -> None:
    """dx has the shape (N, D) of x, dgamma and dbeta the shape (D,) of gamma and beta."""
    backward_shapes(kit, "batchnorm_forward", "batchnorm_backward", {"mode": "train"}, 1501, 6, 4)


@graded("Q1_backward_alt", 0.25, prices_shapes=True)
def test_Q1_alt_shapes(kit: Kit) -> None:
    """dx of batchnorm_backward_alt has the shape (N, D) of x, dgamma and dbeta the shape (D,) of gamma and beta."""
    backward_shapes(kit, "batchnorm_forward", "batchnorm_backward_alt", {"mode": "train"}, 1502, 5, 3)


@graded("Q1_backward", 1)
def test_Q1_backward_matches_finite_differences(kit: Kit) -> None:
    """dx, dgamma and dbeta of batchnorm_backward match finite differences of your own training-mode forward, where
    it is right."""
    layer_gradient_check(kit, "batchnorm_forward", "batchnorm_backward", {"mode": "train"}, 1301, 5, 3,
                         forwards=(training_output,), wide=(DX, DGAMMA_DBETA))


@graded("Q1_backward_alt", 1)
def test_Q1_alt_matches_finite_differences(kit: Kit) -> None:
    """dx, dgamma and dbeta of batchnorm_backward_alt match finite differences of your own training-mode forward,
    where it is right."""
    layer_gradient_check(kit, "batchnorm_forward", "batchnorm_backward_alt", {"mode": "train"}, 1401, 6, 2,
                         forwards=(training_output,), wide=(ALT,))
