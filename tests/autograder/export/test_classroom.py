"""The GitHub Classroom route: the reporter (``autograder.export.classroom``) on handwritten results.json files,
and ``deploy/classroom/grade-step.sh`` end to end on a fake student repository with an encrypted bundle."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.export import classroom
from tests.autograder.export.conftest import with_visibility
from tests.conftest import ROOT

ASSIGNMENT = "spiral_from_scratch"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
KEY = "correct horse battery staple"
# what a results.json holds beyond the scores, names and messages: none of it may be reported
PRIVATE = ("NOTE-FOR-STAFF", "DIGEST-0123abcd", "q1_instance_norm", "/autograder/source", "alice")


def a_test(name: str, score: float, max_score: float, output: str = "", **extra) -> dict:
    """One test as the course writes it into results.json (``TestResult.to_gradescope``), and a private word in
    its extra_data; without a visibility of its own unless ``extra`` gives one."""
    return {"name": name, "score": score, "max_score": max_score, "output": output,
            "extra_data": {"item": name.split(":")[0], "seconds": 2,
                           "grader": "/autograder/source/autograder/graders/x/q1_instance_norm.py"}} | extra


def results(*tests: dict, **top) -> dict:
    return {"score": sum(t["score"] for t in tests), "execution_time": 12, "visibility": "visible",
            "output": "Auto-graded score. NOTE-FOR-STAFF", "stdout_visibility": "hidden", "tests": list(tests),
            "extra_data": {"schema": 1, "student": "alice", "graded_with": "DIGEST-0123abcd",
                           "notes": ["NOTE-FOR-STAFF"]}} | top


def report(tmp_path: Path, content: dict | bytes | None, capsys) -> tuple[str, dict, str]:
    """Run the reporter on ``content`` (None: no file); its summary, its decoded result and what it printed."""
    path = tmp_path / "results.json"
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    assert classroom.main([str(path), "--summary", str(summary), "--output", str(output)]) == 0
    return summary.read_text(), decoded(output), capsys.readouterr().out


def decoded(output: Path) -> dict:
    """The ``result`` the file of step outputs holds (the last one written), as the reporter decodes it."""
    [line] = [line for line in output.read_text().splitlines() if line.startswith("result=")][-1:]
    return json.loads(base64.b64decode(line.removeprefix("result=")))


def assert_private_left_out(*texts: str) -> None:
    for text in texts:
        for word in PRIVATE:
            assert word not in text


def test_a_full_score_reports_every_test_and_each_question(tmp_path, capsys):
    summary, result, printed = report(tmp_path, results(
        a_test("Q1_forward: forward matches the reference", 3.0, 3.0),
        a_test("Q1_backward: dz matches finite differences", 1.0, 1.0),
        a_test("Q2_forward: eval() is the identity", 6.0, 6.0)), capsys)
    assert summary.startswith("## Autograder: 10 / 10 points\n")
    assert "| Q1 | 4 / 4 |" in summary and "| Q2 | 6 / 6 |" in summary
    assert "| ✅ | Q1_backward: dz matches finite differences | 1 / 1 |  |" in summary
    assert result == {"version": 1, "status": "pass", "max_score": 10.0, "tests": [
        {"name": "Q1_forward: forward matches the reference", "status": "pass", "score": 3.0, "message": "",
         "line_no": 0},
        {"name": "Q1_backward: dz matches finite differences", "status": "pass", "score": 1.0, "message": "",
         "line_no": 0},
        {"name": "Q2_forward: eval() is the identity", "status": "pass", "score": 6.0, "message": "", "line_no": 0}]}
    assert printed == "Autograder score: 10/10\n"
    assert_private_left_out(summary, json.dumps(result), printed)


def test_a_partial_score_shows_the_graders_messages_as_table_cells(tmp_path, capsys):
    summary, result, printed = report(tmp_path, results(
        a_test("Q1_forward: forward matches the reference", 1.5, 3.0, "got another shape | <b>twice</b>\nsee Q1"),
        a_test("Q1_backward: backward before forward raises", 0.0, 1.0, "your code raised NotImplementedError"),
        a_test("Q2_forward: eval() is the identity", 2.0, 2.0)), capsys)
    assert summary.startswith("## Autograder: 3.5 / 6 points\n")
    assert "| Q1 | 1.5 / 4 |" in summary and "| Q2 | 2 / 2 |" in summary
    assert ("| ❌ | Q1_forward: forward matches the reference | 1.5 / 3 | "
            "got another shape \\| &lt;b&gt;twice&lt;/b&gt;<br>see Q1 |") in summary
    assert "| ❌ | Q1_backward: backward before forward raises | 0 / 1 | your code raised NotImplementedError |" \
        in summary
    assert result["status"] == "fail" and result["max_score"] == 6.0
    assert [(t["status"], t["score"]) for t in result["tests"]] == [("fail", 1.5), ("fail", 0.0), ("pass", 2.0)]
    assert result["tests"][0]["message"] == "got another shape | <b>twice</b>\nsee Q1"
    assert printed == "Autograder score: 3.5/6\n"
    assert_private_left_out(summary, json.dumps(result), printed)


def test_tests_not_visible_are_counted_but_neither_named_nor_explained(tmp_path, capsys):
    check = a_test("Submission check: what was found (no points)", 0.0, 0.0, "spiral_from_scratch.ipynb: found.")
    summary, result, printed = report(tmp_path, results(
        check | {"visibility": "visible"},
        a_test("Q1_forward: forward matches the reference", 2.0, 2.0, visibility="visible"),
        a_test("Q3_secret: SECRET-NAME-ONE", 1.0, 3.0, "SECRET-MESSAGE", visibility="after_due_date"),
        a_test("Q3_secret: SECRET-NAME-TWO", 0.0, 2.0, "SECRET-MESSAGE"),  # the top level's visibility
        visibility="after_due_date"), capsys)
    assert summary.startswith("## Autograder: 3 / 7 points\n")
    assert "| ℹ️ | Submission check: what was found (no points) | no points | spiral_from_scratch.ipynb: found. |" \
        in summary
    assert "| Q1 | 2 / 2 |" in summary and "Q3" not in summary and "Submission check |" not in summary
    assert "2 more tests count in the score but are not shown here: 1 / 5 points." in summary
    assert [(t["name"], t["status"], t["score"]) for t in result["tests"]] == [  # the check of no points left out
        ("Q1_forward: forward matches the reference", "pass", 2.0),
        ("2 more tests, not shown here", "fail", 1.0)]
    assert result["max_score"] == 7.0 and sum(t["score"] for t in result["tests"]) == 3.0
    assert printed == "Autograder score: 3/7\n"
    assert_private_left_out(summary, json.dumps(result), printed)
    for text in (summary, json.dumps(result)):
        assert "SECRET" not in text


def assert_failed(summary: str, result: dict, printed: str, reason: str) -> None:
    assert summary.startswith("## Autograder: grading failed\n")
    assert f"could not grade this submission ({reason})" in summary
    assert result == {"version": 1, "status": "error", "max_score": 0, "tests": [
        {"name": "Autograder", "status": "error", "score": 0, "message": classroom.FAILED.format(reason=reason),
         "line_no": 0}]}
    assert printed == f"Autograder: grading failed ({reason}); score 0\n"


def test_no_results_file_is_a_failed_grading_of_no_points(tmp_path, capsys):
    assert_failed(*report(tmp_path, None, capsys), "it wrote no results")


@pytest.mark.parametrize("content", [
    b'{"score": 1, "tests": [', b"[]", b'{"score": 0}', b'{"tests": {"name": "Q1"}}',
    b'{"tests": [{"name": "Q1_forward: x", "score": "ten", "max_score": 1}]}',
    b'{"tests": [{"name": "Q1_forward: x", "score": true, "max_score": 1}]}',
    b'{"tests": [{"name": "Q1_forward: x", "score": NaN, "max_score": 1}]}', b'{"tests": "\xff"}'],
    ids=["cut short", "a list", "no tests", "tests not a list", "a score in words", "a boolean score", "NaN",
         "not UTF-8"])
def test_results_that_are_not_a_gradescope_results_json_are_a_failed_grading(tmp_path, capsys, content):
    assert_failed(*report(tmp_path, content, capsys), "its results could not be read")


def test_results_without_a_test_worth_points_are_a_failed_grading_that_shows_the_visible_tests(tmp_path, capsys):
    """What run_autograder writes when it cannot grade: no test, or only the visible check of no points."""
    summary, result, printed = report(tmp_path, results(), capsys)
    assert_failed(summary, result, printed, "no test worth points was run")
    assert_private_left_out(summary)  # not even the top-level output
    check = a_test("Submission check: what was found (no points)", 0.0, 0.0, "spiral_from_scratch.ipynb: not found")
    summary, result, printed = report(tmp_path, results(check), capsys)
    assert_failed(summary, result, printed, "no test worth points was run")
    assert "| ℹ️ | Submission check: what was found (no points) | no points | spiral_from_scratch.ipynb: not found |" in \
        summary


def test_long_messages_are_cut_and_a_result_too_long_for_the_reporter_goes_without_them(tmp_path, capsys):
    many = [a_test(f"Q{i}_forward: test {i}", 0.0, 1.0, f"{i}:" + "x" * 5000) for i in range(100)]
    summary, result, _ = report(tmp_path, results(*many), capsys)
    assert "| 7:" + "x" * (classroom.MESSAGE_CHARS - 3) + "… |" in summary
    assert {t["message"] for t in result["tests"]} == {""} and len(result["tests"]) == 100
    summary, result, _ = report(tmp_path, results(*many[:3]), capsys)
    assert result["tests"][2]["message"] == "2:" + "x" * (classroom.MESSAGE_CHARS - 3) + "…"


def test_the_module_appends_to_the_files_github_names_and_exits_0(tmp_path):
    summary, output = tmp_path / "step_summary.md", tmp_path / "step_output.txt"
    summary.write_text("# before\n")
    output.write_text("earlier=1\n")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    run = subprocess.run([sys.executable, "-m", "autograder.export.classroom", str(tmp_path / "missing.json")],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("Autograder: grading failed")
    assert summary.read_text().startswith("# before\n## Autograder: grading failed")
    assert output.read_text().startswith("earlier=1\nresult=") and decoded(output)["status"] == "error"


# End to end: ``course export gradescope``, encrypted as an instructor would, graded by grade-step.sh as the
# workflow runs it, with the suite's one spiral bundle (tests/autograder/export/conftest.py). The master's full
# score through run_autograder is test_gradescope.py's.

@pytest.fixture(scope="module")
def bundle(tmp_path_factory, spiral_bundle) -> Path:
    """The spiral's bundle, tests visible, encrypted with ``KEY`` as the workflow's comment says."""
    folder = tmp_path_factory.mktemp("bundle")
    with_visibility(spiral_bundle, "visible", folder / "bundle.zip")
    subprocess.run(["openssl", "enc", "-aes-256-cbc", "-pbkdf2", "-salt", "-in", folder / "bundle.zip",
                    "-out", folder / "bundle.zip.enc", "-pass", "env:KEY"], env={**os.environ, "KEY": KEY},
                   check=True)
    return folder / "bundle.zip.enc"


def student_repository(folder: Path, notebook: Path) -> Path:
    """A student's repository as Classroom makes it: the notebook, a README and the workflow, committed."""
    folder.mkdir()
    (folder / NOTEBOOK).write_bytes(notebook.read_bytes())
    (folder / "README.md").write_text("My spiral.\n")
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "classroom.yml").write_bytes(
        (ROOT / "deploy" / "classroom" / "grade-on-push.yml").read_bytes())
    git = ["git", "-c", "user.name=Student", "-c", "user.email=student@example.org", "-C", str(folder)]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "my work"]):
        subprocess.run(git + command, check=True)
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
            for p in sorted(folder.rglob("*"))}


