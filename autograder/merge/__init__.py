"""``course merge``: join the output folders of ``course grade --shard K/N`` into one gradebook.

Shards are joined only if they can be one batch: one assignment, one digest of the graders (``graded_with``:
a shard graded after a grader fix is refused, not mixed in), no student in two folders, and, for sharded
folders, shards 1 to N of one N, each holding a result for every student its ``shard.json`` lists (a shard
that crashed half way is refused until it is run again, which resumes it). The joined folder has the layout
of ``course grade``'s: ``grades.csv`` and ``students/<id>/`` with each student's results.json and feedback.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.assignments import CourseError
from autograder.grade import STUDENTS
from autograder.grade.shards import read_record
from autograder.results import SubmissionResult, gradebook_csv, write_atomically

MERGED_FILE = "merged.json"


def merge_gradebooks(parts: list[Path], out: Path) -> list[SubmissionResult]:
    """Check that ``parts`` belong together (see the module's docstring), then write the joined gradebook to
    ``out`` (a new folder, or one this command wrote before, which is replaced)."""
    found: dict[str, tuple[SubmissionResult, Path]] = {}
    records = {part: read_record(part) for part in parts}
    for part in parts:
        if part.resolve() == out.resolve():
            raise CourseError(f"{part} is both a shard and the output folder")
        for student, result in _results(part).items():
            if student in found:
                raise CourseError(f"{student} was graded in both {found[student][1]} and {part}: overlapping shards")
            found[student] = (result, part)
    _require_one_batch(records, {s: r for s, (r, _) in found.items()}, {s: p for s, (_, p) in found.items()})
    _prepare(out)
    for student, (_, part) in sorted(found.items()):
        shutil.copytree(part / STUDENTS / student, out / STUDENTS / student)
    results = [result for _, (result, _) in sorted(found.items())]
    questions = list(dict.fromkeys(t.question for r in results for t in r.tests))
    write_atomically(out / "grades.csv", gradebook_csv(results, questions))
    shards = sorted(str(r["shard"]) for r in records.values() if r)
    write_atomically(out / MERGED_FILE, json.dumps({"parts": [str(p) for p in parts], "shards": shards,
                                                    "students": len(results)}, indent=2))
    return results


def _results(part: Path) -> dict[str, SubmissionResult]:
    if not (part / STUDENTS).is_dir():
        raise CourseError(f"{part} is not an output folder of course grade (no {STUDENTS}/ in it)")
    results = {}
    for folder in sorted((part / STUDENTS).iterdir()):
        try:
            results[folder.name] = SubmissionResult.from_gradescope(json.loads((folder / "results.json").read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # an unfinished student: the shard record says whether one was expected
    return results


def _require_one_batch(records: dict[Path, dict | None], results: dict[str, SubmissionResult],
                       where: dict[str, Path]) -> None:
    assignments = {r.assignment for r in results.values()} | {rec["assignment"] for rec in records.values() if rec}
    if len(assignments) > 1:
        raise CourseError("the folders hold results of different assignments: " + ", ".join(sorted(assignments)))
    digests: dict[str, Path] = {}
    for student, result in results.items():
        digests.setdefault(result.graded_with, where[student])
    for part, record in records.items():
        if record:
            digests.setdefault(record["graded_with"], part)
    if len(digests) > 1:
        raise CourseError("the folders were graded with different graders (graded_with differs: "
                          + ", ".join(str(p) for p in digests.values()) + "); grade every shard with one checkout")
    sharded = {part: rec for part, rec in records.items() if rec}
    if not sharded:
        return
    if len(sharded) < len(records):
        raise CourseError("some folders are shards and some are not: "
                          + ", ".join(str(p) for p, rec in records.items() if not rec) + " has no shard.json")
    counts = {rec["shard"].count for rec in sharded.values()}
    if len(counts) > 1:
        raise CourseError(f"the shards split the class in different ways ({sorted(counts)} shards)")
    count = counts.pop()
    seen: dict[int, Path] = {}
    for part, rec in sharded.items():
        if rec["shard"].index in seen:
            raise CourseError(f"shard {rec['shard']} appears twice: {seen[rec['shard'].index]} and {part}")
        seen[rec["shard"].index] = part
        missing = [s for s in rec["students"] if where.get(s) != part]
        if missing:
            raise CourseError(f"shard {rec['shard']} in {part} has no result for {len(missing)} of its students "
                              f"(such as {missing[0]}): run its course grade again, which resumes it")
    absent = sorted(set(range(1, count + 1)) - set(seen))
    if absent:
        raise CourseError(f"shard(s) {', '.join(f'{k}/{count}' for k in absent)} missing: every shard of {count} "
                          "is needed for the class's gradebook")


def _prepare(out: Path) -> None:
    """An empty output folder: a new one, or one a former merge wrote (never a folder of other files)."""
    if out.exists() and any(out.iterdir()):
        if not (out / MERGED_FILE).is_file():
            raise CourseError(f"{out} is not empty and was not written by course merge: choose another --out")
        shutil.rmtree(out / STUDENTS, ignore_errors=True)
    (out / STUDENTS).mkdir(mode=0o700, parents=True, exist_ok=True)
