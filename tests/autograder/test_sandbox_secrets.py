"""Hostile submissions that try to get the master's code, another student's work or points they did not earn.

The promises proven here are listed, with the others, in the table of ``test_sandbox_adversarial.py``. A blank
release with one answer cell replaced plays the attacker; a leak is any line of the master's solution regions
(that the release does not show) found in what the batch writes: results.json and feedback.txt. Attackers sit
next to master cells (Q5, whose tests need Q1-Q4), or already know the master's code (Q4, whose tests need no
master cell: a child could learn it from an earlier one through what the machine's children share, such as
the page cache of files they can read), and push it through every channel they reach.
"""
from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import re
import shutil
import textwrap
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import nbformat
import pytest

from autograder.results import SubmissionResult, TestResult
from autograder.sandbox import Limits, Sandbox
from autograder.sandbox.confine import UID_BASE
from autograder.workers import Grading
from autograder.notebook import grade_id, is_answer
from tests.autograder.hostile import WIRE
from tests.conftest import ROOT

NB = "spiral_from_scratch"
RELEASE = ROOT / "release" / NB / f"{NB}.ipynb"
ROOTED = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOTED, reason="namespaces and cgroups need root")




@contextmanager
def no_rules(g: Grading) -> Iterator[None]:
    """The attacks on secrets are on the sandbox: let them run (cells without rules could hold them)."""
    grader = g.graders[NB]
    saved, grader.rules = grader.rules, {}
    try:
        yield
    finally:
        grader.rules = saved


def submission(tmp_path: Path, name: str, cells: dict[str, str]) -> Path:
    """The blank release with some answer cells replaced, written where a student would hand it in."""
    nb = nbformat.read(RELEASE, as_version=4)
    for cell in nb.cells:
        if grade_id(cell) in cells:
            cell.source = textwrap.dedent(cells[cell.metadata.nbgrader.grade_id])
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def master_lines() -> list[str]:
    """Lines of the master's solution regions that neither the release nor the given code shows (the host
    imports ``course_utils`` before it forks, so on a clone without bytecode caches its source text sits in
    every child's memory)."""
    given = [cell.source for cell in nbformat.read(RELEASE, as_version=4).cells]
    given += [path.read_text() for path in (ROOT / "course_utils").rglob("*.py")]
    released = {line.strip() for text in given for line in text.split("\n")}
    found = []
    for cell in nbformat.read(ROOT / "source" / NB / f"{NB}.ipynb", as_version=4).cells:
        inside = False
        for line in cell.source.split("\n"):
            if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
                inside = "BEGIN" in line
            elif inside and line.strip() not in released and len(_letters(line)) >= 16:
                found.append(line.strip())
    assert len(found) > 50
    return found


def master_secrets() -> list[str]:
    """The master's lines with letters and digits only, so that a leak with other spacing is found too."""
    return [_letters(line) for line in master_lines()]


def _letters(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)


def leaks(result: SubmissionResult) -> list[str]:
    """Master lines that appear in what the student receives."""
    text = _letters(json.dumps(result.to_gradescope()) + result.feedback())
    return [line for line in master_secrets() if line in text]


# A hostile answer cell for Q5 (whose tests run next to the master's Q1-Q4 cells): it finds the master's code in
# its own memory (the cells the grader sent, in the frame that runs them) and pushes it out through every
# channel it can reach.
STEAL = """
    import os, sys
    def _secret():
        caller = sys._getframe()
        while caller is not None:
            cells = caller.f_locals.get("cells")
            if isinstance(cells, list):
                return "\\n".join(c["source"] for c in cells if isinstance(c, dict))
            caller = caller.f_back
        return "nothing found"
    SECRET = _secret()
    CHANNEL = {channel!r}
    def _leak():
        if CHANNEL == "print":
            print(SECRET)
            sys.stderr.write(SECRET)
        elif CHANNEL == "exception":
            raise ValueError(SECRET)
        elif CHANNEL == "exception type":
            raise type("".join(c if c.isalnum() else "_" for c in SECRET)[:5000], (Exception,), {{}})()
        elif CHANNEL == "forged error":
            os.write(_socket(), frame({{"ok": False, "error": {{"type": SECRET, "message": SECRET,
                                                                 "where": SECRET}}}}))
            os._exit(0)
        elif CHANNEL == "forged dtype":
            os.write(_socket(), frame({{"ok": True, "value": {{"$dtype": SECRET}}}}))
        elif CHANNEL == "class name":
            return type("".join(c if c.isalnum() else "_" for c in SECRET)[:5000], (), {{}})()
        elif CHANNEL == "numbers":
            return [float(ord(c)) for c in SECRET[:4000]]
        elif CHANNEL == "string":
            return SECRET
        elif CHANNEL == "exit code":
            os._exit(ord(SECRET[0]))
        elif CHANNEL == "crash output":
            print(SECRET, flush=True)
            os._exit(3)
        return None
    if CHANNEL == "at load":
        raise RuntimeError(SECRET)
    if CHANNEL == "forged load report":
        os.write(_socket(), frame({{"loaded": False, "index": SECRET, "cell": SECRET, "notes": [SECRET],
                                     "error": {{"type": SECRET, "message": SECRET, "where": SECRET}}}}))
    class {cls}:
        def __init__(self, *args, **kwargs):
            self.result = _leak()
            self.p = self.result
        def __getattr__(self, name):
            return lambda *a, **k: _leak()
    def train_model(*args, **kwargs):
        return _leak()
"""


