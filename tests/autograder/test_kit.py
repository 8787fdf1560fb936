"""The check kit: value validation, comparisons, finite differences and the static rule check."""
import numpy as np
import pytest

from autograder.graders.spiral_from_scratch import FROM_SCRATCH
from autograder.kit import Failure, Kit, compare_values, forbidden_uses, graded


class FakeSession:
    """Stands in for a sandbox session where a test only needs ``kit.reference``."""


def make_kit(reference=None):
    return Kit(lambda: FakeSession(), reference or (lambda probe: {}))


@pytest.mark.parametrize("value, message", [
    (None, "got None"),
    ("text", "got a str"),
    (np.full((3, 2), np.nan), "NaN or infinity"),
    (np.full((3, 2), -np.inf), "NaN or infinity"),
    (np.zeros((2, 3)), "expected shape (3, 2), got (2, 3)"),
    (np.array(["a"]), "expected numbers"),
    (True, "got a bool"),
])
def test_array_rejects_what_a_submission_should_not_return(value, message):
    with pytest.raises(Failure, match=message.replace("(", r"\(").replace(")", r"\)")):
        Kit.array(value, (3, 2), "forward")


def test_array_accepts_numbers_and_returns_float64():
    assert Kit.array(np.arange(6, dtype=np.int32).reshape(3, 2), (3, 2)).dtype == np.float64
    assert Kit.number(np.array([[2.5]])) == 2.5
    with pytest.raises(Failure, match="single number"):
        Kit.number(np.ones(3), "loss")
    assert Kit.array([1.5, 2, np.float32(3)], (3,)).tolist() == [1.5, 2.0, 3.0]
    with pytest.raises(Failure, match="got a list"):
        Kit.array([1.0, "x"], (2,))


def test_compare_values_reports_relative_error_without_the_inputs():
    with pytest.raises(Failure, match=r"dz: relative error 3\.3e-01"):
        compare_values(np.array([1.0, 2.0]), np.array([1.0, 1.0]), "dz", rtol=1e-8)
    compare_values(np.array([1.0, 1.0 + 1e-12]), np.array([1.0, 1.0]), "dz", rtol=1e-8)
    compare_values({"a": [np.ones(2), 3.0]}, {"a": [np.ones(2), 3.0]}, "nested", rtol=1e-12)
    with pytest.raises(Failure, match="missing key"):
        compare_values({}, {"a": 1.0}, "history", rtol=1e-8)


def test_gradient_check_catches_a_wrong_gradient_and_passes_a_right_one():
    kit = make_kit()
    x = np.random.default_rng(0).standard_normal((3, 4))
    dout = np.random.default_rng(1).standard_normal((3, 4))
    kit.gradient_check(np.tanh, x, dout, dout * (1 - np.tanh(x) ** 2), "tanh dz")
    with pytest.raises(Failure, match="disagrees with finite differences"):
        kit.gradient_check(np.tanh, x, dout, dout * (1 - x ** 2), "tanh dz")


def test_require_accuracy():
    kit = make_kit()
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0], [0.0, 5.0]])
    assert kit.require_accuracy(logits, np.array([0, 1, 0, 1]), 0.9, "val") == 1.0
    with pytest.raises(Failure, match="accuracy 0.500, required at least 0.90"):
        kit.require_accuracy(logits, np.array([1, 1, 1, 1]), 0.9, "val")


@pytest.mark.parametrize("source", [
    "import torch.nn as nn\nlayer = nn.Tanh()",
    "from torch import nn\nclass Tanh(nn.Tanh): pass",
    "from torch.nn import Tanh as T",
    "import torch\nx = torch.nn.functional.dropout(z, 0.5)",
    "import torch.nn.functional as F\nloss = F.cross_entropy(z, y)",
    "z = z.clone().requires_grad_(True)",
    "t = torch.ones(3, requires_grad=True)",
    "g = torch.autograd.grad(out, z)",
    "from torch.nn import BatchNorm1d",
])
def test_rule_check_finds_forbidden_apis_through_aliases(source):
    assert forbidden_uses(source, FROM_SCRATCH)


@pytest.mark.parametrize("source", [
    "self._out = torch.tanh(z)",
    "probs = torch.softmax(z, dim=1)",
    "print('no nn.Tanh here')",
    "dz = loss_fn.backward()",
    "model.backward(dlogits)",
    "def broken(:",
])
def test_rule_check_leaves_allowed_code_alone(source):
    assert forbidden_uses(source, FROM_SCRATCH) == []


def test_graded_requires_the_question_id_in_the_test_name():
    with pytest.raises(ValueError, match="question id"):
        graded("Q1_forward", 1)(lambda kit: None)
    with pytest.raises(ValueError, match="visibility"):
        graded("Q1_forward", 1, visibility="sometimes")


def test_rule_check_finds_forbidden_syntax():
    import ast

    from autograder.kit import Rule

    no_loops = [Rule("no loops", names=("numpy.vectorize",), syntax=(ast.For, ast.While, ast.ListComp,
                                                                     ast.GeneratorExp))]
    for source in ["for i in range(3):\n    pass", "while x:\n    x -= 1", "y = [v for v in x]",
                   "s = sum(v for v in x)", "import numpy as np\nf = np.vectorize(g)"]:
        assert forbidden_uses(source, no_loops) == ["no loops"], source
    assert forbidden_uses("out = np.maximum(0, x)\ndef f(x):\n    return x @ w", no_loops) == []


def test_graded_knows_the_array_type_of_its_child():
    def test_Q1_numpy(kit):
        pass

    assert graded("Q1_forward", 1, arrays="numpy")(test_Q1_numpy).graded.arrays == "numpy"
    with pytest.raises(ValueError, match="array type"):
        graded("Q1_forward", 1, arrays="jax")
