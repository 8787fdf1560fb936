"""Student notebooks made from the master and its mutant catalogue: one mutant, or a simulated class.

A student notebook is the release with answers filled in, so it holds what a student hands in and nothing of
the hidden tests: the master's answers (a perfect student), the master's with one mutant applied (a typical
bug), or the master's with correct alternatives (another style). ``course mutant`` writes one of them,
``course class`` a whole class for a demo or a rehearsal of ``course grade``.
"""
from __future__ import annotations

import json
from pathlib import Path

from autograder.assignments import Assignment, CourseError, Notebook
from autograder.check.mutants import Alternative, Mutant, load_catalogue
from autograder.submissions import parse_answers
from autograder.notebook import grade_id, is_code_answer

Entry = Mutant | Alternative


def student_notebook(release: Path, answers: dict[str, str]) -> dict:
    """The release notebook at ``release`` with each answer cell's source replaced by ``answers``'s."""
    document = json.loads(release.read_text())
    for cell in document["cells"]:
        if is_code_answer(cell) and grade_id(cell) in answers:
            cell["source"] = answers[grade_id(cell)]
    return document


def _released(root: Path, notebook: Notebook, assignment: Assignment) -> Path:
    path = root / "release" / assignment.name / notebook.path.name
    if not path.is_file():
        raise CourseError(f"{path} is missing: run `course release {assignment.name}` first")
    return path


def _answers(notebook: Notebook, entries: list[Entry]) -> dict[str, str]:
    answers = parse_answers(notebook.path.read_text()).cells
    for entry in entries:
        answers[entry.cell] = entry.apply(answers[entry.cell])
    return answers


def catalogue(root: Path, assignment: Assignment) -> list[tuple[Notebook, Entry]]:
    """Every mutant, then every alternative, of every notebook of the assignment, numbered from 1 in this order."""
    found: list[tuple[Notebook, Entry]] = []
    for notebook in assignment.notebooks:
        mutants, alternatives = load_catalogue(root, notebook.name)
        found += [(notebook, entry) for entry in (*mutants, *alternatives)]
    return found


def write_student(root: Path, assignment: Assignment, folder: Path, entries: dict[str, list[Entry]]) -> None:
    """A student's folder: every notebook of the assignment, the master's answers edited by ``entries``
    (by notebook name)."""
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in assignment.notebooks:
        document = student_notebook(_released(root, notebook, assignment),
                                    _answers(notebook, entries.get(notebook.name, [])))
        (folder / notebook.path.name).write_text(json.dumps(document, indent=1) + "\n")


def write_mutant(root: Path, assignment: Assignment, number: int, out: Path) -> Entry:
    """Write catalogue entry ``number`` (see ``catalogue``) as a student notebook at ``out``."""
    entries = catalogue(root, assignment)
    if not 1 <= number <= len(entries):
        raise CourseError(f"{assignment.name} has catalogue entries 1 to {len(entries)}, not {number}")
    notebook, entry = entries[number - 1]
    out.parent.mkdir(parents=True, exist_ok=True)
    document = student_notebook(_released(root, notebook, assignment), _answers(notebook, [entry]))
    out.write_text(json.dumps(document, indent=1) + "\n")
    return entry


def simulated_class(root: Path, assignment: Assignment, out: Path, size: int = 12) -> list[str]:
    """``size`` students in ``out``: two perfect, one in another style (every whole-cell alternative), one
    broken file, and the rest each with one typical bug, taken from question after question. Their names say
    what they are."""
    if size < 4:
        raise CourseError("a simulated class has at least 4 students (perfect, other style, a bug, broken)")
    entries = catalogue(root, assignment)
    styles: dict[str, list[Entry]] = {}
    for notebook, entry in entries:
        if isinstance(entry, Alternative) and entry.source is not None and \
                all(e.cell != entry.cell for e in styles.get(notebook.name, [])):
            styles.setdefault(notebook.name, []).append(entry)
    by_question: dict[str, list[tuple[Notebook, Mutant]]] = {}
    for notebook, entry in entries:
        if isinstance(entry, Mutant):
            by_question.setdefault(entry.question, []).append((notebook, entry))
    bugs = [pair for round_ in range(max(map(len, by_question.values()), default=0))
            for pairs in by_question.values() if round_ < len(pairs) for pair in [pairs[round_]]]
    out.mkdir(parents=True, exist_ok=True)
    names = ["01_perfect", "02_perfect"]
    for name in names:
        write_student(root, assignment, out / name, {})
    names.append("03_another_style")
    write_student(root, assignment, out / names[-1], styles)
    for index, (notebook, mutant) in enumerate(bugs[: size - 4], start=4):
        names.append(f"{index:02d}_bug_in_{mutant.item}")
        write_student(root, assignment, out / names[-1], {notebook.name: [mutant]})
    names.append(f"{len(names) + 1:02d}_broken_file")
    (out / names[-1]).mkdir(exist_ok=True)
    (out / names[-1] / assignment.notebooks[0].path.name).write_text("{ this is not a notebook")
    return names
