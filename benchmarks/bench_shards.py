"""A class graded in one run against the same class cut into shards run side by side, and what that says about
a class of 1,000.

A simulated class (``course class``: perfect students, one in another style, typical bugs, a broken file) is
graded three ways on this machine, in an order that alternates between rounds: ``course grade --jobs 2`` (one
machine, both cores), ``--shard K/N --jobs 1`` for each K at once (N shards side by side, as an array job would
on one node), and ``course merge`` of the shards. Printed: wall and CPU seconds of each, the seconds per
submission, whether the merged gradebook equals the single run's (the seconds column aside), and the time of
1,000 submissions extrapolated for one 2-core machine and for N nodes of 2 cores (each shard grading the
master once more). About 4 minutes with the defaults:

    python benchmarks/bench_shards.py [--assignment spiral_from_scratch] [--size 12] [--shards 3] [--rounds 1]
"""
from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COURSE = [sys.executable, "-m", "autograder.cli"]


def timed(commands: list[list[str]]) -> tuple[float, float]:
    """Run ``commands`` side by side; wall seconds, and CPU seconds of them and everything they started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    running = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env={**os.environ, "OMP_NUM_THREADS": "1"}) for c in commands]
    for process in running:
        _, errors = process.communicate()
        if process.returncode:
            sys.exit(f"failed: {errors.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - start, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def gradebook(folder: Path) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader((folder / "grades.csv").open())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="spiral_from_scratch")
    parser.add_argument("--size", type=int, default=12)
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    try:  # a subreaper: the sandbox hosts that outlive their grader are still counted as its children
        import ctypes
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
    except OSError:
        pass
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as temporary:
        where = Path(temporary)
        subprocess.run([*COURSE, "class", args.assignment, str(where / "class"), "--size", str(args.size)], check=True,
                       capture_output=True)
        grade = [*COURSE, "grade", args.assignment, str(where / "class"), "--class-folder"]
        rows = []
        for round_ in range(args.rounds):
            out = where / f"round{round_}"
            single = lambda: timed([[*grade, "--out", str(out / "single"), "--jobs", "2"]])  # noqa: E731
            sharded = lambda: timed([[*grade, "--out", str(out / f"shard{k}"), "--shard", f"{k}/{args.shards}",  # noqa: E731
                                      "--jobs", "1"] for k in range(1, args.shards + 1)])
            order = [("single", single), ("sharded", sharded)]
            for name, run in order if round_ % 2 == 0 else order[::-1]:
                rows.append((round_, name, *run()))
            merge = timed([[*COURSE, "merge", *(str(out / f"shard{k}") for k in range(1, args.shards + 1)), "--out",
                            str(out / "merged")]])
            rows.append((round_, "merge", *merge))
            same = gradebook(out / "merged") == gradebook(out / "single")
            print(f"round {round_}: merged gradebook equals the single run's: {same}")
        print(f"\n{args.size} submissions of {args.assignment}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        print(f"{'round':>5} {'how':<28} {'wall s':>8} {'CPU s':>8} {'s/submission':>13}")
        for round_, name, wall, cpu in rows:
            how = {"single": "one run, --jobs 2", "sharded": f"{args.shards} shards side by side, --jobs 1",
                   "merge": "course merge"}[name]
            print(f"{round_:>5} {how:<28} {wall:>8.1f} {cpu:>8.1f} {wall / args.size:>13.2f}")
        single_wall = min(w for _, n, w, _ in rows if n == "single")
        sharded_wall = min(w for _, n, w, _ in rows if n == "sharded")
        per = single_wall / args.size  # one 2-core machine, the master's grading spread over the class
        print(f"\nsharded / single wall time on this machine: {sharded_wall / single_wall:.2f}")
        print(f"1,000 submissions on one 2-core machine: about {1000 * per / 60:.0f} minutes")
        for nodes in (4, 16, 64):
            print(f"1,000 submissions on {nodes} nodes of 2 cores (one shard each): about "
                  f"{(1000 / nodes * per + 60) / 60:.1f} minutes (a minute of start-up and master per shard included)")


if __name__ == "__main__":
    main()
