"""No value the child chose reaches a message (DESIGN rule 8, README "Messages").

A message states the grader's expectation and, of the child's value, at most a coarse measure (an error's power of
ten, a fraction to one decimal): never its shape, length, dtype, key names or counts. ``autograder.messages`` makes
this hold where it can by construction (a number of the child's is shown only if formatted as a measure, a tuple only
if the grader chose it, a string only if the grader wrote it); the scan below proves the rest over the source of the
kit and of every grader, and a hostile child proves it end to end. The last tests bound what a failing test's
message can carry, in bits, as the README states.
"""
from __future__ import annotations

import ast
import json
import string
import textwrap

import numpy as np
import pytest

from autograder.kit import Failure, Given, Kit, compare_values
from autograder.messages import COARSE_VALUES, WITHHELD, Vocabulary, coarse, information_bits, vocabulary
from tests.conftest import ROOT

SOURCES = [ROOT / "autograder" / "kit.py", ROOT / "autograder" / "messages.py",
           *sorted((ROOT / "autograder" / "graders").rglob("*.py"))]

# What brings a child's value into the grader: the session and the calls that go through it, the kit's checks of a
# child's value, and a helper handed the kit (it reaches the session) or a child's value.
CHILD_ATTRIBUTES = {"session", "call", "call_kept", "get", "set", "new", "find", "request", "keep", "isinstance",
                    "array", "number", "accuracy", "measure"}
CHILD_NAMES = {"s", "session"}
GRADER_METHODS = {"reference", "expect"}  # what the kit computes from the master, or raises
# parameters of the kit's and graders' helpers that hold what the child sent
CHILD_PARAMETERS = {"value", "got", "logits", "analytic", "out", "result", "solver", "forward", "scores", "model",
                    "net", "s", "session"}
# what turns a child's value into a count, a size, a type or a name: never shown, not even coarsely
COUNTING_CALLS = {"len", "str", "repr", "type", "kind_of", "format", "sorted", "set", "list", "tuple", "dict",
                  "Counter", "sum", "range", "enumerate"}
COUNTING_ATTRIBUTES = {"shape", "size", "ndim", "dtype", "keys", "items", "__name__", "type_name", "nbytes"}
MEASURES = ("e", "E", "f", "F", "g", "G", "%")
# fields the scan cannot prove and a reader did: (file, field=expression) and why it holds the grader's words
REVIEWED = {
    ("q5_mlp.py", "param=param"): "one of the literals W, b, gamma, beta: the layers come from the child, the names "
                                  "are zipped from the grader's pairs",
    ("q5_mlp.py", "grad=grad"): "one of the literals dW, db, dgamma, dbeta, as above",
}

COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


