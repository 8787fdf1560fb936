"""One results object per graded submission, and everything it serialises to.

``SubmissionResult`` writes Gradescope's ``results.json`` (and reads it back,
which is how an interrupted batch resumes), a plain-text feedback file, and
one row of the CSV gradebook. Files are written atomically: a crash leaves
either the old file or the new one, never half of one.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

SCHEMA = 1


@dataclass(frozen=True)
class TestResult:
    """One hidden test's outcome. results.json gets ``seconds`` rounded to whole seconds: how long a child ran
    is a number it chose, so a fine one could carry what it learned."""

    __test__ = False  # not a pytest test class

    name: str
    item: str
    score: float
    max_score: float
    message: str = ""
    visibility: str = "visible"
    seconds: float = 0.0
    leaderboard: tuple[tuple[str, float, str], ...] = ()  # (name, value, "asc" or "desc") for the class board

    @property
    def question(self) -> str:
        return self.item.split("_", 1)[0]

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    def to_gradescope(self) -> dict:
        return {"name": self.name, "score": self.score, "max_score": self.max_score,
                "status": "passed" if self.passed else "failed", "output": self.message,
                "visibility": self.visibility,
                "extra_data": {"item": self.item, "message": self.message, "seconds": round(self.seconds),
                               **({"leaderboard": [list(entry) for entry in self.leaderboard]}
                                  if self.leaderboard else {})}}

    @classmethod
    def from_gradescope(cls, data: dict) -> "TestResult":
        extra = data.get("extra_data", {})
        return cls(data["name"], extra["item"], float(data["score"]), float(data["max_score"]),
                   extra.get("message", ""), data.get("visibility", "visible"), float(extra.get("seconds", 0.0)),
                   tuple((str(n), float(v), str(o)) for n, v, o in extra.get("leaderboard", [])))


@dataclass(frozen=True)
class ManualItem:
    item: str
    max_score: float


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    tests: list[TestResult]
    manual: list[ManualItem] = field(default_factory=list)
    execution_time: float = 0.0
    submission_sha256: str = ""
    notes: list[str] = field(default_factory=list)
    graded_with: str = ""  # digest of what graded it: the graders, the master, the engine, the helpers

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)

    @property
    def leaderboard(self) -> dict[str, tuple[float, str]]:
        """The values this submission puts on the class leaderboard (the first test that reports a name gives it)."""
        board: dict[str, tuple[float, str]] = {}
        for t in self.tests:
            for name, value, order in t.leaderboard:
                board.setdefault(name, (value, order))
        return board

    def by_question(self) -> dict[str, tuple[float, float]]:
        """(points scored, points possible) per question, in test order."""
        table: dict[str, tuple[float, float]] = {}
        for t in self.tests:
            got, best = table.get(t.question, (0.0, 0.0))
            table[t.question] = (got + t.score, best + t.max_score)
        return table

    def summary_line(self) -> str:
        manual = sum(m.max_score for m in self.manual)
        text = f"Auto-graded score: {self.score:g} / {self.max_score:g}."
        if manual:
            text += f" {manual:g} more points are graded by hand: " + ", ".join(
                f"{m.item} ({m.max_score:g})" for m in self.manual) + "."
        return text

    def to_gradescope(self) -> dict:
        return {
            "score": self.score,
            "execution_time": round(self.execution_time),
            "output": "\n".join([self.summary_line(), *self.notes]),
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [t.to_gradescope() for t in self.tests],
            **({"leaderboard": [{"name": name, "value": value, "order": order}
                                for name, (value, order) in self.leaderboard.items()]} if self.leaderboard else {}),
            "extra_data": {"schema": SCHEMA, "student": self.student, "assignment": self.assignment,
                           "submission_sha256": self.submission_sha256, "graded_with": self.graded_with,
                           "manual": [asdict(m) for m in self.manual], "notes": self.notes,
                           "execution_seconds": round(self.execution_time)},
        }

    @classmethod
    def from_gradescope(cls, data: dict) -> "SubmissionResult":
        extra = data["extra_data"]
        if extra.get("schema") != SCHEMA:
            raise ValueError("results.json written by another version of the grader")
        return cls(extra["student"], extra["assignment"], [TestResult.from_gradescope(t) for t in data["tests"]],
                   [ManualItem(**m) for m in extra.get("manual", [])], float(extra.get("execution_seconds", 0.0)),
                   extra.get("submission_sha256", ""), list(extra.get("notes", [])), extra.get("graded_with", ""))

    def feedback(self) -> str:
        lines = [f"{self.assignment}: feedback for {self.student}", "", self.summary_line(), *self.notes, ""]
        for question, (got, best) in self.by_question().items():
            lines.append(f"{question}: {got:g} / {best:g}")
        for t in self.tests:
            lines += ["", f"[{'PASS' if t.passed else 'FAIL'}] {t.name}  ({t.score:g} / {t.max_score:g})"]
            if t.message:
                lines += [f"    {line}" for line in t.message.splitlines()]
        for m in self.manual:
            lines += ["", f"[MANUAL] {m.item}  (graded by hand, {m.max_score:g} points)"]
        return "\n".join(lines) + "\n"

    def write(self, folder: Path) -> None:
        """``results.json`` and ``feedback.txt`` in ``folder``; results.json last, as the mark of completion."""
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / "feedback.txt", self.feedback())
        write_atomically(folder / "results.json", json.dumps(self.to_gradescope(), indent=2))


def gradebook_csv(results: list[SubmissionResult], questions: list[str]) -> str:
    """One row per student: points per question, the auto-graded total, manual points still to grade, and a
    column per leaderboard value (empty for a student without one). No cell starts like a spreadsheet formula
    (see ``spreadsheet_safe``), and every cell is quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)  # a CR in a cell stays in its cell
    boards = list(dict.fromkeys(name for r in results for name in r.leaderboard))
    rows = [["student", *questions, "auto_score", "auto_max", "manual_pending", "seconds", *boards]]
    for r in sorted(results, key=lambda r: r.student):
        table = r.by_question()
        rows.append([r.student, *(f"{table.get(q, (0.0, 0.0))[0]:g}" for q in questions), f"{r.score:g}",
                     f"{r.max_score:g}", f"{sum(m.max_score for m in r.manual):g}", f"{r.execution_time:.1f}",
                     *(f"{r.leaderboard[name][0]:.4g}" if name in r.leaderboard else "" for name in boards)])
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    return buffer.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` with a ``'`` in front if it starts with what a spreadsheet reads as a formula (OWASP's rule for
    CSV injection: ``=``, ``+``, ``-``, ``@``, tab, carriage return); the csv module quotes the rest."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
