"""Score a notebook the way ``nbgrader autograde`` does, without a gradebook.

The master notebook provides every locked cell and every test cell (hidden
tests included); the submission provides only its answer cells, matched by
``grade_id``. The merged notebook runs top to bottom in a fresh kernel; an
auto-graded cell scores its points when it raised no error and wrote nothing
to stderr, else zero. Manually graded cells are reported, never scored.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from autograder.notebook import grade_id, grading_kind, is_answer, is_graded, points, question_of



@dataclass(frozen=True)
class CellScore:
    grade_id: str
    points: float
    max_points: float
    kind: str
    message: str = ""

    @property
    def question(self) -> str:
        return question_of(self.grade_id)


def merge_answers(master: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The master with each answer cell replaced by the submission's cell of the same ``grade_id``."""
    answers = {grade_id(c): c.source for c in submission.cells if is_answer(c)}
    merged = nbformat.from_dict(master)
    for cell in merged.cells:
        if is_answer(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return merged


def execute(nb: nbformat.NotebookNode, timeout: int = 600, quick: bool = True) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel inside a temporary folder, keeping going after errors."""
    env = {**os.environ, "COURSE_QUICK": "1" if quick else "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory(prefix="course-run-") as cwd:
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(cwd, "kernel"))
        client = NotebookClient(nb, km=kernel, timeout=timeout, allow_errors=True,
                                resources={"metadata": {"path": cwd}})
        try:
            client.execute(env=env)
        except (CellTimeoutError, DeadKernelError) as exc:
            nb.metadata["course_execution_error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return nb


def _failure(cell: nbformat.NotebookNode) -> str:
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}".strip()
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stderr":
            return "wrote to stderr: " + output.text.strip().splitlines()[0] if output.text.strip() else "wrote to stderr"
    if cell.get("execution_count") is None:
        return "did not run"
    return ""


def score(executed: nbformat.NotebookNode) -> list[CellScore]:
    scores = []
    for cell in executed.cells:
        if not is_graded(cell):
            continue
        most = points(cell)
        if grading_kind(cell) == "manual":
            scores.append(CellScore(grade_id(cell), 0.0, most, "manual", "left for manual grading"))
            continue
        failure = _failure(cell)
        scores.append(CellScore(grade_id(cell), 0.0 if failure else most, most, "auto", failure))
    return scores


@dataclass(frozen=True)
class NotebookRun:
    scores: list[CellScore]
    seconds: float

    def points(self, kind: str = "auto") -> tuple[float, float]:
        cells = [s for s in self.scores if s.kind == kind]
        return sum(s.points for s in cells), sum(s.max_points for s in cells)


def score_submission(master_path: Path, submission: nbformat.NotebookNode, quick: bool = True) -> NotebookRun:
    """Merge a submission's answers into the master, run it and score each graded cell."""
    start = time.perf_counter()
    master = nbformat.read(master_path, as_version=4)
    executed = execute(merge_answers(master, submission), quick=quick)
    return NotebookRun(score(executed), time.perf_counter() - start)
