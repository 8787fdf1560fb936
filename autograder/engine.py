"""Grade one submission notebook with its hidden grader.

Each test runs in its own sandboxed child that holds only the answer cells
the test is about (the student's) and the answer cells they build on (the
master's), after the notebook's trusted setup cells. So a hang in one class
costs only the tests that use it, and a bug in one question costs points only
on that question. Reference values come from the master notebook, loaded
through the same sandbox in the same way, and are cached per probe.
"""
from __future__ import annotations

import functools
import importlib
import json
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from autograder.assignments import CourseError, Notebook
from autograder.hidden_tests import GradedTest, collect, run
from autograder.kit import Kit, Probe
from autograder.messages import Failure, vocabulary
from autograder.results import ManualItem, SubmissionResult, TestResult
from autograder.rules import Rule, forbidden_uses
from autograder.sandbox import RuleBroken, Sandbox, Session, SandboxConfig, SandboxError, SandboxFailure
from autograder.submissions import EMPTY_SHA256, Answers, parse_answers, read_answers
from autograder.notebook import grade_id, question_of, source

OUTPUT_NOTE = ("hidden tests show neither what your code printed nor the text of its errors: run the "
               "notebook's own checks to see them")
GRADER_PROBLEM = "grader problem, please tell your instructor"
SANDBOX_NOTE = "sandbox: "


@dataclass
class Grader:
    """A notebook's hidden tests together with what they need from the master notebook."""

    assignment: str
    notebook: Notebook
    module: ModuleType
    tests: list[GradedTest]
    master_cells: dict[str, str]
    cell_order: list[str]
    setup: tuple[tuple[str, str], ...]
    rules: dict[str, list[Rule]]
    manual: list[ManualItem]
    files: dict[str, int]  # files handed in next to the notebook that tests read, and their size limits
    master_files: dict[str, bytes]  # the master's own such files (its trained weights), from the grader package

    def master_answers(self) -> Answers:
        """The master's answer cells and files, graded like a submission."""
        return Answers(dict(self.master_cells), files=dict(self.master_files))

    def sandbox_config(self, hide: tuple[str, ...] = ()) -> SandboxConfig:
        """Children see Python, the student helpers and the data sets (unless the spec says ``DATASETS = False``:
        a grader that scores on real data no child may hold), not the course; ``hide`` adds folders (results,
        submissions) in case they lie inside one that children see."""
        from course_utils.settings import datasets_dir

        root = self.notebook.path.resolve().parents[2]
        if getattr(self.module, "DATASETS", True):
            return SandboxConfig(setup_cells=self.setup, folders=(str(datasets_dir()),), hide=(str(root), *hide),
                                 environment={"COURSE_QUICK": "1"})
        data = datasets_dir().resolve()
        unseen = (str(data),) if data.is_dir() and root not in data.parents else ()
        return SandboxConfig(setup_cells=self.setup, hide=(str(root), *unseen, *hide),
                             environment={"COURSE_QUICK": "1", "COURSE_DATASETS": str(root / "no-data-sets-here")})

    def cells_for(self, test: GradedTest, student: dict[str, str]) -> list[tuple[str, str]]:
        """What the test's child runs: the run-time part of its cells' rules, the grader's settings, then the
        cells in notebook order (the student's under test, the master's it needs)."""
        runtime = dict.fromkeys(rule.runtime for cell in test.cells for rule in self.rules.get(cell, [])
                                if rule.runtime)
        settings = [("grader_settings", "\n".join(f"{name} = {value!r}" for name, value in test.settings))
                    ] if test.settings else []
        return [*((f"rule_{index}", code) for index, code in enumerate(runtime)), *settings,
                *((name, student[name] if name in test.cells else self.master_cells[name])
                  for name in self.cell_order if name in test.cells or name in test.needs)]

    def operator_rules(self, test: GradedTest) -> list[Rule]:
        """The rules of the test's cells that the child enforces on torch's operators, in a fixed order."""
        return list(dict.fromkeys(rule for cell in test.cells for rule in self.rules.get(cell, []) if rule.operators))

    def session(self, sandbox: Sandbox, test: GradedTest, cells: dict[str, str]) -> Session:
        """A child for ``test`` holding ``cells_for(test, cells)``, refusing what its rules forbid at run time."""
        return sandbox.session(self.cells_for(test, cells), test.limits(), test.arrays,
                               tuple(rule.operators for rule in self.operator_rules(test)))

    @property
    def shape_items(self) -> set[str]:
        """The items that have a shape test (``@graded(..., prices_shapes=True)``)."""
        return {t.item for t in self.tests if t.prices_shapes}

    @property
    def questions(self) -> list[str]:
        return list(dict.fromkeys(t.question for t in self.tests))


