"""Q1: the functional batchnorm in training and evaluation mode, its running statistics, its gradients.

The running statistics live in a dict kept in the child, as in the notebook, and are read back from that same
dict: an update that rebinds a local name instead of writing into the dict is not seen. Whether the update
is detached (``no_grad``, ``.detach()``) or left attached to the graph does not matter: only values are read.
The gradient test compares autograd's gradients with the reference only where the forward matches it (a forward
defect was priced above); otherwise it judges them against finite differences of the submission's own forward,
which catches a graph cut where it should not be (a detached batch mean) either way.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.batchnorm_lab.common import hidden_stats, read, stats
from autograder.kit import Failure, Kit, as_leaf, graded, matches_reference, normal
from autograder.sandbox import SandboxError, Session

# (seed, N, F, keywords): the default eps and momentum, and other values passed by keyword
BN_CASES = [(1101, 9, 4, {}), (1102, 40, 13, {"eps": 1e-2, "momentum": 0.3}), (1103, 2, 3, {})]


def _batch(seed: int, step: int, n: int, f: int) -> np.ndarray:
    return normal(seed + 10 + step, n, f, scale=3, shift=1)


def _scale_shift(seed: int, f: int) -> tuple[np.ndarray, np.ndarray]:
    return 0.3 * normal(seed + 2, f), 1 + 0.3 * normal(seed + 3, f)  # beta, gamma


def training_output(s: Session) -> dict:
    """training mode normalizes each feature with the batch mean and unbiased variance, then scales and shifts."""
    out = {}
    for seed, n, f, options in BN_CASES:
        beta, gamma = _scale_shift(seed, f)
        running = stats(s, *hidden_stats(seed, f))
        out[f"training-mode output on ({n}, {f})"] = s.call("batchnorm", _batch(seed, 0, n, f), beta, gamma, running,
                                                            train=True, **options)
    return out


def running_statistics(s: Session) -> dict:
    """training mode updates the running mean and variance in the dict passed, by the momentum convention."""
    out = {}
    for seed, n, f, options in BN_CASES:
        beta, gamma = _scale_shift(seed, f)
        running = stats(s, *hidden_stats(seed, f))
        for step in range(3):
            s.call("batchnorm", _batch(seed, step, n, f), beta, gamma, running, train=True, **options)
        values = read(running)
        for key in ("running_mean", "running_var"):
            out[f"{key} in the dict after 3 batches of ({n}, {f})"] = values.get(key) if isinstance(values, dict) \
                else None
    return out


def eval_output(s: Session) -> dict:
    """evaluation mode normalizes with the running statistics and leaves them as they were."""
    out = {}
    for seed, n, f, options in BN_CASES:
        beta, gamma = _scale_shift(seed, f)
        running = stats(s, *hidden_stats(seed + 50, f))
        out[f"evaluation-mode output on ({n}, {f})"] = s.call("batchnorm", _batch(seed, 5, n, f), beta, gamma, running,
                                                              train=False, **options)
        out[f"evaluation-mode output on one example of {f} features"] = s.call(
            "batchnorm", _batch(seed, 6, 1, f), beta, gamma, running, train=False, **options)
        values = read(running)
        for key in ("running_mean", "running_var"):
            out[f"{key} after evaluation-mode calls ({n}, {f})"] = values.get(key) if isinstance(values, dict) \
                else None
    return out


GRADIENT_CASE = (1201, 7, 5)


def _autograd(s: Session, x: np.ndarray, beta: np.ndarray, gamma: np.ndarray, dout: np.ndarray) -> dict:
    """Autograd's gradients of sum(batchnorm(x, beta, gamma) * dout) in the child, training mode."""
    leaves = {"x": as_leaf(s, x), "beta": as_leaf(s, beta), "gamma": as_leaf(s, gamma)}
    f = x.shape[1]
    running = {"running_mean": np.zeros(f), "running_var": np.ones(f)}
    out = s.call_kept("batchnorm", leaves["x"], leaves["beta"], leaves["gamma"], running, train=True)
    out.call("backward", dout)
    return {name: leaf.get("grad") for name, leaf in leaves.items()}


def _gradient_inputs(seed: int, n: int, f: int) -> tuple[np.ndarray, ...]:
    beta, gamma = _scale_shift(seed, f)
    return _batch(seed, 0, n, f), beta, gamma, normal(seed + 20, n, f)


def gradients(s: Session) -> dict:
    """autograd's gradients with respect to inputs, gamma and beta (training mode) match the reference."""
    grads = _autograd(s, *_gradient_inputs(*GRADIENT_CASE))
    return {f"d{name} of the training-mode output": value for name, value in grads.items()}


test_Q1_training_output_matches_reference = matches_reference("Q1_batchnorm", 1, training_output, rtol=1e-8)


def running_means(s: Session) -> dict:
    """the running means of ``running_statistics`` alone (they do not depend on how the variance is computed)."""
    return {label: value for label, value in running_statistics(s).items() if label.startswith("running_mean")}


