"""Files handed in next to a notebook (the PyTorch challenge's trained weights): read from the student's own
folder under their size limits, given to the tests that declare them, and graded without running any code they
might hold; the challenge's accuracy becomes part of the points and a leaderboard value."""
import os

import numpy as np
import pytest
import torch

from autograder.assignments import load_assignment
from autograder.engine import grade_answers
from autograder.grade import discover, read
from autograder.results import SubmissionResult, gradebook_csv
from autograder.submissions import Answers, read_files
from autograder.workers import Grading
from tests.conftest import ROOT

NAME = "pytorch_cifar10"
WEIGHTS = "challenge_model.pt"
MASTER_WEIGHTS = ROOT / "autograder" / "graders" / NAME / "master_challenge_model.pt"


def test_declared_files_are_read_from_the_students_folder_only_under_their_limits(tmp_path):
    classroom = tmp_path / "class"
    for student in ("ada", "bo", "cy"):
        (classroom / student).mkdir(parents=True)
        (classroom / student / f"{NAME}.ipynb").write_bytes((ROOT / "release" / NAME / f"{NAME}.ipynb").read_bytes())
    (classroom / "ada" / WEIGHTS).write_bytes(b"PK weights")
    (classroom / "bo" / WEIGHTS).write_bytes(b"x" * 2000)
    os.symlink(classroom / "ada" / WEIGHTS, classroom / "cy" / WEIGHTS)
    (classroom / "dee.ipynb").write_bytes((ROOT / "release" / NAME / f"{NAME}.ipynb").read_bytes())
    (classroom / WEIGHTS).write_bytes(b"next to a lone notebook: nobody's")
    assignment = load_assignment(ROOT, NAME)
    students = discover(assignment, [classroom], class_folders=True)
    limits = {NAME: {WEIGHTS: 1000}}
    answers = {student: read(submission, {NAME: {"Q6_solution"}}, limits)[NAME]
               for student, submission in students.items()}
    assert answers["ada"].files == {WEIGHTS: b"PK weights"} and not answers["ada"].file_problems
    assert not answers["bo"].files and "larger than 1,000 bytes" in answers["bo"].file_problems[WEIGHTS]
    assert not answers["cy"].files and "symbolic link" in answers["cy"].file_problems[WEIGHTS]
    assert not answers["dee"].files and not answers["dee"].file_problems
    # what a result was graded from includes the files: new weights are a new submission
    assert answers["ada"].files_sha256 != answers["bo"].files_sha256
    assert read_files(tmp_path, {"absent.pt": 10}, tmp_path) == ({}, {})


@pytest.fixture(scope="module")
def challenge():
    """The Q6 tests of the master's cells with a given weights file (None: none handed in)."""
    with Grading(ROOT, NAME) as grading:
        grader = grading.graders[NAME]

        def grade(data: bytes | None, problem: str | None = None):
            answers = Answers(dict(grader.master_cells), files={WEIGHTS: data} if data is not None else {},
                              file_problems={WEIGHTS: problem} if problem else {})
            return grade_answers(grader, answers, grading.sandboxes[NAME], grading.references[NAME],
                                 questions={"Q6"})

        yield grade


def _saved(tmp_path, state) -> bytes:
    torch.save(state, tmp_path / WEIGHTS)
    return (tmp_path / WEIGHTS).read_bytes()


def test_the_masters_weights_score_every_point_and_give_a_leaderboard_value(challenge):
    results = challenge(MASTER_WEIGHTS.read_bytes())
    assert [(t.score, t.max_score) for t in results] == [(1, 1), (4, 4)]
    result = SubmissionResult("ada", NAME, results)
    (entry,) = result.to_gradescope()["leaderboard"]
    assert entry["name"] == "challenge accuracy" and entry["order"] == "desc" and 0.8 < entry["value"] < 0.9
    assert SubmissionResult.from_gradescope(result.to_gradescope()).leaderboard == result.leaderboard
    header, row = gradebook_csv([result], ["Q6"]).splitlines()
    assert header.endswith('"challenge accuracy"') and row.endswith(f'"{entry["value"]:.4g}"')