@lru_cache(maxsize=None)
def _collected(package: str) -> tuple[GradedTest, ...]:
    """A grader collected once per process (workers fork after their parent collected, or collect anew)."""
    return tuple(collect(importlib.import_module(package)))


def load_grader(assignment: str, notebook: Notebook, with_tests: bool = True) -> Grader:
    """Import ``autograder.graders.<notebook>``, collect its tests (unless ``with_tests`` is false: pytest
    itself collected them) and check that they fit the master notebook."""
    try:
        module = importlib.import_module(f"autograder.graders.{notebook.name}")
    except ModuleNotFoundError as exc:
        raise CourseError(f"no hidden grader for {notebook.name}: expected autograder/graders/{notebook.name}/"
                          ) from exc
    text = notebook.path.read_text()
    master = parse_answers(text).cells
    order = list(master)
    document = json.loads(text)
    by_id = {grade_id(c): source(c) for c in document["cells"]}
    tests = list(_collected(module.__name__)) if with_tests else []
    setup = tuple((name, by_id[name]) for name in module.SETUP_CELLS)
    problems = _unpublished_setup(notebook, setup)
    files = declared_files(module)
    for test in tests:
        problems += [f"{test.name}: unknown answer cell {c}" for c in (*test.cells, *test.needs) if c not in master]
        problems += [f"{test.name}: file {f} is not declared in FILES" for f in test.files if f not in files]
    auto = {c.grade_id: c.points for c in notebook.graded_cells if c.kind == "auto"}
    points: dict[str, float] = {}
    for test in tests:
        points[test.item] = points.get(test.item, 0.0) + test.points
    for item in sorted(set(auto) | set(points)) if with_tests else ():
        if abs(auto.get(item, 0.0) - points.get(item, 0.0)) > 1e-9:
            problems.append(f"{item}: the notebook gives {auto.get(item, 0):g} points, the hidden tests "
                            f"{points.get(item, 0):g}")
    if problems:
        raise CourseError(f"hidden grader {module.__name__} does not fit {notebook.path}:\n  " + "\n  ".join(problems))
    manual = [ManualItem(c.grade_id, c.points) for c in notebook.graded_cells if c.kind == "manual"]
    return Grader(assignment, notebook, module, tests, master, order, setup, dict(module.RULES), manual, files,
                  master_files(module))


def declared_files(module: ModuleType) -> dict[str, int]:
    """The files a grader's tests read besides the notebook (its spec's ``FILES``: name -> size limit in bytes)."""
    return dict(getattr(module, "FILES", {}))


def master_files(module: ModuleType) -> dict[str, bytes]:
    """The master's own files of those (its spec's ``MASTER_FILES``: name -> a file of the grader package)."""
    found, declared = {}, declared_files(module)
    for name, stored in getattr(module, "MASTER_FILES", {}).items():
        path = Path(module.__file__).parent / stored
        if name not in declared or not path.is_file():
            raise CourseError(f"hidden grader {module.__name__}: MASTER_FILES[{name!r}] must be a file of the "
                              f"package declared in FILES")
        found[name] = path.read_bytes()
    return found


def _unpublished_setup(notebook: Notebook, setup: tuple[tuple[str, str], ...]) -> list[str]:
    """Setup cells run in the host, whose memory every child inherits: each must be what the release shows."""
    release = notebook.path.parents[2] / "release" / notebook.path.parent.name / notebook.path.name
    if not release.is_file():
        return []
    published = {grade_id(cell): source(cell) for cell in json.loads(release.read_text())["cells"]}
    return [f"setup cell {name} is not the release's: children would hold text students never see"
            for name, source in setup if published.get(name) != source]


class References:
    """Probe values of the master notebook, computed once per probe in a sandbox of their own."""

    def __init__(self, grader: Grader, values: dict[str, dict[str, Any]] | None = None) -> None:
        self.grader = grader
        self.values: dict[str, dict[str, Any]] = dict(values or {})
        self._sandbox: Sandbox | None = None

    def get(self, probe: Probe, test: GradedTest) -> dict[str, Any]:
        key = probe_key(probe, test)
        if key not in self.values:
            if self._sandbox is None:
                self._sandbox = Sandbox(self.grader.sandbox_config())
            try:
                with self.grader.session(self._sandbox, test, self.grader.master_cells) as session:
                    self.values[key] = probe(session)
            except (SandboxError, Failure) as exc:
                raise RuntimeError(f"the master notebook fails probe {key}: {exc}") from None
        return self.values[key]

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()


