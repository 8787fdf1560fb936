"""Q6 and Q7: the comparison cells, verified rather than trusted.

The comparison cells train at load time. The notebook pins every setting of these runs (the Q5 settings,
COMPARE_EPOCHS epochs, torch.manual_seed(0) right before building each model, each model trained before the
next is built), so a run as asked is deterministic: the model must end exactly where the master's same run
ends, which proves the data, the settings and the number of epochs. The number of epochs comes from the
reference, and accuracies are computed here from logits on the grader's own copy of the data. The cells run
with the grader's own COMPARE_EPOCHS (the spec's ``COMPARISON``, fewer than quick mode's): a cell that writes
out a number instead of the variable trains for the wrong number of epochs.
"""
from __future__ import annotations

import numpy as np

from autograder.graders.spiral_from_scratch.common import course_data
from autograder.kit import Given, Kit, graded, relative_error
from autograder.sandbox import Session


RUNS = {"model_in": ("history_in", "in_train_acc", "in_val_acc"),
        "model_bn": ("history_bn", "bn_train_acc", "bn_val_acc"),
        "model_nodrop": ("history_nodrop", "nodrop_train_acc", "nodrop_val_acc"),
        "model_drop": ("history_drop", "drop_train_acc", "drop_val_acc")}


def _runs(s: Session, names: tuple[str, ...]) -> dict:
    """What a comparison cell produced, measured the same way for the master and the submission."""
    out = {"COMPARE_EPOCHS": s.get("COMPARE_EPOCHS")}
    for name in names:
        model = s.get(name)
        model.call("eval")
        out[f"{name} validation logits"] = model.call("forward", course_data()["Xva"])
    return out


def q6_runs(s: Session) -> dict:
    return _runs(s, ("model_in", "model_bn"))


def q7_runs(s: Session) -> dict:
    return _runs(s, ("model_nodrop", "model_drop"))


def _check_run(kit: Kit, name: str, probe) -> None:
    """``name`` was trained as the notebook asks and its cell reports what it reached; ``probe`` gives the
    master's same runs."""
    history_name, train_name, val_name = RUNS[name]
    s, data, want = kit.session, course_data(), kit.reference(probe)
    epochs = int(want["COMPARE_EPOCHS"])
    history = s.get(history_name)
    kit.expect(isinstance(history, dict) and isinstance(history.get("loss"), list) and
               isinstance(history.get("val_acc"), list), "{history} should be the history dict that train_model "
               "fills, with lists under 'loss' and 'val_acc'", history=history_name)
    kit.expect(len(history["loss"]) == epochs and len(history["val_acc"]) == epochs,
               "{history} does not hold one entry per epoch for COMPARE_EPOCHS = {epochs} epochs",
               history=history_name, epochs=Given(epochs))
    model = s.get(name)
    model.call("eval")
    logits = model.call("forward", data["Xva"])
    master = want[f"{name} validation logits"]
    error = relative_error(kit.array(logits, master.shape, "the validation logits"), master)
    kit.expect(error < 1e-4, "{name} does not end where the master's run with the same settings ends (relative "
               "error {error:.1e}): build it right after torch.manual_seed(0), train it before building the next "
               "model, with lr 0.1, batch size 64, shuffling seed 0 and COMPARE_EPOCHS epochs", name=name,
               error=error)
    accuracies = {}
    for split, reported_name in [("tr", train_name), ("va", val_name)]:
        accuracies[split] = kit.accuracy(model.call("forward", data[f"X{split}"]), data[f"y{split}"],
                                         "the eval-mode logits")
        got = kit.number(s.get(reported_name), reported_name)
        kit.expect(abs(got - accuracies[split]) < 1e-6, "{reported} is {got:.4f} but {name} scores {actual:.4f} in "
                   "eval mode", reported=reported_name, got=got, name=name, actual=accuracies[split])
    # train_model records the eval-mode validation accuracy after every epoch and the model does not change after
    # the last one, so the history ends at the model's validation accuracy
    last = kit.number(history["val_acc"][-1], "the last validation accuracy of the history")
    kit.expect(abs(last - accuracies["va"]) < 1e-6, "{history} ends at validation accuracy {last:.4f} but {name} "
               "scores {actual:.4f}: it should be the history of {name}", history=history_name, last=last,
               name=name, actual=accuracies["va"])


def _dropout_rates(kit: Kit, model_name: str) -> list[float]:
    return sorted(kit.number(d.get("p"), "a dropout rate") for d in kit.session.get(model_name).find("Dropout"))


@graded("Q6_experiment", 4, timeout=120)
def test_Q6_experiment_runs_both_models_under_the_same_settings(kit: Kit) -> None:
    """the comparison cell trains an MLP and an MLP_BN for COMPARE_EPOCHS and reports their accuracies."""
    s = kit.session
    kit.expect(s.get("model_in").isinstance("MLP") and not s.get("model_in").isinstance("MLP_BN"),
               "model_in should be an MLP (instance norm)")
    kit.expect(s.get("model_bn").isinstance("MLP_BN"), "model_bn should be an MLP_BN")
    for name in ("model_in", "model_bn"):
        rates = _dropout_rates(kit, name)
        kit.expect(bool(rates) and all(abs(p - 0.2) < 1e-12 for p in rates),
                   "{name} does not use dropout p = 0.2 in every Dropout layer", name=name)
    _check_run(kit, "model_in", q6_runs)
    _check_run(kit, "model_bn", q6_runs)


@graded("Q7_experiment", 6, timeout=120)
def test_Q7_experiment_reports_both_runs(kit: Kit) -> None:
    """the comparison cell trains two instance-norm MLPs for COMPARE_EPOCHS and reports their accuracies."""
    s = kit.session
    for name in ("model_nodrop", "model_drop"):
        model = s.get(name)
        kit.expect(model.isinstance("MLP") and not model.isinstance("MLP_BN"), "{name} should be an MLP", name=name)
    _check_run(kit, "model_nodrop", q7_runs)
    _check_run(kit, "model_drop", q7_runs)


@graded("Q7_experiment", 4, timeout=120)
def test_Q7_experiment_dropout_only_in_the_dropout_model(kit: Kit) -> None:
    """model_drop applies dropout with p = 0.2 in training mode and model_nodrop applies none."""
    s = kit.session
    rates = {name: _dropout_rates(kit, name) for name in ("model_nodrop", "model_drop")}
    kit.expect(all(p == 0.0 for p in rates["model_nodrop"]), "model_nodrop has a dropout rate that is not 0")
    kit.expect(rates["model_drop"] and all(abs(p - 0.2) < 1e-12 for p in rates["model_drop"]),
               "model_drop does not use dropout p = 0.2 in every Dropout layer")
    for name in ("model_nodrop", "model_drop"):
        trained = any(np.any(kit.array(layer.get("b"), None, "a Linear bias")) for layer in s.get(name).find("Linear"))
        kit.expect(trained, "every Linear bias of {name} is still zero, as at the start: the cell should train it",
                   name=name)
    x = course_data()["Xtr"][:32]
    for name, differs in [("model_nodrop", False), ("model_drop", True)]:
        model = s.get(name)
        model.call("train")
        outputs = [kit.array(model.call("forward", x), (32, 2), "the training-mode logits") for _ in range(2)]
        kit.expect((not np.array_equal(*outputs)) == differs, "{name} should change its output between two "
                   "training-mode forwards" if differs else "{name} should not change its output between two "
                   "training-mode forwards", name=name)
