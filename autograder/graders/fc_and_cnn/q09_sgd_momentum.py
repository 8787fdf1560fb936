"""Q9: sgd_momentum's steps and defaults, and the comparison of update rules on a hidden draw."""
from __future__ import annotations

import numpy as np

from autograder.graders.fc_and_cnn import HIDDEN_DRAW, TRAIN_IMAGES
from autograder.graders.fc_and_cnn.common import trained_val_accuracy, training_data
from autograder.kit import Given, Kit, graded, matches_reference, normal
from autograder.sandbox import Remote, Session


def momentum_steps(s: Session) -> dict:
    """three steps with a custom learning rate and momentum, the velocity carried in config."""
    w, config = normal(9101, 3, 4), {"learning_rate": 0.05, "momentum": 0.7}
    out = {}
    for step in range(3):
        w, config = s.call("sgd_momentum", w, normal(9102 + step, 3, 4), config)
        out[f"w after step {step + 1}"] = w
        out[f"velocity after step {step + 1}"] = config.get("velocity") if isinstance(config, dict) else None
    return out


test_Q9_momentum_steps_match_reference = matches_reference("Q9_sgd_momentum", 2, momentum_steps, rtol=1e-12)


@graded("Q9_sgd_momentum", 1)
def test_Q9_defaults(kit: Kit) -> None:
    """config=None uses learning_rate 1e-2 and momentum 0.9, and the velocity starts at zero."""
    w, dw = normal(9201, 2, 5), normal(9202, 2, 5)
    result = kit.session.call("sgd_momentum", w, dw, None)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "sgd_momentum should return (next_w, config)")
    next_w, config = result
    kit.expect(isinstance(config, dict), "the returned config should be a dict")
    kit.expect(config.get("learning_rate") == 1e-2 and config.get("momentum") == 0.9,
               "the defaults should be learning_rate=1e-2 and momentum=0.9")
    error = float(np.max(np.abs(kit.array(next_w, w.shape, "next_w") - (w - 1e-2 * dw))))
    kit.expect(error < 1e-12, "the first step from zero velocity should be w - lr * dw (off by {error:.1e})",
               error=error)


@graded("Q9_comparison", 2, timeout=120)
def test_Q9_comparison_trains_both_rules(kit: Kit) -> None:
    """on a hidden draw, three epochs: both runs train FullyConnectedNet([256, 128, 64]) and momentum wins."""
    kit.session.seed(9301)
    epochs = 3
    solvers = kit.session.call("compare_update_rules", training_data(HIDDEN_DRAW), epochs)
    kit.expect(isinstance(solvers, dict) and set(solvers) == {"sgd", "sgd_momentum"},
               "compare_update_rules should return {'sgd': solver, 'sgd_momentum': solver}")
    accuracies = {}
    for name in ("sgd", "sgd_momentum"):
        solver = solvers[name]
        kit.expect(isinstance(solver, Remote) and solver.isinstance("Solver"), "{name}: expected a Solver", name=name)
        params = solver.get("model").get("params")
        shapes = [kit.array(params.get(f"W{i}"), None, "a weight matrix").shape for i in range(1, 5)] \
            if isinstance(params, dict) and len(params) == 8 else []
        kit.expect(shapes == [(4320, 256), (256, 128), (128, 64), (64, 4)],
                   "{name}: expected a FullyConnectedNet([256, 128, 64]) on 4320 inputs and 4 classes", name=name)
        history = kit.array(solver.get("loss_history"), None, "loss_history")
        iterations = epochs * (TRAIN_IMAGES // 256)
        kit.expect(len(history) == iterations, "{name}: expected {iterations} iterations for {epochs} epochs with "
                   "batch_size=256, got another number", name=name, iterations=Given(iterations),
                   epochs=Given(epochs), detail=f"{len(history)} iterations")
        accuracies[name] = trained_val_accuracy(kit, solver, "FullyConnectedNet", HIDDEN_DRAW)
    kit.expect(accuracies["sgd_momentum"] > accuracies["sgd"] + 0.04,
               "momentum should reach a clearly higher validation accuracy in {epochs} epochs (sgd {sgd:.3f}, "
               "momentum {momentum:.3f})", epochs=Given(epochs), sgd=accuracies["sgd"],
               momentum=accuracies["sgd_momentum"])
