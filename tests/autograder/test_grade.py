"""``course grade``: finding submissions, Gradescope results, the CSV gradebook, feedback and resuming."""
import csv
import json
import shutil
from pathlib import Path

import pytest

from autograder.assignments import CourseError, load_assignment
from autograder.cli import main
from autograder.grade import discover
from autograder.results import ManualItem, SubmissionResult, TestResult

NOTEBOOK = "spiral_from_scratch.ipynb"


@pytest.fixture(scope="module")
def spiral(request):
    from tests.conftest import ROOT

    return load_assignment(ROOT, "spiral_from_scratch")


def touch(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_discover_accepts_files_student_folders_and_folders_of_both(spiral, tmp_path):
    one = touch(tmp_path / "single" / "dana.ipynb")
    touch(tmp_path / "batch" / "erin.ipynb")
    touch(tmp_path / "batch" / "frank" / NOTEBOOK)
    touch(tmp_path / "batch" / "gina" / "renamed by gina.ipynb")
    touch(tmp_path / "batch" / ".ipynb_checkpoints" / "erin-checkpoint.ipynb")
    student_folder = touch(tmp_path / "hugo" / NOTEBOOK).parent
    touch(tmp_path / "hugo" / "scratch.ipynb")

    found = discover(spiral, [one, tmp_path / "batch", student_folder])

    assert sorted(found) == ["dana", "erin", "frank", "gina", "hugo"]
    assert found["dana"].files["spiral_from_scratch"] == one and found["dana"].folder == one.parent
    assert found["gina"].files["spiral_from_scratch"].name == "renamed by gina.ipynb"
    assert found["gina"].folder == tmp_path / "batch"  # below it, no link is followed
    assert found["hugo"].files["spiral_from_scratch"] == student_folder / NOTEBOOK


def test_discover_reports_instructor_errors(spiral, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CourseError, match="no submission found"):
        discover(spiral, [tmp_path / "empty"])
    with pytest.raises(CourseError, match="not a notebook"):
        discover(spiral, [touch(tmp_path / "notes.txt")])
    with pytest.raises(CourseError, match="no such file"):
        discover(spiral, [tmp_path / "missing.ipynb"])
    with pytest.raises(CourseError, match="two submissions for student 'ivy'"):
        discover(spiral, [touch(tmp_path / "a" / "ivy.ipynb"), touch(tmp_path / "b" / "ivy.ipynb")])


def test_a_student_folder_with_several_unrelated_notebooks_has_no_submission(spiral, tmp_path):
    touch(tmp_path / "batch" / "jack" / "one.ipynb")
    touch(tmp_path / "batch" / "jack" / "two.ipynb")
    assert discover(spiral, [tmp_path / "batch"])["jack"].files == {"spiral_from_scratch": None}


def test_links_in_a_folder_of_submissions_are_listed_so_that_reading_refuses_them(spiral, tmp_path):
    target = touch(tmp_path / "elsewhere" / NOTEBOOK)
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "kim.ipynb").symlink_to(target)
    (tmp_path / "batch" / "lou").symlink_to(target.parent)
    found = discover(spiral, [tmp_path / "batch"])
    assert found["kim"].files[NOTEBOOK.removesuffix(".ipynb")] == tmp_path / "batch" / "kim.ipynb"
    assert found["lou"].files[NOTEBOOK.removesuffix(".ipynb")] == tmp_path / "batch" / "lou" / NOTEBOOK


def test_results_round_trip_through_gradescope_json():
    result = SubmissionResult("kim", "spiral", [TestResult("Q1_forward: x", "Q1_forward", 1.0, 3.0, "missed",
                                                           seconds=4.0)],
                              [ManualItem("Q6_explanation", 15.0)], 3.0, "abc", ["note"])
    data = json.loads(json.dumps(result.to_gradescope()))
    assert data["score"] == 1.0 and data["tests"][0]["status"] == "failed"
    assert SubmissionResult.from_gradescope(data) == result


@pytest.fixture(scope="module")
def graded_batch(tmp_path_factory):
    from tests.conftest import ROOT

    submissions = tmp_path_factory.mktemp("submissions")
    shutil.copy(ROOT / "source/spiral_from_scratch" / NOTEBOOK, submissions / "alice.ipynb")
    shutil.copy(ROOT / "release/spiral_from_scratch" / NOTEBOOK, submissions / "bob.ipynb")
    (submissions / "carol.ipynb").write_text("{ this is not json")
    out = tmp_path_factory.mktemp("results")
    code = main(["grade", "spiral_from_scratch", str(submissions), "--out", str(out), "--jobs", "2"])
    return submissions, out, code