def run_test(grader: Grader, test: GradedTest, student: Answers | dict[str, str], sandbox: Sandbox,
             references: References) -> TestResult:
    """Run one hidden test; every way it can go wrong becomes a score of 0 and a message. The message holds
    only what the grader wrote (see ``autograder.kit``): a child may hold reference cells, and any child may
    have learned from an earlier one what this one cannot say, so no child's words or output are shown."""
    start = time.perf_counter()
    student = student if isinstance(student, Answers) else Answers(dict(student))
    kit = new_kit(grader, test, student, sandbox, references)
    fraction = 0.0
    try:
        message = refusal(grader, test, student)
        if not message:
            run(test, kit)
            if kit.awarded is not None:
                fraction = kit.fraction
                raise kit.awarded[1]
    except Failure as exc:
        message = exc.render(vocabulary(grader.module.__name__).with_reference(kit.labels, kit.numbers)) or \
            "check failed"
    except RuleBroken as exc:
        rules = grader.operator_rules(test)
        message = f"rule broken: {rules[exc.index].reason}" if exc.index < len(rules) else "rule broken"
    except SandboxError as exc:
        message = exc.describe()
    except SandboxFailure as exc:
        message = f"{GRADER_PROBLEM}: {exc}"
    except Exception as exc:  # noqa: BLE001 - a grader bug must cost this test, not the batch
        message = f"{GRADER_PROBLEM}: {type(exc).__name__}"
    printed = kit.close()
    if message and printed:
        message += f"\n({OUTPUT_NOTE})"
    score = round(test.points * fraction, 6) if message else test.points
    board = tuple((name, value, order) for name, (value, order) in kit.board.items())
    return TestResult(test.name, test.item, score, test.points, message, test.visibility,
                      time.perf_counter() - start, board)


def new_kit(grader: Grader, test: GradedTest, student: Answers, sandbox: Sandbox, references: References) -> Kit:
    """The kit of one test: its child (started on first use) holds the cells ``Grader.cells_for`` names; where
    the test's item has a shape test, its comparisons take values in any shape of the right size."""
    files = {name: (student.files.get(name), student.file_problems.get(name), grader.files[name])
             for name in test.files}
    return Kit(lambda: grader.session(sandbox, test, student.cells), lambda probe: references.get(probe, test),
               test.item in grader.shape_items, files)


def probe_key(probe: Probe, test: GradedTest) -> str:
    """What a reference value depends on: the probe (a module-level function, or a ``functools.partial`` of one
    with plain arguments) and what the test's child holds and how it receives arrays."""
    function, arguments = probe, ""
    if isinstance(probe, functools.partial):
        function, arguments = probe.func, repr((probe.args, sorted(probe.keywords.items())))
    name = getattr(function, "__qualname__", "")
    if not name or "<" in name:
        raise TypeError(f"a probe is a module-level function or a partial of one, not {name or type(probe)}")
    return f"{function.__module__}.{name}{arguments} on {','.join(test.cells)} + {','.join(test.needs)} " \
           f"({test.arrays}{''.join(f', {name} = {value!r}' for name, value in test.settings)})"


def refusal(grader: Grader, test: GradedTest, student: Answers) -> str:
    """Why the test cannot run the student's cells at all: a cell missing or unreadable, or a rule broken."""
    problems = [student.problems[c] for c in test.cells if c in student.problems]
    if problems:
        return "; ".join(problems)
    missing = [c for c in test.cells if c not in student.cells]
    if missing:
        return f"your notebook has no answer cell {', '.join(missing)} (was it deleted, or its metadata changed?)"
    context = tuple(source for _, source in grader.setup)
    broken = [reason for c in test.cells for reason in _rule_check(student.cells[c], tuple(grader.rules.get(c, [])),
                                                                    context)]
    return "rule broken: " + "; ".join(dict.fromkeys(broken)) if broken else ""


RuleCheck = tuple[str, tuple[Rule, ...], tuple[str, ...]]  # a cell's source, its rules, the setup cells before it
_checked_apart: dict[RuleCheck, tuple[str, ...]] = {}  # results that ``check_rules_apart`` brought back


def _rule_check(source: str, rules: tuple[Rule, ...], context: tuple[str, ...]) -> tuple[str, ...]:
    found = _checked_apart.get((source, rules, context))
    return found if found is not None else _rule_check_here(source, rules, context)


