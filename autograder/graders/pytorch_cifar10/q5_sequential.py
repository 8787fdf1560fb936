"""Q5: the Sequential network: its layers in order, SGD with Nesterov momentum (a recipe run of train_part34 from
weights set here), and one epoch reaching the calibrated target."""
from __future__ import annotations

from autograder.graders.pytorch_cifar10 import SEEDS
from autograder.graders.pytorch_cifar10.common import module_accuracy, module_recipe_scores
from autograder.graders.pytorch_cifar10.q3_module import layer_table
from autograder.kit import Calibration, Given, Kit, graded
from autograder.sandbox import Session

LAYERS = ("Conv2d", "ReLU", "Conv2d", "ReLU", "Flatten", "Linear")


@graded("Q5_sequential", 1)
def test_Q5_layers_in_order(kit: Kit) -> None:
    """model is an nn.Sequential of Conv2d, ReLU, Conv2d, ReLU, Flatten, Linear with the shapes of the table."""
    model = kit.session.get_kept("model")
    count = model.call("__len__")
    kit.expect(count == len(LAYERS), "model should have {count} layers: {layers}", count=Given(len(LAYERS)),
               layers=Given(", ".join(LAYERS)), detail=f"it has {count}")
    kinds = tuple(model.call_kept("__getitem__", i).type_name for i in range(len(LAYERS)))
    kit.expect(kinds == LAYERS, "the layers should be, in order: {layers}", layers=Given(", ".join(LAYERS)),
               detail=", ".join(kinds))
    kit.expect_module_shapes(model, layer_table(3, 32, 16, 10))


def nesterov_recipe(s: Session) -> dict:
    """train_part34 of the cell's model and optimizer from weights set here, 3 hidden batches: the scores after."""
    return {"scores after 3 steps of train_part34": module_recipe_scores(s, 5101, 5102)}


@graded("Q5_sequential", 1, timeout=60)
def test_Q5_optimizer_is_nesterov_sgd(kit: Kit) -> None:
    """optimizer is SGD of the model's parameters, learning rate 1e-2, momentum 0.9, Nesterov: three steps from
    the same weights match the reference."""
    kit.compare(nesterov_recipe, rtol=1e-3, atol=1e-4)


CALIBRATION = Calibration("Q5_sequential", module_accuracy, threshold=0.45, seeds=SEEDS,
                          master_range=(0.574, 0.640), what="validation accuracy after one epoch on a hidden draw")


@graded("Q5_sequential", 1, timeout=180)
def test_Q5_one_epoch_reaches_the_target(kit: Kit) -> None:
    """one epoch of train_part34 on a hidden draw of the stand-in reaches the validation target."""
    CALIBRATION.require(kit)
