"""``course export gradescope`` and the bundle's ``run_autograder``, run in a temporary root laid out like
Gradescope's (``AUTOGRADER_ROOT``), with the venv's Python first on the PATH as ``setup.sh`` would leave it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.assignments import load_assignment
from autograder.export.run_autograder import CHECK_NAME, with_visibility
from autograder.grade import grader_digest
from autograder.results import SubmissionResult, TestResult
from tests.conftest import ROOT

ASSIGNMENT = "spiral_from_scratch"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
MASTER = ROOT / "source" / ASSIGNMENT / NOTEBOOK
RELEASE = ROOT / "release" / ASSIGNMENT / NOTEBOOK


def gradescope_root(bundle: Path, where: Path, files: dict[str, bytes]) -> Path:
    """``where/autograder``: the bundle unpacked in ``source/`` and ``files`` in ``submission/``."""
    root = where / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):
        (root / "source" / name).chmod(0o755)
    for name, content in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(content)
    (root / "submission").mkdir(exist_ok=True)
    return root


def run_autograder(root: Path, **environment: str) -> tuple[dict, str]:
    """Run the bundle's script as Gradescope does (from ``/autograder``); its results.json and what it printed."""
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "OMP_NUM_THREADS": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **environment}
    run = subprocess.run(["sh", str(root / "source" / "run_autograder")], cwd=root, env=env, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    return json.loads((root / "results" / "results.json").read_text()), run.stdout + run.stderr


def by_question(results: dict) -> dict[str, float]:
    scores: dict[str, float] = {}
    for test in results["tests"][1:]:
        scores[test["name"][:2]] = scores.get(test["name"][:2], 0.0) + test["score"]
    return scores


def with_cell(notebook: Path, grade_id: str, source: str) -> bytes:
    data = json.loads(notebook.read_text())
    cells = [c for c in data["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]
    cells[0]["source"] = source
    return json.dumps(data).encode()


def test_the_bundle_holds_one_assignment_its_master_and_reference_values_and_nothing_else_secret(spiral_bundle):
    with zipfile.ZipFile(spiral_bundle) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        bundle = json.loads(archive.read("bundle.json"))
    assert {"setup.sh", "run_autograder", "bundle.json", "references.wire", "pyproject.toml",
            f"source/{ASSIGNMENT}/{NOTEBOOK}", "deploy/classroom/grade-step.sh"} <= set(names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert {n.split("/")[1] for n in names if n.startswith("source/")} == {ASSIGNMENT}  # no other master
    assert {n.split("/")[2] for n in names if n.startswith("autograder/graders/") and n.count("/") > 2} == {ASSIGNMENT}
    assert not [n for n in names if n.startswith(("release/", "tests/", ".git")) or n.endswith((".db", ".pyc"))]
    assert bundle == {"assignment": ASSIGNMENT, "visibility": "after_due_date",
                      "graded_with": grader_digest(load_assignment(ROOT, ASSIGNMENT))}


def test_the_master_scores_every_point_from_the_stored_references_and_only_a_summary_shows_before_the_due_date(
        spiral_bundle, tmp_path):
    root = gradescope_root(spiral_bundle, tmp_path, {NOTEBOOK: MASTER.read_bytes()})
    results, printed = run_autograder(root)
    assert results["score"] == 70 and len(results["tests"]) == 41
    assert "grading the master notebook" not in printed  # the references came with the bundle
    check = results["tests"][0]
    assert check["name"] == CHECK_NAME and check["visibility"] == "visible" and check["max_score"] == 0
    assert check["output"] == f"{NOTEBOOK}: found 9 of its 9 answer cells."
    assert {t["visibility"] for t in results["tests"][1:]} == {"after_due_date"}
    assert results["visibility"] == "after_due_date" and "70" not in results["output"]
    assert sorted(p.name for p in (root / "results").iterdir()) == ["results.json"]


def test_the_blank_release_scores_nothing_and_the_check_says_which_cells_are_still_blank(spiral_bundle, tmp_path):
    root = gradescope_root(spiral_bundle, tmp_path, {"my work/" + NOTEBOOK: RELEASE.read_bytes()})  # in a folder
    results, _ = run_autograder(root)
    assert results["score"] == 0 and len(results["tests"]) == 41
    assert "still blank: Q1_solution, Q2_solution" in results["tests"][0]["output"]


@pytest.mark.parametrize("files, reason", [
    ({NOTEBOOK: b"{ this is not json"}, "could not be read"),
    ({"notes.txt": b"I forgot the notebook"}, "No notebook was found in your submission. Upload your " + NOTEBOOK),
])
def test_a_broken_submission_gets_a_visible_reason_and_no_points(spiral_bundle, tmp_path, files, reason):
    root = gradescope_root(spiral_bundle, tmp_path, files)
    results, _ = run_autograder(root)
    assert results["score"] == 0
    assert reason in results["tests"][0]["output"] and results["tests"][0]["visibility"] == "visible"


def test_a_mutant_loses_its_own_questions_points_and_a_hostile_cell_reads_no_secret_and_cannot_forge_a_score(
        spiral_bundle, tmp_path):
    """One student: Q3 has a typical bug (the loss summed, not averaged), and Q1's cell takes the master's Q1 from
    the bundle's copy and writes a results.json of 1000 points. Q3 loses points there only; Q1 gets none (the
    bundle's folder is not in the child's view) and the grader's results.json stands."""
    mutant = tmp_path / "mutant.ipynb"
    subprocess.run([Path(sys.executable).with_name("course"), "mutant", ASSIGNMENT, "26", "--out", mutant], cwd=ROOT,
                   check=True, capture_output=True)
    root = tmp_path / "autograder"
    hostile = f"""
import json, os
found = []
for path in ({str(root / "source" / "source" / ASSIGNMENT / NOTEBOOK)!r}, {str(root / "results")!r}):
    try:
        found.append(os.listdir(path) if os.path.isdir(path) else open(path).read())
    except Exception:
        pass
try:
    with open({str(root / "results" / "results.json")!r}, "w") as forged:
        json.dump({{"score": 1000, "tests": []}}, forged)
except Exception:
    pass
master = json.loads(found[0])["cells"] if found and isinstance(found[0], str) else []
for cell in master:
    if cell.get("metadata", {{}}).get("nbgrader", {{}}).get("grade_id") == "Q1_solution":
        exec("".join(cell["source"]))
"""
    root = gradescope_root(spiral_bundle, tmp_path, {NOTEBOOK: with_cell(mutant, "Q1_solution", hostile)})
    results, _ = run_autograder(root)
    scores = by_question(results)
    assert scores["Q1"] == 0 and 0 < scores["Q3"] < 10
    assert all(score == 10 for question, score in scores.items() if question not in ("Q1", "Q3"))
    assert json.loads((root / "results" / "results.json").read_text())["score"] == results["score"] < 60


def test_the_grader_failing_itself_still_gives_the_student_a_reason_and_no_score(spiral_bundle, tmp_path):
    root = gradescope_root(spiral_bundle, tmp_path, {NOTEBOOK: MASTER.read_bytes()})
    (root / "source" / "references.wire").write_bytes(b"not the wire format")
    results, _ = run_autograder(root)
    assert results["score"] == 0 and "could not grade this submission" in results["tests"][0]["output"]
    with open(root / "source" / "autograder" / "kit.py", "a") as changed:
        changed.write("\n# edited after the export\n")
    results, _ = run_autograder(root)
    assert "differ from those it was exported with" in results["output"]
    results, _ = run_autograder(root, PYTHON="/bin/false")  # no Python that can start
    assert results["score"] == 0 and "could not start" in results["output"]


def test_hidden_tests_take_the_exported_visibility_and_the_leaderboard_is_kept():
    test = TestResult("Q6_challenge: accuracy", "Q6_challenge", 1.0, 2.0, "", leaderboard=(("accuracy", 0.61, "desc"),))
    result = SubmissionResult("submission", "pytorch_cifar10", [test])
    check = {"name": CHECK_NAME, "score": 0.0, "max_score": 0.0, "output": "", "visibility": "visible"}
    for visibility in ("after_due_date", "after_published", "hidden", "visible"):
        payload = with_visibility(result, visibility, dict(check))
        assert [t["visibility"] for t in payload["tests"]] == ["visible", visibility]
        assert payload["leaderboard"] == [{"name": "accuracy", "value": 0.61, "order": "desc"}]
        assert ("1 / 2" in payload["output"]) == (visibility == "visible")


# ------------------------------------------------------------------ setup.sh, with a python3 that records its calls
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$LOG"
case "$*" in
  *version_info*) exit "${FAKE_OLD:-0}" ;;
  *"version('torch')"*) exit "${FAKE_NO_TORCH:-0}" ;;
  *find_spec*) echo "${FAKE_INSTALLED:-}" ;;
esac
exit 0
"""


@pytest.mark.parametrize("case", ["fresh machine", "torch present", "course from elsewhere", "old python"])
def test_setup_installs_into_the_first_python_on_the_path(tmp_path, case):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text(FAKE_PYTHON)
    (fake / "python3").chmod(0o755)
    course = tmp_path / "bundle"
    course.mkdir()
    shutil.copy(ROOT / "pyproject.toml", course)
    shutil.copy(ROOT / "deploy" / "gradescope" / "setup.sh", course)
    env = {"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}", "LOG": str(tmp_path / "calls"), "HOME": str(tmp_path),
           **{"fresh machine": {"FAKE_NO_TORCH": "1"}, "torch present": {},
              "course from elsewhere": {"FAKE_INSTALLED": "/home/me/course"}, "old python": {"FAKE_OLD": "1"}}[case]}
    run = subprocess.run(["sh", str(course / "setup.sh")], env=env, capture_output=True, text=True)
    calls = (tmp_path / "calls").read_text().splitlines()
    installs = [c for c in calls if c.startswith("-m pip install")]
    if case == "old python":
        assert run.returncode == 2 and "needs Python 3.11" in run.stderr and not installs
        return
    assert run.returncode == 0, run.stderr
    torch = [c for c in installs if "torch==2.13.0" in c]
    assert bool(torch) == (case == "fresh machine")
    assert all("download.pytorch.org/whl/cpu" in c for c in torch)
    course_installs = [c for c in installs if c.endswith(f"-e {course}")]
    assert len(course_installs) == (0 if case == "course from elsewhere" else 1)
    if case == "course from elsewhere":
        assert "kept" in run.stdout
