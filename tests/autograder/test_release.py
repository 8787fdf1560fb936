import json
import shutil
from pathlib import Path

import nbformat

from autograder.assignments import list_assignments, read_notebook
from autograder.release import release
from autograder.release.leaks import find_leaks, secret_lines


def _masters(root: Path, name: str):
    return [read_notebook(p) for p in sorted((root / "source" / name).glob("*.ipynb"))]


def test_committed_release_matches_a_fresh_release_byte_for_byte(root, tmp_path):
    assignments = list_assignments(root)
    assert assignments, "no assignment found"
    leaks = release(root, assignments, tmp_path)
    assert leaks == []
    for assignment in assignments:
        fresh = sorted(p.relative_to(tmp_path) for p in (tmp_path / assignment.name).rglob("*") if p.is_file())
        committed = sorted(p.relative_to(root / "release") for p in (root / "release" / assignment.name).rglob("*")
                           if p.is_file())
        assert fresh == committed, "run `course release` and commit release/"
        for rel in fresh:
            assert (tmp_path / rel).read_bytes() == (root / "release" / rel).read_bytes(), f"{rel} is stale"


def test_release_has_stubs(root):
    nb = read_notebook(root / "release" / "spiral_from_scratch" / "spiral_from_scratch.ipynb")
    sources = "\n".join(c.source for c in nb.cells)
    assert "raise NotImplementedError()" in sources and "YOUR ANSWER HERE" in sources


def test_source_and_release_notebooks_are_stored_without_outputs(root):
    paths = sorted((root / "source").rglob("*.ipynb")) + sorted((root / "release").rglob("*.ipynb"))
    assert paths
    for path in paths:
        nb = read_notebook(path)
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in nb.cells if c.cell_type == "code"), f"{path} has stored outputs"


def test_secret_lines_exclude_lines_that_are_public_anyway(root):
    secrets = secret_lines(_masters(root, "spiral_from_scratch"))
    assert "self._scaled_mask = (torch.rand_like(z) < keep).to(z.dtype) / keep" in secrets
    assert "def _instance_norm_reference(z, gamma, beta, eps):" in secrets
    assert "import numpy as np" not in secrets and "" not in secrets


def _copy_release(root: Path, tmp_path: Path) -> Path:
    target = tmp_path / "release"
    shutil.copytree(root / "release" / "spiral_from_scratch", target)
    return target


def test_planted_solution_line_is_caught(root, tmp_path):
    target = _copy_release(root, tmp_path)
    path = target / "spiral_from_scratch.ipynb"
    nb = nbformat.read(path, as_version=4)
    stub = next(c for c in nb.cells if "raise NotImplementedError()" in c.source)
    stub.source = stub.source.replace("raise NotImplementedError()", "return da * (1.0 - self._out * self._out)", 1)
    nbformat.write(nb, path)
    leaks = find_leaks(_masters(root, "spiral_from_scratch"), target)
    assert [leak.what for leak in leaks] == ["solution line"]


def test_planted_hidden_test_in_metadata_and_markers_and_gradebook_are_caught(root, tmp_path):
    target = _copy_release(root, tmp_path)
    path = target / "spiral_from_scratch.ipynb"
    raw = json.loads(path.read_text())
    raw["cells"][0]["metadata"]["note"] = "def _instance_norm_reference(z, gamma, beta, eps):"
    path.write_text(json.dumps(raw))
    (target / "notes.py").write_text("### BEGIN HIDDEN TESTS\n")
    (target / "gradebook.db").write_bytes(b"SQLite format 3\x00")
    (target / "challenge_model.pt").write_bytes(b"PK\x03\x04")  # a notebook run in source/ saved its weights
    kinds = sorted(leak.what for leak in find_leaks(_masters(root, "spiral_from_scratch"), target))
    assert kinds == ["gradebook database", "hidden tests line", "nbgrader marker", "trained weights"]


def test_gradebook_and_weights_saved_by_a_run_are_ignored_by_git(root):
    ignored = (root / ".gitignore").read_text().splitlines()
    assert "gradebook.db" in ignored and "challenge_model.pt" in ignored


def _assignment(root: Path, name: str, cells: list) -> None:
    folder = root / "source" / name
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    for grade_id, source, solution in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade": False, "grade_id": grade_id, "locked": not solution,
                                     "solution": solution, "schema_version": 3}
        nb.cells.append(cell)
    nbformat.write(nb, folder / f"{name}.ipynb")


def test_overlaps_name_graded_code_that_is_given_elsewhere(tmp_path):
    from autograder.release.overlaps import find_overlaps

    (tmp_path / "course_utils").mkdir()
    (tmp_path / "course_utils" / "helpers.py").write_text("def relu_forward(x):\n    return x\n\ndef _private():\n"
                                                          "    pass\n")
    (tmp_path / "course_utils" / "data").mkdir()
    (tmp_path / "course_utils" / "data" / "images.py").write_text("def conv_forward(x):\n    return x\n")
    _assignment(tmp_path, "first", [("Q1_solution", "def affine_forward(x):\n    pass\nclass Net:\n    pass", True),
                                     ("Q2_solution", "def relu_forward(x):\n    pass", True),
                                     ("Q3_solution", "def conv_forward(x):\n    pass", True)])
    _assignment(tmp_path, "second", [("given_layers", "def affine_forward(x):\n    return x", False),
                                     ("Q1_solution", "def Net():\n    pass\ndef _private():\n    pass", True)])
    overlaps = {(o.name, o.graded_in, o.given_in) for o in find_overlaps(tmp_path, list_assignments(tmp_path))}
    assert overlaps == {("affine_forward", "first/Q1_solution", "second/given_layers"),
                        ("relu_forward", "first/Q2_solution", "course_utils/helpers.py"),
                        ("conv_forward", "first/Q3_solution", "course_utils/data/images.py")}


def test_course_utils_hands_out_no_graded_function(root):
    from autograder.release.overlaps import find_overlaps

    assert [o for o in find_overlaps(root, list_assignments(root)) if o.in_course_utils] == []
