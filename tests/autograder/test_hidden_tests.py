"""Hidden tests are pytest tests: marks, per-question declarations, collection, and pytest run by an instructor."""
import subprocess
import sys

import pytest

from autograder.assignments import CourseError, list_assignments, load_assignment
from autograder.engine import load_grader
from autograder.hidden_tests import Question, graded
from tests.conftest import ROOT


def test_graded_requires_the_question_id_in_the_test_name_and_a_known_visibility():
    with pytest.raises(ValueError, match="question id"):
        graded("Q1_forward", 1)(lambda kit: None)
    with pytest.raises(ValueError, match="visibility"):
        graded("Q1_forward", 1, visibility="sometimes")
    with pytest.raises(ValueError, match="array type"):
        Question(cells=("Q1_solution",), arrays="jax")


def test_graded_is_a_pytest_mark_with_points_and_limits():
    @graded("Q1_forward", 2, timeout=5)
    def test_Q1_forward_x(kit):
        """x."""

    (mark,) = test_Q1_forward_x.pytestmark
    assert mark.name == "graded" and mark.kwargs["points"] == 2.0 and mark.kwargs["timeout"] == 5.0


def test_a_test_loads_what_its_question_declares_once_in_the_spec():
    (notebook,) = load_assignment(ROOT, "fc_and_cnn").notebooks
    tests = load_grader("fc_and_cnn", notebook).tests
    q2 = [t for t in tests if t.question == "Q2"]
    assert q2 and all(t.cells == ("Q2_solution",) and t.needs == ("Q1_solution",) and t.arrays == "numpy"
                      for t in q2)
    assert {t.arrays for t in tests if t.question == "Q11"} == {"torch"}
    (spiral,) = load_assignment(ROOT, "spiral_from_scratch").notebooks
    by_item = {t.item: t for t in load_grader("spiral_from_scratch", spiral).tests}
    assert by_item["Q6_experiment"].cells == ("Q6_experiment_code",)
    assert by_item["Q6_batchnorm"].cells == ("Q6_solution",)
    assert by_item["Q6_experiment"].settings == by_item["Q7_experiment"].settings == (("COMPARE_EPOCHS", 50),)
    assert by_item["Q6_batchnorm"].settings == ()


@pytest.mark.parametrize("settings", [(("COMPARE EPOCHS", 5),), (("EPOCHS", [5]),), (("EPOCHS", True),)])
def test_a_setting_is_a_name_and_a_plain_value(settings):
    with pytest.raises(ValueError, match="a setting is a name"):
        Question(cells=("Q1_solution",), settings=settings)


def test_a_tests_title_is_the_whole_first_paragraph_of_its_docstring():
    """Students read the titles in their feedback and on Gradescope: one wrapped over two lines arrives whole."""
    (notebook,) = load_assignment(ROOT, "batch_layer_norm").notebooks
    names = [t.name for t in load_grader("batch_layer_norm", notebook).tests]
    assert "Q1_forward: missing running statistics are created as zeros(D) and written into bn_param: one training " \
           "batch gives what your own code gives when bn_param starts with zeros (whatever its momentum and " \
           "variance conventions)" in names
    for assignment in list_assignments(ROOT):
        for notebook in assignment.notebooks:
            for test in load_grader(notebook.name, notebook).tests:
                assert test.node.function.__doc__, test.name
                assert "  " not in test.name and "\n" not in test.name and len(test.name) <= 250, test.name


def test_a_test_of_an_undeclared_question_is_refused(monkeypatch):
    from autograder.graders import spiral_from_scratch
    from autograder.hidden_tests import graded_test

    (notebook,) = load_assignment(ROOT, "spiral_from_scratch").notebooks
    test = load_grader("spiral_from_scratch", notebook).tests[0]
    questions = {k: v for k, v in spiral_from_scratch.QUESTIONS.items() if k != "Q1"}
    with pytest.raises(CourseError, match="QUESTIONS has no Q1"):
        graded_test(test.node, questions)


def test_an_instructor_runs_one_question_with_pytest_on_a_submission():
    (notebook,) = load_assignment(ROOT, "spiral_from_scratch").notebooks
    q3 = [t for t in load_grader("spiral_from_scratch", notebook).tests if t.question == "Q3"]
    forward = sum(t.points for t in q3 if t.item == "Q3_forward")
    blank = ROOT / "release" / "spiral_from_scratch" / "spiral_from_scratch.ipynb"
    run = subprocess.run([sys.executable, "-m", "pytest", "autograder/graders/spiral_from_scratch", "-p",
                          "no:cacheprovider", "-k", "Q3", "--submission", str(blank)], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 1, run.stdout[-3000:]
    assert "NotImplementedError" in run.stdout  # the instructor's view shows what the student's code raised
    assert f"Q3_forward                       0 / {forward:g}" in run.stdout and f"{len(q3)} failed" in run.stdout
    master = subprocess.run([sys.executable, "-m", "pytest", "autograder/graders/spiral_from_scratch", "-p",
                             "no:cacheprovider", "-k", "Q3"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert master.returncode == 0 and "total                           10 / 10" in master.stdout, master.stdout[-3000:]
    assert f"{len(q3)} passed" in master.stdout
