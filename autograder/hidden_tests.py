"""Hidden tests are pytest tests: their marks, their collection, and running one with a given kit.

A grader is a package ``autograder/graders/<notebook>/``: its ``__init__`` is the spec (``SETUP_CELLS``,
``QUESTIONS``, ``RULES``), its other modules hold the tests, one question (or two related ones) each. A
test is a function ``test_<question>_...(kit)`` marked with ``@graded(item, points)``; it may take
further pytest fixtures and be parametrized. What a question's tests load is declared once, in the spec:
``QUESTIONS = {"Q2": Question(cells=("Q2_solution",), needs=("Q1_solution",), arrays="numpy")}`` (keyed by
an item's id instead where the items of one question test different cells).

pytest collects a grader once per process (``collect``); the engine runs one item at a time with the
``Kit`` it built for the submission under test (``run``), and learns how the test ended from the
exception it raised, which the engine turns into a message a student may see. The pytest plugin that gives
tests their ``kit`` is ``autograder/graders/conftest.py``; it also lets an instructor run a grader with
pytest itself.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest
from _pytest.config import _prepareconfig
from _pytest.main import Session as PytestSession
from _pytest.reports import TestReport
from _pytest.runner import runtestprotocol

from autograder.assignments import CourseError
from autograder.notebook import question_of
from autograder.sandbox import Limits

__all__ = ["GradedTest", "Question", "collect", "graded", "run"]

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
KIT = pytest.StashKey[Any]()
RAISED = pytest.StashKey[BaseException | None]()
# what pytest loads to collect a grader: nothing else (no terminal, capture, cache or ini files)
PYTEST_ARGS = ("-c", os.devnull, "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:logging",
               "-p", "no:warnings", "-p", "no:xdist", "--capture=no")


@dataclass(frozen=True)
class Question:
    """What the tests of one question load: ``cells``, the student's answer cells under test; ``needs``,
    answer cells they build on, taken from the master so that a bug there costs points only once;
    ``arrays``, whether arrays sent to the child arrive as torch tensors or numpy arrays; ``settings``, the
    grader's own values of settings the notebook's setup cells define (``{"COMPARE_EPOCHS": 50}``), assigned
    in the child before the cells run (the master's reference values are computed under the same ones);
    ``files``: files handed in next to the notebook that the tests read (``kit.file``), each declared with its
    size limit in the spec's ``FILES``."""

    cells: tuple[str, ...]
    needs: tuple[str, ...] = ()
    arrays: str = "torch"
    settings: tuple[tuple[str, int | float | str], ...] = ()
    files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.arrays not in {"torch", "numpy"}:
            raise ValueError(f"unknown array type {self.arrays!r}")
        for name, value in self.settings:
            if not name.isidentifier() or type(value) not in (int, float, str):
                raise ValueError(f"a setting is a name and a number or string, not {name!r} = {value!r}")


def graded(item: str, points: float, timeout: float = 30.0, visibility: str = "visible",
           memory_bytes: int = 2 * 2**30, needs: tuple[str, ...] = (), prices_shapes: bool = False
           ) -> Callable[[Callable], Callable]:
    """Mark a hidden test: its ``points`` belong to ``item`` (a graded cell of the notebook); ``needs``: master
    cells this test builds on besides its question's; ``prices_shapes``: this is the item's shape test, so its
    other tests compare values whatever their shape (``Kit.values``)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"unknown visibility {visibility!r}")

    def mark(function: Callable) -> Callable:
        if not function.__name__.startswith(f"test_{question_of(item)}_"):
            raise ValueError(f"{function.__name__}: a test's name starts with test_ and its question id")
        return pytest.mark.graded(item=item, points=float(points), timeout=float(timeout), visibility=visibility,
                                  memory_bytes=memory_bytes, needs=tuple(needs),
                                  prices_shapes=prices_shapes)(function)

    return mark


@dataclass(frozen=True)
class GradedTest:
    """One hidden test (a collected pytest item): its points belong to ``item``."""

    node: pytest.Item
    item: str
    points: float
    cells: tuple[str, ...]
    needs: tuple[str, ...]
    timeout: float
    visibility: str
    memory_bytes: int
    arrays: str
    settings: tuple[tuple[str, int | float | str], ...] = ()
    prices_shapes: bool = False
    files: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        function = self.node.function
        title = " ".join(_first_paragraph(function.__doc__ or function.__name__).split()).rstrip(".")
        case = getattr(self.node, "callspec", None)
        return f"{self.item}: {title}" + (f" [{case.id}]" if case else "")

    @property
    def question(self) -> str:
        return question_of(self.item)

    def limits(self) -> Limits:
        return Limits(wall_seconds=self.timeout, memory_bytes=self.memory_bytes)


def graded_test(node: pytest.Item, questions: dict[str, Question]) -> GradedTest:
    """The hidden test that a collected item is, with what its question loads."""
    mark = node.get_closest_marker("graded")
    if mark is None:
        raise CourseError(f"{node.nodeid}: a hidden test is marked @graded(item, points)")
    marked = mark.kwargs
    key = marked["item"] if marked["item"] in questions else question_of(marked["item"])
    if key not in questions:
        raise CourseError(f"{node.nodeid}: the spec's QUESTIONS has no {key}")
    spec = questions[key]
    return GradedTest(node, marked["item"], marked["points"], spec.cells, (*spec.needs, *marked["needs"]),
                      marked["timeout"], marked["visibility"], marked["memory_bytes"], spec.arrays, spec.settings,
                      marked["prices_shapes"], spec.files)


class _Recorder:
    """The plugin of an engine-driven session: keeps collection errors, and makes each run's report
    itself (pytest's would format a traceback that nobody reads)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(f"{report.nodeid}: {report.longrepr}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> TestReport:
        if call.excinfo is not None and item.stash.get(RAISED, None) is None:
            item.stash[RAISED] = call.excinfo.value
        return TestReport(item.nodeid, item.location, {}, "failed" if call.excinfo else "passed", None, call.when)


def collect(package: ModuleType) -> list[GradedTest]:
    """The hidden tests of a grader package, collected by pytest in this process (its session lives on in the
    items)."""
    folder = Path(package.__file__).parent
    recorder = _Recorder()
    config = _prepareconfig([str(folder), *PYTEST_ARGS, "--confcutdir", str(folder.parent)], plugins=[recorder])
    config._do_configure()
    session = PytestSession.from_config(config)
    config.hook.pytest_sessionstart(session=session)
    session.perform_collect()
    if recorder.errors:
        raise CourseError(f"hidden grader {package.__name__} does not load:\n" + "\n".join(recorder.errors))
    return [graded_test(node, package.QUESTIONS) for node in session.items]


def run(test: GradedTest, kit: Any) -> None:
    """Run the test with ``kit``; raise what it raised (a ``Failure``, a sandbox error, a grader bug)."""
    node = test.node
    node.stash[KIT] = kit
    node.stash[RAISED] = None
    try:
        runtestprotocol(node, log=False, nextitem=None)
    finally:
        del node.stash[KIT]
    raised = node.stash[RAISED]
    if raised is not None:
        raise raised


def _first_paragraph(text: str) -> str:
    """A docstring's text up to its first blank line: a test's title, however many lines it is wrapped on."""
    return re.split(r"\n\s*\n", text.strip())[0]
