"""What a student may read of a failed check: message templates filled in with the grader's words only.

A message is a template with named fields, never an f-string:
``kit.expect(ok, "{what}: accuracy {accuracy:.3f}, required {target:.2f}", what="validation accuracy",
accuracy=accuracy, target=Given(0.85))``. The engine fills it in (``Failure.render``) so that a student sees
only what the grader wrote, whatever a child learned (a child may hold reference cells, or may have learned from
an earlier child through the machine it shares): the template must be a literal of the grader or of the kit; a
string is shown only if the grader wrote it (a literal, or the name of a reference value); a number the grader
chose (wrapped in ``Given``: a threshold, a tolerance, an expected size) is shown exactly if the grader or the
reference holds it, and so is a tuple of them (an expected shape). Of the child's values only a measure is shown,
and coarsely: a number formatted as one (``e``, ``f`` or ``g``: an error, a fraction, an accuracy, a loss) as one
of ``COARSE_VALUES`` words (an error as its power of ten, a fraction to one decimal, else a power-of-ten range);
a number without such a format (a count, a length, a size), a tuple (a shape), an array or an object is withheld
whatever it holds. So no child-chosen shape, length, dtype, key or count reaches a message: templates say "got
another shape", "got something else" (``tests/autograder/test_messages.py`` scans every template for a field
derived from the child). ``Failure(..., detail=...)`` adds words for the grader's author only (``str``), never for
a student. ``information_bits`` bounds what a failing test's message can carry.
"""
from __future__ import annotations

import ast
import importlib
import math
import pkgutil
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

from autograder.sandbox import clean

WITHHELD = "(withheld)"
UNSHOWN = "this check failed; its message is withheld because it is not a literal template of the grader"


@dataclass(frozen=True)
class Given:
    """A value of a message that the grader chose (a threshold, a tolerance, an expected shape or count)."""

    value: Any

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


class Failure(AssertionError):
    """A check did not pass: ``message`` is a template whose ``{fields}`` come from ``values``."""

    def __init__(self, message: str, /, detail: str = "", **values: Any) -> None:
        super().__init__(message)
        self.template = message
        self.values = values
        self.detail = detail  # what the child sent, in words for the grader's author only (``str``)

    def __str__(self) -> str:
        """Every field in full, and the detail: for the grader's author (a debugger, a failing test), never for
        feedback."""
        text = self._fill(lambda value, spec: _show(value.value if isinstance(value, Given) else value, spec))
        return f"{text} [{clean(self.detail, 300)}]" if self.detail else text

    def render(self, known: "Vocabulary") -> str:
        """The message as a student may see it (see the module docstring)."""
        if self.template not in known.strings:
            return UNSHOWN
        return self._fill(known.show)

    def _fill(self, show: Callable[[Any, str], str]) -> str:
        parts = []
        try:
            for literal, name, spec, _ in string.Formatter().parse(self.template):
                parts.append(literal)
                if name is not None:
                    parts.append(show(self.values.get(name, WITHHELD), spec or ""))
        except ValueError:
            return self.template
        return clean("".join(parts), 2000, keep_newlines=True)


def _show(value: Any, spec: str) -> str:
    if isinstance(value, np.ndarray) or hasattr(value, "type_name"):
        return kind_of(value)
    try:
        text = format(value, spec)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 300 else text[:297] + "..."


def coarse(number: float, spec: str) -> str:
    """``number`` as one of ``COARSE_VALUES`` words: an error (``e`` format) as its power of ten from 1e-16 to
    1e+02, anything else to one decimal up to 1 in size, else the power-of-ten range it lies in below 10000."""
    if not math.isfinite(number):
        return "not finite"
    sign, size = ("-" if number < 0 else ""), abs(number)
    if spec.endswith(("e", "E")):
        if size < 1e-16:
            return "below 1e-16"
        return f"about {sign}1e{min(2, math.floor(math.log10(size))):+03d}"
    if size <= 1:
        return f"about {sign if round(size, 1) else ''}{round(size, 1):.1f}"
    if size >= 10_000:
        return "less than -10000" if sign else "more than 10000"
    low = 10 ** min(3, math.floor(math.log10(size)))
    return f"between {sign}{low:g} and {sign}{10 * low:g}"


COARSE_VALUES = 40  # how many words ``coarse`` has for one format (test_messages counts them): 40 for an error
MEASURES = ("e", "E", "f", "F", "g", "G", "%")  # formats that make a number a measure, shown coarsely


def information_bits(messages: int, coarse_fields: int) -> float:
    """What a failing test's message can carry, in bits, at most: which of its ``messages`` it is (the grader's
    words: a template with the grader's values, or a sandbox error), ``coarse_fields`` coarse numbers of the
    child's in it, and whether the child printed anything (the note ``engine.OUTPUT_NOTE``)."""
    return math.log2(messages) + coarse_fields * math.log2(COARSE_VALUES) + 1


NUMBER = (int, float, np.integer, np.floating)


@dataclass(frozen=True)
class Vocabulary:
    """What the grader itself wrote or computed, so may be shown: its literal strings and numbers, and the
    names and scalars of the reference values the kit fetched."""

    strings: frozenset[str]
    numbers: frozenset[float]

    def with_reference(self, labels: set[str], numbers: set[float]) -> "Vocabulary":
        return Vocabulary(self.strings | labels, self.numbers | numbers)

    def show(self, value: Any, spec: str) -> str:
        given = isinstance(value, Given)
        value = value.value if given else value
        if value is None or isinstance(value, (bool, np.bool_)):
            return str(bool(value) if value is not None else None)
        if isinstance(value, NUMBER):
            if given and float(value) in self.numbers:
                return _show(value, spec)
            # a number of the child's is shown only as a measure (a count or a size never is)
            return coarse(float(value), spec) if given or spec.endswith(MEASURES) else WITHHELD
        if isinstance(value, str):
            return value if value in self.strings else WITHHELD
        if given and isinstance(value, tuple) and len(value) <= 8 and all(isinstance(v, NUMBER) for v in value):
            shown = ", ".join(self.show(Given(v), "") for v in value)
            return f"({shown}{',' if len(value) == 1 else ''})"
        return WITHHELD  # a shape, a list, an array, an object: never the child's


@lru_cache(maxsize=None)
def vocabulary(grader_name: str) -> Vocabulary:
    """The literals of a grader (a module, or a package and every module in it) and of the kit, read from
    their source files."""
    strings: set[str] = set()
    numbers: set[float] = set()
    for module in (*grader_modules(importlib.import_module(grader_name)), importlib.import_module("autograder.kit")):
        for node in ast.walk(ast.parse(Path(module.__file__).read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
            elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and \
                    not isinstance(node.value, bool):
                numbers.update((float(node.value), -float(node.value)))
    return Vocabulary(frozenset(strings), frozenset(numbers))


def grader_modules(grader: ModuleType) -> list[ModuleType]:
    """A grader module, or a grader package and its modules in name order (``common``, ``q1_...``, ``q2_...``)."""
    if not hasattr(grader, "__path__"):
        return [grader]
    names = sorted(info.name for info in pkgutil.iter_modules(grader.__path__))
    return [grader, *(importlib.import_module(f"{grader.__name__}.{name}") for name in names)]


def kind_of(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}" if not hasattr(value, "type_name") else f"an object of type {value.type_name}"
