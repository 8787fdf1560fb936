"""What a Gradescope bundle runs for each submission (``run_autograder`` calls ``python3 -m`` this module).

Gradescope unpacks the bundle into ``$AUTOGRADER_ROOT/source/`` (``/autograder`` unless the variable says
otherwise), puts the student's files in ``submission/`` and reads ``results/results.json``. The student's
folder is ``submission/`` itself, or the one folder below it that holds notebooks (a zip or a repository
often wraps them in one). It is graded like ``course grade`` grades one student, in the same sandbox, with the
reference values the bundle carries (the master is never graded here), and with the source, submission and
results folders hidden from the student's code; its static rule checks are made in a forked process first, so
that the modules they import stay out of the grader's own memory. Every hidden test gets the bundle's visibility
(``after_due_date`` unless exported otherwise); one visible test of no points says what was found in the
submission, so a student who handed in the wrong file learns it before the due date. Whatever goes wrong, this
one included, the student gets a results.json: score 0 and a reason they can act on.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import sys
from pathlib import Path

from autograder.assignments import Assignment, CourseError, course_root, load_assignment
from autograder.engine import check_rules_apart, load_grader, rule_checks
from autograder.export.bundle import BUNDLE_FILE, REFERENCES_FILE
from autograder.grade import STUDENTS, discover, grade, grader_digest, read
from autograder.results import SubmissionResult, write_atomically
from autograder.sandbox import wire
from autograder.submissions import Answers, parse_answers

FAILED = ("The autograder could not grade this submission ({reason}). This is not a score for your work: "
          "please tell your instructor.")
NO_NOTEBOOK = ("No notebook was found in your submission. Upload your {names} (and, where the assignment asks "
               "for them, the files it saves next to it).")
PLACEHOLDER = "YOUR CODE HERE"
CHECK_NAME = "Submission check: what was found (no points)"
SKIPPED_FOLDERS = ("__MACOSX",)
M_MMAP_THRESHOLD, LARGE_BLOCK = -3, 128 * 1024


def main() -> int:
    return_large_blocks()
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    results = root / "results"
    try:
        results.mkdir(parents=True, exist_ok=True)
        payload = grade_submission(root)
    except CourseError as exc:
        payload = failure(str(exc))
    except BaseException as exc:  # noqa: BLE001 - the student always gets a results.json
        payload = failure(FAILED.format(reason=type(exc).__name__))
        print(f"run_autograder: {type(exc).__name__}: {exc}", file=sys.stderr)  # Gradescope shows stdout/err to staff
    write_atomically(results / "results.json", json.dumps(payload, indent=2))
    return 0


def return_large_blocks() -> None:
    """Have glibc give every freed block over 128 KB back to the system (by default the threshold grows with the
    arrays freed, and the hidden data a grader draws and drops stayed in this process: 65 MB of Gradescope's 768)."""
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)
    except (OSError, AttributeError):  # not glibc: its allocator keeps its own ways
        pass


def failure(reason: str) -> dict:
    """Score 0 and the reason, in the text shown to all and in a visible test of no points (what GitHub Classroom's
    summary shows)."""
    return {"score": 0.0, "output": reason, "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [check_test(reason, passed=False)]}


def check_test(output: str, passed: bool = True) -> dict:
    """The visible test of no points that says what was found in the submission."""
    return {"name": CHECK_NAME, "score": 0.0, "max_score": 0.0, "status": "passed" if passed else "failed",
            "output": output, "visibility": "visible"}


def grade_submission(root: Path) -> dict:
    """Grade ``root/submission`` and return its results.json (see the module's docstring)."""
    course = course_root(Path(__file__).resolve().parents[2])
    bundle = json.loads((course / BUNDLE_FILE).read_text())
    assignment = load_assignment(course, bundle["assignment"])
    if grader_digest(assignment) != bundle["graded_with"]:
        raise CourseError(FAILED.format(reason="its files differ from those it was exported with"))
    references = wire.decode((course / REFERENCES_FILE).read_bytes())
    submission = root / "submission"
    folder = student_folder(submission)
    results = root / "results"
    names = " or ".join(nb.path.name for nb in assignment.notebooks)
    try:
        found = discover(assignment, [folder], out=results, log=sys.stdout)
    except CourseError:
        raise CourseError(NO_NOTEBOOK.format(names=names)) from None
    wanted = {nb.name: list(parse_answers(nb.path.read_bytes()).cells) for nb in assignment.notebooks}
    answers = read(next(iter(found.values())), wanted)
    check_rules_apart(rule_checks({nb.name: load_grader(assignment.name, nb) for nb in assignment.notebooks}, answers))
    [result] = grade(course, assignment, [folder], results, references=references, graders=bundle["graded_with"],
                     hide=(str(submission.resolve()), str(results.resolve()), str(course)), log=sys.stdout)
    shutil.rmtree(results / STUDENTS, ignore_errors=True)
    (results / "grades.csv").unlink(missing_ok=True)
    check = submission_check(assignment, answers, wanted)
    return with_visibility(result, bundle["visibility"], check)


def student_folder(submission: Path) -> Path:
    """``submission``, or the one folder below it that first holds notebooks (links are not followed)."""
    level = [submission]
    while level:
        holding = [f for f in level if any(p.suffix == ".ipynb" and p.is_file() and not p.is_symlink()
                                           for p in f.iterdir())]
        if len(holding) == 1:
            return holding[0]
        if holding:
            return submission  # several: the student's folder reports that none was chosen
        level = [p for f in level for p in sorted(f.iterdir()) if p.is_dir() and not p.is_symlink()
                 and not p.name.startswith((".", "_")) and p.name not in SKIPPED_FOLDERS]
    return submission


def submission_check(assignment: Assignment, answers: dict[str, Answers | None], wanted: dict[str, list[str]]
                     ) -> dict:
    """The visible test of no points: per notebook, which answer cells were found, still blank or missing."""
    lines = []
    for nb in assignment.notebooks:
        got = answers.get(nb.name)
        if got is None:
            lines.append(f"{nb.path.name}: not found in your submission.")
            continue
        if got.unreadable:
            lines.append(f"{nb.path.name}: {got.unreadable}")
            continue
        cells = wanted[nb.name]
        blank = [c for c in cells if c in got.cells and PLACEHOLDER in got.cells[c]]
        missing = [c for c in cells if c not in got.cells]
        lines.append(f"{nb.path.name}: found {len(cells) - len(missing)} of its {len(cells)} answer cells"
                     + (f"; still blank: {', '.join(blank)}" if blank else "")
                     + (f"; missing: {', '.join(missing)}" if missing else "") + ".")
        for name in sorted({*got.files, *got.file_problems}):
            lines.append(f"{name}: " + (got.file_problems.get(name) or "found."))
    return check_test("\n".join(lines))


def with_visibility(result: SubmissionResult, visibility: str, check: dict) -> dict:
    """``result`` as results.json, every hidden test shown ``visibility``, the submission check always; while
    tests are not visible, the text shown to all says when the score comes and not what it is."""
    payload = result.to_gradescope()
    for test in payload["tests"]:
        test["visibility"] = visibility
    payload["tests"].insert(0, check)
    payload["visibility"] = visibility
    if visibility != "visible":
        payload["output"] = ("Your submission was received and graded. Your score and each test's result are shown "
                             + {"after_due_date": "after the due date.", "after_published": "when grades are published.",
                                "hidden": "by your instructor."}[visibility] + " The first test says what was found.")
    return payload


if __name__ == "__main__":
    sys.exit(main())
