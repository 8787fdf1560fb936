"""Many operations in one round trip (``Session.batch``, the child's ``batch`` operation), and the finite-difference
checks that use it (``Kit.forward``): the same values and the same failures as one call each, in one call."""
import numpy as np
import pytest

from autograder.kit import Failure, Kit
from autograder.sandbox import Limits, Sandbox, SandboxConfig, StudentException

CELL = '''
import numpy as np

class Layer:
    def __init__(self):
        self.scale = np.ones(3)
        self.seen = 0

    def forward(self, x):
        self.seen += 1
        if self.seen == BREAK_AT:
            raise ValueError("broken")
        return np.tanh(x) * self.scale

    def odd(self, x):
        return np.zeros(7)

BREAK_AT = -1
'''


@pytest.fixture(scope="module")
def host():
    with Sandbox(SandboxConfig(array_api="numpy")) as sandbox:
        yield sandbox


def session(host, break_at=-1):
    return host.session([("layer", CELL + f"BREAK_AT = {break_at}\n")], Limits(wall_seconds=30), "numpy")


def test_a_batch_runs_its_operations_in_order_in_one_call(host):
    with session(host) as s:
        layer = s.new("Layer")
        calls = s.calls
        values, error = s.batch([layer.planned_set("scale", np.full(3, 2.0)), layer.planned_call("forward", np.zeros(3)),
                                 layer.planned_call("forward", np.ones(3)), s.plan("get", "seen", layer.handle)])
        assert s.calls == calls + 1 and error is None
        assert values[0] is None and np.allclose(values[1], 0) and np.allclose(values[2], 2 * np.tanh(1.0))
        assert values[3] == 2


def test_an_operation_that_raises_ends_the_batch_with_its_error(host):
    with session(host, break_at=2) as s:
        layer = s.new("Layer")
        values, error = s.batch([layer.planned_call("forward", np.zeros(3)) for _ in range(4)])
        assert len(values) == 1 and isinstance(error, StudentException) and error.kind == "ValueError"
        assert layer.get("seen") == 2  # the operations after it did not run


def test_a_batched_gradient_check_gives_what_one_call_each_gives_in_one_call(host):
    x, dout = np.random.default_rng(0).standard_normal((4, 3)), np.random.default_rng(1).standard_normal((4, 3))
    with session(host) as s:
        kit = Kit(lambda: s, lambda probe: {})
        layer = s.new("Layer")
        right = dout * (1 - np.tanh(x) ** 2)
        calls = s.calls
        kit.gradient_check(kit.forward(lambda v: [layer.planned_call("forward", v)]), x, dout, right, "dx")
        assert s.calls == calls + 1
        kit.gradient_check(lambda v: layer.call("forward", v), x, dout, right, "dx")
        assert s.calls == calls + 1 + 2 * x.size
        for forward in (kit.forward(lambda v: [layer.planned_call("forward", v)]),
                        lambda v: layer.call("forward", v)):
            with pytest.raises(Failure, match="disagrees with finite differences"):
                kit.gradient_check(forward, x, dout, 2 * right, "dx")
        for forward in (kit.forward(lambda v: [layer.planned_call("odd", v)]), lambda v: layer.call("odd", v)):
            with pytest.raises(Failure, match="got another shape"):
                kit.gradient_check(forward, x, dout, right, "dx")


def test_a_batched_gradient_check_raises_the_error_of_the_evaluation_that_raised(host):
    x, dout = np.zeros((2, 3)), np.ones((2, 3))
    with session(host, break_at=4) as s:
        kit = Kit(lambda: s, lambda probe: {})
        layer = s.new("Layer")
        with pytest.raises(StudentException):
            kit.gradient_check(kit.forward(lambda v: [layer.planned_call("forward", v)]), x, dout, dout, "dx")
        assert layer.get("seen") == 4


def test_gradients_of_keyword_inputs_set_what_changed_and_batch_each_input(host):
    with session(host) as s:
        kit = Kit(lambda: s, lambda probe: {})
        layer = s.new("Layer")
        x, scale, dout = np.random.default_rng(2).standard_normal((2, 3)), np.array([0.5, 1.5, 2.0]), np.ones((2, 3))
        forward = kit.forward(lambda x, scale: [layer.planned_set("scale", scale), layer.planned_call("forward", x)])
        calls = s.calls
        kit.gradients(forward, {"x": x, "scale": scale}, dout,
                      {"x": dout * (1 - np.tanh(x) ** 2) * scale, "scale": np.sum(np.tanh(x) * dout, axis=0)})
        assert s.calls == calls + 2
