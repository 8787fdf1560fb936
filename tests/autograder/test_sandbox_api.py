"""The sandbox's calling conventions: the array type a child receives, values kept in the child, and what
arrives of the child's strings."""
import numpy as np
import pytest

from autograder.sandbox import Limits, Remote, Sandbox, SandboxConfig

KIND = '''
def kind(value):
    return type(value).__module__.split(".")[0]

def make_data(n):
    return {"X": list(range(n)), "name": "draw"}

def remember(params, value):
    params["seen"] = value

copy = np = None  # a notebook may rebind any name: a value the grader keeps must not need one
'''


@pytest.fixture(scope="module")
def host():
    with Sandbox(SandboxConfig()) as sandbox:
        yield sandbox


@pytest.mark.parametrize("array_api, expected", [(None, "torch"), ("torch", "torch"), ("numpy", "numpy")])
def test_each_session_chooses_the_array_type_its_child_receives(host, array_api, expected):
    with host.session([("kind", KIND)], Limits(wall_seconds=20), array_api) as session:
        assert session.call("kind", np.zeros(3)) == expected


def test_an_unknown_array_type_is_refused(host):
    with pytest.raises(ValueError, match="array_api"):
        host.session([], Limits(), "jax")


def test_a_kept_value_stays_in_the_child_and_can_be_passed_back(host):
    with host.session([("kind", KIND)], Limits(wall_seconds=20)) as session:
        data = session.call_kept("make_data", 4)
        assert isinstance(data, Remote) and data.type_name == "dict"
        assert data.call("__len__") == 2
        assert data.call("__getitem__", "X") == [0, 1, 2, 3]
        kept = data.call_kept("__getitem__", "X")
        assert isinstance(kept, Remote) and kept.call("__len__") == 4
        assert session.call("kind", kept) == "builtins"


@pytest.mark.parametrize("array_api, expected", [("torch", "torch"), ("numpy", "numpy")])
def test_a_value_the_grader_keeps_in_the_child_holds_what_the_students_code_writes_there(host, array_api, expected):
    with host.session([("kind", KIND)], Limits(wall_seconds=20), array_api) as session:
        params = session.keep({"mode": "train", "running_mean": np.zeros(2)})
        assert isinstance(params, Remote) and params.type_name == "dict"
        assert session.call("kind", params.call_kept("__getitem__", "running_mean")) == expected
        session.call("remember", params, 3)
        assert params.call("__getitem__", "seen") == 3 and params.call("__len__") == 3


HOSTILE = r'''
def words():
    return {"key\x1b[2J": "line one\n[PASS] forged\x07" + "x" * 50_000}

def odd_object():
    return type("\x1b[31mRed\nName", (), {})()
'''


def test_strings_from_the_child_arrive_cleaned_and_capped(host):
    from autograder.sandbox import KEY_LIMIT, STRING_LIMIT

    with host.session([("hostile", HOSTILE)], Limits(wall_seconds=20)) as session:
        (key, value), = session.call("words").items()
        assert key.isprintable() and len(key) <= KEY_LIMIT
        assert value.isprintable() and len(value) == STRING_LIMIT and value.startswith("line one [PASS] forged")
        assert session.call("odd_object").type_name == "object"


def test_the_host_reports_what_it_applied_and_what_it_could_not(host):
    import os

    host._start()
    if os.geteuid() == 0:
        assert not any("namespace" in note for note in host.notes)
        assert any("namespaces" in item for item in host.confinement)
    else:
        assert any("not run as root" in note for note in host.notes)


def test_a_new_host_removes_the_scratch_folders_of_killed_hosts():
    import tempfile
    from pathlib import Path

    stale = Path(tempfile.gettempdir()) / "course-sandbox-999999999-abcdefgh"
    (stale / "root").mkdir(parents=True, exist_ok=True)
    with Sandbox(SandboxConfig(preload=("numpy",))) as fresh:
        fresh._start()
    assert not stale.exists()


def test_without_namespaces_a_child_still_runs_limited_and_is_killed_with_all_it_started():
    """The fallback where namespaces cannot be made (a container that forbids them): the host forks plain
    children, with a user id of their own when it is root and that user can read Python, and kills their
    whole process tree (beneath the audit hook, which would refuse the process first)."""
    import os
    import socket
    import time

    from autograder.sandbox import host as host_module
    from autograder.sandbox import wire

    ours, theirs = socket.socketpair()
    host = host_module.Host(theirs)
    try:
        host.setup({"preload": ["numpy", "numpy.random", "subprocess"], "hide": [], "audit": False})
        notes = host.without_namespaces()
        limits = Limits(wall_seconds=20).as_dict()
        host.child, rpc, output = host._fork({"limits": limits, "array_api": "numpy"})
        cell = "import os, subprocess, sys\nkid = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        wire.send(rpc, {"op": "load", "cells": [{"name": "c", "source": cell + "def ids():\n    return os.getuid(), "
                                                                                     "kid.pid\n"}]})
        assert wire.receive(rpc, time.monotonic() + 20) == {"loaded": True}
        wire.send(rpc, {"op": "call", "name": "ids", "args": [], "kwargs": {}})
        uid, kid = wire.receive(rpc, time.monotonic() + 20)["value"]
        assert (uid >= 2**30) == host.plan.own_uid and host.plan.own_uid != bool(notes)
        assert os.path.exists(f"/proc/{kid}")
        # the child still waits on its open connection (closed, it would end by itself before the kill)
        assert host.finish()["status"] == "killed by SIGKILL"
        rpc.close()
        os.close(output)
        assert not os.path.exists(f"/proc/{kid}") or "Z" in open(f"/proc/{kid}/stat").read().split()[2]
    finally:
        if host.plan.cgroups is not None:
            host.plan.cgroups.remove()
        ours.close()
