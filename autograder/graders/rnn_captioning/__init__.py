"""Hidden graders for ``source/rnn_captioning/rnn_captioning.ipynb``: the spec, then one module per question.

The RNN functions (Q1-Q3) are compared with the master on hidden sizes in float64, and their gradients are
autograd's, asked for in the child: where the forward agrees with the master they are compared with the master's,
and where it does not (its own tests priced that) with centered finite differences of the submission's own forward.
The captioning model's loss (Q4) and sampling (Q6) are written in one cell, but each is tested on its own, with the
master's RNN functions, in models whose parameters are set here. The overfitting run (Q5) is the submission's model
and solver, trained in the child on 50 captions of a hidden draw of the built-in data; its loss is computed here,
from the trained parameters. The captions of new scenes (Q6) are sampled by the submission from parameters the
master trained on a hidden draw, and scored here against the true captions, which no child sees.

Children get no data sets folder (``DATASETS``): the notebook's data cell falls back to the built-in captions.
"""
from __future__ import annotations

from autograder.kit import Question, Rule

SETUP_CELLS = ("given_imports", "given_data", "given_autograd_check", "given_temporal_layers")
RNN_CELLS = ("Q1_solution", "Q2_solution", "Q3_solution")
QUESTIONS = {
    "Q1": Question(cells=("Q1_solution",)),
    "Q2": Question(cells=("Q2_solution",), needs=("Q1_solution",)),
    "Q3": Question(cells=("Q3_solution",)),
    "Q4": Question(cells=("Q4_solution",), needs=RNN_CELLS),
    "Q5": Question(cells=("Q5_solution",), needs=(*RNN_CELLS, "Q4_solution"), arrays="numpy"),
    "Q6": Question(cells=("Q4_solution",), needs=RNN_CELLS),
}
DATASETS = False

RECURRENT_LAYERS = Rule("write the recurrence with tensor operations, not torch's recurrent layers (nn.RNN, "
                        "nn.RNNCell, torch.rnn_tanh)",
                        names=("torch.nn.RNN", "torch.nn.RNNCell", "torch.nn.RNNBase", "torch.nn.LSTM",
                               "torch.nn.LSTMCell", "torch.nn.GRU", "torch.nn.GRUCell", "torch.rnn_tanh",
                               "torch.rnn_tanh_cell", "torch.rnn_relu", "torch.rnn_relu_cell", "torch._VF"),
                        operators=("rnn_tanh", "rnn_relu", "lstm", "gru"))
RULES = {"Q1_solution": [RECURRENT_LAYERS], "Q2_solution": [RECURRENT_LAYERS]}

# Hidden draws of the built-in captions, made here and sent to the children as arrays. Its generator is public, so
# these are 62-bit secrets; and Q6's draws use a secret projection of the scene code too, so that no public code
# reads a scene off its features (a sample that decodes them without the model's parameters would score).
TRAINING_DRAW = 3318046718206547781  # + seed: the captions Q5 overfits and the master's Q6 model trains on
SCENES_DRAW = 1480575046431926157  # + seed: the new scenes whose captions Q6 scores
PROJECTION = 2264977143108712449  # the features' projection in Q6's draws
SEEDS = tuple(range(10))  # the calibrations; the tests themselves use seed 0
