"""Hidden graders for ``source/fc_and_cnn/fc_and_cnn.ipynb``.

Part 1 (numpy) tests run with numpy arrays in the child, Part 2 (PyTorch) tests with tensors. Values are
compared with the master notebook on hidden shapes and seeds (``kit.compare``); gradients are also checked
against centered finite differences. Tests of one question load only that question's answer cells from the
submission and take the cells they build on from the master (``needs``).

Training tests (Q7, Q9, Q10, Q12, Q14) train on draws of the built-in gaze stand-in that the release never
shows (``synthetic_gaze`` with hidden seeds), generated here in the grader and sent to the child, and
accuracies are computed here from the scores the child returns. The thresholds were set from the master's
results over ten hidden draws (``benchmarks/calibrate_fc_and_cnn.py`` reruns the calibration); the numbers
are in ``CALIBRATION`` below.
"""
from __future__ import annotations

import ast
from functools import lru_cache

import numpy as np

from autograder.kit import Given, Kit, Rule, graded
from autograder.sandbox import Remote, Session
from course_utils.data import synthetic_gaze

SETUP_CELLS = ("given_imports", "given_data", "given_sandwich", "given_cnn_settings")
LAYERS = ("Q1_solution", "Q2_solution", "Q3_solution", "Q4_solution", "Q5_solution")
PART1 = (*LAYERS, "Q6_solution", "Q7_solution", "Q8_solution", "Q9_solution", "Q10_solution")

NO_LOOPS = Rule("Q1-Q6 must be vectorized: no for/while loop or comprehension (nor np.vectorize, "
                "np.apply_along_axis, np.frompyfunc or map)",
                names=("numpy.vectorize", "numpy.apply_along_axis", "numpy.frompyfunc", "map"),
                syntax=(ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp,
                        ast.GeneratorExp))
NUMPY_ONLY = Rule("Part 1 is numpy only: do not use torch", names=("torch",))
RULES = {cell: [NUMPY_ONLY, NO_LOOPS] if cell in (*LAYERS, "Q6_solution") else [NUMPY_ONLY] for cell in PART1}

# Thresholds from the master over ten hidden draws of the stand-in (see the module docstring).
CALIBRATION = {
    "Q7": {"threshold": 0.58, "master_min": 0.638, "master_max": 0.683},
    "Q10": {"threshold": 0.56, "master_min": 0.615, "master_max": 0.664},
    "Q12": {"threshold": 0.63, "master_min": 0.679, "master_max": 0.766},
    "Q14": {"threshold": 0.68, "master_min": 0.734, "master_max": 0.789},
}
HIDDEN_DRAW = 7101
CNN_TRAIN_IMAGES = 4000


def numpy_test(item: str, points: float, **options):
    return graded(item, points, arrays="numpy", **options)


def _normal(seed: int, *shape: int, scale: float = 1.0, shift: float = 0.0) -> np.ndarray:
    return scale * np.random.default_rng(seed).standard_normal(shape) + shift


