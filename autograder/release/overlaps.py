"""Find code that one place gives away and another grades.

A name (function or class) that an assignment's answer cells define is
*graded* there. If another assignment defines the same name in a given
(locked) cell, releasing that assignment first hands out a solution: the
instructor must order the release dates. If ``course_utils`` defines it,
every student already has the solution, which is an error.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import Assignment, read_notebook
from autograder.notebook import grade_id, is_answer, is_locked


@dataclass(frozen=True)
class Overlap:
    name: str
    graded_in: str
    given_in: str

    @property
    def in_course_utils(self) -> bool:
        return self.given_in.startswith("course_utils")

    def __str__(self) -> str:
        if self.in_course_utils:
            return f"{self.name}: graded in {self.graded_in} but students get it from {self.given_in}"
        return (f"{self.name}: graded in {self.graded_in}, given in {self.given_in}; release "
                f"{self.given_in.split('/')[0]} only after {self.graded_in.split('/')[0]} is due")


def defined_names(source: str) -> set[str]:
    """Top-level functions and classes that ``source`` defines (nothing if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def _cells(assignment: Assignment) -> tuple[dict[str, str], dict[str, str]]:
    """(graded, given): each defined name mapped to ``assignment/grade_id`` of the cell defining it."""
    graded: dict[str, str] = {}
    given: dict[str, str] = {}
    for notebook in assignment.notebooks:
        for cell in read_notebook(notebook.path).cells:
            if cell.cell_type != "code" or grade_id(cell) is None:
                continue
            where = f"{assignment.name}/{grade_id(cell)}"
            target = graded if is_answer(cell) else given if is_locked(cell) else None
            if target is not None:
                for name in defined_names(cell.source):
                    target.setdefault(name, where)
    return graded, given


def find_overlaps(root: Path, assignments: list[Assignment]) -> list[Overlap]:
    """Every graded name that ``course_utils`` or another assignment's given cells define."""
    helpers: dict[str, str] = {}
    for path in sorted((root / "course_utils").rglob("*.py")):  # with its subpackages (course_utils/data/)
        for name in defined_names(path.read_text()):
            if not name.startswith("_"):
                helpers.setdefault(name, path.relative_to(root).as_posix())
    cells = {a.name: _cells(a) for a in assignments}
    overlaps = []
    for name, (graded, _) in cells.items():
        for function, where in sorted(graded.items()):
            if function in helpers:
                overlaps.append(Overlap(function, where, helpers[function]))
            for other, (_, given) in cells.items():
                if other != name and function in given:
                    overlaps.append(Overlap(function, where, given[function]))
    return overlaps
