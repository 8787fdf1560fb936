"""``course check`` on every assignment that ``course list`` knows, and the machinery it is made of.

The check of one assignment (its notebook run, master and blank release under the hidden graders, mutant
catalogue) is computed once per assignment, in a test class of its own that ``--dist loadscope`` keeps on one
worker, so the assignments run side by side on the two cores; what each costs is printed at the end of the run
(``tests/conftest.py``).
"""
import nbformat
import pytest

from autograder.assignments import CourseError, list_assignments, load_assignment
from autograder.check import Price, check, format_prices, format_report, prices
from autograder.check.mutants import Alternative, Hollow, Mutant, apply_edits, judge, load_catalogue, load_hollow
from autograder.engine import GRADER_PROBLEM, load_grader, run_test
from autograder.notebook_scoring import merge_answers, score
from autograder.results import TestResult
from autograder.rules import forbidden_uses
from tests.conftest import ROOT

ASSIGNMENTS = [a.name for a in list_assignments(ROOT)]


@pytest.fixture(scope="class")
def checked(request):
    """The check of the assignment that the test's class is about, once per class."""
    assignment = load_assignment(ROOT, request.cls.name)
    (result,) = check(ROOT, [assignment], quick=True, jobs=2)
    return assignment, result


class CheckOf:
    """The tests of one assignment's check: a class per assignment (below), so that ``--dist loadscope`` runs
    each check on one worker and the assignments side by side."""

    name: str

    def test_master_scores_every_auto_point_and_blank_release_none(self, checked, record_property):
        assignment, result = checked
        record_property("check_seconds", (assignment.name, result.seconds))
        auto, manual = assignment.points("auto"), assignment.points("manual")
        assert auto > 0
        assert (result.master.score, result.master.max_score) == (auto, auto)
        assert (result.blank.score, result.blank.max_score) == (0, auto)
        assert sum(m.max_score for m in result.master.manual) == manual

    def test_master_notebook_runs_top_to_bottom_and_passes_its_own_cells(self, checked):
        assignment, result = checked
        assert sum(run.points()[0] for run in result.notebook_runs.values()) == assignment.points("auto")

    def test_every_mutant_is_caught_on_its_question_only_and_every_alternative_keeps_its_points(self, checked):
        _, result = checked
        assert result.problems == []
        assert "all checks passed" in format_report([result])
        for verdict in result.verdicts:
            lost = {t.item for t in verdict.results if not t.passed}
            if isinstance(verdict.entry, Mutant):
                assert verdict.entry.item in lost and {i.split("_")[0] for i in lost} == {verdict.entry.question}
            elif isinstance(verdict.entry, Hollow):
                question = verdict.entry.cell.split("_")[0]
                assert sum(t.score for t in verdict.results if t.item.split("_")[0] == question) <= \
                    verdict.entry.keeps
            else:
                assert not lost

    def test_blank_release_fails_for_reasons_students_can_read(self, checked):
        _, result = checked
        for test in result.blank.tests:
            assert test.message and not test.message.startswith(GRADER_PROBLEM), test.name


for _name in ASSIGNMENTS:
    globals()[f"TestCheckOf_{_name}"] = type(f"TestCheckOf_{_name}", (CheckOf,), {"name": _name})


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_catalogue_has_three_bugs_for_every_graded_item_and_a_correct_variant_of_every_answer_cell(name):
    mutants, alternatives = load_catalogue(ROOT, name)
    for notebook in load_assignment(ROOT, name).notebooks:
        for cell in notebook.graded_cells:
            if cell.kind == "auto":
                assert sum(m.item == cell.grade_id for m in mutants) >= 3, cell.grade_id
        tested = {c for t in load_grader(name, notebook).tests for c in t.cells}
        assert tested - {a.cell for a in alternatives} == set()


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_answer_cell_the_graders_load_has_a_hollow_answer(name):
    for notebook in load_assignment(ROOT, name).notebooks:
        tested = {c for t in load_grader(name, notebook).tests for c in t.cells}
        hollow = load_hollow(ROOT, notebook.name)
        assert tested - {h.cell for h in hollow} == set()
        assert all(h.keeps >= 0 and h.description for h in hollow)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_master_keeps_every_rule_and_breaking_one_costs_every_test_of_the_cell(name):
    for notebook in load_assignment(ROOT, name).notebooks:
        grader = load_grader(name, notebook)
        for cell, rules in grader.rules.items():
            master = grader.master_cells[cell]
            assert forbidden_uses(master, rules) == [], cell
            tests = [t for t in grader.tests if cell in t.cells]
            for rule in rules:
                source = _breaking(rule) + master
                for test in tests:
                    result = run_test(grader, test, {**grader.master_cells, cell: source}, None, None)
                    assert result.score == 0 and rule.reason in result.message, (cell, rule.reason, test.name)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_training_threshold_sits_on_the_safe_side_of_the_masters_calibrated_range(name):
    from autograder.calibrate import calibrations

    for notebook in load_assignment(ROOT, name).notebooks:
        grader = load_grader(name, notebook)
        for calibration in calibrations(grader):
            low, high = calibration.master_range
            assert low <= high and calibration.margin((low, high)) > 0, calibration.item
            assert len(set(calibration.seeds)) >= 10, calibration.item
            assert any(t.item == calibration.item for t in grader.tests), calibration.item


