"""``course grade``: finding submissions, Gradescope results, the CSV gradebook, feedback and resuming."""
import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from autograder.assignments import CourseError, load_assignment
from autograder.cli import main
from autograder.grade import DUPLICATE, discover
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


def test_each_path_named_is_one_student_and_a_class_folder_holds_students(spiral, tmp_path):
    one = touch(tmp_path / "single" / "dana.ipynb")
    touch(tmp_path / "batch" / "erin.ipynb")
    touch(tmp_path / "batch" / "frank" / NOTEBOOK)
    touch(tmp_path / "batch" / "gina" / "renamed by gina.ipynb")
    touch(tmp_path / "batch" / ".ipynb_checkpoints" / "erin-checkpoint.ipynb")
    touch(tmp_path / "batch" / "notes.txt")
    student_folder = touch(tmp_path / "hugo" / NOTEBOOK).parent
    touch(tmp_path / "hugo" / "scratch.ipynb")

    found = discover(spiral, [one, student_folder])
    assert sorted(found) == ["dana", "hugo"]
    assert found["dana"].files["spiral_from_scratch"] == one and found["dana"].folder == one.parent
    assert found["hugo"].files["spiral_from_scratch"] == student_folder / NOTEBOOK  # of several, the master's name

    found = discover(spiral, [tmp_path / "batch"], class_folders=True)
    assert sorted(found) == ["erin", "frank", "gina"]
    assert found["gina"].files["spiral_from_scratch"].name == "renamed by gina.ipynb"
    assert found["gina"].folder == tmp_path / "batch"  # below it, no link is followed


def test_discover_reports_instructor_errors(spiral, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CourseError, match="no submission found"):
        discover(spiral, [tmp_path / "empty"], class_folders=True)
    touch(tmp_path / "class" / "ann" / NOTEBOOK)
    with pytest.raises(CourseError, match="add --class-folder"):
        discover(spiral, [tmp_path / "class"])  # a folder of students named as one student
    with pytest.raises(CourseError, match="not a notebook"):
        discover(spiral, [touch(tmp_path / "notes.txt")])
    with pytest.raises(CourseError, match="no such file"):
        discover(spiral, [tmp_path / "missing.ipynb"])
    with pytest.raises(CourseError, match="is not a folder"):
        discover(spiral, [tmp_path / "notes.txt"], class_folders=True)


def test_a_notebook_in_a_students_folder_never_makes_a_student(spiral, tmp_path):
    """A browser's ``dropout (1).ipynb``, 25 notebooks, ``grades.csv.ipynb``, a notebook named like another
    student: each stays inside its student's folder."""
    touch(tmp_path / "class" / "ghost" / "spiral_from_scratch (1).ipynb")
    for index in range(25):
        touch(tmp_path / "class" / "crowd" / f"attempt {index}.ipynb")
    touch(tmp_path / "class" / "sly" / "grades.csv.ipynb")
    touch(tmp_path / "class" / "mallory" / "alice.ipynb")
    touch(tmp_path / "class" / "alice" / NOTEBOOK)
    touch(tmp_path / "class" / "nobody" / "readme.txt")

    found = discover(spiral, [tmp_path / "class"], class_folders=True)
    assert sorted(found) == ["alice", "crowd", "ghost", "mallory", "nobody", "sly"]
    assert found["ghost"].files["spiral_from_scratch"].name == "spiral_from_scratch (1).ipynb"
    assert found["sly"].files["spiral_from_scratch"].name == "grades.csv.ipynb"
    assert found["mallory"].files["spiral_from_scratch"].name == "alice.ipynb"
    assert found["alice"].files["spiral_from_scratch"].name == NOTEBOOK
    assert "holds 25 notebooks and none is named like the assignment's" in found["crowd"].problem
    assert found["nobody"].files == {"spiral_from_scratch": None} and not found["nobody"].problem


