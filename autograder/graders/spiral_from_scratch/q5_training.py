"""Q5: train_model and the accuracy it reaches.

How ``train_model`` uses ``epochs``, ``lr``, ``batch_size`` and ``seed`` is checked on a dropout-free MLP whose
weights the test sets, so that no random number but the shuffling generator is used: full-batch runs
(independent of the order) are compared with the master. The shuffling the release asks for has a test of its
own, which prices only the order: a single epoch of minibatches against the master, and two epochs in one call
differing from two one-epoch calls (a generator created once, not every epoch); where the full-batch run already
disagrees, that test priced the defect and only the new order every epoch is judged (never a free point: a
train_model that does not train fails it). Whether the submission reshuffles between epochs with
``rng.permutation`` or by shuffling one index array in place does not matter. ``train_model`` is called as the
release shows it, ``print_every`` left at its default: the sandbox captures what it prints.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.spiral_from_scratch.common import spiral_draw
from autograder.kit import Calibration, Failure, Kit, graded, normal
from autograder.sandbox import Session


def require_trained(kit: Kit, model) -> None:
    """Refuse a model that train_model left untouched: reporting its accuracies is no part of training it. The
    Linear layers start with zero biases, which any training moves."""
    biases = [kit.array(layer.get("b"), None, "a Linear bias") for layer in model.find("Linear")]
    kit.expect(any(np.any(b) for b in biases), "after train_model every Linear bias is still zero, as at the "
                                               "start: train_model should train the model")


def _train(kit: Kit, seed: int, epochs: int) -> tuple:
    Xtr, ytr, Xva, yva = spiral_draw(seed)
    kit.session.seed(seed)
    model = kit.session.new("MLP", in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)
    reported = kit.session.call("train_model", model, kit.session.new("SoftmaxCrossEntropy"), Xtr, ytr, Xva, yva,
                                lr=0.1, epochs=epochs, batch_size=64, seed=seed)
    kit.expect(isinstance(reported, (tuple, list)) and len(reported) == 2,
               "train_model should return (final_train_acc, final_val_acc)")
    model.call("eval")
    return model, reported, (Xtr, ytr, Xva, yva)


def trained_validation_accuracy(kit: Kit, seed: int) -> float:
    """The validation accuracy of MLP(2, 64, 2, p_drop 0.2) trained by train_model (lr 0.1, 1000 epochs, batch 64)
    on hidden spiral ``seed``, torch seeded with ``seed``, computed here from the eval-mode logits."""
    model, _, (_, _, Xva, yva) = _train(kit, seed=seed, epochs=1000)
    return kit.accuracy(model.call("forward", Xva), yva, "the validation logits")


# Calibrated on the master with `course calibrate spiral_from_scratch`: 0.917 to 1.0 over the ten draws.
CALIBRATION = Calibration("Q5_training", trained_validation_accuracy, threshold=0.85, seeds=(4, 1, 2, 3, 5, 6, 7, 8,
                          9, 10), master_range=(0.917, 1.0))


@graded("Q5_training", 2, timeout=90)
def test_Q5_training_reaches_validation_accuracy(kit: Kit) -> None:
    """your MLP trained by your train_model (lr 0.1, 1000 epochs, batch 64) reaches validation accuracy 0.85 on a hidden spiral."""
    CALIBRATION.require(kit)


def _fixed_mlp(s: Session):
    """A dropout-free MLP(2, 12, 2) whose weights are set here, whatever order the submission builds them in.

    Without dropout, training it uses no random numbers but train_model's shuffling generator."""
    model = s.new("MLP", in_dim=2, hidden_dim=12, out_dim=2, p_drop=0.0)
    for layer in model.find("Linear"):
        rows, cols = (int(n) for n in layer.get("W").shape)
        layer.set("W", normal(5400 + 100 * rows + cols, rows, cols, scale=rows ** -0.5).astype(np.float32))
        layer.set("b", normal(5401 + 100 * rows + cols, cols, scale=0.1).astype(np.float32))
    return model


def _train_fixed(s: Session, model, data: tuple[np.ndarray, ...], **settings) -> np.ndarray:
    Xtr, ytr, Xva, yva = data
    s.call("train_model", model, s.new("SoftmaxCrossEntropy"), Xtr, ytr, Xva, yva, **settings)
    model.call("eval")
    return model.call("forward", np.concatenate([Xtr[:30], Xva]))


def full_batch_run(s: Session) -> dict:
    """A short run that does not depend on the order at all: one batch of all 240 training points per epoch,
    so it pins down ``epochs``, ``lr`` and ``batch_size``."""
    return {"eval-mode logits after train_model(lr=0.05, epochs=4, batch_size=240)":
            _train_fixed(s, _fixed_mlp(s), spiral_draw(5), lr=0.05, epochs=4, batch_size=240, seed=3)}


def one_epoch_run(s: Session) -> dict:
    """A single epoch of batches of 40 (six full batches: keeping or dropping a last partial batch makes no
    difference), which pins down the first order drawn from default_rng(seed)."""
    return {"eval-mode logits after train_model(lr=0.2, epochs=1, batch_size=40, seed=13)":
            _train_fixed(s, _fixed_mlp(s), spiral_draw(5), lr=0.2, epochs=1, batch_size=40, seed=13)}


@graded("Q5_training", 1)
def test_Q5_training_follows_epochs_lr_and_batch_size(kit: Kit) -> None:
    """train_model runs epochs of batch_size rows with step size lr (a full-batch run, whatever the order)."""
    kit.compare(full_batch_run, rtol=1e-4, atol=1e-5)


@graded("Q5_training", 1)
def test_Q5_training_shuffles_with_one_generator(kit: Kit) -> None:
    """train_model reshuffles every epoch with rng.permutation from one default_rng(seed), as the release asks."""
    try:
        kit.compare(full_batch_run, rtol=1e-4, atol=1e-5)
    except Failure:
        pass  # epochs, lr or batch_size is off (the test above priced it): only the order is judged, on its own
    else:
        kit.compare(one_epoch_run, rtol=1e-4, atol=1e-5)
    s, data = kit.session, spiral_draw(6)
    settings = {"lr": 0.2, "batch_size": 40, "seed": 17}
    together = _train_fixed(s, _fixed_mlp(s), data, epochs=2, **settings)
    model = _fixed_mlp(s)
    _train_fixed(s, model, data, epochs=1, **settings)
    apart = _train_fixed(s, model, data, epochs=1, **settings)
    difference = float(np.max(np.abs(kit.array(together, None, "the logits") - kit.array(apart, None, "the logits"))))
    kit.expect(difference > 1e-6, "train_model(epochs=2) trained exactly like two calls of train_model(epochs=1) "
                                  "with the same seed: every epoch should take a new order from the one "
                                  "default_rng(seed) created at the start")


@graded("Q5_training", 1, timeout=60)
def test_Q5_training_reports_eval_mode_accuracies(kit: Kit) -> None:
    """train_model returns the final training and validation accuracy of the model in eval mode."""
    model, reported, (Xtr, ytr, Xva, yva) = _train(kit, seed=7, epochs=40)
    require_trained(kit, model)
    for value, X, y, name in [(reported[0], Xtr, ytr, "final_train_acc"), (reported[1], Xva, yva, "final_val_acc")]:
        actual = kit.accuracy(model.call("forward", X), y, "the eval-mode logits")
        got = kit.number(value, name)
        kit.expect(abs(got - actual) < 1e-6, "{name} is {got:.4f} but the model's eval-mode accuracy is {actual:.4f}",
                   name=name, got=got, actual=actual)
