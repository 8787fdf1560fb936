"""Prove that a student release hides every solution and every hidden test.

A *secret line* is a non-blank line (whitespace stripped) inside a solution
region or a hidden-test region of a master notebook that appears nowhere in
the public part of the masters. The release leaks if any file in it contains
a secret line, an nbgrader region marker, or a gradebook database, or if it holds
trained weights (a notebook run in ``source/`` writes them there, and a student
who hands in the master's weights scores work nobody did).
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import nbformat
from autograder.notebook import marks

MARKERS = {
    "solution": ("BEGIN SOLUTION", "END SOLUTION"),
    "hidden tests": ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
}
STUB_LINES = {"# YOUR CODE HERE", "raise NotImplementedError()", "YOUR ANSWER HERE"}
GRADEBOOK = "gradebook.db"
WEIGHTS = (".pt", ".pth", ".ckpt", ".safetensors")


@dataclass(frozen=True)
class Leak:
    file: Path
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.file}: {self.what}: {self.text}"


def _regions(cell: nbformat.NotebookNode) -> Iterator[tuple[str | None, str]]:
    """Yield ``(region, line)`` for each line of a cell; region is None for public lines."""
    lines = cell.source.splitlines()
    is_solution_cell = bool(marks(cell).get("solution"))
    has_solution_markers = any(MARKERS["solution"][0] in line for line in lines)
    region: str | None = "solution" if is_solution_cell and not has_solution_markers else None
    for line in lines:
        opened = next((name for name, (begin, _) in MARKERS.items() if begin in line), None)
        closed = next((name for name, (_, end) in MARKERS.items() if end in line), None)
        if opened:
            region = opened
        elif closed:
            region = "solution" if is_solution_cell and not has_solution_markers else None
        else:
            yield region, line


def secret_lines(masters: Iterable[nbformat.NotebookNode]) -> dict[str, str]:
    """Map each secret line (stripped) to the kind of region it came from."""
    secret: dict[str, str] = {}
    public: set[str] = set()
    for nb in masters:
        for cell in nb.cells:
            for region, line in _regions(cell):
                text = line.strip()
                if not text:
                    continue
                if region is None:
                    public.add(text)
                else:
                    secret.setdefault(text, region)
    return {line: region for line, region in secret.items() if line not in public and line not in STUB_LINES}


def _strings(value: object) -> Iterator[str]:
    """Every string inside a JSON value (sources, outputs, metadata alike)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _release_lines(path: Path) -> Iterator[str]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    if path.suffix == ".ipynb":
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = text
        for string in _strings(parsed):
            yield from string.splitlines()
    else:
        yield from text.splitlines()


def find_leaks(masters: Iterable[nbformat.NotebookNode], release_dir: Path) -> list[Leak]:
    """Every secret line, region marker or gradebook found anywhere under ``release_dir``."""
    secrets = secret_lines(masters)
    leaks = []
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        if path.name == GRADEBOOK:
            leaks.append(Leak(path, "gradebook database", "stores the hidden tests verbatim"))
            continue
        if path.suffix in WEIGHTS:
            leaks.append(Leak(path, "trained weights", "a student could hand them in as their own"))
            continue
        for line in _release_lines(path):
            text = line.strip()
            if text in secrets:
                leaks.append(Leak(path, f"{secrets[text]} line", text))
            elif any(marker in text for pair in MARKERS.values() for marker in pair):
                leaks.append(Leak(path, "nbgrader marker", text))
    return leaks


def tracked_gradebooks(root: Path) -> list[Leak]:
    """Gradebook databases tracked by git in the course repository, if it is one."""
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return []
    return [Leak(root / f, "gradebook tracked by git", "stores the hidden tests verbatim")
            for f in listed if Path(f).name == GRADEBOOK]
