"""Execute the master and the blank release through nbclient and score them (quick mode)."""
import nbformat
import pytest

from autograder.assignments import load_assignment
from autograder.check import check, format_report
from autograder.notebook_scoring import merge_answers, score


@pytest.fixture(scope="module")
def spiral_check():
    from tests.conftest import ROOT

    return check(ROOT, [load_assignment(ROOT, "spiral_from_scratch")], quick=True, jobs=2)


def test_master_scores_every_auto_point_and_blank_scores_none(spiral_check):
    (result,) = spiral_check
    assert result.master.points() == (70.0, 70.0)
    assert result.blank.points() == (0.0, 70.0)
    assert result.master.points("manual") == (0.0, 30.0)
    assert result.problems == []
    assert "all checks passed" in format_report(spiral_check)


def test_blank_release_fails_for_a_reason_students_can_read(spiral_check):
    (result,) = spiral_check
    messages = {s.grade_id: s.message for s in result.blank.scores if s.kind == "auto"}
    assert "NotImplementedError" in messages["Q1_forward"]


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
