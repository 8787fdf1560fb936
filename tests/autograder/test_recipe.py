"""The recipe of README's "Add an assignment": a third assignment in a copy of the course passes ``course check``.

A small assignment (two questions) is written into a temporary copy of the course exactly as the README says:
the master notebook in ``source/<name>/``, the grader package in ``autograder/graders/<name>/`` (a spec and one
module per question, one of them parametrized), the catalogue in ``tests/mutants/<name>/``. Then ``course
release`` and ``course check`` must pass in the copy, and no file of the course may have changed: adding an
assignment touches no shared file.
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat

from tests.conftest import ROOT

NAME = "toy_scaling"


def _cell(kind: str, text: str, grade_id: str | None = None, solution: bool = False, points: float | None = None):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(text)
    if grade_id:
        cell.metadata["nbgrader"] = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
                                     "schema_version": 3, "solution": solution, **({"points": points} if points
                                                                                   is not None else {})}
    return cell


MASTER = [
    _cell("markdown", "# Scaling data\n\nTwo small functions on arrays of shape (N, D)."),
    _cell("code", "import numpy as np", "given_imports"),
    _cell("code", 'def standardize(x):\n    """Each column of x (N, D) shifted to mean 0 and scaled to standard '
                  'deviation 1."""\n    ### BEGIN SOLUTION\n    centred = x - x.mean(axis=0)\n'
                  '    return centred / centred.std(axis=0)\n    ### END SOLUTION', "Q1_solution", solution=True),
    _cell("code", "x = np.arange(6.0).reshape(3, 2)\nassert np.allclose(standardize(x).mean(axis=0), 0)",
          "Q1_standardize", points=3),
    _cell("code", 'def clip_rows(x, limit):\n    """Rows of x (N, D) whose Euclidean norm exceeds limit, scaled '
                  'down to norm limit."""\n    ### BEGIN SOLUTION\n'
                  '    norms = np.linalg.norm(x, axis=1, keepdims=True)\n'
                  '    return x * np.minimum(1.0, limit / np.maximum(norms, 1e-12))\n    ### END SOLUTION',
          "Q2_solution", solution=True),
    _cell("code", "assert np.allclose(clip_rows(np.array([[3.0, 4.0]]), 1.0), [[0.6, 0.8]])", "Q2_clip", points=2),
]

SPEC = '''"""Hidden graders of the toy assignment: the spec."""
from autograder.kit import Question

SETUP_CELLS = ("given_imports",)
QUESTIONS = {"Q1": Question(cells=("Q1_solution",), arrays="numpy"),
             "Q2": Question(cells=("Q2_solution",), arrays="numpy")}
RULES = {}
'''

Q1 = '''"""Q1: standardize on hidden shapes."""
from functools import partial

import numpy as np
import pytest

from autograder.kit import Kit, graded


def standardized(s, n: int, d: int) -> dict:
    x = np.random.default_rng(10 * n + d).normal(3.0, 2.0, size=(n, d))
    return {f"standardize of a ({n}, {d}) input": s.call("standardize", x)}


@pytest.mark.parametrize("n, d", [(5, 3), (40, 1), (2, 6)])
@graded("Q1_standardize", 1)
def test_Q1_matches_reference(kit: Kit, n: int, d: int) -> None:
    """standardize matches the reference on a hidden input."""
    kit.compare(partial(standardized, n=n, d=d), rtol=1e-10)
'''

Q2 = '''"""Q2: clip_rows, rows above and below the limit."""
import numpy as np

from autograder.kit import Kit, graded


def clipped(s) -> dict:
    x = np.random.default_rng(7).normal(size=(9, 4)) * np.arange(1, 10)[:, None]
    return {"clip_rows of a (9, 4) input at 5": s.call("clip_rows", x, 5.0)}


@graded("Q2_clip", 2)
def test_Q2_matches_reference(kit: Kit) -> None:
    """clip_rows matches the reference: long rows scaled to the limit, short rows unchanged."""
    kit.compare(clipped, rtol=1e-10)
'''

