import json

import pytest

from autograder.cli import main


def test_list_json_reports_points_per_question(capsys):
    assert main(["list", "--json"]) == 0
    listing = {a["name"]: a for a in json.loads(capsys.readouterr().out)}
    spiral = listing["spiral_from_scratch"]
    assert spiral["auto_points"] + spiral["manual_points"] == 100
    cells = spiral["notebooks"][0]["cells"]
    per_question = {}
    for cell in cells:
        per_question[cell["question"]] = per_question.get(cell["question"], 0) + cell["points"]
    assert per_question == {"Q1": 10, "Q2": 10, "Q3": 10, "Q4": 10, "Q5": 10, "Q6": 25, "Q7": 25}
    assert all(c["grade_id"].startswith(c["question"] + "_") for c in cells)


def test_unknown_assignment_is_a_clear_error(capsys):
    assert main(["list", "no_such_assignment"]) == 2
    assert "unknown assignment 'no_such_assignment'" in capsys.readouterr().err


def test_command_is_required():
    with pytest.raises(SystemExit):
        main([])
