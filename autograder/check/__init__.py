"""``course check``: prove that each assignment's notebooks and hidden graders are fit to release.

For every notebook of an assignment:

1. the master runs top to bottom through nbclient and passes its own test cells;
2. the hidden graders give the master every auto-graded point;
3. the hidden graders give the blank release no point;
4. every mutant of the catalogue ``tests/mutants/<notebook>/`` loses points on its
   question and only there, every correct alternative keeps all its points, and every hollow answer (code
   that does none of the work) scores nothing in its question beyond what it declares.

``course check --prices`` grades the mutants to the end instead and lists what each costs outside its own item.
"""
from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm import tqdm

from autograder.assignments import Assignment, CourseError
from autograder.check.mutants import (Alternative, Entry, Hollow, Mutant, Verdict, catalogue_calls, judge,
                                     load_catalogue, load_hollow, points_lost)
from autograder.notebook_scoring import NotebookRun, score_submission
from autograder.results import SubmissionResult, TestResult
from autograder.workers import Grading, run_parallel


@dataclass
class AssignmentCheck:
    assignment: str
    notebook_runs: dict[str, NotebookRun] = field(default_factory=dict)
    master: SubmissionResult | None = None
    blank: SubmissionResult | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        found = []
        for name, run in self.notebook_runs.items():
            found += [f"{name}: the master's own test cell {s.grade_id} fails: {s.message}"
                      for s in run.scores if s.kind == "auto" and s.points < s.max_points]
        if self.master is not None:
            found += [f"master loses {t.max_score - t.score:g} on {t.name}: {t.message}"
                      for t in self.master.tests if not t.passed]
        if self.blank is not None:
            found += [f"blank release scores {t.score:g} on {t.name}" for t in self.blank.tests if t.score > 0]
        kinds = {Mutant: "mutant", Alternative: "alternative", Hollow: "hollow answer"}
        found += [f"{kinds[type(v.entry)]} {getattr(v.entry, 'item', v.entry.cell)} '{v.entry.description}': "
                  f"{v.problem}" for v in self.verdicts if not v.ok]
        return found


def check(root: Path, assignments: list[Assignment], quick: bool = True, jobs: int = 2,
          mutants: bool = True, log=None) -> list[AssignmentCheck]:
    log = log or sys.stderr
    checks = []
    for assignment in assignments:
        start = time.perf_counter()
        result = AssignmentCheck(assignment.name)
        released = {nb.name: root / "release" / assignment.name / nb.path.name for nb in assignment.notebooks}
        for path in released.values():
            if not path.is_file():
                raise CourseError(f"{path} is missing: run `course release {assignment.name}` first")
        grading = Grading(root, assignment.name)
        try:
            with ThreadPoolExecutor(max_workers=1) as notebook_runner:
                runs = {nb.name: notebook_runner.submit(score_submission, nb.path,
                                                        nbformat.read(nb.path, as_version=4), quick)
                        for nb in assignment.notebooks}
                print(f"{assignment.name}: grading the master and the blank release...", file=log)
                result.master = grading.grade_master()
                result.blank = grading.grade_student("blank release", released)
                if mutants:
                    result.verdicts = _run_catalogue(root, grading, jobs, log)
                result.notebook_runs = {name: future.result() for name, future in runs.items()}
        finally:
            grading.close()
        result.seconds = time.perf_counter() - start
        checks.append(result)
    return checks


def _run_catalogue(root: Path, grading: Grading, jobs: int, log) -> list[Verdict]:
    variants = {}
    for name in grading.graders:
        mutants, alternatives = load_catalogue(root, name)
        variants[name] = [*mutants, *alternatives, *load_hollow(root, name)]
    graded = _grade_variants(grading, variants, True, "mutants", jobs, log)
    return [judge(entry, results) for _, entry, results in graded]