class Taint:
    """Which names of one function hold a value of the child's (``child``) and which hold a count, size, type or
    name derived from one (``counted``), by assignment and loop, to a fixed point. Names a comprehension binds
    count only inside it (``inside``)."""

    def __init__(self, function: ast.FunctionDef | ast.Lambda) -> None:
        self.child: set[str] = set()
        self.counted: set[str] = set()
        arguments = function.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            annotation = ast.unparse(argument.annotation) if argument.annotation is not None else ""
            if argument.arg in CHILD_PARAMETERS or annotation in ("Remote", "Session"):
                self.child.add(argument.arg)
        for extra in (arguments.vararg, arguments.kwarg):
            if extra is not None:
                self.child.add(extra.arg)
        self.body = function.body if isinstance(function.body, list) else [function.body]
        for _ in range(4):
            for statement in self.body:
                for node in _walk_outside_comprehensions(statement):
                    self._bind(node)

    def _bind(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._assign(target, node.value, False)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            self._assign(node.target, node.value, False)
        elif isinstance(node, (ast.For, ast.comprehension)):
            self._assign(node.target, node.iter, True)
        elif isinstance(node, ast.With):
            for item in node.items:
                if item.optional_vars is not None:
                    self._assign(item.optional_vars, item.context_expr, False)

    def _assign(self, target: ast.AST, value: ast.AST, iterated: bool) -> None:
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts) \
                and not iterated:
            for part, source in zip(target.elts, value.elts):
                self._assign(part, source, False)
            return
        if iterated and isinstance(value, (ast.List, ast.Tuple)) and value.elts and isinstance(target, ast.Tuple) and \
                all(isinstance(e, ast.Tuple) and len(e.elts) == len(target.elts) for e in value.elts):
            for index, part in enumerate(target.elts):  # for a, b in [(x, "name"), (y, "other")]: element-wise
                self._assign(part, ast.Tuple([e.elts[index] for e in value.elts]), False)
            return
        child, counted = self.is_child(value), self.is_counted(value)
        for name in _names(target):
            if child:
                self.child.add(name)
            if counted or (iterated and child):  # the elements and keys of a child's container are the child's
                self.counted.add(name)

    def is_child(self, node: ast.AST) -> bool:
        for part in ast.walk(node):
            if isinstance(part, ast.Name) and (part.id in self.child or part.id in CHILD_NAMES):
                return True
            if isinstance(part, ast.Attribute) and part.attr in CHILD_ATTRIBUTES and \
                    not (isinstance(part.value, ast.Name) and part.value.id in ("np", "numpy", "torch")):
                return True
            if isinstance(part, ast.Call) and _called(part) not in GRADER_METHODS and \
                    any(isinstance(a, ast.Name) and a.id == "kit" for a in part.args):
                return True
        return False

    def is_counted(self, node: ast.AST) -> bool:
        for part in ast.walk(node):
            if isinstance(part, ast.Name) and part.id in self.counted:
                return True
            if isinstance(part, ast.Call) and isinstance(part.func, ast.Name) and part.func.id in COUNTING_CALLS and \
                    any(self.is_child(argument) for argument in part.args):
                return True
            if isinstance(part, ast.Attribute) and part.attr in COUNTING_ATTRIBUTES and self.is_child(part.value):
                return True
            if isinstance(part, ast.JoinedStr) and self.is_child(part):
                return True
        return False

    def calls(self) -> list[tuple[ast.Call, "Taint"]]:
        """Every call of the function with the taint that holds where it is (inside comprehensions: with the
        names they bind)."""
        found: list[tuple[ast.Call, Taint]] = []

        def visit(node: ast.AST, taint: Taint) -> None:
            if isinstance(node, COMPREHENSIONS):
                inner = taint.copy()
                for _ in range(2):
                    for generator in node.generators:
                        inner._bind(generator)
                for child in ast.iter_child_nodes(node):
                    visit(child, inner)
                return
            if isinstance(node, ast.Call):
                found.append((node, taint))
            for child in ast.iter_child_nodes(node):
                visit(child, taint)

        for statement in self.body:
            visit(statement, self)
        return found

    def copy(self) -> "Taint":
        other = object.__new__(Taint)
        other.child, other.counted, other.body = set(self.child), set(self.counted), self.body
        return other


def _walk_outside_comprehensions(node: ast.AST):
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, COMPREHENSIONS):
            yield from _walk_outside_comprehensions(child)


def _names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Subscript):  # accuracies[split] = ...: the container holds it
        target = target.value
    return [node.id for node in ast.walk(target) if isinstance(node, ast.Name)]


def _called(call: ast.Call) -> str:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _template(call: ast.Call) -> ast.AST | None:
    name = _called(call)
    if name in ("expect", "award") and len(call.args) > 1:
        return call.args[1]
    if name == "Failure" and call.args:
        return call.args[0]
    return None


def _specs(template: ast.AST) -> dict[str, set[str]]:
    """The format spec of each field of a literal template (of both sides of a conditional one)."""
    specs: dict[str, set[str]] = {}
    for node in ast.walk(template):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for _, name, spec, _ in string.Formatter().parse(node.value):
                if name is not None:
                    specs.setdefault(name, set()).add(spec or "")
    return specs


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.Lambda]:
    return [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.Lambda))]


