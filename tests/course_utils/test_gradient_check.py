import numpy as np
import pytest
import torch

from course_utils.gradient_check import (
    check_layer_gradients, eval_numerical_gradient, eval_numerical_gradient_array, grad_check_sparse, rel_error,
)


def test_rel_error():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        rel_error(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("make", [np.array, lambda v: torch.tensor(v, dtype=torch.float64)])
def test_scalar_gradient_matches_torch_autograd_and_restores_input(make):
    x = make([[0.3, -1.2], [2.0, 0.5]])
    as_array = lambda v: v.numpy() if isinstance(v, torch.Tensor) else v  # noqa: E731
    before = as_array(x).copy()
    grad = eval_numerical_gradient(lambda t: (t ** 3).sum() + (t[0, 0] * t[1, 1]), x, verbose=False)
    ref = torch.tensor(before, requires_grad=True)
    ((ref ** 3).sum() + ref[0, 0] * ref[1, 1]).backward()
    assert rel_error(grad, ref.grad) < 1e-8
    np.testing.assert_array_equal(as_array(x), before)
    assert type(grad) is type(x)


def test_array_gradient_matches_torch_autograd():
    torch.manual_seed(0)
    x = torch.randn(3, 4, dtype=torch.float64)
    df = torch.randn(3, 4, dtype=torch.float64)
    grad = eval_numerical_gradient_array(torch.tanh, x, df)
    ref = x.clone().requires_grad_(True)
    torch.tanh(ref).backward(df)
    assert rel_error(grad, ref.grad) < 1e-8


def test_sparse_check_reports_small_errors_for_a_correct_gradient(capsys):
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    errors = grad_check_sparse(lambda t: float(np.sum(t ** 2)), x, 2 * x, num_checks=5, seed=0)
    assert len(errors) == 5 and max(errors) < 1e-8
    assert "relative error" in capsys.readouterr().out


def test_check_layer_gradients_flags_a_wrong_backward():
    class Scale:
        def __init__(self, wrong):
            self.gamma = torch.tensor([2.0, -1.0], dtype=torch.float64)
            self.wrong = wrong

        def forward(self, x):
            self.x = x
            return x * self.gamma

        def backward(self, dout):
            self.dgamma = (dout * self.x).sum(dim=0) * (2.0 if self.wrong else 1.0)
            return dout * self.gamma

    x, dout = torch.randn(5, 2, dtype=torch.float64), torch.randn(5, 2, dtype=torch.float64)
    good = check_layer_gradients(Scale(False), x, dout, params=("gamma",))
    bad = check_layer_gradients(Scale(True), x, dout, params=("gamma",))
    assert max(good.values()) < 1e-8
    assert bad["dx"] < 1e-8 and bad["dgamma"] > 0.1


def test_rejects_tensors_that_require_grad():
    with pytest.raises(ValueError):
        eval_numerical_gradient(lambda t: t.sum(), torch.zeros(2, requires_grad=True))