@lru_cache(maxsize=512)
def _rule_check_here(source: str, rules: tuple[Rule, ...], context: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(forbidden_uses(source, list(rules), context))


def rule_checks(graders: dict[str, Grader], answers: dict[str, Answers | None]) -> list[RuleCheck]:
    """Every static rule check that grading ``answers`` will make."""
    found = []
    for name, grader in graders.items():
        cells = answers.get(name).cells if answers.get(name) is not None else {}
        context = tuple(source for _, source in grader.setup)
        found += [(cells[c], tuple(grader.rules.get(c, [])), context) for test in grader.tests for c in test.cells
                  if c in cells and c not in answers[name].problems]
    return list(dict.fromkeys(found))


def check_rules_apart(checks: list[RuleCheck]) -> None:
    """Make ``checks`` in a forked process and keep the results, so that the modules the check imports to look names
    up as the child would (the setup cells' torch, matplotlib, scikit-learn) never load into this one: grading one
    submission on a machine of little memory (Gradescope's 768 MB) then holds them only in the sandbox's host. If
    the fork fails, each check is made here when it is needed, as before."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked checker
        code = 1
        try:
            os.close(read)
            with os.fdopen(write, "w") as out:
                json.dump([list(_rule_check_here(*check)) for check in checks], out)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as results:
        text = results.read()
    _, status = os.waitpid(pid, 0)
    if status == 0:
        _checked_apart.update((check, tuple(reasons)) for check, reasons in zip(checks, json.loads(text)))


def grade_answers(grader: Grader, answers: Answers | dict[str, str], sandbox: Sandbox, references: References,
                  only_cells: set[str] | None = None, questions: set[str] | None = None,
                  until_lost: str | None = None) -> list[TestResult]:
    """Run the hidden tests on a set of answer cells: all of them, or those that load one of ``only_cells`` and
    belong to one of ``questions``. ``until_lost``: an item whose first lost point ends the run of its
    question's tests (the cheapest first, by time limit), which is all a mutant of that item needs to show; the
    tests of other questions always run."""
    tests = [t for t in grader.tests if (only_cells is None or only_cells & set(t.cells)) and
             (questions is None or t.question in questions)]
    if until_lost is None:
        return [run_test(grader, test, answers, sandbox, references) for test in tests]
    question = question_of(until_lost)
    results = [run_test(grader, test, answers, sandbox, references) for test in tests if test.question != question]
    for test in sorted((t for t in tests if t.question == question), key=lambda t: t.timeout):
        results.append(run_test(grader, test, answers, sandbox, references))
        if test.item == until_lost and not results[-1].passed:
            break
    return results


def grade_notebook(grader: Grader, submitted: Path | Answers | None, student: str, sandbox: Sandbox,
                   references: References, questions: set[str] | None = None,
                   folder: Path | None = None) -> SubmissionResult:
    """Grade a notebook: the file at ``submitted`` (found from ``folder`` without following links), answers
    read already (``Answers``: each file is read once per batch), or ``None`` (not submitted): one ``TestResult``
    per hidden test (of ``questions`` only, if given). Whatever the file holds or the grading meets, the result
    has every test, each with its score and reason."""
    start = time.perf_counter()
    digest, problem = EMPTY_SHA256, ""
    tests = [t for t in grader.tests if questions is None or t.question in questions]
    if submitted is None:
        problem = f"no {grader.notebook.path.name} found in the submission"
    else:
        try:
            answers = submitted if isinstance(submitted, Answers) else _answers(grader, submitted, folder)
            digest, problem = answers.sha256 or digest, answers.unreadable
            if not problem:
                results = grade_answers(grader, answers, sandbox, references, questions=questions)
        except Exception as exc:  # noqa: BLE001 - one student's submission never stops the batch
            problem = f"{GRADER_PROBLEM}: this submission could not be graded ({type(exc).__name__})"
    if problem:
        results = [TestResult(t.name, t.item, 0.0, t.points, problem, t.visibility) for t in tests]
    notes = [problem] * bool(problem) + [f"{SANDBOX_NOTE}{note}" for note in sorted(sandbox.notes)]
    return SubmissionResult(student, grader.assignment, results, list(grader.manual), time.perf_counter() - start,
                            digest, notes)


_last_read: dict[tuple, Answers] = {}


def _answers(grader: Grader, path: Path, folder: Path | None) -> Answers:
    """The answers of the file at ``path`` (a master, a release: a batch reads students' files itself), read
    once per worker even when it grades the file question by question (the cache holds the last file, keyed
    by what ``stat`` says of it)."""
    try:
        info = path.lstat()
    except OSError:
        return read_answers(path, folder, set(grader.master_cells))  # which says why it cannot be read
    key = (str(path), str(folder), info.st_ino, info.st_size, info.st_mtime_ns, grader.notebook.name)
    if key not in _last_read:
        answers = read_answers(path, folder, set(grader.master_cells))
        _last_read.clear()
        _last_read[key] = answers
    return _last_read[key]
