"""Q16: the parameter counts."""
from __future__ import annotations

from autograder.graders.fc_and_cnn.common import numpy_test
from autograder.kit import Kit
from autograder.sandbox import Session


def fc_counts(s: Session, cases: tuple = ((4320, [100, 100, 100], 4), (30, [12, 7, 9, 4], 3))) -> dict:
    return {f"count_fc_parameters({d}, {hidden}, {c})": s.call("count_fc_parameters", d, hidden, c)
            for d, hidden, c in cases}


def fc_count_no_hidden_layer(s: Session) -> dict:
    return fc_counts(s, ((17, [], 5),))


@numpy_test("Q16_counts", 0.5, cells=("Q16_solution",))
def test_Q16_fc_count_matches_reference(kit: Kit) -> None:
    """count_fc_parameters is right for hidden architectures of three and four hidden layers."""
    kit.compare(fc_counts, rtol=0.0)


@numpy_test("Q16_counts", 0.5, cells=("Q16_solution",))
def test_Q16_fc_count_without_hidden_layer(kit: Kit) -> None:
    """count_fc_parameters is right for hidden_dims=[] (the edge case of a single layer)."""
    kit.compare(fc_count_no_hidden_layer, rtol=0.0)


@numpy_test("Q16_counts", 1, cells=("Q16_solution",))
def test_Q16_cnn_without_batchnorm_count(kit: Kit) -> None:
    """CNN_WITHOUT_BN_PARAMETERS is the number of learnable values of CNNWithoutBatchNorm."""
    kit.compare(lambda s: {"CNN_WITHOUT_BN_PARAMETERS": s.get("CNN_WITHOUT_BN_PARAMETERS")}, rtol=0.0)


@numpy_test("Q16_counts", 1, cells=("Q16_solution",))
def test_Q16_cnn_with_batchnorm_count(kit: Kit) -> None:
    """CNN_WITH_BN_PARAMETERS counts gamma and beta of both batch-norm layers but not their running statistics."""
    kit.compare(lambda s: {"CNN_WITH_BN_PARAMETERS": s.get("CNN_WITH_BN_PARAMETERS")}, rtol=0.0)
