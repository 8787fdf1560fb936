#!/usr/bin/env python
"""How fast `course grade` is on the spiral assignment, measured in one run.

    python benchmarks/bench_grading.py            # 8 submissions, 2 rounds (about 15-20 minutes)
    python benchmarks/bench_grading.py --quick    # 3 submissions, 1 round (a smoke run, about 4 minutes)

The submissions (written to a temp folder): the master, the blank release and
mutants from ``tests/mutants/spiral_from_scratch/`` (one per question, as far
as the catalogue reaches; a few built-in mutants fill the questions it does not
cover yet). What is measured, each contender inside this one run, interleaved:

a. seconds per submission of ``course grade --jobs 1`` (the mean over the
   submissions of each one's grading time, as grades.csv records it);
b. the sandbox's overhead per submission: the same hidden tests once through
   the sandbox and once in this process (``InProcessSandbox`` below runs the
   same cells with the same ``Runtime`` in a fresh namespace per test),
   alternating; plus the host's start-up time and the cost of one empty session;
c. ``course grade --jobs 2`` against ``--jobs 1`` on the same submissions (fresh
   --out folders, so nothing is resumed; the order alternates between rounds);
d. ``nbgrader autograde`` on the same submissions in a temporary nbgrader course
   folder (never in the repository), next to ``course grade --jobs 1``.

Every contender runs with OMP_NUM_THREADS=1 and COURSE_QUICK=1 (set here, before
anything imports torch or course_utils). The machine is shared: numbers are noisy,
ratios taken inside one run are what to compare.
"""
from __future__ import annotations

import os

# Both contenders of every comparison run under the same settings; set before torch or course_utils is imported.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["COURSE_QUICK"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import csv  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.check.mutants import Mutant, apply_edits, load_catalogue  # noqa: E402
from autograder.engine import grade_notebook, run_test  # noqa: E402
from autograder.results import SubmissionResult  # noqa: E402
from autograder.sandbox import (CellFailed, Limits, Outcome, Sandbox, SandboxConfig, SandboxCrash,  # noqa: E402
                                Session, StudentException, _unwrap)
from autograder.sandbox import wire  # noqa: E402
from autograder.sandbox.runtime import Runtime, describe  # noqa: E402
from autograder.submissions import parse_answers  # noqa: E402
from autograder.workers import Grading, require_full_marks  # noqa: E402

ASSIGNMENT = NOTEBOOK = "spiral_from_scratch"
MASTER = ROOT / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
RELEASE = ROOT / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
BIN = Path(sys.executable).parent

TARGET_SECONDS = 20.0
TARGET_OVERHEAD = 1.5
TARGET_SPEEDUP = 1.7

_T0 = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f} s] {message}", flush=True)


# ----------------------------------------------------------------------------- the in-process stand-in