def test_ids_are_made_safe_and_never_merged(spiral, tmp_path, capsys):
    from autograder.grade import student_id

    assert student_id("dana") == "dana" and student_id("jean-luc.o_neil+2@uni.edu") == "jean-luc.o_neil+2@uni.edu"
    for name in ("=HYPERLINK(\"http://x\")", "..", "", "../../etc", "-rf", "José", "Jose\u0301", "a" * 300,
                 "\x1b[31mred", "名前", "grades.csv\n"):
        safe = student_id(name)
        assert 0 < len(safe) <= 64 and (safe[0].isalnum() or safe[0] == "_"), (name, safe)
        assert set(safe) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@+-"), (name, safe)
    assert student_id("José") != student_id("Jose") and student_id("José").startswith("Jose_")
    assert len({student_id(n) for n in ("名前", "名字", "?", "!")}) == 4  # changed names keep a hash of their own

    touch(tmp_path / "class" / "=cmd|' calc'!A0.ipynb")
    touch(tmp_path / "class" / ".hidden.ipynb")
    found = discover(spiral, [tmp_path / "class"], class_folders=True)
    (student,) = found
    assert student.startswith("_cmd_calc_A0_") and "made safe" in capsys.readouterr().err


def test_a_duplicate_id_costs_that_id_only(spiral, tmp_path, capsys):
    ivy_file = touch(tmp_path / "a" / "ivy.ipynb")
    touch(tmp_path / "b" / "ivy" / NOTEBOOK)
    touch(tmp_path / "b" / "Ivy.ipynb")
    touch(tmp_path / "b" / "kim.ipynb")
    found = discover(spiral, [ivy_file.parent, tmp_path / "b"], class_folders=True)
    assert sorted(found) == ["Ivy", "ivy", "kim"]
    assert found["ivy"].problem == found["Ivy"].problem == DUPLICATE.format(count=3)
    assert not found["kim"].problem and found["kim"].files["spiral_from_scratch"] == tmp_path / "b" / "kim.ipynb"
    assert "3 submissions have the student id" in capsys.readouterr().err


def test_links_in_a_class_folder_are_listed_so_that_reading_refuses_them(spiral, tmp_path):
    target = touch(tmp_path / "elsewhere" / NOTEBOOK)
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "kim.ipynb").symlink_to(target)
    (tmp_path / "batch" / "lou").symlink_to(target.parent)
    found = discover(spiral, [tmp_path / "batch"], class_folders=True)
    assert found["kim"].files["spiral_from_scratch"] == tmp_path / "batch" / "kim.ipynb"
    assert found["lou"].files["spiral_from_scratch"] == tmp_path / "batch" / "lou" / NOTEBOOK


def test_gradebook_cells_cannot_start_a_spreadsheet_formula():
    from autograder.results import gradebook_csv

    results = [SubmissionResult(name, "spiral", [TestResult("Q1_forward: x", "Q1_forward", 1.0, 3.0)])
               for name in ("=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", "plain")]
    rows = list(csv.reader(io.StringIO(gradebook_csv(results, ["Q1"]), newline="")))
    assert sorted(row[0] for row in rows[1:]) == sorted(["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "'\tx", "'\rx",
                                                         "plain"])
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


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
    code = main(["grade", "spiral_from_scratch", str(submissions), "--class-folder", "--out", str(out), "--jobs", "2"])
    return submissions, out, code


def test_grade_writes_gradescope_results_for_every_student(graded_batch):
    _, out, code = graded_batch
    assert code == 0
    alice = json.loads((out / "students" / "alice" / "results.json").read_text())
    assert {"score", "execution_time", "output", "tests"} <= set(alice)
    assert alice["score"] == 70
    for test in alice["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["name"].startswith("Q") and test["status"] == "passed"
    assert "30 more points are graded by hand" in alice["output"]
    bob = json.loads((out / "students" / "bob" / "results.json").read_text())
    assert bob["score"] == 0 and all(t["status"] == "failed" and t["output"] for t in bob["tests"])
    carol = json.loads((out / "students" / "carol" / "results.json").read_text())
    assert carol["score"] == 0 and "could not be read" in carol["tests"][0]["output"]


def test_grade_writes_a_csv_gradebook_and_readable_feedback(graded_batch):
    _, out, _ = graded_batch
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["student"] for r in rows] == ["alice", "bob", "carol"]
    assert [r["Q1"] for r in rows] == ["10", "0", "0"]
    assert rows[0]["auto_score"] == "70" and rows[0]["auto_max"] == "70" and rows[0]["manual_pending"] == "30"
    feedback = (out / "students" / "bob" / "feedback.txt").read_text()
    assert "[FAIL] Q1_forward" in feedback and "NotImplementedError" in feedback
    assert "[MANUAL] Q6_explanation" in feedback


