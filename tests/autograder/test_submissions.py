"""Reading submissions: links are never followed, odd files and odd notebooks give a reason, never a crash;
outputs are stepped over, never decoded, and only what is graded counts against the size limits."""
import base64
import hashlib
import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest

from autograder.notebook import grade_id, is_code_answer, source
from autograder.submissions import (MAX_CELL_CHARS, MAX_FILE_BYTES, Answers, Unreadable, parse_answers,
                                    read_answers, read_submission)

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
            stream.truncate(MAX_FILE_BYTES + 1)  # sparse: refused by its size, before a byte is read
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


# ------------------------------------------------------------------ the walk over the JSON, and what it skips
ROOT = Path(__file__).resolve().parents[2]
MASTERS = sorted((ROOT / "source").glob("*/*.ipynb"))


def reference_answers(document: dict) -> dict[str, str]:
    """What a full parse of the notebook (Python's json) finds: the first code answer cell of each grade id."""
    found: dict[str, str] = {}
    for cell in document["cells"]:
        if is_code_answer(cell):
            found.setdefault(grade_id(cell), source(cell))
    return found


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_every_master_reads_as_a_full_json_parse_does(master):
    document = json.loads(master.read_text())
    assert parse_answers(master.read_bytes()).cells == reference_answers(document)
    # the same notebook written otherwise: keys in reverse order, sources as one string, escaped text, a BOM
    for cell in document["cells"]:
        cell["source"] = source(cell)
        cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                            "text": ["]}\"{[", "\u00e9\n", "a run of backslashes " + "\\" * 9]}]
        for key in list(cell)[::-1]:
            cell[key] = cell.pop(key)
    rewritten = b"\xef\xbb\xbf" + json.dumps(document, ensure_ascii=True, indent=3).encode()
    assert parse_answers(rewritten).cells == reference_answers(document)


def image_outputs(megabytes: int) -> list[dict]:
    """Plots: ``megabytes`` of PNG data in outputs of one cell, as Jupyter writes them (one base64 string each),
    and a printed log of a thousand lines."""
    png = base64.b64encode(os.urandom(3 * 2**18)).decode() + "\n"  # 1 MB of base64
    log = {"output_type": "stream", "name": "stdout", "text": [f"epoch {i}: loss {1 / (i + 1):.4f}\n"
                                                               for i in range(1000)]}
    plot = {"output_type": "display_data", "metadata": {}, "data": {"image/png": png, "text/plain": ["<Figure>"]}}
    return [log, *(dict(plot) for _ in range(megabytes))]


def test_a_notebook_large_only_by_its_outputs_is_read_by_its_cells_without_decoding_them(tmp_path):
    master = ROOT / "source/spiral_from_scratch/spiral_from_scratch.ipynb"
    document = json.loads(master.read_text())
    for cell in document["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
    document["cells"][-1]["outputs"] = image_outputs(80)
    path = tmp_path / "plots.ipynb"
    path.write_text(json.dumps(document))
    assert path.stat().st_size > 80 * 2**20
    tracemalloc.start()
    start = time.perf_counter()
    answers = read_answers(path, tmp_path, {"Q1_solution", "Q4_solution"})
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    expected = reference_answers(json.loads(master.read_text()))
    assert answers.cells == {k: expected[k] for k in ("Q1_solution", "Q4_solution")} and not answers.unreadable
    assert answers.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert peak < path.stat().st_size + 16 * 2**20  # the file's bytes, once, and little more
    assert seconds < 20


def test_only_wanted_answer_cells_are_kept_and_only_oversized_ones_cost():
    cells = [answer(f"Q9_{i}", "x = 1") for i in range(5_000)]  # ids the grader does not know
    cells += [answer("Q1_solution", "y = 2"), answer("Q2_solution", "# " + "z" * 20 * MAX_CELL_CHARS),
              answer("Q3_solution", ["w = 3\n"] * (MAX_CELL_CHARS // 6 + 1))]
    answers = parse_answers(notebook(*cells), {"Q1_solution", "Q2_solution", "Q3_solution"})
    assert answers.cells == {"Q1_solution": "y = 2"}
    assert set(answers.problems) == {"Q2_solution", "Q3_solution"}
    assert all("longer than 256 KB" in p for p in answers.problems.values())


@pytest.mark.parametrize("text", [
    '{"cells": [], "nbformat": 4',  # cut short
    '{"cells": [{"outputs": [{"text": "open]"}, "source": "x"}]}',  # brackets do not match
    '{"cells": [{"outputs": ["never closed], "source": "x"}]}',  # a string that never ends
    '{"cells": [{"outputs": ' + "[" * 2000 + "]" * 2000 + "}]}",  # nested deeper than anyone writes
    '{"cells": []} trailing',
    '{"cells": [], "nbformat": four}',
])
def test_a_broken_structure_anywhere_makes_the_file_unreadable(text):
    with pytest.raises(Unreadable, match="not valid notebook JSON"):
        parse_answers(text)


def test_a_file_of_countless_tiny_values_is_refused_in_bounded_time(monkeypatch):
    monkeypatch.setattr("autograder.submissions.MAX_STEPS", 1000)
    with pytest.raises(Unreadable, match="more than"):
        parse_answers('{"cells": [' + "[[]], " * 2000 + "[]]}")
    assert parse_answers('{"cells": [' + "[[]], " * 100 + "[]]}").cells == {}


def test_an_answer_cell_whose_own_json_is_broken_costs_that_cell_only():
    text = notebook(answer("Q1_solution", "ok = 1"), answer("Q2_solution", "placeholder"))
    text = text.replace('"placeholder"', '["a" "b"]')  # two strings with no comma: the brackets still match
    answers = parse_answers(text)
    assert answers.cells == {"Q1_solution": "ok = 1"} and "Q2_solution" in answers.problems


def test_reading_never_raises_and_says_why(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{ not json")
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "broken.ipynb")
    broken = read_answers(tmp_path / "broken.ipynb", tmp_path)
    assert broken.unreadable == "your notebook could not be read: the file is not valid notebook JSON"
    assert broken.sha256 == hashlib.sha256(b"{ not json").hexdigest()  # a changed file is graded again
    assert "symbolic link" in read_answers(tmp_path / "link.ipynb", tmp_path).unreadable
    assert "could not be opened" in read_answers(tmp_path / "missing.ipynb", tmp_path).unreadable


def test_answers_are_cut_down_to_what_a_question_loads():
    answers = Answers({"Q1_solution": "a", "Q2_solution": "b"}, {"Q3_solution": "why"}, "", "abc")
    assert answers.only({"Q2_solution", "Q3_solution"}) == Answers({"Q2_solution": "b"}, {"Q3_solution": "why"},
                                                                   "", "abc")
