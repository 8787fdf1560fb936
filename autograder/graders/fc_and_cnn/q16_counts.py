"""Q16: the parameter counts."""
from __future__ import annotations

from functools import partial

import pytest

from autograder.kit import Kit, graded, matches_reference
from autograder.sandbox import Session


def fc_counts(s: Session) -> dict:
    """count_fc_parameters is right for networks of three and four hidden layers."""
    return {f"count_fc_parameters({d}, {hidden}, {c})": s.call("count_fc_parameters", d, hidden, c)
            for d, hidden, c in [(4320, [100, 100, 100], 4), (30, [12, 7, 9, 4], 3)]}


test_Q16_fc_count_matches_reference = matches_reference("Q16_counts", 0.5, fc_counts, rtol=0.0)


@graded("Q16_counts", 0.5)
def test_Q16_fc_count_without_hidden_layer(kit: Kit) -> None:
    """count_fc_parameters works for hidden_dims=[]: two single layers add up to your count with one hidden layer.

    The counts are compared with each other, not with the reference, so a formula wrong for every depth is priced
    once, by the test above.
    """
    s = kit.session
    single = [kit.number(s.call("count_fc_parameters", d, [], c), "the count for hidden_dims=[]")
              for d, c in [(17, 9), (9, 5)]]
    hidden = kit.number(s.call("count_fc_parameters", 17, [9], 5), "the count for one hidden layer")
    kit.expect(single[0] != single[1], "count_fc_parameters gave the same count for a 17 -> 9 and a 9 -> 5 layer: it "
                                       "should count the parameters of the network it is given")
    kit.expect(sum(single) == hidden, "the counts for hidden_dims=[] of a 17 -> 9 and a 9 -> 5 layer should add up "
               "to your count for 17 -> 9 -> 5")


def notebook_value(s: Session, name: str) -> dict:
    return {name: s.get(name)}


@pytest.mark.parametrize("name", ["CNN_WITHOUT_BN_PARAMETERS", "CNN_WITH_BN_PARAMETERS"])
@graded("Q16_counts", 1)
def test_Q16_cnn_count_matches_reference(kit: Kit, name: str) -> None:
    """the CNN's parameter count matches the reference (batch norm: gamma and beta, not running statistics)."""
    kit.compare(partial(notebook_value, name=name), rtol=0.0)
