"""The pytest plugin of the hidden graders: which files hold tests, their ``graded`` mark and their ``kit``.

``course grade`` and ``course check`` collect the graders through ``autograder.hidden_tests.collect``,
which hands each test the kit of the submission under test. An instructor can run them with pytest too:

    pytest autograder/graders/spiral_from_scratch --submission alice.ipynb -k Q3

grades ``alice.ipynb`` (by default the master notebook) with the selected tests in the sandbox, shows each
failure in full (the instructor's view: every value, the traceback), and ends with the points per item.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.hidden_tests import KIT
from autograder.instructor import InstructorRun

RUN = pytest.StashKey[InstructorRun]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--submission", type=Path, default=None,
                     help="the student notebook the hidden tests grade (default: the master notebook)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "graded(item, points, timeout, visibility, memory_bytes, needs, prices_shapes): "
                                       "a hidden test and the points it gives")
    config.stash[RUN] = InstructorRun(config.getoption("submission", None))


def pytest_unconfigure(config: pytest.Config) -> None:
    config.stash[RUN].close()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Every module of a grader package holds tests (``q1_forward.py``), not only ``test_*.py`` files."""
    if file_path.suffix == ".py" and not file_path.name.startswith(("test_", "_", "conftest")) and \
            (file_path.parent / "__init__.py").is_file() and file_path.parent.parent == Path(__file__).parent:
        return pytest.Module.from_parent(parent, path=file_path)
    return None


@pytest.fixture
def kit(request: pytest.FixtureRequest):
    """The kit of the submission under test: the engine's, or one that grades ``--submission``."""
    if KIT in request.node.stash:
        yield request.node.stash[KIT]
        return
    opened = request.config.stash[RUN].kit(request.node)
    yield opened
    opened.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if KIT not in item.stash:
        item.config.stash[RUN].record(item, report)
    return report


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    for line in config.stash[RUN].summary():
        terminalreporter.write_line(line)
