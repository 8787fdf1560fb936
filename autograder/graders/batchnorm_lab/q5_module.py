"""Q5: myBatchnorm: buffers and parameters, training and evaluation mode against the reference.

Values are set with ``load_state_dict`` after ``double()``, by the names the release gives (``gamma``,
``beta``, ``running_mean``, ``running_var``); the constructor is called as the release shows it, with
``epsilon`` and ``momentum`` by keyword.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.batchnorm_lab.common import hidden_stats
from autograder.kit import Failure, Given, Kit, graded, matches_reference, normal
from autograder.sandbox import SandboxError, Remote, Session

CASES = [(5101, 9, 4, {}), (5102, 30, 11, {"epsilon": 1e-2, "momentum": 0.3})]


def _module(s: Session, seed: int, f: int, options: dict) -> Remote:
    """A myBatchnorm in float64 with hidden gamma, beta and running statistics: loaded with load_state_dict, and
    the statistics assigned to their names where the state_dict lacks them (so that how they are registered is
    the buffers test's alone to judge)."""
    module = s.new("myBatchnorm", f, **options)
    module.call("double")
    mean, var = hidden_stats(seed, f)
    values = {"gamma": 1 + 0.3 * normal(seed + 2, f), "beta": 0.3 * normal(seed + 3, f), "running_mean": mean,
              "running_var": var}
    module.call("load_state_dict", values, strict=False)
    state = module.call("state_dict")
    for key in ("running_mean", "running_var"):
        if not isinstance(state, dict) or key not in state:
            module.set(key, values[key])
    return module


def _buffers(module: Remote, label: str) -> dict:
    return {f"{key} {label}": module.get(key) for key in ("running_mean", "running_var")}


def training_mode(s: Session) -> dict:
    """in training mode the output uses the batch statistics and the buffers follow the momentum update."""
    out = {}
    for seed, n, f, options in CASES:
        module = _module(s, seed, f, options)
        module.call("train")
        for step in range(2):
            out[f"training-mode output {step + 1} on ({n}, {f})"] = module.call(
                "forward", normal(seed + 10 + step, n, f, scale=2, shift=1))
        out.update(_buffers(module, f"after two training batches ({n}, {f})"))
    return out


def eval_mode(s: Session) -> dict:
    """after eval() the output uses the running statistics, which stay frozen."""
    out = {}
    for seed, n, f, options in CASES:
        module = _module(s, seed, f, options)
        module.call("eval")
        out[f"evaluation-mode output on ({n}, {f})"] = module.call("forward", normal(seed + 20, n, f))
        out[f"evaluation-mode output on one example ({f})"] = module.call("forward", normal(seed + 21, 1, f))
        out.update(_buffers(module, f"after evaluation-mode calls ({n}, {f})"))
    return out


@graded("Q5_module", 0.5)
def test_Q5_buffers_and_parameters(kit: Kit) -> None:
    """running_mean and running_var are buffers (in state_dict, not parameters, no gradient); gamma and beta are parameters."""
    s = kit.session
    module = s.new("myBatchnorm", 6)
    parameters, buffers = module.get("_parameters"), module.get("_buffers")
    kit.expect(isinstance(parameters, dict) and isinstance(buffers, dict), "myBatchnorm should be an nn.Module")
    state = module.call("state_dict")
    for name, initial in (("running_mean", 0.0), ("running_var", 1.0)):
        kit.expect(name in buffers and name not in parameters,
                   "{name} should be a buffer (register_buffer), not a parameter", name=name)
        kit.expect(isinstance(state, dict) and name in state, "{name} should be in state_dict()", name=name)
        kit.expect(np.all(kit.array(buffers[name], (6,), name) == initial), "{name} should start at {initial}",
                   name=name, initial=Given(initial))
        tensor = s.request("get", name, module.handle, keep=True)
        kit.expect(isinstance(tensor, Remote) and tensor.get("requires_grad") is False,
                   "{name} should not require grad", name=name)
    for name, initial in (("gamma", 1.0), ("beta", 0.0)):
        kit.expect(name in parameters, "{name} should be an nn.Parameter of the module", name=name)
        kit.expect(np.all(kit.array(parameters[name], (6,), name) == initial), "{name} should start at {initial}",
                   name=name, initial=Given(initial))


test_Q5_training_mode_matches_reference = matches_reference("Q5_module", 0.5, training_mode, rtol=1e-8)


@graded("Q5_module", 0.5)
def test_Q5_eval_mode_matches_reference(kit: Kit) -> None:
    """after eval() the output uses the running statistics, which stay frozen.

    Where the training-mode output already differs (the test above priced that), judged on the submission's
    own module: an example's output does not depend on its batch, and the statistics do not move."""
    try:
        kit.compare(training_mode, rtol=1e-8)
    except (Failure, SandboxError):
        pass
    else:
        kit.compare(eval_mode, rtol=1e-8)
        return
    s = kit.session
    for seed, n, f, options in CASES:
        module = _module(s, seed, f, options)
        module.call("eval")
        before = {key: kit.array(module.get(key), (f,), key) for key in ("running_mean", "running_var")}
        x = normal(seed + 20, n, f)
        batch = kit.array(module.call("forward", x), (n, f), "the evaluation-mode output")
        alone = kit.array(module.call("forward", x[-1:]), (1, f), "the evaluation-mode output of one example")
        kit.expect(np.allclose(alone[0], batch[-1], rtol=1e-10, atol=1e-12),
                   "after eval() an example's output should not depend on the rest of its batch")
        kit.expect(all(np.array_equal(kit.array(module.get(key), (f,), key), value) for key, value in before.items()),
                   "after eval() the running statistics should stay frozen")
        other = _module(s, seed + 500, f, options)
        other.call("eval")
        moved = kit.array(other.call("forward", x), (n, f), "the evaluation-mode output")
        kit.expect(float(np.max(np.abs(moved - batch))) > 1e-6,
                   "after eval() the output should depend on the running statistics and gamma and beta")
