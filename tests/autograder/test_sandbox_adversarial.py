"""Hostile submissions against the real spiral grader: every promise of the sandbox, checked end to end.

Each test grades a submission that attacks one promise, through the same ``Grading`` that ``course grade``
uses (one per xdist worker, shared by the module), or drives the grading host's sandbox directly when it
must watch the child while it runs. The attacks on secrets and points live in ``test_sandbox_secrets.py``;
this table covers both modules.

======================================================  ==========================================================
promise                                                 proven by
======================================================  ==========================================================
1  a hang costs only the tests that run it              test_a_hang_in_a_method_costs_only_the_tests_that_call_it,
                                                        test_a_hang_while_the_cell_loads_is_a_time_limit
2  deadlines are absolute: a child that sends a byte    test_a_reply_that_trickles_in_is_cut_at_the_deadline
   now and then does not stretch its test
3  a crash costs only its tests; the batch goes on      test_a_crash_costs_only_the_tests_that_run_it
4  a memory bomb fails fast and harms nothing           test_a_memory_bomb_fails_fast_and_leaves_the_grader_working
5  ignored signals do not save a hang                   test_a_child_that_ignores_signals_is_still_killed
6  nothing a submission starts survives                 test_no_process_a_submission_starts_survives_its_session,
                                                        test_no_process_survives_grading
7  huge output is discarded, not punished               test_huge_output_is_discarded_and_not_punished
8  any notebook gets a result with a reason, the batch  test_unreadable_and_incomplete_notebooks_score_zero_with_a_reason,
   never stops, links are not followed                  test_a_batch_of_malformed_and_linked_notebooks_gives_everyone_a_result
9  monkeypatching in the child cannot change scores     test_monkeypatching_in_the_child_does_not_change_scores
10 (root) the child runs as nobody in namespaces of     test_the_child_is_unprivileged_and_offline,
   its own, offline, sees only its own processes and    test_the_child_sees_only_its_own_processes,
   the public folders, and leaves nothing behind        test_the_child_cannot_read_course_folders_or_results,
                                                        test_a_child_leaves_nothing_for_later_children_or_hosts,
                                                        test_nothing_a_child_puts_in_shared_memory_or_queues_outlives_it,
                                                        test_each_child_has_a_user_id_of_its_own_even_across_hosts
11 (root) limits cover the child and all it starts:     test_processes_and_threads_are_capped_for_the_whole_child,
   processes, CPU (one core), memory, scratch space     test_a_child_gets_at_most_one_core_however_many_threads,
                                                        test_the_scratch_space_is_small_and_private
12 a course in a private folder (mktemp -d) grades      test_a_course_in_a_private_folder_grades_as_usual
13 forged replies and odd values cost only that test    test_forged_replies_cost_only_that_test,
                                                        test_odd_return_values_cost_only_that_test
14 no text of the master reaches a student, through     test_no_channel_carries_the_masters_code_to_the_student,
   any channel, in any file of a batch, whether the     test_a_batch_with_hostile_submissions_writes_no_line_of_the_master_and_nobody_elses_words,
   child holds master cells or learned them from an     test_the_child_cannot_add_notes_and_no_result_carries_another_students_words,
   earlier child; the child cannot add notes; numbers   test_child_strings_reach_feedback_cleaned,
   carry a few bits; replies cannot exhaust the grader  test_coarse_numbers_carry_a_few_bits_whatever_the_child_chooses (test_kit),
                                                        test_an_array_too_large_to_convert_is_refused_before_it_is (test_kit)
15 a child's memory holds no other student's cells and  test_a_child_holds_neither_other_students_cells_nor_master_cells_it_does_not_need
   no master cell its test does not need
16 points need the work: experiments are verified,      test_an_experiment_that_did_not_run_as_asked_earns_no_point,
   masks must change, rules follow aliases and refuse   test_a_dropout_with_a_fixed_mask_loses_the_fresh_mask_test,
   code run from elsewhere, autograd is off where it    test_a_forbidden_layer_reached_through_an_alias_earns_no_point,
   is forbidden                                         test_autograd_reached_past_the_rule_check_does_not_work
17 grading is deterministic                             test_grading_the_same_submission_twice_gives_the_same_result
18 results are atomic and a killed batch resumes        test_a_killed_batch_resumes_and_leaves_no_process_behind
19 (root) no bit crosses the page cache to a later      test_the_calls_that_evict_or_probe_the_page_cache_are_refused,
   child: eviction and probes are refused, the files    test_no_bit_crosses_the_page_cache_from_one_child_to_a_later_one
   children see are pinned; the filter spares numpy     (test_sandbox_courier), test_every_listed_call_is_refused_with_eperm,
   and torch                                            test_numpy_and_torch_work_under_the_filter (test_sandbox_seccomp)
20 rules are enforced where the work happens: a         test_built_in_normalization_is_refused_however_it_is_reached,
   forbidden operator ends the child whatever route     test_built_in_dropout_is_refused_as_the_second_rule,
   reached it (private built-ins, torch's own Python    test_a_numpy_only_child_runs_no_torch_operator,
   decompositions, a course module's attribute), and    test_a_rule_broken_at_run_time_costs_its_cells_tests_with_the_rules_message,
   costs its cell's tests with the rule's message;      test_the_audit_hook_refuses_what_runs_unseen_code_or_reaches_past_names,
   an audit hook refuses pickled code, marshal,         test_normalization_written_by_hand_still_runs_where_the_built_in_is_refused,
   ctypes, processes, sockets, the garbage collector    test_plain_data_still_unpickles_and_the_scratch_folder_is_writable
   and files outside the public folders                 (all in test_sandbox_enforce)
======================================================  ==========================================================

Attacks on the layers beneath the audit hook (namespaces, cgroups, the kill of all a child started) run in a host
whose children have no hook (``beneath``, ``probe(..., audit=False)``), since the hook refuses them first.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import shutil
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
from autograder.sandbox import Limits, Sandbox, SandboxFailure, SandboxTimeout
from autograder.sandbox.confine import UID_BASE
from autograder.workers import Grading
from tests.autograder.hostile import WIRE
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
        if id(g) in _beneath:
            _beneath.pop(id(g)).close()
        g.close()


@contextmanager
def selected(g: Grading, timeouts: dict[str, float | None], per_cell: int | None = None) -> Iterator:
    """Let the grader run only the tests of the answer cells in ``timeouts``, in that order, each with the given
    time limit (``None``: its own), at most ``per_cell`` of them per cell, and check no rule."""
    grader = g.graders[NB]
    saved, rules = grader.tests, grader.rules
    grader.tests = [dataclasses.replace(t, timeout=limit or t.timeout) for cell, limit in timeouts.items()
                    for t in [t for t in saved if cell in t.cells][:per_cell]]
    grader.rules = {}  # the attacks here are on the sandbox: let them run (cells without rules could hold them)
    try:
        yield grader
    finally:
        grader.tests, grader.rules = saved, rules


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
    return ("import ctypes, numpy, os, signal, subprocess, sys, time\n" + textwrap.dedent(load).strip() + "\n"
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


_beneath: dict[int, Sandbox] = {}


def beneath(g: Grading) -> Sandbox:
    """A host like the grading one whose children have no audit hook: for attacks on the layers beneath it
    (namespaces, cgroups, the kill of everything a child started), which the hook would refuse first."""
    if id(g) not in _beneath:
        _beneath[id(g)] = Sandbox(dataclasses.replace(sandbox(g).config, audit=False))
    return _beneath[id(g)]


def probe(g: Grading, source: str, *args: object, audit: bool = True) -> object:
    """Run ``source`` (which defines ``probe``) in a child of the grading host and return ``probe(*args)``."""
    host = sandbox(g) if audit else beneath(g)
    with host.session([("probe", textwrap.dedent(source))], Limits(wall_seconds=20)) as session:
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
        return subprocess.Popen([sys.executable, "-m", "autograder.cli", "grade", NB, str(submissions),
                                 "--class-folder", "--out", str(out), "--jobs", "1"], cwd=ROOT, stdout=stream,
                                stderr=subprocess.STDOUT)


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
    first = out / "students" / "a_broken" / "results.json"

    batch = course_grade(submissions, out, log)
    deadline = time.monotonic() + 180
    while not first.exists() and batch.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    family = descendants(batch.pid)
    batch.kill()
    batch.wait()
    assert first.exists(), log.read_text()
    assert family, "the batch had no sandbox processes"
    finished = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in out.glob("students/*/results.json")}
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


def test_a_reply_that_trickles_in_is_cut_at_the_deadline(grading):
    """One absolute deadline covers every byte: a child that sends a byte of its reply now and then, each in
    good time for a per-read timeout, is still stopped when the test's time is up."""
    trickle = tanh_cell(load=FORGE, forward="""
        fd = _socket()
        os.write(fd, struct.pack(">Q", 10_000))
        while True:
            os.write(fd, b" ")
            time.sleep(0.2)
        """)
    start = time.monotonic()
    results = grade(grading, {"Q4_solution": trickle}, {"Q4_solution": HANG, "Q1_solution": None}, per_cell=2)
    assert_zero(of(results, "Q4"), "exceeded the time limit of 1 s")
    assert all(r.seconds < HANG + 5 for r in of(results, "Q4"))
    assert time.monotonic() - start < 2 * (HANG + 2) + 30
    assert_full(of(results, "Q1"))


