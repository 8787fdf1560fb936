"""Q5: spatial_groupnorm_forward (several group counts, the edge cases G = 1 and G = C, eps from gn_param) and
spatial_groupnorm_backward (values, finite differences, and the shape of dgamma and dbeta, priced once).

Where the forward is wrong, the backward is judged on wide groups, or else on balanced inputs (``balanced_groups``:
every group of every example holds the same values), where statistics taken over one group per example, or over
the batch as well, are right: a forward's defect is priced in its own item alone."""
from __future__ import annotations

from functools import partial

import numpy as np

from autograder.graders.conv_nets.common import pair, triple
from autograder.kit import Kit, correlated_dout, graded, matches_reference, normal
from autograder.sandbox import Session


def _affine(seed: int, c: int) -> tuple:
    return normal(seed + 1, 1, c, 1, 1, scale=0.8, shift=1.0), normal(seed + 2, 1, c, 1, 1)


def _forward(s: Session, cases: list) -> dict:
    out = {}
    for seed, shape, groups, param in cases:
        gamma, beta = _affine(seed, shape[1])
        result = s.call("spatial_groupnorm_forward", normal(seed, *shape, scale=3, shift=2), gamma, beta, groups,
                        dict(param))
        out[f"output for x {shape}, G = {groups}, gn_param {param}"] = result[0]
    return out


def gn_groups(s: Session) -> dict:
    """the output matches the reference for 2, 3 and 4 groups (non-square feature maps)."""
    return _forward(s, [(5101, (2, 6, 4, 5), 2, {}), (5102, (3, 6, 3, 2), 3, {}), (5103, (1, 8, 2, 3), 4, {})])


def gn_edges(s: Session) -> dict:
    """the output matches the reference for G = 1 (layer norm) and G = C (instance norm), and with eps = 0.01 in
    gn_param."""
    return _forward(s, [(5111, (2, 4, 3, 3), 1, {}), (5112, (2, 3, 4, 2), 3, {}), (5113, (2, 4, 2, 3), 2, {"eps": 0.01})])


test_Q5_forward_groups = matches_reference("Q5_spatial_groupnorm_forward", 1, gn_groups, rtol=1e-8)
test_Q5_forward_edge_cases = matches_reference("Q5_spatial_groupnorm_forward", 1, gn_edges, rtol=1e-8)

SMALL_CASES = ((5201, (2, 6, 4, 5), 2), (5202, (3, 6, 3, 2), 3), (5203, (2, 4, 2, 3), 1))
# wide groups: a forward's N - 1 or eps placement moves these gradients by about 1e-4 of their size, a backward bug
# by far more than the tolerances
WIDE_CASES = ((5211, (2, 6, 40, 50), 3), (5212, (2, 4, 60, 60), 2), (5213, (1, 3, 50, 60), 1))


def correlated_group_dout(seed: int, x: np.ndarray, groups: int) -> np.ndarray:
    """``correlated_dout`` over each example's groups."""
    rows = x.reshape(x.shape[0] * groups, -1)
    return correlated_dout(seed, rows, axis=1).reshape(x.shape)


def _backward_input(seed: int, shape: tuple) -> np.ndarray:
    return normal(seed + 30, *shape, scale=3, shift=2)


def balanced_groups(seed: int, shape: tuple, groups: int) -> np.ndarray:
    """A hidden input (N, C, H, W) whose groups of C // groups channels, in every example, are permutations of the
    same values: the statistics of a group, of an example and of a group over the batch all agree."""
    n = shape[0]
    size = int(np.prod(shape)) // (n * groups)
    values, order = normal(seed, size, scale=3, shift=2), np.random.default_rng(seed + 1)
    return np.stack([values[order.permutation(size)] for _ in range(n * groups)]).reshape(shape)


def _grads(s: Session, seed: int, shape: tuple, groups: int, correlated: bool = False,
           balanced: bool = False) -> object:
    gamma, beta = _affine(seed, shape[1])
    x = balanced_groups(seed + 30, shape, groups) if balanced else _backward_input(seed, shape)
    _, cache = s.call("spatial_groupnorm_forward", x, gamma, beta, groups, {})
    upstream = correlated_group_dout(seed + 31, x, groups) if correlated else normal(seed + 31, *shape)
    return s.call("spatial_groupnorm_backward", upstream, cache)


def gn_backward(s: Session, cases: tuple, correlated: bool, balanced: bool = False) -> dict:
    """dx, dgamma and dbeta for each (seed, shape, G) of ``cases`` (a probe)."""
    out = {}
    for seed, shape, groups in cases:
        grads = _grads(s, seed, shape, groups, correlated, balanced)
        ok = isinstance(grads, (tuple, list)) and len(grads) == 3
        for name, grad in zip(("dx", "dgamma", "dbeta"), grads if ok else (None,) * 3):
            out[f"{name} for x {shape}, G = {groups}"] = grad
    return out


