"""``course release``: build student notebooks with nbgrader, then prove nothing leaked."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from autograder.assignments import Assignment, CourseError, read_notebook
from autograder.release.leaks import Leak, find_leaks, tracked_gradebooks


def generate(root: Path, assignment: Assignment, release_root: Path) -> Path:
    """Run ``nbgrader generate_assignment --force --no-db`` into ``release_root/<name>``.

    ``--no-db`` keeps nbgrader from writing a gradebook at all: it would store
    the hidden tests verbatim, and our graders read them from ``source/``.
    """
    command = [
        sys.executable, "-m", "nbgrader", "generate_assignment", assignment.name, "--force", "--no-db",
        f"--CourseDirectory.root={root}",
        f"--CourseDirectory.release_directory={release_root.resolve()}",
        "--log-level=WARN",
    ]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise CourseError(f"nbgrader generate_assignment {assignment.name} failed:\n{done.stdout}{done.stderr}")
    return release_root / assignment.name


def release(root: Path, assignments: list[Assignment], release_root: Path | None = None) -> list[Leak]:
    """Regenerate each assignment's release and return every leak found (empty means safe)."""
    release_root = release_root or root / "release"
    release_root.mkdir(parents=True, exist_ok=True)
    leaks = tracked_gradebooks(root)
    for assignment in assignments:
        target = release_root / assignment.name
        if target.exists():
            shutil.rmtree(target)
        generate(root, assignment, release_root)
        masters = [read_notebook(nb.path) for nb in assignment.notebooks]
        leaks += find_leaks(masters, target)
    return leaks
