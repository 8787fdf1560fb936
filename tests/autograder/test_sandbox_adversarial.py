"""Hostile submissions against the real spiral grader: every promise of the sandbox, checked end to end.

Each test grades a submission that attacks one promise, through the same ``Grading`` that ``course grade``
uses (one per xdist worker, shared by the module), or drives the grading host's sandbox directly when it
must watch the child while it runs.

=====================================================  ===========================================================
promise                                                proven by
=====================================================  ===========================================================
1  a hang costs only the tests that run it             test_a_hang_in_a_method_costs_only_the_tests_that_call_it,
                                                       test_a_hang_while_the_cell_loads_is_a_time_limit
2  a crash costs only its tests; the batch goes on     test_a_crash_costs_only_the_tests_that_run_it
3  a memory bomb fails fast and harms nothing          test_a_memory_bomb_fails_fast_and_leaves_the_grader_working
4  ignored signals do not save a hang                  test_a_child_that_ignores_signals_is_still_killed
5  nothing a submission starts survives                test_no_process_a_submission_starts_survives_its_session,
                                                       test_no_process_survives_grading
6  huge output is truncated, not punished              test_huge_output_is_truncated_and_not_punished
7  unreadable or incomplete notebooks get a reason     test_unreadable_and_incomplete_notebooks_score_zero_with_a_reason
8  monkeypatching in the child cannot change scores    test_monkeypatching_in_the_child_does_not_change_scores
9  (root) the child runs unprivileged and offline,    test_the_child_is_unprivileged_and_offline,
   sees no course folder, no results folder in the     test_the_child_cannot_read_course_folders_or_results,
   course or a shared scratch folder, and cannot       test_a_child_leaves_nothing_for_later_children_or_hosts
   leave files for a later child or host
10 forged replies and odd values cost only that test   test_forged_replies_cost_only_that_test,
                                                       test_odd_return_values_cost_only_that_test
11 grading is deterministic                            test_grading_the_same_submission_twice_gives_the_same_result
12 results are atomic and a killed batch resumes       test_a_killed_batch_resumes_and_leaves_no_process_behind
=====================================================  ===========================================================
"""
from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import nbformat
import numpy as np
import pytest

from autograder.results import SubmissionResult, TestResult, write_atomically
from autograder.sandbox import Limits, Sandbox, SandboxTimeout
from autograder.workers import Grading
from tests.conftest import ROOT

NB = "spiral_from_scratch"
MASTER = ROOT / "source" / NB / f"{NB}.ipynb"
HANG = 1.0  # the time limit, in seconds, of tests whose submission is expected to hang
ROOTED = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOTED, reason="confinement to another user and namespaces needs root")


# ----------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def grading() -> Iterator[Grading]:
    """One Grading for the module; the layer tests' reference values are computed first, with their real
    time limits, by grading the master (which must pass them all)."""
    g = Grading(ROOT, NB)
    try:
        baseline = grade(g, {}, {cell: None for cell in ("Q1_solution", "Q2_solution", "Q3_solution", "Q4_solution")})
        assert [r.name for r in baseline if not r.passed] == []
        yield g
    finally:
        g.close()


@contextmanager
def selected(g: Grading, timeouts: dict[str, float | None], per_cell: int | None = None) -> Iterator:
    """Let the grader run only the tests of the answer cells in ``timeouts``, in that order, each with the given
    time limit (``None``: its own), at most ``per_cell`` of them per cell."""
    grader = g.graders[NB]
    saved = grader.tests
    grader.tests = [dataclasses.replace(t, timeout=limit or t.timeout) for cell, limit in timeouts.items()
                    for t in [t for t in saved if cell in t.cells][:per_cell]]
    try:
        yield grader
    finally:
        grader.tests = saved


def grade(g: Grading, answers: dict[str, str], timeouts: dict[str, float | None], per_cell: int | None = None
          ) -> list[TestResult]:
    """Grade the master's answer cells with ``answers`` replacing some (see ``selected``)."""
    with selected(g, timeouts, per_cell) as grader:
        return g.grade_answers(NB, {**grader.master_cells, **answers})