def steal(channel: str, cls: str) -> str:
    """The attacking cell: ``cls`` leaks what it learned through ``channel`` whenever it is used."""
    return WIRE + STEAL.format(channel=channel, cls=cls)


CHANNELS = ["print", "exception", "exception type", "forged error", "forged dtype", "forged load report",
            "class name", "numbers", "string", "exit code", "crash output", "at load"]


def test_the_attack_is_real_the_child_holds_the_masters_code_and_the_detector_sees_it(grading):
    """Where a test needs master cells, the child holds their code (so the channels below carry something),
    and a leaked line, however spaced, is found."""
    master = grading.graders[NB].master_cells
    attack = textwrap.dedent(steal(channel="none", cls="MLP"))
    cells = [("Q1_solution", master["Q1_solution"]), ("Q5_solution", attack)]
    with grading.sandboxes[NB].session(cells, Limits(wall_seconds=20)) as session:
        stolen = session.get("SECRET")
    assert any(line in _letters(stolen) for line in master_secrets())
    line = master_lines()[0]
    caught = SubmissionResult("x", NB, [TestResult("Q1_forward: t", "Q1_forward", 0, 1, " ".join(line))])
    assert leaks(caught) == [_letters(line)]


def knowing(channel: str) -> str:
    """An answer cell for Q4, whose tests run with no master cell, that already knows the master's code (as a
    child could learn it from an earlier one, through what the machine's children share) and pushes it out."""
    master = nbformat.read(ROOT / "source" / NB / f"{NB}.ipynb", as_version=4)
    known = "\n".join(c.source for c in master.cells if is_answer(c))
    return steal(channel=channel, cls="Tanh").replace("SECRET = _secret()", f"SECRET = {known!r}")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("where", ["next to master cells", "knowing the master"])
def test_no_channel_carries_the_masters_code_to_the_student(grading, tmp_path, channel, where):
    cell, attack = ("Q5_solution", steal(channel=channel, cls="MLP")) if where == "next to master cells" \
        else ("Q4_solution", knowing(channel))
    path = submission(tmp_path, "mallory", {cell: attack})
    with no_rules(grading):
        result = grading.grade_student("mallory", {NB: path}, {cell[:2], "Q6"})
    assert result.score == 0 and not any("rule broken" in t.message for t in result.tests)
    assert leaks(result) == []
    assert all(len(t.message) < 2000 for t in result.tests)


def test_the_child_cannot_add_notes_and_no_result_carries_another_students_words(grading, tmp_path):
    marker = f"SBXNOTE{uuid.uuid4().hex}"
    forger = steal(channel="forged load report", cls="MLP").replace("[SECRET]", f"[{marker!r}]")
    with no_rules(grading):
        first = grading.grade_student("mallory", {NB: submission(tmp_path, "mallory", {"Q5_solution": forger})},
                                      {"Q5"})
    second = grading.grade_student("bob", {NB: RELEASE}, {"Q5"})
    for result in (first, second):
        assert marker not in json.dumps(result.to_gradescope()) + result.feedback()
        assert set(result.notes) <= {f"sandbox: {note}" for note in grading.sandboxes[NB].notes}


# ----------------------------------------------------------------------------- memory and IPC

