"""``course check fc_and_cnn``: the numpy + PyTorch assignment's master, blank release and mutant catalogue.

A module of its own so that pytest-xdist runs it on one core while the spiral check runs on the other.
"""
import pytest

from autograder.assignments import load_assignment
from autograder.check import check, format_report
from autograder.check.mutants import Mutant, load_catalogue
from autograder.engine import load_grader, run_test
from autograder.graders.fc_and_cnn import CALIBRATION, RULES
from autograder.rules import forbidden_uses
from tests.conftest import ROOT

NOTEBOOK = "fc_and_cnn"


@pytest.fixture(scope="module")
def fc_check():
    (result,) = check(ROOT, [load_assignment(ROOT, NOTEBOOK)], quick=True, jobs=2)
    return result


def test_master_scores_every_auto_point_and_blank_release_none(fc_check):
    assert (fc_check.master.score, fc_check.master.max_score) == (93, 93)
    assert (fc_check.blank.score, fc_check.blank.max_score) == (0, 93)
    assert sum(m.max_score for m in fc_check.master.manual) == 7


def test_master_notebook_runs_top_to_bottom_and_passes_its_own_cells(fc_check):
    (run,) = fc_check.notebook_runs.values()
    assert run.points() == (93.0, 93.0)


def test_every_mutant_is_caught_and_every_alternative_keeps_its_points(fc_check):
    assert fc_check.problems == []
    assert "all checks passed" in format_report([fc_check])
    for verdict in fc_check.verdicts:
        if isinstance(verdict.entry, Mutant):
            lost = {t.item for t in verdict.results if not t.passed}
            assert verdict.entry.item in lost
            assert {item.split("_")[0] for item in lost} == {verdict.entry.question}


def test_a_two_layer_net_without_relu_loses_points(fc_check):
    """The seed's own TwoLayerNet has no ReLU and passes the seed's checks; the hidden tests must catch it."""
    (verdict,) = [v for v in fc_check.verdicts if isinstance(v.entry, Mutant) and "no ReLU" in v.entry.description
                  and v.entry.item == "Q6_two_layer_net"]
    failed = [t for t in verdict.results if not t.passed]
    assert any("ReLU matters" in t.name for t in failed)


def test_blank_release_fails_for_reasons_students_can_read(fc_check):
    messages = {t.item: t.message for t in fc_check.blank.tests}
    assert "NotImplementedError" in messages["Q1_fc_forward"]
    assert "rule broken" not in messages["Q1_fc_forward"]


def test_catalogue_has_three_bugs_for_every_graded_item_and_correct_variants():
    mutants, alternatives = load_catalogue(ROOT, NOTEBOOK)
    (notebook,) = load_assignment(ROOT, NOTEBOOK).notebooks
    for cell in notebook.graded_cells:
        if cell.kind == "auto":
            assert sum(m.item == cell.grade_id for m in mutants) >= 3, cell.grade_id
    assert len(alternatives) >= 10


def test_thresholds_sit_below_the_masters_calibrated_minimum():
    for question, numbers in CALIBRATION.items():
        assert numbers["threshold"] < numbers["master_min"] <= numbers["master_max"], question


@pytest.mark.parametrize("cell, source, reason", [
    ("Q3_solution", "def relu_forward(x):\n    out = x.copy()\n    for i in range(out.size):\n"
                    "        out.flat[i] = max(0, out.flat[i])\n    return out, x", "vectorized"),
    ("Q5_solution", "def softmax_loss(x, y):\n    return sum(-x[i, y[i]] for i in range(len(y))), x", "vectorized"),
    ("Q1_solution", "import torch\ndef fc_forward(x, w, b):\n    return torch.tensor(x) @ w + b, (x, w, b)",
     "numpy only"),
    ("Q8_solution", "class FullyConnectedNet:\n    def loss(self, X, y=None):\n        import torch\n", "numpy only"),
])
def test_part_one_rules_cost_the_tests_of_the_cell(cell, source, reason):
    (notebook,) = load_assignment(ROOT, NOTEBOOK).notebooks
    grader = load_grader(NOTEBOOK, notebook)
    tests = [t for t in grader.tests if cell in t.cells]
    assert tests
    for test in tests:
        result = run_test(grader, test, {**grader.master_cells, cell: source}, None, None)
        assert result.score == 0 and "rule broken" in result.message and reason in result.message


def test_the_master_keeps_every_rule_and_loops_where_the_task_needs_them():
    (notebook,) = load_assignment(ROOT, NOTEBOOK).notebooks
    master = load_grader(NOTEBOOK, notebook).master_cells
    for cell, rules in RULES.items():
        assert forbidden_uses(master[cell], rules) == [], cell
    assert "for layer in" in master["Q8_solution"]
