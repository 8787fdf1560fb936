import numpy as np
import pytest
import torch

from course_utils.model_tools import find_layers
from course_utils.plots import plot_decision_boundaries, plot_training_curves
from course_utils.settings import quick_or_full


class Layer:
    def __init__(self):
        self.W = torch.zeros(2, 2)


class Net:
    def __init__(self):
        self.blocks = [Layer(), {"inner": Layer()}]
        self.head = Layer()
        self.alias = self.head
        self.mode = "train"

    def eval(self):
        self.mode = "eval"

    def forward(self, x):
        return torch.stack([x[:, 0], -x[:, 0]], dim=1)


def test_find_layers_walks_lists_dicts_and_attributes_once():
    net = Net()
    found = find_layers(net, Layer)
    assert len(found) == 3 and net.head in found
    assert find_layers(net, lambda obj: hasattr(obj, "W")) == found


def test_training_curves_plot_has_two_panels_and_rejects_bad_history():
    history = {"loss": [1.0, 0.5], "train_acc": [0.5, 0.7], "val_acc": [0.4, 0.6]}
    fig = plot_training_curves({"a": history, "b": history})
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 4
    with pytest.raises(KeyError):
        plot_training_curves({"a": {"loss": [1.0]}})
    with pytest.raises(ValueError):
        plot_training_curves({})


def test_decision_boundaries_switch_models_to_eval():
    net = Net()
    X = np.array([[-1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    fig = plot_decision_boundaries({"net": net}, X, np.array([0, 1]), resolution=20)
    assert net.mode == "eval" and len(fig.axes) >= 1


def test_quick_or_full_follows_the_switch(monkeypatch):
    import course_utils.settings as settings

    monkeypatch.setattr(settings, "QUICK", True)
    assert settings.quick_or_full(1, 2) == 1
    monkeypatch.setattr(settings, "QUICK", False)
    assert quick_or_full(1, 2) == 2
