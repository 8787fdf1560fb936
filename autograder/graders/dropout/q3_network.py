"""Q3: FullyConnectedNet with dropout: initialization, test mode, training-mode loss, gradients.

The network runs on the master's dropout functions (the spec's ``needs``). Each test prices its own defect:

- the initialization test builds networks after seeding the child and compares the parameters with the
  reference's (``weight_scale * randn`` in layer order, zero biases, the dropout seed not used for them);
- the test-mode test compares the scores with those of a keep-ratio-1 network with the same parameters and
  checks that a training call after a test call drops units again (the child's generator is reseeded before
  each training call, so that ignoring the seed is not priced here);
- the training-loss test compares losses with the reference for set parameters, several keep ratios, depths
  and regularization strengths, a seed given: where the dropout layers sit (after every ReLU, not after the
  last affine layer), which keep ratio they get, the seed, the regularization term;
- the gradient test compares every gradient with centered differences of the submission's own data loss (the
  same network with reg = 0, the child reseeded before every call so that the masks are fixed) plus the
  notebook's ``0.5 * reg * sum(W ** 2)`` computed here: a wrong regularization term in the loss is the
  training-loss test's to price, not this one's.

Dropout before the ReLU is not a defect here: the mask is non-negative, so relu(m * a) = m * relu(a).
"""
from __future__ import annotations

import numpy as np

from autograder.kit import Kit, graded, labels, matches_reference, normal
from autograder.sandbox import DType, Remote, Session

F64 = DType("float64")


def fc_params(seed: int, dims: list[int]) -> dict[str, np.ndarray]:
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        params[f"W{layer}"] = normal(seed + 2 * layer, fan_in, fan_out, scale=0.5)
        params[f"b{layer}"] = normal(seed + 2 * layer + 1, fan_out, scale=0.3)
    return params


def network(s: Session, hidden: list[int], d: int, c: int, **options) -> Remote:
    return s.new("FullyConnectedNet", hidden, input_dim=d, num_classes=c, dtype=F64, **options)


def initial_params(s: Session) -> dict:
    """after np.random.seed, the parameters are weight_scale * randn in layer order and zero biases."""
    out = {}
    for seed, hidden, d, c, scale, keep in [(3101, [7, 6], 9, 4, 0.05, 0.5), (3102, [3], 5, 3, 0.2, 1),
                                            (3103, [4, 8, 5], 6, 7, 0.01, 0.8)]:
        s.seed(seed)
        model = network(s, hidden, d, c, weight_scale=scale, dropout_keep_ratio=keep, seed=seed % 89)
        out[f"params for hidden_dims={hidden}"] = model.get("params")
    return out


test_Q3_initialization_matches_reference = matches_reference("Q3_network", 0.5, initial_params, rtol=1e-12)


def train_loss(kit: Kit, model: Remote, X: np.ndarray, y: np.ndarray, seed: int) -> float:
    kit.session.seed(seed)
    result = model.call("loss", X, y)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "loss(X, y) should return (loss, grads)")
    return kit.number(result[0], "the loss")


@graded("Q3_network", 0.5)
def test_Q3_test_mode_has_no_dropout(kit: Kit) -> None:
    """loss(X) gives the scores of the network without dropout, every time; loss(X, y) drops units again after."""
    s = kit.session
    n, d, hidden, c = 7, 6, [9, 8], 5
    params, X, y = fc_params(3201, [d, *hidden, c]), normal(3202, n, d, scale=2), labels(3203, n, c)
    plain = network(s, hidden, d, c)
    kit.require_computed_scores(plain, params, X)  # a constant network would compare equal to itself for free
    expected = kit.array(plain.call("loss", X), (n, c), "the scores of the network with keep ratio 1")
    model = network(s, hidden, d, c, dropout_keep_ratio=0.4)
    model.set("params", dict(params))
    before = train_loss(kit, model, X, y, 3204)
    for _ in range(2):
        scores = kit.array(model.call("loss", X), (n, c), "the scores")
        kit.expect(np.allclose(scores, expected, rtol=1e-10, atol=1e-12),
                   "loss(X) with keep ratio 0.4 differs from the same network with keep ratio 1: test mode must "
                   "not drop units")
    after = train_loss(kit, model, X, y, 3204)
    kit.expect(abs(after - before) <= 1e-10 * max(1.0, abs(before)),
               "after a call loss(X), loss(X, y) does not drop units as before: set the mode from y on every call")


TRAIN_CASES = [(3301, 4, (6,), [7, 5], 4, 0.6, 0.0), (3302, 5, (2, 3, 2), [6, 8, 4], 3, 0.3, 0.4),
               (3303, 6, (5,), [9], 6, 0.8, 0.1), (3304, 3, (4,), [5, 6], 3, 1, 0.7)]


def training_losses(s: Session) -> dict:
    """with set parameters and a seed, the training-mode loss matches the reference for several keep ratios."""
    out = {}
    for seed, n, shape, hidden, c, keep, reg in TRAIN_CASES:
        d = int(np.prod(shape))
        model = network(s, hidden, d, c, dropout_keep_ratio=keep, reg=reg, seed=seed % 83)
        model.set("params", fc_params(seed, [d, *hidden, c]))
        result = model.call("loss", normal(seed + 50, n, *shape, scale=2), labels(seed + 51, n, c))
        out[f"loss for hidden_dims={hidden}, keep ratio {keep}, reg={reg}"] = \
            result[0] if isinstance(result, tuple) and len(result) == 2 else result
    return out


test_Q3_training_loss_matches_reference = matches_reference("Q3_network", 1.0, training_losses, rtol=1e-9)


@graded("Q3_network", 1.0)
def test_Q3_gradients_match_finite_differences(kit: Kit) -> None:
    """every gradient matches finite differences of your own loss, for keep ratios 0.5, 0.75 and 1, with reg."""
    s = kit.session
    for seed, n, d, hidden, c, keep, reg in [(3401, 4, 5, [6, 4], 3, 0.5, 0.0), (3402, 3, 4, [5, 3, 4], 3, 0.75, 0.6),
                                             (3403, 4, 3, [4], 4, 1, 0.3)]:
        params, X, y = fc_params(seed, [d, *hidden, c]), normal(seed + 50, n, d, scale=2), labels(seed + 51, n, c)
        model = network(s, hidden, d, c, dropout_keep_ratio=keep, reg=reg, seed=seed % 83)
        model.set("params", dict(params))
        s.seed(seed)
        result = model.call("loss", X, y)
        kit.expect(isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict)
                   and set(result[1]) >= set(params), "loss(X, y) should return (loss, grads) with one gradient "
                                                       "per parameter")
        data_model = network(s, hidden, d, c, dropout_keep_ratio=keep, reg=0.0, seed=seed % 83)

        def loss(**values: np.ndarray) -> float:
            data_model.set("params", dict(values))
            s.seed(seed)
            data_loss = kit.number(data_model.call("loss", X, y)[0], "the loss")
            return data_loss + 0.5 * reg * sum(float(np.sum(values[f"W{i}"] ** 2)) for i in range(1, len(hidden) + 2))

        kit.gradients(loss, params, np.ones(()), {name: result[1][name] for name in sorted(params)}, rtol=1e-5)
