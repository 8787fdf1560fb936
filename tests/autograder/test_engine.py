"""The engine: reading answer cells, fitting graders to notebooks, and what a student is told."""
import dataclasses
import json

import pytest

from autograder.assignments import CourseError, load_assignment
from autograder.engine import PRIVATE_NOTE, UnreadableNotebook, _student_error, answer_cells, load_grader
from autograder.sandbox import CellFailed, StudentException
from tests.conftest import ROOT

NOTEBOOK = "spiral_from_scratch"


def notebook(*cells) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def answer(grade_id, source, cell_type="code"):
    return {"cell_type": cell_type, "source": source, "metadata": {"nbgrader": {"solution": True,
                                                                                "grade_id": grade_id}}}


def test_answer_cells_reads_code_answers_by_grade_id_and_ignores_the_rest():
    text = notebook(answer("Q1_solution", ["x = 1\n", "y = 2"]), answer("Q6_explanation", "words", "markdown"),
                    {"cell_type": "code", "source": "z = 3", "metadata": {}}, "not even a dict")
    assert answer_cells(text) == {"Q1_solution": "x = 1\ny = 2"}


@pytest.mark.parametrize("text", ["{ nope", "[]", '{"cells": 3}', b"\xff\xfe"])
def test_answer_cells_turns_broken_files_into_one_clear_error(text):
    with pytest.raises(UnreadableNotebook):
        answer_cells(text)


@pytest.fixture(scope="module")
def spiral_notebook():
    (nb,) = load_assignment(ROOT, NOTEBOOK).notebooks
    return nb


def test_grader_points_must_match_the_notebook(spiral_notebook):
    grader = load_grader(NOTEBOOK, spiral_notebook)
    assert sum(t.points for t in grader.tests) == spiral_notebook.points("auto") == 70
    assert all(t.name.startswith(t.question) for t in grader.tests)
    changed = dataclasses.replace(spiral_notebook, graded_cells=tuple(
        dataclasses.replace(c, points=c.points + 1) if c.grade_id == "Q1_forward" else c
        for c in spiral_notebook.graded_cells))
    with pytest.raises(CourseError, match="Q1_forward: the notebook gives 5 points, the hidden tests 4"):
        load_grader(NOTEBOOK, changed)


def test_every_answer_cell_the_tests_need_exists_in_the_master(spiral_notebook):
    grader = load_grader(NOTEBOOK, spiral_notebook)
    for test in grader.tests:
        assert set(test.cells) | set(test.needs) <= set(grader.master_cells)
        assert not set(test.cells) & set(test.needs)


def test_private_tests_show_only_builtin_exception_types_and_student_lines(spiral_notebook):
    grader = load_grader(NOTEBOOK, spiral_notebook)
    private = next(t for t in grader.tests if t.private)
    public = next(t for t in grader.tests if not t.private)
    leaky = StudentException({"type": "ValueError", "message": "def forward(self, z): return secret",
                              "where": "Q1_solution, line 3"})
    assert "secret" in _student_error(leaky, public)
    shown = _student_error(leaky, private)
    assert "secret" not in shown and "ValueError" in shown and PRIVATE_NOTE in shown
    assert "Q1_solution" not in shown
    forged = StudentException({"type": "LeakedSourceOfInstanceNorm", "message": "",
                               "where": f"{private.cells[0]}, line 2 and then the whole master cell"})
    shown = _student_error(forged, private)
    assert "LeakedSource" not in shown and "master cell" not in shown and "an exception" in shown
    own = CellFailed(private.cells[0], {"type": "SyntaxError", "message": "x", "where": f"{private.cells[0]}, line 4"})
    assert f"running your cell {private.cells[0]} raised SyntaxError ({private.cells[0]}, line 4)" in \
        _student_error(own, private)


def test_a_bug_in_a_hidden_test_costs_that_test_not_the_batch(spiral_notebook):
    from autograder.engine import GRADER_PROBLEM, References, run_test
    from autograder.kit import graded

    grader = load_grader(NOTEBOOK, spiral_notebook)

    @graded("Q1_forward", 2, cells=("Q1_solution",))
    def test_Q1_forward_broken_grader(kit):
        """a hidden test with a bug."""
        return len(5)

    result = run_test(grader, test_Q1_forward_broken_grader.graded, grader.master_cells, sandbox=None,
                      references=References(grader))
    assert result.score == 0 and result.message.startswith(f"{GRADER_PROBLEM}: TypeError")


def test_restrictions_the_sandbox_could_not_apply_are_reported(spiral_notebook):
    from types import SimpleNamespace

    from autograder.engine import SANDBOX_NOTE, References, grade_notebook

    grader = load_grader(NOTEBOOK, spiral_notebook)
    weak = SimpleNamespace(notes={"course folders not hidden (unshare: Operation not permitted)"})
    result = grade_notebook(grader, None, "lee", weak, References(grader))
    assert f"{SANDBOX_NOTE}course folders not hidden (unshare: Operation not permitted)" in result.notes
    assert result.score == 0 and "no spiral_from_scratch.ipynb found" in result.tests[0].message
