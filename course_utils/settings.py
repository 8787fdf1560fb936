"""What the environment decides: the quick switch and where the data sets live.

Set the environment variable ``COURSE_QUICK=1`` (the test suite and
``course check`` do) and notebooks train for fewer epochs and sweep fewer
points while running exactly the same code. Students leave it unset.
``COURSE_DATASETS`` names another data-set folder than ``<course root>/datasets``.
This module imports nothing heavy: the grader reads it too.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

QUICK: bool = os.environ.get("COURSE_QUICK", "").strip().lower() in {"1", "true", "yes", "on"}


def quick_or_full(quick: T, full: T) -> T:
    """Return ``quick`` when ``COURSE_QUICK`` is set, else ``full``."""
    return quick if QUICK else full


def datasets_dir() -> Path:
    """The datasets folder: ``$COURSE_DATASETS`` if set, else ``<course root>/datasets``."""
    override = os.environ.get("COURSE_DATASETS", "").strip()
    return Path(override).expanduser() if override else Path(__file__).resolve().parents[1] / "datasets"
