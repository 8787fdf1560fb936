"""The one place that knows how nbgrader marks a notebook's cells, and how a grade id names its question.

nbgrader keeps its marks in ``cell.metadata.nbgrader``: ``solution`` (an answer cell the student writes),
``grade`` with ``points`` (a cell that scores: a test cell, or a manually graded answer), ``locked`` (given
code or text the student must not change) and ``grade_id``. A grade id starts with its question id:
``Q1_forward`` belongs to question ``Q1``. Cells are JSON dicts or ``nbformat`` nodes (which are dicts too);
a cell from a student's file may hold anything, so every predicate tolerates missing or odd values.
"""
from __future__ import annotations

from typing import Any, Literal


def marks(cell: Any) -> dict:
    """The cell's nbgrader metadata, or an empty dict."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    found = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def grade_id(cell: Any) -> str | None:
    value = marks(cell).get("grade_id")
    return value if isinstance(value, str) else None


def is_answer(cell: Any) -> bool:
    """A cell the student writes (nbgrader's ``solution``)."""
    return bool(marks(cell).get("solution")) and grade_id(cell) is not None


def is_code_answer(cell: Any) -> bool:
    return is_answer(cell) and cell.get("cell_type") == "code"


def is_graded(cell: Any) -> bool:
    """A cell with points: a test cell (auto-graded) or an answer graded by hand."""
    return bool(marks(cell).get("grade")) and grade_id(cell) is not None


def is_locked(cell: Any) -> bool:
    """Given code or text that the student must not change."""
    return bool(marks(cell).get("locked"))


def grading_kind(cell: Any) -> Literal["auto", "manual"]:
    """A graded code cell that is not an answer is a test cell (auto); a graded answer or text is manual."""
    return "manual" if is_answer(cell) or cell.get("cell_type") == "markdown" else "auto"


def points(cell: Any) -> float:
    return float(marks(cell).get("points", 0) or 0)


def source(cell: Any) -> str:
    """The cell's text (nbformat allows a string or a list of lines)."""
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def question_of(grade: str) -> str:
    """The question a grade id belongs to: the part before the first ``_``."""
    return grade.split("_", 1)[0]