@pytest.mark.parametrize("load, forward, reason", [
    ("", "os._exit(3)", "the process running your code ended unexpectedly"),
    ("", "numpy.lib.stride_tricks.as_strided(numpy.zeros(1), (2,), (2**44,)).sum()",
     "the process running your code ended unexpectedly"),
    ("", "os.abort()", "the process running your code ended unexpectedly"),
    ("", "sys.exit()", "your code raised SystemExit"),
    ("sys.exit('bye')", "", "running the cell Q4_solution raised SystemExit"),
    ("os._exit(0)", "", "the process running your code ended unexpectedly"),
], ids=["exit-in-method", "segfault", "abort", "sys-exit-in-method", "sys-exit-at-load", "exit-at-load"])
def test_a_crash_costs_only_the_tests_that_run_it(grading, load, forward, reason):
    # Tanh's tests run first: the InstanceNorm1D tests after them show that the batch goes on
    results = grade(grading, {"Q4_solution": tanh_cell(load=load, forward=forward)},
                    {"Q4_solution": None, "Q1_solution": None})
    assert_zero(of(results, "Q4"), reason)
    assert_full(of(results, "Q1"))


@pytest.mark.parametrize("load, forward, reason", [
    ("", "np.ones(8 * 2**30)", "MemoryError"),
    ("", "torch.ones(8 * 2**30, dtype=torch.float64)", "RuntimeError"),
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
    """Beneath the audit hook (which refuses new processes, below): whatever a child started dies with it."""
    marker = f"sbx{uuid.uuid4().hex[:10]}"
    with beneath(grading).session([("Q4_solution", tanh_cell(load=spawner(marker)))], Limits(wall_seconds=30)) as s:
        deadline = time.monotonic() + 15
        while len(living(marker)) < 34 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(living(marker)) >= 34  # 2 sleepers and 32 bomb processes are running
    assert living(marker, {UID_BASE + s.pid} if ROOTED else set()) == []


def test_no_process_survives_grading(grading):
    """In grading the audit hook refuses the first process the cell starts: its tests score 0, nothing lives."""
    marker = f"sbx{uuid.uuid4().hex[:10]}"
    results = grade(grading, {"Q4_solution": tanh_cell(load=spawner(marker))}, {"Q4_solution": None}, per_cell=2)
    assert_zero(of(results, "Q4"), "running the cell Q4_solution raised an exception")
    assert living(marker) == []


# ----------------------------------------------------------------------------- 6, 7: output and notebooks


def test_huge_output_is_discarded_and_not_punished(grading):
    loud = tanh_cell(load="sys.stdout.write('spam ' * 10_000_000)\nprint('the end')",
                     forward="print('forward called')")
    results = grade(grading, {"Q4_solution": loud}, {"Q4_solution": None}, per_cell=2)
    assert_full(of(results, "Q4"))
    result = SubmissionResult("loud", NB, results)
    assert "spam" not in result.feedback() and "spam" not in json.dumps(result.to_gradescope())


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
    assert_zero(unreadable, "your notebook could not be read: the file is not valid notebook JSON")
    assert_zero(of(missing_class, "Q4"), "your code raised NameError")
    assert_zero(of(missing_cell, "Q4"), "your notebook has no answer cell Q4_solution")
    assert_full(of(missing_class, "Q1") + of(missing_cell, "Q1"))


def write_notebook(path: Path, replace: dict[str, object], extra_output: str = "") -> Path:
    """The blank release as raw JSON, with answer cells' sources replaced by anything (numbers, surrogates)."""
    document = json.loads((ROOT / "release" / NB / f"{NB}.ipynb").read_text())
    for cell in document["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in replace:
            cell["source"] = replace[grade_id]
            if extra_output:
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": extra_output}]
    path.write_text(json.dumps(document))
    return path


def test_a_batch_of_malformed_and_linked_notebooks_gives_everyone_a_result(tmp_path):
    """Nothing a student hands in stops the batch: each gets a result with a reason, and links are refused."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    write_notebook(folder / "a_number_in_source.ipynb", {"Q1_solution": ["x = 1\n", 5]})
    write_notebook(folder / "b_surrogate.ipynb", {"Q2_solution": "x = '\ud800'"})
    write_notebook(folder / "c_deep.ipynb", {"Q4_solution": "x = " + " + ".join(["1"] * 5000)})
    write_notebook(folder / "d_huge_cell.ipynb", {"Q3_solution": "# " + "x" * 8 * 2**20})
    write_notebook(folder / "e_huge_outputs.ipynb", {"Q5_train": "pass"}, extra_output="y" * 70 * 2**20)
    (folder / "f_nested.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "g_link.ipynb").symlink_to(MASTER)
    (folder / "h_folder_link").symlink_to(MASTER.parent)
    shutil.copy(MASTER, folder / "i_master.ipynb")
    out = tmp_path / "out"
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", NB, str(folder), "--class-folder",
                           "--out", str(out), "--jobs", "2"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert sorted(rows) == ["a_number_in_source", "b_surrogate", "c_deep", "d_huge_cell", "e_huge_outputs", "f_nested",
                            "g_link", "h_folder_link", "i_master"]
    assert rows["i_master"]["auto_score"] == "70" and all(r["auto_score"] == "0" for n, r in rows.items()
                                                           if n != "i_master")
    reasons = {name: SubmissionResult.from_gradescope(json.loads((out / "students" / name / "results.json").read_text()))
               for name in rows}

    def says(name: str, cell: str, text: str) -> bool:
        return any(text in t.message for t in reasons[name].tests if cell in t.name or cell == "*")

    assert says("a_number_in_source", "Q1", "does not hold text")
    assert says("b_surrogate", "Q2", "not valid Unicode")
    assert says("c_deep", "Q4", "too deeply nested")
    assert says("d_huge_cell", "Q3", "longer than")
    assert not says("e_huge_outputs", "*", "could not be read")  # graded on its cells: outputs are not
    assert says("f_nested", "*", "not valid notebook JSON")
    assert says("g_link", "*", "symbolic link") and says("h_folder_link", "*", "symbolic link")
    assert time.monotonic() - start < 600


def test_a_course_in_a_private_folder_grades_as_usual():
    """A checkout in a folder only its owner may enter (``mktemp -d``): children still see what they need."""
    private = Path(tempfile.mkdtemp(prefix="sbx-course-"))
    try:
        assert oct(private.stat().st_mode & 0o777) == "0o700"
        for name in ("autograder", "course_utils", "source", "release", "datasets"):
            shutil.copytree(ROOT / name, private / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "nbgrader_config.py", private)
        submitted = private / "submitted"
        submitted.mkdir()
        shutil.copy(MASTER, submitted / "alice.ipynb")
        done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", NB, str(submitted),
                               "--class-folder", "--out", str(private / "out")], cwd=private, capture_output=True, text=True, timeout=600,
                              env={**os.environ, "PYTHONPATH": str(private)})
        assert done.returncode == 0, done.stderr[-3000:]
        assert "alice " in done.stdout and "70/70" in done.stdout, done.stdout
        lazy = textwrap.dedent(f"""
            from pathlib import Path
            from autograder.sandbox import Limits
            from autograder.workers import Grading
            cell = "import course_utils\\ndef probe():\\n    return open(course_utils.__file__).readline()"
            with Grading(Path({str(private)!r}), {NB!r}) as g:
                with g.sandboxes[{NB!r}].session([("probe", cell)], Limits(wall_seconds=20)) as session:
                    print("imported", session.call("probe"))
            """)
        done = subprocess.run([sys.executable, "-c", lazy], cwd=private, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(private)})
        first_line = (ROOT / "course_utils" / "__init__.py").read_text().splitlines()[0]
        assert f"imported {first_line}" in done.stdout, done.stderr[-3000:]
    finally:
        shutil.rmtree(private, ignore_errors=True)


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
    """It is nobody in a user namespace of its own, has no capability, sees only a loopback interface, can
    reach no socket of the machine, and cannot signal the grader."""
    listener = socket.create_server(("127.0.0.1", 0))
    abstract = socket.socket(socket.AF_UNIX)
    abstract_name = f"\0sbx-{uuid.uuid4().hex}"
    abstract.bind(abstract_name)
    abstract.listen()
    with listener, abstract:
        seen = probe(grading, """
            import os, socket
            def probe(port, abstract, grader):
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
                    os.kill(grader, 0)
                    signal_host = "allowed"
                except OSError as exc:
                    signal_host = exc.strerror
                return {"ids": [*os.getresuid(), *os.getresgid()], "groups": os.getgroups(),
                        "capabilities": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
                        "interfaces": sorted(name for _, name in socket.if_nameindex()), "signal_host": signal_host,
                        "loopback": attempt(socket.AF_INET, ("127.0.0.1", port)),
                        "internet": attempt(socket.AF_INET, ("1.1.1.1", 53)),
                        "abstract": attempt(socket.AF_UNIX, abstract)}
            """, listener.getsockname()[1], abstract_name, os.getpid())
    assert seen["ids"] == [65534] * 6 and seen["groups"] == []
    assert int(seen["capabilities"], 16) == 0 and seen["no_new_privs"] == "1"
    assert seen["interfaces"] == ["lo"] and seen["signal_host"] in ("No such process", "Operation not permitted")
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
        public = [ROOT / "course_utils" / "__init__.py", ROOT / "course_utils" / "spiral.py"]
        seen = probe(grading, ACCESS, [str(p) for p in [ROOT, *secret, *public]])
    finally:
        subprocess.run(["rm", "-rf", str(out)], check=True)
    for path in secret:
        assert seen[str(path)].startswith("refused") or seen[str(path)] == "listed: ", (path, seen[str(path)])
    for path in public:
        assert seen[str(path)].startswith("read"), (path, seen[str(path)])
    assert set(seen[str(ROOT)].split()[1:]) <= {"course_utils", "datasets", ".venv"}


@needs_root
def test_a_child_leaves_nothing_for_later_children_or_hosts(grading):
    """Everything a child sees is read-only but its own private /tmp and /dev/shm, which end with it: so
    nothing a child plants is read by another child, or imported by a host (which runs as root)."""
    module = f"sbx_planted_{uuid.uuid4().hex[:10]}"
    witness = Path(tempfile.gettempdir()) / f"{module}.ran"
    plant = """
        import os, sys
        def probe(module, witness):
            written = []
            for folder in sorted({*sys.path, "/tmp", "/var/tmp", "/dev/shm", "/run/lock", os.getcwd(), "/"}):
                try:
                    with open(os.path.join(folder, module + ".py"), "w") as f:
                        f.write(f"import os\\nopen({witness!r}, 'w').write(str(os.getuid()))\\n")
                    written.append(folder)
                except OSError:
                    pass
            return written, sorted(os.listdir("/tmp")), sorted(os.listdir("/dev/shm"))
        """
    # a course checked out under /tmp shows there too, read-only: the folders on the way to its public parts
    course = sorted({Path(p).relative_to("/tmp").parts[0] for p in (ROOT, sys.prefix)
                     if Path(p).is_relative_to("/tmp")})
    written, scratch, shm = probe(grading, plant, module, str(witness))
    assert written == ["/dev/shm", "/tmp"] and shm == [f"{module}.py"]
    assert scratch == sorted([*course, f"{module}.py"])
    listing = "import os\ndef probe():\n    return sorted(os.listdir('/tmp')), sorted(os.listdir('/dev/shm'))\n"
    assert probe(grading, listing) == (course, [])  # the next child starts with empty ones
    try:
        with Sandbox(dataclasses.replace(grading.graders[NB].sandbox_config(), preload=(module,))) as host:
            with pytest.raises(SandboxFailure, match="failed to start|stopped answering"):
                host.session([], Limits(wall_seconds=10))
        assert not witness.exists()
    finally:
        for shared in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", tempfile.gettempdir()):
            Path(shared, f"{module}.py").unlink(missing_ok=True)
        witness.unlink(missing_ok=True)


@needs_root
def test_the_child_sees_only_its_own_processes(grading):
    """No other process shows in /proc, so neither the grader's command line (every student's path) nor
    another child can be seen."""
    seen = probe(grading, """
        import os
        def probe():
            own = [int(p) for p in os.listdir("/proc") if p.isdigit()]
            return own, os.getpid(), open("/proc/1/cmdline", "rb").read().decode().split("\\0")[:3]
        """)
    assert seen[0] == [1] and seen[1] == 1
    assert seen[2][1:] == ["-P", "-m"]


@needs_root
def test_processes_and_threads_are_capped_for_the_whole_child(grading):
    counted = probe(grading, """
        import os, threading, time
        def probe():
            started = 0
            for _ in range(300):
                try:
                    threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
                    started += 1
                except RuntimeError:
                    break
            children = 0
            for _ in range(300):
                try:
                    if os.fork() == 0:
                        time.sleep(5)
                        os._exit(0)
                    children += 1
                except OSError:
                    break
            return started, children
        """)
    assert counted[0] + counted[1] < Limits().processes


@needs_root
def test_a_child_gets_at_most_one_core_however_many_threads(grading):
    """Eight busy processes for two seconds of wall time use about two CPU seconds, not four (the machine
    has two cores): the child, whatever it starts, gets one core, and other children keep theirs (beneath the
    audit hook, which refuses the forks)."""
    wall, cpu = probe(grading, """
        import os, resource, time
        def probe():
            start, pids = time.monotonic(), []
            for _ in range(8):
                pid = os.fork()
                if pid == 0:
                    while time.monotonic() < start + 2:
                        pass
                    os._exit(0)
                pids.append(pid)
            for pid in pids:
                os.waitpid(pid, 0)
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return time.monotonic() - start, usage.ru_utime + usage.ru_stime
        """, audit=False)
    assert cpu < 1.3 * wall, (cpu, wall)


@needs_root
def test_the_scratch_space_is_small_and_private(grading):
    written = probe(grading, """
        import os
        def probe():
            total = 0
            try:
                with open("/tmp/big", "wb") as f:
                    for _ in range(1024):
                        f.write(b"x" * 2**20)
                        total += 2**20
            except OSError as exc:
                return total, exc.strerror
            return total, "no limit"
        """)
    assert written[1] in ("No space left on device", "File too large") and written[0] <= 128 * 2**20


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
    "endless-body": "frame({'$array': 0, 'dtype': 'uint8', 'shape': [2**25], 'size': 2**25})",
    "oversized-body": "frame({'$array': 0, 'dtype': 'uint8', 'shape': [2**27], 'size': 2**27})",
}
FORGE = WIRE + """
    def forge(data):
        fd = _socket()
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
        reason = "your code raised an exception"  # a well-formed error reply, as the child's own code could send
    else:
        reason = "sent a malformed reply"
    assert_zero(of(results, "Q4"), reason)
    assert all(len(r.message) < 500 for r in results)
    assert_full(of(results, "Q1"))


@pytest.mark.parametrize("load, result, reason", [
    ("class Evil(torch.Tensor):\n    def numpy(self, *a, **k):\n        return np.array([object()])",
     "torch.tanh(z).as_subclass(Evil)", "your code raised an exception"),
    ("", "(lambda box: (box.append(box), box)[1])([self._out])", "your code raised ValueError"),
    ("", "torch.zeros(40_000_000, dtype=torch.float64)", "your code raised an exception"),
    ("", "'x' * 20_000_000", "your code raised an exception"),
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
     """, "Hostile()", "got something else"),
    ("class Boom(Exception):\n    def __str__(self):\n        raise RuntimeError('no')",
     "(_ for _ in ()).throw(type('X' * 5000, (Boom,), {})())", "your code raised an exception"),
], ids=["tensor-subclass", "recursive-list", "huge-array", "huge-string", "hostile-object", "hostile-exception"])
def test_odd_return_values_cost_only_that_test(grading, load, result, reason):
    results = grade(grading, {"Q4_solution": tanh_cell(load=load, result=result)},
                    {"Q4_solution": None, "Q1_solution": None}, per_cell=1)
    assert_zero(of(results, "Q4"), reason)
    assert all(len(r.message) < 1000 and r.message.isprintable() for r in results)
    assert_full(of(results, "Q1"))