def grade_step(workspace: Path, bundle: Path, work: Path, key: str = KEY) -> tuple[subprocess.CompletedProcess,
                                                                                    str, dict]:
    """grade-step.sh as the workflow runs it (the venv's bin first on the PATH); its run, summary and result."""
    summary, output = work.parent / "summary.md", work.parent / "output.txt"
    env = {k: v for k, v in os.environ.items() if k != "RUNNER_TEMP"} | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "COURSE_BUNDLE_KEY": key,
        "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    run = subprocess.run(["sh", ROOT / "deploy" / "classroom" / "grade-step.sh", workspace, bundle, work],
                         env=env, capture_output=True, text=True)
    return run, summary.read_text() if summary.exists() else "", decoded(output) if output.exists() else {}


def bundle_secrets(bundle: Path, work: Path) -> list[str]:
    """The hidden graders' module names and the master's solution lines (those of 25 characters or more that the
    release does not hold), as grade-step.sh unpacked them."""
    source = work / "autograder" / "source"
    modules = [p.stem for p in (source / "autograder" / "graders" / ASSIGNMENT).glob("q*.py")]

    def lines(notebook: Path, solutions_only: bool) -> set[str]:
        cells = json.loads(notebook.read_text())["cells"]
        return {line.strip() for c in cells if c["cell_type"] == "code"
                and (not solutions_only or c.get("metadata", {}).get("nbgrader", {}).get("solution"))
                for line in "".join(c["source"]).splitlines()}

    solution = lines(source / "source" / ASSIGNMENT / NOTEBOOK, True) - lines(
        ROOT / "release" / ASSIGNMENT / NOTEBOOK, False)
    assert len(modules) == 8
    return modules + sorted(line for line in solution if len(line) >= 25 and not line.startswith("#"))


