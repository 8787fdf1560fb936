"""Q6: BatchNorm1D in training and evaluation mode, its backward, and MLP_BN. The shapes of the running statistics
and of the backward's gradients are priced in a test of their own and compared on their values everywhere else."""
from __future__ import annotations

from functools import partial

import numpy as np

from autograder.graders.spiral_from_scratch import F64
from autograder.graders.spiral_from_scratch.common import (gradient_shapes, is_subclass, layer_gradient_check,
                                                           norm_backward_values, norm_forward_values, norm_layer)
from autograder.kit import Kit, graded, matches_reference, normal
from autograder.sandbox import Session


BN_CASES = ((6101, 9, 4), (6102, 40, 13))


def batchnorm_training(s: Session) -> dict:
    """training-mode forward and the running mean and variance match the reference over three batches."""
    out = {}
    for seed, b, d in BN_CASES:
        layer = norm_layer(s, "BatchNorm1D", seed, d, eps=1e-3, momentum=0.8)
        for step in range(3):
            out[f"training forward {step + 1} on ({b}, {d})"] = layer.call(
                "forward", normal(seed + 10 + step, b, d, scale=3, shift=1))
        out[f"running_mean after 3 batches of ({b}, {d})"] = layer.get("running_mean")
        out[f"running_var after 3 batches of ({b}, {d})"] = layer.get("running_var")
    return out


def batchnorm_eval(s: Session) -> dict:
    """evaluation-mode forward normalizes with the running statistics (set here) and leaves them unchanged."""
    out = {}
    for seed, b, d in BN_CASES:
        layer = norm_layer(s, "BatchNorm1D", seed, d, eps=1e-3, momentum=0.8)
        layer.set("running_mean", normal(seed + 21, d))
        layer.set("running_var", normal(seed + 22, d) ** 2 + 0.1)
        layer.call("eval")
        out[f"eval forward on ({b}, {d})"] = layer.call("forward", normal(seed + 20, b, d))
        out[f"running_mean after an eval forward ({b}, {d})"] = layer.get("running_mean")
        out[f"running_var after an eval forward ({b}, {d})"] = layer.get("running_var")
    return out


test_Q6_batchnorm_training_forward_and_running_statistics = matches_reference("Q6_batchnorm", 1.5,
                                                                              batchnorm_training, rtol=1e-8)


test_Q6_batchnorm_eval_uses_running_statistics = matches_reference("Q6_batchnorm", 1, batchnorm_eval, rtol=1e-8)


# large batches: a forward's N - 1 or eps placement moves these gradients by about 1e-4 of their size, a backward
# bug by far more than the tolerances
WIDE_CASES = ((6111, 8000, 3), (6112, 6000, 2))
TIGHT = (partial(norm_backward_values, cls="BatchNorm1D", cases=BN_CASES, input_name="x", eps=1e-3), 1e-7, 0.0)
WIDE = (partial(norm_backward_values, cls="BatchNorm1D", cases=WIDE_CASES, input_name="x", correlated_axis=0,
                eps=1e-3), 2e-3, 2e-3)
FORWARDS = (batchnorm_training, partial(norm_forward_values, cls="BatchNorm1D", cases=BN_CASES, eps=1e-3))


@graded("Q6_batchnorm", 1)
def test_Q6_batchnorm_backward_matches_reference(kit: Kit) -> None:
    """dx, dgamma and dbeta match the reference (on large batches, where your training-mode forward is wrong)."""
    kit.compare_backward(TIGHT, FORWARDS, WIDE)


@graded("Q6_batchnorm", 1)
def test_Q6_batchnorm_backward_matches_finite_differences(kit: Kit) -> None:
    """dx, dgamma and dbeta match finite differences of your own training-mode forward, where it is right."""
    layer_gradient_check(kit, "BatchNorm1D", 6201, 6, 4, FORWARDS[:1], WIDE)


@graded("Q6_batchnorm", 0.5, prices_shapes=True)
def test_Q6_batchnorm_shapes(kit: Kit) -> None:
    """the running statistics keep the shape (D,), backward returns dx in the shape (B, D) of x and sets dgamma and
    dbeta in the shape (D,)."""
    s = kit.session

    def running(x: np.ndarray) -> dict:
        layer = norm_layer(s, "BatchNorm1D", 6401, 5)
        layer.call("forward", x)
        return {"running_mean": layer.get("running_mean"), "running_var": layer.get("running_var")}

    kit.require_shapes(running, (normal(6402, 7, 5), normal(6403, 7, 5, scale=2, shift=1)),
                       {"running_mean": (5,), "running_var": (5,)})
    gradient_shapes(kit, norm_layer(s, "BatchNorm1D", 6404, 5), 6404, 7, 5)


@graded("Q6_batchnorm", 0.5)
def test_Q6_batchnorm_mlp_bn_swaps_the_normalization(kit: Kit) -> None:
    """MLP_BN, built on the reference MLP, holds two BatchNorm1D layers, no InstanceNorm1D, and eval() reaches them."""
    kit.session.seed(6301)
    net = kit.session.new("MLP_BN", in_dim=2, hidden_dim=8, out_dim=2, p_drop=0.0, dtype=F64)
    norms = net.find("BatchNorm1D")
    kit.expect(len(norms) == 2 and not net.find("InstanceNorm1D"),
               "MLP_BN should hold 2 BatchNorm1D and 0 InstanceNorm1D layers",
               detail=f"{len(norms)} BatchNorm1D")
    net.call("train")
    net.call("forward", normal(6302, 16, 2))
    net.call("eval")
    means = [kit.array(n.get("running_mean"), None, "running_mean") for n in norms]
    net.call("forward", normal(6303, 16, 2, shift=3))
    after = [kit.array(n.get("running_mean"), None, "running_mean") for n in norms]
    kit.expect(all(np.array_equal(a, b) for a, b in zip(means, after)),
               "MLP_BN.eval() should put its BatchNorm1D layers in evaluation mode")


@graded("Q6_batchnorm", 0.5)
def test_Q6_batchnorm_mlp_bn_is_a_subclass_of_mlp(kit: Kit) -> None:
    """MLP_BN is a subclass of MLP, as its stub and the release ask (checked on the class, without building one)."""
    kit.expect(is_subclass(kit.session, "MLP_BN", "MLP"), "MLP_BN should be a subclass of MLP")
