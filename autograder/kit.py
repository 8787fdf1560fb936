"""The check kit that every hidden grader uses.

A hidden grader is a module of functions named ``test_<question>_...``, each
decorated with ``@graded(item, points, ...)``. A test receives a ``Kit`` and
fails by raising ``Failure`` (``kit.expect`` and the helpers below do that) with
a message that says what was checked and by how much it missed, never the
hidden inputs.

A message is a template with named fields, ``kit.expect(ok, "{what}: accuracy
{accuracy:.3f}", what=..., accuracy=...)``, never an f-string: the engine fills
it in (``Failure.render``). Where the child holds only the student's code, the
fields are shown as they are. Where it also holds reference cells, what the
child sent could carry the reference's code, so the message is shown only if the
template is a literal of the grader module or of this kit, and each field only
as this grader knows it: its own literal strings and numbers, the reference's
labels, and every other number coarsened to one significant digit ("about 0.7");
other strings are withheld.

What the kit offers:

- ``kit.session``: the submission's answer cells running in a sandboxed child;
- ``kit.compare(probe, rtol)``: run a probe (a function of a session that
  returns named values) on the submission and on the master notebook, compare;
- ``kit.array(value, shape, what)``: validate a value that came from the child;
- ``kit.gradient_check(...)``: analytic gradient against centered finite
  differences in float64, evaluated by calling the submission's own forward;
- ``kit.require_accuracy(...)``: accuracy of predictions against labels;
- ``Rule`` (from ``autograder.rules``): what an answer cell must not use.
"""
from __future__ import annotations

import ast
import importlib
import math
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from autograder.rules import Rule
from autograder.sandbox import Limits, Session

__all__ = ["Failure", "GradedTest", "Kit", "Rule", "Vocabulary", "collect", "compare_values", "graded",
           "relative_error"]

Probe = Callable[[Session], dict[str, Any]]


WITHHELD = "(withheld)"
UNSHOWN = "this check failed; its message is withheld because it is not a literal template of the grader"


class Failure(AssertionError):
    """A check did not pass: ``message`` is a template whose ``{fields}`` come from ``values``."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.template = message
        self.values = values

    def __str__(self) -> str:
        return self.render(None)

    def render(self, known: "Vocabulary | None") -> str:
        """The message, with every field shown (``known`` is None) or only as ``known`` allows."""
        if known is not None and self.template not in known.strings:
            return UNSHOWN
        parts = []
        try:
            for literal, name, spec, _ in string.Formatter().parse(self.template):
                parts.append(literal)
                if name is not None:
                    value = self.values.get(name, WITHHELD)
                    parts.append(_show(value, spec or "") if known is None else known.show(value, spec or ""))
        except ValueError:
            return self.template
        return clean_message("".join(parts))


def clean_message(text: str, limit: int = 2000) -> str:
    text = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: Any, spec: str) -> str:
    if isinstance(value, np.ndarray) or hasattr(value, "type_name"):
        return _kind(value)
    try:
        text = format(value, spec)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 300 else text[:297] + "..."


@dataclass(frozen=True)
class Vocabulary:
    """What a grader itself wrote, so may be shown next to reference cells: its literal strings and
    numbers, plus labels the kit took from reference values."""

    strings: frozenset[str]
    numbers: frozenset[float]

    def with_labels(self, labels: set[str]) -> "Vocabulary":
        return Vocabulary(self.strings | labels, self.numbers)

    def show(self, value: Any, spec: str) -> str:
        if value is None or isinstance(value, (bool, np.bool_)):
            return str(bool(value) if value is not None else None)
        if isinstance(value, (int, float, np.integer, np.floating)):
            number = float(value)
            if number in self.numbers or not math.isfinite(number):
                return _show(value, spec)
            return f"about {float(f'{number:.0e}'):g}"
        if isinstance(value, str):
            return value if value in self.strings else WITHHELD
        if isinstance(value, (tuple, list)) and len(value) <= 8 and all(
                isinstance(v, (int, float, np.integer, np.floating)) for v in value):
            shown = ", ".join(self.show(v, "") for v in value)
            return f"({shown}{',' if len(value) == 1 else ''})"
        return WITHHELD


@lru_cache(maxsize=None)
def vocabulary(module_name: str) -> Vocabulary:
    """The literals of a grader module and of this kit (read from their source files)."""
    strings: set[str] = set()
    numbers: set[float] = set()
    for name in (module_name, __name__):
        path = getattr(importlib.import_module(name), "__file__", None)
        if not path:
            continue
        for node in ast.walk(ast.parse(Path(path).read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
            elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and \
                    not isinstance(node.value, bool):
                numbers.update((float(node.value), -float(node.value)))
    return Vocabulary(frozenset(strings), frozenset(numbers))


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
        self._reference = reference
        self.labels: set[str] = set()  # names of reference values: the grader's words, safe to show

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._open_session()
        return self._session

    def reference(self, probe: Probe) -> dict[str, Any]:
        """The probe's values on the master notebook (computed once per probe)."""
        values = self._reference(probe)
        self.labels.update(_labels(values))
        return values

    @staticmethod
    def expect(condition: bool, message: str, **values: Any) -> None:
        """Fail with ``message`` (a template; see the module docstring) unless ``condition`` holds."""
        if not condition:
            raise Failure(message, **values)

    @staticmethod
    def array(value: Any, shape: tuple[int, ...] | None = None, what: str = "the value") -> np.ndarray:
        """``value`` as a finite float64 array of ``shape``, or a ``Failure`` saying what was wrong."""
        if isinstance(value, (list, tuple)) and value and _numeric_sequence(value):
            value = np.asarray(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (np.ndarray, int, float, np.number)):
            if shape is None:
                raise Failure("{what}: expected an array, got {kind}", what=what, kind=_kind(value))
            raise Failure("{what}: expected an array of shape {shape}, got {kind}", what=what, shape=tuple(shape),
                          kind=_kind(value))
        array = np.asarray(value)
        if array.dtype.kind not in "fiub":
            raise Failure("{what}: expected numbers, got an array of {dtype}", what=what, dtype=str(array.dtype))
        if shape is not None and array.shape != tuple(shape):
            raise Failure("{what}: expected shape {shape}, got {got}", what=what, shape=tuple(shape),
                          got=array.shape)
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            raise Failure("{what}: contains NaN or infinity", what=what)
        return array

    @classmethod
    def number(cls, value: Any, what: str = "the value") -> float:
        """A single finite number (a Python number or an array holding one element)."""
        array = cls.array(value, None, what)
        if array.size != 1:
            raise Failure("{what}: expected a single number, got an array of shape {shape}", what=what,
                          shape=array.shape)
        return float(array.reshape(()))

    def compare(self, probe: Probe, rtol: float, atol: float = 0.0) -> None:
        """Run ``probe`` on the submission and on the master; every value must match within tolerance."""
        want = self.reference(probe)
        got = probe(self.session)
        for label, expected in want.items():
            if label not in got:
                raise Failure("{label}: no value", label=label)
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
            plus = self.array(forward(x.copy()), dout.shape, "the forward pass during the gradient check")
            x[index] = old - h
            minus = self.array(forward(x.copy()), dout.shape, "the forward pass during the gradient check")
            x[index] = old
            numeric[index] = np.sum((plus - minus) * dout) / (2 * h)
        error = relative_error(analytic, numeric)
        self.expect(error <= rtol, "{what} disagrees with finite differences: relative error {error:.1e} "
                                   "(allowed {rtol:.0e})", what=what, error=error, rtol=rtol)

    def require_accuracy(self, logits: Any, labels: np.ndarray, threshold: float, what: str) -> float:
        accuracy = self.accuracy(logits, labels, what)
        self.expect(accuracy >= threshold, "{what}: accuracy {accuracy:.3f}, required at least {threshold:.2f}",
                    what=what, accuracy=accuracy, threshold=threshold)
        return accuracy

    def accuracy(self, logits: Any, labels: np.ndarray, what: str) -> float:
        """The fraction of rows of ``logits`` (computed here from what the child sent) whose largest score
        is at the label."""
        scores = self.array(logits, None, what)
        self.expect(scores.ndim == 2 and scores.shape[0] == len(labels),
                    "{what}: expected scores of shape ({rows}, classes), got {shape}", what=what, rows=len(labels),
                    shape=scores.shape)
        return float(np.mean(np.argmax(scores, axis=1) == labels))