def test_the_blank_release_scores_0_and_nothing_of_the_bundle_reaches_the_repository_or_the_summary(bundle,
                                                                                                     tmp_path):
    workspace = student_repository(tmp_path / "student", ROOT / "release" / ASSIGNMENT / NOTEBOOK)
    before = snapshot(workspace)
    run, summary, result = grade_step(workspace, bundle, tmp_path / "work")
    assert run.returncode == 0, run.stderr
    assert run.stdout.rstrip().endswith("Autograder score: 0/70")
    assert summary.startswith("## Autograder: 0 / 70 points\n") and "| Q7 | 0 / 10 |" in summary
    assert "| ❌ | Q1_forward: forward matches the reference on hidden shapes" in summary
    assert result["status"] == "fail" and result["max_score"] == 70.0
    assert sum(t["score"] for t in result["tests"]) == 0 and len(result["tests"]) == 40
    assert snapshot(workspace) == before  # nothing written into the student's repository
    submission = tmp_path / "work" / "autograder" / "submission"
    assert sorted(p.name for p in submission.iterdir()) == ["README.md", NOTEBOOK]  # no .git, no .github
    assert not (tmp_path / "work" / "autograder" / "bundle.zip").exists()  # decrypted only to be unpacked
    secrets = bundle_secrets(bundle, tmp_path / "work")
    for text in (summary, json.dumps(result), run.stdout, run.stderr):
        assert not [secret for secret in secrets if secret in text]
    assert subprocess.run([sys.executable, "-I", "-c", "import autograder; print(autograder.__file__)"],
                          capture_output=True, text=True, check=True).stdout.startswith(str(ROOT))


def test_a_wrong_key_stops_before_grading_and_says_so(bundle, tmp_path):
    workspace = student_repository(tmp_path / "student", ROOT / "release" / ASSIGNMENT / NOTEBOOK)
    run, summary, result = grade_step(workspace, bundle, tmp_path / "work", key="wrong")
    assert run.returncode != 0 and "could not be decrypted" in run.stderr
    assert summary == "" and result == {}
    assert not (tmp_path / "work" / "autograder" / "source" / "setup.sh").exists()
