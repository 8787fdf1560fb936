"""Reading submissions: links are never followed, odd files and odd notebooks give a reason, never a crash."""
import json
import os

import pytest

from autograder.submissions import MAX_CELL_CHARS, MAX_NOTEBOOK_BYTES, Unreadable, parse_answers, read_submission

ROOTED = os.geteuid() == 0


def notebook(*cells) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def answer(grade_id, source, cell_type="code"):
    return {"cell_type": cell_type, "source": source, "metadata": {"nbgrader": {"solution": True,
                                                                                "grade_id": grade_id}}}


def test_answers_are_read_by_grade_id_and_everything_else_is_ignored():
    text = notebook(answer("Q1_solution", ["x = 1\n", "y = 2"]), answer("Q6_explanation", "words", "markdown"),
                    {"cell_type": "code", "source": "z = 3", "metadata": {}}, "not even a dict",
                    {"cell_type": "code", "metadata": {"nbgrader": "odd"}})
    answers = parse_answers(text)
    assert answers.cells == {"Q1_solution": "x = 1\ny = 2"} and answers.problems == {}


@pytest.mark.parametrize("text", ["{ nope", "[]", '{"cells": 3}', b"\xff\xfe", "[" * 100_000 + "]" * 100_000])
def test_files_that_are_not_notebooks_give_one_clear_reason(text):
    with pytest.raises(Unreadable):
        parse_answers(text)


@pytest.mark.parametrize("source, problem", [
    (["x = 1\n", 5], "does not hold text"),
    ({"a": 1}, "does not hold text"),
    ("x = '\ud800'", "not valid Unicode"),
    ("x = 1\n" * (MAX_CELL_CHARS // 6 + 1), "longer than"),
])
def test_a_cell_that_cannot_be_run_gets_a_reason_and_the_others_are_kept(source, problem):
    answers = parse_answers(notebook(answer("Q1_solution", source), answer("Q2_solution", "ok = True")))
    assert answers.cells == {"Q2_solution": "ok = True"}
    assert problem in answers.problems["Q1_solution"]


def test_a_plain_file_is_read(tmp_path):
    (tmp_path / "alice.ipynb").write_text("{}")
    assert read_submission(tmp_path / "alice.ipynb") == b"{}"


@pytest.mark.parametrize("kind", ["file link", "folder link", "hard link", "fifo", "folder", "huge", "outside"])
def test_links_and_odd_files_are_refused_with_a_reason(tmp_path, kind):
    secret = tmp_path / "master.ipynb"
    secret.write_text('{"cells": []}')
    submissions = tmp_path / "submissions"
    (submissions / "real").mkdir(parents=True)
    target = submissions / "bob" / "spiral.ipynb"
    if kind == "file link":
        target.parent.mkdir()
        target.symlink_to(secret)
    elif kind == "folder link":
        (submissions / "bob").symlink_to(tmp_path)
        target = submissions / "bob" / "master.ipynb"
    elif kind == "hard link":
        target.parent.mkdir()
        os.link(secret, target)
    elif kind == "fifo":
        target.parent.mkdir()
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir(parents=True)
    elif kind == "huge":
        target.parent.mkdir()
        with target.open("wb") as stream:
            stream.truncate(MAX_NOTEBOOK_BYTES + 1)
    else:
        target = secret
    with pytest.raises(Unreadable) as refused:
        read_submission(target, submissions)
    expected = {"file link": "symbolic link", "folder link": "symbolic link", "hard link": "hard link",
                "fifo": "not a regular file", "folder": "not a regular file", "huge": "larger than",
                "outside": "outside"}[kind]
    assert expected in str(refused.value)


@pytest.mark.skipif(not ROOTED, reason="reading with the owner's rights needs root")
def test_as_root_a_file_is_read_with_the_rights_of_its_folder_owner(tmp_path):
    folder = tmp_path / "carol"
    folder.mkdir()
    os.chown(folder, 60123, 60123)
    os.chmod(tmp_path, 0o755)
    mine = folder / "spiral.ipynb"
    mine.write_text("{}")
    os.chown(mine, 60123, 60123)
    assert read_submission(mine, tmp_path) == b"{}"
    os.chown(mine, 0, 0)
    os.chmod(mine, 0o600)  # a file the student could not read: neither can the grader, on their behalf
    with pytest.raises(Unreadable, match="Permission denied"):
        read_submission(mine, tmp_path)
