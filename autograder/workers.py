"""Grading in one process or several: graders, sandbox hosts and reference values, ready to use.

``Grading`` holds, for every notebook of an assignment, its hidden grader, a
sandbox host and the master's reference values. ``run_parallel`` spreads calls
of one of its methods over ``jobs`` worker processes (started with ``spawn``,
each with its own ``Grading``), or runs them here when ``jobs`` is 1.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Iterator

from autograder.assignments import CourseError, load_assignment
from autograder.engine import Grader, References, grade_answers, grade_notebook, load_grader
from autograder.results import SubmissionResult, TestResult
from autograder.sandbox import Sandbox


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

    def close(self) -> None:
        for item in (*self.sandboxes.values(), *self.references.values()):
            item.close()

    def reference_values(self) -> dict[str, dict]:
        return {name: refs.values for name, refs in self.references.items()}

    def grade_student(self, student: str, files: dict[str, Path | None]) -> SubmissionResult:
        """Grade every notebook of the assignment for one student and merge them into one result."""
        parts = [grade_notebook(g, files.get(name), student, self.sandboxes[name], self.references[name])
                 for name, g in self.graders.items()]
        merged = parts[0]
        for part in parts[1:]:
            merged.tests += part.tests
            merged.manual += part.manual
            merged.notes += part.notes
            merged.execution_time += part.execution_time
            merged.submission_sha256 += "," + part.submission_sha256
        return merged

    def grade_answers(self, notebook: str, answers: dict[str, str], only_cells: set[str] | None = None
                      ) -> list[TestResult]:
        return grade_answers(self.graders[notebook], answers, self.sandboxes[notebook], self.references[notebook],
                             only_cells)

    def grade_master(self) -> SubmissionResult:
        """The master notebooks graded like a submission; fills the reference values as a side effect."""
        return self.grade_student("master", {name: g.notebook.path for name, g in self.graders.items()})


_worker: Grading | None = None


def _start_worker(root: str, assignment: str, reference_values: dict, hide: tuple[str, ...]) -> None:
    global _worker
    os.environ["OMP_NUM_THREADS"] = "1"
    _worker = Grading(Path(root), assignment, reference_values, hide)
    multiprocessing.util.Finalize(None, _worker.close, exitpriority=10)


def _run(method: str, args: tuple) -> Any:
    assert _worker is not None
    return getattr(_worker, method)(*args)


def run_parallel(grading: Grading, method: str, calls: list[tuple], jobs: int) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, grading.<method>(*calls[index]))`` as each call finishes, over ``jobs`` processes."""
    if jobs <= 1 or len(calls) <= 1:
        for index, args in enumerate(calls):
            yield index, getattr(grading, method)(*args)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(calls)), mp_context=context, initializer=_start_worker,
                             initargs=(str(grading.root), grading.assignment.name,
                                       grading.reference_values(), grading.hide)) as pool:
        futures = {pool.submit(_run, method, args): index for index, args in enumerate(calls)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def require_full_marks(result: SubmissionResult) -> None:
    """Stop before grading anyone if the master notebook loses points to its own hidden tests."""
    lost = [f"{t.name}: {t.message}" for t in result.tests if not t.passed]
    if lost:
        raise CourseError("the master notebook does not pass its own hidden tests, so nothing was graded:\n  "
                          + "\n  ".join(lost))
