"""Q5: the MLP's structure, train and eval modes, backward and update (the layers are the master's)."""
from __future__ import annotations

import numpy as np

from autograder.graders.spiral_from_scratch import F64
from autograder.graders.spiral_from_scratch.common import changed_only
from autograder.kit import Given, Kit, graded, normal


# what the gradient check calls the MLP's parameters, in the order of find("Linear") and find("InstanceNorm1D")
PARAMETERS = ("W of the first Linear", "W of the second Linear", "W of the output Linear",
              "gamma of the first InstanceNorm1D", "gamma of the second InstanceNorm1D")


def _mlp(kit: Kit, seed: int, cls: str = "MLP", **kwargs):
    kit.session.seed(seed)
    return kit.session.new(cls, **{"dtype": F64, **kwargs})


@graded("Q5_mlp", 1)
def test_Q5_mlp_structure_and_modes(kit: Kit) -> None:
    """two blocks of Linear, InstanceNorm1D, Tanh, Dropout plus an output Linear; train()/eval() switch dropout."""
    net = _mlp(kit, 5101, in_dim=3, hidden_dim=10, out_dim=4, p_drop=0.3)
    for cls, count in [("Linear", 3), ("InstanceNorm1D", 2), ("Tanh", 2), ("Dropout", 2)]:
        found = len(net.find(cls))
        kit.expect(found == count, "MLP(in_dim=3, hidden_dim=10, out_dim=4) should hold {count} {cls} layers",
                   cls=cls, count=Given(count), detail=f"found {found}")
    shapes = sorted(tuple(layer.get("W").shape) for layer in net.find("Linear"))
    kit.expect(shapes == [(3, 10), (10, 4), (10, 10)],
               "the Linear weights do not have the shapes (3, 10), (10, 10) and (10, 4)")
    x = normal(5102, 12, 3)
    net.call("train")
    first = kit.array(net.call("forward", x), (12, 4), "training-mode logits")
    kit.expect(not np.array_equal(first, kit.array(net.call("forward", x), (12, 4), "logits")),
               "training mode should apply dropout (two forwards should differ)")
    net.call("eval")
    kit.expect(np.array_equal(kit.array(net.call("forward", x), (12, 4), "logits"),
                              kit.array(net.call("forward", x), (12, 4), "logits")),
               "evaluation mode should be deterministic")
    net.call("train")
    kit.expect(not np.array_equal(kit.array(net.call("forward", x), (12, 4), "logits"),
                                  kit.array(net.call("forward", x), (12, 4), "logits")),
               "train() after eval() should switch dropout back on (two forwards should differ)")


@graded("Q5_mlp", 1, needs=("Q6_solution",))
def test_Q5_mlp_builds_its_norm_layers_with_norm_layer(kit: Kit) -> None:
    """the normalization layers come from self.norm_layer, as the release asks, so that a subclass can swap them."""
    # The reference MLP_BN (a subclass of MLP whose norm_layer is BatchNorm1D) built on this MLP.
    subclass = _mlp(kit, 5103, "MLP_BN", in_dim=3, hidden_dim=10, out_dim=4, p_drop=0.3)
    swapped, kept = len(subclass.find("BatchNorm1D")), len(subclass.find("InstanceNorm1D"))
    kit.expect(swapped > 0 and kept == 0,  # how many there are is the structure test's to price
               "a subclass of MLP whose norm_layer is BatchNorm1D should hold BatchNorm1D layers only, and no "
               "InstanceNorm1D: build the normalization layers with self.norm_layer(...)",
               detail=f"{swapped} BatchNorm1D, {kept} InstanceNorm1D")


@graded("Q5_mlp", 2)
def test_Q5_mlp_backward_matches_finite_differences(kit: Kit) -> None:
    """backward fills every Linear dW and norm dgamma and returns dx, all matching finite differences."""
    net = _mlp(kit, 5201, in_dim=3, hidden_dim=5, out_dim=3, p_drop=0.25)
    net.call("eval")
    norms = net.find("InstanceNorm1D")
    for i, norm in enumerate(norms):
        norm.set("gamma", 1.0 + 0.3 * normal(5202 + i, 5))
        norm.set("beta", 0.3 * normal(5204 + i, 5))
    x, dout = normal(5206, 7, 3), normal(5207, 7, 3)
    moved = kit.array(net.call("forward", 2 * x + 1), (7, 3), "the eval-mode logits")
    kit.expect(float(np.max(np.abs(moved - kit.array(net.call("forward", x), (7, 3), "the eval-mode logits")))) > 1e-6,
               "the eval-mode logits do not depend on the input: forward should pass x through the layers, or "
               "there is nothing for finite differences to judge")
    parameters = dict(zip(PARAMETERS, [*((l, "W", "dW") for l in net.find("Linear")),
                                       *((n, "gamma", "dgamma") for n in norms)]))
    net.call("zero_grad")
    net.call("forward", x)
    analytic = {"x": net.call("backward", dout), **{name: layer.get(grad) for name, (layer, _, grad) in
                                                    parameters.items()}}
    inputs = {"x": x, **{name: kit.array(layer.get(param), None, name) for name, (layer, param, _) in
                         parameters.items()}}

    update = changed_only(lambda name, value: parameters[name][0].planned_set(parameters[name][1], value), inputs)

    def forward(x: np.ndarray, **values: np.ndarray) -> list[dict]:
        return [*update(**values), net.planned_call("forward", x)]

    kit.gradients(kit.forward(forward), inputs, dout, analytic, rtol=1e-6)


@graded("Q5_mlp", 1)
def test_Q5_mlp_step_and_zero_grad(kit: Kit) -> None:
    """step(lr) moves every W, b, gamma and beta by -lr * gradient; zero_grad clears every gradient."""
    net = _mlp(kit, 5301, in_dim=2, hidden_dim=6, out_dim=2, p_drop=0.0)
    x, dout = normal(5302, 8, 2), normal(5303, 8, 2)
    net.call("train")
    net.call("zero_grad")
    net.call("forward", x)
    net.call("backward", dout)
    pairs = [*((l, p, g) for l in net.find("Linear") for p, g in (("W", "dW"), ("b", "db"))),
             *((n, p, g) for n in net.find("InstanceNorm1D") for p, g in (("gamma", "dgamma"), ("beta", "dbeta")))]
    kit.expect(len(pairs) == 10, "the MLP should hold 3 Linear and 2 InstanceNorm1D layers for step to update")
    before = [(kit.array(l.get(p), None, "a parameter"), kit.array(l.get(g), None, "a gradient"))
              for l, p, g in pairs]
    kit.expect(any(np.any(grad) for _, grad in before),
               "after forward and backward every gradient is zero: backward should fill the layers' gradients, or "
               "there is nothing for step to apply")
    net.call("step", 0.05)
    for (layer, param, _), (old, grad) in zip(pairs, before):
        new = kit.array(layer.get(param), None, "a parameter after step")
        kit.expect(new.shape == old.shape and np.allclose(new, old - 0.05 * grad, rtol=1e-10, atol=1e-12),
                   "step(lr) does not update {param} as {param} - lr * gradient", param=param)
    net.call("zero_grad")
    for layer, _, grad in pairs:
        kit.expect(not np.any(kit.array(layer.get(grad), None, "a gradient")), "zero_grad leaves a non-zero {grad}",
                   grad=grad)