def child_derived_fields(source: str, file: str = "") -> list[str]:
    """Every field of a message (and every expected shape handed to ``array``, which a message shows) in ``source``
    that shows a value derived from the child: not ``Given`` the grader's own value, not the grader's own value,
    and not a measure of the child's (a number formatted with ``e``, ``f`` or ``g``, not a count or a size)."""
    problems = []
    for function in _functions(ast.parse(source)):
        for call, taint in Taint(function).calls():
            where = f"line {call.lineno}"
            if _called(call) == "array" and len(call.args) > 1:
                shape = call.args[1]
                if taint.is_child(shape) and not (isinstance(shape, ast.Constant) and shape.value is None):
                    problems.append(f"{where}: expected shape {ast.unparse(shape)} comes from the child")
            template = _template(call)
            if template is None:
                continue
            specs = _specs(template)
            for keyword in call.keywords:
                value, field = keyword.value, keyword.arg
                if field == "detail":
                    continue  # the grader's author's words, never rendered
                if field is None and getattr(function, "name", "") in ("expect", "award"):
                    continue  # Kit.expect and Kit.award hand their caller's fields on: their callers are scanned
                if field is None:
                    problems.append(f"{where}: **{ast.unparse(value)} hides what the fields are")
                    continue
                if (file, f"{field}={ast.unparse(value)}") in REVIEWED:
                    continue
                given = isinstance(value, ast.Call) and _called(value) == "Given"
                inner = value.args[0] if given and value.args else value
                if not taint.is_child(inner):
                    continue
                measure = not given and all(spec.endswith(MEASURES) for spec in specs.get(field, {""}))
                if not measure or taint.is_counted(inner):
                    problems.append(f"{where}: {field}={ast.unparse(value)} shows a value of the child's")
    return problems


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_message_template_has_a_field_derived_from_the_child(path):
    assert child_derived_fields(path.read_text(), path.name) == []


@pytest.mark.parametrize("leak", [
    "kit.expect(ok, '{what}: expected shape {shape}, got {got}', what=what, shape=Given((3, 2)), got=out.shape)",
    "kit.expect(ok, 'holds {found} layers', found=len(net.find('Linear')))",
    "kit.expect(ok, 'holds {found:.1f} layers', found=len(net.find('Linear')))",
    "kit.expect(ok, 'a float32 input gave {dtype} output', dtype=str(out.dtype))",
    "kit.expect(ok, 'expected {count} values', count=Given(len(kit.session.get('history'))))",
    "kit.array(value, kit.array(other).shape, 'x')",
    "[kit.expect(ok, '{name} is wrong', name=name) for name in kit.session.get('solvers')]",
    "kit.expect(ok, '{kind}', kind=kind_of(kit.session.get('x')))",
    "kit.expect(ok, 'trained for {epochs} epochs', epochs=epochs)",
])
def test_the_scan_finds_each_way_a_childs_value_reached_a_message(leak):
    source = "def test(kit, what, ok):\n    out = kit.session.call('f')\n    net = kit.session.new('MLP')\n" \
             "    epochs = len(kit.array(kit.session.get('history')))\n" + textwrap.indent(leak, "    ")
    assert child_derived_fields(source)


def test_the_scan_lets_the_graders_words_and_coarse_measures_through():
    source = textwrap.dedent("""
        def test(kit, what):
            want = kit.reference(probe)
            epochs = int(want["EPOCHS"])
            error = relative_error(kit.array(kit.session.call("f"), want["out"].shape, what), want["out"])
            for p in (0.1, 0.5):
                kit.expect(error < 1e-8, "p={p}: {what}: error {error:.1e}, {epochs} epochs", p=Given(p), what=what,
                           error=error, epochs=Given(epochs), detail=str(kit.session.get("x").shape))
    """)
    assert child_derived_fields(source) == []


# ----------------------------------------------------------------------------- by construction

KNOWN = Vocabulary(frozenset({"{what}: {value}", "logits"}), frozenset({3.0, 2.0, 0.5}))


