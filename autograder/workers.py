"""Grading in one process or several: graders, sandbox hosts and reference values, ready to use.

``Grading`` holds, for every notebook of an assignment, its hidden grader, a
sandbox host and the master's reference values. ``run_parallel`` spreads calls
of one of its methods over ``jobs`` worker processes (forked, so torch is imported once,
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

    def __enter__(self) -> "Grading":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for item in (*self.sandboxes.values(), *self.references.values()):
            item.close()

    def reference_values(self) -> dict[str, dict]:
        return {name: refs.values for name, refs in self.references.items()}

    def grade_student(self, student: str, files: dict[str, Path | None], questions: set[str] | None = None,
                      folder: Path | None = None) -> SubmissionResult:
        """Grade every notebook of the assignment (the tests of ``questions`` only, if given) for one student;
        ``folder``: where the files were found, below which no link is followed (default: each file's folder)."""
        return merge([grade_notebook(g, files.get(name), student, self.sandboxes[name], self.references[name],
                                     questions, folder) for name, g in self.graders.items()])

    @property
    def questions(self) -> list[str]:
        return list(dict.fromkeys(q for g in self.graders.values() for q in g.questions))

    def test_order(self) -> dict[str, int]:
        return {t.name: i for i, t in enumerate(t for g in self.graders.values() for t in g.tests)}

    def grade_answers(self, notebook: str, answers: dict[str, str], only_cells: set[str] | None = None
                      ) -> list[TestResult]:
        return grade_answers(self.graders[notebook], answers, self.sandboxes[notebook], self.references[notebook],
                             only_cells)

    def grade_master(self) -> SubmissionResult:
        """The master notebooks graded like a submission; fills the reference values as a side effect."""
        return self.grade_student("master", {name: g.notebook.path for name, g in self.graders.items()})


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


def run_parallel(grading: Grading, method: str, calls: list[tuple], jobs: int) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, grading.<method>(*calls[index]))`` as each call finishes, over ``jobs`` processes."""
    if jobs <= 1 or len(calls) <= 1:
        for index, args in enumerate(calls):
            yield index, getattr(grading, method)(*args)
        return
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(calls)), mp_context=context, initializer=_start_worker,
                               initargs=(str(grading.root), grading.assignment.name, grading.reference_values(),
                                         grading.hide))
    try:
        futures = {pool.submit(_run, method, args): index for index, args in enumerate(calls)}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def require_full_marks(result: SubmissionResult) -> None:
    """Stop before grading anyone if the master notebook loses points to its own hidden tests."""
    lost = [f"{t.name}: {t.message}" for t in result.tests if not t.passed]
    if lost:
        raise CourseError("the master notebook does not pass its own hidden tests, so nothing was graded:\n  "
                          + "\n  ".join(lost))
