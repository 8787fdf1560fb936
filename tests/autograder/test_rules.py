"""The static rule check: every route to a forbidden name is found, correct code is left alone."""
import ast
import sys
import types

import pytest

from autograder.graders.batchnorm_lab import RULES as BATCHNORM_LAB_RULES
from autograder.graders.conv_nets import RULES as CONV_NETS_RULES
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


# ---------------------------------------------------------------- routes a hostile review found, and their kin

NUMPY = "numpy only: do not use torch"
BATCHNORM_LAB = BATCHNORM_LAB_RULES["Q1_solution"]
CONV_NAIVE = CONV_NETS_RULES["Q1_solution"]
CONV = CONV_NETS_RULES["Q3_solution"]


def broken(source, rules):
    return forbidden_uses(source, rules)


def assert_unfollowed(source: str, *rule_sets: list) -> None:
    """Under each set of rules, ``source`` breaks the rule of what the check cannot follow."""
    for rules in rule_sets:
        assert any(UNFOLLOWED in found for found in broken(source, rules)), (source, broken(source, rules))


def breaks(source, rules, reason):
    return any(reason in found for found in forbidden_uses(source, rules))


@pytest.mark.parametrize("source", [
    "x = vars()['torch']",
    "names = dir()",
    "v = vars\nns = v()",
    "ns = vars(*[])",
    "ns = dir(*())",
    "import collections\nd = collections.defaultdict(vars)\nns = d[0]",  # vars called with no argument elsewhere
    "ns = (lambda f: f())(vars)",
    "import functools\nT = functools.reduce(getattr, ('nn', 'Tanh'), something)",
    "T = getattr(*[torch.nn, 'Tanh'])",
    "m = vars(torch.nn).get('Tanh')",
    "T = torch.nn.__dict__.get('Tanh')",
    "d = vars(torch.nn)\nT = d[name]",
    "for name, value in vars(torch.nn).items():\n    pass",
    "import sys\nm = sys.modules.get('torch.nn')",
    "import sys\nm = [v for k, v in sys.modules.items() if k.endswith('.nn')]",
    "import sys\nsys.modules['numpy'] = planted",
    "import os\nm = os.sys.modules.get('torch')",
    "f = getattr(lambda: 0, '__globals__')['torch']",
    "m = torch.nn.__getattr__(name)",
    "import __main__\nx = __main__.torch",
])
def test_every_look_at_a_namespace_that_the_check_cannot_follow_breaks_a_rule(source):
    assert_unfollowed(source, FROM_SCRATCH, CONV)


@pytest.mark.parametrize("source", [
    "import course_utils.gradient_check\ny = course_utils.gradient_check.torch.ones(3)",
    "from course_utils import gradient_check as g\ny = g.torch.ones(3)",
    "import course_utils.gradient_check as g\ny = g.torch.nn.functional.relu(x)",
    "from course_utils.gradient_check import torch as t",
    "from course_utils import model_tools\nt = getattr(model_tools, 'torch')",
    "import course_utils\nt = course_utils.spiral.torch",
    "t = __import__('course_utils.plots', fromlist=['torch']).torch",
    "backend = something.torch",  # whatever holds it: an attribute named like the forbidden package is that package
])
def test_a_forbidden_module_reached_through_a_course_module_breaks_the_rule(source):
    assert breaks(source, CONV, NUMPY), broken(source, CONV)


@pytest.mark.parametrize("source, rules, reason", [
    ("from course_utils import gradient_check as g\nhelper(g)", CONV, UNFOLLOWED),  # a module on the way, passed on
    ("import course_utils\nhelper(course_utils)", CONV, UNFOLLOWED),
    ("from course_utils.gradient_check import *", CONV, UNFOLLOWED),
    ("import course_utils.fast_layers as f\nw = f.np.lib.stride_tricks.as_strided(x, (2, 2), (8, 8))", CONV_NAIVE,
     "the naive layers are loops"),
    ("from course_utils import fast_layers\nw = fast_layers.as_strided(x, (2, 2), (8, 8))", CONV_NAIVE,
     "the naive layers are loops"),
    ("from course_utils import spiral\nlayer = spiral.torch.nn.Tanh()", FROM_SCRATCH, TANH),
    ("from course_utils import plots as p\ny = p.torch.nn.functional.dropout(x, 0.5)", FROM_SCRATCH, DROPOUT),
])
def test_a_forbidden_name_reached_through_a_course_module_breaks_the_rule(source, rules, reason):
    assert breaks(source, rules, reason), broken(source, rules)


