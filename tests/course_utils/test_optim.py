from pathlib import Path

import numpy as np
import pytest
import torch

from course_utils import optim
from course_utils.optim import UPDATE_RULES, adam, get_update_rule, rmsprop, sgd


def run_numpy(rule, w, grads, config):
    for dw in grads:
        w, config = rule(w, dw, config)
    return w, config


def run_torch(make_optimizer, w, grads):
    param = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([param])
    for dw in grads:
        param.grad = torch.from_numpy(dw)
        optimizer.step()
    return param.detach().numpy()


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    return rng.standard_normal((4, 3)), [rng.standard_normal((4, 3)) for _ in range(6)]


@pytest.mark.parametrize(
    "rule, config, make_optimizer",
    [
        (sgd, None, lambda p: torch.optim.SGD(p, lr=1e-2)),
        (sgd, {"learning_rate": 0.3}, lambda p: torch.optim.SGD(p, lr=0.3)),
        (rmsprop, None, lambda p: torch.optim.RMSprop(p, lr=1e-2, alpha=0.99, eps=1e-8)),
        (rmsprop, {"learning_rate": 0.05, "decay_rate": 0.9, "epsilon": 1e-4},
         lambda p: torch.optim.RMSprop(p, lr=0.05, alpha=0.9, eps=1e-4)),
        (adam, None, lambda p: torch.optim.Adam(p, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)),
        (adam, {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.95, "epsilon": 1e-4},
         lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.95), eps=1e-4)),
    ],
)
def test_rules_match_torch_over_several_steps(problem, rule, config, make_optimizer):
    w, grads = problem
    ours, _ = run_numpy(rule, w, grads, config)
    np.testing.assert_allclose(ours, run_torch(make_optimizer, w, grads), rtol=1e-10, atol=1e-12)


def test_adam_matches_the_written_formula_and_counts_steps(problem):
    w, grads = problem
    ours, config = run_numpy(adam, w, grads[:2], None)
    m = v = 0.0
    expected = w
    for t, dw in enumerate(grads[:2], start=1):
        m = 0.9 * m + 0.1 * dw
        v = 0.999 * v + 0.001 * dw**2
        expected = expected - 1e-3 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    assert config["t"] == 2
    np.testing.assert_allclose(config["m"], m)
    np.testing.assert_allclose(config["v"], v)


@pytest.mark.parametrize(
    "rule, defaults",
    [
        (sgd, {"learning_rate": 1e-2}),
        (rmsprop, {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8}),
        (adam, {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}),
    ],
)
def test_defaults_are_filled_and_state_is_kept_in_the_same_dict(rule, defaults):
    w, dw = np.ones(3), np.full(3, 0.5)
    _, fresh = rule(w, dw)
    assert {key: fresh[key] for key in defaults} == defaults

    config = {"learning_rate": 0.1}
    next_w, returned = rule(w, dw, config)
    assert returned is config and config["learning_rate"] == 0.1
    np.testing.assert_array_equal(w, np.ones(3))
    assert not np.array_equal(next_w, w)


def test_state_arrays_start_at_zero_and_evolve():
    w, dw = np.zeros(2), np.array([1.0, -2.0])
    _, config = rmsprop(w, dw)
    np.testing.assert_allclose(config["cache"], 0.01 * dw**2)
    _, config = adam(w, dw)
    assert config["t"] == 1
    np.testing.assert_allclose(config["m"], 0.1 * dw)
    np.testing.assert_allclose(config["v"], 0.001 * dw**2)


@pytest.mark.parametrize("rule", [sgd, rmsprop, adam])
def test_shape_mismatch_is_an_error(rule):
    with pytest.raises(ValueError, match="same shape"):
        rule(np.zeros((2, 3)), np.zeros((3, 2)))


def test_get_update_rule_by_name_and_callable():
    assert set(UPDATE_RULES) == {"sgd", "rmsprop", "adam"}
    assert get_update_rule("adam") is adam

    def custom(w, dw, config=None):
        return w, config or {}

    assert get_update_rule(custom) is custom


def test_unknown_rule_lists_names_and_suggests_passing_a_function():
    with pytest.raises(ValueError, match="sgd_momentum") as error:
        get_update_rule("sgd_momentum")
    assert all(name in str(error.value) for name in UPDATE_RULES)
    assert "update_rule=sgd_momentum" in str(error.value)
    with pytest.raises(TypeError):
        get_update_rule(3)


def test_sgd_momentum_is_left_to_the_students():
    assert not hasattr(optim, "sgd_momentum") and "sgd_momentum" not in UPDATE_RULES
    package = Path(optim.__file__).parent
    assert not any("def sgd_momentum" in path.read_text() for path in package.rglob("*.py"))
