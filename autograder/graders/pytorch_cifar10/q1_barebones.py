"""Q1: three_layer_convnet against the reference on hidden images and random weights (float32)."""
from __future__ import annotations

import numpy as np

from autograder.kit import matches_reference, normal
from autograder.sandbox import Session


def convnet_params(seed: int, channel_1: int, channel_2: int, side: int, classes: int) -> list[np.ndarray]:
    """Random weights and biases for three_layer_convnet, in float32, scaled so that no ReLU is all on or off."""
    shapes = [(channel_1, 3, 5, 5), (channel_1,), (channel_2, channel_1, 3, 3), (channel_2,),
              (channel_2 * side * side, classes), (classes,)]
    return [normal(seed + i, *shape, scale=(np.prod(shape[1:]) if len(shape) == 4 else shape[0]) ** -0.5
                   if len(shape) > 1 else 0.3).astype(np.float32) for i, shape in enumerate(shapes)]


def convnet_scores(s: Session, cases: tuple[tuple[int, int, int, int, int, int], ...]) -> dict:
    out = {}
    for seed, n, channel_1, channel_2, side, classes in cases:
        x = normal(seed, n, 3, side, side).astype(np.float32)
        scores = s.call("three_layer_convnet", x, convnet_params(seed + 10, channel_1, channel_2, side, classes))
        out[f"scores of {n} images {side}x{side}, {channel_1} and {channel_2} filters, {classes} classes"] = scores
    return out


def cifar_sized(s: Session) -> dict:
    """the scores on 32 x 32 images match the reference (biases, paddings 2 and 1, ReLUs, flatten, no softmax)."""
    return convnet_scores(s, ((1101, 6, 8, 5, 32, 10),))


def other_sizes(s: Session) -> dict:
    """the scores match the reference for one image, for 12 x 12 images and for 7 classes."""
    return convnet_scores(s, ((1201, 1, 4, 6, 32, 10), (1202, 3, 5, 4, 12, 7)))


test_Q1_scores_match_reference = matches_reference("Q1_three_layer_convnet", 2, cifar_sized, rtol=1e-4, atol=1e-5)
test_Q1_other_sizes_match_reference = matches_reference("Q1_three_layer_convnet", 1, other_sizes, rtol=1e-4,
                                                        atol=1e-5)