def _forward_matches(kit: Kit) -> bool:
    """Whether the training-mode output matches the reference (if not, the first test priced it)."""
    try:
        kit.compare(training_output, rtol=1e-8)
    except (Failure, SandboxError):
        return False
    return True


@graded("Q1_batchnorm", 1)
def test_Q1_running_statistics_match_reference(kit: Kit) -> None:
    """training mode updates the running mean and variance in the dict passed, by the momentum convention.

    Where the training-mode output already differs (the first test priced that), only the running means are
    judged."""
    kit.compare(running_statistics if _forward_matches(kit) else running_means, rtol=1e-8)


def _require_batch_statistics(kit: Kit) -> None:
    """Refuse a training-mode forward that works example by example (the identity, an affine map): judged only
    against itself, it would pass the fallbacks below without normalizing anything. Raising one entry must move
    the other examples' outputs of that feature."""
    x, beta, gamma, _ = _gradient_inputs(*GRADIENT_CASE)
    f = x.shape[1]

    def output(inputs: np.ndarray) -> object:
        return kit.session.call("batchnorm", inputs, beta, gamma,
                                {"running_mean": np.zeros(f), "running_var": np.ones(f)}, train=True)

    same_feature = np.zeros(x.shape, dtype=bool)
    same_feature[1:, 0] = True
    kit.require_normalization(output, x, same_feature, "batchnorm")


@graded("Q1_batchnorm", 1)
def test_Q1_eval_mode_uses_running_statistics(kit: Kit) -> None:
    """evaluation mode normalizes with the running statistics and leaves them as they were.

    Where the training-mode output already differs (the first test priced that), these two properties are
    judged on the submission's own code: an example's output does not depend on its batch, and the dict is
    unchanged."""
    if _forward_matches(kit):
        kit.compare(eval_output, rtol=1e-8)
        return
    s = kit.session
    for seed, n, f, options in BN_CASES:
        beta, gamma = _scale_shift(seed, f)
        mean, var = hidden_stats(seed + 50, f)
        running = stats(s, mean, var)
        x = _batch(seed, 5, n, f)
        batch = kit.array(s.call("batchnorm", x, beta, gamma, running, train=False, **options), (n, f),
                          "the evaluation-mode output")
        alone = kit.array(s.call("batchnorm", x[-1:], beta, gamma, running, train=False, **options), (1, f),
                          "the evaluation-mode output of one example")
        kit.expect(np.allclose(alone[0], batch[-1], rtol=1e-10, atol=1e-12),
                   "in evaluation mode an example's output should not depend on the rest of its batch")
        shifted = kit.array(s.call("batchnorm", x, beta, gamma, stats(s, mean + 1.0, 2.0 * var), train=False,
                                   **options), (n, f), "the evaluation-mode output")
        kit.expect(float(np.max(np.abs(shifted - batch))) > 1e-6,
                   "in evaluation mode the output should depend on the running statistics")
        values = read(running)
        kit.expect(isinstance(values, dict) and np.array_equal(kit.array(values.get("running_mean"), (f,), "mean"),
                                                               mean)
                   and np.array_equal(kit.array(values.get("running_var"), (f,), "var"), var),
                   "evaluation mode should leave the running statistics unchanged")


def gradient_case_output(s: Session) -> dict:
    """the training-mode output on the gradient test's batch."""
    x, beta, gamma, _ = _gradient_inputs(*GRADIENT_CASE)
    f = x.shape[1]
    return {"training-mode output on the gradient test's batch": s.call(
        "batchnorm", x, beta, gamma, {"running_mean": np.zeros(f), "running_var": np.ones(f)}, train=True)}


@graded("Q1_batchnorm", 1)
def test_Q1_gradients_flow_through_the_batch_statistics(kit: Kit) -> None:
    """autograd's gradients with respect to inputs, gamma and beta are right (training mode).

    They are compared with the reference where the forward matches it, and otherwise (the tests above priced
    the forward) with finite differences of the submission's own forward."""
    try:
        kit.compare(gradient_case_output, rtol=1e-8)
    except (Failure, SandboxError):
        pass  # a forward defect: judge only that the gradients are those of the forward as written
    else:
        kit.compare(gradients, rtol=1e-7)
        return
    _require_batch_statistics(kit)
    s = kit.session
    x, beta, gamma, dout = _gradient_inputs(*GRADIENT_CASE)
    f = x.shape[1]
    analytic = _autograd(s, x, beta, gamma, dout)

    def forward(x: np.ndarray, beta: np.ndarray, gamma: np.ndarray):
        running = {"running_mean": np.zeros(f), "running_var": np.ones(f)}
        return s.call("batchnorm", x, beta, gamma, running, train=True)

    kit.gradients(forward, {"x": x, "beta": beta, "gamma": gamma}, dout, analytic, rtol=1e-6)
