"""``course grade``: score submissions with the hidden graders and write the gradebook.

Who is graded is said by the command line, never by what a student hands in: each path named is one
student, a notebook (the id is its name without ``.ipynb``) or a folder (the id is the folder's name);
with ``class_folders``, each path is a folder whose entries (notebooks and folders, not hidden ones) are
the students. A student's folder gives exactly one submission: its only notebook, whatever its name; of
several, the one named like the master; else the student gets a result that says why. Files a grader reads
besides the notebook (its spec's ``FILES``, such as trained weights) come from the student's folder only, under
their size limits, and reach only the tests of the questions that declare them. Ids are made safe
(``student_id``); two submissions with one id give that id an error result and cost no one else.

For the batch, ``OUT/grades.csv``; for every student, ``OUT/students/<id>/results.json`` (Gradescope's
schema) and ``OUT/students/<id>/feedback.txt``, so that no id names a file of the gradebook. Each notebook
is read and parsed once per batch, here, and workers get the answer cells a question's tests load. A student
whose results.json was written for the same submission by the same graders (``grader_digest``: the
assignment's grader package and master notebooks, the engine, the helpers) is not graded again, so an
interrupted batch resumes where it stopped, and a batch run again after a grader fix grades everyone anew.
"""
from __future__ import annotations

import hashlib
import heapq
import importlib
import json
import re
import sys
import unicodedata
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from autograder.assignments import Assignment, CourseError
from autograder.engine import GRADER_PROBLEM, SANDBOX_NOTE, declared_files
from autograder.grade.shards import Shard, write_record
from autograder.results import SubmissionResult, gradebook_csv, write_atomically
from autograder.sandbox import clean
from autograder.submissions import EMPTY_SHA256, Answers, parse_answers, read_answers, read_files
from autograder.workers import Grading, Workers, merge, require_full_marks

Files = dict[str, Path | None]
STUDENTS = "students"  # OUT/students/<id>/: per-student files, apart from the gradebook's
MAX_ID = 64
DUPLICATE = ("{count} submissions were found for this student id, so none was graded: please tell your "
             "instructor")


@dataclass(frozen=True)
class Submission:
    """A student's notebook files, the folder named on the command line (or holding the file named there)
    below which no symbolic link is followed when they are read, and why nothing of it can be graded ("" when
    it can)."""

    files: Files
    folder: Path
    problem: str = ""
    directory: Path | None = None  # the student's own folder, which holds any other files they hand in