def of(results: list[TestResult], question: str) -> list[TestResult]:
    found = [r for r in results if r.question == question]
    assert found, f"no test of {question} ran"
    return found


def assert_full(results: list[TestResult]) -> None:
    assert [(r.name, r.message) for r in results if not r.passed] == []


def assert_zero(results: list[TestResult], reason: str) -> None:
    """Every result scores 0 and its message says ``reason``."""
    for r in results:
        assert r.score == 0 and reason in r.message, (r.name, r.message)


def tanh_cell(load: str = "", forward: str = "", result: str = "self._out") -> str:
    """A correct Tanh answer cell, but for ``load`` run as the cell runs, ``forward`` run first in every forward,
    and the value ``result`` that forward returns."""
    return ("import ctypes, os, signal, subprocess, sys, time\n" + textwrap.dedent(load).strip() + "\n"
            "class Tanh:\n"
            "    def __init__(self):\n"
            "        self._out = None\n"
            "    def forward(self, z):\n"
            + textwrap.indent(textwrap.dedent(forward).strip() or "pass", " " * 8) + "\n"
            "        self._out = torch.tanh(z)\n"
            f"        return {result}\n"
            "    def backward(self, da):\n"
            "        if self._out is None:\n"
            "            raise RuntimeError('call forward before backward')\n"
            "        return da * (1.0 - self._out * self._out)\n")


def sandbox(g: Grading) -> Sandbox:
    return g.sandboxes[NB]


def probe(g: Grading, source: str, *args: object) -> object:
    """Run ``source`` (which defines ``probe``) in a child of the grading host and return ``probe(*args)``."""
    with sandbox(g).session([("probe", textwrap.dedent(source))], Limits(wall_seconds=20)) as session:
        return session.call("probe", *args)