def test_a_module_that_re_exports_torch_under_another_name_breaks_the_rule(monkeypatch):
    import numpy
    import torch

    planted = types.ModuleType("numpy._planted_backend")
    planted.backend = torch
    monkeypatch.setitem(sys.modules, "numpy._planted_backend", planted)
    monkeypatch.setattr(numpy, "_planted_backend", planted, raising=False)
    assert breaks("import numpy as np\ny = np._planted_backend.backend.ones(3)", CONV, NUMPY)
    assert breaks("from numpy._planted_backend import backend", CONV, NUMPY)
    assert breaks("import numpy._planted_backend as b\nhelper(b)", CONV, UNFOLLOWED)
    assert broken("import numpy as np\ny = np.ones(3)", CONV) == []


PRIVATE_BATCH_NORM = [
    "y = torch._native_batch_norm_legit(x, None, None, None, None, True, 0.1, 1e-5)",
    "y = torch._native_batch_norm_legit_no_training(x, w, b, m, v, 0.1, 1e-5)",
    "y = torch.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)",
    "y = torch._batch_norm_impl_index(x, None, None, None, None, True, 0.1, 1e-5, False)",
    "mean, invstd = torch.batch_norm_stats(x, 1e-5)",
    "y = torch.nn.functional.torch._native_batch_norm_legit(x, None, None, None, None, True, 0.1, 1e-5)",
    "from torch import _native_batch_norm_legit as bn",
    "bn = getattr(torch, '_native_batch_norm_legit')",
    "class BN(torch.nn.modules.batchnorm._BatchNorm):\n    pass",
    "y = torch._VF.batch_norm(x, w, b, m, v, True, 0.1, 1e-5, False)",
]


@pytest.mark.parametrize("source", PRIVATE_BATCH_NORM)
def test_a_private_built_in_that_does_the_forbidden_work_breaks_the_rule(source):
    assert breaks(source, FROM_SCRATCH, NORM), broken(source, FROM_SCRATCH)
    assert breaks(source, BATCHNORM_LAB, "built-in normalization is not allowed"), broken(source, BATCHNORM_LAB)


@pytest.mark.parametrize("source, reason", [
    ("y = torch.ops.aten._native_batch_norm_legit.default(x, None, None, None, None, True, 0.1, 1e-5)", NORM),
    ("y = torch._ops.ops.aten.cudnn_batch_norm(x)", NORM),  # the same namespace reached another way
    ("y = torch.native_dropout(x, 0.5, True)", DROPOUT),
    ("y = torch._fused_dropout(x, 0.5)", DROPOUT),
    ("class D(torch.nn.modules.dropout._DropoutNd):\n    pass", DROPOUT),
    ("loss = torch._C._nn.cross_entropy_loss(z, y)", "built-in cross-entropy"),
    ("loss = torch._C._nn.nll_loss_nd(z, y)", "built-in cross-entropy"),
])
def test_private_built_ins_of_every_family_break_their_rule(source, reason):
    assert breaks(source, FROM_SCRATCH, reason), broken(source, FROM_SCRATCH)


def test_a_rules_operators_complete_its_names_from_torch():
    rule = Rule("no built-in batch norm", operators=("batch_norm",))
    for source in ["y = torch.nn.functional.batch_norm(x, m, v)", "layer = torch.nn.BatchNorm1d(3)",
                   "y = torch._native_batch_norm_legit(x, None, None, None, None, True, 0.1, 1e-5)",
                   "y = torch.ops.aten.native_batch_norm(x)", "y = torch._C._VariableFunctions.batch_norm(x)"]:
        assert broken(source, [rule]) == ["no built-in batch norm"], source
    for source in ["y = torch.nn.functional.layer_norm(x, (3,))", "y = torch.tanh(x)", "y = x.mean(0)"]:
        assert broken(source, [rule]) == [], source
    everything = Rule("no torch", operators=("*",))
    assert broken("y = torch.zeros(3)", [everything]) == ["no torch"]


