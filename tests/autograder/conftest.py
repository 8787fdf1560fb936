"""Fixtures shared by the grader's test modules."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def grading() -> Iterator["Grading"]:
    """One ``Grading`` of the spiral for the module (a module may define its own, warmed up differently)."""
    from autograder.workers import Grading

    with Grading(ROOT, "spiral_from_scratch") as g:
        yield g