def student_id(name: str) -> str:
    """A safe id for a student known by ``name`` (a file or folder name): letters, digits and ``_ . @ + -``
    (accents dropped), starting with a letter, a digit or ``_``, at most 64 characters. A name that had to
    change gets 8 hex digits of its hash, so that two names never become one id."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    safe = re.sub(r"[^A-Za-z0-9_.@+-]+", "_", plain).lstrip(".@+-")[:MAX_ID]
    if safe == name and safe:
        return safe
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{safe[:MAX_ID - 9] or 'student'}_{digest}"


def discover(assignment: Assignment, paths: list[Path], class_folders: bool = False, out: Path | None = None,
             log=None) -> dict[str, Submission]:
    """Students by id and their submissions (see the module's docstring). ``out`` (the results folder) is
    never taken for a student. Links inside the folders are listed like files and folders, and refused with a
    reason when they are read. Only what the instructor names can be an instructor error."""
    log = log or sys.stderr
    found: list[tuple[str, Path, Submission]] = []  # (the name the student is known by, where, their submission)
    ignored = 0
    for path in paths:
        if class_folders:
            if not path.is_dir():
                raise CourseError(f"{path} is not a folder (with --class-folder, each path is a folder of students)")
            for entry in sorted(path.iterdir()):
                if entry.name.startswith((".", "_")) or (out is not None and entry.resolve() == out.resolve()):
                    continue
                if entry.suffix == ".ipynb" and _entry(entry):
                    found.append((entry.stem, entry, Submission(_single_file(assignment, entry), path)))
                elif entry.is_dir():
                    found.append((entry.name, entry, _student_folder(assignment, entry, path)))
                else:
                    ignored += 1
        elif path.is_dir():
            found.append((path.name, path, _student_folder(assignment, path, path)))
        elif path.is_file():
            if path.suffix != ".ipynb":
                raise CourseError(f"{path} is not a notebook (.ipynb)")
            found.append((path.stem, path, Submission(_single_file(assignment, path), path.parent)))
        else:
            raise CourseError(f"{path}: no such file or folder")
    if not any(s.problem or any(s.files.values()) for _, _, s in found):
        hint = "" if class_folders else " (to grade each folder in it as a student, add --class-folder)"
        raise CourseError("no submission found in " + ", ".join(str(p) for p in paths) + hint)
    if ignored:
        print(f"{ignored} entries that are neither a notebook nor a folder were ignored", file=log)
    return _by_id(found, log)


def _by_id(found: list[tuple[str, Path, Submission]], log) -> dict[str, Submission]:
    """Submissions by safe id; an id that two of them share (ignoring case, as some file systems do) gets an
    error result for each of its spellings, and the others are graded as usual."""
    groups: dict[str, list[tuple[str, str, Path, Submission]]] = {}
    for name, where, submission in found:
        safe = student_id(name)
        groups.setdefault(safe.casefold(), []).append((safe, name, where, submission))
    students: dict[str, Submission] = {}
    renamed = [(name, safe) for group in groups.values() for safe, name, _, _ in group if safe != name]
    if renamed:
        print(f"{len(renamed)} student id(s) made safe: " + ", ".join(
            f"{clean(name, 40)!r} -> {safe}" for name, safe in renamed[:5]) + (", ..." if len(renamed) > 5 else ""),
              file=log)
    for group in groups.values():
        if len(group) == 1:
            safe, _, _, submission = group[0]
            students[safe] = submission
            continue
        print(f"warning: {len(group)} submissions have the student id {group[0][0]} (ignoring case), so it gets "
              "an error result: " + ", ".join(clean(str(where), 100) for _, _, where, _ in group), file=log)
        for safe, _, _, submission in group:
            students[safe] = Submission({}, submission.folder, DUPLICATE.format(count=len(group)))
    return dict(sorted(students.items()))


def _student_folder(assignment: Assignment, folder: Path, base: Path) -> Submission:
    """A student's folder: the notebook named like each master, or the only notebook of a one-notebook
    assignment, whatever its name; several notebooks, none named so, are one reason for every test. A folder
    that is a link is not looked into: reading refuses its files."""
    if folder.is_symlink():
        return Submission({nb.name: folder / nb.path.name for nb in assignment.notebooks}, base)
    notebooks = _notebooks(folder)
    by_name = {p.name: p for p in notebooks}
    files: Files = {nb.name: by_name.get(nb.path.name) for nb in assignment.notebooks}
    if len(notebooks) == 1 and len(files) == 1:
        files = {name: notebooks[0] for name in files}
    if notebooks and not any(files.values()):
        names = ", ".join(nb.path.name for nb in assignment.notebooks)
        return Submission(files, base, f"your folder holds {len(notebooks)} notebooks and none is named like the "
                                       f"assignment's ({names}), so none was graded")
    return Submission(files, base, directory=folder)


def _entry(path: Path) -> bool:
    """A file, or a link (which reading refuses with a reason), but not a folder."""
    return path.is_symlink() or path.is_file()


def _notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".ipynb" and not p.name.startswith(".") and _entry(p))


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


def read(submission: Submission, wanted: dict[str, set[str]], declared: dict[str, dict[str, int]] | None = None
         ) -> dict[str, Answers | None]:
    """Each notebook of the submission read and parsed, once for the batch (``None``: not submitted); only the
    answer cells the master has (``wanted``, by notebook) are kept, with the files its grader reads (``declared``,
    by notebook: name -> size limit) from the student's folder. Nothing here stops the batch."""
    if submission.problem:
        return {}
    found: dict[str, Answers | None] = {}
    for name, path in submission.files.items():
        try:
            answers = None if path is None else read_answers(path, submission.folder, wanted[name])
            limits = (declared or {}).get(name)
            if answers is not None and limits and submission.directory is not None:
                answers = answers.with_files(*read_files(submission.directory, limits, submission.folder))
            found[name] = answers
        except Exception as exc:  # noqa: BLE001 - one student's file never stops the batch (a MemoryError, say)
            found[name] = Answers(unreadable=f"{GRADER_PROBLEM}: this submission could not be read "
                                             f"({type(exc).__name__})")
    return found


def fingerprint(submission: Submission, answers: dict[str, Answers | None]) -> str:
    """What a student's result was graded from: the digests of their files' bytes, or the reason none was."""
    if submission.problem:
        return "refused:" + hashlib.sha256(submission.problem.encode()).hexdigest()
    return ",".join(EMPTY_SHA256 if a is None else a.sha256 + (f"+{a.files_sha256}" if a.files or a.file_problems
                                                               else "") for a in answers.values())


def grader_digest(assignment: Assignment, package: Path = Path(__file__).resolve().parents[1]) -> str:
    """A digest of everything that decides a grade besides the submission: every module of ``package``
    (``autograder``) but the other assignments' graders, the other files of this assignment's graders (the
    master's trained weights), every module of ``course_utils`` next to it, and the assignment's master
    notebooks."""
    graders = package / "graders"
    own = {nb.name for nb in assignment.notebooks}
    files = [p for p in package.rglob("*.py") if p.parent.parent != graders or p.parent.name in own]
    files += [p for name in sorted(own) for p in (graders / name).glob("*") if p.is_file() and p.suffix != ".py"]
    named = {path.relative_to(package.parent).as_posix(): path
             for path in (*files, *(package.parent / "course_utils").rglob("*.py"))}
    named.update({f"master/{nb.path.name}": nb.path for nb in assignment.notebooks})
    digest = hashlib.sha256()
    for name, path in sorted(named.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class Pending:
    """A student to grade: their submission, their notebooks' answers (read once) and what they were read from."""

    submission: Submission
    answers: dict[str, Answers | None]
    fingerprint: str


def _finished(folder: Path, fingerprint: str, graders: str) -> SubmissionResult | None:
    try:
        result = SubmissionResult.from_gradescope(json.loads((folder / "results.json").read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return result if result.submission_sha256 == fingerprint and result.graded_with == graders else None


def grade(root: Path, assignment: Assignment, paths: list[Path], out: Path, jobs: int = 1, log=None,
          class_folders: bool = False, shard: Shard | None = None, references: dict[str, dict] | None = None,
          graders: str | None = None, hide: tuple[str, ...] = ()) -> list[SubmissionResult]:
    """Grade the students ``paths`` name (see the module's docstring) and write their results to ``out``; with
    ``shard``, only the students of that shard (and ``OUT/shard.json``). ``references``: the master's reference
    values computed in advance by the same ``graders`` (an exported bundle), so the master is not graded again;
    ``hide``: more folders that no student's code may read."""
    log = log or sys.stderr
    students = discover(assignment, paths, class_folders, out, log)
    if shard is not None:
        students = {s: submission for s, submission in students.items() if shard.holds(s)}
        print(f"shard {shard}: {len(students)} student(s)", file=log)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    (out / STUDENTS).mkdir(mode=0o700, exist_ok=True)
    graders = graders or grader_digest(assignment)
    if shard is not None:
        write_record(out, shard, assignment.name, graders, list(students))
    wanted = {nb.name: set(parse_answers(nb.path.read_bytes()).cells) for nb in assignment.notebooks}
    declared = {nb.name: declared_files(importlib.import_module(f"autograder.graders.{nb.name}"))
                for nb in assignment.notebooks}
    done: dict[str, SubmissionResult] = {}
    todo: dict[str, Pending] = {}
    for student, submission in students.items():
        answers = read(submission, wanted, declared)
        mark = fingerprint(submission, answers)
        kept = _finished(out / STUDENTS / student, mark, graders)
        if kept is not None:
            done[student] = kept
        else:
            todo[student] = Pending(submission, answers, mark)
    if done:
        print(f"{len(done)} submission(s) already graded in {out}: kept", file=log)
    if todo:
        grading = Grading(root, assignment.name, hide=_private_folders(root, out, paths) + hide)
        try:
            _grade_batch(grading, todo, out, jobs, done, graders, log, references)
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


def _grade_batch(grading: Grading, students: dict[str, Pending], out: Path, jobs: int,
                 done: dict[str, SubmissionResult], graders: str, log, references: dict[str, dict] | None = None
                 ) -> None:
    """Grade ``students`` one question at a time, spread over ``jobs`` processes: each question of the master
    first, then that question for every student, with the reference values the master's run computed (so no
    worker computes them again). A unit carries the answer cells its question's tests load, read once for the
    batch. Units wait in a queue, the costliest first (a question costs what the master's run of it cost), so
    that no long unit is left for the end while the other workers idle. A student's results are written once
    all their questions are graded and the master scored every point; a student whose submission cannot be
    graded at all gets their result here, with every test and the reason. Given ``references`` (computed in
    advance from a master that scored every point), the master is not graded and students' units start at once."""
    parts: dict[str, list[SubmissionResult]] = {}
    finished: list[SubmissionResult] = []
    master_ok = False
    order = grading.test_order()
    limits = {q: sum(t.timeout for g in grading.graders.values() for t in g.tests if t.question == q)
              for q in grading.questions}
    loads = {q: {name: {c for t in g.tests if t.question == q for c in t.cells} for name, g in grading.graders.items()}
             for q in grading.questions}
    reads = {q: {name: {f for t in g.tests if t.question == q for f in t.files} for name, g in grading.graders.items()}
             for q in grading.questions}
    for student, pending in list(students.items()):
        if pending.submission.problem:
            refused = {name: Answers(unreadable=pending.submission.problem) for name in grading.graders}
            finished.append(_marked(grading.grade_student(student, refused), pending, graders))
            del students[student]
    if references is None:
        queue = [(-limits[q], "", q, None) for q in grading.questions]  # a heap of (-cost, student, question, refs)
        print("grading the master notebook with the batch (it must score every point)...", file=log)
    else:
        queue = [(-limits[q], s, q, references) for q in grading.questions for s in students]
        master_ok = True
    heapq.heapify(queue)
    with tqdm(total=len(students) + len(finished), unit="submission", file=log,
              desc=grading.assignment.name) as bar, Workers(grading, jobs) as workers:
        running: dict = {}
        while queue or running:
            while queue and len(running) <= jobs:
                _, student, question, known = heapq.heappop(queue)
                if not student:
                    future = workers.submit("grade_master_question", question)
                else:
                    answers = {name: a if a is None else a.only(loads[question].get(name, ()),
                                                                    reads[question].get(name, ()))
                               for name, a in students[student].answers.items()}
                    future = workers.submit("grade_student", student, answers, {question}, None, known)
                running[future] = (student, question)
            complete, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in complete:
                student, question = running.pop(future)
                if not student:
                    part, known = future.result()
                    for name in students:
                        heapq.heappush(queue, (-part.execution_time, name, question, known))
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
                    finished.append(_marked(result, students.pop(student), graders))
            _write_finished(finished, master_ok, out, done, bar)
        _write_finished(finished, master_ok, out, done, bar)  # refused submissions when no unit was left to run


def _write_finished(finished: list[SubmissionResult], master_ok: bool, out: Path, done: dict[str, SubmissionResult],
                    bar: tqdm) -> None:
    while master_ok and finished:
        result = finished.pop()
        result.write(out / STUDENTS / result.student)
        done[result.student] = result
        bar.update()


def _marked(result: SubmissionResult, pending: Pending, graders: str) -> SubmissionResult:
    result.submission_sha256 = pending.fingerprint
    result.graded_with = graders
    return result


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
