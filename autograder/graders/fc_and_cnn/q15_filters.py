"""Q15: the grid of first-layer filters."""
from __future__ import annotations

from autograder.kit import matches_reference, set_module_weights
from autograder.sandbox import Session


def filter_grids(s: Session) -> dict:
    """the grid matches the reference for the CNN's conv1 and for a conv1 with 10 RGB filters of size 5."""
    s.seed(15101)
    model = s.new("CNNWithoutBatchNorm")
    set_module_weights(model, 15102)
    nn = s.get("nn")
    holder = nn.call_kept("Module")
    holder.set("conv1", nn.call_kept("Conv2d", 3, 10, 5))
    return {"grid for conv1 of CNNWithoutBatchNorm": s.call("first_layer_filter_grid", model),
            "grid for a 10-filter RGB conv1": s.call("first_layer_filter_grid", holder)}


test_Q15_filter_grid_matches_reference = matches_reference("Q15_filters", 5, filter_grids, rtol=1e-5, atol=1e-3)
