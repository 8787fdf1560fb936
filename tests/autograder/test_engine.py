"""The engine: reading answer cells, fitting graders to notebooks, and what a student is told."""
import dataclasses

import pytest

from autograder.assignments import CourseError, load_assignment
from autograder.engine import load_grader
from autograder.sandbox import CellFailed, StudentException
from tests.conftest import ROOT

NOTEBOOK = "spiral_from_scratch"


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


def test_a_student_sees_of_an_exception_only_a_common_builtin_type():
    leaky = StudentException({"type": "ValueError", "message": "def forward(self, z): return secret",
                              "where": "Q1_solution, line 3"})
    assert "secret" in str(leaky)  # for the instructor's eyes
    assert leaky.describe() == "your code raised ValueError"
    forged = StudentException({"type": "LeakedSourceOfInstanceNorm", "message": "", "where": "line 2 and more"})
    assert forged.describe() == "your code raised an exception"
    own = CellFailed("Q6_solution", {"type": "SyntaxError", "message": "x", "where": "Q6_solution, line 4"})
    assert own.describe() == "running the cell Q6_solution raised SyntaxError"


def test_the_child_of_a_test_runs_the_runtime_part_of_its_cells_rules_first(spiral_notebook):
    grader = load_grader(NOTEBOOK, spiral_notebook)
    test = next(t for t in grader.tests if t.cells == ("Q1_solution",))
    cells = grader.cells_for(test, grader.master_cells)
    assert cells[0] == ("rule_0", "torch.set_grad_enabled(False)") and [n for n, _ in cells[1:]] == ["Q1_solution"]


def test_the_graders_settings_are_assigned_after_the_rules_and_before_the_cells(spiral_notebook):
    from autograder.engine import probe_key
    from autograder.graders.spiral_from_scratch.q7_experiments import q7_runs

    grader = load_grader(NOTEBOOK, spiral_notebook)
    test = next(t for t in grader.tests if t.cells == ("Q7_experiment_code",))
    names = [name for name, _ in grader.cells_for(test, grader.master_cells)]
    assert names[:2] == ["rule_0", "grader_settings"] and names[-1] == "Q7_experiment_code"
    assert dict(grader.cells_for(test, grader.master_cells))["grader_settings"] == "COMPARE_EPOCHS = 50"
    # the master's reference values are computed, and cached, under the same settings
    assert "COMPARE_EPOCHS = 50" in probe_key(q7_runs, test)
    assert probe_key(q7_runs, test) != probe_key(q7_runs, dataclasses.replace(test, settings=()))


def test_a_bug_in_a_hidden_test_costs_that_test_not_the_batch(spiral_notebook, monkeypatch):
    from autograder.engine import GRADER_PROBLEM, References, run_test

    grader = load_grader(NOTEBOOK, spiral_notebook)
    test = grader.tests[0]

    def broken(kit):
        return len(5)

    monkeypatch.setattr(test.node, "obj", broken)
    result = run_test(grader, test, grader.master_cells, sandbox=None, references=References(grader))
    assert result.score == 0 and result.message.startswith(f"{GRADER_PROBLEM}: TypeError")


def test_restrictions_the_sandbox_could_not_apply_are_reported(spiral_notebook):
    from types import SimpleNamespace

    from autograder.engine import SANDBOX_NOTE, References, grade_notebook

    grader = load_grader(NOTEBOOK, spiral_notebook)
    weak = SimpleNamespace(notes={"course folders not hidden (unshare: Operation not permitted)"})
    result = grade_notebook(grader, None, "lee", weak, References(grader))
    assert f"{SANDBOX_NOTE}course folders not hidden (unshare: Operation not permitted)" in result.notes
    assert result.score == 0 and "no spiral_from_scratch.ipynb found" in result.tests[0].message


def test_one_students_submission_that_breaks_the_grader_costs_that_student_only(spiral_notebook, monkeypatch,
                                                                                tmp_path):
    from types import SimpleNamespace

    from autograder import engine
    from autograder.engine import GRADER_PROBLEM, References, grade_notebook

    def broken(path, folder=None, wanted=None):
        raise MemoryError("the parser ran out of memory")

    grader = load_grader(NOTEBOOK, spiral_notebook)
    path = tmp_path / "x.ipynb"
    path.write_text("{}")
    monkeypatch.setattr(engine, "read_answers", broken)
    result = grade_notebook(grader, path, "xena", SimpleNamespace(notes=set()), References(grader))
    assert len(result.tests) == len(grader.tests) and result.score == 0
    assert all(t.message == f"{GRADER_PROBLEM}: this submission could not be graded (MemoryError)"
               for t in result.tests)


def test_setup_cells_must_be_exactly_what_the_release_shows(tmp_path):
    import shutil

    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder / NOTEBOOK, tmp_path / folder / NOTEBOOK)
    released = tmp_path / "release" / NOTEBOOK / f"{NOTEBOOK}.ipynb"
    (notebook,) = load_assignment(tmp_path, NOTEBOOK).notebooks
    load_grader(NOTEBOOK, notebook)
    released.write_text(released.read_text().replace("import numpy as np", "import numpy as numpy_", 1))
    with pytest.raises(CourseError, match="setup cell given_imports is not the release's"):
        load_grader(NOTEBOOK, notebook)


CHECK_APART = """
import json, sys
from autograder.engine import _rule_check, _rule_check_here, check_rules_apart
from autograder.rules import Rule
rule = Rule("no built-in batch norm", names=("torch.nn.functional.batch_norm", "torch.nn.BatchNorm1d"))
context = ("import torch\\nimport matplotlib.pyplot as plt",)
checks = [("import torch.nn.functional as G\\ndef f(x):\\n    return G.batch_norm(x, None, None, training=True)\\n",
           (rule,), context),
          ("def f(x):\\n    return plt.np.mean(x)\\n", (rule,), context),
          ("layer = getattr(torch.nn, 'BatchNorm1d')(3)\\n", (rule,), context)]
if sys.argv[1] == "apart":
    check_rules_apart(checks)
    found = [_rule_check(*check) for check in checks]
    print(json.dumps({"found": found, "loaded": [m for m in ("torch", "matplotlib") if m in sys.modules]}))
else:
    print(json.dumps({"found": [_rule_check_here(*check) for check in checks], "loaded": []}))
"""


def test_rule_checks_made_in_a_forked_process_agree_and_leave_the_grader_without_torch():
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    def run(mode: str) -> dict:
        done = subprocess.run([sys.executable, "-c", CHECK_APART, mode], cwd=ROOT, capture_output=True, text=True,
                              check=True)
        return json.loads(done.stdout)

    apart, here = run("apart"), run("here")
    assert apart["found"] == here["found"] and apart["loaded"] == []
    assert here["found"][0] and not here["found"][1] and here["found"][2]  # broken, kept, broken
