"""Q7: FullyConnectedNet with normalization="layernorm" (the Q2 answer cell, its layer-norm branch).

Only what is particular to layer normalization is priced here, each in a quarter point: its parameters, scores of
an example that do not depend on the rest of the batch nor on earlier training calls, scores that do not change
when the input is scaled (the first layer's output is normalized per example), and gradients that agree with the
submission's own loss. A defect of the network that the batch-norm branch shares (layer order, regularization,
the scores layer) is priced by Q2, not here.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.batch_layer_norm.common import (F64, loss_and_grads, model_gradient_check, net_params,
                                                        set_params)
from autograder.kit import Kit, compare_values, graded, labels, normal
from autograder.sandbox import Session


def _net(s: Session, hidden: list[int], d: int, c: int, reg: float = 0.0):
    return s.new("FullyConnectedNet", hidden, input_dim=d, num_classes=c, reg=reg, dtype=F64,
                 normalization="layernorm")


@graded("Q7_ln_network", 0.25)
def test_Q7_layernorm_parameters(kit: Kit) -> None:
    """with layernorm, params hold one gamma and one beta per hidden layer, sized like it, and none for the scores."""
    hidden, d, c = [6, 4], 5, 3
    params = _net(kit.session, hidden, d, c).get("params")
    expected = {f"{kind}{layer}" for layer in range(1, 4) for kind in "Wb"} | {
        f"{kind}{layer}" for layer in range(1, 3) for kind in ("gamma", "beta")}
    kit.expect(isinstance(params, dict) and set(params) == expected,
               "with layernorm, params should hold W1..W3, b1..b3, gamma1, gamma2, beta1 and beta2")
    for layer, size in ((1, 6), (2, 4)):
        kit.array(params[f"gamma{layer}"], (size,), "a gamma")
        kit.array(params[f"beta{layer}"], (size,), "a beta")


@graded("Q7_ln_network", 0.25)
def test_Q7_scores_per_example(kit: Kit) -> None:
    """an example's scores do not depend on the other examples of its batch, nor on earlier training calls.

    Only a network that normalizes is judged: its scores must depend on gamma1 (a plain network passes the rest).
    """
    s = kit.session
    hidden, d, c = [6, 4], 5, 3
    model = _net(s, hidden, d, c)
    params = net_params(7101, [d, *hidden, c], normalized=True)
    X = normal(7102, 6, d, scale=2)
    set_params(model, {**params, "gamma1": 2.0 * params["gamma1"]})
    rescaled = kit.array(model.call("loss", X), (6, c), "the scores")
    set_params(model, params)
    scores = kit.array(model.call("loss", X), (6, c), "the scores")
    kit.expect(float(np.max(np.abs(rescaled - scores))) > 1e-6,
               "the scores do not depend on gamma1: with normalization=\"layernorm\" the network should normalize")
    compare_values(model.call("loss", X[:1]), scores[:1], "the scores of one example alone", 1e-9)
    compare_values(model.call("loss", X[2:5]), scores[2:5], "the scores of three examples", 1e-9)
    loss_and_grads(kit, model, normal(7103, 4, d, scale=3, shift=1), labels(7104, 4, c))
    compare_values(model.call("loss", X), scores, "the scores after a training call", 1e-9)


@graded("Q7_ln_network", 0.25)
def test_Q7_scores_do_not_change_with_the_input_scale(kit: Kit) -> None:
    """with b1 = 0, multiplying the input by a positive factor leaves the scores unchanged (the first hidden layer
    is normalized per example)."""
    s = kit.session
    hidden, d, c = [6, 4], 5, 3
    model = _net(s, hidden, d, c)
    set_params(model, net_params(7201, [d, *hidden, c], normalized=True, first_bias=False))
    X = normal(7202, 4, d, scale=2)
    scores = kit.array(model.call("loss", X), (4, c), "the scores")
    compare_values(model.call("loss", 3.5 * X), scores, "the scores of the input times 3.5", 1e-5)


@graded("Q7_ln_network", 0.25)
def test_Q7_gradients_match_finite_differences(kit: Kit) -> None:
    """every gradient of a layer-normalized network matches finite differences of your own loss."""
    n, d, hidden, c = 5, 4, [5, 3], 3
    model = _net(kit.session, hidden, d, c, reg=0.4)
    model_gradient_check(kit, model, net_params(7301, [d, *hidden, c], normalized=True), normal(7302, n, d, scale=2),
                         labels(7303, n, c))
