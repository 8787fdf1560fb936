"""Hidden graders for ``source/spiral_from_scratch/spiral_from_scratch.ipynb``: the spec, then one module per question.

Every value the tests compare is computed twice, on the submission and on the
master notebook (``kit.compare``), with seeds and shapes that the release
never shows. Gradients are also checked against centered finite differences
of the submission's own forward. Tests of one question load only that
question's answer cells from the submission; the cells they build on come
from the master (``needs``), so that a bug costs points in one question only.

The accuracy threshold of Q5 was calibrated on the master (its ``Calibration``
in ``q5_training``; ``course calibrate spiral_from_scratch`` reruns it).

Here: the setup cells every child runs first, the layer cells later questions
build on, and the rules of the from-scratch cells. The tests are in the
``q*`` modules, in question order; ``common`` holds what several of them use.
"""
from __future__ import annotations

from autograder.kit import NORMALIZATION_OPERATORS, Question, Rule
from autograder.sandbox import DType

SETUP_CELLS = ("given_imports", "given_data", "given_linear", "given_compare_settings")
LAYERS = ("Q1_solution", "Q2_solution", "Q3_solution", "Q4_solution")
# The comparison cells are rerun with fewer epochs than quick mode's 400 (the release says so): a run made as
# asked ends exactly where the master's does after any number of epochs, and every run it trains costs a second
COMPARISON = (("COMPARE_EPOCHS", 50),)
QUESTIONS = {
    **{f"Q{n}": Question(cells=(f"Q{n}_solution",)) for n in range(1, 5)},
    "Q5": Question(cells=("Q5_solution",), needs=LAYERS),
    "Q6_batchnorm": Question(cells=("Q6_solution",), needs=(*LAYERS, "Q5_solution")),
    "Q6_experiment": Question(cells=("Q6_experiment_code",), needs=(*LAYERS, "Q5_solution", "Q6_solution"),
                              settings=COMPARISON),
    "Q7": Question(cells=("Q7_experiment_code",), needs=(*LAYERS, "Q5_solution", "Q6_solution"),
                   settings=COMPARISON),
}
F64 = DType("float64")

FROM_SCRATCH = [
    Rule("torch.nn.Tanh is not allowed: write Tanh yourself", names=("torch.nn.Tanh",)),
    Rule("built-in dropout is not allowed: write Dropout yourself",
         names=("torch.nn.Dropout", "torch.nn.Dropout1d", "torch.nn.Dropout2d", "torch.nn.Dropout3d",
                "torch.nn.AlphaDropout", "torch.nn.FeatureAlphaDropout", "torch.nn.functional.dropout",
                "torch.nn.functional.dropout1d", "torch.nn.functional.dropout2d", "torch.nn.functional.dropout3d",
                "torch.nn.functional.alpha_dropout", "torch.nn.functional.feature_alpha_dropout", "torch.dropout",
                "torch.alpha_dropout", "torch.feature_dropout", "torch.feature_alpha_dropout"),
         operators=("dropout",)),
    Rule("built-in normalization layers are not allowed: write the normalization yourself",
         names=("torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d", "torch.nn.BatchNorm3d", "torch.nn.LazyBatchNorm1d",
                "torch.nn.SyncBatchNorm", "torch.nn.InstanceNorm1d", "torch.nn.InstanceNorm2d",
                "torch.nn.LayerNorm", "torch.nn.GroupNorm", "torch.nn.RMSNorm", "torch.nn.functional.batch_norm",
                "torch.nn.functional.instance_norm", "torch.nn.functional.layer_norm",
                "torch.nn.functional.group_norm", "torch.nn.functional.rms_norm", "torch.batch_norm",
                "torch.instance_norm", "torch.layer_norm", "torch.group_norm", "torch.native_batch_norm",
                "torch.native_layer_norm", "torch.rms_norm"),
         operators=NORMALIZATION_OPERATORS),
    Rule("built-in cross-entropy is not allowed: write SoftmaxCrossEntropy yourself",
         names=("torch.nn.CrossEntropyLoss", "torch.nn.NLLLoss", "torch.nn.functional.cross_entropy",
                "torch.nn.functional.nll_loss"),
         operators=("cross_entropy", "nll_loss")),
    Rule("autograd is not allowed: every layer computes its own backward pass",
         names=("torch.autograd", "torch.func", "torch._functorch", "torch.nn.Parameter", "torch.nn.parameter",
                "torch.enable_grad", "torch.set_grad_enabled"),
         attributes=("requires_grad", "requires_grad_", "retain_grad", "grad", "grad_fn"),
         runtime="torch.set_grad_enabled(False)", operators=("_engine_run_backward",)),
    Rule("torch's internals are not allowed: they hold the built-in layers under other names",
         names=("torch.ops", "torch._C", "torch._VF", "torch._ops", "torch._refs", "torch._decomp", "torch._prims",
                "torch.library")),
]
RULES = {cell: FROM_SCRATCH for cell in (*LAYERS, "Q5_solution", "Q6_solution", "Q6_experiment_code",
                                         "Q7_experiment_code")}
