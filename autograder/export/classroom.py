"""A Gradescope ``results.json`` told to GitHub Classroom: a job summary, the reporter's input and one line.

    python -m autograder.export.classroom RESULTS_JSON [--summary FILE] [--output FILE]

appends a Markdown summary to ``FILE`` (default ``$GITHUB_STEP_SUMMARY``), a line ``result=<base64 JSON>`` to
``FILE`` (default ``$GITHUB_OUTPUT``) and prints the score; it exits 0 whatever the file holds. Missing, not
JSON or without a test worth points, the results give a summary that says grading failed and a result of 0.

The result is what the runners of GitHub Classroom's autograding actions (``autograding-command-grader``,
``autograding-python-grader``) write as their ``result`` output: base64 of ``{"version", "status": "pass",
"fail" or "error", "max_score", "tests": [{"name", "status", "score", "message", "line_no"}]}``.
``classroom-resources/autograding-grading-reporter@v1`` reads it from ``<STEP_ID>_RESULTS``, prints each test's
name to the log and announces the sum of the tests' scores over ``max_score`` in the annotation Classroom
records (none when ``max_score`` is 0); a status other than "pass" fails its step. ``line_no`` is 0 so that the
log does not print a line number.

Only the scores, and the names and messages of the tests marked visible, leave results.json; the tests that
are not visible are counted in one line. Nothing else is used (not ``extra_data``, not the top-level ``output``
with its notes).
"""
from __future__ import annotations

import argparse
import base64
import html
import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

FAILED = "The autograder could not grade this submission ({reason}). This is not a score for your work: " \
         "please tell your instructor."
MESSAGE_CHARS = 1000  # a longer message is cut, in the summary and in the result
RESULT_CHARS = 64 * 1024  # longer, the result goes without messages: the reporter gets its base64 in one
#                           environment variable, and Linux refuses one over 128 KiB


class Unreadable(Exception):
    """results.json cannot be reported; the message says why in words a student can read."""


@dataclass(frozen=True)
class Test:
    """What the report uses of one test of results.json."""

    name: str
    score: float
    max_score: float
    message: str
    visible: bool

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    @property
    def question(self) -> str:
        """The course names a test ``<item>: <title>``, and the question is the item's part before its ``_``."""
        return self.name.split(": ", 1)[0].split("_", 1)[0]