def gn_backward_inputs_forward(s: Session) -> dict:
    """The forward on the inputs of the small backward comparison (a probe)."""
    return {f"output for x {shape}, G = {groups}": s.call("spatial_groupnorm_forward", _backward_input(seed, shape),
                                                          *_affine(seed, shape[1]), groups, {})[0]
            for seed, shape, groups in SMALL_CASES}


TIGHT = (partial(gn_backward, cases=SMALL_CASES, correlated=False), 1e-7, 0.0)
WIDE = (partial(gn_backward, cases=WIDE_CASES, correlated=True), 2e-3, 2e-3)
BALANCED = (partial(gn_backward, cases=((5221, (2, 6, 3, 4), 3), (5222, (3, 4, 2, 3), 2)), correlated=False,
                    balanced=True), 1e-7, 0.0)
FORWARDS = (gn_groups, gn_backward_inputs_forward)


@graded("Q5_spatial_groupnorm_backward", 1)
def test_Q5_backward_matches_reference(kit: Kit) -> None:
    """dx, dgamma and dbeta match the reference for 2, 3 groups and 1 group (on wide groups or balanced inputs, where
    your forward is wrong)."""
    kit.compare_backward(TIGHT, FORWARDS, WIDE, (BALANCED,))


def require_normalization(kit: Kit, seed: int, shape: tuple, groups: int) -> None:
    """Refuse a forward that works entry by entry (the identity, an affine map): its gradients have the shapes
    for free, so the shape test must not pay for them. Raising one entry of x must move other outputs of its
    example."""
    gamma, beta = _affine(seed, shape[1])
    same_example = np.zeros(shape, dtype=bool)
    same_example[0] = True
    same_example.flat[0] = False
    kit.require_normalization(
        lambda value: pair(kit, kit.session.call("spatial_groupnorm_forward", value, gamma, beta, groups, {}),
                           "spatial_groupnorm_forward")[0],
        normal(seed + 30, *shape, scale=3, shift=2), same_example, "spatial_groupnorm_forward")


@graded("Q5_spatial_groupnorm_backward", 0.5, prices_shapes=True)
def test_Q5_backward_gradient_shapes(kit: Kit) -> None:
    """dx has the shape of x, dgamma and dbeta the shape of gamma and beta, (1, C, 1, 1)."""
    shape = (2, 4, 3, 2)
    require_normalization(kit, 5301, shape, 2)
    dx, dgamma, dbeta = triple(kit, _grads(kit.session, 5301, shape, 2), "spatial_groupnorm_backward")
    kit.array(dx, shape, "dx")
    kit.array(dgamma, (1, 4, 1, 1), "dgamma")
    kit.array(dbeta, (1, 4, 1, 1), "dbeta")


FD_SHAPE, FD_SEED, FD_GROUPS = (2, 4, 2, 3), 5401, 2


def gn_fd_forward(s: Session) -> dict:
    return _forward(s, [(FD_SEED, FD_SHAPE, FD_GROUPS, {})])


@graded("Q5_spatial_groupnorm_backward", 0.5)
def test_Q5_backward_matches_finite_differences(kit: Kit) -> None:
    """dx, dgamma and dbeta match finite differences of your own forward, where it is right."""
    require_normalization(kit, FD_SEED, FD_SHAPE, FD_GROUPS)
    s = kit.session
    gamma, beta = _affine(FD_SEED, FD_SHAPE[1])
    inputs = {"x": normal(FD_SEED, *FD_SHAPE, scale=3, shift=2), "gamma": gamma, "beta": beta}
    dout = normal(FD_SEED + 3, *FD_SHAPE)
    _, cache = pair(kit, s.call("spatial_groupnorm_forward", inputs["x"], gamma, beta, FD_GROUPS, {}),
                    "spatial_groupnorm_forward")
    grads = triple(kit, s.call("spatial_groupnorm_backward", dout, cache), "spatial_groupnorm_backward")
    analytic = dict(zip(inputs, grads))
    kit.own_gradients_or(
        lambda: kit.gradients(kit.forward(lambda x, gamma, beta: [s.planned_call("spatial_groupnorm_forward", x, gamma,
                                                                                 beta, FD_GROUPS, {})],
                                          lambda result: result[0]), inputs, dout, analytic, rtol=1e-6),
        (*FORWARDS[:1], gn_fd_forward), (WIDE,), (BALANCED,))