def _labels(seed: int, n: int, classes: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(classes, size=n)


def standardized(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What the notebook's given_data cell does: subtract the mean training image, divide by the pixels' std."""
    mean_image, pixel_std = data["X_train"].mean(axis=0), data["X_train"].std()
    return {key: ((value - mean_image) / pixel_std).astype(np.float32) if key.startswith("X_") else value
            for key, value in data.items()}


@lru_cache(maxsize=4)
def hidden_gaze(seed: int = HIDDEN_DRAW) -> dict[str, np.ndarray]:
    """A standardized draw of the gaze stand-in that the release never shows."""
    return standardized(synthetic_gaze(num_train=4000, num_val=1000, num_test=10, seed=seed))


def _accuracy(kit: Kit, scores: object, y: np.ndarray, what: str) -> float:
    values = kit.array(scores, (len(y), 4), what)
    return float(np.mean(values.argmax(axis=1) == y))


# ----------------------------------------------------------------------------- Q1 fc_forward

FC_CASES = [(1101, 4, (3, 5, 2), 7), (1102, 1, (10,), 3), (1103, 6, (2, 2, 3, 2), 5)]


def fc_forward_values(s: Session) -> dict:
    out = {}
    for seed, n, shape, m in FC_CASES:
        d = int(np.prod(shape))
        result = s.call("fc_forward", _normal(seed, n, *shape), _normal(seed + 1, d, m), _normal(seed + 2, m))
        out[f"fc_forward output for x of shape {(n, *shape)}"] = result[0]
    return out


@numpy_test("Q1_fc_forward", 2, cells=("Q1_solution",))
def test_Q1_forward_matches_reference(kit: Kit) -> None:
    """the output matches the reference on hidden shapes, including 4-D and 5-D inputs."""
    kit.compare(fc_forward_values, rtol=1e-10)


@numpy_test("Q1_fc_forward", 1, cells=("Q1_solution",))
def test_Q1_forward_returns_out_and_cache(kit: Kit) -> None:
    """returns (out, cache) with cache = (x, w, b) unchanged."""
    x, w, b = _normal(1201, 3, 2, 4), _normal(1202, 8, 5), _normal(1203, 5)
    result = kit.session.call("fc_forward", x, w, b)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "fc_forward should return (out, cache)")
    kit.array(result[0], (3, 5), "out")
    cache = result[1]
    kit.expect(isinstance(cache, tuple) and len(cache) == 3, "the cache should be (x, w, b)")
    for name, sent, got in zip("xwb", (x, w, b), cache):
        kit.expect(np.array_equal(kit.array(got, sent.shape, "an entry of the cache"), sent),
                   "the cache's {name} differs from the {name} passed in", name=name)


# ----------------------------------------------------------------------------- Q2 fc_backward

def fc_backward_values(s: Session) -> dict:
    out = {}
    for seed, n, shape, m in FC_CASES:
        d = int(np.prod(shape))
        _, cache = s.call("fc_forward", _normal(seed, n, *shape), _normal(seed + 1, d, m), _normal(seed + 2, m))
        dx, dw, db = s.call("fc_backward", _normal(seed + 3, n, m), cache)
        out.update({f"dx for x of shape {(n, *shape)}": dx, f"dw for x of shape {(n, *shape)}": dw,
                    f"db for x of shape {(n, *shape)}": db})
    return out


@numpy_test("Q2_fc_backward", 2, cells=("Q2_solution",), needs=("Q1_solution",))
def test_Q2_backward_matches_reference(kit: Kit) -> None:
    """dx, dw and db match the reference on hidden shapes."""
    kit.compare(fc_backward_values, rtol=1e-10)


@numpy_test("Q2_fc_backward", 2, cells=("Q2_solution",), needs=("Q1_solution",))
def test_Q2_backward_matches_finite_differences(kit: Kit) -> None:
    """dx, dw and db match finite differences of fc_forward on a 3-D input."""
    s = kit.session
    x, w, b, dout = _normal(2201, 3, 2, 2), _normal(2202, 4, 3), _normal(2203, 3), _normal(2204, 3, 3)
    _, cache = s.call("fc_forward", x, w, b)
    dx, dw, db = _three(kit, s.call("fc_backward", dout, cache), "fc_backward")
    kit.gradient_check(lambda v: s.call("fc_forward", v, w, b)[0], x, dout, dx, "dx")
    kit.gradient_check(lambda v: s.call("fc_forward", x, v, b)[0], w, dout, dw, "dw")
    kit.gradient_check(lambda v: s.call("fc_forward", x, w, v)[0], b, dout, db, "db")


@numpy_test("Q2_fc_backward", 1, cells=("Q2_solution",), needs=("Q1_solution",))
def test_Q2_backward_shapes(kit: Kit) -> None:
    """dx has the shape of x (here 4-D), dw the shape of w and db the shape of b."""
    s = kit.session
    _, cache = s.call("fc_forward", _normal(2301, 2, 3, 1, 2), _normal(2302, 6, 4), _normal(2303, 4))
    dx, dw, db = _three(kit, s.call("fc_backward", _normal(2304, 2, 4), cache), "fc_backward")
    kit.array(dx, (2, 3, 1, 2), "dx")
    kit.array(dw, (6, 4), "dw")
    kit.array(db, (4,), "db")


def _three(kit: Kit, value: object, what: str) -> tuple:
    kit.expect(isinstance(value, (tuple, list)) and len(value) == 3, "{what} should return three arrays", what=what)
    return tuple(value)


# ----------------------------------------------------------------------------- Q3/Q4 ReLU

def _relu_input(seed: int, *shape: int) -> np.ndarray:
    x = _normal(seed, *shape)
    x.flat[::7] = 0.0
    return x


def relu_forward_values(s: Session) -> dict:
    return {f"relu_forward output for shape {shape}": s.call("relu_forward", _relu_input(seed, *shape))[0]
            for seed, shape in [(3101, (5, 6)), (3102, (2, 3, 4)), (3103, (7,))]}


@numpy_test("Q3_relu_forward", 1, cells=("Q3_solution",))
def test_Q3_forward_matches_reference(kit: Kit) -> None:
    """the output matches the reference for 1-D, 2-D and 3-D inputs that contain zeros."""
    kit.compare(relu_forward_values, rtol=0.0)


@numpy_test("Q3_relu_forward", 1, cells=("Q3_solution",))
def test_Q3_forward_leaves_its_input_unchanged(kit: Kit) -> None:
    """the cache holds the input unchanged (no in-place clipping of x)."""
    x = _relu_input(3201, 4, 5)
    result = kit.session.call("relu_forward", x)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "relu_forward should return (out, cache)")
    kit.expect(np.array_equal(kit.array(result[1], x.shape, "cache"), x),
               "the cache differs from the input: did relu_forward change x in place?")
    kit.expect(np.array_equal(kit.array(result[0], x.shape, "out"), np.maximum(x, 0)), "out is not max(0, x)")


def relu_backward_values(s: Session) -> dict:
    out = {}
    for seed, shape in [(4101, (6, 5)), (4102, (3, 2, 4))]:
        _, cache = s.call("relu_forward", _relu_input(seed, *shape))
        out[f"dx for shape {shape}"] = s.call("relu_backward", _normal(seed + 1, *shape), cache)
    return out


@numpy_test("Q4_relu_backward", 2, cells=("Q4_solution",), needs=("Q3_solution",))
def test_Q4_backward_matches_reference(kit: Kit) -> None:
    """dx matches the reference, with a zero gradient where x <= 0."""
    kit.compare(relu_backward_values, rtol=0.0)


@numpy_test("Q4_relu_backward", 2, cells=("Q4_solution",), needs=("Q3_solution",))
def test_Q4_backward_matches_finite_differences(kit: Kit) -> None:
    """dx matches finite differences of relu_forward."""
    s = kit.session
    x = _normal(4201, 4, 6)
    x[np.abs(x) < 0.01] = 0.5
    dout = _normal(4202, 4, 6)
    _, cache = s.call("relu_forward", x)
    dx = s.call("relu_backward", dout, cache)
    kit.gradient_check(lambda v: s.call("relu_forward", v)[0], x, dout, dx, "dx", rtol=1e-9)


# ----------------------------------------------------------------------------- Q5 softmax_loss

LOSS_CASES = [(5101, 9, 4, 1.0), (5102, 1, 2, 3.0), (5103, 40, 11, 10.0)]


def softmax_values(s: Session) -> dict:
    out = {}
    for seed, n, c, scale in LOSS_CASES:
        loss, dx = s.call("softmax_loss", _normal(seed, n, c, scale=scale), _labels(seed + 1, n, c))
        out[f"loss for ({n}, {c}) scores"] = loss
        out[f"dx for ({n}, {c}) scores"] = dx
    return out


def softmax_extreme_values(s: Session) -> dict:
    x = np.array([[1000.0, 0.0, -1000.0], [-800.0, 900.0, 50.0], [3e4, 3e4, -3e4]])
    loss, dx = s.call("softmax_loss", x, np.array([2, 0, 1]))
    return {"loss for scores up to 3e4": loss, "dx for scores up to 3e4": dx}


@numpy_test("Q5_softmax_loss", 3, cells=("Q5_solution",))
def test_Q5_loss_and_gradient_match_reference(kit: Kit) -> None:
    """loss and dx match the reference on hidden scores and labels."""
    kit.compare(softmax_values, rtol=1e-7)


@numpy_test("Q5_softmax_loss", 2, cells=("Q5_solution",))
def test_Q5_gradient_matches_finite_differences(kit: Kit) -> None:
    """dx matches finite differences of your own loss."""
    s = kit.session
    x, y = _normal(5201, 6, 5, scale=2), _labels(5202, 6, 5)
    result = s.call("softmax_loss", x, y)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "softmax_loss should return (loss, dx)")
    kit.gradient_check(lambda v: kit.number(s.call("softmax_loss", v, y)[0], "loss"), x, np.ones(()),
                       result[1], "dx", rtol=1e-6)


@numpy_test("Q5_softmax_loss", 2, cells=("Q5_solution",))
def test_Q5_is_stable_for_large_scores(kit: Kit) -> None:
    """scores of +-1000 and beyond give a finite loss and gradient equal to the reference."""
    kit.compare(softmax_extreme_values, rtol=1e-7)


@numpy_test("Q5_softmax_loss", 1, cells=("Q5_solution",))
def test_Q5_returns_a_number_and_a_gradient(kit: Kit) -> None:
    """the loss is a single number and dx has the shape of the scores."""
    loss, dx = kit.session.call("softmax_loss", _normal(5301, 3, 4), _labels(5302, 3, 4))
    kit.number(loss, "loss")
    kit.array(dx, (3, 4), "dx")


# ----------------------------------------------------------------------------- Q6 TwoLayerNet

def _set_params(model: Remote, params: dict[str, np.ndarray]) -> None:
    model.set("params", dict(params))


def _two_layer_params(seed: int, d: int, h: int, c: int) -> dict[str, np.ndarray]:
    return {"W1": _normal(seed, d, h, scale=0.5), "b1": _normal(seed + 1, h, scale=0.3),
            "W2": _normal(seed + 2, h, c, scale=0.5), "b2": _normal(seed + 3, c, scale=0.3)}


TWO_LAYER_CASES = [(6101, 5, 4, 9, 3, 0.0), (6102, 8, 6, 5, 4, 0.37)]


def two_layer_scores(s: Session) -> dict:
    out = {}
    for seed, n, d, h, c, _ in TWO_LAYER_CASES:
        model = s.new("TwoLayerNet", input_dim=d, hidden_dim=h, num_classes=c)
        _set_params(model, _two_layer_params(seed, d, h, c))
        out[f"scores for N={n}, D={d}, H={h}, C={c}"] = model.call("loss", _normal(seed + 4, n, d, scale=2))
    return out


def two_layer_loss(s: Session) -> dict:
    out = {}
    for seed, n, d, h, c, reg in TWO_LAYER_CASES:
        model = s.new("TwoLayerNet", input_dim=d, hidden_dim=h, num_classes=c, reg=reg)
        _set_params(model, _two_layer_params(seed, d, h, c))
        loss, grads = model.call("loss", _normal(seed + 4, n, d, scale=2), _labels(seed + 5, n, c))
        out[f"loss for reg={reg}"] = loss
        out[f"gradients for reg={reg}"] = grads
    return out


@numpy_test("Q6_two_layer_net", 2, cells=("Q6_solution",), needs=LAYERS)
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


@numpy_test("Q6_two_layer_net", 3, cells=("Q6_solution",), needs=LAYERS)
def test_Q6_scores_match_reference(kit: Kit) -> None:
    """scores match the reference for parameters that make some hidden units negative (the ReLU matters)."""
    kit.compare(two_layer_scores, rtol=1e-9)


@numpy_test("Q6_two_layer_net", 3, cells=("Q6_solution",), needs=LAYERS)
def test_Q6_loss_and_gradients_match_reference(kit: Kit) -> None:
    """loss and gradients match the reference without and with L2 regularization."""
    kit.compare(two_layer_loss, rtol=1e-8)


@numpy_test("Q6_two_layer_net", 2, cells=("Q6_solution",), needs=LAYERS)
def test_Q6_gradients_match_finite_differences(kit: Kit) -> None:
    """every gradient matches finite differences of your own loss, with reg = 0.5."""
    model = kit.session.new("TwoLayerNet", input_dim=4, hidden_dim=5, num_classes=3, reg=0.5)
    _model_gradient_check(kit, model, _two_layer_params(6301, 4, 5, 3), _normal(6302, 3, 4, scale=2),
                          _labels(6303, 3, 3))


def _model_gradient_check(kit: Kit, model: Remote, params: dict[str, np.ndarray], X: np.ndarray,
                          y: np.ndarray, rtol: float = 1e-6) -> None:
    _set_params(model, params)
    result = model.call("loss", X, y)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "loss(X, y) should return (loss, grads)")
    grads = result[1]
    kit.expect(isinstance(grads, dict) and set(grads) == set(params), "grads should have one entry per parameter")

    def loss_at(name: str, value: np.ndarray) -> float:
        _set_params(model, {**params, name: value})
        return kit.number(model.call("loss", X, y)[0], "loss")

    for name in sorted(params):
        kit.gradient_check(lambda v, name=name: loss_at(name, v), params[name], np.ones(()), grads[name],
                           "the gradient of a parameter", rtol=rtol)


# ----------------------------------------------------------------------------- Q7 train TwoLayerNet

def _training_data(seed: int, num_train: int | None = None) -> dict[str, np.ndarray]:
    """The train and validation splits of a hidden draw, the training split cut to ``num_train`` images."""
    draw = hidden_gaze(seed)
    return {"X_train": draw["X_train"][:num_train], "y_train": draw["y_train"][:num_train], "X_val": draw["X_val"],
            "y_val": draw["y_val"]}


def _trained_val_accuracy(kit: Kit, solver: object, cls: str, seed: int) -> float:
    kit.expect(isinstance(solver, Remote) and solver.isinstance("Solver"), "the function should return the Solver")
    model = solver.get("model")
    kit.expect(isinstance(model, Remote) and model.isinstance(cls), "solver.model should be a {cls}", cls=cls)
    draw = hidden_gaze(seed)
    return _accuracy(kit, model.call("loss", draw["X_val"]), draw["y_val"], "validation scores")


@numpy_test("Q7_training", 3, cells=("Q7_solution",), needs=(*LAYERS, "Q6_solution"), timeout=120)
def test_Q7_reaches_the_accuracy_target_on_a_hidden_draw(kit: Kit) -> None:
    """trained on a hidden draw of the data, the two-layer network reaches the validation target."""
    target = CALIBRATION["Q7"]["threshold"]
    kit.session.seed(7101)
    solver = kit.session.call("train_two_layer_net", _training_data(HIDDEN_DRAW))
    accuracy = _trained_val_accuracy(kit, solver, "TwoLayerNet", HIDDEN_DRAW)
    kit.expect(accuracy >= target, "validation accuracy {accuracy:.3f} on a hidden draw, required {target:.2f}",
               accuracy=accuracy, target=Given(target))


# ----------------------------------------------------------------------------- Q8 FullyConnectedNet

def _fc_params(seed: int, dims: list[int]) -> dict[str, np.ndarray]:
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        params[f"W{layer}"] = _normal(seed + 2 * layer, fan_in, fan_out, scale=0.6)
        params[f"b{layer}"] = _normal(seed + 2 * layer + 1, fan_out, scale=0.3)
    return params


FC_NET_CASES = [(8101, 4, 6, [], 3, 0.0), (8102, 5, 7, [6], 4, 0.0), (8103, 6, 5, [4, 6, 5, 3], 3, 1.3),
                (8104, 3, 4, [5, 5], 2, 0.25)]


def fc_net_values(s: Session, with_grads: bool) -> dict:
    out = {}
    for seed, n, d, hidden, c, reg in FC_NET_CASES:
        model = s.new("FullyConnectedNet", hidden, input_dim=d, num_classes=c, reg=reg)
        _set_params(model, _fc_params(seed, [d, *hidden, c]))
        X = _normal(seed + 50, n, d, scale=2)
        label = f"hidden_dims={hidden}, reg={reg}"
        if with_grads:
            loss, grads = model.call("loss", X, _labels(seed + 51, n, c))
            out[f"gradients for {label}"] = grads
        else:
            out[f"scores for {label}"] = model.call("loss", X)
            out[f"loss for {label}"] = model.call("loss", X, _labels(seed + 51, n, c))[0]
    return out


def fc_net_scores_and_loss(s: Session) -> dict:
    return fc_net_values(s, with_grads=False)


def fc_net_gradients(s: Session) -> dict:
    return fc_net_values(s, with_grads=True)


@numpy_test("Q8_fully_connected_net", 3, cells=("Q8_solution",), needs=LAYERS)
def test_Q8_initialization_depth_and_seed(kit: Kit) -> None:
    """one W and b per layer for depths 1 to 5, weights with std weight_scale, zero biases, seed reproducible."""
    s = kit.session
    for hidden in ([], [7], [9, 8, 7, 6]):
        dims = [30, *hidden, 6]
        params = s.new("FullyConnectedNet", hidden, input_dim=30, num_classes=6, weight_scale=0.1,
                       seed=11).get("params")
        expected = {f"{kind}{layer}" for layer in range(1, len(dims)) for kind in "Wb"}
        kit.expect(isinstance(params, dict) and set(params) == expected,
                   "for {layers} hidden layers, params should hold W1, b1, ... up to the output layer",
                   layers=len(hidden))
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
    again = s.new("FullyConnectedNet", [200, 100], input_dim=300, num_classes=50, weight_scale=0.05, seed=3)
    other = s.new("FullyConnectedNet", [200, 100], input_dim=300, num_classes=50, weight_scale=0.05, seed=4)
    kit.expect(all(np.array_equal(params[k], again.get("params")[k]) for k in params),
               "the same seed should give the same weights")
    kit.expect(not np.array_equal(params["W1"], other.get("params")["W1"]), "another seed should give other weights")


@numpy_test("Q8_fully_connected_net", 4, cells=("Q8_solution",), needs=LAYERS)
def test_Q8_scores_and_loss_match_reference(kit: Kit) -> None:
    """scores and loss match the reference for 0, 1, 2 and 4 hidden layers, with and without reg."""
    kit.compare(fc_net_scores_and_loss, rtol=1e-9)


@numpy_test("Q8_fully_connected_net", 4, cells=("Q8_solution",), needs=LAYERS)
def test_Q8_gradients_match_reference(kit: Kit) -> None:
    """every gradient matches the reference for 0, 1, 2 and 4 hidden layers, with and without reg."""
    kit.compare(fc_net_gradients, rtol=1e-8)


@numpy_test("Q8_fully_connected_net", 4, cells=("Q8_solution",), needs=LAYERS)
def test_Q8_gradients_match_finite_differences(kit: Kit) -> None:
    """every gradient of a three-hidden-layer network matches finite differences of your own loss."""
    model = kit.session.new("FullyConnectedNet", [4, 3, 5], input_dim=3, num_classes=3, reg=0.8)
    _model_gradient_check(kit, model, _fc_params(8201, [3, 4, 3, 5, 3]), _normal(8202, 4, 3, scale=2),
                          _labels(8203, 4, 3))


# ----------------------------------------------------------------------------- Q9 sgd_momentum

def momentum_steps(s: Session) -> dict:
    w, config = _normal(9101, 3, 4), {"learning_rate": 0.05, "momentum": 0.7}
    out = {}
    for step in range(3):
        w, config = s.call("sgd_momentum", w, _normal(9102 + step, 3, 4), config)
        out[f"w after step {step + 1}"] = w
        out[f"velocity after step {step + 1}"] = config.get("velocity") if isinstance(config, dict) else None
    return out


@numpy_test("Q9_sgd_momentum", 2, cells=("Q9_solution",), needs=(*LAYERS, "Q8_solution"))
def test_Q9_momentum_steps_match_reference(kit: Kit) -> None:
    """three steps with a custom learning rate and momentum, the velocity carried in config."""
    kit.compare(momentum_steps, rtol=1e-12)


@numpy_test("Q9_sgd_momentum", 1, cells=("Q9_solution",), needs=(*LAYERS, "Q8_solution"))
def test_Q9_defaults(kit: Kit) -> None:
    """config=None uses learning_rate 1e-2 and momentum 0.9, and the velocity starts at zero."""
    w, dw = _normal(9201, 2, 5), _normal(9202, 2, 5)
    result = kit.session.call("sgd_momentum", w, dw, None)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "sgd_momentum should return (next_w, config)")
    next_w, config = result
    kit.expect(isinstance(config, dict), "the returned config should be a dict")
    kit.expect(config.get("learning_rate") == 1e-2 and config.get("momentum") == 0.9,
               "the defaults should be learning_rate=1e-2 and momentum=0.9")
    error = float(np.max(np.abs(kit.array(next_w, w.shape, "next_w") - (w - 1e-2 * dw))))
    kit.expect(error < 1e-12, "the first step from zero velocity should be w - lr * dw (off by {error:.1e})",
               error=error)


@numpy_test("Q9_comparison", 2, cells=("Q9_solution",), needs=(*LAYERS, "Q8_solution"), timeout=120)
def test_Q9_comparison_trains_both_rules(kit: Kit) -> None:
    """on a hidden draw, three epochs: both runs train FullyConnectedNet([256, 128, 64]) and momentum wins."""
    kit.session.seed(9301)
    epochs = 3
    solvers = kit.session.call("compare_update_rules", _training_data(HIDDEN_DRAW), epochs)
    kit.expect(isinstance(solvers, dict) and set(solvers) == {"sgd", "sgd_momentum"},
               "compare_update_rules should return {'sgd': solver, 'sgd_momentum': solver}")
    accuracies = {}
    for name, solver in solvers.items():
        kit.expect(isinstance(solver, Remote) and solver.isinstance("Solver"), "{name}: expected a Solver", name=name)
        params = solver.get("model").get("params")
        shapes = [kit.array(params.get(f"W{i}"), None, "a weight matrix").shape for i in range(1, 5)] \
            if isinstance(params, dict) and len(params) == 8 else []
        kit.expect(shapes == [(4320, 256), (256, 128), (128, 64), (64, 4)],
                   "{name}: expected a FullyConnectedNet([256, 128, 64]) on 4320 inputs and 4 classes", name=name)
        history = kit.array(solver.get("loss_history"), None, "loss_history")
        iterations = epochs * (4000 // 256)
        kit.expect(len(history) == iterations, "{name}: {count} iterations, expected {iterations} for {epochs} epochs "
                   "with batch_size=256", name=name, count=len(history), iterations=Given(iterations),
                   epochs=Given(epochs))
        accuracies[name] = _trained_val_accuracy(kit, solver, "FullyConnectedNet", HIDDEN_DRAW)
    kit.expect(accuracies["sgd_momentum"] > accuracies["sgd"] + 0.04,
               "momentum should reach a clearly higher validation accuracy in {epochs} epochs (sgd {sgd:.3f}, "
               "momentum {momentum:.3f})", epochs=Given(epochs), sgd=accuracies["sgd"],
               momentum=accuracies["sgd_momentum"])


# ----------------------------------------------------------------------------- Q10 best FC model

@numpy_test("Q10_training", 5, cells=("Q10_solution",), needs=(*LAYERS, "Q8_solution", "Q9_solution"), timeout=180)
def test_Q10_reaches_the_accuracy_target_on_a_hidden_draw(kit: Kit) -> None:
    """trained on a hidden draw in at most 50 epochs, the best model keeps its best epoch and reaches the target."""
    target = CALIBRATION["Q10"]["threshold"]
    kit.session.seed(10101)
    solver = kit.session.call("train_best_fc_model", _training_data(HIDDEN_DRAW))
    accuracy = _trained_val_accuracy(kit, solver, "FullyConnectedNet", HIDDEN_DRAW)
    epochs = len(kit.array(solver.get("val_acc_history"), None, "val_acc_history"))
    kit.expect(epochs <= 50, "trained for {epochs} epochs, at most 50 are allowed", epochs=epochs)
    best = kit.number(solver.get("best_val_acc"), "best_val_acc")
    kit.expect(abs(accuracy - best) < 1e-9, "the returned model's validation accuracy {accuracy:.4f} is not the best "
               "epoch's {best:.4f}: return the Solver after train()", accuracy=accuracy, best=best)
    kit.expect(accuracy >= target, "validation accuracy {accuracy:.3f} on a hidden draw, required {target:.2f}",
               accuracy=accuracy, target=Given(target))


# ----------------------------------------------------------------------------- Part 2 helpers

def _images(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).random((n, 1, 36, 120), dtype=np.float32)


def _expect_state_shapes(kit: Kit, cls: str, expected: dict[str, tuple[int, ...]]) -> None:
    """A new ``cls`` has exactly the parameters and buffers of ``expected``, with those shapes."""
    state = kit.session.new(cls).call("state_dict")
    kit.expect(isinstance(state, dict), "state_dict() should return a dict")
    shapes = {key: kit.array(value, None, key).shape for key, value in state.items()}
    for key, shape in expected.items():
        kit.expect(shapes.get(key) == shape, "{key}: expected shape {shape}, got {got}", key=key, shape=Given(shape),
                   got=shapes.get(key, "nothing"))
    extra = sorted(set(shapes) - set(expected))
    kit.expect(not extra, "unexpected parameters or buffers: {extra}", extra=", ".join(extra))


def _set_weights(model: Remote, seed: int) -> None:
    """Overwrite every parameter and buffer with values that depend only on its name and shape."""
    state = model.call("state_dict")
    new = {}
    for index, (key, value) in enumerate(sorted(state.items())):
        shape = np.asarray(value).shape
        if key.endswith("num_batches_tracked"):
            new[key] = np.asarray(value)
        elif key.endswith("running_var"):
            new[key] = (0.5 + np.random.default_rng(seed + index).random(shape)).astype(np.float32)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 4
            new[key] = (np.random.default_rng(seed + index).standard_normal(shape) / np.sqrt(fan_in)
                        ).astype(np.float32)
    model.call("load_state_dict", new)


def cnn_forward(s: Session, cls: str = "CNNWithoutBatchNorm") -> dict:
    s.seed(11101)
    model = s.new(cls)
    _set_weights(model, 11102)
    model.call("eval")
    return {f"{cls} scores (eval mode)": model.call("forward", _images(11103, 3)),
            f"{cls} scores for one image": model.call("forward", _images(11104, 1))}


def cnn_bn_training(s: Session) -> dict:
    s.seed(13101)
    model = s.new("CNNWithBatchNorm")
    _set_weights(model, 13102)
    model.call("train")
    out = {"training-mode scores": model.call("forward", _images(13103, 6))}
    state = model.call("state_dict")
    for key in ("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"):
        out[f"{key} after one training batch"] = state.get(key) if isinstance(state, dict) else None
    return out


def cnn_bn_eval(s: Session) -> dict:
    return cnn_forward(s, "CNNWithBatchNorm")


# ----------------------------------------------------------------------------- Q11 CNNWithoutBatchNorm

CNN_SHAPES = {"conv1.weight": (6, 1, 3, 3), "conv1.bias": (6,), "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
              "fc1.weight": (256, 2592), "fc1.bias": (256,), "fc2.weight": (4, 256), "fc2.bias": (4,)}
BN_SHAPES = {**CNN_SHAPES, **{f"bn{i}.{name}": (channels,) for i, channels in ((1, 6), (2, 16))
                              for name in ("weight", "bias", "running_mean", "running_var")},
             "bn1.num_batches_tracked": (), "bn2.num_batches_tracked": ()}


@graded("Q11_cnn", 2, cells=("Q11_solution",))
def test_Q11_output_shape(kit: Kit) -> None:
    """scores have shape (N, 4) for batches of 1, 3 and 9 images."""
    model = kit.session.new("CNNWithoutBatchNorm")
    for n in (1, 3, 9):
        kit.array(model.call("forward", _images(11201 + n, n)), (n, 4), "the scores")


@graded("Q11_cnn", 3, cells=("Q11_solution",))
def test_Q11_layers_and_parameter_count(kit: Kit) -> None:
    """conv1, conv2, fc1 and fc2 have the shapes of the table and nothing else is learned (667,312 values)."""
    _expect_state_shapes(kit, "CNNWithoutBatchNorm", CNN_SHAPES)


@graded("Q11_cnn", 5, cells=("Q11_solution",), timeout=60)
def test_Q11_forward_matches_reference(kit: Kit) -> None:
    """with the same weights, the scores match the reference (order of conv, ReLU, pooling, flatten)."""
    kit.compare(cnn_forward, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------- Q12 train_cnn, cnn_accuracy

def cnn_training_losses(s: Session) -> dict:
    s.seed(12101)
    model = s.new("CNNWithoutBatchNorm")
    losses = s.call("train_cnn", model, _training_data(HIDDEN_DRAW, 300), 3, batch_size=64, lr=0.02, seed=5)
    return {"epoch losses of train_cnn (300 images, 3 epochs, batch 64)": losses}


def cnn_accuracy_value(s: Session) -> dict:
    s.seed(12201)
    model = s.new("CNNWithoutBatchNorm")
    _set_weights(model, 12202)
    draw = hidden_gaze(HIDDEN_DRAW)
    return {"cnn_accuracy on 300 hidden images": s.call("cnn_accuracy", model, draw["X_val"][:300],
                                                        draw["y_val"][:300], batch_size=128)}


@graded("Q12_training", 2, cells=("Q12_solution",), needs=("Q11_solution",), timeout=60)
def test_Q12_accuracy_matches_reference_and_uses_eval_mode(kit: Kit) -> None:
    """cnn_accuracy matches the reference (a last batch smaller than batch_size) and leaves eval mode on."""
    kit.compare(cnn_accuracy_value, rtol=1e-12)
    model = kit.session.new("CNNWithoutBatchNorm")
    model.call("train")
    draw = hidden_gaze(HIDDEN_DRAW)
    kit.session.call("cnn_accuracy", model, draw["X_val"][:10], draw["y_val"][:10])
    kit.expect(not model.get("training"), "cnn_accuracy should evaluate the model in evaluation mode")


@graded("Q12_training", 2, cells=("Q12_solution",), needs=("Q11_solution",), timeout=90)
def test_Q12_train_cnn_follows_the_recipe(kit: Kit) -> None:
    """train_cnn's epoch losses match the reference: SGD with momentum, StepLR(2, 0.9), the given minibatches."""
    kit.compare(cnn_training_losses, rtol=2e-3)


@graded("Q12_training", 1, cells=("Q12_solution",), needs=("Q11_solution",), timeout=180)
def test_Q12_training_reaches_the_accuracy_target(kit: Kit) -> None:
    """two epochs of train_cnn on a hidden draw reach the validation target."""
    _cnn_training_target(kit, "CNNWithoutBatchNorm", "Q12")


def _cnn_training_target(kit: Kit, cls: str, question: str) -> None:
    target = CALIBRATION[question]["threshold"]
    s = kit.session
    s.seed(12301)
    model = s.new(cls)
    s.call("train_cnn", model, _training_data(HIDDEN_DRAW, CNN_TRAIN_IMAGES), 2)
    model.call("eval")
    draw = hidden_gaze(HIDDEN_DRAW)
    accuracy = _accuracy(kit, model.call("forward", draw["X_val"][:, None]), draw["y_val"], "validation scores")
    kit.expect(accuracy >= target, "validation accuracy {accuracy:.3f} after two epochs on a hidden draw, "
               "required {target:.2f}", accuracy=accuracy, target=Given(target))


# ----------------------------------------------------------------------------- Q13 CNNWithBatchNorm

@graded("Q13_cnn_batchnorm", 1, cells=("Q13_solution",))
def test_Q13_layers(kit: Kit) -> None:
    """the layers of the table plus bn1 = BatchNorm2d(6) and bn2 = BatchNorm2d(16), nothing else."""
    _expect_state_shapes(kit, "CNNWithBatchNorm", BN_SHAPES)


@graded("Q13_cnn_batchnorm", 2, cells=("Q13_solution",), timeout=60)
def test_Q13_training_mode_matches_reference(kit: Kit) -> None:
    """in training mode the scores and the updated running statistics match the reference (BN after pooling)."""
    kit.compare(cnn_bn_training, rtol=1e-4, atol=1e-5)


@graded("Q13_cnn_batchnorm", 2, cells=("Q13_solution",), timeout=60)
def test_Q13_eval_mode_matches_reference(kit: Kit) -> None:
    """in evaluation mode the scores use the running statistics and match the reference."""
    kit.compare(cnn_bn_eval, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------- Q14 train the BN CNN

@graded("Q14_training", 2, cells=("Q14_solution",), needs=("Q11_solution", "Q12_solution", "Q13_solution"),
        timeout=240)
def test_Q14_trains_a_batchnorm_cnn(kit: Kit) -> None:
    """the cell trains a CNNWithBatchNorm called bn_cnn for CNN_EPOCHS epochs and keeps its losses."""
    s, want = kit.session, kit.reference(bn_cnn_run)
    epochs = int(want["CNN_EPOCHS"])
    model = s.get("bn_cnn")
    kit.expect(isinstance(model, Remote) and model.isinstance("CNNWithBatchNorm"),
               "bn_cnn should be a CNNWithBatchNorm")
    losses = kit.array(s.get("bn_cnn_losses"), None, "bn_cnn_losses")
    kit.expect(losses.shape == (epochs,), "bn_cnn_losses holds {count} values, expected CNN_EPOCHS = {epochs}",
               count=losses.size, epochs=Given(epochs))
    # batch norm counts its training batches: as many as the master's run of the same epochs on the same data
    batches = int(kit.number(bn_cnn_run(s)["bn1 batches"], "bn1.num_batches_tracked"))
    kit.expect(batches == int(want["bn1 batches"]), "bn_cnn saw {batches} training batches, but CNN_EPOCHS epochs "
               "of train_cnn on the course data are {expected}", batches=batches,
               expected=Given(int(want["bn1 batches"])))


def bn_cnn_run(s: Session) -> dict:
    return {"CNN_EPOCHS": s.get("CNN_EPOCHS"), "bn1 batches": s.get("bn_cnn").get("bn1").get("num_batches_tracked")}


@graded("Q14_training", 3, cells=("Q14_solution",), needs=("Q11_solution", "Q12_solution", "Q13_solution"),
        timeout=240)
def test_Q14_trained_network_reaches_the_accuracy_target(kit: Kit) -> None:
    """the trained bn_cnn reaches the validation target on the course data."""
    target = CALIBRATION["Q14"]["threshold"]
    s = kit.session
    model = s.get("bn_cnn")
    kit.expect(isinstance(model, Remote), "bn_cnn should be a network")
    model.call("eval")
    data = course_data()
    accuracy = _accuracy(kit, model.call("forward", data["X_val"][:, None]), data["y_val"], "validation scores")
    kit.expect(accuracy >= target, "validation accuracy {accuracy:.3f}, required {target:.2f}", accuracy=accuracy,
               target=Given(target))


@lru_cache(maxsize=1)
def course_data() -> dict[str, np.ndarray]:
    """The data the notebook's given_data cell loads (the built-in stand-in)."""
    from course_utils.data import load_gaze_or_stand_in

    return standardized(load_gaze_or_stand_in())


# ----------------------------------------------------------------------------- Q15 filter grid

def filter_grids(s: Session) -> dict:
    s.seed(15101)
    model = s.new("CNNWithoutBatchNorm")
    _set_weights(model, 15102)
    nn = s.get("nn")
    holder = nn.call_kept("Module")
    holder.set("conv1", nn.call_kept("Conv2d", 3, 10, 5))
    return {"grid for conv1 of CNNWithoutBatchNorm": s.call("first_layer_filter_grid", model),
            "grid for a 10-filter RGB conv1": s.call("first_layer_filter_grid", holder)}


@graded("Q15_filters", 5, cells=("Q15_solution",), needs=("Q11_solution",))
def test_Q15_filter_grid_matches_reference(kit: Kit) -> None:
    """the grid matches the reference for the CNN's conv1 and for a conv1 with 10 RGB filters of size 5."""
    kit.compare(filter_grids, rtol=1e-5, atol=1e-3)


# ----------------------------------------------------------------------------- Q16 parameter counts

def fc_counts(s: Session) -> dict:
    return {f"count_fc_parameters({d}, {hidden}, {c})": s.call("count_fc_parameters", d, hidden, c)
            for d, hidden, c in [(4320, [100, 100, 100], 4), (17, [], 5), (30, [12, 7, 9, 4], 3)]}


@numpy_test("Q16_counts", 1, cells=("Q16_solution",))
def test_Q16_fc_count_matches_reference(kit: Kit) -> None:
    """count_fc_parameters is right for hidden architectures, including no hidden layer."""
    kit.compare(fc_counts, rtol=0.0)


@numpy_test("Q16_counts", 1, cells=("Q16_solution",))
def test_Q16_cnn_without_batchnorm_count(kit: Kit) -> None:
    """CNN_WITHOUT_BN_PARAMETERS is the number of learnable values of CNNWithoutBatchNorm."""
    kit.compare(lambda s: {"CNN_WITHOUT_BN_PARAMETERS": s.get("CNN_WITHOUT_BN_PARAMETERS")}, rtol=0.0)


@numpy_test("Q16_counts", 1, cells=("Q16_solution",))
def test_Q16_cnn_with_batchnorm_count(kit: Kit) -> None:
    """CNN_WITH_BN_PARAMETERS counts gamma and beta of both batch-norm layers but not their running statistics."""
    kit.compare(lambda s: {"CNN_WITH_BN_PARAMETERS": s.get("CNN_WITH_BN_PARAMETERS")}, rtol=0.0)