def _grade_variants(grading: Grading, variants: dict[str, list[Entry]], stop_early: bool, desc: str, jobs: int,
                    log) -> list[tuple[str, Entry, list[TestResult]]]:
    """Each notebook's ``variants`` (mutants, alternatives, hollow answers) graded on ``jobs`` processes, in order:
    (notebook, entry, its test results)."""
    entries, calls = [], []
    for name, chosen in variants.items():
        entries += [(name, entry) for entry in chosen]
        calls += catalogue_calls(grading.graders[name].master_cells, name, chosen, stop_early)
    graded: list = [None] * len(calls)
    with tqdm(total=len(calls), unit="variant", desc=desc, file=log) as bar:
        for index, results in run_parallel(grading, "grade_answers", calls, jobs):
            graded[index] = (*entries[index], results)
            bar.update()
    return graded


@dataclass(frozen=True)
class Price:
    """What one mutant costs, graded to the end: points lost per item."""

    notebook: str
    mutant: Mutant
    lost: dict[str, float]

    @property
    def elsewhere(self) -> dict[str, float]:
        """Points lost outside the mutant's own item: a defect priced again (DESIGN rule 9)."""
        return {item: points for item, points in self.lost.items() if item != self.mutant.item}

    @property
    def ok(self) -> bool:
        return not (self.mutant.once and self.elsewhere)


def prices(root: Path, assignment: Assignment, jobs: int = 2, only_once: bool = False, log=None) -> list[Price]:
    """Every mutant of the assignment's catalogue (or those marked ``once``) graded to the end, without the early
    stop of ``course check``."""
    log = log or sys.stderr
    with Grading(root, assignment.name) as grading:
        variants = {name: [m for m in load_catalogue(root, name)[0] if m.once or not only_once]
                    for name in grading.graders}
        graded = _grade_variants(grading, variants, False, f"{assignment.name}: prices", jobs, log)
    found = [Price(name, mutant, points_lost(results)) for name, mutant, results in graded]
    return sorted(found, key=lambda p: (p.notebook, p.mutant.item, p.mutant.description))


def format_prices(found: list[Price]) -> str:
    """A line per mutant: its item, what it costs there and where else; ``once`` mutants priced twice end it."""
    lines = [f"{'item':<34}{'mutant':<62}{'own':>6}  also costs"]
    for p in found:
        also = ", ".join(f"{item} {points:g}" for item, points in sorted(p.elsewhere.items()))
        mark = "  <- marked once" if not p.ok else ""
        lines.append(f"{p.mutant.item:<34}{p.mutant.description[:60]:<62}{p.lost.get(p.mutant.item, 0.0):>6g}  "
                     f"{also}{mark}")
    twice = sum(bool(p.elsewhere) for p in found)
    lines += ["", f"{twice} of {len(found)} mutants cost points outside their own item"]
    return "\n".join(lines)


def format_report(checks: list[AssignmentCheck]) -> str:
    header = (f"{'assignment':<24}{'notebook run':>14}{'master':>10}{'blank':>9}{'mutants caught':>16}"
              f"{'alternatives':>14}{'hollow':>8}{'seconds':>9}")
    lines = [header, "-" * len(header)]
    for c in checks:
        cells = [s for run in c.notebook_runs.values() for s in run.scores if s.kind == "auto"]
        passed = sum(s.points >= s.max_points for s in cells)
        mutants = [v for v in c.verdicts if isinstance(v.entry, Mutant)]
        alternatives = [v for v in c.verdicts if isinstance(v.entry, Alternative)]
        hollow = [v for v in c.verdicts if isinstance(v.entry, Hollow)]
        master = f"{c.master.score:g}/{c.master.max_score:g}" if c.master else "-"
        blank = f"{c.blank.score:g}/{c.blank.max_score:g}" if c.blank else "-"
        lines.append(f"{c.assignment:<24}{f'{passed}/{len(cells)} cells':>14}{master:>10}{blank:>9}"
                     f"{f'{sum(v.ok for v in mutants)}/{len(mutants)}':>16}"
                     f"{f'{sum(v.ok for v in alternatives)}/{len(alternatives)}':>14}"
                     f"{f'{sum(v.ok for v in hollow)}/{len(hollow)}':>8}{c.seconds:>9.1f}")
    problems = [f"  {c.assignment}: {p}" for c in checks for p in c.problems]
    lines += ["", "problems:", *problems] if problems else ["", "all checks passed"]
    return "\n".join(lines)
