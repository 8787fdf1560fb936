"""Q3: ThreeLayerConvNet: its layers (made in __init__, by role and shape), the Kaiming-normal weights, and the
forward against the reference with weights set here by role and shape."""
from __future__ import annotations

import numpy as np

from autograder.graders.pytorch_cifar10.common import expect_kaiming, fan_in, hidden_images
from autograder.kit import Kit, graded, matches_reference, set_module_weights
from autograder.sandbox import Session

CONFIG = (3, 7, 5, 6)  # in_channel, channel_1, channel_2, num_classes: every tensor's shape tells its role


def layer_table(in_channel: int, channel_1: int, channel_2: int, num_classes: int) -> dict[str, tuple[int, ...]]:
    return {"conv1.weight": (channel_1, in_channel, 5, 5), "conv1.bias": (channel_1,),
            "conv2.weight": (channel_2, channel_1, 3, 3), "conv2.bias": (channel_2,),
            "fc.weight": (num_classes, channel_2 * 32 * 32), "fc.bias": (num_classes,)}


@graded("Q3_module", 1)
def test_Q3_layers_are_made_in_init(kit: Kit) -> None:
    """the layers of the table are made in __init__ and nothing else is learned; forward creates none (two
    forwards of the same images agree, and leave the parameters as they were)."""
    s = kit.session
    s.seed(3101)
    model = s.new("ThreeLayerConvNet", *CONFIG)
    kit.expect_module_shapes(model, layer_table(*CONFIG))
    before = {key: kit.array(value, None, key) for key, value in model.call("state_dict").items()}
    images = hidden_images(3102, 4)[0]
    first = kit.array(model.call("forward", images), (4, CONFIG[3]), "the scores")
    second = kit.array(model.call("forward", images), (4, CONFIG[3]), "the scores")
    kit.expect(np.allclose(first, second, rtol=1e-6, atol=1e-7), "two forwards of the same images gave different "
               "scores: create the layers in __init__, not in forward")
    after = model.call("state_dict")
    kit.expect(isinstance(after, dict) and set(after) == set(before) and all(
        np.array_equal(kit.array(after[key], None, key), value) for key, value in before.items()),
        "forward changed the model's parameters: create the layers in __init__, not in forward")


@graded("Q3_module", 1)
def test_Q3_weights_are_kaiming_normal(kit: Kit) -> None:
    """every weight of ThreeLayerConvNet(3, 32, 16, 10) has the Kaiming-normal scale for its fan-in (within 10%)."""
    s = kit.session
    s.seed(3201)
    state = s.new("ThreeLayerConvNet", 3, 32, 16, 10).call("state_dict")
    kit.expect(isinstance(state, dict), "state_dict() should return a dict")
    weights = {key: kit.array(value, None, key) for key, value in state.items() if key.endswith("weight")}
    kit.expect(len(weights) == 3, "expected three weights (two convolutions and a linear layer)",
               detail=f"found {len(weights)}")
    for key, values in sorted(weights.items()):
        if values.ndim > 1:
            expect_kaiming(kit, values, fan_in(values.shape, matrix_rows_in=False),
                           f"the weight of shape {values.shape}")


def module_scores(s: Session) -> dict:
    """with the same weights, the scores match the reference (paddings, ReLUs, flatten, no softmax)."""
    out = {}
    for seed, config in ((3301, CONFIG), (3302, (3, 4, 9, 10))):
        model = s.new("ThreeLayerConvNet", *config)
        set_module_weights(model, seed)
        model.call("eval")
        out[f"scores of ThreeLayerConvNet{config}"] = model.call("forward", hidden_images(seed, 5)[0])
    return out


test_Q3_forward_matches_reference = matches_reference("Q3_module", 1, module_scores, rtol=1e-4, atol=1e-5)
