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
