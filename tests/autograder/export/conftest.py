"""The spiral's Gradescope bundle, exported once per test run and shared by every xdist worker (exporting grades
the master: about a minute)."""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

ASSIGNMENT = "spiral_from_scratch"


@pytest.fixture(scope="session")
def spiral_bundle(tmp_path_factory) -> Path:
    """``course export gradescope spiral_from_scratch`` with the defaults (tests visible after the due date)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's folder, not older runs'
    bundle = shared / "spiral_bundle.zip"
    with open(shared / "spiral_bundle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not bundle.exists():
            partial = shared / "spiral_bundle.part.zip"
            subprocess.run([Path(sys.executable).with_name("course"), "export", "gradescope", ASSIGNMENT, "--out",
                            partial], cwd=ROOT, check=True, capture_output=True)
            partial.rename(bundle)
    return bundle


def with_visibility(bundle: Path, visibility: str, out: Path) -> Path:
    """A copy of ``bundle`` whose tests are shown ``visibility`` (bundle.json is not part of the graders' digest)."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "bundle.json":
                data = json.dumps({**json.loads(data), "visibility": visibility}).encode()
            target.writestr(info, data)
    return out
