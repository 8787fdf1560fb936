"""The check kit that every hidden grader uses.

A hidden grader is a module of functions named ``test_<question>_...``, each
decorated with ``@graded(item, points, ...)``. A test receives a ``Kit`` and
fails by raising ``Failure`` (``kit.expect`` and the helpers below do that) with
a message that says what was checked and by how much it missed, never the
hidden inputs.

What the kit offers:

- ``kit.session``: the submission's answer cells running in a sandboxed child;
- ``kit.compare(probe, rtol)``: run a probe (a function of a session that
  returns named values) on the submission and on the master notebook, compare;
- ``kit.array(value, shape, what)``: validate a value that came from the child;
- ``kit.gradient_check(...)``: analytic gradient against centered finite
  differences in float64, evaluated by calling the submission's own forward;
- ``kit.require_accuracy(...)``: accuracy of predictions against labels;
- ``forbidden_uses(source, rules)``: the static rule check of answer cells.
"""
from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from autograder.sandbox import Limits, Session

Probe = Callable[[Session], dict[str, Any]]


class Failure(AssertionError):
    """A check did not pass; the message is shown to the student."""


@dataclass(frozen=True)
class GradedTest:
    """One hidden test: its points belong to ``item`` (a graded cell of the notebook)."""

    function: Callable[["Kit"], None]
    item: str
    points: float
    cells: tuple[str, ...]
    needs: tuple[str, ...]
    timeout: float
    visibility: str
    memory_bytes: int
    arrays: str

    @property
    def name(self) -> str:
        title = (self.function.__doc__ or self.function.__name__).strip().splitlines()[0].rstrip(".")
        return f"{self.item}: {title}"

    @property
    def question(self) -> str:
        return self.item.split("_", 1)[0]

    @property
    def private(self) -> bool:
        """Runs next to reference cells, so what the child prints or raises is not shown verbatim."""
        return bool(self.needs)

    def limits(self) -> Limits:
        return Limits(wall_seconds=self.timeout, memory_bytes=self.memory_bytes)


def graded(item: str, points: float, cells: tuple[str, ...] = (), needs: tuple[str, ...] = (),
           timeout: float = 30.0, visibility: str = "visible", memory_bytes: int = 2 * 2**30,
           arrays: str = "torch") -> Callable[[Callable[["Kit"], None]], Callable[["Kit"], None]]:
    """Mark a test function. ``cells``: the student's answer cells under test; ``needs``: answer
    cells it depends on, taken from the master so that a bug there costs points only once;
    ``arrays``: whether arrays sent to the child arrive as torch tensors or numpy arrays."""
    if visibility not in {"visible", "hidden", "after_due_date", "after_published"}:
        raise ValueError(f"unknown visibility {visibility!r}")
    if arrays not in {"torch", "numpy"}:
        raise ValueError(f"unknown array type {arrays!r}")

    def mark(function: Callable[["Kit"], None]) -> Callable[["Kit"], None]:
        if not function.__name__.startswith(f"test_{item.split('_', 1)[0]}_"):
            raise ValueError(f"{function.__name__}: a test's name starts with test_ and its question id")
        function.graded = GradedTest(function, item, float(points), tuple(cells), tuple(needs), float(timeout),
                                     visibility, memory_bytes, arrays)
        return function

    return mark


def collect(module: Any) -> list[GradedTest]:
    """The graded tests of a grader module, in definition order."""
    return [value.graded for name, value in vars(module).items() if name.startswith("test_") and
            hasattr(value, "graded")]


