"""``course grade --shard K/N`` and ``course merge``: a class split by a stable hash, joined back into one gradebook."""
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.assignments import CourseError
from autograder.cli import main
from autograder.grade.shards import Shard, write_record
from autograder.merge import merge_gradebooks
from autograder.results import SubmissionResult, TestResult
from tests.conftest import ROOT



def test_a_shard_is_k_of_n_and_every_id_lands_in_exactly_one_the_same_whatever_its_case():
    assert Shard.parse("2/4") == Shard(2, 4) and str(Shard.parse(" 1 / 1 ")) == "1/1"
    for wrong in ("0/3", "4/3", "3", "a/b", "-1/2", ""):
        with pytest.raises(CourseError, match="K/N"):
            Shard.parse(wrong)
    ids = [f"student{i}@example.edu" for i in range(3000)]
    shards = [Shard(k, 3) for k in (1, 2, 3)]
    homes = [[s for s in shards if s.holds(i)] for i in ids]
    assert all(len(h) == 1 for h in homes)
    sizes = [sum(h[0] == s for h in homes) for s in shards]
    assert all(900 < size < 1100 for size in sizes), sizes  # an even split, not one shard doing all the work
    assert all(s.holds("Alice.Smith") == s.holds("alice.smith") for s in shards)


def test_the_grade_command_refuses_a_malformed_shard(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["grade", "spiral_from_scratch", str(tmp_path), "--out", str(tmp_path / "o"), "--shard", "5/4"])
    assert "1 <= K <= N" in capsys.readouterr().err


def result(student: str, score: float, graders: str = "g1", assignment: str = "spiral_from_scratch"):
    test = TestResult("Q1_forward_values", "Q1_forward", score, 2.0, "" if score == 2 else "check failed")
    return SubmissionResult(student, assignment, [test], graded_with=graders)


def shard_folder(base: Path, shard: Shard, results: list[SubmissionResult], listed: list[str] | None = None,
                 graders: str = "g1") -> Path:
    out = base / f"shard{shard.index}"
    (out / "students").mkdir(parents=True, exist_ok=True)
    for r in results:
        r.write(out / "students" / r.student)
    write_record(out, shard, "spiral_from_scratch", graders, listed if listed is not None else [r.student for r in results])
    return out


def test_merge_joins_complete_shards_into_one_gradebook(tmp_path):
    parts = [shard_folder(tmp_path, Shard(1, 2), [result("ann", 2), result("cy", 0)]),
             shard_folder(tmp_path, Shard(2, 2), [result("bo", 2)])]
    merged = merge_gradebooks(parts, tmp_path / "all")
    assert [r.student for r in merged] == ["ann", "bo", "cy"]
    rows = list(csv.DictReader((tmp_path / "all" / "grades.csv").open()))
    assert [(r["student"], r["Q1"]) for r in rows] == [("ann", "2"), ("bo", "2"), ("cy", "0")]
    assert (tmp_path / "all/students/bo/feedback.txt").is_file()
    assert merge_gradebooks(parts, tmp_path / "all")  # a merge may be run again into its own folder


@pytest.mark.parametrize("case, expected", [
    ("other graders", "different graders"),
    ("overlap", "graded in both"),
    ("missing shard", r"shard\(s\) 2/3 missing"),
    ("unfinished shard", "no result for 1 of its students"),
    ("two splits", "different ways"),
    ("one shard twice", "appears twice"),
    ("other assignment", "different assignments"),
    ("not a grade folder", "not an output folder"),
])
def test_merge_refuses_shards_that_are_not_one_batch(tmp_path, case, expected):
    one = shard_folder(tmp_path, Shard(1, 3), [result("ann", 2)])
    parts = {
        "other graders": lambda: [one, shard_folder(tmp_path, Shard(2, 3), [result("bo", 2, "g2")], graders="g2"),
                                  shard_folder(tmp_path, Shard(3, 3), [])],
        "overlap": lambda: [one, shard_folder(tmp_path, Shard(2, 3), [result("ann", 0)]),
                            shard_folder(tmp_path, Shard(3, 3), [])],
        "missing shard": lambda: [one, shard_folder(tmp_path, Shard(3, 3), [result("cy", 2)])],
        "unfinished shard": lambda: [one, shard_folder(tmp_path, Shard(2, 3), [result("bo", 2)], ["bo", "dee"]),
                                     shard_folder(tmp_path, Shard(3, 3), [])],
        "two splits": lambda: [one, shard_folder(tmp_path, Shard(2, 2), [result("bo", 2)])],
        "one shard twice": lambda: [one, shard_folder(tmp_path / "again", Shard(1, 3), [result("bo", 2)])],
        "other assignment": lambda: [one, shard_folder(tmp_path, Shard(2, 3), [result("bo", 2, assignment="dropout")]),
                                     shard_folder(tmp_path, Shard(3, 3), [])],
        "not a grade folder": lambda: [one, tmp_path],
    }[case]()
    with pytest.raises(CourseError, match=expected):
        merge_gradebooks(parts, tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_merge_never_writes_into_a_folder_it_did_not_make(tmp_path):
    part = shard_folder(tmp_path, Shard(1, 1), [result("ann", 2)])
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(CourseError, match="not empty"):
        merge_gradebooks([part], tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_three_shards_side_by_side_merge_into_exactly_the_gradebook_of_one_run(tmp_path):
    """A class of four (the master, the blank release, a file that is not JSON, a folder): three ``course grade
    --shard K/3`` processes at once, then ``course merge``; every score and message equals one unsharded run's
    (dropout: the quickest master to grade, which each shard does once)."""
    students = tmp_path / "class"
    students.mkdir()
    shutil.copy(ROOT / "source/dropout/dropout.ipynb", students / "ana.ipynb")  # shard 2
    shutil.copy(ROOT / "release/dropout/dropout.ipynb", students / "ben.ipynb")  # shard 3
    (students / "fay.ipynb").write_text("{ not json")  # shard 1
    (students / "ivy").mkdir()  # shard 3
    shutil.copy(ROOT / "source/dropout/dropout.ipynb", students / "ivy" / "mine.ipynb")
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "autograder.cli", "grade", "dropout", str(students), "--class-folder"]
    shards = [subprocess.Popen([*command, "--out", str(tmp_path / f"shard{k}"), "--shard", f"{k}/3"], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for k in (1, 2, 3)]
    single = subprocess.run([*command, "--out", str(tmp_path / "single")], env=environment, capture_output=True)
    outputs = [shard.communicate()[0].decode() for shard in shards]
    assert single.returncode == 0 and all(s.returncode == 0 for s in shards), outputs
    assert [json.loads((tmp_path / f"shard{k}/shard.json").read_text())["students"] for k in (1, 2, 3)] == \
        [["fay"], ["ana"], ["ben", "ivy"]]
    assert main(["merge", *(str(tmp_path / f"shard{k}") for k in (1, 2, 3)), "--out", str(tmp_path / "merged")]) == 0

    def gradebook(folder: Path) -> list[dict]:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader((folder / "grades.csv").open())]

    def tests(folder: Path, student: str) -> list[tuple]:
        data = json.loads((folder / "students" / student / "results.json").read_text())
        return [(t["name"], t["score"], t["output"]) for t in data["tests"]] + [data["extra_data"]["graded_with"]]

    assert gradebook(tmp_path / "merged") == gradebook(tmp_path / "single")
    assert [r["auto_score"] for r in gradebook(tmp_path / "merged")] == ["8", "0", "0", "8"]
    for student in ("ana", "ben", "fay", "ivy"):
        assert tests(tmp_path / "merged", student) == tests(tmp_path / "single", student)
