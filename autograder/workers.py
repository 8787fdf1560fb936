"""Grading in one process or several: graders, sandbox hosts and reference values, ready to use.

``Grading`` holds, for every notebook of an assignment, its hidden grader, a
sandbox host and the master's reference values. ``Workers`` runs calls of its
methods on ``jobs`` worker processes (forked, so torch is imported once, each with
its own ``Grading``), or here when ``jobs`` is 1; ``run_parallel`` is the same for a
list of calls known in advance.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Iterator

from autograder.assignments import CourseError, load_assignment
from autograder.engine import Grader, References, grade_answers, grade_notebook, load_grader
from autograder.results import SubmissionResult, TestResult
from autograder.sandbox import Sandbox
from autograder.submissions import Answers


class Grading:
    def __init__(self, root: Path, assignment: str, reference_values: dict[str, dict] | None = None,
                 hide: tuple[str, ...] = ()) -> None:
        """``hide``: folders besides the course that sandboxed children must not see (results, submissions)."""
        self.root = root
        self.hide = hide
        self.assignment = load_assignment(root, assignment)
        self.graders: dict[str, Grader] = {nb.name: load_grader(assignment, nb) for nb in self.assignment.notebooks}
        self.sandboxes = {name: Sandbox(g.sandbox_config(hide)) for name, g in self.graders.items()}
        self.references = {name: References(g, (reference_values or {}).get(name)) for name, g in
                           self.graders.items()}

    def __enter__(self) -> "Grading":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for item in (*self.sandboxes.values(), *self.references.values()):
            item.close()

    def reference_values(self) -> dict[str, dict]:
        return {name: refs.values for name, refs in self.references.items()}

    def grade_student(self, student: str, files: dict[str, Path | Answers | None], questions: set[str] | None = None,
                      folder: Path | None = None, references: dict[str, dict] | None = None) -> SubmissionResult:
        """Grade every notebook of the assignment (the tests of ``questions`` only, if given) for one student;
        ``folder``: where the files were found, below which no link is followed (default: each file's folder);
        ``references``: reference values another worker computed, so that this one need not."""
        for name, values in (references or {}).items():
            for key, value in values.items():
                self.references[name].values.setdefault(key, value)
        return merge([grade_notebook(g, files.get(name), student, self.sandboxes[name], self.references[name],
                                     questions, folder) for name, g in self.graders.items()])

    def grade_master_question(self, question: str) -> tuple[SubmissionResult, dict[str, dict]]:
        """The master's tests of one question, and the reference values known here afterwards."""
        masters = {name: g.master_answers() for name, g in self.graders.items()}
        return self.grade_student("master", masters, {question}), self.reference_values()

    @property
    def questions(self) -> list[str]:
        return list(dict.fromkeys(q for g in self.graders.values() for q in g.questions))

    def test_order(self) -> dict[str, int]:
        return {t.name: i for i, t in enumerate(t for g in self.graders.values() for t in g.tests)}

    def grade_answers(self, notebook: str, answers: dict[str, str], only_cells: set[str] | None = None,
                      until_lost: str | None = None) -> list[TestResult]:
        """The tests of the master's answers with some cells changed (``answers``), and the master's files."""
        grader = self.graders[notebook]
        return grade_answers(grader, Answers(dict(answers), files=dict(grader.master_files)), self.sandboxes[notebook],
                             self.references[notebook], only_cells, until_lost=until_lost)

    def grade_master(self) -> SubmissionResult:
        """The master notebooks graded like a submission; fills the reference values as a side effect."""
        return self.grade_student("master", {name: g.master_answers() for name, g in self.graders.items()})


def merge(parts: list[SubmissionResult], order: dict[str, int] | None = None) -> SubmissionResult:
    """One result from results for parts of a submission (notebooks or questions), tests in ``order``."""
    merged = SubmissionResult(parts[0].student, parts[0].assignment, [], [], 0.0, parts[0].submission_sha256, [])
    for part in parts:
        merged.tests += part.tests
        merged.manual += [m for m in part.manual if m not in merged.manual]
        merged.notes += [n for n in part.notes if n not in merged.notes]
        merged.execution_time += part.execution_time
    if order is not None:
        merged.tests.sort(key=lambda t: order[t.name])
    return merged


_worker: Grading | None = None


def _start_worker(root: str, assignment: str, reference_values: dict, hide: tuple[str, ...]) -> None:
    global _worker
    os.environ["OMP_NUM_THREADS"] = "1"
    _worker = Grading(Path(root), assignment, reference_values, hide)
    multiprocessing.util.Finalize(None, _worker.close, exitpriority=10)


def _run(method: str, args: tuple) -> Any:
    assert _worker is not None
    return getattr(_worker, method)(*args)


class Workers:
    """Calls of ``Grading`` methods on ``jobs`` forked worker processes, each with its own ``Grading`` (started
    with the reference values known here), or in this process, one after the other, when ``jobs`` is 1."""

    def __init__(self, grading: Grading, jobs: int) -> None:
        self.grading = grading
        self.pool = None
        if jobs > 1:
            self.pool = ProcessPoolExecutor(
                max_workers=jobs, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker,
                initargs=(str(grading.root), grading.assignment.name, grading.reference_values(), grading.hide))

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, method: str, *args: Any) -> Future:
        if self.pool is not None:
            return self.pool.submit(_run, method, args)
        future: Future = Future()
        try:
            future.set_result(getattr(self.grading, method)(*args))
        except Exception as exc:  # noqa: BLE001 - handed to whoever reads the future, as the pool would
            future.set_exception(exc)
        return future


def run_parallel(grading: Grading, method: str, calls: list[tuple], jobs: int) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, grading.<method>(*calls[index]))`` as each call finishes, over ``jobs`` processes."""
    if jobs <= 1 or len(calls) <= 1:
        for index, args in enumerate(calls):
            yield index, getattr(grading, method)(*args)
        return
    with Workers(grading, min(jobs, len(calls))) as workers:
        futures = {workers.submit(method, *args): index for index, args in enumerate(calls)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def require_full_marks(result: SubmissionResult) -> None:
    """Stop before grading anyone if the master notebook loses points to its own hidden tests."""
    lost = [f"{t.name}: {t.message}" for t in result.tests if not t.passed]
    if lost:
        raise CourseError("the master notebook does not pass its own hidden tests, so nothing was graded:\n  "
                          + "\n  ".join(lost))