SCAN = """
    import re
    def scan(halves):
        \"\"\"Which of the texts (each given in two halves, so that this process never holds it whole unless
        someone else put it here) occur in this process's private memory.\"\"\"
        regions = []
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split()
                if "r" in fields[1] and (len(fields) < 6 or fields[5] in ("[heap]", "[stack]")):
                    regions.append(tuple(int(x, 16) for x in fields[0].split("-")))
        found, halves = set(), [(head.encode(), tail.encode()) for head, tail in halves]
        with open("/proc/self/mem", "rb", buffering=0) as mem:
            for start, end in regions:
                try:
                    mem.seek(start)
                    data = mem.read(end - start)
                except (OSError, ValueError, OverflowError):
                    continue
                for index, (head, tail) in enumerate(halves):
                    at = data.find(head)
                    while at >= 0 and index not in found:
                        if data[at + len(head):at + len(head) + len(tail)] == tail:
                            found.add(index)
                        at = data.find(head, at + 1)
        return sorted(found)
"""


def halves(texts: list[str]) -> list[tuple[str, str]]:
    return [(t[: len(t) // 2], t[len(t) // 2:]) for t in texts]


def test_a_child_holds_neither_other_students_cells_nor_master_cells_it_does_not_need(grading, tmp_path):
    """After the host has served the master and another student, a child that needs no master cell finds
    neither in its memory (it is forked from a host that never received a cell)."""
    victim = f"SBXVICTIM{uuid.uuid4().hex}"
    alice = submission(tmp_path, "alice", {"Q4_solution": f"SECRET = {victim!r}\nclass Tanh:\n    pass\n"})
    grading.grade_master()
    grading.grade_student("alice", {NB: alice})
    texts = [victim, *(line for line in master_lines() if len(line) > 30 and line.isascii())]
    assert len(texts) > 20
    with grading.sandboxes[NB].session([("scan", textwrap.dedent(SCAN))], Limits(wall_seconds=60)) as session:
        assert session.call("scan", halves(texts)) == []


IPC = """
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    KEY, IPC_CREAT = 0x5EED0001, 0o1000
    def plant(text):
        shm = libc.shmget(KEY, 4096, IPC_CREAT | 0o666)
        address = libc.shmat(shm, None, 0)
        ctypes.memmove(ctypes.c_void_p(address), text.encode(), len(text))
        return {"shm": shm, "msg": libc.msgget(KEY, IPC_CREAT | 0o666), "sem": libc.semget(KEY, 1, IPC_CREAT | 0o666),
                "mq": libc.mq_open(b"/sbx-queue", os.O_CREAT | os.O_RDWR, 0o666, None),
                "file": open("/dev/shm/sbx-planted", "w").write(text)}
    def find():
        return {"shm": libc.shmget(KEY, 0, 0), "msg": libc.msgget(KEY, 0), "sem": libc.semget(KEY, 0, 0),
                "mq": libc.mq_open(b"/sbx-queue", os.O_RDONLY), "file": os.listdir("/dev/shm")}
"""


@needs_root
def test_nothing_a_child_puts_in_shared_memory_or_queues_outlives_it(grading):
    """Beneath the audit hook (which refuses ctypes first): the IPC namespace and private /dev/shm end with
    the child."""
    def beneath(host: Sandbox) -> Sandbox:
        return Sandbox(dataclasses.replace(host.config, audit=False))

    with beneath(grading.sandboxes[NB]) as host:
        with host.session([("ipc", textwrap.dedent(IPC))], Limits(wall_seconds=20)) as session:
            planted = session.call("plant", "answers for later")
        assert all(value >= 0 for key, value in planted.items() if key != "file"), planted
        with host.session([("ipc", textwrap.dedent(IPC))], Limits(wall_seconds=20)) as session:
            assert session.call("find") == {"shm": -1, "msg": -1, "sem": -1, "mq": -1, "file": []}
    with Grading(ROOT, NB) as later, beneath(later.sandboxes[NB]) as host:  # a later batch, with hosts of its own
        with host.session([("ipc", textwrap.dedent(IPC))], Limits(wall_seconds=20)) as session:
            assert session.call("find") == {"shm": -1, "msg": -1, "sem": -1, "mq": -1, "file": []}
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.shmget(0x5EED0001, 0, 0) == -1 and not Path("/dev/shm/sbx-planted").exists()


# ----------------------------------------------------------------------------- points without the work

FAKE_HISTORY = """
    def _fake(model_name, history_name, train_name, val_name, epochs):
        model = globals()[model_name]
        model.eval()
        train = accuracy_from_logits(model.forward(Xtr_t), ytr_t)
        val = accuracy_from_logits(model.forward(Xva_t), yva_t)
        globals()[history_name] = {"loss": [0.5] * epochs, "train_acc": [train] * epochs, "val_acc": [val] * epochs}
        globals()[train_name], globals()[val_name] = train, val
"""
CHEATS = {
    "untrained models, made-up histories": ("Q6_experiment_code", FAKE_HISTORY + """
    torch.manual_seed(0)
    model_in = MLP(in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)
    torch.manual_seed(0)
    model_bn = MLP_BN(in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)
    _fake("model_in", "history_in", "in_train_acc", "in_val_acc", COMPARE_EPOCHS)
    _fake("model_bn", "history_bn", "bn_train_acc", "bn_val_acc", COMPARE_EPOCHS)
    """),
    "one epoch, made-up histories": ("Q7_experiment_code", FAKE_HISTORY + """
    for name, p in (("nodrop", 0.0), ("drop", 0.2)):
        torch.manual_seed(0)
        globals()[f"model_{name}"] = MLP(in_dim=2, hidden_dim=64, out_dim=2, p_drop=p)
        train_model(globals()[f"model_{name}"], SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1,
                    epochs=1, batch_size=64, seed=0)
        _fake(f"model_{name}", f"history_{name}", f"{name}_train_acc", f"{name}_val_acc", COMPARE_EPOCHS)
    """),
    "COMPARE_EPOCHS = 1": ("Q7_experiment_code", "COMPARE_EPOCHS = 1\n" + textwrap.dedent("""
    runs = {}
    for name, p_drop in [("no dropout", 0.0), ("dropout 0.2", 0.2)]:
        torch.manual_seed(0)
        net = MLP(in_dim=2, hidden_dim=64, out_dim=2, p_drop=p_drop)
        hist = {}
        accs = train_model(net, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, epochs=COMPARE_EPOCHS,
                           batch_size=64, seed=0, history=hist)
        runs[name] = (net, hist, accs)
    model_nodrop, history_nodrop, (nodrop_train_acc, nodrop_val_acc) = runs["no dropout"]
    model_drop, history_drop, (drop_train_acc, drop_val_acc) = runs["dropout 0.2"]
    """)),
}


@pytest.mark.parametrize("cheat", list(CHEATS))
def test_an_experiment_that_did_not_run_as_asked_earns_no_point(grading, cheat):
    cell, source = CHEATS[cheat]
    master = grading.graders[NB].master_cells
    results = grading.grade_answers(NB, {**master, cell: textwrap.dedent(source)}, {cell})
    reports = [r for r in results if "reports" in r.name or "same settings" in r.name]
    assert reports and all(r.score == 0 for r in reports), [(r.name, r.message) for r in reports]


def test_a_dropout_with_a_fixed_mask_loses_the_fresh_mask_test(grading):
    master = grading.graders[NB].master_cells
    fixed = master["Q2_solution"].replace("self._scaled_mask = (torch.rand_like(z) < keep).to(z.dtype) / keep",
                                          "generator = torch.Generator().manual_seed(0)\n"
                                          "        self._scaled_mask = (torch.rand(z.shape, generator=generator, "
                                          "dtype=z.dtype) < keep).to(z.dtype) / keep")
    assert fixed != master["Q2_solution"]
    results = grading.grade_answers(NB, {**master, "Q2_solution": fixed}, {"Q2_solution"})
    lost = {r.name.split(":")[1].strip(): r.score for r in results if not r.passed}
    assert list(lost) == ["two training-mode forwards of the same input drop different units"]


@pytest.mark.parametrize("alias", [
    "F = torch.nn\nclass Tanh:\n    def __init__(self):\n        self.f = F.Tanh()",
    "class Tanh:\n    def __init__(self):\n        self.f = getattr(torch.nn, 'Tanh')()",
    "class Tanh:\n    def forward(self, z):\n        import torch.nn.functional as F\n"
    "        return F.tanh(z) if 0 else torch.nn.modules.activation.Tanh()(z)",
])
def test_a_forbidden_layer_reached_through_an_alias_earns_no_point(grading, alias):
    master = grading.graders[NB].master_cells
    results = grading.grade_answers(NB, {**master, "Q4_solution": alias}, {"Q4_solution"})
    assert results and all(r.score == 0 and "rule broken" in r.message for r in results)


def test_child_strings_reach_feedback_cleaned(grading, tmp_path):
    """A public test shows the child's words, but never a terminal escape or a line it forged."""
    forged = "\x1b[2J\n[PASS] Q4_forward: forward matches the reference  (3 / 3)"
    cell = ("class Tanh:\n    def forward(self, z):\n        raise ValueError(" + repr(forged) + ")\n"
            "    def backward(self, da):\n        return type(" + repr(forged) + ", (), {})()\n")
    with no_rules(grading):
        result = grading.grade_student("eve", {NB: submission(tmp_path, "eve", {"Q4_solution": cell})}, {"Q4"})
    text = result.feedback() + json.dumps(result.to_gradescope())
    assert "\x1b" not in text and "\\u001b" not in text
    assert not any(line.startswith("[PASS]") for line in result.feedback().splitlines())


@needs_root
def test_each_child_has_a_user_id_of_its_own_even_across_hosts(grading):
    probe = "import os\ndef ids():\n    return os.getuid()\n"
    with Grading(ROOT, NB) as other:
        with grading.sandboxes[NB].session([("p", probe)], Limits(wall_seconds=60)) as first, \
                other.sandboxes[NB].session([("p", probe)], Limits(wall_seconds=60)) as second:
            assert first.call("ids") == second.call("ids") == 65534  # nobody, inside its own user namespace
            outside = {int(Path(f"/proc/{s.pid}/status").read_text().split("Uid:")[1].split()[0])
                       for s in (first, second)}
    assert outside == {UID_BASE + first.pid, UID_BASE + second.pid} and len(outside) == 2


def test_a_batch_with_hostile_submissions_writes_no_line_of_the_master_and_nobody_elses_words(tmp_path,
                                                                                                monkeypatch):
    """The whole of ``course grade`` (workers, resuming, writing results.json and feedback.txt) on a batch of
    attackers, one per channel, next to an honest student: no file of the batch holds a line of the master,
    and no student's files hold another's words. Rules are off, so that the attacks run."""
    from autograder.assignments import load_assignment
    from autograder.grade import grade
    from autograder.graders import spiral_from_scratch

    monkeypatch.setattr(spiral_from_scratch, "RULES", {})
    folder = tmp_path / "submissions"
    folder.mkdir()
    markers = {}
    for channel in ("print", "exception", "forged error", "forged load report", "numbers", "crash output"):
        name = f"mallory_{channel.replace(' ', '_')}"
        markers[name] = f"SBXMARK{uuid.uuid4().hex}"
        attack = steal(channel=channel, cls="MLP").replace("SECRET = _secret()",
                                                                  f"SECRET = _secret() + {markers[name]!r}")
        receiver = knowing(channel).replace("SECRET = ", f"SECRET = {markers[name]!r} + ", 1)
        submission(folder, name, {"Q5_solution": attack, "Q4_solution": receiver})
    shutil.copy(ROOT / "source" / NB / f"{NB}.ipynb", folder / "honest.ipynb")
    results = grade(ROOT, load_assignment(ROOT, NB), [folder], tmp_path / "out", jobs=2, log=open(os.devnull, "w"),
                    class_folders=True)
    assert {r.student: r.score for r in results}["honest"] == 70
    attacks = [t for r in results if r.student.startswith("mallory") for t in r.tests if t.question in ("Q4", "Q5")]
    assert attacks and not any(t.score or "rule broken" in t.message for t in attacks)
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert [line for line in master_secrets() if line in _letters(text)] == [], path
            owner = path.parent.name
            assert [n for n, m in markers.items() if m in text and n != owner] == [], path


def test_autograd_reached_past_the_rule_check_does_not_work(grading):
    """A backward pass left to autograd, with requires_grad set through a computed attribute name on a tensor
    (which the static check lets through), fails: children of cells whose rules forbid autograd run with
    gradient tracking off, and refuse torch's backward engine at run time, with the rule's message."""
    master = grading.graders[NB].master_cells
    lazy = master["Q4_solution"].replace("""        return da * (1.0 - self._out * self._out)""", """        z = self._z.detach().clone()
        getattr(z, "requires" + "_grad_")(True)
        torch.tanh(z).backward(da)
        return getattr(z, "gr" + "ad")""").replace("""        self._out = torch.tanh(z)
        return self._out""", """        self._z = z
        self._out = torch.tanh(z)
        return self._out""")
    assert lazy != master["Q4_solution"] and "self._z = z" in lazy
    results = grading.grade_answers(NB, {**master, "Q4_solution": lazy}, {"Q4_solution"})
    backward = [r for r in results if r.item == "Q4_backward"]
    autograd = next(rule for rule in grading.graders[NB].rules["Q4_solution"] if "autograd" in rule.reason)
    assert backward and all(r.message == f"rule broken: {autograd.reason}" for r in backward), backward
    assert sum(r.score for r in backward) == 0
