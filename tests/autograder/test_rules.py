"""The static rule check: every route to a forbidden name is found, correct code is left alone."""
import ast

import pytest

from autograder.graders.spiral_from_scratch import FROM_SCRATCH
from autograder.rules import UNFOLLOWABLE, Rule, forbidden_uses

TANH = "torch.nn.Tanh is not allowed: write Tanh yourself"
NORM = "built-in normalization layers are not allowed: write the normalization yourself"
DROPOUT = "built-in dropout is not allowed: write Dropout yourself"
AUTOGRAD = "autograd is not allowed: every layer computes its own backward pass"
UNFOLLOWED = UNFOLLOWABLE.split("(")[0]


@pytest.mark.parametrize("source, reason", [
    ("import torch.nn as nn\nlayer = nn.Tanh()", TANH),
    ("from torch import nn\nclass Tanh(nn.Tanh): pass", TANH),
    ("from torch.nn import Tanh as T", TANH),
    ("x = torch.nn.functional.dropout(z, 0.5)", DROPOUT),
    ("import torch.nn.functional as F\nloss = F.cross_entropy(z, y)", "built-in cross-entropy"),
    ("z = z.clone().requires_grad_(True)", AUTOGRAD),
    ("t = torch.ones(3, requires_grad=True)", AUTOGRAD),
    ("g = torch.autograd.grad(out, z)", AUTOGRAD),
    ("from torch.nn import BatchNorm1d", NORM),
    # aliases made by assignment, at any depth, and imports inside functions
    ("nn = torch.nn\nnn.Tanh()", TANH),
    ("F = torch.nn.functional\ny = F.layer_norm(x, (3,))", NORM),
    ("a, b = torch.nn, 5\na.Tanh()", TANH),
    ("m = torch.nn if flag else None\nm.Tanh()", TANH),
    ("(g := torch.nn)\ng.Tanh()", TANH),
    ("for m in (torch.nn,):\n    m.Tanh()", TANH),
    ("mods = [torch.nn]\nmods[0].Tanh()", TANH),
    ("def f(x):\n    import torch.nn.functional as F\n    return F.layer_norm(x, (3,))", NORM),
    ("class A:\n    def f(self, x):\n        from torch.nn import functional\n"
     "        return functional.dropout(x)", DROPOUT),
    # lookups by a constant name
    ("getattr(torch.nn, 'Tanh')()", TANH),
    ("getattr(getattr(torch, 'nn'), 'Tanh')()", TANH),
    ("torch.nn.__dict__['Tanh']()", TANH),
    ("vars(torch.nn)['Tanh']()", TANH),
    ("import sys\nsys.modules['torch.nn'].Tanh()", TANH),
    ("import importlib\nimportlib.import_module('torch.nn').Tanh()", TANH),
    ("torch.nn.modules.activation.Tanh()", TANH),  # another route to the same class
    ("torch.nn.modules.activation.F.layer_norm(x, (2,))", NORM),
    ("torch.func.grad(f)(x)", AUTOGRAD),
    ("from torch import func\nfunc.vjp(f, x)", AUTOGRAD),
    ("torch.ops.aten.native_dropout(x, 0.5, True)", "torch's internals"),
    ("torch._VF.dropout(x, 0.5, True)", "torch's internals"),
    # what the check cannot follow
    ("getattr(torch.nn, 'Ta' + 'nh')()", UNFOLLOWED),
    ("import importlib\nimportlib.import_module('torch.' + name)", UNFOLLOWED),
    ("eval('torch.nn.Tanh')()", UNFOLLOWED),
    ("exec('y = torch.nn.Tanh()(x)')", UNFOLLOWED),
    ("from torch.nn import *", UNFOLLOWED),
    ("def f(m):\n    return m.Tanh()\nf(torch.nn)", UNFOLLOWED),
    ("class A:\n    def __init__(self):\n        self.F = torch.nn.functional", UNFOLLOWED),
    ("def f(F=torch.nn.functional):\n    return F", UNFOLLOWED),
    ("[c for c in torch.nn.Module.__subclasses__() if c.__name__ == 'Tanh']", UNFOLLOWED),
    ("import gc\nfound = [o for o in gc.get_objects() if getattr(o, '__name__', '') == 'Tanh']", UNFOLLOWED),
    ("f = globals()['torch'].nn.Tanh", UNFOLLOWED),
    ("x = " + " + ".join(["1"] * 5000), UNFOLLOWED),
])
def test_every_route_to_a_forbidden_name_breaks_a_rule(source, reason):
    assert any(reason in found for found in forbidden_uses(source, FROM_SCRATCH)), forbidden_uses(source, FROM_SCRATCH)