def _labels(values: Any, prefix: str = "") -> set[str]:
    """The names ``compare_values`` gives the parts of a reference value."""
    found = set()
    if isinstance(values, dict):
        for key, value in values.items():
            label = f"{prefix}[{key!r}]" if prefix else str(key)
            found |= {label, str(key)} | _labels(value, label)
    elif isinstance(values, (list, tuple)) and not _numeric_sequence(values):
        for i, value in enumerate(values):
            found |= {f"{prefix}[{i}]"} | _labels(value, f"{prefix}[{i}]")
    return found


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise ``|a - b| / max(1e-8, |a| + |b|)``, as in ``course_utils.gradient_check``."""
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def compare_values(got: Any, expected: Any, label: str, rtol: float, atol: float = 0.0) -> None:
    """Compare a value from the submission with the reference's, recursively for lists and dicts."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            raise Failure("{label}: expected a dict, got {kind}", label=label, kind=_kind(got))
        for key, value in expected.items():
            if key not in got:
                raise Failure("{label}: missing key {key}", label=label, key=key)
            compare_values(got[key], value, f"{label}[{key!r}]", rtol, atol)
        return
    if isinstance(expected, (list, tuple)) and not _numeric_sequence(expected):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            raise Failure("{label}: expected {count} values, got {kind}", label=label, count=len(expected),
                          kind=_kind(got))
        for i, (g, e) in enumerate(zip(got, expected)):
            compare_values(g, e, f"{label}[{i}]", rtol, atol)
        return
    if isinstance(expected, (bool, str)) or expected is None:
        if got != expected:
            raise Failure("{label}: expected {expected}, got {kind}", label=label, expected=repr(expected),
                          kind=_kind(got))
        return
    want = np.asarray(expected, dtype=np.float64)
    have = Kit.array(got, want.shape, label)
    if atol and np.max(np.abs(have - want), initial=0.0) <= atol:
        return
    error = relative_error(have, want)
    if error > rtol:
        raise Failure("{label}: relative error {error:.1e} against the reference (allowed {rtol:.0e})",
                      label=label, error=error, rtol=rtol)


def _numeric_sequence(value: Any) -> bool:
    return all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in value)


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}" if not hasattr(value, "type_name") else f"an object of type {value.type_name}"
