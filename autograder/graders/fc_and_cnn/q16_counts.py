"""Q16: the parameter counts."""
from __future__ import annotations

from autograder.kit import Kit, graded
from autograder.sandbox import Session


def fc_counts(s: Session) -> dict:
    return {f"count_fc_parameters({d}, {hidden}, {c})": s.call("count_fc_parameters", d, hidden, c)
            for d, hidden, c in [(4320, [100, 100, 100], 4), (17, [], 5), (30, [12, 7, 9, 4], 3)]}


@graded("Q16_counts", 1)
def test_Q16_fc_count_matches_reference(kit: Kit) -> None:
    """count_fc_parameters is right for hidden architectures, including no hidden layer."""
    kit.compare(fc_counts, rtol=0.0)


@graded("Q16_counts", 1)
def test_Q16_cnn_without_batchnorm_count(kit: Kit) -> None:
    """CNN_WITHOUT_BN_PARAMETERS is the number of learnable values of CNNWithoutBatchNorm."""
    kit.compare(lambda s: {"CNN_WITHOUT_BN_PARAMETERS": s.get("CNN_WITHOUT_BN_PARAMETERS")}, rtol=0.0)


@graded("Q16_counts", 1)
def test_Q16_cnn_with_batchnorm_count(kit: Kit) -> None:
    """CNN_WITH_BN_PARAMETERS counts gamma and beta of both batch-norm layers but not their running statistics."""
    kit.compare(lambda s: {"CNN_WITH_BN_PARAMETERS": s.get("CNN_WITH_BN_PARAMETERS")}, rtol=0.0)
