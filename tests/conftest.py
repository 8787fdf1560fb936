import os

# One OpenMP thread before torch loads: a test that forks this process and multiplies matrices in the child
# would otherwise wait forever for the threads of the parent's team, which the child does not have.
for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import matplotlib  # noqa: E402
import pytest  # noqa: E402
from pathlib import Path  # noqa: E402

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
