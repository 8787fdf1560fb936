"""Mutation testing of the hidden graders: realistic bugs must lose points, correct variants must not.

A catalogue is a folder ``tests/mutants/<notebook>/`` of Python modules, one per
question like the grader's, each defining ``MUTANTS`` and ``ALTERNATIVES``, lists
of the classes below. Each entry edits one answer cell of the master notebook by
exact text replacement anchored on single lines: every ``old`` is one line of the
master cell (or part of one) that occurs exactly once (a line that a bug deletes
is left empty), so a catalogue that no longer fits the master fails loudly
instead of silently testing nothing, and no block of master code is copied.
An alternative may instead replace the whole cell (``source``): correct code
written to the handout's task, not to our master's design. A module may also
define ``HOLLOW``: code in a cell's place that does none of its work, which must
score nothing in its question (beyond a declared part it does right). Only the
tests that load the edited cell are run: the other tests hold none of the
edited code, so they cannot change. A mutant's run ends at the first point its
item loses (its question's tests run cheapest first); an alternative or a
hollow answer runs every test of its cell.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import CourseError
from autograder.engine import GRADER_PROBLEM
from autograder.messages import UNSHOWN
from autograder.notebook import question_of
from autograder.results import TestResult


class _Entry:
    """What mutants and alternatives share: the cell they edit and how to name them in an error."""

    description: str
    cell: str

    @property
    def where(self) -> str:
        return f"{self.description} ({self.cell})"


@dataclass(frozen=True)
class Mutant(_Entry):
    """A bug in ``cell`` that must cost points on ``item`` and nowhere outside ``item``'s question; with ``once``,
    on ``item`` alone (DESIGN rule 9: the test suite grades such a mutant to the end to see)."""

    item: str
    description: str
    cell: str
    edits: tuple[tuple[str, str], ...]
    once: bool = False

    @property
    def question(self) -> str:
        return question_of(self.item)

    def apply(self, master: str) -> str:
        return apply_edits(master, self.edits, self.where)


@dataclass(frozen=True)
class Alternative(_Entry):
    """A correct variant of ``cell`` (another formula, float64, extra prints) that must keep every point:
    the master's cell with ``edits``, or ``source`` in its place."""

    description: str
    cell: str
    edits: tuple[tuple[str, str], ...] = ()
    source: str | None = None

    def apply(self, master: str) -> str:
        return self.source if self.source is not None else apply_edits(master, self.edits, self.where)


@dataclass(frozen=True)
class Hollow(_Entry):
    """Code in the place of ``cell`` that does none of its work (returns its input, zeros, a constant): its
    question may keep at most ``keeps`` points, for a part it does do right (say a correct initialization;
    the description names it). A grader that pays for consistency with the student's own code (a backward
    checked against its own forward, say) is what such code finds out."""

    description: str
    cell: str
    source: str
    keeps: float = 0.0

    def apply(self, master: str) -> str:
        return self.source


Entry = Mutant | Alternative | Hollow


@dataclass(frozen=True)
class Verdict:
    entry: Entry
    results: tuple[TestResult, ...]
    problem: str

    @property
    def ok(self) -> bool:
        return not self.problem


def apply_edits(source: str, edits: tuple[tuple[str, str], ...], where: str) -> str:
    for old, new in edits:
        if "\n" in old:
            raise CourseError(f"{where}: the text to replace spans several lines; an edit is anchored on one line "
                              f"of the master cell, not on a block:\n{old}")
        count = source.count(old)
        if count != 1:
            raise CourseError(f"{where}: the text to replace occurs {count} times in the master cell, not once:\n"
                              f"{old}")
        source = source.replace(old, new)
    return source


def _catalogue_modules(root: Path, notebook: str) -> list:
    folder = root / "tests" / "mutants" / notebook
    paths = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    if not paths:
        raise CourseError(f"no mutant catalogue for {notebook}: expected modules in {folder}")
    modules = []
    for path in paths:
        spec = importlib.util.spec_from_file_location(f"mutant_catalogue_{notebook}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def load_catalogue(root: Path, notebook: str) -> tuple[list[Mutant], list[Alternative]]:
    """The ``MUTANTS`` and ``ALTERNATIVES`` of every module of ``tests/mutants/<notebook>/``, in name order."""
    modules = _catalogue_modules(root, notebook)
    return ([m for module in modules for m in getattr(module, "MUTANTS", [])],
            [a for module in modules for a in getattr(module, "ALTERNATIVES", [])])


def load_hollow(root: Path, notebook: str) -> list[Hollow]:
    """The ``HOLLOW`` answers of every module of ``tests/mutants/<notebook>/`` (by custom, ``hollow.py``)."""
    return [h for module in _catalogue_modules(root, notebook) for h in getattr(module, "HOLLOW", [])]


def points_lost(results: list[TestResult]) -> dict[str, float]:
    """The points each item lost, for the items that lost any."""
    lost: dict[str, float] = {}
    for t in results:
        if t.score < t.max_score - 1e-9:
            lost[t.item] = lost.get(t.item, 0.0) + t.max_score - t.score
    return lost


def judge(entry: Entry, results: list[TestResult]) -> Verdict:
    broken = [t.name for t in results if t.message.startswith(GRADER_PROBLEM)]
    if broken:
        return Verdict(entry, tuple(results), "a hidden test itself failed: " + "; ".join(broken))
    unshown = [t.name for t in results if t.message.startswith(UNSHOWN)]
    if unshown:
        return Verdict(entry, tuple(results), "a hidden test wrote a message that is not a literal template, so "
                                              "students next to reference cells see none: " + "; ".join(unshown))
    lost = points_lost(results)
    if isinstance(entry, Alternative):
        failing = [f"{t.name}: {t.message}" for t in results if not t.passed]
        problem = "a correct variant lost points: " + "; ".join(failing) if failing else ""
    elif isinstance(entry, Hollow):
        question = question_of(entry.cell)
        kept = [t for t in results if question_of(t.item) == question and t.score > 0]
        score = sum(t.score for t in kept)
        problem = (f"scored {score:g} points of {question} (at most {entry.keeps:g} allowed): "
                   + "; ".join(f"{t.name} ({t.score:g})" for t in kept)) if score > entry.keeps + 1e-9 else ""
    else:
        elsewhere = sorted(item for item in lost if question_of(item) != entry.question)
        if entry.item not in lost:
            problem = f"survived: no points lost on {entry.item}"
        elif elsewhere:
            problem = f"also lost points outside {entry.question}: {', '.join(elsewhere)}"
        else:
            problem = ""
    return Verdict(entry, tuple(results), problem)


def catalogue_calls(master_cells: dict[str, str], notebook: str, entries: list[Entry], stop_early: bool = True
                    ) -> list[tuple[str, dict[str, str], set[str], str | None]]:
    """``Grading.grade_answers`` arguments for every entry: the master's answers with one cell edited. With
    ``stop_early``, a mutant's question stops at the first point its item loses."""
    calls = []
    for entry in entries:
        if entry.cell not in master_cells:
            raise CourseError(f"{entry.description}: the master has no answer cell {entry.cell}")
        edited = entry.apply(master_cells[entry.cell])
        until_lost = entry.item if isinstance(entry, Mutant) and stop_early else None
        calls.append((notebook, {**master_cells, entry.cell: edited}, {entry.cell}, until_lost))
    return calls
