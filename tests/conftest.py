import matplotlib
import pytest
from pathlib import Path

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
CHECK_SECONDS: dict[str, float] = {}


@pytest.fixture
def root() -> Path:
    return ROOT


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for key, value in report.user_properties:
        if key == "check_seconds":
            CHECK_SECONDS[value[0]] = value[1]


def pytest_terminal_summary(terminalreporter) -> None:
    if CHECK_SECONDS:
        terminalreporter.write_sep("-", "what each assignment's course check cost")
        for name, seconds in sorted(CHECK_SECONDS.items()):
            terminalreporter.write_line(f"{name:<28}{seconds:>8.1f} s")
