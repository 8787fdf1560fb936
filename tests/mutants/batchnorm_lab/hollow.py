"""Hollow answers: code that does none of the work of its cell. Each must score nothing in its question (beyond
the part it does do, named in its description)."""
from autograder.check.mutants import Hollow

HOLLOW = [
    Hollow("batchnorm that returns its input", "Q1_solution",
           "def batchnorm(inputs, beta, gamma, stats_dict, train=True, eps=0.001, momentum=0.1):\n"
           "    return inputs\n"),
    Hollow("batchnorm that only scales and shifts (no statistics)", "Q1_solution",
           "def batchnorm(inputs, beta, gamma, stats_dict, train=True, eps=0.001, momentum=0.1):\n"
           "    return gamma * inputs + beta\n"),
    Hollow("a model that scores zeros, an initialization and a zero_grad that do nothing", "Q2_solution", '''\
import torch


def my_nn(input, param_dict, layers_stats_list, train=True):
    return torch.zeros(input.shape[0], 10)


def initialize_nn(param_dict, layers_stats_list):
    pass


def my_zero_grad(param_dict):
    pass
'''),
    Hollow("training that trains nothing", "Q3_solution",
           "def train_nn(param_dict, layers_stats_list, train_loader, num_epochs, lr=0.01, record_every=10):\n"
           "    return {'loss': [], 'acc': []}\n"),
    Hollow("an evaluation that returns a plausible constant", "Q4_solution",
           "def evaluation(my_nn, param_dict, layers_stats_list, loader, device):\n    return 0.9\n"),
    Hollow("a module with the right buffers and parameters (0.5 points) that returns its input", "Q5_solution", '''\
import torch
from torch import nn


class myBatchnorm(nn.Module):
    def __init__(self, num_features, epsilon=1e-3, momentum=.1):
        super().__init__()
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, x):
        return x
''', keeps=0.5),
    Hollow("a model with the layers but zero scores, and train/test that do nothing", "Q6_solution", '''\
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, h1_siz, h2_siz):
        super().__init__()
        self.linear1 = nn.Linear(784, h1_siz)
        self.bn1 = myBatchnorm(h1_siz)
        self.linear2 = nn.Linear(h1_siz, h2_siz)
        self.bn2 = myBatchnorm(h2_siz)
        self.linear3 = nn.Linear(h2_siz, 10)

    def init_weights(self):
        pass

    def forward(self, x):
        return torch.zeros(x.shape[0], 10)


def train(model, optimizer, train_loader, history_frequency=50):
    return [], []


def test(model, test_loader):
    return 0.0, 0.0
'''),
]
