"""Q4: evaluation in inference mode; my_nn, batchnorm and train_nn are the master's.

A network trained by the master's train_nn on a hidden draw is evaluated by the submission's evaluation,
given the master's my_nn as the release passes it; the accuracy must equal the one computed here from
evaluation-mode scores of the whole split at once, for loaders of single images and of batches with a
smaller last one, and the running statistics must be left as they were.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.batchnorm_lab import HIDDEN_DRAW
from autograder.graders.batchnorm_lab.common import hidden_digits, loader, read
from autograder.kit import Given, Kit, graded


@graded("Q4_evaluation", 1, timeout=60)
def test_Q4_evaluation_uses_inference_mode(kit: Kit) -> None:
    """evaluation returns the inference-mode accuracy, on batches of any size (even 1), and leaves the statistics alone."""
    s = kit.session
    draw = hidden_digits(HIDDEN_DRAW + 200)
    s.seed(4101)
    param_dict = s.call_kept("new_params", 20, 15)
    stats_list = [s.call_kept("new_stats", 20), s.call_kept("new_stats", 15)]
    s.call("train_nn", param_dict, stats_list, loader(s, draw["X_train"][:600], draw["y_train"][:600], 32, True), 3,
           lr=0.01, record_every=10)
    before = [read(kept) for kept in stats_list]
    my_nn, device = s.get("my_nn"), s.get("device")
    for count, batch in ((60, 1), (300, 25), (301, 64)):
        X, y = draw["X_test"][:count], draw["y_test"][:count]
        scores = s.call("my_nn", X, param_dict, stats_list, train=False)
        want = kit.accuracy(scores, y, "the evaluation-mode scores")
        got = kit.number(s.call("evaluation", my_nn, param_dict, stats_list, loader(s, X, y, batch, False), device),
                         "the accuracy evaluation returns")
        kit.expect(abs(got - want) < 1e-9, "evaluation over {count} images in batches of {batch}: accuracy {got:.3f}, "
                                           "but the inference-mode scores give {want:.3f}",
                   count=Given(count), batch=Given(batch), got=got, want=want)
    after = [read(kept) for kept in stats_list]
    for layer in range(2):  # the two layers of stats_list
        old, new = before[layer], after[layer]
        for key in ("running_mean", "running_var"):
            kit.expect(isinstance(new, dict) and np.array_equal(kit.array(new.get(key), None, key),
                                                                kit.array(old[key], None, key)),
                       "evaluation changed layer {layer}'s {key}: use train=False", layer=Given(layer), key=key)