@pytest.mark.parametrize("source", [
    "import numpy as np\nx = np.load(path, None, True)",  # allow_pickle by position
    "import numpy as np\nx = np.load(path, allow_pickle=True)",
    "import numpy as np\nx = np.load(path, **{'allow_pickle': True})",
    "import numpy as np\nkw = dict(allow_pickle=1)\nx = np.load(path, **kw)",
    "import numpy as np\nargs = (path, None, True)\nx = np.load(*args)",
    "import numpy as np\nload = np.load\nx = load(path, None, True)",
    "from numpy.lib._npyio_impl import load\nx = load(path, None, True)",  # the same function by another name
    "import numpy as np\nimport functools\nload = functools.partial(np.load, mmap_mode=None)",
    "import numpy as np\nx = list(map(np.load, [path], [None], [True]))",
    "import numpy\nx = numpy.lib.format.read_array(f, True)",
    "import numpy\nx = numpy.lib.format.read_array(f, allow_pickle=True)",
    "from numpy.lib.npyio import NpzFile\nz = NpzFile(f, False, True)",
    "import numpy as np\nz = np.load('a.npz')\nz.allow_pickle = True\nx = z['a']",
    "import numpy\nx = numpy.lib._npyio_impl.pickle.loads(data)",  # pickle re-exported by another module
    "from numpy.lib import _format_impl\nx = _format_impl.pickle.load(f)",
    "import course_utils.solver\nx = course_utils.solver.pickle.load(f)",
    "import pickle as p\nx = p.loads(data)",
    "import _pickle\nx = _pickle.loads(data)",
    "import copyreg\ncopyreg.pickle(A, f)",
    "import shelve\nx = shelve.open(path)['a']",
    "import dill\nx = dill.loads(data)",
    "import joblib\nx = joblib.load(path)",
    "import pandas as pd\nx = pd.read_pickle(path)",
    "import marshal\nx = marshal.loads(data)",
    "x = torch.load(path, weights_only=False)",
    "x = torch.serialization.load(path)",
    "import typing\nhints = typing.get_type_hints(f)",
])
def test_code_carried_in_a_pickle_breaks_the_rule(source):
    assert_unfollowed(source, FROM_SCRATCH, CONV_NAIVE)


@pytest.mark.parametrize("source, reason", [
    ("def f(x: 'torch.nn.Tanh') -> None:\n    pass", TANH),  # a string annotation is code: get_type_hints runs it
    ("def f(x: 'list[__import__(\"torch\").nn.Tanh]'):\n    pass", TANH),
    ("y: 'eval(s)' = 3", UNFOLLOWED),
])
def test_string_annotations_are_checked_as_code(source, reason):
    assert breaks(source, FROM_SCRATCH, reason), broken(source, FROM_SCRATCH)


@pytest.mark.parametrize("source, rules", [
    ("import numpy as np\nx = np.load(path)\ny = np.load(path, allow_pickle=False)\nz = np.load(path, 'r')", CONV),
    ("import numpy as np\nnp.save(path, x)\nnp.savez(path, a=x)", CONV),
    ("def f(x: 'np.ndarray') -> 'np.ndarray':\n    return x", CONV),
    ("state = vars(self).copy()\nfor name in dir(self):\n    pass", FROM_SCRATCH),
    ("out = torch.tanh(z)\nmean, var = torch.var_mean(z, dim=0, unbiased=False)\ny = torch.rsqrt(var + 1e-5)",
     FROM_SCRATCH),
    ("with torch.no_grad():\n    y = torch.nn.functional.relu(x) * torch.nn.functional.normalize(x)", FROM_SCRATCH),
    ("import numpy as np\nhelper(np)\nx = np.lib.stride_tricks", CONV),
    ("from course_utils.gradient_check import rel_error\nerr = rel_error(a, b)", CONV),
    ("mean = x.mean(axis=0)\nvar = x.var(axis=0)\nout = (x - mean) / np.sqrt(var + eps)", BATCHNORM_LAB),
])
def test_correct_code_near_the_closed_routes_breaks_no_rule(source, rules):
    assert broken(source, rules) == []


def test_what_the_setup_cells_import_is_looked_up_as_the_child_has_it():
    source, setup = "w = plt.np.lib.stride_tricks.as_strided(x, (2, 2), (8, 8))", ["import matplotlib.pyplot as plt"]
    assert any("the naive layers are loops" in r for r in forbidden_uses(source, CONV_NAIVE, context=setup))
    assert forbidden_uses("plt.plot(x, y)\nz = np.maximum(x, 0)", CONV_NAIVE, context=setup) == []