def _as_if_sent(value: Any) -> Any:
    """What the other side of the wire would get: arrays copied, numpy scalars as Python numbers."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [_as_if_sent(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_as_if_sent(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_if_sent(v) for k, v in value.items()}
    return value


class InProcessSession(Session):
    """``Session`` without a child: the same ``Runtime`` answers the same requests in this process.

    Arguments and results are copied as the wire would copy them (``Runtime.import_`` turns numpy arrays
    into torch tensors, ``Runtime.export`` turns tensors back into numpy arrays), and what the code prints is
    captured, as the sandbox captures it. There is no fork, no confinement, no socket and no wall-clock limit.
    """

    def __init__(self, sandbox: "InProcessSandbox", runtime: Runtime, limits: Limits) -> None:
        self.sandbox = sandbox  # type: ignore[assignment]
        self.runtime = runtime
        self.pid = os.getpid()
        self.limits = limits
        self.deadline = time.monotonic() + limits.wall_seconds
        self.outcome: Outcome | None = None
        self.calls = 0
        self._printed = io.StringIO()

    @contextlib.contextmanager
    def _capture(self):
        with contextlib.redirect_stdout(self._printed), contextlib.redirect_stderr(self._printed):
            yield

    def load(self, cells: list[tuple[str, str]]) -> dict:
        with self._capture():
            self.runtime.dispatch({"op": "seed", "value": 0})  # as the child does before loading
            return self.runtime.load([{"name": n, "source": s} for n, s in cells])

    def request(self, op: str, name: str = "", target: wire.Handle | None = None, args: tuple = (),
                kwargs: dict | None = None, **extra: Any) -> Any:
        if self.outcome is not None:
            raise SandboxCrash("the process running your code has already ended")
        self.calls += 1
        message = {"op": op, "name": name, "target": target.id if target else None,
                   "args": list(_as_if_sent(_unwrap(args))), "kwargs": _as_if_sent(_unwrap(kwargs or {})),
                   **_as_if_sent(_unwrap(extra))}
        try:
            with self._capture():
                value = self.runtime.answer(message)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - the child reports every exception, SystemExit included
            raise StudentException(describe(exc)) from None
        return self._wrap(_as_if_sent(value))

    def finish(self) -> Outcome:
        if self.outcome is None:
            self.runtime.objects.clear()
            data = self._printed.getvalue().encode("utf-8", "replace")
            self.outcome = Outcome("exit code 0", data[: self.limits.output_bytes].decode("utf-8", "replace"),
                                   len(data))
        return self.outcome


class InProcessSandbox:
    """Stand-in for ``Sandbox``: prepares one namespace as the host does (preloads, trusted setup cells) and
    gives every session a fresh copy of it, as a fork gives every child a copy of the host's."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.notes: set[str] = set()
        self._base: dict | None = None

    def _namespace(self) -> dict:
        if self._base is None:
            for module in self.config.preload:
                importlib.import_module(module)
            import torch

            torch.set_num_threads(1)
            base: dict = {"__name__": "__main__"}
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                for name, source in self.config.setup_cells:
                    exec(compile(source, f"<{name}>", "exec"), base)
            self._base = base
        return dict(self._base)

    def session(self, cells: list[tuple[str, str]], limits: Limits = Limits(), array_api: str | None = None,
                forbid: tuple[tuple[str, ...], ...] = ()) -> InProcessSession:
        # ``forbid`` is not enforced here: what the run-time rules cost counts as the sandbox's overhead
        session = InProcessSession(self, Runtime(self._namespace(), array_api or self.config.array_api), limits)
        report = session.load(cells)
        if not report.get("loaded"):
            session.finish()
            raise CellFailed(cells[report["index"]][0], report.get("error", {}))
        return session

    def close(self) -> None:
        self._base = None


# ----------------------------------------------------------------------------- submissions

@dataclass
class Submission:
    student: str
    label: str
    path: Path


def _strip_markers(source: str) -> str:
    return re.sub(r"(?m)^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", "", source)


def _cell_source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def choose_mutants(master_cells: dict[str, str], count: int) -> list[Mutant]:
    """Up to ``count`` mutants of the catalogue, on as many different questions as possible."""
    usable: dict[str, list[Mutant]] = {}
    for mutant in load_catalogue(ROOT, NOTEBOOK)[0]:
        apply_edits(master_cells[mutant.cell], mutant.edits, mutant.description)
        usable.setdefault(mutant.question, []).append(mutant)
    chosen: list[Mutant] = []
    while len(chosen) < count and any(usable.values()):
        for question in sorted(usable):
            if usable[question] and len(chosen) < count:
                chosen.append(usable[question].pop(0))
    return sorted(chosen, key=lambda m: m.question)


