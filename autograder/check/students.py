"""Student notebooks made from the master and its mutant catalogue: one mutant, or a simulated class.

A student notebook is the release with answers filled in, so it holds what a student hands in and nothing of
the hidden tests: the master's answers (a perfect student), the master's with one mutant applied (a typical
bug), or the master's with correct alternatives (another style). ``course mutant`` writes one of them,
``course class`` a whole class for a demo or a rehearsal of ``course grade``, each student a folder that also
holds the files the master hands in besides its notebooks (the PyTorch challenge's trained weights).
"""
from __future__ import annotations

import importlib
import json
from itertools import zip_longest
from pathlib import Path

from autograder.assignments import Assignment, CourseError, Notebook
from autograder.check.mutants import Alternative, Mutant, load_catalogue
from autograder.engine import master_files
from autograder.notebook import grade_id, is_code_answer
from autograder.submissions import parse_answers

Entry = Mutant | Alternative


def student_notebook(release: Path, answers: dict[str, str]) -> dict:
    """The release notebook at ``release`` with each answer cell's source replaced by ``answers``'s."""
    document = json.loads(release.read_text())
    for cell in document["cells"]:
        if is_code_answer(cell) and grade_id(cell) in answers:
            cell["source"] = answers[grade_id(cell)]
    return document


def catalogue(root: Path, assignment: Assignment) -> list[tuple[Notebook, Entry]]:
    """Every mutant, then every alternative, of every notebook of the assignment, numbered from 1 in this order."""
    found: list[tuple[Notebook, Entry]] = []
    for notebook in assignment.notebooks:
        mutants, alternatives = load_catalogue(root, notebook.name)
        found += [(notebook, entry) for entry in (*mutants, *alternatives)]
    return found


class Writer:
    """Writes student notebooks of one assignment: its releases and master answers read once."""

    def __init__(self, root: Path, assignment: Assignment) -> None:
        self.assignment = assignment
        self.releases = {nb.name: root / "release" / assignment.name / nb.path.name for nb in assignment.notebooks}
        for path in self.releases.values():
            if not path.is_file():
                raise CourseError(f"{path} is missing: run `course release {assignment.name}` first")
        self.masters = {nb.name: parse_answers(nb.path.read_text()).cells for nb in assignment.notebooks}
        self.files = {name: data for nb in assignment.notebooks
                      for name, data in master_files(importlib.import_module(f"autograder.graders.{nb.name}")).items()}

    def notebook(self, notebook: Notebook, entries: list[Entry], path: Path) -> None:
        """Write ``notebook``'s release at ``path`` with the master's answers, each of ``entries`` applied."""
        answers = dict(self.masters[notebook.name])
        for entry in entries:
            answers[entry.cell] = entry.apply(answers[entry.cell])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(student_notebook(self.releases[notebook.name], answers), indent=1) + "\n")

    def student(self, folder: Path, entries: dict[str, list[Entry]]) -> None:
        """A student's folder: every notebook of the assignment, edited by ``entries`` (by notebook name), and the
        master's other files."""
        for notebook in self.assignment.notebooks:
            self.notebook(notebook, entries.get(notebook.name, []), folder / notebook.path.name)
        for name, data in self.files.items():
            (folder / name).write_bytes(data)


def write_mutant(root: Path, assignment: Assignment, number: int, out: Path) -> Entry:
    """Write catalogue entry ``number`` (see ``catalogue``) as a student notebook at ``out``."""
    entries = catalogue(root, assignment)
    if not 1 <= number <= len(entries):
        raise CourseError(f"{assignment.name} has catalogue entries 1 to {len(entries)}, not {number}")
    notebook, entry = entries[number - 1]
    Writer(root, assignment).notebook(notebook, [entry], out)
    return entry


def simulated_class(root: Path, assignment: Assignment, out: Path, size: int = 12) -> list[str]:
    """``size`` students in ``out``: two perfect, one in another style (a whole-cell alternative of every cell
    that has one), one broken file, and the rest each with one typical bug, taken from question after question.
    Their names say what they are."""
    if size < 4:
        raise CourseError("a simulated class has at least 4 students (perfect, other style, a bug, broken)")
    entries = catalogue(root, assignment)
    styles: dict[str, dict[str, Entry]] = {}
    by_question: dict[str, list[tuple[Notebook, Mutant]]] = {}
    for notebook, entry in entries:
        if isinstance(entry, Mutant):
            by_question.setdefault(entry.question, []).append((notebook, entry))
        elif entry.source is not None:
            styles.setdefault(notebook.name, {}).setdefault(entry.cell, entry)
    rounds = zip_longest(*by_question.values())  # the first bug of every question, then the second, ...
    bugs = [pair for round_ in rounds for pair in round_ if pair is not None]
    writer = Writer(root, assignment)
    names = ["01_perfect", "02_perfect", "03_another_style"]
    writer.student(out / names[0], {})
    writer.student(out / names[1], {})
    writer.student(out / names[2], {name: list(cells.values()) for name, cells in styles.items()})
    for index, (notebook, mutant) in enumerate(bugs[: size - 4], start=4):
        names.append(f"{index:02d}_bug_in_{mutant.item}")
        writer.student(out / names[-1], {notebook.name: [mutant]})
    names.append(f"{len(names) + 1:02d}_broken_file")
    (out / names[-1]).mkdir(parents=True, exist_ok=True)
    (out / names[-1] / assignment.notebooks[0].path.name).write_text("{ this is not a notebook")
    return names