def test_weights_between_the_floor_and_the_target_earn_part_of_the_accuracys_points(challenge, tmp_path):
    loads, accuracy = challenge(_silenced_weights(tmp_path))
    assert loads.score == 1 and 0 < accuracy.score < 4 and accuracy.score * 2 == int(accuracy.score * 2)
    assert "none below 0.40" in accuracy.message and "all points from 0.75" in accuracy.message


def test_weights_of_another_network_cost_the_challenge_with_a_reason(challenge, tmp_path):
    results = challenge(_saved(tmp_path, torch.nn.Linear(3 * 32 * 32, 10).state_dict()))
    assert [t.score for t in results] == [0, 0]
    assert all("does not load into challenge_model()" in t.message for t in results)


class _Payload:
    """Unpickled in full, this would create a folder: the mark that code in a weights file ran."""

    def __init__(self, mark: str) -> None:
        self.mark = mark

    def __reduce__(self):
        return (os.mkdir, (self.mark,))


def test_a_weights_file_that_carries_code_is_refused_and_the_code_never_runs(challenge, tmp_path):
    mark = tmp_path / "the payload ran"
    state = torch.load(MASTER_WEIGHTS, weights_only=True)
    results = challenge(_saved(tmp_path, {**state, "extra": _Payload(str(mark))}))
    assert [t.score for t in results] == [0, 0] and not mark.exists()
    assert all("does not load into challenge_model()" in t.message for t in results)


def test_a_missing_unreadable_or_foreign_file_costs_the_challenge_with_a_reason(challenge):
    missing = challenge(None)
    assert [t.score for t in missing] == [0, 0]
    assert all("no challenge_model.pt was handed in next to your notebook" in t.message for t in missing)
    unreadable = challenge(None, "challenge_model.pt could not be read: the file is larger than 50 MB")
    assert all("hand in a plain file (not a link) of at most 50 MB" in t.message for t in unreadable)
    foreign = challenge(np.arange(100, dtype=np.uint8).tobytes())
    assert all("not a file that torch.save writes" in t.message for t in foreign)


def test_weights_without_a_tensor_earn_nothing_even_for_a_network_without_parameters(challenge, tmp_path):
    results = challenge(_saved(tmp_path, {}))
    assert [t.score for t in results] == [0, 0] and all("holds no tensor" in t.message for t in results)


def test_a_simulated_class_hands_in_the_masters_weights_beside_each_notebook(tmp_path):
    from autograder.check.students import simulated_class

    names = simulated_class(ROOT, load_assignment(ROOT, NAME), tmp_path, size=4)
    for name in names[:-1]:  # the last one hands in a broken notebook
        assert (tmp_path / name / WEIGHTS).read_bytes() == MASTER_WEIGHTS.read_bytes()
        assert (tmp_path / name / f"{NAME}.ipynb").is_file()


def test_an_instructor_running_the_grader_with_pytest_sees_the_part_of_the_points_awarded(tmp_path):
    import subprocess
    import sys

    (tmp_path / f"{NAME}.ipynb").write_bytes((ROOT / "source" / NAME / f"{NAME}.ipynb").read_bytes())
    (tmp_path / WEIGHTS).write_bytes(_silenced_weights(tmp_path))
    run = subprocess.run([sys.executable, "-m", "pytest", f"autograder/graders/{NAME}", "-p", "no:cacheprovider",
                          "-k", "Q6", "--submission", str(tmp_path / f"{NAME}.ipynb")], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    line = next(line for line in run.stdout.splitlines() if line.strip().startswith("Q6_challenge"))
    got = float(line.split()[1])
    assert 1 < got < 5, run.stdout[-2000:]  # the weights load (1) and earn part of the accuracy's 4


def _silenced_weights(tmp_path) -> bytes:
    """The master's weights with four classes never predicted: about 60% of its accuracy."""
    state = torch.load(MASTER_WEIGHTS, weights_only=True)
    last = next(key for key, value in state.items() if value.dim() == 2)  # the final linear layer's weight
    state[last][:4] = 0.0
    state[last.replace("weight", "bias")][:4] = -100.0
    return _saved(tmp_path, state)
