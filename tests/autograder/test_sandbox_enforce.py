"""Rules enforced where the work happens (``autograder.sandbox.enforce``): attacks that the static check does
not see, run in real children.

Each route below reaches forbidden work without naming it the way the static check looks for: aliases built
from strings, private built-ins, torch's own Python decompositions, a course module's attribute, a handler
that catches the refusal to try another way. The child must end with the rule's index whatever the route,
and the audit hook must refuse what runs code the check never saw (a pickle, marshal, ctypes, another
process, a socket) or reaches objects by other paths (the garbage collector, a fresh copy of a module).
"""
from __future__ import annotations

import dataclasses
import os
import textwrap
from typing import Iterator

import pytest

from autograder.rules import EVERY_TORCH_OPERATOR, NORMALIZATION_OPERATORS
from autograder.sandbox import Limits, RuleBroken, Sandbox, SandboxConfig, StudentException

FORBID = (NORMALIZATION_OPERATORS, ("dropout",))
LIMITS = Limits(wall_seconds=60)


@pytest.fixture(scope="module")
def host() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig()) as sandbox:
        yield sandbox


def run(host: Sandbox, source: str, forbid: tuple = FORBID, array_api: str = "torch") -> object:
    """Load ``source`` (which defines ``attack``) in a child that refuses ``forbid`` and return ``attack()``."""
    with host.session([("attack", textwrap.dedent(source))], LIMITS, array_api, forbid) as session:
        return session.call("attack")


NORMALIZATION_ROUTES = {
    "functional": "torch.nn.functional.batch_norm(x, None, None, training=True)",
    "module": "torch.nn.BatchNorm1d(4)(x)",
    "private built-in": "torch._native_batch_norm_legit(x, None, None, torch.zeros(4), torch.ones(4), True, 0.1, "
                        "1e-5)",
    "operator": "torch.ops.aten.native_batch_norm.default(x, None, None, None, None, True, 0.1, 1e-5)",
    "name from pieces": "getattr(getattr(torch, 'n' + 'n').functional, 'layer' + '_norm')(x, (4,))",
    "decomposition": "importlib.import_module('torch._decomp.decompositions').native_batch_norm("
                     "x, None, None, None, None, True, 0.1, 1e-5)[0]",
    "reference implementation": "importlib.import_module('torch._refs').native_layer_norm(x, [4], None, None, "
                                "1e-5)[0]",
    "group norm": "torch.nn.GroupNorm(2, 4)(x)",
    "instance norm": "torch.nn.InstanceNorm1d(4)(x.unsqueeze(0))",
    "backward only": "torch.ops.aten.native_batch_norm_backward.default(x, x, None, None, None, torch.zeros(4), "
                     "torch.ones(4), True, 1e-5, [True, True, True])",
    "caught and tried again": "try_twice()",
}


@pytest.mark.parametrize("route", sorted(NORMALIZATION_ROUTES))
def test_built_in_normalization_is_refused_however_it_is_reached(host: Sandbox, route: str) -> None:
    source = f"""
        import importlib
        import torch

        def try_twice():
            for _ in range(2):
                try:
                    return torch.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False)
                except BaseException:
                    pass

        x = torch.randn(8, 4)

        def attack():
            return {NORMALIZATION_ROUTES[route]}
    """
    with pytest.raises(RuleBroken) as broken:
        run(host, source)
    assert broken.value.index == 0


@pytest.mark.parametrize("route", ["torch.nn.functional.dropout(x, 0.5)", "torch.nn.Dropout(0.2)(x)",
                                   "torch.native_dropout(x, 0.5, True)[0]",
                                   "importlib.import_module('torch._refs.nn.functional').dropout(x, 0.5, True)"])
def test_built_in_dropout_is_refused_as_the_second_rule(host: Sandbox, route: str) -> None:
    source = f"""
        import importlib
        import torch
        x = torch.randn(8, 4)

        def attack():
            return {route}
    """
    with pytest.raises(RuleBroken) as broken:
        run(host, source)
    assert broken.value.index == 1


def test_normalization_written_by_hand_still_runs_where_the_built_in_is_refused(host: Sandbox) -> None:
    source = """
        import torch

        def attack():
            x = torch.randn(8, 4)
            mask = (torch.rand(8, 4) > 0.5).double() / 0.5
            out = (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + 1e-5)
            return out.double() * mask, torch.tanh(out).sum().item()
    """
    out, total = run(host, source)
    assert out.shape == (8, 4) and isinstance(total, float)


