"""Q8: FullyConnectedNet of any depth: initialization, the seed, scores, loss and gradients.

Zero hidden layers (``hidden_dims=[]``, a softmax classifier) is an edge case with a small test of its own,
which prices the edge case only: the network must agree with the submission's own one-hidden-layer network
set up to compute the same affine map (``relu(x) - relu(-x) = x``), so a bug that both share is priced once,
by the tests of deeper networks.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.fc_and_cnn.common import model_gradient_check, set_params
from autograder.kit import Given, Kit, compare_values, graded, labels, matches_reference, normal
from autograder.sandbox import Remote, Session


def _fc_params(seed: int, dims: list[int]) -> dict[str, np.ndarray]:
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        params[f"W{layer}"] = normal(seed + 2 * layer, fan_in, fan_out, scale=0.6)
        params[f"b{layer}"] = normal(seed + 2 * layer + 1, fan_out, scale=0.3)
    return params


FC_NET_CASES = [(8102, 5, 7, [6], 4, 0.0), (8103, 6, 5, [4, 6, 5, 3], 3, 1.3), (8104, 3, 4, [5, 5], 2, 0.25)]


def fc_net_values(s: Session, with_grads: bool) -> dict:
    out = {}
    for seed, n, d, hidden, c, reg in FC_NET_CASES:
        model = s.new("FullyConnectedNet", hidden, input_dim=d, num_classes=c, reg=reg)
        set_params(model, _fc_params(seed, [d, *hidden, c]))
        X = normal(seed + 50, n, d, scale=2)
        label = f"hidden_dims={hidden}, reg={reg}"
        if with_grads:
            loss, grads = model.call("loss", X, labels(seed + 51, n, c))
            out[f"gradients for {label}"] = grads
        else:
            out[f"scores for {label}"] = model.call("loss", X)
            out[f"loss for {label}"] = model.call("loss", X, labels(seed + 51, n, c))[0]
    return out


def fc_net_scores_and_loss(s: Session) -> dict:
    """scores and loss match the reference for 1, 2 and 4 hidden layers, with and without reg."""
    return fc_net_values(s, with_grads=False)


def fc_net_gradients(s: Session) -> dict:
    """every gradient matches the reference for 1, 2 and 4 hidden layers, with and without reg."""
    return fc_net_values(s, with_grads=True)


def _scores_loss_grads(kit: Kit, model: Remote, X: np.ndarray, y: np.ndarray, c: int) -> tuple:
    scores = kit.array(model.call("loss", X), (len(X), c), "the scores")
    result = model.call("loss", X, y)
    kit.expect(isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict),
               "loss(X, y) should return (loss, grads)")
    return scores, kit.number(result[0], "the loss"), result[1]


@graded("Q8_fully_connected_net", 2)
def test_Q8_initialization_per_layer(kit: Kit) -> None:
    """one W and b per layer for two and five layers, weights with std weight_scale, zero biases."""
    s = kit.session
    for hidden in ([7], [9, 8, 7, 6]):
        dims = [30, *hidden, 6]
        params = s.new("FullyConnectedNet", hidden, input_dim=30, num_classes=6, weight_scale=0.1,
                       seed=11).get("params")
        expected = {f"{kind}{layer}" for layer in range(1, len(dims)) for kind in "Wb"}
        kit.expect(isinstance(params, dict) and set(params) == expected,
                   "for {layers} hidden layers, params should hold W1, b1, ... up to the output layer",
                   layers=Given(len(hidden)))
        for layer, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
            kit.array(params[f"W{layer}"], (fan_in, fan_out), "a weight matrix")
            kit.expect(np.all(kit.array(params[f"b{layer}"], (fan_out,), "a bias") == 0),
                       "the biases should start at zero")
    big = s.new("FullyConnectedNet", [200, 100], input_dim=300, num_classes=50, weight_scale=0.05, seed=3)
    params = big.get("params")
    for name in ("W1", "W2", "W3"):
        std = float(np.std(params[name]))
        kit.expect(abs(std - 0.05) < 0.003, "{name} has std {std:.4f}, expected weight_scale = 0.05", name=name,
                   std=std)


@graded("Q8_fully_connected_net", 1)
def test_Q8_seed_is_reproducible(kit: Kit) -> None:
    """the same seed gives the same weights, another seed other weights."""
    s = kit.session
    params = s.new("FullyConnectedNet", [200, 100], input_dim=300, num_classes=50, weight_scale=0.05,
                   seed=3).get("params")
    kit.expect(isinstance(params, dict) and "W1" in params, "params should hold W1")
    again = s.new("FullyConnectedNet", [200, 100], input_dim=300, num_classes=50, weight_scale=0.05, seed=3)
    other = s.new("FullyConnectedNet", [200, 100], input_dim=300, num_classes=50, weight_scale=0.05, seed=4)
    kit.expect(all(np.array_equal(params[k], again.get("params")[k]) for k in params),
               "the same seed should give the same weights")
    kit.expect(not np.array_equal(params["W1"], other.get("params")["W1"]), "another seed should give other weights")


test_Q8_scores_and_loss_match_reference = matches_reference("Q8_fully_connected_net", 4, fc_net_scores_and_loss,
                                                            rtol=1e-9)


test_Q8_gradients_match_reference = matches_reference("Q8_fully_connected_net", 3, fc_net_gradients, rtol=1e-8)


@graded("Q8_fully_connected_net", 3)
def test_Q8_gradients_match_finite_differences(kit: Kit) -> None:
    """every gradient of a three-hidden-layer network matches finite differences of your own loss."""
    model = kit.session.new("FullyConnectedNet", [4, 3, 5], input_dim=3, num_classes=3, reg=0.8)
    model_gradient_check(kit, model, _fc_params(8201, [3, 4, 3, 5, 3]), normal(8202, 4, 3, scale=2),
                          labels(8203, 4, 3))


@graded("Q8_fully_connected_net", 2)
def test_Q8_no_hidden_layer(kit: Kit) -> None:
    """hidden_dims=[] (L = 1): only W1 and b1, and the scores, loss and gradients of your one-hidden-layer net.

    That network is set up to compute the same affine map, so only what differs for no hidden layer is priced.
    """
    s = kit.session
    n, d, c = 6, 5, 4
    W, b, X, y = normal(8301, d, c, scale=0.6), normal(8302, c, scale=0.3), normal(8303, n, d, scale=2), \
        labels(8304, n, c)
    single = s.new("FullyConnectedNet", [], input_dim=d, num_classes=c)
    params = single.get("params")
    kit.expect(isinstance(params, dict) and set(params) == {"W1", "b1"},
               "with hidden_dims=[], params should hold exactly W1 and b1")
    kit.require_computed_scores(single, {"W1": W, "b1": b}, X)
    scores, loss, grads = _scores_loss_grads(kit, single, X, y, c)
    deep = s.new("FullyConnectedNet", [2 * d], input_dim=d, num_classes=c)
    identity = np.eye(d)
    set_params(deep, {"W1": np.hstack([identity, -identity]), "b1": np.zeros(2 * d), "W2": np.vstack([W, -W]),
                      "b2": b})
    deep_scores, deep_loss, deep_grads = _scores_loss_grads(kit, deep, X, y, c)
    dW2 = kit.array(deep_grads.get("W2"), (2 * d, c), "W2's gradient with one hidden layer")
    compare_values(scores, deep_scores, "the scores for hidden_dims=[]", 1e-9)
    compare_values(loss, deep_loss, "the loss for hidden_dims=[]", 1e-9)
    compare_values(grads.get("W1"), dW2[:d] - dW2[d:], "W1's gradient for hidden_dims=[]", 1e-8)
    compare_values(grads.get("b1"), deep_grads.get("b2"), "b1's gradient for hidden_dims=[]", 1e-8)
