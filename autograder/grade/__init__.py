"""``course grade``: score submissions with the hidden graders and write the gradebook.

For every student, ``OUT/<student>/results.json`` (Gradescope's schema) and
``OUT/<student>/feedback.txt``; for the batch, ``OUT/grades.csv``. A student
whose results.json was written for the same submission by the same graders
(``grader_digest``: the assignment's grader package and master notebooks, the
engine, the helpers) is not graded again, so an interrupted batch resumes where
it stopped, and a batch run again after a grader fix grades everyone anew.
"""
from __future__ import annotations

import hashlib
import heapq
import json
import sys
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from autograder.assignments import Assignment, CourseError
from autograder.engine import GRADER_PROBLEM, SANDBOX_NOTE
from autograder.results import SubmissionResult, gradebook_csv, write_atomically
from autograder.sandbox import clean
from autograder.submissions import Unreadable, read_submission
from autograder.workers import Grading, Workers, merge, require_full_marks

Files = dict[str, Path | None]


@dataclass(frozen=True)
class Submission:
    """A student's notebook files, and the folder named on the command line (or holding the file named
    there) below which no symbolic link is followed when they are read."""

    files: Files
    folder: Path


def discover(assignment: Assignment, paths: list[Path]) -> dict[str, Submission]:
    """Students and their notebook files. A path is a student's ``.ipynb`` (the student is its stem), a
    student's folder (one holding a notebook named like the assignment's; the student is the folder's
    name), or a folder of such files and folders. In a student's folder a single notebook of another
    name is taken when the assignment has one notebook. Links inside the folders are listed like files
    and folders, and refused with a reason when they are read."""
    names = {nb.path.name for nb in assignment.notebooks}
    students: dict[str, Submission] = {}

    def add(student: str, files: Files, origin: Path, folder: Path) -> None:
        if student in students:
            raise CourseError(f"two submissions for student {student!r} (the second is {origin})")
        students[student] = Submission(files, folder)

    def student_folder(folder: Path) -> Files:
        notebooks = _notebooks(folder)
        files: Files = {nb.name: folder / nb.path.name if _entry(folder / nb.path.name) else None
                        for nb in assignment.notebooks}
        if len(assignment.notebooks) == 1 and files[assignment.notebooks[0].name] is None and len(notebooks) == 1:
            files[assignment.notebooks[0].name] = notebooks[0]
        return files

    for path in paths:
        if path.is_file():
            if path.suffix != ".ipynb":
                raise CourseError(f"{path} is not a notebook (.ipynb)")
            add(path.stem, _single_file(assignment, path), path, path.parent)
        elif path.is_dir():
            notebooks = _notebooks(path)
            if any(p.name in names for p in notebooks):
                add(path.name, student_folder(path), path, path)
                continue
            for notebook in notebooks:
                add(notebook.stem, _single_file(assignment, notebook), notebook, path)
            for folder in _folders(path):
                add(folder.name, student_folder(folder), folder, path)
        else:
            raise CourseError(f"{path}: no such file or folder")
    if not students:
        raise CourseError("no submission found in " + ", ".join(str(p) for p in paths))
    return dict(sorted(students.items()))


def _entry(path: Path) -> bool:
    """A file, or a link (which reading refuses with a reason), but not a folder."""
    return path.is_symlink() or path.is_file()


def _notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if _entry(p) and not p.name.startswith("."))


def _folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _single_file(assignment: Assignment, path: Path) -> Files:
    if len(assignment.notebooks) == 1:
        return {assignment.notebooks[0].name: path}
    return {nb.name: path if path.name == nb.path.name else None for nb in assignment.notebooks}