def test_a_second_run_keeps_finished_results_and_regrades_a_changed_submission(graded_batch, capsys, monkeypatch):
    submissions, out, _ = graded_batch
    before = (out / "students" / "alice" / "results.json").stat().st_mtime_ns
    graders = json.loads((out / "students" / "alice" / "results.json").read_text())["extra_data"]["graded_with"]
    monkeypatch.setattr("autograder.grade.grader_digest", lambda assignment: graders)  # the first run's graders,
    # whatever else changes in this checkout meanwhile (a digest of other files is the next test's subject)
    (submissions / "carol.ipynb").write_text("[]")
    assert main(["grade", "spiral_from_scratch", str(submissions), "--class-folder", "--out", str(out)]) == 0
    assert (out / "students" / "alice" / "results.json").stat().st_mtime_ns == before
    assert "2 submission(s) already graded" in capsys.readouterr().err
    carol = json.loads((out / "students" / "carol" / "results.json").read_text())
    assert "no list of cells" in carol["tests"][0]["output"]


def test_a_second_run_after_a_grader_change_grades_everyone_again(graded_batch, monkeypatch, capsys):
    submissions, out, _ = graded_batch
    before = (out / "students" / "alice" / "results.json").stat().st_mtime_ns
    monkeypatch.setattr("autograder.grade.grader_digest", lambda assignment: "a fixed grader")
    assert main(["grade", "spiral_from_scratch", str(submissions), "--class-folder", "--out", str(out)]) == 0
    assert "already graded" not in capsys.readouterr().err
    assert (out / "students" / "alice" / "results.json").stat().st_mtime_ns != before
    alice = json.loads((out / "students" / "alice" / "results.json").read_text())
    assert alice["extra_data"]["graded_with"] == "a fixed grader"


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
    assert main(["grade", "spiral_from_scratch", str(tmp_path), "--class-folder", "--out", str(tmp_path / "o")]) == 2
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


# ------------------------------------------------------------------ whole batches of layout attacks
MASTER = Path(__file__).resolve().parents[2] / "source/spiral_from_scratch" / NOTEBOOK
RELEASE = Path(__file__).resolve().parents[2] / "release/spiral_from_scratch" / NOTEBOOK


def student_file(path: Path, base: Path = MASTER, tag: str = "", replace: dict | None = None,
                 outputs: list | None = None) -> Path:
    """``base`` (the master's answers by default) at ``path``, tagged so that its bytes are its own, with some
    answer cells' sources replaced and outputs on its last cell."""
    document = json.loads(base.read_text())
    document["metadata"]["tag"] = tag or str(path)
    for cell in document["cells"]:
        name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if name in (replace or {}):
            cell["source"] = replace[name]
    if outputs is not None:
        document["cells"][-1]["outputs"] = outputs
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def without_sandbox(monkeypatch, tmp_path):
    """Grading without children: a hidden test passes when the student's cells it loads are the master's (after
    the engine's own refusals), so that a batch runs in seconds. Counts the parses of each tagged file, in this
    process and in forked workers alike (a line per parse in a file): ``parses()`` gives them by tag."""
    from autograder import engine, submissions

    def run_test(grader, test, student, sandbox, references):
        message = engine.refusal(grader, test, student) or (
            "" if all(student.cells[c] == grader.master_cells[c] for c in test.cells) else "not the master's")
        return TestResult(test.name, test.item, 0.0 if message else test.points, test.points, message)

    log = tmp_path / "parses.txt"
    parse = submissions.parse_answers

    def counted(data, wanted=None):
        marker = b'"tag": "'
        at = data.find(marker)
        if at >= 0:
            with log.open("a") as stream:
                stream.write(data[at + len(marker):data.index(b'"', at + len(marker))].decode() + "\n")
        return parse(data, wanted)

    def parses() -> dict[str, int]:
        found: dict[str, int] = {}
        for tag in (log.read_text().splitlines() if log.exists() else []):
            found[tag] = found.get(tag, 0) + 1
        log.unlink(missing_ok=True)
        return found

    monkeypatch.setattr(engine, "run_test", run_test)
    monkeypatch.setattr(submissions, "parse_answers", counted)
    return parses


