"""Q16: the parameter counts."""
from __future__ import annotations

from functools import partial

import pytest

from autograder.kit import Kit, graded
from autograder.sandbox import Session


def fc_counts(s: Session) -> dict:
    return {f"count_fc_parameters({d}, {hidden}, {c})": s.call("count_fc_parameters", d, hidden, c)
            for d, hidden, c in [(4320, [100, 100, 100], 4), (17, [], 5), (30, [12, 7, 9, 4], 3)]}


@graded("Q16_counts", 1)
def test_Q16_fc_count_matches_reference(kit: Kit) -> None:
    """count_fc_parameters is right for hidden architectures, including no hidden layer."""
    kit.compare(fc_counts, rtol=0.0)


def notebook_value(s: Session, name: str) -> dict:
    return {name: s.get(name)}


@pytest.mark.parametrize("name", ["CNN_WITHOUT_BN_PARAMETERS", "CNN_WITH_BN_PARAMETERS"])
@graded("Q16_counts", 1)
def test_Q16_cnn_count_matches_reference(kit: Kit, name: str) -> None:
    """the CNN's parameter count matches the reference (batch norm: gamma and beta, not running statistics)."""
    kit.compare(partial(notebook_value, name=name), rtol=0.0)