@pytest.mark.parametrize("value, shown", [
    ((104, 101), WITHHELD),                     # a shape of the child's
    ([1.0, 2.0], WITHHELD),
    (np.zeros((2, 3)), WITHHELD),
    ({"secret": 1}, WITHHELD),
    ("def forward(self): return secret", WITHHELD),
    (123456, WITHHELD),                          # a count: not a measure, never shown
    (np.int64(3), WITHHELD),
    (Given((3, 2)), "(3, 2)"),                   # the grader's expectation, exactly
    (Given((3, 7)), "(3, between 1 and 10)"),  # a grader's number the vocabulary lacks: coarsely
    (Given(0.5), "0.5"),
    (True, "True"),
    (None, "None"),
])
def test_only_the_graders_values_and_coarse_measures_survive_rendering(value, shown):
    assert Failure("{what}: {value}", what="logits", value=value).render(KNOWN) == f"logits: {shown}"


def test_a_number_of_the_childs_is_shown_only_as_a_coarse_measure():
    known = Vocabulary(frozenset({"{x:.1e} {y:.3f} {z:.4g} {n} {m:d}"}), frozenset())
    failure = Failure("{x:.1e} {y:.3f} {z:.4g} {n} {m:d}", x=3.2e-9, y=0.7234, z=812.5, n=37, m=5)
    assert failure.render(known) == f"about 1e-09 about 0.7 between 100 and 1000 {WITHHELD} {WITHHELD}"


def test_the_detail_is_for_the_graders_author_only():
    failure = Failure("{what}: expected shape {shape}, got another shape", what="logits", shape=Given((3, 2)),
                      detail="shape (104, 101)")
    known = Vocabulary(frozenset({failure.template, "logits"}), frozenset({3.0, 2.0}))
    assert failure.render(known) == "logits: expected shape (3, 2), got another shape"
    assert "(104, 101)" in str(failure)


@pytest.mark.parametrize("value", [np.zeros((7, 11)), np.zeros(0), np.zeros((1, 2, 3, 4)), "text", {"zebra": 1.0},
                                   [1.0, 2.0, 3.0], np.array(["a"]), np.full((3, 2), np.nan), (np.ones(2),) * 5])
def test_the_kit_says_what_it_expected_never_what_it_got(value):
    known = vocabulary("autograder.graders.spiral_from_scratch").with_reference({"logits", "a"}, set())
    messages = []
    for check in (lambda: Kit.array(value, (3, 2), "logits"), lambda: Kit.number(value, "logits"),
                  lambda: compare_values(value, np.ones((3, 2)), "logits", 1e-8),
                  lambda: compare_values(value, {"a": 1.0}, "logits", 1e-8),
                  lambda: compare_values(value, [1.0, "x"], "logits", 1e-8),
                  lambda: Kit(lambda: None, lambda p: {}).accuracy(value, np.zeros(3, dtype=int), "logits")):
        try:
            check()
        except Failure as failure:
            messages.append(failure.render(known))
    assert messages
    for message in messages:
        assert WITHHELD not in message and "withheld" not in message, message
        for leaked in ("7", "11", "(0,)", "4)", "text", "zebra", "<U1", "str", "5", "nan"):
            assert leaked not in message.replace("(3, 2)", ""), message


# ----------------------------------------------------------------------------- a hostile child, end to end

NB = "spiral_from_scratch"

# An answer cell for Q4 (Tanh) that answers every call with a value chosen to carry text: shapes that spell it,
# dicts with its words as keys, strings, lists of its length, dtypes that name it.
SPELL = "MASTERTEXT"
HOSTILE_TANH = f"""
import numpy as np
_CODES = [ord(c) for c in {SPELL!r}]
class Tanh:
    calls = 0
    def __init__(self, *args, **kwargs):
        pass
    def _answer(self):
        Tanh.calls += 1
        kind = Tanh.calls % 6
        if kind == 0:
            return np.zeros(tuple(_CODES[:8]) + (0,), dtype=np.float32)
        if kind == 1:
            return {{word: np.zeros(3) for word in ({SPELL!r}, "leak_" + {SPELL!r})}}
        if kind == 2:
            return {SPELL!r} * 3
        if kind == 3:
            return [0.0] * (1000 + _CODES[0])
        if kind == 4:
            return np.zeros((_CODES[1], _CODES[2]), dtype=np.float16)
        return np.array([{SPELL!r}])
    def forward(self, z):
        return self._answer()
    def backward(self, da):
        return self._answer()
"""