def build_submissions(folder: Path, count: int) -> list[Submission]:
    """The master, the blank release, and ``count - 2`` mutants written as students would hand them in:
    the release notebook with the master's answers (solution markers removed), one cell edited."""
    folder.mkdir(parents=True)
    master_doc = json.loads(MASTER.read_text())
    master_cells = {c["metadata"]["nbgrader"]["grade_id"]: _cell_source(c) for c in master_doc["cells"]
                    if c["cell_type"] == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    release_text = RELEASE.read_text()
    subs = [Submission("s0_master", "master", folder / "s0_master.ipynb"),
            Submission("s1_blank", "blank release", folder / "s1_blank.ipynb")]
    shutil.copyfile(MASTER, subs[0].path)
    subs[1].path.write_text(release_text)
    for i, mutant in enumerate(choose_mutants(master_cells, max(0, count - 2)), start=2):
        answers = dict(master_cells)
        answers[mutant.cell] = apply_edits(answers[mutant.cell], mutant.edits, mutant.description)
        doc = json.loads(release_text)
        for cell in doc["cells"]:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if cell["cell_type"] == "code" and grade_id in answers:
                cell["source"] = _strip_markers(answers[grade_id]).splitlines(keepends=True)
        sub = Submission(f"s{i}_{mutant.question}", f"{mutant.item}: {mutant.description}",
                         folder / f"s{i}_{mutant.question}.ipynb")
        sub.path.write_text(json.dumps(doc, indent=1))
        subs.append(sub)
    return subs


# ----------------------------------------------------------------------------- step b: sandbox overhead

@dataclass
class OverheadResult:
    host_starts: list[float] = field(default_factory=list)
    empty_sandboxed: list[float] = field(default_factory=list)
    empty_in_process: list[float] = field(default_factory=list)
    master_pregrade: float = 0.0
    sandboxed: dict[str, list[float]] = field(default_factory=dict)
    in_process: dict[str, list[float]] = field(default_factory=dict)
    cpu_sandboxed: dict[str, list[float]] = field(default_factory=dict)
    cpu_in_process: dict[str, list[float]] = field(default_factory=dict)
    scores: dict[str, tuple[str, str]] = field(default_factory=dict)
    sessions: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    per_test: dict[str, dict[str, list[tuple[float, float]]]] = field(default_factory=dict)
    empty_cpu_sandboxed: list[float] = field(default_factory=list)
    empty_cpu_in_process: list[float] = field(default_factory=list)


def _process_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and of the children it has reaped (the host reaps every sandbox child)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _cpu_now(sandbox: Any) -> float:
    """CPU seconds used so far by this process, plus, if sandboxed, the host's and its rule hosts' (the processes
    it forked that live on; each reaps its own sandbox children)."""
    own = time.process_time()
    process = getattr(sandbox, "_process", None)
    if process is None:
        return own
    with open(f"/proc/{process.pid}/task/{process.pid}/children") as children:
        living = [int(pid) for pid in children.read().split()]
    return own + sum(_process_cpu(pid) for pid in [process.pid, *living] if os.path.exists(f"/proc/{pid}"))


def measure_overhead(subs: list[Submission], rounds: int, starts: int, rng: random.Random) -> OverheadResult:
    out = OverheadResult()
    grading = Grading(ROOT, ASSIGNMENT)
    grader = grading.graders[NOTEBOOK]
    config = grader.sandbox_config()
    try:
        say(f"b: starting a sandbox host {starts} time(s) (imports numpy/torch/matplotlib, runs the setup cells)")
        for _ in range(starts):
            probe = Sandbox(config)
            start = time.perf_counter()
            probe._start()
            out.host_starts.append(time.perf_counter() - start)
            probe.close()
        say(f"b: host start-up {fmt_list(out.host_starts)} s")

        say("b: grading the master once through the sandbox (fills the reference values, warms the host)")
        start = time.perf_counter()
        require_full_marks(grading.grade_master())
        out.master_pregrade = time.perf_counter() - start
        sandbox, references = grading.sandboxes[NOTEBOOK], grading.references[NOTEBOOK]
        local = InProcessSandbox(config)
        warm = grade_notebook(grader, MASTER, "master", local, references)
        if warm.score < warm.max_score:
            lost = [f"{t.name}: {t.message}" for t in warm.tests if not t.passed]
            raise SystemExit("the in-process stand-in does not give the master full marks:\n  " + "\n  ".join(lost))

        say("b: cost of one empty session (fork + confine + kill, against a namespace copy), interleaved")
        for i in range(40):
            pair = [(sandbox, out.empty_sandboxed, out.empty_cpu_sandboxed),
                    (local, out.empty_in_process, out.empty_cpu_in_process)]
            for where, bucket, cpu_bucket in (pair if i % 2 == 0 else pair[::-1]):
                cpu_before = _cpu_now(where)
                start = time.perf_counter()
                where.session([], Limits()).finish()
                bucket.append(time.perf_counter() - start)
                cpu_bucket.append(_cpu_now(where) - cpu_before)

        flip = False
        for r in range(rounds):
            order = list(subs)
            rng.shuffle(order)
            for sub in order:
                # Interleaved test by test (not submission by submission), alternating which side goes first,
                # so that both sides see the same background load; run_test is what grade_notebook runs per test.
                answers = parse_answers(sub.path.read_bytes())
                wall = {"sandboxed": 0.0, "in-process": 0.0}
                cpu = {"sandboxed": 0.0, "in-process": 0.0}
                score = {"sandboxed": 0.0, "in-process": 0.0}
                opened = calls = 0
                for test in grader.tests:
                    flip = not flip
                    pair = [("sandboxed", sandbox), ("in-process", local)]
                    for kind, where in (pair if flip else pair[::-1]):
                        counting = Counting(where)
                        sandbox._start()  # a no-op unless the host died: its start-up is measured above
                        cpu_before = _cpu_now(where)
                        start = time.perf_counter()
                        result = run_test(grader, test, answers, counting, references)
                        seconds = time.perf_counter() - start
                        used = _cpu_now(where) - cpu_before
                        wall[kind] += seconds
                        cpu[kind] += used
                        score[kind] += result.score
                        out.per_test.setdefault(test.name, {}).setdefault(kind, []).append((seconds, used))
                        if kind == "sandboxed":
                            opened += counting.opened
                            calls += counting.calls
                for kind, walls, cpus in (("sandboxed", out.sandboxed, out.cpu_sandboxed),
                                          ("in-process", out.in_process, out.cpu_in_process)):
                    walls.setdefault(sub.student, []).append(wall[kind])
                    cpus.setdefault(sub.student, []).append(cpu[kind])
                total = sum(t.points for t in grader.tests)
                out.scores[sub.student] = (f"{score['sandboxed']:g}/{total:g}", f"{score['in-process']:g}/{total:g}")
                out.sessions[sub.student] = opened
                out.calls[sub.student] = calls
                say(f"b: round {r + 1}/{rounds} {sub.student:<10} sandboxed {wall['sandboxed']:6.2f} s "
                    f"({cpu['sandboxed']:5.2f} CPU s), in-process {wall['in-process']:6.2f} s "
                    f"({cpu['in-process']:5.2f} CPU s), overhead {wall['sandboxed'] - wall['in-process']:+.2f} s "
                    f"({cpu['sandboxed'] - cpu['in-process']:+.2f} CPU s) "
                    f"(scores {out.scores[sub.student][0]} / {out.scores[sub.student][1]})")
        local.close()
    finally:
        grading.close()
    return out


class Counting:
    """A sandbox (real or stand-in) that counts the sessions it opens."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.opened = 0
        self.sessions: list[Session] = []

    @property
    def calls(self) -> int:
        return sum(session.calls for session in self.sessions)

    @property
    def notes(self) -> set[str]:
        return self.inner.notes

    def session(self, cells: list[tuple[str, str]], limits: Limits = Limits(), array_api: str | None = None,
                forbid: tuple[tuple[str, ...], ...] = ()) -> Session:
        self.opened += 1
        session = self.inner.session(cells, limits, array_api, forbid)
        self.sessions.append(session)
        return session


# ----------------------------------------------------------------------------- steps a, c, d: command lines

def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "COURSE_QUICK": "1",
                "PYTHONUNBUFFERED": "1", "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"})
    return env


@dataclass
class CommandRun:
    name: str
    wall: float
    phases: dict[str, float]
    per_submission: dict[str, float]
    scores: dict[str, str]
    cpu: float = 0.0
    load: float = 0.0

    @property
    def busy(self) -> float:
        """Cores kept busy on average (CPU seconds of the whole process tree / wall seconds)."""
        return self.cpu / self.wall if self.wall else float("nan")


def _become_subreaper() -> None:
    """Orphans of the commands we run (say, sandbox hosts of `course grade --jobs 2` workers, which nobody
    waits for) are re-parented to this process, so that waiting for them adds their CPU time to ours."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(36, ctypes.c_ulong(1), 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _reap_orphans(timeout: float = 30.0) -> int:
    """Wait (up to ``timeout`` s) for every remaining child; return how many were left when time ran out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            if time.monotonic() > deadline:
                return 1  # a child still runs: leave it, its CPU time is simply not counted
            time.sleep(0.05)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], cwd: Path, marks: dict[str, str]) -> tuple[float, dict[str, float], float]:
    """Run ``command``; its wall time, when each of ``marks`` (label -> text) first appeared on its stderr,
    and the CPU seconds of its whole process tree (every process in it is waited for by its parent)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    seen: dict[str, float] = {}
    chunks: list[bytes] = []

    def watch() -> None:
        text = ""
        while chunk := process.stderr.read1(65536):
            chunks.append(chunk)
            text += chunk.decode("utf-8", "replace")
            for label, mark in marks.items():
                if label not in seen and mark in text:
                    seen[label] = time.perf_counter() - start

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout = process.stdout.read()
    process.wait()
    wall = time.perf_counter() - start
    _reap_orphans()
    cpu = _children_cpu() - cpu
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stdout.decode()}\n"
                         f"{b''.join(chunks).decode()[-3000:]}")
    return wall, seen, cpu