def living(marker: str, uids: set[int] = frozenset()) -> list[int]:
    """Processes, zombies aside, whose command line or name holds ``marker`` or whose user is one of ``uids``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes() + Path(f"/proc/{entry}/comm").read_bytes()
        except OSError:
            continue
        uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
        if re.search(r"^State:\s+Z", status, re.M) is None and (marker.encode() in command or uid in uids):
            found.append(int(entry))
    return found


def child_uid(g: Grading) -> int:
    return int(probe(g, "import os\ndef probe():\n    return os.getuid()"))


def notebook(path: Path, cells: dict[str, str | None]) -> Path:
    """The master notebook with some answer cells replaced (``None``: the cell loses its nbgrader metadata)."""
    nb = nbformat.read(MASTER, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            if cells[grade_id] is None:
                del cell.metadata["nbgrader"]
            else:
                cell.source = cells[grade_id]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


# ----------------------------------------------------------------------------- 12: a killed batch
# First in the file, so that on two workers its two runs of `course grade` overlap everything else.


def descendants(root: int) -> dict[int, str]:
    """Processes below ``root``, each with its start time (so that a reused pid is not mistaken for it)."""
    parents, starts = {}, {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry)], starts[int(entry)] = int(fields[1]), fields[19]
    found, frontier = {}, {root}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier and p not in found}
        found.update({p: starts[p] for p in frontier})
    return found


def alive(pid: int, start: str) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == start and fields[0] != "Z"


def course_grade(submissions: Path, out: Path, log: Path) -> subprocess.Popen:
    with log.open("ab") as stream:
        return subprocess.Popen([sys.executable, "-m", "autograder.cli", "grade", NB, str(submissions), "--out",
                                 str(out), "--jobs", "1"], cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT)


def test_a_killed_batch_resumes_and_leaves_no_process_behind(tmp_path):
    submissions, out, log = tmp_path / "submissions", tmp_path / "out", tmp_path / "log.txt"
    submissions.mkdir()
    (submissions / "a_broken.ipynb").write_text("{ not a notebook")
    blank = nbformat.read(ROOT / "release" / NB / f"{NB}.ipynb", as_version=4)
    nbformat.write(blank, submissions / "b_blank.ipynb")
    for cell in blank.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "Q4_solution":
            cell.source = tanh_cell()
    nbformat.write(blank, submissions / "c_tanh_only.ipynb")
    first = out / "a_broken" / "results.json"

    batch = course_grade(submissions, out, log)
    deadline = time.monotonic() + 180
    while not first.exists() and batch.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    family = descendants(batch.pid)
    batch.kill()
    batch.wait()
    assert first.exists(), log.read_text()
    assert family, "the batch had no sandbox processes"
    finished = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in out.glob("*/results.json")}
    assert len(finished) < 3, "the batch finished before it was killed"
    deadline = time.monotonic() + 20
    while any(alive(p, s) for p, s in family.items()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p for p, s in family.items() if alive(p, s)] == []

    again = course_grade(submissions, out, log)
    assert again.wait(timeout=300) == 0, log.read_text()
    assert {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in finished} == finished
    assert f"{len(finished)} submission(s) already graded" in log.read_text()
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert sorted(rows) == ["a_broken", "b_blank", "c_tanh_only"]
    assert rows["c_tanh_only"]["Q4"] == "10" and rows["b_blank"]["Q4"] == "0"
    assert list(out.glob("**/.*.tmp")) == []


# ----------------------------------------------------------------------------- 1, 2, 3, 4: hangs, crashes, memory


def test_a_hang_in_a_method_costs_only_the_tests_that_call_it(grading):
    results = grade(grading, {"Q4_solution": tanh_cell(forward="while True: pass")},
                    {"Q4_solution": HANG, "Q1_solution": None})
    assert_zero(of(results, "Q4"), "exceeded the time limit of 1 s")
    assert all(r.seconds < HANG + 5 for r in of(results, "Q4"))
    assert_full(of(results, "Q1"))


def test_a_hang_while_the_cell_loads_is_a_time_limit(grading):
    results = grade(grading, {"Q4_solution": tanh_cell(load="while True: pass")},
                    {"Q4_solution": HANG, "Q1_solution": None}, per_cell=2)
    assert_zero(of(results, "Q4"), "exceeded the time limit")
    assert_full(of(results, "Q1"))


@pytest.mark.parametrize("load, forward, reason", [
    ("", "os._exit(3)", "ended unexpectedly (exit code 3)"),
    ("", "ctypes.string_at(0)", "ended unexpectedly (killed by SIGSEGV)"),
    ("", "os.kill(os.getpid(), signal.SIGKILL)", "ended unexpectedly (killed by SIGKILL)"),
    ("", "sys.exit()", "your code raised SystemExit"),
    ("sys.exit('bye')", "", "running your cell Q4_solution raised SystemExit: bye"),
    ("os._exit(0)", "", "ended unexpectedly (exit code 0)"),
], ids=["exit-in-method", "segfault", "kill-self", "sys-exit-in-method", "sys-exit-at-load", "exit-at-load"])
def test_a_crash_costs_only_the_tests_that_run_it(grading, load, forward, reason):
    # Tanh's tests run first: the InstanceNorm1D tests after them show that the batch goes on
    results = grade(grading, {"Q4_solution": tanh_cell(load=load, forward=forward)},
                    {"Q4_solution": None, "Q1_solution": None})
    assert_zero(of(results, "Q4"), reason)
    assert_full(of(results, "Q1"))


@pytest.mark.parametrize("load, forward, reason", [
    ("", "np.ones(8 * 2**30)", "MemoryError"),
    ("", "torch.ones(8 * 2**30, dtype=torch.float64)", "memory"),
    ("hoard = []\nwhile True:\n    hoard.append(b'x' * 2**24)", "", "MemoryError"),
], ids=["numpy-64GB", "torch-64GB", "growing-list"])
def test_a_memory_bomb_fails_fast_and_leaves_the_grader_working(grading, load, forward, reason):
    start = time.monotonic()
    results = grade(grading, {"Q4_solution": tanh_cell(load=load, forward=forward)},
                    {"Q4_solution": None, "Q1_solution": None}, per_cell=1)
    assert_zero(of(results, "Q4"), reason)
    assert_full(of(results, "Q1"))
    assert time.monotonic() - start < 30


def test_a_child_that_ignores_signals_is_still_killed(grading):
    stubborn = tanh_cell(load="""
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
            signal.signal(number, signal.SIG_IGN)
        """, forward="""
        while True:
            try:
                time.sleep(1)
            except BaseException:
                pass
        """)
    results = grade(grading, {"Q4_solution": stubborn}, {"Q4_solution": HANG, "Q1_solution": None}, per_cell=1)
    assert_zero(of(results, "Q4"), "exceeded the time limit")
    assert_full(of(results, "Q1"))
    with sandbox(grading).session([("Q4_solution", stubborn)], Limits(wall_seconds=2 * HANG)) as session:
        with pytest.raises(SandboxTimeout):
            session.new("Tanh").call("forward", np.ones((2, 2)))
    assert session.outcome.status == "killed by SIGKILL"
    with pytest.raises(ProcessLookupError):
        os.kill(session.pid, 0)


# ----------------------------------------------------------------------------- 5: processes


def spawner(marker: str) -> str:
    """Load-time code that starts a plain child, a double-forked daemon in its own session, and a fork bomb of
    32 processes, all sleeping; each carries ``marker`` in its command line or name."""
    return f"""
        MARK = {marker!r}
        SLEEPER = [sys.executable, "-c", "import time; time.sleep(1000)", MARK]
        subprocess.Popen(SLEEPER)
        daemon = os.fork()
        if daemon == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, SLEEPER)
            os._exit(0)
        os.waitpid(daemon, 0)
        if os.fork() == 0:
            for _ in range(5):
                try:
                    os.fork()
                except OSError:
                    pass
            ctypes.CDLL(None).prctl(15, MARK.encode(), 0, 0, 0)
            time.sleep(1000)
            os._exit(0)
        """


def test_no_process_a_submission_starts_survives_its_session(grading):
    marker = f"sbx{uuid.uuid4().hex[:10]}"
    uids = {child_uid(grading)} if ROOTED else set()
    with sandbox(grading).session([("Q4_solution", tanh_cell(load=spawner(marker)))], Limits(wall_seconds=30)):
        deadline = time.monotonic() + 15
        while len(living(marker)) < 34 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(living(marker)) >= 34  # 2 sleepers and 32 bomb processes are running
    assert living(marker, uids) == []


def test_no_process_survives_grading(grading):
    marker = f"sbx{uuid.uuid4().hex[:10]}"
    results = grade(grading, {"Q4_solution": tanh_cell(load=spawner(marker))}, {"Q4_solution": None}, per_cell=2)
    assert_full(of(results, "Q4"))
    assert living(marker, {child_uid(grading)} if ROOTED else set()) == []


# ----------------------------------------------------------------------------- 6, 7: output and notebooks


def test_huge_output_is_truncated_and_not_punished(grading):
    loud = tanh_cell(load="sys.stdout.write('spam ' * 10_000_000)\nprint('the end')",
                     forward="print('forward called')")
    results = grade(grading, {"Q4_solution": loud}, {"Q4_solution": None}, per_cell=2)
    assert_full(of(results, "Q4"))
    for r in results:
        assert r.output.startswith("spam spam") and "the end" not in r.output
        assert re.search(r"\[\.\.\. \d+ more bytes not shown\]", r.output)
        assert len(r.output) < 40_000
    result = SubmissionResult("loud", NB, results)
    assert len(result.feedback()) < 50_000 * len(results)
    assert len(json.dumps(result.to_gradescope())) < 100_000 * len(results)


def test_unreadable_and_incomplete_notebooks_score_zero_with_a_reason(grading, tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [ this is not json')
    no_class = notebook(tmp_path / "no_class.ipynb", {"Q4_solution": "# I did not get to Tanh\n"})
    no_cell = notebook(tmp_path / "no_cell.ipynb", {"Q4_solution": None})
    with selected(grading, {"Q4_solution": None, "Q1_solution": None}, per_cell=2):
        unreadable = grading.grade_student("broken", {NB: broken}).tests
        missing_class = grading.grade_student("no_class", {NB: no_class}).tests
        missing_cell = grading.grade_student("no_cell", {NB: no_cell}).tests
    assert len(unreadable) == 4
    assert_zero(unreadable, "your notebook could not be read: not valid notebook JSON")
    assert_zero(of(missing_class, "Q4"), "'Tanh' is not defined by your notebook")
    assert_zero(of(missing_cell, "Q4"), "your notebook has no answer cell Q4_solution")
    assert_full(of(missing_class, "Q1") + of(missing_cell, "Q1"))


# ----------------------------------------------------------------------------- 8, 11: scores


WRONG_TANH = {"result": "self._out * 1.01"}
PATCHES = """
    import builtins, numpy, torch
    import course_utils.gradient_check as gradient_check
    numpy.allclose = numpy.array_equal = torch.allclose = torch.equal = lambda *a, **k: True
    numpy.max = numpy.amax = lambda *a, **k: 0.0
    numpy.isfinite = lambda x, *a, **k: numpy.ones(numpy.shape(x), dtype=bool)
    gradient_check.rel_error = lambda *a, **k: 0.0
    builtins.abs = lambda x: 0
    """
# builtins the child itself needs: replacing them breaks the child, which can only cost points
BREAKING_PATCHES = """
    import builtins
    builtins.max = builtins.min = builtins.sum = lambda *a, **k: 0
    builtins.float = lambda *a: 0.0
    builtins.isinstance = lambda *a: True
    """


def test_monkeypatching_in_the_child_does_not_change_scores(grading):
    plain = grade(grading, {"Q4_solution": tanh_cell(**WRONG_TANH)}, {"Q4_solution": None})
    assert 0 < sum(r.score for r in plain) < sum(r.max_score for r in plain)
    patched = grade(grading, {"Q4_solution": tanh_cell(load=PATCHES, **WRONG_TANH)}, {"Q4_solution": None})
    assert [(r.name, r.score, r.message) for r in patched] == [(r.name, r.score, r.message) for r in plain]
    for where in ("load", "forward"):
        broken = grade(grading, {"Q4_solution": tanh_cell(**{where: PATCHES + BREAKING_PATCHES}, **WRONG_TANH)},
                       {"Q4_solution": None})
        assert all(b.score <= p.score for b, p in zip(broken, plain, strict=True))


def test_grading_the_same_submission_twice_gives_the_same_result(grading):
    lazy_dropout = grading.graders[NB].master_cells["Q2_solution"].replace("/ keep", "")
    answers = {"Q2_solution": lazy_dropout, "Q4_solution": tanh_cell(**WRONG_TANH)}
    cells = {"Q2_solution": None, "Q4_solution": None}
    first, second = grade(grading, answers, cells), grade(grading, answers, cells)
    assert 0 < sum(r.score for r in first) < sum(r.max_score for r in first)
    assert [(r.name, r.score, r.message) for r in first] == [(r.name, r.score, r.message) for r in second]


# ----------------------------------------------------------------------------- 9: what the child can reach

ACCESS = """
    import os
    def probe(paths):
        seen = {}
        for path in paths:
            try:
                if os.path.isdir(path):
                    seen[path] = "listed: " + " ".join(sorted(os.listdir(path)))
                else:
                    with open(path, "rb") as f:
                        seen[path] = "read: " + repr(f.read(40))
            except OSError as exc:
                seen[path] = f"refused: {exc.strerror}"
        return seen
    """


@needs_root
def test_the_child_is_unprivileged_and_offline(grading):
    listener = socket.create_server(("127.0.0.1", 0))
    abstract = socket.socket(socket.AF_UNIX)
    abstract_name = f"\0sbx-{uuid.uuid4().hex}"
    abstract.bind(abstract_name)
    abstract.listen()
    with listener, abstract:
        seen = probe(grading, """
            import os, socket
            def probe(port, abstract):
                def attempt(family, address):
                    try:
                        with socket.socket(family) as s:
                            s.settimeout(2)
                            s.connect(address)
                        return "connected"
                    except OSError as exc:
                        return f"refused: {exc.strerror}"
                status = dict(line.split(":", 1) for line in open("/proc/self/status"))
                try:
                    os.kill(os.getppid(), 0)
                    signal_host = "allowed"
                except OSError as exc:
                    signal_host = exc.strerror
                return {"ids": [*os.getresuid(), *os.getresgid()], "groups": os.getgroups(),
                        "capabilities": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
                        "interfaces": sorted(name for _, name in socket.if_nameindex()), "signal_host": signal_host,
                        "loopback": attempt(socket.AF_INET, ("127.0.0.1", port)),
                        "internet": attempt(socket.AF_INET, ("1.1.1.1", 53)),
                        "abstract": attempt(socket.AF_UNIX, abstract)}
            """, listener.getsockname()[1], abstract_name)
    assert all(61000 <= i < 65000 for i in seen["ids"]) and seen["groups"] == []
    assert int(seen["capabilities"], 16) == 0 and seen["no_new_privs"] == "1"
    assert seen["interfaces"] == ["lo"] and seen["signal_host"] == "Operation not permitted"
    for target in ("loopback", "internet", "abstract"):
        assert seen[target].startswith("refused"), (target, seen[target])


@needs_root
def test_the_child_cannot_read_course_folders_or_results(grading, tmp_path):
    out = Path(tempfile.mkdtemp(prefix="sbx-results-"))  # a results folder anyone could list, as --out may be
    try:
        os.chmod(out, 0o755)
        SubmissionResult("alice", NB, [TestResult("Q1_forward: x", "Q1_forward", 3.0, 3.0)]).write(out / "alice")
        write_atomically(out / "grades.csv", "student,auto_score\nalice,3\n")
        secret = [ROOT / "source" / NB / f"{NB}.ipynb", ROOT / "autograder" / "graders" / f"{NB}.py",
                  ROOT / "tests" / "conftest.py", ROOT / ".git" / "HEAD", ROOT / "source", ROOT / "autograder",
                  ROOT / "tests", ROOT / ".git", out, out / "grades.csv", out / "alice",
                  out / "alice" / "results.json", out / "alice" / "feedback.txt"]
        public = [ROOT / "course_utils" / "__init__.py", ROOT / "release" / NB / f"{NB}.ipynb"]
        seen = probe(grading, ACCESS, [str(p) for p in [ROOT, *secret, *public]])
    finally:
        subprocess.run(["rm", "-rf", str(out)], check=True)
    for path in secret:
        assert seen[str(path)].startswith("refused") or seen[str(path)] == "listed: ", (path, seen[str(path)])
    for path in public:
        assert seen[str(path)].startswith("read"), (path, seen[str(path)])
    assert set(seen[str(ROOT)].split()[1:]) <= {"course_utils", "release", "datasets", ".venv"}


@needs_root
def test_a_child_leaves_nothing_for_later_children_or_hosts(grading):
    """Shared world-writable folders are the child's own empty, read-only copies, its own folder is deleted
    after it, and no host puts a folder a child can write to on Python's import path: so nothing a child
    plants is read by another child, or imported by a host (which runs as root)."""
    module = f"sbx_planted_{uuid.uuid4().hex[:10]}"
    witness = Path(tempfile.gettempdir()) / f"{module}.ran"
    folder, planted = probe(grading, """
        import os, sys
        def probe(module, witness):
            written = []
            for folder in {*sys.path, "/tmp", "/var/tmp", "/dev/shm", "/run/lock", os.getcwd()}:
                try:
                    with open(os.path.join(folder, module + ".py"), "w") as f:
                        f.write(f"import os\\nopen({witness!r}, 'w').write(str(os.getuid()))\\n")
                    written.append(folder)
                except OSError:
                    pass
            return os.getcwd(), written
        """, module, str(witness))
    try:
        assert planted == [folder] and not Path(folder).exists()
        with Sandbox(dataclasses.replace(grading.graders[NB].sandbox_config(), preload=(module,))) as host:
            with pytest.raises(RuntimeError, match="failed to start|stopped answering"):
                host.session([], Limits(wall_seconds=10))
        assert not witness.exists()
    finally:
        for shared in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", tempfile.gettempdir()):
            Path(shared, f"{module}.py").unlink(missing_ok=True)
        witness.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- 10: forged replies, odd values


# Python expressions, evaluated in the child, for what the child writes to its socket to the grader
FORGERIES = {
    "junk": "b'\\xff' * 64",
    "deep-json": "frame(b'[' * 100_000 + b']' * 100_000)",
    "huge-integer": "frame(b'1' * 5000)",
    "json-bomb": "frame(b'[' + b'[],' * 10_000_000 + b'[]]')",
    "unhashable-dtype": "frame({'$array': 0, 'dtype': ['float64'], 'shape': [1], 'size': 8}, bytes(8))",
    "unhashable-dtype-tag": "frame({'$dtype': {}})",
    "overflowing-shape": "frame({'$array': 0, 'dtype': 'float64', 'shape': [2**31, 2**31, 4], 'size': 0})",
    "huge-dimension": "frame({'$array': 0, 'dtype': 'float64', 'shape': [2**70, 0], 'size': 0})",
    "too-many-dimensions": "frame({'$array': 0, 'dtype': 'float64', 'shape': [1] * 100, 'size': 8}, bytes(8))",
    "tuple-of-a-number": "frame({'$tuple': 5})",
    "reply-not-a-dict": "frame([1, 2])",
    "error-not-a-dict": "frame({'ok': False, 'error': [1]})",
    "hostile-error": "frame({'ok': False, 'error': {'type': 'X' * 10_000, 'message': '\\x1b[2J' * 1000}})",
    "endless-body": "frame({'$array': 0, 'dtype': 'uint8', 'shape': [2**27], 'size': 2**27})",
}
FORGE = """
    import json, struct
    def frame(header, body=b""):
        data = header if isinstance(header, bytes) else json.dumps(header).encode()
        return struct.pack(">Q", len(data)) + data + body
    def forge(data):
        for name in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                    fd = int(name)
            except OSError:
                pass
        while data:
            data = data[os.write(fd, data):]
    """


@pytest.mark.parametrize("where", ["forward", "load"])
@pytest.mark.parametrize("name", list(FORGERIES))
def test_forged_replies_cost_only_that_test(grading, name, where):
    write = f"forge({FORGERIES[name]})"
    load = textwrap.dedent(FORGE) + (write if where == "load" else "")
    cell = tanh_cell(load=load, forward=write if where == "forward" else "")
    results = grade(grading, {"Q4_solution": cell}, {"Q4_solution": 2.0, "Q1_solution": None}, per_cell=1)
    if name == "endless-body":
        reason = "exceeded the time limit"
    elif name in ("error-not-a-dict", "hostile-error") and where == "forward":
        reason = "your code raised"  # a well-formed error reply, which only the child's own code could send
    else:
        reason = "sent a malformed reply"
    assert_zero(of(results, "Q4"), reason)
    assert all(len(r.message) < 500 for r in results)
    assert_full(of(results, "Q1"))


@pytest.mark.parametrize("load, result, reason", [
    ("class Evil(torch.Tensor):\n    def numpy(self, *a, **k):\n        return np.array([object()])",
     "torch.tanh(z).as_subclass(Evil)", "cannot be sent"),
    ("", "(lambda box: (box.append(box), box)[1])([self._out])", "nested too deeply"),
    ("", "torch.zeros(40_000_000, dtype=torch.float64)", "exceeds the limit"),
    ("", "'x' * 20_000_000", "exceeds the limit"),
    ("""
     class Hostile:
         def __getattr__(self, name):
             return self
         def __str__(self):
             raise RuntimeError('no')
         def __repr__(self):
             while True:
                 pass
         def __eq__(self, other):
             return True
         def __len__(self):
             return -1
     """, "Hostile()", "got an object of type Hostile"),
    ("class Boom(Exception):\n    def __str__(self):\n        raise RuntimeError('no')",
     "(_ for _ in ()).throw(type('X' * 5000, (Boom,), {})())", "your code raised XXXX"),
], ids=["tensor-subclass", "recursive-list", "huge-array", "huge-string", "hostile-object", "hostile-exception"])
def test_odd_return_values_cost_only_that_test(grading, load, result, reason):
    results = grade(grading, {"Q4_solution": tanh_cell(load=load, result=result)},
                    {"Q4_solution": None, "Q1_solution": None}, per_cell=1)
    assert_zero(of(results, "Q4"), reason)
    assert all(len(r.message) < 1000 and r.message.isprintable() for r in results)
    assert_full(of(results, "Q1"))
