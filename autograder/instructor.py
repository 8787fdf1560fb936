"""Hidden tests run by pytest itself, for an instructor: one submission (default: the master), full messages.

``autograder/graders/conftest.py`` holds one ``InstructorRun`` per pytest run. It loads a grader the first time
one of its tests asks for a ``kit``, grades the submission in the sandbox like ``course grade`` does, and keeps
each test's points for the summary at the end.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.assignments import CourseError, course_root, list_assignments
from autograder.notebook import question_of
from autograder.engine import Grader, References, load_grader, new_kit, refusal
from autograder.hidden_tests import graded_test
from autograder.kit import Kit
from autograder.sandbox import Sandbox
from autograder.submissions import Answers, parse_answers, read_files, read_submission


class InstructorRun:
    def __init__(self, submission: Path | None) -> None:
        self.submission = submission
        self._graders: dict[str, tuple[Grader, Sandbox, References, Answers]] = {}
        self._points: dict[str, tuple[str, float, float]] = {}  # nodeid -> (item, points, out of)
        self._kits: dict[str, Kit] = {}  # nodeid -> the kit its test ran with (a test may award part of its points)

    def kit(self, node: pytest.Item) -> Kit:
        grader, sandbox, references, answers = self._load(node.module.__name__.rsplit(".", 1)[0])
        test = graded_test(node, grader.module.QUESTIONS)
        self._points[node.nodeid] = (test.item, 0.0, test.points)
        reason = refusal(grader, test, answers)
        if reason:
            pytest.fail(reason, pytrace=False)
        self._kits[node.nodeid] = new_kit(grader, test, answers, sandbox, references)
        return self._kits[node.nodeid]

    def record(self, node: pytest.Item, report: pytest.TestReport) -> None:
        if node.nodeid in self._points and report.when == "call":
            item, _, points = self._points[node.nodeid]
            kit = self._kits.pop(node.nodeid, None)
            got = points * (kit.fraction if kit is not None else 1.0) if report.passed else 0.0
            self._points[node.nodeid] = (item, got, points)

    def summary(self) -> list[str]:
        if not self._points:
            return []
        items: dict[str, list[float]] = {}
        for item, got, points in self._points.values():
            total = items.setdefault(item, [0.0, 0.0])
            total[0] += got
            total[1] += points
        who = self.submission or "the master notebook"
        lines = [f"points of {who} (tests run: {len(self._points)})"]
        lines += [f"  {item:<28}{got:>6g} / {points:g}" for item, (got, points) in
                  sorted(items.items(), key=lambda entry: (len(question_of(entry[0])), entry[0]))]
        lines.append(f"  {'total':<28}{sum(g for g, _ in items.values()):>6g} / {sum(p for _, p in items.values()):g}")
        return lines

    def close(self) -> None:
        for _, sandbox, references, _ in self._graders.values():
            sandbox.close()
            references.close()

    def _load(self, package: str) -> tuple[Grader, Sandbox, References, Answers]:
        if package not in self._graders:
            name = package.rsplit(".", 1)[-1]
            found = [(a, nb) for a in list_assignments(course_root()) for nb in a.notebooks if nb.name == name]
            if not found:
                raise CourseError(f"no master notebook {name}.ipynb in source/ for the grader {package}")
            (assignment, notebook), = found
            grader = load_grader(assignment.name, notebook, with_tests=False)
            if self.submission is None:
                answers = grader.master_answers()
            else:
                path = self.submission.resolve()
                answers = parse_answers(read_submission(path, path.parent))
                answers = answers.with_files(*read_files(path.parent, grader.files, path.parent))
            self._graders[package] = (grader, Sandbox(grader.sandbox_config()), References(grader), answers)
        return self._graders[package]