def test_a_hostile_childs_shapes_keys_strings_and_lengths_reach_no_results_json(grading, tmp_path):
    """Values chosen to spell text (the shape of an empty array, dict keys, strings, list lengths, dtypes) cost the
    tests and none of them, nor any of their numbers, reaches results.json or the feedback."""
    import nbformat

    from autograder.notebook import grade_id

    release = ROOT / "release" / NB / f"{NB}.ipynb"
    notebook = nbformat.read(release, as_version=4)
    for cell in notebook.cells:
        if grade_id(cell) == "Q4_solution":
            cell.source = HOSTILE_TANH
    path = tmp_path / "mallory.ipynb"
    nbformat.write(notebook, path)
    result = grading.grade_student("mallory", {NB: path}, {"Q4"})
    text = json.dumps(result.to_gradescope()) + result.feedback()
    assert result.score == 0 and result.tests
    assert SPELL.lower() not in text.lower() and "leak" not in text
    numbers = {str(n) for n in (ord(c) for c in SPELL)} | {str(1000 + ord(SPELL[0])), "float16", "<U"}
    for test in result.tests:
        assert not [n for n in numbers if n in test.message], test.message
        assert "withheld" not in test.message, test.message


# ----------------------------------------------------------------------------- the bound, in bits

def test_coarse_has_COARSE_VALUES_words_at_most_per_format():
    draws = np.random.default_rng(0).standard_normal(200_000) * 10.0 ** np.random.default_rng(1).uniform(
        -20, 8, 200_000)
    draws = np.concatenate([draws, [0.0, -0.0, 1.0, -1.0, 10.0, 1e4, -1e4, np.inf, -np.inf, np.nan, 1e-17]])
    for spec in (".1e", ".3f", ".4g", ".2%"):
        assert len({coarse(float(x), spec) for x in draws}) <= COARSE_VALUES
    assert len({coarse(float(x), ".1e") for x in draws}) == COARSE_VALUES


def coarse_fields_per_template() -> dict[str, int]:
    """For every message template of the kit and the graders, how many of its fields may hold a coarse measure of
    the child's (the others hold the grader's words and values)."""
    counts = {}
    for path in SOURCES:
        for function in _functions(ast.parse(path.read_text())):
            for call, taint in Taint(function).calls():
                if _template(call) is not None:
                    counts[f"{path.name}:{call.lineno}"] = sum(
                        1 for keyword in call.keywords if keyword.arg not in (None, "detail") and
                        taint.is_child(keyword.value) and
                        not (isinstance(keyword.value, ast.Call) and _called(keyword.value) == "Given"))
    return counts


# What a test can say besides its checks' messages: "your code raised" one of 15 kinds (14 named and "an
# exception"), "running the cell C raised" one of them for each of its cells, a time limit, a crash, memory, a
# malformed reply, a grader problem naming one of Python's built-in exception types.
SANDBOX_MESSAGES = 15 * (1 + 8) + 10 + 70

# The README's bound ("What the sandbox does not guarantee"): which message, coarse measures, the output note.
MESSAGE_BITS, COARSE_FIELDS, TEST_BITS = 10, 2, 21.6


