"""Find assignments in ``source/`` and read the graded cells of their notebooks.

An assignment is a folder ``source/<name>/`` holding one or more master
notebooks. Which cells are graded, and how, is ``autograder.notebook``'s.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from autograder.notebook import grade_id, grading_kind, is_graded, points, question_of

if TYPE_CHECKING:
    import nbformat


class CourseError(Exception):
    """An instructor-facing error: bad arguments or a broken course layout."""


@dataclass(frozen=True)
class GradedCell:
    grade_id: str
    points: float
    kind: Literal["auto", "manual"]

    @property
    def question(self) -> str:
        return question_of(self.grade_id)


@dataclass(frozen=True)
class Notebook:
    path: Path
    graded_cells: tuple[GradedCell, ...]

    @property
    def name(self) -> str:
        return self.path.stem

    def points(self, kind: Literal["auto", "manual"]) -> float:
        return sum(c.points for c in self.graded_cells if c.kind == kind)


@dataclass(frozen=True)
class Assignment:
    name: str
    notebooks: tuple[Notebook, ...]

    def points(self, kind: Literal["auto", "manual"]) -> float:
        return sum(nb.points(kind) for nb in self.notebooks)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "auto_points": self.points("auto"),
            "manual_points": self.points("manual"),
            "notebooks": [
                {
                    "name": nb.name,
                    "auto_points": nb.points("auto"),
                    "manual_points": nb.points("manual"),
                    "cells": [
                        {"grade_id": c.grade_id, "question": c.question, "points": c.points, "kind": c.kind}
                        for c in nb.graded_cells
                    ],
                }
                for nb in self.notebooks
            ],
        }


def course_root(start: Path | None = None) -> Path:
    """The course directory: ``$COURSE_ROOT``, else the nearest folder upwards with
    ``nbgrader_config.py`` and ``source/``, else the checkout this package came from."""
    if os.environ.get("COURSE_ROOT"):
        return Path(os.environ["COURSE_ROOT"]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "source").is_dir():
            return folder
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "source").is_dir():
        return checkout
    raise CourseError("no course directory found: run from a folder with nbgrader_config.py and source/")


def graded_cells(cells: list[Any]) -> tuple[GradedCell, ...]:
    """Cells with points: code test cells are auto-graded, answer cells with points are manual."""
    return tuple(GradedCell(grade_id(c), points(c), grading_kind(c)) for c in cells if is_graded(c))


def read_notebook(path: Path) -> "nbformat.NotebookNode":
    """Read and validate a notebook, turning every kind of unreadable file into one clear error."""
    import nbformat  # its schema validator takes seconds to import: grading a submission never needs it

    try:
        return nbformat.read(path, as_version=4)
    except (OSError, json.JSONDecodeError, nbformat.reader.NotJSONError, nbformat.ValidationError) as exc:
        raise CourseError(f"{path}: not a readable notebook ({exc})") from exc


def _cells(path: Path) -> list[Any]:
    """The cells of a master notebook, read as JSON (``course release`` validates it with nbformat)."""
    try:
        cells = json.loads(path.read_bytes()).get("cells")
    except (OSError, ValueError, AttributeError) as exc:
        raise CourseError(f"{path}: not a readable notebook ({exc})") from exc
    if not isinstance(cells, list):
        raise CourseError(f"{path}: not a readable notebook (no list of cells)")
    return cells


def load_assignment(root: Path, name: str) -> Assignment:
    folder = root / "source" / name
    if not folder.is_dir():
        known = ", ".join(a.name for a in list_assignments(root)) or "none"
        raise CourseError(f"unknown assignment {name!r} (known: {known})")
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise CourseError(f"{folder} holds no notebook")
    return Assignment(name, tuple(Notebook(p, graded_cells(_cells(p))) for p in paths))


def list_assignments(root: Path) -> list[Assignment]:
    source = root / "source"
    names = sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))
    return [load_assignment(root, n) for n in names]


def select(root: Path, names: list[str] | None) -> list[Assignment]:
    """The named assignments, or all of them when no name is given."""
    return [load_assignment(root, n) for n in names] if names else list_assignments(root)
