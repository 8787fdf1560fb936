"""Shards of a class: ``course grade --shard K/N`` grades the students whose id hashes to shard K of N.

The hash is SHA-256 of the id (ignoring case, as the duplicate check does), so a student lands in the same shard
on every run and on every machine, and a resubmission is graded where the first one was. Each shard's output
folder gets ``shard.json``: the shard, the graders' digest and the students it holds, which ``course merge``
checks before joining shards into one gradebook.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import CourseError

SHARD_FILE = "shard.json"


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1 to ``count``) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        """``K/N`` with 1 <= K <= N."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise CourseError(f"--shard takes K/N with 1 <= K <= N (such as 2/4), not {text!r}")
        return cls(int(match[1]), int(match[2]))

    def holds(self, student: str) -> bool:
        digest = hashlib.sha256(student.casefold().encode("utf-8", "surrogateescape")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def write_record(out: Path, shard: Shard, assignment: str, graded_with: str, students: list[str]) -> None:
    from autograder.results import write_atomically

    write_atomically(out / SHARD_FILE, json.dumps({"assignment": assignment, "shard": [shard.index, shard.count],
                                                   "graded_with": graded_with, "students": sorted(students)},
                                                  indent=2))


def read_record(out: Path) -> dict | None:
    """The folder's shard record, or None for the output of an unsharded run."""
    path = out / SHARD_FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
        shard = Shard(*(int(x) for x in record["shard"]))
        return {**record, "shard": shard, "students": [str(s) for s in record["students"]]}
    except (ValueError, KeyError, TypeError) as exc:
        raise CourseError(f"{path} is not a shard record ({type(exc).__name__})") from None
