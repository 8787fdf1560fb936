"""Grade one submission notebook with its hidden grader.

Each test runs in its own sandboxed child that holds only the answer cells
the test is about (the student's) and the answer cells they build on (the
master's), after the notebook's trusted setup cells. So a hang in one class
costs only the tests that use it, and a bug in one question costs points only
on that question. Reference values come from the master notebook, loaded
through the same sandbox in the same way, and are cached per probe.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from autograder.assignments import CourseError, Notebook
from autograder.kit import Failure, GradedTest, Kit, Probe, Rule, builtin_exception, collect, forbidden_uses
from autograder.results import ManualItem, SubmissionResult, TestResult
from autograder.sandbox import (CellFailed, Sandbox, SandboxConfig, SandboxError, Session, StudentException)

PRIVATE_NOTE = ("printed output and error messages are withheld for tests that run your code next to "
                "reference components")


GRADER_PROBLEM = "grader problem, please tell your instructor"
SANDBOX_NOTE = "sandbox: "


class UnreadableNotebook(Exception):
    pass


def answer_cells(text: str | bytes) -> dict[str, str]:
    """Code answer cells of a notebook by ``grade_id``; tolerant of everything but broken JSON."""
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableNotebook(f"not valid notebook JSON ({exc})") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise UnreadableNotebook("the file holds no list of cells")
    found = {}
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if isinstance(meta, dict) and meta.get("solution") and isinstance(meta.get("grade_id"), str) \
                and isinstance(source, str):
            found[meta["grade_id"]] = source
    return found


@dataclass
class Grader:
    """A notebook's hidden tests together with what they need from the master notebook."""

    assignment: str
    notebook: Notebook
    module: ModuleType
    tests: list[GradedTest]
    master_cells: dict[str, str]
    cell_order: list[str]
    setup: tuple[tuple[str, str], ...]
    rules: dict[str, list[Rule]]
    manual: list[ManualItem]

    def sandbox_config(self, hide: tuple[str, ...] = ()) -> SandboxConfig:
        """Children see the course's public folders only; ``hide`` adds folders (results, submissions)."""
        root = self.notebook.path.resolve().parents[2]
        keep = [str(root / name) for name in ("course_utils", "release", "datasets", ".venv")]
        return SandboxConfig(setup_cells=self.setup, hide=(str(root), *hide), keep=tuple(keep),
                             environment={"COURSE_QUICK": "1"})

    def cells_for(self, test: GradedTest, student: dict[str, str]) -> list[tuple[str, str]]:
        return [(name, student[name] if name in test.cells else self.master_cells[name])
                for name in self.cell_order if name in test.cells or name in test.needs]

    @property
    def questions(self) -> list[str]:
        return list(dict.fromkeys(t.question for t in self.tests))


def load_grader(assignment: str, notebook: Notebook) -> Grader:
    """Import ``autograder.graders.<notebook>`` and check that it fits the master notebook."""
    try:
        module = importlib.import_module(f"autograder.graders.{notebook.name}")
    except ModuleNotFoundError as exc:
        raise CourseError(f"no hidden grader for {notebook.name}: expected autograder/graders/{notebook.name}.py"
                          ) from exc
    text = notebook.path.read_text()
    master = answer_cells(text)
    order = list(master)
    document = json.loads(text)
    by_id = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): "".join(c["source"])
             if isinstance(c["source"], list) else c["source"] for c in document["cells"]}
    tests = collect(module)
    setup = tuple((name, by_id[name]) for name in module.SETUP_CELLS)
    problems = []
    for test in tests:
        problems += [f"{test.name}: unknown answer cell {c}" for c in (*test.cells, *test.needs) if c not in master]
    auto = {c.grade_id: c.points for c in notebook.graded_cells if c.kind == "auto"}
    points: dict[str, float] = {}
    for test in tests:
        points[test.item] = points.get(test.item, 0.0) + test.points
    for item in sorted(set(auto) | set(points)):
        if abs(auto.get(item, 0.0) - points.get(item, 0.0)) > 1e-9:
            problems.append(f"{item}: the notebook gives {auto.get(item, 0):g} points, the hidden tests "
                            f"{points.get(item, 0):g}")
    if problems:
        raise CourseError(f"hidden grader {module.__name__} does not fit {notebook.path}:\n  " + "\n  ".join(problems))
    manual = [ManualItem(c.grade_id, c.points) for c in notebook.graded_cells if c.kind == "manual"]
    return Grader(assignment, notebook, module, tests, master, order, setup, dict(module.RULES), manual)