@pytest.mark.parametrize("name", sorted({name for name in ASSIGNMENTS for mutant in load_catalogue(ROOT, name)[0]
                                         if mutant.once}))
def test_a_mutant_marked_once_costs_points_on_its_own_item_alone(name):
    """Graded to the end (``course check`` stops a mutant's question at its first lost point), a slip of a forward
    pass such as N - 1 in the variance costs that forward's tests and not the backward's too (DESIGN rule 9)."""
    found = prices(ROOT, load_assignment(ROOT, name), jobs=1, only_once=True)
    assert found and all(p.mutant.once for p in found)
    assert [(p.mutant.description, p.elsewhere) for p in found if p.elsewhere] == []
    assert all(p.lost.get(p.mutant.item, 0) > 0 for p in found)


def test_the_price_list_names_what_a_mutant_costs_elsewhere_and_flags_a_once_mutant_priced_twice():
    once = Mutant("Q1_forward", "unbiased variance", "Q1_solution", (), once=True)
    other = Mutant("Q2_model", "wrong init", "Q2_solution", ())
    found = [Price("nb", once, {"Q1_forward": 2.5, "Q1_backward": 1.0}), Price("nb", other, {"Q2_model": 1.0})]
    assert [p.ok for p in found] == [False, True] and found[0].elsewhere == {"Q1_backward": 1.0}
    text = format_prices(found)
    assert "Q1_backward 1  <- marked once" in text and "1 of 2 mutants cost points outside their own item" in text


def _breaking(rule) -> str:
    """A line of code that breaks ``rule``."""
    if rule.names:
        name = rule.names[0]
        return (f"import {name.split('.')[0]}\n" if "." in name else "") + f"broken = {name}\n"
    if rule.attributes:
        return f"broken = print.{rule.attributes[0]}\n"
    return "for broken in ():\n    pass\n"


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


def test_judge_flags_a_hollow_answer_that_scores_more_than_it_declares():
    def result(item, score):
        return TestResult(f"{item}: t", item, score, 1.0)

    hollow = Hollow("returns its input", "Q1_solution", "def f(x):\n    return x\n")
    assert "scored 1 points of Q1" in judge(hollow, [result("Q1_forward", 0.0), result("Q1_backward", 1.0)]).problem
    assert judge(hollow, [result("Q1_forward", 0.0), result("Q2_forward", 1.0)]).ok
    allowed = Hollow("right initialization only", "Q1_solution", "x = 1\n", keeps=0.5)
    assert judge(allowed, [TestResult("Q1_init: t", "Q1_init", 0.5, 0.5), result("Q1_loss", 0.0)]).ok


def test_an_edit_that_no_longer_fits_the_master_fails_loudly():
    with pytest.raises(CourseError, match="occurs 0 times"):
        apply_edits("x = 1\n", (("y = 2", "y = 3"),), "stale mutant")


def test_an_alternative_may_replace_the_whole_cell():
    assert Alternative("mine", "Q1_solution", source="def f():\n    return 1\n").apply("x = 1\n") == \
        "def f():\n    return 1\n"


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
