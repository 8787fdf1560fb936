"""``course export gradescope ASSIGNMENT --out FILE.zip``: a Gradescope autograder for one assignment.

The zip holds, at its root, ``setup.sh`` and ``run_autograder`` (from ``deploy/gradescope/``) and a course
folder cut down to what grading that assignment needs: the engine (``autograder/`` without the other
assignments' graders), ``course_utils/``, ``datasets/`` without any data, and this assignment's master, no
other. ``bundle.json`` says which assignment, with which graders (``graded_with``, the digest ``course grade``
writes into every result, so Gradescope's results merge with local ones) and what students see when;
``references.wire`` holds the master's reference values, computed here by grading the master once (it must
score every point), so that Gradescope grades each submission without grading the master again. The values are
written in the sandbox's pickle-free format.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

from autograder.assignments import Assignment, CourseError, load_assignment
from autograder.grade import grader_digest
from autograder.sandbox import wire

BUNDLE_FILE = "bundle.json"
REFERENCES_FILE = "references.wire"
VISIBILITIES = ("after_due_date", "visible", "hidden", "after_published")
SCRIPTS = ("setup.sh", "run_autograder")  # deploy/gradescope/, at the zip's root, executable
COURSE_FILES = ("pyproject.toml", "nbgrader_config.py", "datasets/README.md", "datasets/get_datasets",
                "deploy/classroom/grade-step.sh")  # the last: GitHub Classroom's grading step, run from the bundle
SKIPPED = ("__pycache__", ".ipynb_checkpoints")


def write_bundle(root: Path, assignment: Assignment, out: Path, visibility: str = "after_due_date") -> str:
    """Write the bundle of ``assignment`` to ``out`` (a zip); a line that says what it holds."""
    if visibility not in VISIBILITIES:
        raise CourseError(f"unknown visibility {visibility!r}: one of {', '.join(VISIBILITIES)}")
    with tempfile.TemporaryDirectory(prefix="course-bundle-") as temporary:
        stage = Path(temporary) / "bundle"
        files = stage_course(root, assignment, stage)
        references = reference_values(stage, assignment.name)
        (stage / REFERENCES_FILE).write_bytes(references)
        graders = grader_digest(load_assignment(stage, assignment.name), stage / "autograder")
        if graders != grader_digest(assignment):
            raise CourseError("the bundle's graders differ from the course's: a file the grader needs was left out")
        (stage / BUNDLE_FILE).write_text(json.dumps({"assignment": assignment.name, "graded_with": graders,
                                                     "visibility": visibility}, indent=2))
        out.parent.mkdir(parents=True, exist_ok=True)
        _zip(stage, out)
    return (f"wrote {out}: the {assignment.name} autograder ({files} files, {out.stat().st_size / 2**20:.1f} MB, "
            f"reference values {len(references) / 1024:.0f} KB; tests visible {visibility})")


def stage_course(root: Path, assignment: Assignment, stage: Path) -> int:
    """Copy what grading ``assignment`` needs into ``stage``; the number of files."""
    own = {nb.name for nb in assignment.notebooks}
    chosen = [root / name for name in COURSE_FILES]
    for path in sorted((root / "autograder").rglob("*")):
        parts = path.relative_to(root / "autograder").parts
        if path.is_file() and not any(p in SKIPPED for p in parts) and \
                not (parts[0] == "graders" and len(parts) > 2 and parts[1] not in own):
            chosen.append(path)
    chosen += [p for p in sorted((root / "course_utils").rglob("*")) if p.is_file()
               and not any(part in SKIPPED for part in p.parts)]
    chosen += [p for p in sorted((root / "source" / assignment.name).rglob("*")) if p.is_file()
               and not any(part in SKIPPED for part in p.parts)]
    for path in chosen:
        target = stage / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    (stage / "README.md").write_text(f"Gradescope autograder for {assignment.name}, written by `course export "
                                     "gradescope`. Upload the zip as it is.\n")
    scripts = root / "deploy" / "gradescope"
    for name in SCRIPTS:
        shutil.copy2(scripts / name, stage / name)
        (stage / name).chmod(0o755)
    return len(chosen) + 1 + len(SCRIPTS)


def reference_values(stage: Path, name: str) -> bytes:
    """The master's reference values, from grading the staged master (as the bundle will hold it) with no data
    set installed (as on Gradescope); raises if the master loses a point."""
    from autograder.workers import Grading, require_full_marks

    previous = os.environ.get("COURSE_DATASETS")
    os.environ["COURSE_DATASETS"] = str(stage / "datasets")
    try:
        with Grading(stage, name) as grading:
            require_full_marks(grading.grade_master())
            return wire.encode(grading.reference_values())
    finally:
        if previous is None:
            os.environ.pop("COURSE_DATASETS", None)
        else:
            os.environ["COURSE_DATASETS"] = previous


def _zip(stage: Path, out: Path) -> None:
    """``stage``'s files at the zip's root, scripts executable, in a stable order."""
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in stage.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(stage).as_posix(), date_time=(2020, 1, 1, 0, 0, 0))
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    os.replace(partial, out)