class References:
    """Probe values of the master notebook, computed once per probe in a sandbox of their own."""

    def __init__(self, grader: Grader, values: dict[str, dict[str, Any]] | None = None) -> None:
        self.grader = grader
        self.values: dict[str, dict[str, Any]] = dict(values or {})
        self._sandbox: Sandbox | None = None

    def get(self, probe: Probe, test: GradedTest) -> dict[str, Any]:
        key = f"{probe.__module__}.{probe.__qualname__}"
        if key not in self.values:
            if self._sandbox is None:
                self._sandbox = Sandbox(self.grader.sandbox_config())
            try:
                with self._sandbox.session(self.grader.cells_for(test, self.grader.master_cells),
                                           test.limits(), test.arrays) as session:
                    self.values[key] = probe(session)
            except (SandboxError, Failure) as exc:
                raise RuntimeError(f"the master notebook fails probe {key}: {exc}") from None
        return self.values[key]

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()


def run_test(grader: Grader, test: GradedTest, student: dict[str, str], sandbox: Sandbox,
             references: References) -> TestResult:
    """Run one hidden test; every way it can go wrong becomes a score of 0 and a message."""
    start = time.perf_counter()
    missing = [c for c in test.cells if c not in student]
    broken = [reason for c in test.cells if c in student for reason in forbidden_uses(student[c],
                                                                                       grader.rules.get(c, []))]
    if missing or broken:
        message = (f"your notebook has no answer cell {', '.join(missing)} (was it deleted, or its metadata changed?)"
                   if missing else "rule broken: " + "; ".join(dict.fromkeys(broken)))
        return TestResult(test.name, test.item, 0.0, test.points, message, "", test.visibility, 0.0)
    opened: list[Session] = []

    def open_session() -> Session:
        opened.append(sandbox.session(grader.cells_for(test, student), test.limits(), test.arrays))
        return opened[-1]

    kit = Kit(open_session, lambda probe: references.get(probe, test))
    message = ""
    try:
        test.function(kit)
    except Failure as exc:
        message = str(exc) or "check failed"
    except StudentException as exc:
        message = _student_error(exc, test)
    except SandboxError as exc:
        message = str(exc)
    except Exception as exc:  # noqa: BLE001 - a grader bug must cost this test, not the batch
        message = f"{GRADER_PROBLEM}: {type(exc).__name__}: {exc}"
    output = ""
    for session in opened:
        outcome = session.finish()
        if outcome.output and not test.private:
            output += outcome.output
            if outcome.truncated:
                output += f"\n[... {outcome.output_bytes - len(outcome.output.encode())} more bytes not shown]"
    if test.private and message and any(s.outcome and s.outcome.output for s in opened):
        message += f"\n({PRIVATE_NOTE})"
    return TestResult(test.name, test.item, 0.0 if message else test.points, test.points, message, output,
                      test.visibility, time.perf_counter() - start)


def _student_error(exc: StudentException, test: GradedTest) -> str:
    """What the student sees when their code raised; from a private test, only a builtin type and line."""
    if not test.private:
        return str(exc) if isinstance(exc, CellFailed) else f"your code raised {exc}"
    prefix = f"running your cell {exc.cell} raised" if isinstance(exc, CellFailed) else "your code raised"
    kind = exc.type if builtin_exception(exc.type) else "an exception"
    line = re.fullmatch(r"(\w{1,60}), line (\d{1,7})", exc.where)
    where = f" ({exc.where})" if line and line.group(1) in test.cells else ""
    return f"{prefix} {kind}{where} ({PRIVATE_NOTE})"


def grade_answers(grader: Grader, answers: dict[str, str], sandbox: Sandbox, references: References,
                  only_cells: set[str] | None = None, questions: set[str] | None = None) -> list[TestResult]:
    """Run the hidden tests on a set of answer cells: all of them, or those that load one of
    ``only_cells`` and belong to one of ``questions``."""
    return [run_test(grader, test, answers, sandbox, references) for test in grader.tests
            if (only_cells is None or only_cells & set(test.cells)) and
            (questions is None or test.question in questions)]


def grade_notebook(grader: Grader, path: Path | None, student: str, sandbox: Sandbox, references: References,
                   questions: set[str] | None = None) -> SubmissionResult:
    """Grade the notebook at ``path`` (``None``: not submitted): one ``TestResult`` per hidden test
    (of ``questions`` only, if given)."""
    start = time.perf_counter()
    data, answers, problem = b"", {}, ""
    if path is None:
        problem = f"no {grader.notebook.path.name} found in the submission"
    else:
        try:
            data = path.read_bytes()
            answers = answer_cells(data)
        except (OSError, UnreadableNotebook) as exc:
            problem = f"your notebook could not be read: {exc}"
    if problem:
        results = [TestResult(t.name, t.item, 0.0, t.points, problem, "", t.visibility) for t in grader.tests
                   if questions is None or t.question in questions]
    else:
        results = grade_answers(grader, answers, sandbox, references, questions=questions)
    return SubmissionResult(student, grader.assignment, results, list(grader.manual), time.perf_counter() - start,
                            hashlib.sha256(data).hexdigest(),
                            [problem] * bool(problem) + [f"{SANDBOX_NOTE}{note}" for note in sorted(sandbox.notes)])
