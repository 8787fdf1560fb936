"""``course check``: notebook run, master and blank release under the hidden graders, the mutant catalogue."""
import nbformat
import pytest

from autograder.assignments import CourseError, load_assignment
from autograder.check import check, format_report
from autograder.check.mutants import Alternative, Mutant, apply_edits, judge, load_catalogue
from autograder.engine import GRADER_PROBLEM
from autograder.notebook_scoring import merge_answers, score
from autograder.results import TestResult
from tests.conftest import ROOT

NOTEBOOK = "spiral_from_scratch"


@pytest.fixture(scope="module")
def spiral_check():
    (result,) = check(ROOT, [load_assignment(ROOT, NOTEBOOK)], quick=True, jobs=2)
    return result


def test_master_scores_every_auto_point_and_blank_release_none(spiral_check):
    assert (spiral_check.master.score, spiral_check.master.max_score) == (70, 70)
    assert (spiral_check.blank.score, spiral_check.blank.max_score) == (0, 70)
    assert sum(m.max_score for m in spiral_check.master.manual) == 30


def test_master_notebook_runs_top_to_bottom_and_passes_its_own_cells(spiral_check):
    (run,) = spiral_check.notebook_runs.values()
    assert run.points() == (70.0, 70.0)


def test_every_mutant_is_caught_and_every_alternative_keeps_its_points(spiral_check):
    assert spiral_check.problems == []
    assert "all checks passed" in format_report([spiral_check])
    mutants = [v for v in spiral_check.verdicts if isinstance(v.entry, Mutant)]
    for verdict in mutants:
        lost = {t.item for t in verdict.results if not t.passed}
        assert verdict.entry.item in lost
        assert {item.split("_")[0] for item in lost} == {verdict.entry.question}


def test_blank_release_fails_for_reasons_students_can_read(spiral_check):
    messages = {t.item: t.message for t in spiral_check.blank.tests}
    assert "NotImplementedError" in messages["Q1_forward"]


def test_catalogue_has_three_bugs_for_every_graded_item_and_correct_variants():
    mutants, alternatives = load_catalogue(ROOT, NOTEBOOK)
    (notebook,) = load_assignment(ROOT, NOTEBOOK).notebooks
    for cell in notebook.graded_cells:
        if cell.kind == "auto":
            assert sum(m.item == cell.grade_id for m in mutants) >= 3, cell.grade_id
    assert len(alternatives) >= 6


def test_a_mutant_loses_points_only_on_its_question_when_every_test_runs():
    from autograder.workers import Grading

    grading = Grading(ROOT, NOTEBOOK)
    try:
        grader = grading.graders[NOTEBOOK]
        mutant, *_ = [m for m in load_catalogue(ROOT, NOTEBOOK)[0] if m.item == "Q1_forward"]
        answers = {**grader.master_cells, mutant.cell: apply_edits(grader.master_cells[mutant.cell], mutant.edits, "")}
        fast = [t for t in grader.tests if t.question in {"Q1", "Q2", "Q3", "Q4", "Q5"} and "training" not in t.item]
        grader.tests = fast
        results = grading.grade_answers(NOTEBOOK, answers)
    finally:
        grading.close()
    assert any(not t.passed for t in results if t.question == "Q1")
    assert all(t.passed for t in results if t.question != "Q1")


def test_judge_flags_survivors_spill_over_and_strict_checks():
    def result(item, score):
        return TestResult(f"{item}: t", item, score, 1.0)

    mutant = Mutant("Q1_forward", "bug", "Q1_solution", ())
    assert "survived" in judge(mutant, [result("Q1_forward", 1.0)]).problem
    assert "outside Q1" in judge(mutant, [result("Q1_forward", 0.0), result("Q2_forward", 0.0)]).problem
    assert judge(mutant, [result("Q1_forward", 0.0), result("Q1_backward", 0.0)]).ok
    assert "lost points" in judge(Alternative("ok", "Q1_solution", ()), [result("Q1_forward", 0.0)]).problem
    crashed = TestResult("Q1_forward: t", "Q1_forward", 0.0, 1.0, f"{GRADER_PROBLEM}: KeyError: x")
    assert "hidden test itself failed" in judge(mutant, [crashed]).problem


def test_an_edit_that_no_longer_fits_the_master_fails_loudly():
    with pytest.raises(CourseError, match="occurs 0 times"):
        apply_edits("x = 1\n", (("y = 2", "y = 3"),), "stale mutant")


def test_an_edit_anchored_on_a_block_fails_loudly():
    with pytest.raises(CourseError, match="anchored on one line"):
        apply_edits("x = 1\ny = 2\n", (("x = 1\ny = 2", "x = 2\ny = 3"),), "block mutant")


def test_merge_takes_only_answer_cells_from_the_submission(root):
    master = nbformat.read(root / "source/spiral_from_scratch/spiral_from_scratch.ipynb", as_version=4)
    tampered = nbformat.from_dict(master)
    for cell in tampered.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            cell.source = "pass  # a student who deleted the test"
    merged = merge_answers(master, tampered)
    assert [c.source for c in merged.cells] == [c.source for c in master.cells]


def test_stderr_in_a_test_cell_scores_zero():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"grade": True, "grade_id": "Q1_t", "points": 2}})
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="warning\n")]
    nb.cells = [cell]
    (result,) = score(nb)
    assert result.points == 0 and "stderr" in result.message