def read_tests(path: Path) -> list[Test]:
    """The tests of the results.json at ``path``, scores rounded to hundredths; raises ``Unreadable``."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise Unreadable("it wrote no results") from None
    except (OSError, ValueError, RecursionError):
        raise Unreadable("its results could not be read") from None
    try:
        default = data.get("visibility", "visible")
        return [Test(str(t.get("name", "")), _points(t["score"]), _points(t.get("max_score", 0)),
                     _cut(str(t.get("output") or "")), t.get("visibility", default) == "visible")
                for t in data["tests"]]
    except (AttributeError, KeyError, TypeError, ValueError):
        raise Unreadable("its results could not be read") from None


def _points(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"not a score: {value!r}")
    return round(float(value), 2)


def _cut(text: str) -> str:
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 1] + "…"


def _total(values: list[float]) -> float:
    return round(sum(values), 2)


def summary(tests: list[Test]) -> str:
    """The job summary: the score, points per question and each visible test; the others in one line."""
    shown = [t for t in tests if t.visible]
    hidden = [t for t in tests if not t.visible]
    score, best = _total([t.score for t in tests]), _total([t.max_score for t in tests])
    lines = [f"## Autograder: {score:g} / {best:g} points", ""]
    questions: dict[str, list[Test]] = {}
    for t in shown:
        if t.max_score:
            questions.setdefault(t.question, []).append(t)
    if questions:
        lines += ["| Question | Points |", "| --- | ---: |"]
        lines += [f"| {_cell(q)} | {_total([t.score for t in ts]):g} / {_total([t.max_score for t in ts]):g} |"
                  for q, ts in questions.items()]
        lines.append("")
    lines += _table(shown)
    if hidden:
        lines += [f"{len(hidden)} more test{'s' * (len(hidden) != 1)} count in the score but are not shown here: "
                  f"{_total([t.score for t in hidden]):g} / {_total([t.max_score for t in hidden]):g} points.", ""]
    return "\n".join(lines)


def _table(tests: list[Test]) -> list[str]:
    """Markdown lines of a table of ``tests``: passed or not, name, points, message."""
    if not tests:
        return []
    lines = ["| | Test | Points | Feedback |", "| :-: | --- | ---: | --- |"]
    for t in tests:
        mark, points = ("ℹ️", "no points") if not t.max_score else \
            ("✅" if t.passed else "❌", f"{t.score:g} / {t.max_score:g}")
        lines.append(f"| {mark} | {_cell(t.name)} | {points} | {_cell(t.message)} |")
    return lines + [""]


def _cell(text: str) -> str:
    """``text`` as one Markdown table cell: no HTML of its own, no column break, lines joined by ``<br>``."""
    return "<br>".join(html.escape(text, quote=False).replace("|", "\\|").splitlines())


def result(tests: list[Test]) -> dict:
    """The reporter's result: the visible tests one by one, the others as one test, whose scores add up. Tests of
    no points are left to the summary: the reporter's log scores a runner by the share of its tests that pass."""
    shown = [t for t in tests if t.visible and t.max_score]
    hidden = [t for t in tests if not t.visible and t.max_score]
    entries = [_entry(t.name, t.passed, t.score, t.message) for t in shown]
    if hidden:
        entries.append(_entry(f"{len(hidden)} more test{'s' * (len(hidden) != 1)}, not shown here",
                              all(t.passed for t in hidden), _total([t.score for t in hidden]), ""))
    payload = {"version": 1, "status": "pass" if all(t.passed for t in tests) else "fail",
               "max_score": _total([t.max_score for t in tests]), "tests": entries}
    if len(json.dumps(payload)) > RESULT_CHARS:
        for entry in entries:
            entry["message"] = ""
    return payload


def _entry(name: str, passed: bool, score: float, message: str) -> dict:
    return {"name": name, "status": "pass" if passed else "fail", "score": score, "message": message,
            "line_no": 0}


def failure(reason: str, tests: list[Test]) -> tuple[str, dict, str]:
    """``report`` of a submission that could not be graded: an error of 0 points. The summary shows the visible
    ``tests`` there are (what was found in the submission, say)."""
    text = FAILED.format(reason=reason)
    lines = ["## Autograder: grading failed", "", _cell(text), "", *_table([t for t in tests if t.visible])]
    payload = {"version": 1, "status": "error", "max_score": 0,
               "tests": [{"name": "Autograder", "status": "error", "score": 0, "message": text, "line_no": 0}]}
    return "\n".join(lines), payload, f"Autograder: grading failed ({reason}); score 0"


def report(path: Path) -> tuple[str, dict, str]:
    """(job summary, reporter's result, line for the log) for the results.json at ``path``."""
    try:
        tests = read_tests(path)
    except Unreadable as exc:
        return failure(str(exc), [])
    if not sum(t.max_score for t in tests):
        return failure("no test worth points was run", tests)
    payload = result(tests)
    return summary(tests), payload, f"Autograder score: {_total([t.score for t in tests]):g}/{payload['max_score']:g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.export.classroom", description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path, help="a Gradescope results.json")
    parser.add_argument("--summary", type=Path, default=os.environ.get("GITHUB_STEP_SUMMARY") or None,
                        help="the Markdown file to append the summary to (default: $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--output", type=Path, default=os.environ.get("GITHUB_OUTPUT") or None,
                        help="the file to append result=<base64> to (default: $GITHUB_OUTPUT)")
    args = parser.parse_args(argv)
    text, payload, line = report(args.results)
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as stream:
            stream.write(text)
    if args.output:
        encoded = base64.b64encode(json.dumps(payload).encode()).decode()
        with args.output.open("a", encoding="utf-8") as stream:
            stream.write(f"result={encoded}\n")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