def layout_attacks(folder: Path) -> None:
    student_file(folder / "alice" / NOTEBOOK, tag="alice")
    student_file(folder / "ghost" / "spiral_from_scratch (1).ipynb", tag="ghost")  # a browser's rename
    for index in range(25):
        student_file(folder / "crowd" / f"attempt {index}.ipynb", tag=f"crowd {index}")
    student_file(folder / "sly" / "grades.csv.ipynb", tag="sly")
    student_file(folder / "grades.csv.ipynb", tag="grades.csv")  # a student known as grades.csv
    student_file(folder / "mallory" / "alice.ipynb", RELEASE, tag="mallory")  # named like another student
    student_file(folder / "ivy.ipynb", tag="ivy file")
    student_file(folder / "ivy" / NOTEBOOK, tag="ivy folder")
    student_file(folder / "=HYPERLINK(1).ipynb", tag="formula")
    student_file(folder / "bigcell.ipynb", tag="bigcell", replace={"Q3_solution": "# " + "x" * 300_000})
    (folder / "broken.ipynb").write_text("{ not a notebook")


def test_nothing_a_student_names_stops_the_batch_or_forges_a_student(without_sandbox, tmp_path, capsys):
    parses = without_sandbox
    layout_attacks(tmp_path / "class")
    out = tmp_path / "out"
    for run in range(2):  # the second run resumes: every result is kept, and nothing is graded again
        assert main(["grade", "spiral_from_scratch", str(tmp_path / "class"), "--class-folder", "--out", str(out),
                     "--jobs", "2"]) == 0
        assert {n: c for n, c in parses().items() if not n.startswith("crowd")} == {
            n: 1 for n in ("alice", "ghost", "sly", "grades.csv", "mallory", "formula", "bigcell")
        }  # each file once per batch, in this process; the workers parse none (nor a duplicate's files)
    err = capsys.readouterr().err
    assert "10 submission(s) already graded" in err and err.count("grading the master") == 1
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    formula = next(name for name in rows if "HYPERLINK" in name)
    assert formula.startswith("_HYPERLINK_1_")
    assert sorted(rows) == sorted(["alice", "bigcell", "broken", "crowd", "ghost", "grades.csv", "ivy", "mallory",
                                   "sly", formula])
    assert {n: rows[n]["auto_score"] for n in rows} == {**{n: "70" for n in ("alice", "ghost", "sly", "grades.csv",
                                                                              formula)},
                                                       "bigcell": "60", "mallory": "0", "crowd": "0", "ivy": "0",
                                                       "broken": "0"}
    assert (out / "grades.csv").is_file() and (out / "students" / "grades.csv" / "results.json").is_file()
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["grades.csv", "students"]

    def messages(name):
        data = json.loads((out / "students" / name / "results.json").read_text())
        return {t["output"] for t in data["tests"] if t["status"] == "failed"}

    assert messages("crowd") == {"your folder holds 25 notebooks and none is named like the assignment's "
                                 f"({NOTEBOOK}), so none was graded"}
    assert messages("ivy") == {DUPLICATE.format(count=2)}
    assert messages("bigcell") == {"your answer cell Q3_solution is longer than 256 KB"}
    assert messages("broken") == {"your notebook could not be read: the file is not valid notebook JSON"}


def test_a_notebook_of_80_mb_of_plots_scores_on_its_cells_in_the_sandbox(tmp_path, monkeypatch):
    """Graded for real (one hidden test of Q4, to stay quick): the master's answers under 80 MB of plots keep
    full marks; an oversized Q4 cell costs that test with a reason, an oversized Q3 cell costs nothing here."""
    from autograder import workers
    from tests.autograder.test_submissions import image_outputs

    def one_test(assignment, notebook):
        grader = load_grader(assignment, notebook)
        grader.tests = [t for t in grader.tests if t.question == "Q4"][:1]
        return grader

    load_grader = workers.load_grader
    monkeypatch.setattr(workers, "load_grader", one_test)
    student_file(tmp_path / "class" / "plots.ipynb", outputs=image_outputs(80))
    student_file(tmp_path / "class" / "big_q4.ipynb", replace={"Q4_solution": "# " + "x" * 300_000})
    student_file(tmp_path / "class" / "big_q3.ipynb", replace={"Q3_solution": "# " + "x" * 300_000})
    assert (tmp_path / "class" / "plots.ipynb").stat().st_size > 80 * 2**20
    out = tmp_path / "out"
    assert main(["grade", "spiral_from_scratch", str(tmp_path / "class"), "--class-folder", "--out", str(out)]) == 0
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert {n: (r["auto_score"], r["auto_max"]) for n, r in rows.items()} == {
        "plots": ("2", "2"), "big_q3": ("2", "2"), "big_q4": ("0", "2")}
    big = json.loads((out / "students" / "big_q4" / "results.json").read_text())
    assert big["tests"][0]["output"] == "your answer cell Q4_solution is longer than 256 KB"