def _private_folders(root: Path, out: Path, paths: list[Path]) -> tuple[str, ...]:
    """The results folder and the folders holding submissions, which no student's code may read; a folder
    that holds the course or Python itself cannot be hidden (children need what is inside)."""
    folders = {out.resolve(), *(p.resolve() if p.is_dir() else p.resolve().parent for p in paths)}
    needed = [root.resolve(), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
    return tuple(sorted(str(f) for f in folders if not any(f == n or f in n.parents for n in needed)))


def fingerprint(submission: Submission) -> str:
    def digest(path: Path | None) -> str:
        try:
            data = read_submission(path, submission.folder) if path is not None else b""
        except (Unreadable, OSError):
            data = b""
        return hashlib.sha256(data).hexdigest()

    return ",".join(digest(p) for p in submission.files.values())


def grader_digest(assignment: Assignment, package: Path = Path(__file__).resolve().parents[1]) -> str:
    """A digest of everything that decides a grade besides the submission: every module of ``package``
    (``autograder``) but the other assignments' graders, every module of ``course_utils`` next to it, and the
    assignment's master notebooks."""
    graders = package / "graders"
    own = {nb.name for nb in assignment.notebooks}
    files = [p for p in package.rglob("*.py") if p.parent.parent != graders or p.parent.name in own]
    named = {path.relative_to(package.parent).as_posix(): path
             for path in (*files, *(package.parent / "course_utils").rglob("*.py"))}
    named.update({f"master/{nb.path.name}": nb.path for nb in assignment.notebooks})
    digest = hashlib.sha256()
    for name, path in sorted(named.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _finished(folder: Path, submission: Submission, graders: str) -> SubmissionResult | None:
    try:
        result = SubmissionResult.from_gradescope(json.loads((folder / "results.json").read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return result if result.submission_sha256 == fingerprint(submission) and result.graded_with == graders else None


def grade(root: Path, assignment: Assignment, paths: list[Path], out: Path, jobs: int = 1,
          log=None) -> list[SubmissionResult]:
    log = log or sys.stderr
    students = discover(assignment, paths)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    graders = grader_digest(assignment)
    done = {s: r for s, submission in students.items() if (r := _finished(out / s, submission, graders)) is not None}
    todo = [s for s in students if s not in done]
    if done:
        print(f"{len(done)} submission(s) already graded in {out}: kept", file=log)
    if todo:
        grading = Grading(root, assignment.name, hide=_private_folders(root, out, paths))
        try:
            _grade_batch(grading, {s: students[s] for s in todo}, out, jobs, done, graders, log)
        finally:
            grading.close()
    results = [done[s] for s in students]
    weaker = sorted({n[len(SANDBOX_NOTE):] for r in results for n in r.notes if n.startswith(SANDBOX_NOTE)})
    if weaker:
        print("warning: the sandbox could not apply every restriction: " + "; ".join(weaker), file=log)
    troubled = sorted({r.student for r in results for t in r.tests if t.message.startswith(GRADER_PROBLEM)})
    if troubled:
        print(f"warning: a hidden test itself failed (not the student's fault) for: {', '.join(troubled)}; "
              "see their feedback.txt", file=log)
    questions = list(dict.fromkeys(t.question for r in results for t in r.tests))
    write_atomically(out / "grades.csv", gradebook_csv(results, questions))
    return results


def _grade_batch(grading: Grading, students: dict[str, Submission], out: Path, jobs: int,
                 done: dict[str, SubmissionResult], graders: str, log) -> None:
    """Grade ``students`` one question at a time, spread over ``jobs`` processes: each question of the master
    first, then that question for every student, with the reference values the master's run computed (so no
    worker computes them again). Units wait in a queue, the costliest first (a question costs what the master's
    run of it cost), so that no long unit is left for the end while the other workers idle. A student's results
    are written once all their questions are graded and the master scored every point."""
    parts: dict[str, list[SubmissionResult]] = {}
    finished: list[SubmissionResult] = []
    master_ok = False
    order = grading.test_order()
    limits = {q: sum(t.timeout for g in grading.graders.values() for t in g.tests if t.question == q)
              for q in grading.questions}
    queue = [(-limits[q], "", q, None) for q in grading.questions]  # a heap of (-cost, student, question, refs)
    heapq.heapify(queue)
    print("grading the master notebook with the batch (it must score every point)...", file=log)
    with tqdm(total=len(students), unit="submission", file=log, desc=grading.assignment.name) as bar, \
            Workers(grading, jobs) as workers:
        pending: dict = {}
        while queue or pending:
            while queue and len(pending) <= jobs:
                _, student, question, references = heapq.heappop(queue)
                future = workers.submit("grade_master_question", question) if not student else workers.submit(
                    "grade_student", student, students[student].files, {question}, students[student].folder,
                    references)
                pending[future] = (student, question)
            complete, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in complete:
                student, question = pending.pop(future)
                if not student:
                    part, references = future.result()
                    for name in students:
                        heapq.heappush(queue, (-part.execution_time, name, question, references))
                else:
                    part = future.result()
                key = student or "master"
                parts.setdefault(key, []).append(part)
                if len(parts[key]) < len(grading.questions):
                    continue
                result = merge(parts.pop(key), order)
                if not student:
                    require_full_marks(result)
                    master_ok = True
                else:
                    result.submission_sha256 = fingerprint(students[student])
                    result.graded_with = graders
                    finished.append(result)
            while master_ok and finished:
                result = finished.pop()
                result.write(out / result.student)
                done[result.student] = result
                bar.update()


def format_summary(results: list[SubmissionResult]) -> str:
    questions = list(dict.fromkeys(t.question for r in results for t in r.tests))
    names = {r.student: clean(r.student, 60) for r in results}  # a file name can hold terminal escapes
    width = max([len("student"), *map(len, names.values())]) + 2
    header = f"{'student':<{width}}" + "".join(f"{q:>7}" for q in questions) + f"{'total':>10}{'seconds':>9}"
    lines = [header, "-" * len(header)]
    for r in results:
        table = r.by_question()
        lines.append(f"{names[r.student]:<{width}}" + "".join(f"{table.get(q, (0, 0))[0]:>7g}" for q in questions)
                     + f"{f'{r.score:g}/{r.max_score:g}':>10}{r.execution_time:>9.1f}")
    if results:
        best = results[0].by_question()
        lines.append(f"{'(max)':<{width}}" + "".join(f"{best.get(q, (0, 0))[1]:>7g}" for q in questions))
        manual = sum(m.max_score for m in results[0].manual)
        if manual:
            lines.append(f"{manual:g} manually graded points per student are not included.")
    return "\n".join(lines)