MUTANTS = {
    "q1_standardize.py": '''from autograder.check.mutants import Alternative, Mutant

MUTANTS = [
    Mutant("Q1_standardize", "rows instead of columns", "Q1_solution",
           (("centred = x - x.mean(axis=0)", "centred = x - x.mean(axis=1, keepdims=True)"),)),
    Mutant("Q1_standardize", "not scaled", "Q1_solution", (("return centred / centred.std(axis=0)", "return centred"),)),
    Mutant("Q1_standardize", "unbiased deviation", "Q1_solution", (("centred.std(axis=0)", "centred.std(axis=0, ddof=1)"),)),
]
ALTERNATIVES = [
    Alternative("standardize written anew", "Q1_solution",
                source="def standardize(x):\\n    return (x - np.mean(x, 0)) / np.sqrt(np.var(x, 0))\\n"),
]
''',
    "q2_clip.py": '''from autograder.check.mutants import Alternative, Mutant

MUTANTS = [
    Mutant("Q2_clip", "every row scaled to the limit", "Q2_solution",
           (("x * np.minimum(1.0, limit / np.maximum(norms, 1e-12))", "x * limit / norms"),)),
    Mutant("Q2_clip", "norm over the columns", "Q2_solution", (("axis=1, keepdims=True", "axis=0, keepdims=True"),)),
    Mutant("Q2_clip", "squared norm", "Q2_solution", (("np.linalg.norm(x, axis=1, keepdims=True)",
                                                      "(x ** 2).sum(axis=1, keepdims=True)"),)),
]
ALTERNATIVES = [
    Alternative("clip_rows with a loop", "Q2_solution",
                source="def clip_rows(x, limit):\\n    out = x.copy()\\n    for i, row in enumerate(x):\\n"
                       "        norm = np.sqrt(row @ row)\\n        if norm > limit:\\n"
                       "            out[i] = row * limit / norm\\n    return out\\n"),
]
''',
}


def _copy_of_the_course(target: Path) -> dict[str, str]:
    """The course's tracked files copied to ``target``; their digests."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    digests = {}
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
            digests[name] = hashlib.sha256(source.read_bytes()).hexdigest()
    return digests


def _course(copy: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=copy, capture_output=True, text=True,
                          timeout=900)


def test_a_third_assignment_added_by_the_recipe_passes_course_check_without_touching_a_shared_file(tmp_path):
    copy = tmp_path / "course"
    before = _copy_of_the_course(copy)
    notebook = nbformat.v4.new_notebook(cells=MASTER, metadata={"kernelspec": {"name": "python3",
                                                                           "display_name": "Python 3",
                                                                           "language": "python"}})
    (copy / "source" / NAME).mkdir(parents=True)
    nbformat.write(notebook, copy / "source" / NAME / f"{NAME}.ipynb")
    graders = copy / "autograder" / "graders" / NAME
    graders.mkdir()
    for module, text in {"__init__.py": SPEC, "q1_standardize.py": Q1, "q2_clip.py": Q2}.items():
        (graders / module).write_text(text)
    (copy / "tests" / "mutants" / NAME).mkdir()
    for module, text in MUTANTS.items():
        (copy / "tests" / "mutants" / NAME / module).write_text(text)

    released = _course(copy, "release", NAME)
    assert released.returncode == 0, released.stdout + released.stderr
    checked = _course(copy, "check", NAME)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = checked.stdout
    assert "all checks passed" in report
    assert f"{NAME:<24}{'2/2 cells':>14}{'5/5':>10}{'0/5':>9}{'6/6':>16}{'2/2':>14}" in report, report
    listing = json.loads(_course(copy, "list", NAME, "--json").stdout)
    assert listing[0]["auto_points"] == 5

    changed = [name for name, digest in before.items()
               if hashlib.sha256((copy / name).read_bytes()).hexdigest() != digest]
    assert changed == []
    added = sorted(str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and str(p.relative_to(copy)) not in before and p.suffix != ".pyc")
    assert {a.split("/")[0] + "/" + a.split("/")[1] for a in added if not a.startswith("autograder")} <= \
        {"source/" + NAME, "release/" + NAME, "tests/mutants"}
    assert all(NAME in a for a in added), added
