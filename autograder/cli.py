"""The ``course`` command: ``list``, ``release``, ``check``, ``grade``, ``merge``, ``export``, ``calibrate``,
``mutant`` and ``class``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autograder.assignments import CourseError, course_root, list_assignments, select


def _list(args: argparse.Namespace) -> int:
    assignments = select(course_root(), args.assignments)
    if args.json:
        print(json.dumps([a.as_dict() for a in assignments], indent=2))
        return 0
    for a in assignments:
        print(f"{a.name}: {a.points('auto'):g} auto-graded + {a.points('manual'):g} manual points")
        for nb in a.notebooks:
            print(f"  {nb.path.name}: {nb.points('auto'):g} auto + {nb.points('manual'):g} manual")
            for cell in nb.graded_cells:
                print(f"    {cell.grade_id:<28} {cell.points:>5g}  {cell.kind}")
    return 0


def _release(args: argparse.Namespace) -> int:
    from autograder.release import release

    root = course_root()
    assignments = select(root, args.assignments)
    leaks = release(root, assignments, args.out)
    for a in assignments:
        print(f"released {a.name} -> {(args.out or root / 'release') / a.name}")
    if leaks:
        print(f"LEAK: {len(leaks)} secret line(s) reached the release:", file=sys.stderr)
        for leak in leaks:
            print(f"  {leak}", file=sys.stderr)
        return 1
    print("leak check passed: no solution line, hidden-test line, marker or gradebook in the release")
    return _report_overlaps(root)


def _report_overlaps(root: Path) -> int:
    """Graded code that course_utils hands out fails the release; graded code that another assignment
    gives is a note on the order of release dates."""
    from autograder.release.overlaps import find_overlaps

    overlaps = find_overlaps(root, list_assignments(root))
    for overlap in overlaps:
        print(f"{'ERROR' if overlap.in_course_utils else 'release order'}: {overlap}",
              file=sys.stderr if overlap.in_course_utils else sys.stdout)
    if not overlaps:
        print("overlap check passed: no graded function is given by course_utils or another assignment")
    return 1 if any(o.in_course_utils for o in overlaps) else 0


def _check(args: argparse.Namespace) -> int:
    from autograder.check import check, format_prices, format_report, prices

    root = course_root()
    if args.prices:
        found = [p for assignment in select(root, args.assignments) for p in prices(root, assignment, args.jobs)]
        print(format_prices(found))
        return 0 if all(p.ok for p in found) else 1
    results = check(root, select(root, args.assignments), quick=not args.full, jobs=args.jobs)
    print(format_report(results))
    return 1 if any(r.problems for r in results) else 0


def _grade(args: argparse.Namespace) -> int:
    from autograder.assignments import load_assignment
    from autograder.grade import format_summary, grade

    root = course_root()
    results = grade(root, load_assignment(root, args.assignment), args.submissions, args.out, jobs=args.jobs,
                    class_folders=args.class_folder, shard=args.shard)
    print(format_summary(results))
    print(f"wrote {args.out / 'grades.csv'} and {args.out / 'students'}/<id>/results.json + feedback.txt for "
          f"{len(results)} student(s)")
    return 0


def _shard(text: str) -> "Shard":
    from autograder.grade.shards import Shard

    try:
        return Shard.parse(text)
    except CourseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _merge(args: argparse.Namespace) -> int:
    from autograder.grade import format_summary
    from autograder.merge import merge_gradebooks

    results = merge_gradebooks(args.parts, args.out)
    print(format_summary(results))
    print(f"merged {len(args.parts)} folder(s) into {args.out / 'grades.csv'} and {args.out / 'students'}/: "
          f"{len(results)} student(s)")
    return 0


def _export(args: argparse.Namespace) -> int:
    from autograder.assignments import load_assignment
    from autograder.export.bundle import write_bundle

    root = course_root()
    summary = write_bundle(root, load_assignment(root, args.assignment), args.out, args.visibility)
    print(summary)
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from autograder.assignments import load_assignment
    from autograder.calibrate import calibrate

    root = course_root()
    measured = calibrate(root, load_assignment(root, args.assignment), set(args.only or []) or None, args.seeds)
    if not measured:
        raise CourseError(f"{args.assignment} has no calibrated training test" +
                          (f" among {', '.join(args.only)}" if args.only else ""))
    return 0 if all(m.safe for m in measured) else 1


def _seeds(text: str) -> list[int]:
    """``1-10`` or ``1,4,7`` (or both: ``1-3,9``)."""
    found: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        found += list(range(int(low), int(high or low) + 1))
    return found


def _mutant(args: argparse.Namespace) -> int:
    from autograder.assignments import load_assignment
    from autograder.check.mutants import Mutant
    from autograder.check.students import catalogue, write_mutant

    root = course_root()
    assignment = load_assignment(root, args.assignment)
    if args.number is None:
        for number, (notebook, entry) in enumerate(catalogue(root, assignment), start=1):
            kind = f"mutant of {entry.item}" if isinstance(entry, Mutant) else "alternative"
            print(f"{number:>4}  {notebook.name}  {entry.cell:<22} {kind:<34} {entry.description}")
        return 0
    out = args.out or Path(f"{args.assignment}_{args.number}.ipynb")
    entry = write_mutant(root, assignment, args.number, out)
    print(f"wrote {out}: the release with the master's answers and one change to {entry.cell}: {entry.description}")
    return 0


def _class(args: argparse.Namespace) -> int:
    from autograder.assignments import load_assignment
    from autograder.check.students import simulated_class

    names = simulated_class(course_root(), load_assignment(course_root(), args.assignment), args.out, args.size)
    print(f"wrote {len(names)} student folders to {args.out}: " + ", ".join(names))
    return 0


def main(argv: list[str] | None = None) -> int:
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="course", description="Release, check and grade the course's assignments.")
    commands = parser.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("list", help="assignments, notebooks and points")
    listing.add_argument("assignments", nargs="*")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(run=_list)

    releasing = commands.add_parser("release", help="build release/ with nbgrader and prove nothing leaked")
    releasing.add_argument("assignments", nargs="*")
    releasing.add_argument("--out", type=Path, help="release folder (default: release/ of the course)")
    releasing.set_defaults(run=_release)

    checking = commands.add_parser("check", help="master scores full marks, blank release scores zero")
    checking.add_argument("assignments", nargs="*")
    checking.add_argument("--full", action="store_true", help="run notebooks as students would (no COURSE_QUICK)")
    checking.add_argument("--prices", action="store_true",
                          help="only grade every mutant to the end and show what it costs outside its own item "
                               "(fails if a mutant marked once=True does)")
    checking.add_argument("--jobs", type=int, default=2, help="mutants graded side by side, on this many processes (default 2)")
    checking.set_defaults(run=_check)

    grading = commands.add_parser("grade", help="score submissions with the hidden graders")
    grading.add_argument("assignment")
    grading.add_argument("submissions", nargs="+", type=Path,
                         help="one student each: their .ipynb (the id is its name) or their folder (the id is the "
                              "folder's name)")
    grading.add_argument("--class-folder", action="store_true",
                         help="each path is a folder of students: every notebook and folder in it is one student")
    grading.add_argument("--out", type=Path, required=True,
                         help="folder for grades.csv and students/<id>/ (results.json, feedback.txt)")
    grading.add_argument("--jobs", type=int, default=1, help="submissions graded side by side (default 1)")
    grading.add_argument("--shard", type=_shard, help="grade only shard K of N of the students (such as 2/4; by a "
                                                      "stable hash of the id), for job arrays; see course merge")
    grading.set_defaults(run=_grade)

    merging = commands.add_parser("merge", help="join the output folders of course grade --shard into one gradebook")
    merging.add_argument("parts", nargs="+", type=Path, help="the output folders of the shards")
    merging.add_argument("--out", type=Path, required=True, help="folder for the joined grades.csv and students/")
    merging.set_defaults(run=_merge)

    exporting = commands.add_parser("export", help="write an autograder bundle for a grading platform")
    exporting.add_argument("platform", choices=["gradescope"])
    exporting.add_argument("assignment")
    exporting.add_argument("--out", type=Path, required=True, help="the bundle to write (a .zip)")
    exporting.add_argument("--visibility", default="after_due_date",
                           choices=["after_due_date", "visible", "hidden", "after_published"],
                           help="when students see each hidden test's result (default after_due_date; a summary "
                                "of what was found in the submission is always visible)")
    exporting.set_defaults(run=_export)

    calibrating = commands.add_parser("calibrate", help="run training tests' measures on the master over seeds and "
                                                        "say whether each threshold is safe")
    calibrating.add_argument("assignment")
    calibrating.add_argument("only", nargs="*", help="items or questions to calibrate (default: all)")
    calibrating.add_argument("--seeds", type=_seeds, help="seeds instead of the calibration's, e.g. 1-10 or 4,7")
    calibrating.set_defaults(run=_calibrate)

    mutant = commands.add_parser("mutant", help="list the mutant catalogue, or write one entry as a student notebook")
    mutant.add_argument("assignment")
    mutant.add_argument("number", nargs="?", type=int, help="the entry to write (see the list without it)")
    mutant.add_argument("--out", type=Path, help="the notebook to write (default: ASSIGNMENT_NUMBER.ipynb)")
    mutant.set_defaults(run=_mutant)

    simulated = commands.add_parser("class", help="write a simulated class: perfect students, typical bugs, a "
                                                  "broken file (from the mutant catalogue)")
    simulated.add_argument("assignment")
    simulated.add_argument("out", type=Path, help="folder for the student folders")
    simulated.add_argument("--size", type=int, default=12, help="number of students (default 12)")
    simulated.set_defaults(run=_class)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CourseError as exc:
        print(f"course: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
