"""The notebook model: nbgrader's cell marks and the question-id rule, tolerant of whatever a file holds."""
import pytest

from autograder.notebook import (grade_id, grading_kind, is_answer, is_code_answer, is_graded, is_locked, points,
                                 question_of, source)


def cell(kind="code", text="x = 1", **nbgrader):
    return {"cell_type": kind, "source": text, "metadata": {"nbgrader": nbgrader} if nbgrader else {}}


def test_answer_test_and_given_cells_are_told_apart():
    answer = cell(solution=True, grade=False, grade_id="Q1_solution", locked=False)
    test = cell(solution=False, grade=True, grade_id="Q1_forward", points=4, locked=True)
    written = cell("markdown", solution=True, grade=True, grade_id="Q6_explanation", points=15)
    given = cell(solution=False, grade=False, grade_id="given_imports", locked=True)
    assert is_code_answer(answer) and not is_graded(answer)
    assert is_graded(test) and grading_kind(test) == "auto" and points(test) == 4.0 and is_locked(test)
    assert is_answer(written) and not is_code_answer(written) and grading_kind(written) == "manual"
    assert is_locked(given) and not is_answer(given) and not is_graded(given)


@pytest.mark.parametrize("odd", [{}, {"metadata": None}, {"metadata": {"nbgrader": "yes"}}, "not a cell",
                                 cell(solution=True, grade_id=7), cell(solution=True)])
def test_odd_cells_are_no_answers(odd):
    assert not is_answer(odd) and not is_graded(odd) and grade_id(odd) is None


def test_source_joins_a_list_of_lines_and_question_ids_come_before_the_first_underscore():
    assert source({"source": ["a = 1\n", "b = 2"]}) == "a = 1\nb = 2"
    assert question_of("Q12_training") == "Q12" and question_of("Q3") == "Q3"
