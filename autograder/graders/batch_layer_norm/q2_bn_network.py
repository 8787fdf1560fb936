"""Q2: FullyConnectedNet with normalization="batchnorm": parameters, the initialization convention, training-mode
loss and gradients, and test mode (running statistics).

The test-mode test checks what the network does (switch the mode, keep each layer's bn_param between calls) with
the submission's own scores, so a defect of the architecture costs the loss and gradient tests only.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.batch_layer_norm.common import (F64, loss_and_grads, model_gradient_check, net_params,
                                                        set_params)
from autograder.kit import Kit, compare_values, graded, labels, matches_reference, normal
from autograder.sandbox import Session

# seed, N, D, hidden_dims, C, reg
NET_CASES = [(2101, 8, 5, [6, 4], 3, 0.0), (2102, 10, 4, [5, 5, 3], 4, 0.9)]


def _net(s: Session, hidden: list[int], d: int, c: int, reg: float = 0.0):
    return s.new("FullyConnectedNet", hidden, input_dim=d, num_classes=c, reg=reg, dtype=F64,
                 normalization="batchnorm")


def _training(s: Session, with_grads: bool) -> dict:
    out = {}
    for seed, n, d, hidden, c, reg in NET_CASES:
        model = _net(s, hidden, d, c, reg)
        set_params(model, net_params(seed, [d, *hidden, c], normalized=True))
        result = model.call("loss", normal(seed + 50, n, d, scale=2), labels(seed + 51, n, c))
        label = f"hidden_dims={hidden}, reg={reg}"
        if with_grads:
            out[f"gradients for {label}"] = result[1] if isinstance(result, tuple) and len(result) == 2 else None
        else:
            out[f"training-mode loss for {label}"] = result[0] if isinstance(result, tuple) else None
    return out


def training_loss(s: Session) -> dict:
    """the training-mode loss matches the reference for two and three hidden layers, with and without reg."""
    return _training(s, with_grads=False)


def training_gradients(s: Session) -> dict:
    """every gradient (W, b, gamma, beta) matches the reference for two and three hidden layers, with and without
    reg."""
    return _training(s, with_grads=True)


def seeded_parameters(s: Session) -> dict:
    """after np.random.seed, the initial weights are the reference's: weight_scale * randn(fan_in, fan_out) layer
    by layer, nothing else drawn (the values of b, gamma and beta are the parameters test's)."""
    s.seed(2301)
    model = s.new("FullyConnectedNet", [9, 6], input_dim=12, num_classes=5, weight_scale=0.07, dtype=F64,
                  normalization="batchnorm")
    params = model.get("params")
    return {f"initial W{layer}": params.get(f"W{layer}") if isinstance(params, dict) else None for layer in (1, 2, 3)}


@graded("Q2_bn_network", 0.5)
def test_Q2_parameters(kit: Kit) -> None:
    """params hold W1..WL, b1..bL and one gamma and beta per hidden layer (none for the scores), gamma at one,
    beta and b at zero; without normalization no gamma or beta."""
    s = kit.session
    hidden, d, c = [7, 5, 3], 6, 4
    dims = [d, *hidden, c]
    params = s.new("FullyConnectedNet", hidden, input_dim=d, num_classes=c, normalization="batchnorm").get("params")
    names = {f"{kind}{layer}" for layer in range(1, 5) for kind in "Wb"}
    kit.expect(isinstance(params, dict) and set(params) == names | {f"{kind}{layer}" for layer in range(1, 4)
                                                                    for kind in ("gamma", "beta")},
               "with batchnorm, params should hold W1..W4, b1..b4, gamma1..gamma3 and beta1..beta3")
    for layer in range(1, 5):
        kit.array(params[f"W{layer}"], (dims[layer - 1], dims[layer]), "a weight matrix")
        kit.expect(np.all(kit.array(params[f"b{layer}"], (dims[layer],), "a bias") == 0),
                   "the biases should start at zero")
    for layer in range(1, 4):
        kit.expect(np.all(kit.array(params[f"gamma{layer}"], (dims[layer],), "a gamma") == 1),
                   "every gamma should start at one")
        kit.expect(np.all(kit.array(params[f"beta{layer}"], (dims[layer],), "a beta") == 0),
                   "every beta should start at zero")
    plain = s.new("FullyConnectedNet", hidden, input_dim=d, num_classes=c).get("params")
    kit.expect(isinstance(plain, dict) and set(plain) == names,
               "without normalization, params should hold only W1..W4 and b1..b4")


test_Q2_initialization_convention = matches_reference("Q2_bn_network", 0.5, seeded_parameters, rtol=1e-12)
test_Q2_training_loss_matches_reference = matches_reference("Q2_bn_network", 1, training_loss, rtol=1e-9)
test_Q2_gradients_match_reference = matches_reference("Q2_bn_network", 1, training_gradients, rtol=1e-6)


@graded("Q2_bn_network", 0.5)
def test_Q2_test_mode_uses_running_statistics(kit: Kit) -> None:
    """loss(X) without labels runs in test mode: an example's scores do not depend on the rest of its batch, and
    they do depend on the training batches seen before (the running averages are kept between calls)."""
    seed, n, d, hidden, c, reg = NET_CASES[1]
    model = _net(kit.session, hidden, d, c, reg)
    set_params(model, net_params(seed, [d, *hidden, c], normalized=True))
    for step in range(3):
        loss_and_grads(kit, model, normal(seed + 60 + step, n, d, scale=2, shift=0.5), labels(seed + 70 + step, n, c))
    X = normal(seed + 80, 5, d, scale=2)
    scores = kit.array(model.call("loss", X), (5, c), "the test-mode scores")
    compare_values(model.call("loss", X[:1]), scores[:1], "the test-mode scores of one example alone", 1e-9)
    compare_values(model.call("loss", X[1:4]), scores[1:4], "the test-mode scores of three examples", 1e-9)
    loss_and_grads(kit, model, normal(seed + 90, n, d, scale=3, shift=-1), labels(seed + 91, n, c))
    later = kit.array(model.call("loss", X), (5, c), "the test-mode scores")
    kit.expect(np.max(np.abs(later - scores)) > 1e-6,
               "the test-mode scores did not change after another training batch: are the running averages kept?")


@graded("Q2_bn_network", 0.5)
def test_Q2_gradients_match_finite_differences(kit: Kit) -> None:
    """every gradient of a batch-normalized two-hidden-layer network matches finite differences of your own loss.

    The biases b1 and b2 feed a batch normalization, which removes them: their gradients are zero up to rounding,
    where a relative error means nothing; the reference test compares them.
    """
    n, d, hidden, c = 8, 4, [5, 3], 3
    model = kit.session.new("FullyConnectedNet", hidden, input_dim=d, num_classes=c, reg=0.6, dtype=F64,
                            normalization="batchnorm")
    model_gradient_check(kit, model, net_params(2401, [d, *hidden, c], normalized=True),
                         normal(2402, n, d, scale=2), labels(2403, n, c), skip=("b1", "b2"))
