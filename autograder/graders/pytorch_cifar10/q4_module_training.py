"""Q4: the module and its optimizer: plain SGD at 3e-3 (a recipe run of train_part34 from weights set here) and
one epoch reaching the calibrated target."""
from __future__ import annotations

from autograder.graders.pytorch_cifar10 import SEEDS
from autograder.graders.pytorch_cifar10.common import module_accuracy, module_recipe_scores
from autograder.graders.pytorch_cifar10.q3_module import layer_table
from autograder.kit import Calibration, Kit, graded
from autograder.sandbox import Remote, Session


def module_recipe(s: Session) -> dict:
    """train_part34 of the cell's model and optimizer from weights set here, 3 hidden batches: the scores after."""
    return {"scores after 3 steps of train_part34": module_recipe_scores(s, 4101, 4102)}


@graded("Q4_training", 1, timeout=60)
def test_Q4_model_and_optimizer_follow_the_recipe(kit: Kit) -> None:
    """model is a ThreeLayerConvNet(3, 32, 16, 10) and optimizer plain SGD of its parameters at learning rate 3e-3:
    three steps from the same weights match the reference."""
    model = kit.session.get_kept("model")
    kit.expect(isinstance(model, Remote) and model.isinstance("ThreeLayerConvNet"),
               "model should be a ThreeLayerConvNet")
    kit.expect_module_shapes(model, layer_table(3, 32, 16, 10))
    kit.compare(module_recipe, rtol=1e-3, atol=1e-4)


CALIBRATION = Calibration("Q4_training", module_accuracy, threshold=0.22, seeds=SEEDS,
                          master_range=(0.300, 0.430), what="validation accuracy after one epoch on a hidden draw")


@graded("Q4_training", 1, timeout=180)
def test_Q4_one_epoch_reaches_the_target(kit: Kit) -> None:
    """one epoch of train_part34 on a hidden draw of the stand-in reaches the validation target."""
    CALIBRATION.require(kit)