class Kit:
    """What a test works with: the submission's session (started on first use) and reference values."""

    def __init__(self, open_session: Callable[[], Session], reference: Callable[[Probe], dict[str, Any]]) -> None:
        self._open_session = open_session
        self._session: Session | None = None
        self.reference = reference

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._open_session()
        return self._session

    @staticmethod
    def expect(condition: bool, message: str) -> None:
        if not condition:
            raise Failure(message)

    @staticmethod
    def array(value: Any, shape: tuple[int, ...] | None = None, what: str = "the value") -> np.ndarray:
        """``value`` as a finite float64 array of ``shape``, or a ``Failure`` saying what was wrong."""
        if isinstance(value, (list, tuple)) and value and _numeric_sequence(value):
            value = np.asarray(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (np.ndarray, int, float, np.number)):
            raise Failure(f"{what}: expected an array{f' of shape {shape}' if shape else ''}, "
                          f"got {_kind(value)}")
        array = np.asarray(value)
        if array.dtype.kind not in "fiub":
            raise Failure(f"{what}: expected numbers, got an array of {array.dtype}")
        if shape is not None and array.shape != tuple(shape):
            raise Failure(f"{what}: expected shape {tuple(shape)}, got {array.shape}")
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            raise Failure(f"{what}: contains NaN or infinity")
        return array

    @classmethod
    def number(cls, value: Any, what: str = "the value") -> float:
        """A single finite number (a Python number or an array holding one element)."""
        array = cls.array(value, None, what)
        if array.size != 1:
            raise Failure(f"{what}: expected a single number, got an array of shape {array.shape}")
        return float(array.reshape(()))

    def compare(self, probe: Probe, rtol: float, atol: float = 0.0) -> None:
        """Run ``probe`` on the submission and on the master; every value must match within tolerance."""
        want = self.reference(probe)
        got = probe(self.session)
        for label, expected in want.items():
            if label not in got:
                raise Failure(f"{label}: no value")
            compare_values(got[label], expected, label, rtol, atol)

    def gradient_check(self, forward: Callable[[np.ndarray], Any], x: np.ndarray, dout: np.ndarray,
                       analytic: Any, what: str, rtol: float = 1e-7, h: float = 1e-5) -> None:
        """``analytic`` must equal the gradient of ``sum(forward(x) * dout)`` with respect to ``x``,
        estimated by centered differences, ``forward`` being evaluated in the submission."""
        analytic = self.array(analytic, x.shape, what)
        x = np.array(x, dtype=np.float64)
        numeric = np.zeros_like(x)
        for index in np.ndindex(*x.shape):
            old = x[index]
            x[index] = old + h
            plus = self.array(forward(x.copy()), dout.shape, f"forward while checking {what}")
            x[index] = old - h
            minus = self.array(forward(x.copy()), dout.shape, f"forward while checking {what}")
            x[index] = old
            numeric[index] = np.sum((plus - minus) * dout) / (2 * h)
        error = relative_error(analytic, numeric)
        self.expect(error <= rtol, f"{what} disagrees with finite differences: relative error {error:.1e} "
                                   f"(allowed {rtol:.0e})")

    def require_accuracy(self, logits: Any, labels: np.ndarray, threshold: float, what: str) -> float:
        scores = self.array(logits, None, what)
        self.expect(scores.ndim == 2 and scores.shape[0] == len(labels),
                    f"{what}: expected logits of shape ({len(labels)}, classes), got {scores.shape}")
        accuracy = float(np.mean(np.argmax(scores, axis=1) == labels))
        self.expect(accuracy >= threshold, f"{what}: accuracy {accuracy:.3f}, required at least {threshold:.2f}")
        return accuracy


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise ``|a - b| / max(1e-8, |a| + |b|)``, as in ``course_utils.gradient_check``."""
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def compare_values(got: Any, expected: Any, label: str, rtol: float, atol: float = 0.0) -> None:
    """Compare a value from the submission with the reference's, recursively for lists and dicts."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            raise Failure(f"{label}: expected a dict, got {_kind(got)}")
        for key, value in expected.items():
            if key not in got:
                raise Failure(f"{label}: missing key {key!r}")
            compare_values(got[key], value, f"{label}[{key!r}]", rtol, atol)
        return
    if isinstance(expected, (list, tuple)) and not _numeric_sequence(expected):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            raise Failure(f"{label}: expected {len(expected)} values, got {_kind(got)}")
        for i, (g, e) in enumerate(zip(got, expected)):
            compare_values(g, e, f"{label}[{i}]", rtol, atol)
        return
    if isinstance(expected, (bool, str)) or expected is None:
        if got != expected:
            raise Failure(f"{label}: expected {expected!r}, got {_kind(got)}")
        return
    want = np.asarray(expected, dtype=np.float64)
    have = Kit.array(got, want.shape, label)
    if atol and np.max(np.abs(have - want), initial=0.0) <= atol:
        return
    error = relative_error(have, want)
    if error > rtol:
        raise Failure(f"{label}: relative error {error:.1e} against the reference (allowed {rtol:.0e})")


def _numeric_sequence(value: Any) -> bool:
    return all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in value)


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}" if not hasattr(value, "type_name") else f"an object of type {value.type_name}"


@dataclass(frozen=True)
class Rule:
    """Something forbidden: any use of ``names`` (dotted paths, after resolving import aliases), of an
    attribute or keyword in ``attributes``, or of a ``syntax`` node type (``ast.For``, say)."""

    reason: str
    names: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    syntax: tuple[type[ast.AST], ...] = ()


def forbidden_uses(source: str, rules: list[Rule], aliases: dict[str, str] | None = None) -> list[str]:
    """Reasons for every rule that ``source`` breaks (empty when it breaks none or does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = dict(aliases or {})
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[(alias.asname or alias.name).split(".")[0]] = alias.name if alias.asname else \
                    alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    used: set[str] = set()
    attributes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node, names)
            if dotted:
                used.add(dotted)
        if isinstance(node, ast.Attribute):
            attributes.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            attributes.add(node.arg)
        elif isinstance(node, ast.ImportFrom) and node.module:
            used.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            used.update(alias.name for alias in node.names)
    nodes = {type(node) for node in ast.walk(tree)}
    broken = []
    for rule in rules:
        hit = any(u == n or u.startswith(n + ".") for u in used for n in rule.names)
        if hit or attributes & set(rule.attributes) or nodes & set(rule.syntax):
            broken.append(rule.reason)
    return broken


def _dotted(node: ast.AST, names: dict[str, str]) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(names.get(node.id, node.id))
    return ".".join(reversed(parts))


def builtin_exception(name: str) -> bool:
    """Whether ``name`` is one of Python's own exception classes (safe to show from a private test)."""
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)
