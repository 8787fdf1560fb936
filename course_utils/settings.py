"""The one switch that makes every notebook cheap to run.

Set the environment variable ``COURSE_QUICK=1`` (the test suite and
``course check`` do) and notebooks train for fewer epochs and sweep fewer
points while running exactly the same code. Students leave it unset.
"""
from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")

QUICK: bool = os.environ.get("COURSE_QUICK", "").strip().lower() in {"1", "true", "yes", "on"}


def quick_or_full(quick: T, full: T) -> T:
    """Return ``quick`` when ``COURSE_QUICK`` is set, else ``full``."""
    return quick if QUICK else full