@pytest.mark.parametrize("source", [
    "self._out = torch.tanh(z)",
    "probs = torch.softmax(z, dim=1)",
    "print('no nn.Tanh here')",
    "dz = loss_fn.backward()",
    "model.backward(dlogits)",
    "def broken(:",
    "import torch.nn as nn\nclass Tanh(nn.Module):\n    pass",
    "ok = isinstance(x, torch.Tensor) and x.to(torch.float64) is not None",
    "class A:\n    def get(self, name):\n        return getattr(self, name)",
    "for layer in self.layers:\n    if hasattr(layer, 'train'):\n        layer.train()",
    "def compile(x):\n    return x\ncompile(3)",
    "mask = (torch.rand_like(z) < keep).to(z.dtype) / keep",
    "import numpy as np\nhelper(np)",
])
def test_correct_code_breaks_no_rule(source):
    assert forbidden_uses(source, FROM_SCRATCH) == []


def test_aliases_made_by_trusted_setup_cells_are_followed():
    assert forbidden_uses("layer = nn.Tanh()", FROM_SCRATCH) == []
    assert forbidden_uses("layer = nn.Tanh()", FROM_SCRATCH, context=["import torch.nn as nn"]) == [TANH]


def test_rule_check_finds_forbidden_syntax():
    no_loops = [Rule("no loops", names=("numpy.vectorize",), syntax=(ast.For, ast.While, ast.ListComp,
                                                                     ast.GeneratorExp))]
    for source in ["for i in range(3):\n    pass", "while x:\n    x -= 1", "y = [v for v in x]",
                   "s = sum(v for v in x)", "import numpy as np\nf = np.vectorize(g)"]:
        assert forbidden_uses(source, no_loops) == ["no loops"], source
    assert forbidden_uses("out = np.maximum(0, x)\ndef f(x):\n    return x @ w", no_loops) == []


def test_a_cell_without_rules_is_not_parsed():
    assert forbidden_uses("eval('anything')\n" + "(" * 10_000, []) == []


@pytest.mark.parametrize("source, reason", [
    ("w = torch.nn.Parameter(torch.ones(3))", AUTOGRAD),  # tracks gradients without writing requires_grad
    ("with torch.enable_grad():\n    pass", AUTOGRAD),
    ("dz = z.grad", AUTOGRAD),
    ("dz = getattr(z, 'grad')", AUTOGRAD),
    ("import timeit\ntimeit.timeit('y = torch.nn.Tanh()', globals=globals())", UNFOLLOWED),
    ("import code\ncode.InteractiveInterpreter({}).runsource('import torch')", UNFOLLOWED),
    ("import pickle\npickle.loads(data)", UNFOLLOWED),
    ("import sys\nsys.path.insert(0, '/tmp')\nimport planted", UNFOLLOWED),
    ("import importlib.util\nspec = importlib.util.spec_from_file_location('m', '/tmp/m.py')", UNFOLLOWED),
    ("import subprocess\nsubprocess.run(['python', '-c', 'print(1)'])", UNFOLLOWED),
    ("import os\nos.system('python /tmp/m.py')", UNFOLLOWED),
    ("import traceback\nframes = traceback.walk_stack(None)", UNFOLLOWED),
    ("import traceback\ns = traceback.StackSummary.extract(frames, capture_locals=True)", UNFOLLOWED),
])
def test_code_run_from_elsewhere_and_other_routes_to_autograd_break_a_rule(source, reason):
    assert any(reason in found for found in forbidden_uses(source, FROM_SCRATCH)), forbidden_uses(source, FROM_SCRATCH)


def test_a_layer_may_still_name_its_own_attributes_and_types():
    source = ("class Tanh:\n    def __repr__(self):\n        return self.__class__.__name__\n"
              "    def step(self, lr):\n        for name in ('W', 'b'):\n"
              "            setattr(self, name, getattr(self, name) - lr * getattr(self, 'd' + name))\n")
    assert forbidden_uses(source, FROM_SCRATCH) == []


def test_a_rule_can_set_the_child_up_so_that_what_it_forbids_fails_anyway():
    (autograd,) = [rule for rule in FROM_SCRATCH if rule.reason == AUTOGRAD]
    assert autograd.runtime == "torch.set_grad_enabled(False)"
