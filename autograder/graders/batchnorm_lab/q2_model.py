"""Q2: my_nn (BN placement, train flag), initialize_nn, my_zero_grad; batchnorm is the master's.

Parameters and statistics are dicts kept in the child (made with the notebook's ``new_params`` and
``new_stats``) holding hidden float64 values, passed the way the notebook passes ``param_dict`` and
``layers_stats_list``.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.batchnorm_lab.common import hidden_stats, images, params, read, stats
from autograder.kit import Failure, Given, Kit, graded, matches_reference
from autograder.sandbox import SandboxError, Session

SIZES = [(2101, 11, 6, 13), (2102, 5, 9, 4)]  # seed, h1, h2, batch


def _stats_list(s: Session, seed: int, h1: int, h2: int) -> list:
    return [stats(s, *hidden_stats(seed + 30, h1)), stats(s, *hidden_stats(seed + 40, h2))]


def training_scores(s: Session) -> dict:
    """in training mode each hidden layer is affine, ReLU, then batchnorm (scores and running statistics)."""
    out = {}
    for seed, h1, h2, n in SIZES:
        param_dict, stats_list = params(s, seed, h1, h2), _stats_list(s, seed, h1, h2)
        out[f"training-mode scores, hidden sizes ({h1}, {h2})"] = s.call("my_nn", images(seed + 1, n), param_dict,
                                                                         stats_list, train=True)
        for layer, kept in enumerate(stats_list):
            values = read(kept)
            for key in ("running_mean", "running_var"):
                out[f"layer {layer} {key} after a training-mode pass ({h1}, {h2})"] = \
                    values.get(key) if isinstance(values, dict) else None
    return out


def eval_scores(s: Session) -> dict:
    """with train=False the batch norms use the running statistics (a batch and a single image)."""
    out = {}
    for seed, h1, h2, n in SIZES:
        param_dict, stats_list = params(s, seed, h1, h2), _stats_list(s, seed, h1, h2)
        out[f"evaluation-mode scores, hidden sizes ({h1}, {h2})"] = s.call("my_nn", images(seed + 2, n), param_dict,
                                                                           stats_list, train=False)
        out[f"evaluation-mode scores of one image ({h1}, {h2})"] = s.call("my_nn", images(seed + 3, 1), param_dict,
                                                                          stats_list, train=False)
    return out


test_Q2_training_scores_match_reference = matches_reference("Q2_model", 0.75, training_scores, rtol=1e-7)


@graded("Q2_model", 0.5)
def test_Q2_eval_mode_uses_running_statistics(kit: Kit) -> None:
    """with train=False the batch norms use the running statistics (a batch and a single image).

    The scores are compared with the reference where the training-mode scores match it; otherwise (the test
    above priced the layers) an image's scores must not depend on its batch and the statistics must stay as
    they were."""
    try:
        kit.compare(training_scores, rtol=1e-7)
    except (Failure, SandboxError):
        pass  # the layers differ from the reference: judge the inference mode on its own
    else:
        kit.compare(eval_scores, rtol=1e-7)
        return
    s = kit.session
    seed, h1, h2, n = SIZES[0]
    param_dict, stats_list = params(s, seed, h1, h2), _stats_list(s, seed, h1, h2)
    before = [read(kept) for kept in stats_list]
    batch = kit.array(s.call("my_nn", images(seed + 2, n), param_dict, stats_list, train=False), (n, 10),
                      "evaluation-mode scores")
    alone = kit.array(s.call("my_nn", images(seed + 2, n)[:1], param_dict, stats_list, train=False), (1, 10),
                      "evaluation-mode scores of one image")
    kit.expect(np.allclose(alone[0], batch[0], rtol=1e-7, atol=1e-9),
               "with train=False an image's scores should not depend on the rest of its batch")
    other_stats = _stats_list(s, seed + 500, h1, h2)
    other = kit.array(s.call("my_nn", images(seed + 2, n), param_dict, other_stats, train=False), (n, 10),
                      "evaluation-mode scores")
    kit.expect(float(np.max(np.abs(other - batch))) > 1e-6,
               "with train=False the scores should depend on the running statistics of layers_stats_list")
    after = [read(kept) for kept in stats_list]
    kit.expect(all(isinstance(new, dict) and all(np.array_equal(kit.array(new.get(key), None, key),
                                                                kit.array(old[key], None, key))
                                                 for key in ("running_mean", "running_var"))
                   for old, new in zip(before, after)),
               "with train=False my_nn should leave the running statistics unchanged")


@graded("Q2_model", 0.5)
def test_Q2_initialize_nn(kit: Kit) -> None:
    """initialize_nn: beta 0, gamma 1, weights and biases U(-1, 1), leaf tensors that require grad, statistics 0/1."""
    s = kit.session
    h1, h2 = 23, 17
    param_dict = params(s, 2201, h1, h2, dtype=np.float32, leaves=True)
    stats_list = [stats(s, *hidden_stats(2202, h1)), stats(s, *hidden_stats(2203, h2))]
    s.seed(2204)
    s.call("initialize_nn", param_dict, stats_list)
    values = read(param_dict)
    kit.expect(isinstance(values, dict) and sorted(values) == sorted(("W0", "b0", "beta0", "gamma0", "W1", "b1",
                                                                      "beta1", "gamma1", "W2", "b2")),
               "initialize_nn should keep the keys of param_dict")
    shapes = {"W0": (784, h1), "b0": (h1,), "beta0": (h1,), "gamma0": (h1,), "W1": (h1, h2), "b1": (h2,),
              "beta1": (h2,), "gamma1": (h2,), "W2": (h2, 10), "b2": (10,)}
    for name, shape in shapes.items():
        value = kit.array(values[name], shape, name)
        if name.startswith("beta"):
            kit.expect(not np.any(value), "{name} should be reset to zeros", name=name)
        elif name.startswith("gamma"):
            kit.expect(np.all(value == 1), "{name} should be reset to ones", name=name)
        else:
            spread = value.std() > 0.3 and abs(value.mean()) < 0.3 if value.size >= 20 else value.std() > 0.1
            kit.expect(value.min() >= -1 and value.max() <= 1 and spread,
                       "{name} should be drawn uniformly from [-1, 1]", name=name)
        tensor = param_dict.call_kept("__getitem__", name)
        kit.expect(tensor.get("requires_grad") is True and tensor.get("is_leaf") is True,
                   "{name} should be a leaf tensor that requires grad after initialize_nn", name=name)
    for layer, size in enumerate((h1, h2)):
        current = read(stats_list[layer])
        kit.expect(isinstance(current, dict), "layers_stats_list should still hold dicts")
        mean = kit.array(current.get("running_mean"), (size,), "running_mean")
        var = kit.array(current.get("running_var"), (size,), "running_var")
        kit.expect(not np.any(mean) and np.all(var == 1),
                   "initialize_nn should reset layer {layer}'s running mean to 0 and running variance to 1",
                   layer=Given(layer))


@graded("Q2_model", 0.25)
def test_Q2_my_zero_grad(kit: Kit) -> None:
    """my_zero_grad resets the gradient of every parameter (to zeros, or to None)."""
    s = kit.session
    s.seed(2301)
    param_dict = s.call_kept("new_params", 8, 5)
    names = ("W0", "b0", "beta0", "gamma0", "W1", "b1", "beta1", "gamma1", "W2", "b2")
    for name in names:  # a gradient of ones on every parameter, without the network
        param_dict.call_kept("__getitem__", name).call_kept("sum").call("backward")
    s.call("my_zero_grad", param_dict)
    for name in names:
        grad = param_dict.call_kept("__getitem__", name).get("grad")
        kit.expect(grad is None or not np.any(kit.array(grad, None, "a gradient")),
                   "my_zero_grad leaves a non-zero gradient on {name}", name=name)
