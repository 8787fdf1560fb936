"""``course check``: the master must score every auto-graded point, the blank release none.

Both notebooks are scored by running the master's test cells (hidden tests
included) against their answer cells, in fresh kernels, side by side.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.assignments import Assignment, CourseError, Notebook
from autograder.notebook_scoring import NotebookRun, score_submission


@dataclass(frozen=True)
class NotebookCheck:
    assignment: str
    notebook: Notebook
    master: NotebookRun
    blank: NotebookRun

    @property
    def problems(self) -> list[str]:
        found = []
        got, best = self.master.points()
        if got < best:
            found += [f"master loses {s.max_points - s.points:g} on {s.grade_id}: {s.message}"
                      for s in self.master.scores if s.kind == "auto" and s.points < s.max_points]
        found += [f"blank release scores {s.points:g} on {s.grade_id}"
                  for s in self.blank.scores if s.kind == "auto" and s.points > 0]
        return found


def check(root: Path, assignments: list[Assignment], quick: bool = True, jobs: int = 2) -> list[NotebookCheck]:
    """Score the master and the blank release of every notebook of ``assignments``."""
    jobs_to_run = []
    for assignment in assignments:
        for notebook in assignment.notebooks:
            released = root / "release" / assignment.name / notebook.path.name
            if not released.is_file():
                raise CourseError(f"{released} is missing: run `course release {assignment.name}` first")
            jobs_to_run.append((assignment.name, notebook, released))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [
            (name, notebook,
             pool.submit(score_submission, notebook.path, nbformat.read(notebook.path, as_version=4), quick),
             pool.submit(score_submission, notebook.path, nbformat.read(released, as_version=4), quick))
            for name, notebook, released in jobs_to_run
        ]
        return [NotebookCheck(name, nb, master.result(), blank.result()) for name, nb, master, blank in futures]


def format_report(results: list[NotebookCheck]) -> str:
    header = f"{'assignment':<24}{'notebook':<28}{'master':>12}{'blank':>12}{'manual':>9}{'seconds':>9}"
    lines = [header, "-" * len(header)]
    for r in results:
        got, best = r.master.points()
        blank, _ = r.blank.points()
        _, manual = r.master.points("manual")
        lines.append(
            f"{r.assignment:<24}{r.notebook.name:<28}{f'{got:g}/{best:g}':>12}{f'{blank:g}/{best:g}':>12}"
            f"{manual:>9g}{r.master.seconds:>9.1f}"
        )
    problems = [f"  {r.assignment}/{r.notebook.name}: {p}" for r in results for p in r.problems]
    lines += ["", "problems:", *problems] if problems else ["", "all checks passed"]
    return "\n".join(lines)