def run_course_grade(subs: list[Submission], folder: Path, out: Path, jobs: int) -> CommandRun:
    course = BIN / "course"
    command = [str(course)] if course.exists() else [sys.executable, "-m", "autograder.cli"]
    command += ["grade", ASSIGNMENT, str(folder), "--class-folder", "--out", str(out), "--jobs", str(jobs)]
    load = os.getloadavg()[0]
    wall, seen, cpu = _timed(command, ROOT, {"first progress": f"{ASSIGNMENT}:"})
    phases = {"start-up": seen["first progress"]} if "first progress" in seen else {}
    per, scores = {}, {}
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}  # results.json rounds
    for sub in subs:
        result = SubmissionResult.from_gradescope(json.loads((out / "students" / sub.student / "results.json").read_text()))
        per[sub.student] = float(rows[sub.student]["seconds"])
        scores[sub.student] = f"{result.score:g}/{result.max_score:g}"
    return CommandRun(f"course grade --jobs {jobs}", wall, phases, per, scores, cpu, load)


def build_nbgrader_course(folder: Path) -> float:
    """A throwaway nbgrader course folder with a gradebook (outside the repository)."""
    folder.mkdir(parents=True)
    shutil.copytree(ROOT / "source", folder / "source")
    shutil.copyfile(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    start = time.perf_counter()
    _timed([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force", f"--CourseDirectory.root={folder}"],
           folder, {})
    if not (folder / "gradebook.db").is_file():
        raise SystemExit(f"nbgrader generate_assignment wrote no gradebook in {folder}")
    return time.perf_counter() - start


def run_nbgrader(subs: list[Submission], template: Path, folder: Path) -> CommandRun:
    shutil.copytree(template, folder)  # a fresh gradebook and no earlier autograded/ each time
    for sub in subs:
        target = folder / "submitted" / sub.student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        target.parent.mkdir(parents=True)
        shutil.copyfile(sub.path, target)
    load = os.getloadavg()[0]
    wall, _, cpu = _timed([str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--create", "--force",
                         f"--CourseDirectory.root={folder}"], folder, {})
    scores = {}
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        for sub in subs:
            nb = gradebook.find_submission_notebook(ASSIGNMENT, NOTEBOOK, sub.student)
            scores[sub.student] = f"{nb.code_score:g}/{nb.max_code_score:g}"
    return CommandRun("nbgrader autograde", wall, {}, {}, scores, cpu, load)


# ----------------------------------------------------------------------------- reporting

def fmt_list(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def mean(values) -> float:
    values = list(values)
    return statistics.fmean(values) if values else float("nan")


def spread(values: list[float]) -> str:
    if len(values) < 2:
        return ""
    return f" (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 submissions and 1 round: a smoke run")
    parser.add_argument("--submissions", type=int, help="number of submissions (default 8, --quick 3)")
    parser.add_argument("--rounds", type=int, help="repetitions of every comparison (default 2, --quick 1)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the shuffles (default: from the clock)")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out: b, c, d (for debugging)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (submissions, outputs)")
    args = parser.parse_args(argv)
    count = args.submissions or (3 if args.quick else 8)
    rounds = args.rounds or (1 if args.quick else 2)
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    rng = random.Random(seed)
    _become_subreaper()

    import torch

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"bench_grading: {ASSIGNMENT}, {count} submissions, {rounds} round(s), shuffle seed {seed}")
    print(f"machine: {os.cpu_count()} cores ({affinity} usable), load average at start "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}; python {sys.version.split()[0]}, torch "
          f"{torch.__version__}")
    print("every contender runs with OMP_NUM_THREADS=1 and COURSE_QUICK=1; the sandbox children also get "
          "torch.set_num_threads(1)", flush=True)
    gradebook_before = (ROOT / "gradebook.db").exists()

    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        say(f"building {count} submissions in {tmp / 'submissions'}")
        subs = build_submissions(tmp / "submissions", count)
        for sub in subs:
            print(f"    {sub.student:<10} {sub.label}")

        overhead = None
        if "b" not in skip:
            overhead = measure_overhead(subs, rounds, 2 if args.quick else 3, rng)

        runs: dict[str, list[CommandRun]] = {"j1": [], "j2": [], "nb": []}
        nb_template = tmp / "nbgrader-template"
        nb_build = None
        if "d" not in skip:
            say("d: building a temporary nbgrader course (nbgrader generate_assignment --force, with a gradebook)")
            nb_build = build_nbgrader_course(nb_template)
            say(f"d: nbgrader course ready in {nb_build:.1f} s (not counted)")
        plan = [kind for kind, wanted in (("j1", not {"c", "d"} <= skip), ("j2", "c" not in skip),
                                          ("nb", "d" not in skip)) if wanted]
        for r in range(rounds):
            order = plan if r % 2 == 0 else plan[::-1]
            for kind in order:
                label = {"j1": "course grade --jobs 1", "j2": "course grade --jobs 2", "nb": "nbgrader autograde"}[kind]
                say(f"{'c/d' if kind == 'j1' else 'c' if kind == 'j2' else 'd'}: round {r + 1}/{rounds}: {label} "
                    f"on {len(subs)} submissions")
                if kind == "nb":
                    run = run_nbgrader(subs, nb_template, tmp / f"nbgrader-{r}")
                else:
                    run = run_course_grade(subs, tmp / "submissions", tmp / f"out-{kind}-{r}", int(kind[1]))
                runs[kind].append(run)
                phases = ", ".join(f"{k} {v:.1f} s" for k, v in run.phases.items())
                say(f"   {label}: {run.wall:.1f} s wall, {run.wall / len(subs):.2f} s per submission"
                    + (f" ({phases})" if phases else "") + f"; {run.cpu:.1f} CPU s, {run.busy:.2f} cores busy, "
                    f"load average {run.load:.2f} when it started")

        # ------------------------------------------------------------------ report
        n = len(subs)
        print()
        print("=" * 100)
        print("per submission (seconds; scores: sandboxed / in-process / course grade / nbgrader code score)")
        header = (f"{'student':<11}{'sandboxed':>10}{'in-proc':>9}{'overhead':>9}{'cpu ovh':>9}{'sessions':>9}"
                  f"{'--jobs 1':>9}  scores")
        print(header)
        print("-" * 100)
        for sub in subs:
            row = f"{sub.student:<11}"
            if overhead:
                sb, ip = mean(overhead.sandboxed[sub.student]), mean(overhead.in_process[sub.student])
                cpu = mean(overhead.cpu_sandboxed[sub.student]) - mean(overhead.cpu_in_process[sub.student])
                row += f"{sb:>10.2f}{ip:>9.2f}{sb - ip:>+9.2f}{cpu:>+9.2f}{overhead.sessions.get(sub.student, 0):>9d}"
            else:
                row += f"{'-':>10}{'-':>9}{'-':>9}{'-':>9}{'-':>9}"
            row += f"{mean(r.per_submission[sub.student] for r in runs['j1']):>9.2f}" if runs["j1"] else f"{'-':>9}"
            scores = [*(overhead.scores[sub.student] if overhead else ("-", "-")),
                      runs["j1"][0].scores[sub.student] if runs["j1"] else "-",
                      runs["nb"][0].scores[sub.student] if runs["nb"] else "-"]
            print(row + "  " + " / ".join(scores))
        print("=" * 100)

        summary: list[tuple[str, str, str, str]] = []
        print()
        if runs["j1"]:
            per_run = [mean(r.per_submission.values()) for r in runs["j1"]]
            a = mean(per_run)
            print(f"a. course grade --jobs 1: {a:.2f} s per submission (mean of grades.csv execution times)"
                  f"{spread(per_run)}; wall clock per submission including start-up and the master "
                  f"grading: {mean(r.wall for r in runs['j1']) / n:.2f} s, CPU seconds per submission likewise "
                  f"{mean(r.cpu for r in runs['j1']) / n:.2f} s")
            summary.append(("a  seconds per submission, --jobs 1", f"{a:.2f} s", f"<= {TARGET_SECONDS:g} s",
                            "PASS" if a <= TARGET_SECONDS else "MISS"))
        if overhead:
            diffs = [mean(overhead.sandboxed[s.student]) - mean(overhead.in_process[s.student]) for s in subs]
            sb_all = mean(mean(v) for v in overhead.sandboxed.values())
            ip_all = mean(mean(v) for v in overhead.in_process.values())
            b = mean(diffs)
            sessions = mean(overhead.sessions.values())
            empty_sb, empty_ip = statistics.median(overhead.empty_sandboxed), statistics.median(
                overhead.empty_in_process)
            print(f"b. sandbox overhead: {b:.2f} s per submission (sandboxed {sb_all:.2f} s, in-process "
                  f"{ip_all:.2f} s, ratio {sb_all / ip_all:.2f}x; per submission min {min(diffs):+.2f}, "
                  f"max {max(diffs):+.2f}); {sessions:.0f} sessions per submission, "
                  f"{1000 * b / max(sessions, 1):.0f} ms each")
            cpu_diffs = [mean(overhead.cpu_sandboxed[s.student]) - mean(overhead.cpu_in_process[s.student])
                         for s in subs]
            print(f"   in CPU seconds (this process + the host and its children; less sensitive to other load): "
                  f"sandboxed {mean(mean(v) for v in overhead.cpu_sandboxed.values()):.2f} s, in-process "
                  f"{mean(mean(v) for v in overhead.cpu_in_process.values()):.2f} s, overhead "
                  f"{mean(cpu_diffs):.2f} s per submission")
            print(f"   {mean(overhead.calls.values()):.0f} remote calls per submission (mean; the wire round trip "
                  f"of each one is part of the overhead)")
            print(f"   one empty session: sandboxed {1000 * empty_sb:.1f} ms, in-process {1000 * empty_ip:.2f} ms "
                  f"(medians of {len(overhead.empty_sandboxed)}); x {sessions:.0f} sessions = "
                  f"{sessions * (empty_sb - empty_ip):.2f} s per submission")
            print(f"   one empty session in CPU: sandboxed {1000 * mean(overhead.empty_cpu_sandboxed):.1f} ms, "
                  f"in-process {1000 * mean(overhead.empty_cpu_in_process):.1f} ms (means; /proc ticks are 10 ms)")
            rows = []
            for name, sides in overhead.per_test.items():
                sb_t, ip_t = sides.get("sandboxed", []), sides.get("in-process", [])
                rows.append((mean(x[0] for x in sb_t) - mean(x[0] for x in ip_t),
                             mean(x[1] for x in sb_t) - mean(x[1] for x in ip_t),
                             mean(x[0] for x in ip_t), name))
            rows.sort(reverse=True)
            print("   largest overheads per test (mean over submissions; wall, CPU, in-process wall):")
            for wall_d, cpu_d, base, name in rows[:6]:
                print(f"     {wall_d:+6.3f} s {cpu_d:+6.3f} CPU s  of {base:6.3f} s  {name[:70]}")
            print(f"   host start-up: {mean(overhead.host_starts):.2f} s{spread(overhead.host_starts)}; "
                  f"`course grade` starts 2 hosts with --jobs 1 (tests + references), 2 + N with --jobs N; "
                  f"first master grade (references computed): {overhead.master_pregrade:.2f} s")
            summary.append(("b  sandbox overhead per submission", f"{b:.2f} s", f"<= {TARGET_OVERHEAD:g} s",
                            "PASS" if b <= TARGET_OVERHEAD else "MISS"))
            summary.append(("   same, in CPU seconds", f"{mean(cpu_diffs):.2f} s", "-", "info"))
            summary.append(("   host start-up (once per host)", f"{mean(overhead.host_starts):.2f} s", "-", "info"))
        if runs["j1"] and runs["j2"]:
            ratios = [a_.wall / b_.wall for a_, b_ in zip(runs["j1"], runs["j2"])]
            speedup = mean(r.wall for r in runs["j1"]) / mean(r.wall for r in runs["j2"])
            print(f"c. --jobs 2 vs --jobs 1: {mean(r.wall for r in runs['j1']):.1f} s vs "
                  f"{mean(r.wall for r in runs['j2']):.1f} s wall, speed-up {speedup:.2f}x "
                  f"(per round: {', '.join(f'{x:.2f}x' for x in ratios)})")
            best = min(r.wall for r in runs["j1"]) / min(r.wall for r in runs["j2"])
            print(f"   best of rounds (least disturbed by other work): {min(r.wall for r in runs['j1']):.1f} s vs "
                  f"{min(r.wall for r in runs['j2']):.1f} s, speed-up {best:.2f}x")
            for kind in ("j1", "j2"):
                for i, run in enumerate(runs[kind]):
                    print(f"   {run.name} round {i + 1}: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.phases.items())
                          + f"; {run.cpu:.1f} CPU s, {run.busy:.2f} cores busy (ideal: 1 and 2), load average "
                          f"{run.load:.2f} at its start")
            summary.append(("c  --jobs 2 speed-up (whole command)", f"{speedup:.2f}x", f">= {TARGET_SPEEDUP:g}x",
                            "PASS" if speedup >= TARGET_SPEEDUP else "MISS"))
            summary.append(("   --jobs 2 speed-up, best of rounds", f"{best:.2f}x", "-", "info"))
        if runs["nb"] and runs["j1"]:
            nb_per = mean(r.wall for r in runs["nb"]) / n
            cg_per = mean(r.wall for r in runs["j1"]) / n
            print(f"d. nbgrader autograde: {nb_per:.2f} s per submission vs course grade --jobs 1 {cg_per:.2f} s "
                  f"(whole commands / {n}; both with COURSE_QUICK=1 and OMP_NUM_THREADS=1): nbgrader takes "
                  f"{nb_per / cg_per:.2f}x as long (per round: "
                  f"{', '.join(f'{x.wall / y.wall:.2f}x' for x, y in zip(runs['nb'], runs['j1']))}); building its "
                  f"course folder (generate_assignment with a gradebook) took {nb_build:.1f} s more")
            nb_cpu = mean(r.cpu for r in runs["nb"]) / n
            cg_cpu = mean(r.cpu for r in runs["j1"]) / n
            print(f"   in CPU seconds (whole process trees, less sensitive to other load): nbgrader {nb_cpu:.2f} s, "
                  f"course grade --jobs 1 {cg_cpu:.2f} s per submission, ratio {nb_cpu / cg_cpu:.2f}x")
            summary.append(("d  nbgrader autograde, s/submission", f"{nb_per:.2f} s", "-", "info"))
            summary.append(("   course grade --jobs 1, s/submission", f"{cg_per:.2f} s", "-", "info"))
            summary.append(("   nbgrader / course grade", f"{nb_per / cg_per:.2f}x", "-", "info"))
            summary.append(("   nbgrader / course grade, CPU seconds", f"{nb_cpu / cg_cpu:.2f}x", "-", "info"))

        print()
        print(f"{'summary':<42}{'measured':>10}{'target':>10}  verdict")
        print("-" * 72)
        for name, value, target, verdict in summary:
            print(f"{name:<42}{value:>10}{target:>10}  {verdict}")
        print(f"\nload average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"(the cores are shared: other work on the machine inflates every number; compare the ratios)")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        if not gradebook_before and (ROOT / "gradebook.db").exists():
            (ROOT / "gradebook.db").unlink()
            print("warning: a gradebook.db appeared in the repository and was removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