@pytest.mark.parametrize("route", [
    "torch.ones(3).sum()",
    "torch.from_numpy(np.ones(3)).sum()",
    "course_utils.gradient_check.torch.tensor([1.0, 2.0]) * 2",
    "torch.nn.functional.conv2d(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 2, 2))",
    "importlib.import_module('tor' + 'ch').randn(2)",
    "torch.nn.Linear(2, 2)",
    # the kernels themselves refuse, not a thread-local switch the child could flip back
    "torch._C._dispatch_tls_set_dispatch_key_excluded(torch._C.DispatchKey.CPU, False) or torch.ones(3).sum()",
    "forced()",
    "torch.ops.prims.mul(torch.from_numpy(x), torch.from_numpy(x))",
    "torch.sparse_coo_tensor([[0, 1]], [1.0, 2.0], (2,)).to_dense()",
])
def test_a_numpy_only_child_runs_no_torch_operator(host: Sandbox, route: str) -> None:
    source = f"""
        import importlib
        import numpy as np
        import course_utils.gradient_check
        import torch

        x = np.ones(2)
        cpu = torch._C.DispatchKeySet(torch._C.DispatchKey.CPU)

        def forced():
            with torch._C._ForceDispatchKeyGuard(cpu, cpu.remove(torch._C.DispatchKey.CPU)):
                return torch.ones(3).sum()

        def attack():
            return np.ones(2).sum(), {route}
    """
    with pytest.raises(RuleBroken) as broken:
        run(host, source, (EVERY_TORCH_OPERATOR,), "numpy")
    assert broken.value.index == 0


def test_a_refusal_survives_the_child_replacing_what_it_calls(host: Sandbox) -> None:
    source = """
        import os
        import torch

        def attack():
            os._exit = os.write = lambda *args: None
            return torch.batch_norm(torch.randn(8, 4), None, None, None, None, True, 0.1, 1e-5, False)
    """
    with pytest.raises(RuleBroken) as broken:
        run(host, source)
    assert broken.value.index == 0


def test_torch_modules_a_child_imports_later_still_work_under_rules(host: Sandbox) -> None:
    """An optimizer's first step imports ``torch._dynamo`` (hundreds of modules, some defining functions named
    like batch norm): torch's own machinery, not the student's route to the work, so it runs."""
    source = """
        import torch

        def attack():
            model = torch.nn.Linear(4, 3)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            model(torch.ones(2, 4)).sum().backward()
            optimizer.step()
            return float(model.weight.grad.abs().sum()) > 0
    """
    assert run(host, source, ((NORMALIZATION_OPERATORS),)) is True


def test_rules_stay_with_the_sessions_that_have_them(host: Sandbox) -> None:
    """A rule host refuses for its own children only: sessions without rules, or with other ones, run as before."""
    source = """
        import torch

        def attack():
            return float(torch.nn.functional.layer_norm(torch.ones(2, 4), (4,)).sum())
    """
    with pytest.raises(RuleBroken):
        run(host, source, (EVERY_TORCH_OPERATOR,), "numpy")
    assert run(host, source, ()) == 0.0
    assert run(host, source, (("dropout",),)) == 0.0
    with pytest.raises(RuleBroken):
        run(host, source)
    assert run(host, source, ()) == 0.0


def test_a_numpy_only_child_still_computes_with_numpy_and_starts_no_thread(host: Sandbox) -> None:
    source = """
        import threading
        import numpy as np

        def attack():
            value = float(np.linalg.norm(np.arange(4.0)))
            try:
                threading.Thread(target=print).start()
                started = True
            except RuntimeError:
                started = False
            return value, started
    """
    value, started = run(host, source, (EVERY_TORCH_OPERATOR,), "numpy")
    assert value == pytest.approx(14 ** 0.5) and started is False


AUDITED = {
    "unpickling code": "pickle.loads(b'cos\\nsystem\\n(S\"true\"\\ntR.')",
    "unpickling through numpy": "np.load(io.BytesIO(npy_with_code), None, True)",
    "marshal": "marshal.loads(marshal.dumps(compile('1', 's', 'eval')))",
    "ctypes": "ctypes.CDLL(None).getpid()",
    "a process": "subprocess.run(['true'])",
    "a fork": "os.fork()",
    "a socket": "socket.socket()",
    "the garbage collector": "gc.get_objects()",
    "a trace function": "sys.settrace(None)",
    "a new code object": "(lambda: 1).__code__.replace(co_consts=(2,))",
    "a fresh copy of a loaded module": "sys.modules.pop('json') and importlib.import_module('json')",
    "writing outside the scratch folder": "open('/etc/course-test', 'w')",
}


@pytest.mark.parametrize("what", sorted(AUDITED))
def test_the_audit_hook_refuses_what_runs_unseen_code_or_reaches_past_names(host: Sandbox, what: str) -> None:
    source = f"""
        import ctypes, gc, importlib, io, marshal, os, pickle, socket, subprocess, sys
        import numpy as np

        class Payload:
            def __reduce__(self):
                return (os.system, ("true",))

        buffer = io.BytesIO()
        np.save(buffer, np.array([Payload()], dtype=object), allow_pickle=True)
        npy_with_code = buffer.getvalue()

        def attack():
            {AUDITED[what]}
    """
    with pytest.raises(StudentException) as refused:
        run(host, source, ())
    assert refused.value.type in ("PermissionError", "FileNotFoundError", "OSError"), refused.value