class Checks:
    """The messages every check a test makes could give, in the grader's words (the coarse measures of the
    child's stand as one placeholder: ``COARSE_FIELDS`` counts them), recorded per test while the kit runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import autograder.engine as engine
        import autograder.kit as kit

        self.by_test: dict[str, set] = {}
        self.test = ""
        run_test, expect, array, number, compare = engine.run_test, Kit.expect, Kit.array, Kit.number, Kit.compare
        compare_values_ = kit.compare_values

        def run(grader, test, *args, **kwargs):
            self.test = test.name
            self.by_test.setdefault(test.name, set())
            return run_test(grader, test, *args, **kwargs)

        def expecting(condition, message, **values):
            self.add("expect", message, self._grader(values))
            return expect(condition, message, **values)

        def arraying(value, shape=None, what="the value"):
            for kind in ("not an array", "too large", "not numbers", "shape", "not finite"):
                self.add("array", kind, what, None if shape is None else tuple(shape))
            return array(value, shape, what)

        def numbering(value, what="the value"):
            self.add("number", what)
            return number(value, what)

        def comparing(self_kit, probe, rtol, atol=0.0):
            for label in self_kit.reference(probe):
                self.add("no value", label)
            return compare(self_kit, probe, rtol, atol)

        def comparing_values(got, expected, label, rtol, atol=0.0, any_shape=False):
            if isinstance(expected, dict):
                self.add("dict", label, *sorted(map(str, expected)))
            elif isinstance(expected, (list, tuple)) and not kit._numeric_sequence(expected):
                self.add("count", label, len(expected))
            elif isinstance(expected, (bool, str)) or expected is None:
                self.add("expected", label, repr(expected))
            else:
                self.add("relative error", label)
            return compare_values_(got, expected, label, rtol, atol, any_shape)

        monkeypatch.setattr(engine, "run_test", run)
        monkeypatch.setattr(Kit, "expect", staticmethod(expecting))
        monkeypatch.setattr(Kit, "array", staticmethod(arraying))
        monkeypatch.setattr(Kit, "number", classmethod(lambda cls, value, what="the value": numbering(value, what)))
        monkeypatch.setattr(Kit, "compare", comparing)
        monkeypatch.setattr(kit, "compare_values", comparing_values)

    def add(self, *key) -> None:
        if self.test:
            self.by_test[self.test].add(key)

    @staticmethod
    def _grader(values: dict) -> tuple:
        return tuple(sorted((name, repr(value.value) if isinstance(value, Given) else
                             value if isinstance(value, str) else "#")
                            for name, value in values.items() if name != "detail"))


def test_coarse_measures_are_at_most_COARSE_FIELDS_a_template():
    counts = coarse_fields_per_template()
    assert counts and max(counts.values()) == COARSE_FIELDS


def test_a_failing_tests_message_carries_at_most_the_bits_the_readme_states(grading, monkeypatch):
    """On the spiral's master (every check a passing submission makes; the checks are the same whoever answers,
    but for a backward's wide comparison, one more ``compare``), count the messages each test could give:
    under 2**MESSAGE_BITS with the sandbox's, so that a failing test carries at most ``TEST_BITS`` bits, and a
    results.json at most the README's 864."""
    checks = Checks(monkeypatch)
    result = grading.grade_master()
    assert result.score == 70 and len(checks.by_test) == len(result.tests) == 40
    messages = {test: len(keys) + SANDBOX_MESSAGES + 10 for test, keys in checks.by_test.items()}  # 10: wide
    assert max(messages.values()) < 2 ** MESSAGE_BITS, sorted(messages.items(), key=lambda item: -item[1])[:3]
    bits = {test: information_bits(count, COARSE_FIELDS) for test, count in messages.items()}
    assert max(bits.values()) <= TEST_BITS
    assert information_bits(2 ** MESSAGE_BITS, COARSE_FIELDS) == pytest.approx(TEST_BITS, abs=0.05)
    assert sum(bits.values()) <= 40 * TEST_BITS <= 864
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"at most {TEST_BITS} bits a failing test" in readme and "40 x 21.6 = 864 bits" in readme


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_helper_a_module_uses_is_imported(path):
    """``Given`` and its kin are evaluated with every check, failing or not: a missing import breaks the test."""
    tree = ast.parse(path.read_text())
    known = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
             for alias in node.names} | {node.name for node in ast.walk(tree)
                                         if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    assert {"Given", "Failure", "Remote", "kind_of"} & used <= known
