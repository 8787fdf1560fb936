"""What every hidden grader must do: write its failure messages as literal templates (``expect``, ``award``,
``Failure``).

Next to reference cells, the kit shows a message only if its template is a literal of the grader (see
``autograder.messages``); an f-string there would be withheld, so it is refused here, where a grader author sees it.
"""
import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

GRADERS = sorted(p for p in (ROOT / "autograder" / "graders").iterdir() if (p / "__init__.py").is_file())


def _message_argument(call: ast.Call) -> ast.AST | None:
    function = call.func
    if isinstance(function, ast.Attribute) and function.attr in ("expect", "award") and len(call.args) > 1:
        return call.args[1]
    if isinstance(function, ast.Name) and function.id == "Failure" and call.args:
        return call.args[0]
    return None


@pytest.mark.parametrize("package", GRADERS, ids=lambda p: p.name)
def test_every_failure_message_is_a_literal_template(package: Path):
    calls = [(path, node) for path in sorted(package.glob("*.py")) for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) and _message_argument(node) is not None]
    assert calls
    for path, call in calls:
        message = _message_argument(call)
        literal = isinstance(message, ast.Constant) and isinstance(message.value, str) or (
            isinstance(message, ast.IfExp) and all(isinstance(side, ast.Constant) for side in (message.body,
                                                                                               message.orelse)))
        assert literal, f"{path.name}:{call.lineno}: the message is not a literal template"