def test_grade_writes_gradescope_results_for_every_student(graded_batch):
    _, out, code = graded_batch
    assert code == 0
    alice = json.loads((out / "alice" / "results.json").read_text())
    assert {"score", "execution_time", "output", "tests"} <= set(alice)
    assert alice["score"] == 70
    for test in alice["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["name"].startswith("Q") and test["status"] == "passed"
    assert "30 more points are graded by hand" in alice["output"]
    bob = json.loads((out / "bob" / "results.json").read_text())
    assert bob["score"] == 0 and all(t["status"] == "failed" and t["output"] for t in bob["tests"])
    carol = json.loads((out / "carol" / "results.json").read_text())
    assert carol["score"] == 0 and "could not be read" in carol["tests"][0]["output"]


def test_grade_writes_a_csv_gradebook_and_readable_feedback(graded_batch):
    _, out, _ = graded_batch
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["student"] for r in rows] == ["alice", "bob", "carol"]
    assert [r["Q1"] for r in rows] == ["10", "0", "0"]
    assert rows[0]["auto_score"] == "70" and rows[0]["auto_max"] == "70" and rows[0]["manual_pending"] == "30"
    feedback = (out / "bob" / "feedback.txt").read_text()
    assert "[FAIL] Q1_forward" in feedback and "NotImplementedError" in feedback
    assert "[MANUAL] Q6_explanation" in feedback


def test_a_second_run_keeps_finished_results_and_regrades_a_changed_submission(graded_batch, capsys):
    submissions, out, _ = graded_batch
    before = (out / "alice" / "results.json").stat().st_mtime_ns
    (submissions / "carol.ipynb").write_text("[]")
    assert main(["grade", "spiral_from_scratch", str(submissions), "--out", str(out)]) == 0
    assert (out / "alice" / "results.json").stat().st_mtime_ns == before
    assert "2 submission(s) already graded" in capsys.readouterr().err
    carol = json.loads((out / "carol" / "results.json").read_text())
    assert "no list of cells" in carol["tests"][0]["output"]


def test_a_second_run_after_a_grader_change_grades_everyone_again(graded_batch, monkeypatch, capsys):
    submissions, out, _ = graded_batch
    before = (out / "alice" / "results.json").stat().st_mtime_ns
    monkeypatch.setattr("autograder.grade.grader_digest", lambda assignment: "a fixed grader")
    assert main(["grade", "spiral_from_scratch", str(submissions), "--out", str(out)]) == 0
    assert "already graded" not in capsys.readouterr().err
    assert (out / "alice" / "results.json").stat().st_mtime_ns != before
    assert json.loads((out / "alice" / "results.json").read_text())["extra_data"]["graded_with"] == "a fixed grader"


def test_the_grader_digest_follows_the_assignments_graders_master_engine_and_helpers(spiral, tmp_path):
    from autograder.grade import grader_digest
    from tests.conftest import ROOT

    for folder in ("autograder", "course_utils"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    digest = grader_digest(spiral, tmp_path / "autograder")
    assert digest == grader_digest(spiral, tmp_path / "autograder")
    (tmp_path / "autograder/graders/fc_and_cnn/q01_fc_forward.py").write_text("# another assignment's grader\n")
    assert grader_digest(spiral, tmp_path / "autograder") == digest
    seen = {digest}
    for changed in ("autograder/graders/spiral_from_scratch/q1_instance_norm.py", "autograder/kit.py",
                    "autograder/sandbox/host.py", "course_utils/spiral.py"):
        with (tmp_path / changed).open("a") as file:
            file.write("\n# fixed\n")
        seen.add(grader_digest(spiral, tmp_path / "autograder"))
    assert len(seen) == 5


def test_grade_exits_2_on_instructor_errors(tmp_path, capsys):
    assert main(["grade", "no_such_assignment", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "unknown assignment" in capsys.readouterr().err
    assert main(["grade", "spiral_from_scratch", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "no submission found" in capsys.readouterr().err


def test_results_and_submission_folders_are_hidden_from_children_but_not_the_course(tmp_path):
    import sys

    from autograder.grade import _private_folders
    from tests.conftest import ROOT

    submission = touch(tmp_path / "subs" / "lee.ipynb")
    (tmp_path / "batch").mkdir()
    hidden = _private_folders(ROOT, tmp_path / "out", [submission, tmp_path / "batch", ROOT / "release"])
    assert set(hidden) == {str(tmp_path / "out"), str(tmp_path / "subs"), str(tmp_path / "batch"),
                           str(ROOT / "release")}
    assert _private_folders(ROOT, ROOT.parent, [ROOT.parent / "x.ipynb", Path(sys.prefix) / "y.ipynb"]) == ()
