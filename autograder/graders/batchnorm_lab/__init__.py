"""Hidden graders for ``source/batchnorm_lab/batchnorm_lab.ipynb``: the spec, then one module per question.

Every value the tests compare is computed twice, on the submission and on the master notebook
(``kit.compare``), on shapes, seeds and data that the release never shows. Tests of one question load only
that question's answer cells from the submission and take the cells they build on from the master
(``needs``), so that a bug costs points in one question only. Arrays reach the child as torch tensors.

The grader builds what the functions receive inside the child with the notebook's own given helpers
(``new_stats``, ``new_params``, ``make_loader``, from the setup cells), and reads back the dicts and modules
it passed, so that in-place updates of the running statistics are seen as the caller sees them.

Training tests (Q3) train on draws of the digits stand-in that the release never shows (another split
seed, pixel noise; ``common.hidden_digits``), built here and sent to the child; accuracies are computed here
from the scores the child returns. The threshold was set from the master over ten draws (its
``Calibration``; ``course calibrate batchnorm_lab`` reruns it).

Here: the setup cells every child runs first, what each question loads, the rules of the from-scratch
cells. The tests are in the ``q*`` modules, in question order; ``common`` holds what several of them use.
"""
from __future__ import annotations

from autograder.kit import NORMALIZATION_OPERATORS, Question, Rule

SETUP_CELLS = ("given_imports", "given_helpers")
QUESTIONS = {
    "Q1": Question(cells=("Q1_solution",)),
    "Q2": Question(cells=("Q2_solution",), needs=("Q1_solution",)),
    "Q3": Question(cells=("Q3_solution",), needs=("Q1_solution", "Q2_solution")),
    "Q4": Question(cells=("Q4_solution",), needs=("Q1_solution", "Q2_solution", "Q3_solution")),
    "Q5": Question(cells=("Q5_solution",)),
    "Q6": Question(cells=("Q6_solution",), needs=("Q5_solution",)),
}

NO_BUILTIN_NORMALIZATION = Rule(
    "built-in normalization is not allowed: write batch normalization yourself",
    names=("torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d", "torch.nn.BatchNorm3d", "torch.nn.LazyBatchNorm1d",
           "torch.nn.SyncBatchNorm", "torch.nn.InstanceNorm1d", "torch.nn.InstanceNorm2d", "torch.nn.LayerNorm",
           "torch.nn.GroupNorm", "torch.nn.RMSNorm", "torch.nn.functional.batch_norm",
           "torch.nn.functional.instance_norm", "torch.nn.functional.layer_norm", "torch.nn.functional.group_norm",
           "torch.nn.functional.rms_norm", "torch.batch_norm", "torch.instance_norm", "torch.layer_norm",
           "torch.group_norm", "torch.native_batch_norm", "torch.native_layer_norm", "torch.rms_norm",
           "torch.nn.modules.batchnorm", "torch.nn.modules.normalization", "torch.nn.modules.instancenorm"),
    operators=NORMALIZATION_OPERATORS)
NO_TORCH_INTERNALS = Rule("torch's internals are not allowed: they hold the built-in layers under other names",
                          names=("torch.ops", "torch._C", "torch._VF", "torch._ops", "torch._refs", "torch._decomp",
                                 "torch._prims", "torch.library"))
RULES = {cell: [NO_BUILTIN_NORMALIZATION, NO_TORCH_INTERNALS]
         for cell in ("Q1_solution", "Q2_solution", "Q5_solution", "Q6_solution")}

HIDDEN_DRAW = 4101
SEEDS = tuple(range(10))  # Q3's calibration: draws HIDDEN_DRAW + s, the test itself uses s = 0
