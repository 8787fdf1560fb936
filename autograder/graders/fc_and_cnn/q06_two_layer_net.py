"""Q6: TwoLayerNet: initialization, scores, loss and gradients (the layers are the master's)."""
from __future__ import annotations

import numpy as np

from autograder.graders.fc_and_cnn.common import model_gradient_check, set_params
from autograder.kit import Kit, graded, labels, matches_reference, normal
from autograder.sandbox import Session


def _two_layer_params(seed: int, d: int, h: int, c: int) -> dict[str, np.ndarray]:
    return {"W1": normal(seed, d, h, scale=0.5), "b1": normal(seed + 1, h, scale=0.3),
            "W2": normal(seed + 2, h, c, scale=0.5), "b2": normal(seed + 3, c, scale=0.3)}


TWO_LAYER_CASES = [(6101, 5, 4, 9, 3, 0.0), (6102, 8, 6, 5, 4, 0.37)]


def two_layer_scores(s: Session) -> dict:
    """scores match the reference for parameters that make some hidden units negative (the ReLU matters)."""
    out = {}
    for seed, n, d, h, c, _ in TWO_LAYER_CASES:
        model = s.new("TwoLayerNet", input_dim=d, hidden_dim=h, num_classes=c)
        set_params(model, _two_layer_params(seed, d, h, c))
        out[f"scores for N={n}, D={d}, H={h}, C={c}"] = model.call("loss", normal(seed + 4, n, d, scale=2))
    return out


def two_layer_loss(s: Session) -> dict:
    """loss and gradients match the reference without and with L2 regularization."""
    out = {}
    for seed, n, d, h, c, reg in TWO_LAYER_CASES:
        model = s.new("TwoLayerNet", input_dim=d, hidden_dim=h, num_classes=c, reg=reg)
        set_params(model, _two_layer_params(seed, d, h, c))
        loss, grads = model.call("loss", normal(seed + 4, n, d, scale=2), labels(seed + 5, n, c))
        out[f"loss for reg={reg}"] = loss
        out[f"gradients for reg={reg}"] = grads
    return out


@graded("Q6_two_layer_net", 2)
def test_Q6_initialization(kit: Kit) -> None:
    """W1, b1, W2, b2 have the right shapes; weights have std weight_scale, biases are zero."""
    s = kit.session
    s.seed(6201)
    model = s.new("TwoLayerNet", input_dim=60, hidden_dim=40, num_classes=5, weight_scale=0.02)
    params = model.get("params")
    kit.expect(isinstance(params, dict) and set(params) == {"W1", "b1", "W2", "b2"},
               "params should hold exactly W1, b1, W2, b2")
    for name, shape in [("W1", (60, 40)), ("b1", (40,)), ("W2", (40, 5)), ("b2", (5,))]:
        value = kit.array(params[name], shape, name)
        if name.startswith("b"):
            kit.expect(np.all(value == 0), "{name} should start at zero", name=name)
    for name, tolerance in [("W1", 0.001), ("W2", 0.004)]:
        std = float(np.std(params[name]))
        kit.expect(abs(std - 0.02) < tolerance, "{name} has std {std:.4f}, expected weight_scale = 0.02", name=name,
                   std=std)
    default = s.new("TwoLayerNet").get("params")
    kit.array(default.get("W1"), (4320, 128), "W1 with the default sizes")
    kit.array(default.get("W2"), (128, 4), "W2 with the default sizes")


test_Q6_scores_match_reference = matches_reference("Q6_two_layer_net", 3, two_layer_scores, rtol=1e-9)


test_Q6_loss_and_gradients_match_reference = matches_reference("Q6_two_layer_net", 3, two_layer_loss, rtol=1e-8)


@graded("Q6_two_layer_net", 2)
def test_Q6_gradients_match_finite_differences(kit: Kit) -> None:
    """every gradient matches finite differences of your own loss, with reg = 0.5."""
    model = kit.session.new("TwoLayerNet", input_dim=4, hidden_dim=5, num_classes=3, reg=0.5)
    model_gradient_check(kit, model, _two_layer_params(6301, 4, 5, 3), normal(6302, 3, 4, scale=2),
                          labels(6303, 3, 3))
