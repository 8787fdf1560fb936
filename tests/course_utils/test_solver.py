import pickle
import re
from pathlib import Path

import numpy as np
import pytest

from course_utils.optim import sgd
from course_utils.solver import Solver


class SoftmaxRegression:
    """Linear scores X @ W + b with the mean cross-entropy loss."""

    def __init__(self, dim=2, num_classes=3, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {"W": 0.01 * rng.standard_normal((dim, num_classes)), "b": np.zeros(num_classes)}

    def loss(self, X, y=None):
        scores = X @ self.params["W"] + self.params["b"]
        if y is None:
            return scores
        log_probs = scores - scores.max(axis=1, keepdims=True)
        log_probs -= np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
        rows = np.arange(len(y))
        dscores = np.exp(log_probs)
        dscores[rows, y] -= 1
        dscores /= len(y)
        grads = {"W": X.T @ dscores, "b": dscores.sum(axis=0)}
        return -log_probs[rows, y].mean(), grads


def blobs(num_per_class, seed):
    rng = np.random.default_rng(seed)
    centres = np.array([[4.0, 0.0], [-4.0, 0.0], [0.0, 4.0]])
    X = np.concatenate([centre + rng.standard_normal((num_per_class, 2)) for centre in centres])
    y = np.repeat(np.arange(3), num_per_class)
    return X, y


@pytest.fixture
def data():
    X_train, y_train = blobs(100, seed=1)
    X_val, y_val = blobs(30, seed=2)
    return {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val, "X_test": X_val}


def quiet(**options):
    return {"verbose": False, "progress": False, **options}


def test_training_reaches_high_accuracy_with_fraction_histories(data):
    model = SoftmaxRegression()
    solver = Solver(model, data, **quiet(update_rule="adam", optim_config={"learning_rate": 5e-2},
                                         num_epochs=4, batch_size=64, seed=0))
    assert solver.train() is None
    assert len(solver.loss_history) == 4 * (300 // 64)
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == solver.epoch == 4
    accuracies = solver.train_acc_history + solver.val_acc_history
    assert all(isinstance(acc, float) and 0.0 <= acc <= 1.0 for acc in accuracies)
    assert solver.loss_history[-1] < solver.loss_history[0]
    assert solver.best_val_acc == max(solver.val_acc_history) > 0.95
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == solver.best_val_acc


class Recorder(SoftmaxRegression):
    """Remembers the row ids (stored in the first feature) of every training batch."""

    def __init__(self):
        super().__init__(dim=1)
        self.batches = []

    def loss(self, X, y=None):
        if y is not None:
            self.batches.append(X[:, 0].astype(int))
        return super().loss(X, y)


def indexed_data(num_train):
    X = np.arange(num_train, dtype=float)[:, None]
    return {"X_train": X, "y_train": np.zeros(num_train, dtype=int), "X_val": X[:5], "y_val": np.zeros(5, dtype=int)}


def test_epochs_walk_a_permutation_in_full_batches_and_drop_the_rest():
    model = Recorder()
    solver = Solver(model, indexed_data(250), **quiet(batch_size=100, num_epochs=3, seed=0))
    solver.train()
    assert len(solver.loss_history) == len(model.batches) == 6
    assert all(len(batch) == 100 for batch in model.batches)
    for first, second in zip(model.batches[::2], model.batches[1::2]):
        assert not set(first) & set(second)
    assert not np.array_equal(model.batches[0], model.batches[2])


def test_a_training_set_smaller_than_a_batch_is_one_batch_per_epoch():
    model = Recorder()
    Solver(model, indexed_data(30), **quiet(batch_size=100, num_epochs=2, seed=0)).train()
    assert [sorted(batch) for batch in model.batches] == [list(range(30))] * 2


def test_best_params_are_restored_after_a_ruinous_last_epoch(data):
    iterations_per_epoch = 300 // 50

    def sgd_then_ruin(w, dw, config=None):
        config = {} if config is None else config
        config["calls"] = config.get("calls", 0) + 1
        if config["calls"] > 2 * iterations_per_epoch:
            return np.zeros_like(w), config
        return sgd(w, dw, config)

    model = SoftmaxRegression()
    solver = Solver(model, data, **quiet(update_rule=sgd_then_ruin, optim_config={"learning_rate": 0.5},
                                         batch_size=50, num_epochs=3, seed=0))
    solver.train()
    assert solver.val_acc_history[-1] < solver.best_val_acc == max(solver.val_acc_history[:2])
    for name, best in solver.best_params.items():
        np.testing.assert_array_equal(model.params[name], best)
        assert model.params[name] is not best
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == solver.best_val_acc


class ScheduledAccuracy:
    """``step`` counts sgd updates (lr 1, gradient -1); after k updates the first CORRECT[k] of 4 rows are right."""

    CORRECT = {1: 2, 2: 2, 3: 1}

    def __init__(self):
        self.params = {"step": np.zeros(1)}

    def loss(self, X, y=None):
        if y is not None:
            return 0.0, {"step": -np.ones(1)}
        scores = np.tile([0.0, 1.0], (len(X), 1))
        scores[:self.CORRECT[int(self.params["step"][0])], 0] = 2.0
        return scores


def test_best_params_come_from_the_first_epoch_with_the_best_val_accuracy():
    X, y = np.zeros((4, 1)), np.zeros(4, dtype=int)
    model = ScheduledAccuracy()
    solver = Solver(model, {"X_train": X, "y_train": y, "X_val": X, "y_val": y},
                    **quiet(optim_config={"learning_rate": 1.0}, num_epochs=3, seed=0))
    solver.train()
    assert solver.val_acc_history == [0.5, 0.5, 0.25] and solver.best_val_acc == 0.5
    assert model.params["step"][0] == 1.0


def test_callable_rule_gets_an_independent_config_per_parameter(data):
    seen = []

    def counting_sgd(w, dw, config=None):
        config["calls"] = config.get("calls", 0) + 1
        seen.append(id(config))
        return sgd(w, dw, config)

    optim_config = {"learning_rate": 0.1}
    solver = Solver(SoftmaxRegression(), data, **quiet(update_rule=counting_sgd, optim_config=optim_config,
                                                       batch_size=100, num_epochs=2, seed=0))
    solver.train()
    assert optim_config == {"learning_rate": 0.1}
    assert len(set(seen)) == 2
    assert [config["calls"] for config in solver.optim_configs.values()] == [6, 6]


def test_lr_decay_multiplies_every_parameter_learning_rate_once_per_epoch(data):
    solver = Solver(SoftmaxRegression(), data, **quiet(update_rule="sgd", optim_config={"learning_rate": 0.1},
                                                       lr_decay=0.5, num_epochs=3, seed=0))
    solver.train()
    assert set(solver.optim_configs) == {"W", "b"}
    for config in solver.optim_configs.values():
        assert config["learning_rate"] == pytest.approx(0.1 * 0.5**3)


def test_unknown_and_invalid_options_are_reported(data):
    with pytest.raises(TypeError, match="learning_rate") as error:
        Solver(SoftmaxRegression(), data, learning_rate=1e-3)
    assert "optim_config" in str(error.value)
    with pytest.raises(ValueError, match="batch_size"):
        Solver(SoftmaxRegression(), data, batch_size=0)
    with pytest.raises(TypeError, match="num_epochs"):
        Solver(SoftmaxRegression(), data, num_epochs=2.5)
    with pytest.raises(ValueError, match="unknown update rule"):
        Solver(SoftmaxRegression(), data, update_rule="sgd_momentum")


def test_missing_or_mismatched_data_is_reported(data):
    incomplete = {key: value for key, value in data.items() if key != "y_val"}
    with pytest.raises(KeyError, match="y_val"):
        Solver(SoftmaxRegression(), incomplete)
    with pytest.raises(ValueError, match="y_train"):
        Solver(SoftmaxRegression(), {**data, "y_train": data["y_train"][:-1]})


def histories(data, **options):
    solver = Solver(SoftmaxRegression(), data, **quiet(num_epochs=2, batch_size=32, num_train_samples=50, **options))
    solver.train()
    return solver.loss_history, solver.train_acc_history, solver.val_acc_history


def test_same_seed_same_run(data):
    assert histories(data, seed=7) == histories(data, seed=7)
    assert histories(data, seed=7)[0] != histories(data, seed=8)[0]


def test_numpy_global_seed_makes_unseeded_runs_reproducible(data):
    np.random.seed(3)
    first = histories(data)
    np.random.seed(3)
    assert histories(data) == first


def test_checkpoints_are_written_every_epoch_and_loadable(data, tmp_path):
    solver = Solver(SoftmaxRegression(), data, **quiet(num_epochs=2, seed=0, checkpoint_name=str(tmp_path / "run")))
    solver.train()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run_epoch_1.pkl", "run_epoch_2.pkl"]
    with open(tmp_path / "run_epoch_2.pkl", "rb") as file:
        checkpoint = pickle.load(file)
    assert checkpoint["epoch"] == 2 and checkpoint["update_rule"] == "sgd"
    assert checkpoint["loss_history"] == solver.loss_history
    assert checkpoint["val_acc_history"] == solver.val_acc_history
    assert checkpoint["batch_size"] == 100 and checkpoint["lr_decay"] == 1.0
    assert set(checkpoint["params"]) == {"W", "b"}
    with open(tmp_path / "run_epoch_1.pkl", "rb") as file:
        assert len(pickle.load(file)["loss_history"]) == 3


class ExplodesAtCall(SoftmaxRegression):
    def __init__(self, bad_call):
        super().__init__()
        self.bad_call, self.calls = bad_call, 0

    def loss(self, X, y=None):
        if y is None:
            return super().loss(X)
        self.calls += 1
        loss, grads = super().loss(X, y)
        return (np.nan if self.calls == self.bad_call else loss), grads


def test_non_finite_loss_stops_training_and_keeps_the_best_params(data):
    model = ExplodesAtCall(bad_call=5)
    solver = Solver(model, data, **quiet(batch_size=100, num_epochs=4, seed=0))
    with pytest.warns(RuntimeWarning, match="iteration 5"):
        solver.train()
    assert model.calls == 5 and len(solver.loss_history) == 4
    assert solver.epoch == len(solver.val_acc_history) == 1
    for name, best in solver.best_params.items():
        np.testing.assert_array_equal(model.params[name], best)


def test_non_finite_loss_in_the_first_epoch_leaves_the_last_finite_params(data):
    model = ExplodesAtCall(bad_call=2)
    solver = Solver(model, data, **quiet(batch_size=100, num_epochs=2, seed=0))
    with pytest.warns(RuntimeWarning, match="iteration 2"):
        solver.train()
    assert solver.best_params == {} and solver.val_acc_history == [] and len(solver.loss_history) == 1
    assert all(np.all(np.isfinite(value)) for value in model.params.values())


def test_training_again_continues_the_histories(data):
    solver = Solver(SoftmaxRegression(), data, **quiet(num_epochs=2, seed=0))
    solver.train()
    solver.train()
    assert solver.epoch == 4 and len(solver.val_acc_history) == 4 and len(solver.loss_history) == 12


def test_solver_does_not_depend_on_the_grader():
    import course_utils.solver

    assert "autograder" not in Path(course_utils.solver.__file__).read_text()


def test_verbose_log_format_without_progress_bar(data, capsys):
    small = {**data, "X_train": data["X_train"][::3], "y_train": data["y_train"][::3]}
    Solver(SoftmaxRegression(), small, verbose=True, progress=False, batch_size=50, num_epochs=2,
           print_every=2, seed=0).train()
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split(")")[0] for line in lines] == [
        "(Iteration 1 / 4", "(Epoch 1 / 2", "(Iteration 3 / 4", "(Epoch 2 / 2",
    ]
    assert re.fullmatch(r"\(Iteration 1 / 4\) loss: \d+\.\d{6}", lines[0])
    assert re.fullmatch(r"\(Epoch 1 / 2\) train acc: [01]\.\d{4}; val_acc: [01]\.\d{4}", lines[1])
    assert err == ""


def test_progress_bar_goes_to_stderr_with_the_loss(data, capsys):
    Solver(SoftmaxRegression(), data, verbose=False, progress=True, num_epochs=1, seed=0).train()
    out, err = capsys.readouterr()
    assert out == "" and "loss=" in err and "3/3" in err


class ConstantGuess:
    """Always predicts class 0 and records the rows (ids in the first feature) of each scoring call."""

    def __init__(self):
        self.params = {}
        self.seen = []

    def loss(self, X, y=None):
        self.seen.append(X[:, 0].astype(int))
        return np.tile([1.0, 0.0], (len(X), 1))


def test_check_accuracy_scores_a_random_subsample_in_batches(data):
    model = ConstantGuess()
    solver = Solver(model, data, **quiet(seed=0))
    X, y = np.arange(20.0)[:, None], np.array([0] * 15 + [1] * 5)
    assert solver.check_accuracy(X, y) == 0.75
    subsamples = []
    for _ in range(3):
        model.seen.clear()
        accuracy = solver.check_accuracy(X, y, num_samples=10, batch_size=3)
        assert [len(rows) for rows in model.seen] == [3, 3, 3, 1]
        rows = np.concatenate(model.seen)
        assert len(set(rows)) == 10 and accuracy == np.mean(y[rows] == 0)
        subsamples.append(sorted(rows))
    assert subsamples[0] != subsamples[1] or subsamples[1] != subsamples[2]