def test_plain_data_still_unpickles_and_the_scratch_folder_is_writable(host: Sandbox) -> None:
    source = """
        import collections, pickle
        import numpy as np

        def attack():
            data = {"x": np.arange(3.0), "n": [1, 2.5, "a"], "o": collections.OrderedDict(a=1)}
            back = pickle.loads(pickle.dumps(data))
            with open("scratch.txt", "w") as f:
                f.write("ok")
            return back["x"], back["n"], open("scratch.txt").read()
    """
    x, n, text = run(host, source, ())
    assert list(x) == [0, 1, 2] and n == [1, 2.5, "a"] and text == "ok"


def test_a_rule_broken_at_run_time_costs_its_cells_tests_with_the_rules_message(grading, monkeypatch) -> None:
    """The spiral's Q1 with the built-in batch norm reached where the static check is blind (here: the rules'
    names removed, so that only the run-time layer stands): every Q1 test scores 0 with the rule's reason,
    and Q4 (another cell) keeps its points."""
    notebook = "spiral_from_scratch"
    grader = grading.graders[notebook]
    blind = {cell: [dataclasses.replace(rule, names=(), attributes=()) for rule in rules]
             for cell, rules in grader.rules.items()}
    norm_rule = next(rule for rule in blind["Q1_solution"] if rule.operators == NORMALIZATION_OPERATORS)
    cheat = grader.master_cells["Q1_solution"] + textwrap.dedent("""

        def _forward(self, z):
            z_hat = torch.nn.functional.layer_norm(z, (self.D,), eps=self.eps)
            self._cache = (z_hat, 1.0 / torch.sqrt(z.var(dim=1, unbiased=False, keepdim=True) + self.eps))
            return self.gamma * z_hat + self.beta
        InstanceNorm1D.forward = _forward
    """)
    monkeypatch.setattr(grader, "rules", blind)
    monkeypatch.setattr(grader, "tests", [t for t in grader.tests if t.question in ("Q1", "Q4")])
    results = grading.grade_answers(notebook, {**grader.master_cells, "Q1_solution": cheat})
    q1 = [r for r in results if r.question == "Q1"]
    q4 = [r for r in results if r.question == "Q4"]
    assert q1 and q4
    assert all(r.score == 0 and r.message == f"rule broken: {norm_rule.reason}" for r in q1), \
        [(r.name, r.message) for r in q1]
    assert all(r.passed for r in q4), [(r.name, r.message) for r in q4 if not r.passed]


def test_rule_hosts_end_with_their_sandbox() -> None:
    """Each set of rules gets one rule host, forked by the host and ended when the sandbox closes."""
    sandbox = Sandbox(SandboxConfig())
    try:
        for forbid in (FORBID, (EVERY_TORCH_OPERATOR,), FORBID):
            assert run(sandbox, "def attack():\n    return 1\n", forbid, "numpy") == 1
        host = sandbox._process.pid
        with open(f"/proc/{host}/task/{host}/children") as children:
            rule_hosts = [int(pid) for pid in children.read().split()]
        assert len(rule_hosts) == 2
    finally:
        sandbox.close()
    assert not any(os.path.exists(f"/proc/{pid}") for pid in (host, *rule_hosts))


def _memory_mb(pid: int, *fields: str) -> float:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        found = dict(line.split(":", 1) for line in rollup.read().splitlines()[1:])
    return sum(int(found[field].split()[0]) for field in fields) / 1024


@pytest.mark.parametrize("forbid", [(EVERY_TORCH_OPERATOR,), FORBID], ids=["every operator", "named operators"])
def test_a_rule_host_shares_its_parents_memory(forbid: tuple) -> None:
    """A rule host copies what it changes, not the heap it shares with its host (a copy once cost Gradescope's
    768 MB over 200 MB per rule host): what it alone holds stays well under the host's memory."""
    with Sandbox(SandboxConfig()) as sandbox:
        assert run(sandbox, "def attack():\n    return 1\n", forbid, "numpy") == 1
        host = sandbox._process.pid
        with open(f"/proc/{host}/task/{host}/children") as children:
            [rule_host] = [int(pid) for pid in children.read().split()]
        own, hosts = _memory_mb(rule_host, "Private_Dirty", "Private_Clean"), _memory_mb(host, "Anonymous")
        assert own < 0.75 * hosts, f"the rule host alone holds {own:.0f} MB, its host {hosts:.0f} MB"
