"""``course calibrate``: run a training test's measure on the master over seeds; is its threshold safe?

A training test requires a metric (an accuracy computed by the grader) to reach a threshold on one hidden
draw. The threshold is safe when the master reaches it on every draw of its ``Calibration`` (``seeds``), by a
margin: the grader's own randomness must not fail a correct notebook. Each seed runs in a fresh sandboxed child
holding the master's cells that the test loads, exactly as grading runs the test.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import Assignment, CourseError
from autograder.engine import Grader, new_kit
from autograder.kit import Calibration
from autograder.messages import grader_modules
from autograder.notebook import question_of
from autograder.workers import Grading


@dataclass(frozen=True)
class Measured:
    calibration: Calibration
    values: dict[int, float]

    @property
    def safe(self) -> bool:
        return all(self.calibration.reaches(value) for value in self.values.values())

    def summary(self) -> str:
        c, low, high = self.calibration, min(self.values.values()), max(self.values.values())
        verdict = "SAFE" if self.safe else "NOT SAFE: the master itself fails it"
        return (f"{c.item}: master {low:.3f} to {high:.3f} over {len(self.values)} seeds (recorded "
                f"{c.master_range[0]:.3f} to {c.master_range[1]:.3f}); threshold {c.threshold:.2f}, margin "
                f"{c.margin(self.values.values()):+.3f}: {verdict}")


def calibrations(grader: Grader) -> list[Calibration]:
    """Every ``Calibration`` that a module of the grader holds, in module order."""
    return [value for module in grader_modules(grader.module) for value in vars(module).values()
            if isinstance(value, Calibration)]


def calibrate(root: Path, assignment: Assignment, only: set[str] | None = None, seeds: list[int] | None = None,
              log=None) -> list[Measured]:
    """Measure every calibration of the assignment (of the items in ``only``) on the master over its seeds (or
    ``seeds``), printing one line per run."""
    log = log or sys.stdout
    measured = []
    with Grading(root, assignment.name) as grading:
        for name, grader in grading.graders.items():
            for calibration in calibrations(grader):
                if only and calibration.item not in only and question_of(calibration.item) not in only:
                    continue
                tests = [t for t in grader.tests if t.item == calibration.item]
                if not tests:
                    raise CourseError(f"{name}: no hidden test grades {calibration.item}")
                values = {}
                for seed in seeds or calibration.seeds:
                    start = time.perf_counter()
                    kit = new_kit(grader, tests[0], grader.master_answers(), grading.sandboxes[name],
                                  grading.references[name])
                    try:
                        values[seed] = calibration.measure(kit, seed)
                    finally:
                        kit.close()
                    print(f"{calibration.item}  seed {seed:>6}  {calibration.what}: {values[seed]:.3f}  "
                          f"({time.perf_counter() - start:.1f} s)", file=log, flush=True)
                measured.append(Measured(calibration, values))
                print(measured[-1].summary(), file=log, flush=True)
    return measured
