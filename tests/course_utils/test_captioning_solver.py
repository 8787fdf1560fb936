import warnings

import matplotlib
import numpy as np
import pytest
import torch

from course_utils.captioning_solver import CaptioningSolver

matplotlib.use("Agg")


class FirstWordModel:
    """Predicts a caption's first word from the features: softmax regression, the loss summed over nothing else."""

    def __init__(self, input_dim=3, vocab_size=5, dtype=torch.float64):
        self.dtype = dtype
        self.params = {"W": torch.zeros(input_dim, vocab_size, dtype=dtype), "b": torch.zeros(vocab_size, dtype=dtype)}

    def loss(self, features, captions):
        scores = features @ self.params["W"] + self.params["b"]
        return torch.nn.functional.cross_entropy(scores, captions[:, 1])


def word_data(num_images=40, seed=0):
    """Captions <START> word <END> whose word is the argmax of the image's three features."""
    rng = np.random.default_rng(seed)
    features = rng.standard_normal((num_images, 3)).astype(np.float32)
    words = 3 + (features.argmax(axis=1) > 0).astype(np.int32)
    image_idxs = np.repeat(np.arange(num_images), 2).astype(np.int32)
    captions = np.stack([np.full(len(image_idxs), 1), words[image_idxs], np.full(len(image_idxs), 2)], axis=1)
    return {"train_captions": captions.astype(np.int32), "train_image_idxs": image_idxs, "train_features": features,
            "train_urls": np.asarray([f"image {i}" for i in range(num_images)])}


def test_training_lowers_the_loss_and_keeps_every_iteration():
    model = FirstWordModel()
    np.random.seed(0)
    solver = CaptioningSolver(model, word_data(), learning_rate=0.1, batch_size=20, num_epochs=5, verbose=False,
                              progress=False)
    solver.train()
    assert len(solver.loss_history) == 5 * (80 // 20)
    assert solver.loss_history[-1] < 0.5 * solver.loss_history[0]
    assert all(not value.requires_grad and value.grad is None for value in model.params.values())


def test_a_run_repeats_under_numpys_seed():
    runs = []
    for _ in range(2):
        np.random.seed(3)
        solver = CaptioningSolver(FirstWordModel(), word_data(), batch_size=7, num_epochs=2, verbose=False,
                                  progress=False)
        solver.train()
        runs.append(solver.loss_history)
    assert runs[0] == runs[1]


def test_progress_lines_have_the_handouts_format(capsys):
    np.random.seed(0)
    CaptioningSolver(FirstWordModel(), word_data(), batch_size=40, num_epochs=3, print_every=2,
                     progress=False).train()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(")")[0] for line in lines] == ["(Iteration 1 / 6", "(Iteration 3 / 6", "(Iteration 5 / 6"]
    assert all(line.split("loss: ")[1].replace(".", "").isdigit() for line in lines)


def test_parameters_replaced_after_construction_are_the_ones_trained():
    model = FirstWordModel()
    solver = CaptioningSolver(model, word_data(), learning_rate=0.1, verbose=False, progress=False)
    model.params["W"] = torch.ones(3, 5, dtype=torch.float64)
    solver.train()
    assert not torch.equal(model.params["W"], torch.ones(3, 5, dtype=torch.float64))


def test_a_non_finite_loss_stops_training_with_a_warning():
    class Exploding(FirstWordModel):
        def loss(self, features, captions):
            return super().loss(features, captions) * float("inf")

    model = Exploding()
    solver = CaptioningSolver(model, word_data(), verbose=False, progress=False)
    with pytest.warns(RuntimeWarning, match="loss is inf at iteration 1"):
        solver.train()
    assert solver.loss_history == [] and torch.equal(model.params["W"], torch.zeros(3, 5, dtype=torch.float64))


@pytest.mark.parametrize("options, error", [
    ({"batch_size": 0}, "batch_size"), ({"num_epochs": 2.5}, "num_epochs"), ({"learning_rate": -1.0}, "learning_rate"),
    ({"print_every": True}, "print_every")])
def test_bad_options_are_refused_with_their_name(options, error):
    with pytest.raises(ValueError, match=error):
        CaptioningSolver(FirstWordModel(), word_data(), **options)


def test_a_model_or_data_of_the_wrong_kind_is_refused():
    with pytest.raises(TypeError, match="params dict"):
        CaptioningSolver(object(), word_data())
    with pytest.raises(KeyError, match="train_features"):
        CaptioningSolver(FirstWordModel(), {"train_captions": np.zeros((2, 3)), "train_image_idxs": np.zeros(2)})


def test_the_loss_plot_draws_every_iteration():
    np.random.seed(0)
    solver = CaptioningSolver(FirstWordModel(), word_data(), batch_size=10, num_epochs=1, verbose=False,
                              progress=False)
    with pytest.raises(ValueError, match="train"):
        solver.plot_loss()
    solver.train()
    figure = solver.plot_loss()
    (line,) = figure.axes[0].get_lines()
    assert list(line.get_ydata()) == solver.loss_history
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        matplotlib.pyplot.close(figure)
