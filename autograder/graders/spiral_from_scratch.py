"""Hidden graders for ``source/spiral_from_scratch/spiral_from_scratch.ipynb``.

Every value the tests compare is computed twice, on the submission and on the
master notebook (``kit.compare``), with seeds and shapes that the release
never shows. Gradients are also checked against centered finite differences
of the submission's own forward. Tests of one question load only that
question's answer cells from the submission; the cells they build on come
from the master (``needs``), so that a bug costs points in one question only.

The accuracy threshold of Q5 was calibrated on the master: trained for 1000
epochs on ten spirals (``seed=1000+s``, split seed ``s``, torch seed ``s``,
s = 1..10) it reached validation accuracy 0.917 to 1.0, so 0.85 passes on all
ten (``benchmarks/calibrate_spiral.py`` reruns this).

How ``train_model`` uses ``epochs``, ``lr``, ``batch_size`` and ``seed`` is checked on
a dropout-free MLP whose weights the test sets, so that no random number but
the shuffling generator is used: full-batch runs (independent of the order)
and a single epoch of minibatches are compared with the master, and two epochs
in one call must differ from two one-epoch calls (a generator created once,
not every epoch). Whether the submission reshuffles between epochs with
``rng.permutation`` or by shuffling one index array in place does not matter.
"""
from __future__ import annotations

import numpy as np

from autograder.kit import Given, Kit, Rule, graded, relative_error
from autograder.sandbox import DType, Session, StudentException
from course_utils.spiral import SPIRAL_SETTINGS, generate_spiral, train_val_split

SETUP_CELLS = ("given_imports", "given_data", "given_linear", "given_compare_settings")
LAYERS = ("Q1_solution", "Q2_solution", "Q3_solution", "Q4_solution")
F64 = DType("float64")

FROM_SCRATCH = [
    Rule("torch.nn.Tanh is not allowed: write Tanh yourself", names=("torch.nn.Tanh",)),
    Rule("built-in dropout is not allowed: write Dropout yourself",
         names=("torch.nn.Dropout", "torch.nn.Dropout1d", "torch.nn.Dropout2d", "torch.nn.Dropout3d",
                "torch.nn.AlphaDropout", "torch.nn.FeatureAlphaDropout", "torch.nn.functional.dropout",
                "torch.nn.functional.dropout1d", "torch.nn.functional.dropout2d", "torch.nn.functional.dropout3d",
                "torch.nn.functional.alpha_dropout", "torch.nn.functional.feature_alpha_dropout", "torch.dropout",
                "torch.alpha_dropout", "torch.feature_dropout", "torch.feature_alpha_dropout")),
    Rule("built-in normalization layers are not allowed: write the normalization yourself",
         names=("torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d", "torch.nn.BatchNorm3d", "torch.nn.LazyBatchNorm1d",
                "torch.nn.SyncBatchNorm", "torch.nn.InstanceNorm1d", "torch.nn.InstanceNorm2d",
                "torch.nn.LayerNorm", "torch.nn.GroupNorm", "torch.nn.RMSNorm", "torch.nn.functional.batch_norm",
                "torch.nn.functional.instance_norm", "torch.nn.functional.layer_norm",
                "torch.nn.functional.group_norm", "torch.nn.functional.rms_norm", "torch.batch_norm",
                "torch.instance_norm", "torch.layer_norm", "torch.group_norm", "torch.native_batch_norm",
                "torch.native_layer_norm", "torch.rms_norm")),
    Rule("built-in cross-entropy is not allowed: write SoftmaxCrossEntropy yourself",
         names=("torch.nn.CrossEntropyLoss", "torch.nn.NLLLoss", "torch.nn.functional.cross_entropy",
                "torch.nn.functional.nll_loss")),
    Rule("autograd is not allowed: every layer computes its own backward pass",
         names=("torch.autograd", "torch.func", "torch._functorch", "torch.nn.Parameter", "torch.nn.parameter",
                "torch.enable_grad", "torch.set_grad_enabled"),
         attributes=("requires_grad", "requires_grad_", "retain_grad", "grad", "grad_fn"),
         runtime="torch.set_grad_enabled(False)"),
    Rule("torch's internals are not allowed: they hold the built-in layers under other names",
         names=("torch.ops", "torch._C", "torch._VF", "torch._ops", "torch._refs", "torch._decomp", "torch._prims",
                "torch.library")),
]
RULES = {cell: FROM_SCRATCH for cell in (*LAYERS, "Q5_solution", "Q6_solution", "Q6_experiment_code",
                                         "Q7_experiment_code")}


def _normal(seed: int, *shape: int, scale: float = 1.0, shift: float = 0.0) -> np.ndarray:
    return scale * np.random.default_rng(seed).standard_normal(shape) + shift


# ----------------------------------------------------------------------------- Q1 InstanceNorm1D

NORM_CASES = [(1101, 7, 13), (1102, 1, 5), (1103, 33, 3)]


def _norm_layer(s: Session, cls: str, seed: int, d: int, **kwargs):
    layer = s.new(cls, d, dtype=F64, **kwargs)
    layer.set("gamma", _normal(seed + 1, d))
    layer.set("beta", _normal(seed + 2, d))
    return layer


def instance_norm_forward(s: Session) -> dict:
    out = {}
    for seed, b, d in NORM_CASES:
        layer = _norm_layer(s, "InstanceNorm1D", seed, d, eps=1e-3)
        out[f"InstanceNorm1D.forward on a ({b}, {d}) input"] = layer.call("forward", _normal(seed, b, d, scale=4,
                                                                                          shift=-2))
    return out


def instance_norm_float32(s: Session) -> dict:
    layer = s.new("InstanceNorm1D", 9)
    x = _normal(1104, 5, 9, scale=2).astype(np.float32)
    return {"InstanceNorm1D(9).forward on a float32 (5, 9) input": layer.call("forward", x),
            "gamma at construction": layer.get("gamma"), "beta at construction": layer.get("beta")}


def instance_norm_backward(s: Session) -> dict:
    out = {}
    for seed, b, d in NORM_CASES:
        layer = _norm_layer(s, "InstanceNorm1D", seed, d)
        layer.call("forward", _normal(seed, b, d, scale=3, shift=0.5))
        out[f"dz for a ({b}, {d}) input"] = layer.call("backward", _normal(seed + 3, b, d))
        out[f"dgamma for a ({b}, {d}) input"] = layer.get("dgamma")
        out[f"dbeta for a ({b}, {d}) input"] = layer.get("dbeta")
    return out


@graded("Q1_forward", 3, cells=("Q1_solution",))
def test_Q1_forward_matches_reference(kit: Kit) -> None:
    """forward matches the reference on hidden shapes, with learned gamma and beta."""
    kit.compare(instance_norm_forward, rtol=1e-8)


@graded("Q1_forward", 1, cells=("Q1_solution",))
def test_Q1_forward_keeps_float32_and_starts_at_identity_affine(kit: Kit) -> None:
    """float32 in, float32 out; gamma starts at ones and beta at zeros."""
    kit.compare(instance_norm_float32, rtol=1e-5, atol=1e-6)
    x = np.array([[1, 2, 3, 4], [4, 0, 2, 1]], dtype=np.float32)
    out = kit.session.new("InstanceNorm1D", 4).call("forward", x)
    kit.expect(getattr(out, "dtype", None) == np.float32, "a float32 input gave {dtype} output",
               dtype=str(getattr(out, "dtype", "no array")))


@graded("Q1_backward", 3, cells=("Q1_solution",))
def test_Q1_backward_matches_reference(kit: Kit) -> None:
    """dz, dgamma and dbeta match the reference on hidden shapes."""
    kit.compare(instance_norm_backward, rtol=1e-7)


@graded("Q1_backward", 3, cells=("Q1_solution",))
def test_Q1_backward_matches_finite_differences(kit: Kit) -> None:
    """dz, dgamma and dbeta match finite differences of your own forward."""
    _layer_gradient_check(kit, "InstanceNorm1D", 1201, 5, 6)


def _layer_gradient_check(kit: Kit, cls: str, seed: int, b: int, d: int) -> None:
    s = kit.session
    layer = _norm_layer(s, cls, seed, d)
    z, dout = _normal(seed, b, d, scale=2, shift=1), _normal(seed + 3, b, d)
    gamma, beta = layer.get("gamma"), layer.get("beta")
    layer.call("forward", z)
    dz = layer.call("backward", dout)
    dgamma, dbeta = layer.get("dgamma"), layer.get("dbeta")

    def with_params(g: np.ndarray, bt: np.ndarray):
        layer.set("gamma", g)
        layer.set("beta", bt)
        return layer.call("forward", z)

    kit.gradient_check(lambda x: layer.call("forward", x), z, dout, dz, "dz")
    kit.gradient_check(lambda g: with_params(g, beta), gamma, dout, dgamma, "dgamma")
    kit.gradient_check(lambda bt: with_params(gamma, bt), beta, dout, dbeta, "dbeta")


# ----------------------------------------------------------------------------- Q2 Dropout

@graded("Q2_forward", 2, cells=("Q2_solution",))
def test_Q2_forward_drops_fraction_p_and_rescales(kit: Kit) -> None:
    """in training mode about a fraction p of the units is zeroed and the rest is divided by 1 - p."""
    for seed, p, shape in [(2101, 0.15, (300, 200)), (2102, 0.5, (123, 321)), (2103, 0.85, (250, 240))]:
        z = np.random.default_rng(seed).random(shape) + 1.0
        kit.session.seed(seed)
        a = kit.array(kit.session.new("Dropout", p=p).call("forward", z), shape, "the training-mode forward")
        dropped = float(np.mean(a == 0))
        kit.expect(abs(dropped - p) < 0.015, "p={p}: {dropped:.3f} of the units were zeroed, expected about {p}",
                   p=Given(p), dropped=dropped)
        kept = a != 0
        error = np.max(np.abs(a[kept] * (1 - p) - z[kept]) / z[kept], initial=0.0)
        kit.expect(error < 1e-10, "p={p}: kept units are not z / (1 - p) (relative error {error:.1e})",
                   p=Given(p), error=error)


@graded("Q2_forward", 1, cells=("Q2_solution",))
def test_Q2_forward_draws_a_new_mask_every_time(kit: Kit) -> None:
    """two training-mode forwards of the same input drop different units."""
    z = np.random.default_rng(2105).random((60, 50)) + 1.0
    layer = kit.session.new("Dropout", p=0.5)
    first, second = (kit.array(layer.call("forward", z), z.shape, "the training-mode forward") for _ in range(2))
    kit.expect(not np.array_equal(first == 0, second == 0),
               "two training-mode forwards dropped exactly the same units: draw a new mask in every forward")


@graded("Q2_forward", 1, cells=("Q2_solution",))
def test_Q2_forward_eval_is_identity_and_train_switches_back(kit: Kit) -> None:
    """eval() makes forward the identity, train() switches dropout back on, p = 0 keeps everything."""
    z = np.random.default_rng(2104).random((64, 50)) + 1.0
    layer = kit.session.new("Dropout", p=0.4)
    layer.call("eval")
    kit.expect(np.array_equal(kit.array(layer.call("forward", z), z.shape, "the eval-mode forward"), z),
               "in evaluation mode forward must return its input unchanged")
    layer.call("train")
    kit.expect(bool(np.any(kit.array(layer.call("forward", z), z.shape, "the forward after train()") == 0)),
               "after train() forward should drop units again")
    zero = kit.session.new("Dropout", p=0.0)
    kit.expect(np.array_equal(kit.array(zero.call("forward", z), z.shape, "the forward with p = 0"), z),
               "with p = 0 forward must return its input unchanged")


@graded("Q2_forward", 1, cells=("Q2_solution",))
def test_Q2_forward_rejects_invalid_p(kit: Kit) -> None:
    """Dropout(p) works for p in [0, 1) and raises an error for p outside it."""
    z = np.ones((4, 5))
    for good in (0.0, 0.5, 0.99):
        kit.array(kit.session.new("Dropout", p=good).call("forward", z), z.shape, "the forward with a valid p")
    for bad in (1.0, -0.2, 1.7):
        try:
            kit.session.new("Dropout", p=bad)
        except StudentException:
            continue
        kit.expect(False, "Dropout(p={p}) should raise an error", p=Given(bad))


@graded("Q2_backward", 3, cells=("Q2_solution",))
def test_Q2_backward_reuses_the_forward_mask(kit: Kit) -> None:
    """backward multiplies by the same mask and scale as the last forward, however often it is called."""
    for seed, p in [(2201, 0.3), (2202, 0.65)]:
        z = _normal(seed, 40, 30) + 10.0
        da = _normal(seed + 1, 40, 30)
        kit.session.seed(seed)
        layer = kit.session.new("Dropout", p=p)
        a = kit.array(layer.call("forward", z), z.shape, "the training-mode forward")
        dz = kit.array(layer.call("backward", da), z.shape, "backward")
        expected = da * (a != 0) / (1 - p)
        error = float(np.max(np.abs(dz - expected), initial=0.0))
        kit.expect(error < 1e-10, "p={p}: backward is not da * mask / (1 - p) with the forward's mask "
                                  "(largest difference {error:.1e})", p=Given(p), error=error)
        again = kit.array(layer.call("backward", da), z.shape, "a second backward")
        kit.expect(np.array_equal(again, dz), "p={p}: a second backward gave a different result", p=Given(p))


@graded("Q2_backward", 2, cells=("Q2_solution",))
def test_Q2_backward_matches_finite_differences_and_eval_identity(kit: Kit) -> None:
    """backward matches finite differences of a seeded forward; in eval mode it is the identity."""
    layer = kit.session.new("Dropout", p=0.35)
    z, da = _normal(2203, 6, 7), _normal(2204, 6, 7)

    def seeded_forward(x: np.ndarray):
        kit.session.seed(2205)
        return layer.call("forward", x)

    seeded_forward(z)
    kit.gradient_check(seeded_forward, z, da, layer.call("backward", da), "Dropout dz", rtol=1e-8)
    layer.call("eval")
    layer.call("forward", z)
    kit.expect(np.array_equal(kit.array(layer.call("backward", da), da.shape, "eval-mode backward"), da),
               "in evaluation mode backward must return da unchanged")


# ----------------------------------------------------------------------------- Q3 SoftmaxCrossEntropy

LOSS_CASES = [(3101, 9, 5), (3102, 1, 7), (3103, 41, 2)]


def _labels(seed: int, b: int, c: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, c, size=b).astype(np.int64)


def cross_entropy_forward(s: Session) -> dict:
    return {f"loss for {b} samples and {c} classes": s.new("SoftmaxCrossEntropy").call(
        "forward", _normal(seed, b, c, scale=3), _labels(seed + 1, b, c)) for seed, b, c in LOSS_CASES}


LARGE_LOGITS = np.array([[900.0, -700.0, 1000.0], [-1000.0, -999.0, 0.0], [1000.0, 1000.0, -1000.0]])
LARGE_LABELS = np.array([2, 1, 0], dtype=np.int64)


def cross_entropy_large_logits(s: Session) -> dict:
    loss = s.new("SoftmaxCrossEntropy")
    return {"loss for logits of about +-1000": loss.call("forward", LARGE_LOGITS, LARGE_LABELS),
            "dz for logits of about +-1000": loss.call("backward")}


def cross_entropy_backward(s: Session) -> dict:
    out = {}
    for seed, b, c in LOSS_CASES:
        loss = s.new("SoftmaxCrossEntropy")
        loss.call("forward", _normal(seed, b, c, scale=2), _labels(seed + 1, b, c))
        out[f"dz for {b} samples and {c} classes"] = loss.call("backward")
    return out


@graded("Q3_forward", 3, cells=("Q3_solution",))
def test_Q3_forward_matches_reference(kit: Kit) -> None:
    """the mean loss matches the reference on hidden logits and labels."""
    kit.compare(cross_entropy_forward, rtol=1e-8)


@graded("Q3_forward", 2, cells=("Q3_solution",))
def test_Q3_forward_is_stable_for_large_logits(kit: Kit) -> None:
    """the loss stays finite and correct for logits of about +-1000."""
    loss = kit.session.new("SoftmaxCrossEntropy")
    value = kit.number(loss.call("forward", LARGE_LOGITS, LARGE_LABELS), "loss for logits of about +-1000")
    want = kit.reference(cross_entropy_large_logits)["loss for logits of about +-1000"]
    kit.expect(abs(value - float(want)) < 1e-6 * max(1.0, abs(float(want))),
               "loss for logits of about +-1000: got {got:.6g}, expected {want:.6g}", got=value, want=float(want))


@graded("Q3_backward", 3, cells=("Q3_solution",))
def test_Q3_backward_matches_reference(kit: Kit) -> None:
    """dz = (softmax - onehot) / B matches the reference, also for logits of about +-1000."""
    kit.compare(cross_entropy_backward, rtol=1e-8)
    kit.compare(cross_entropy_large_logits, rtol=1e-8, atol=1e-12)


@graded("Q3_backward", 2, cells=("Q3_solution",))
def test_Q3_backward_matches_finite_differences(kit: Kit) -> None:
    """dz matches finite differences of your own loss."""
    loss = kit.session.new("SoftmaxCrossEntropy")
    z, y = _normal(3201, 6, 4), _labels(3202, 6, 4)
    loss.call("forward", z, y)
    dz = loss.call("backward")
    kit.gradient_check(lambda x: kit.number(loss.call("forward", x, y), "loss"), z, np.array(1.0), dz,
                       "SoftmaxCrossEntropy dz")


# ----------------------------------------------------------------------------- Q4 Tanh

def tanh_forward(s: Session) -> dict:
    z = _normal(4101, 13, 17, scale=5)
    return {"forward on a (13, 17) input": s.new("Tanh").call("forward", z),
            "forward at +-1000": s.new("Tanh").call("forward", np.array([[-1000.0, 1000.0, 0.0, -20.0]]))}


def tanh_backward(s: Session) -> dict:
    out = {}
    for seed, shape in [(4201, (8, 3)), (4202, (2, 20))]:
        layer = s.new("Tanh")
        layer.call("forward", _normal(seed, *shape, scale=2))
        out[f"dz for a {shape} input"] = layer.call("backward", _normal(seed + 1, *shape))
    return out


@graded("Q4_forward", 3, cells=("Q4_solution",))
def test_Q4_forward_matches_reference(kit: Kit) -> None:
    """forward matches the reference, including saturation at +-1000."""
    kit.compare(tanh_forward, rtol=1e-12)


@graded("Q4_forward", 1, cells=("Q4_solution",))
def test_Q4_forward_keeps_shape_and_float32(kit: Kit) -> None:
    """forward keeps the input's shape and float32 dtype."""
    out = kit.session.new("Tanh").call("forward", np.linspace(-2, 2, 24, dtype=np.float32).reshape(2, 3, 4))
    kit.array(out, (2, 3, 4), "forward of a (2, 3, 4) input")
    kit.expect(out.dtype == np.float32, "a float32 input gave {dtype} output", dtype=str(out.dtype))


@graded("Q4_backward", 3, cells=("Q4_solution",))
def test_Q4_backward_matches_reference(kit: Kit) -> None:
    """backward matches the reference on hidden inputs."""
    kit.compare(tanh_backward, rtol=1e-10)


@graded("Q4_backward", 2, cells=("Q4_solution",))
def test_Q4_backward_matches_finite_differences(kit: Kit) -> None:
    """backward matches finite differences of your own forward."""
    layer = kit.session.new("Tanh")
    z, da = _normal(4203, 5, 6, scale=1.5), _normal(4204, 5, 6)
    layer.call("forward", z)
    dz = layer.call("backward", da)
    kit.gradient_check(lambda x: layer.call("forward", x), z, da, dz, "Tanh dz")


@graded("Q4_backward", 1, cells=("Q4_solution",))
def test_Q4_backward_before_forward_raises(kit: Kit) -> None:
    """backward before any forward raises an error instead of returning garbage."""
    z = np.ones((2, 2))
    used = kit.session.new("Tanh")
    used.call("forward", z)
    kit.array(used.call("backward", z), z.shape, "backward after forward")
    try:
        kit.session.new("Tanh").call("backward", z)
    except StudentException:
        return
    kit.expect(False, "Tanh().backward(...) before forward should raise an error")


# ----------------------------------------------------------------------------- Q5 MLP and train_model

def _mlp(kit: Kit, seed: int, cls: str = "MLP", **kwargs):
    kit.session.seed(seed)
    return kit.session.new(cls, **{"dtype": F64, **kwargs})


@graded("Q5_mlp", 2, cells=("Q5_solution",), needs=(*LAYERS, "Q6_solution"))
def test_Q5_mlp_structure_and_modes(kit: Kit) -> None:
    """two blocks of Linear, norm_layer, Tanh, Dropout plus an output Linear; train()/eval() switch dropout."""
    net = _mlp(kit, 5101, in_dim=3, hidden_dim=10, out_dim=4, p_drop=0.3)
    for cls, count in [("Linear", 3), ("InstanceNorm1D", 2), ("Tanh", 2), ("Dropout", 2)]:
        found = len(net.find(cls))
        kit.expect(found == count, "MLP(in_dim=3, hidden_dim=10, out_dim=4) holds {found} {cls} layers, "
                                   "expected {count}", found=found, cls=cls, count=Given(count))
    # The reference MLP_BN (class MLP_BN(MLP): norm_layer = BatchNorm1D) built on this MLP: the norm layers
    # must come from self.norm_layer, or Q6's one-line subclass cannot swap them.
    subclass = _mlp(kit, 5103, "MLP_BN", in_dim=3, hidden_dim=10, out_dim=4, p_drop=0.3)
    swapped, kept = len(subclass.find("BatchNorm1D")), len(subclass.find("InstanceNorm1D"))
    kit.expect(swapped == 2 and kept == 0,
               "a subclass of MLP that sets norm_layer = BatchNorm1D holds {swapped} BatchNorm1D and {kept} "
               "InstanceNorm1D layers, expected 2 and 0: build the normalization layers with self.norm_layer(...)",
               swapped=swapped, kept=kept)
    shapes = sorted(tuple(layer.get("W").shape) for layer in net.find("Linear"))
    kit.expect(shapes == [(3, 10), (10, 4), (10, 10)],
               "the Linear weights do not have the shapes (3, 10), (10, 10) and (10, 4)")
    x = _normal(5102, 12, 3)
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


@graded("Q5_mlp", 2, cells=("Q5_solution",), needs=LAYERS)
def test_Q5_mlp_backward_matches_finite_differences(kit: Kit) -> None:
    """backward fills every Linear dW and norm dgamma and returns dx, all matching finite differences."""
    net = _mlp(kit, 5201, in_dim=3, hidden_dim=5, out_dim=3, p_drop=0.25)
    net.call("eval")
    norms = net.find("InstanceNorm1D")
    for i, norm in enumerate(norms):
        norm.set("gamma", 1.0 + 0.3 * _normal(5202 + i, 5))
        norm.set("beta", 0.3 * _normal(5204 + i, 5))
    x, dout = _normal(5206, 7, 3), _normal(5207, 7, 3)
    net.call("zero_grad")
    net.call("forward", x)
    dx = net.call("backward", dout)
    kit.gradient_check(lambda v: net.call("forward", v), x, dout, dx, "the dx that MLP.backward returns", rtol=1e-6)
    for layer, param, grad in [*((l, "W", "dW") for l in net.find("Linear")), *((n, "gamma", "dgamma") for n in norms)]:
        net.call("forward", x)
        net.call("backward", dout)
        analytic = layer.get(grad)
        value = kit.array(layer.get(param), None, "a layer's parameter")

        def perturbed(v: np.ndarray, layer=layer, param=param):
            layer.set(param, v)
            return net.call("forward", x)

        kit.gradient_check(perturbed, value, dout, analytic, grad, rtol=1e-6)
        layer.set(param, value)


@graded("Q5_mlp", 1, cells=("Q5_solution",), needs=LAYERS)
def test_Q5_mlp_step_and_zero_grad(kit: Kit) -> None:
    """step(lr) moves every W, b, gamma and beta by -lr * gradient; zero_grad clears every gradient."""
    net = _mlp(kit, 5301, in_dim=2, hidden_dim=6, out_dim=2, p_drop=0.0)
    x, dout = _normal(5302, 8, 2), _normal(5303, 8, 2)
    net.call("train")
    net.call("zero_grad")
    net.call("forward", x)
    net.call("backward", dout)
    pairs = [*((l, p, g) for l in net.find("Linear") for p, g in (("W", "dW"), ("b", "db"))),
             *((n, p, g) for n in net.find("InstanceNorm1D") for p, g in (("gamma", "dgamma"), ("beta", "dbeta")))]
    kit.expect(len(pairs) == 10, "the MLP should hold 3 Linear and 2 InstanceNorm1D layers for step to update")
    before = [(kit.array(l.get(p), None, "a parameter"), kit.array(l.get(g), None, "a gradient"))
              for l, p, g in pairs]
    net.call("step", 0.05)
    for (layer, param, _), (old, grad) in zip(pairs, before):
        new = kit.array(layer.get(param), old.shape, "a parameter after step")
        kit.expect(np.allclose(new, old - 0.05 * grad, rtol=1e-10, atol=1e-12),
                   "step(lr) does not update {param} as {param} - lr * gradient", param=param)
    net.call("zero_grad")
    for layer, _, grad in pairs:
        kit.expect(not np.any(kit.array(layer.get(grad), None, "a gradient")), "zero_grad leaves a non-zero {grad}",
                   grad=grad)


def _course_data() -> dict[str, np.ndarray]:
    """The notebook's own split (given_data), computed here: a submission may overwrite its globals."""
    X, y = generate_spiral(**SPIRAL_SETTINGS)
    return dict(zip(("Xtr", "ytr", "Xva", "yva"), train_val_split(X, y, val_ratio=0.2, seed=0)))


def _spiral(seed: int) -> tuple[np.ndarray, ...]:
    X, y = generate_spiral(**{**SPIRAL_SETTINGS, "seed": 1000 + seed})
    return train_val_split(X, y, val_ratio=0.2, seed=seed)


def _train(kit: Kit, seed: int, epochs: int) -> tuple:
    Xtr, ytr, Xva, yva = _spiral(seed)
    kit.session.seed(seed)
    model = kit.session.new("MLP", in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)
    reported = kit.session.call("train_model", model, kit.session.new("SoftmaxCrossEntropy"), Xtr, ytr, Xva, yva,
                                lr=0.1, epochs=epochs, batch_size=64, seed=seed, print_every=0)
    kit.expect(isinstance(reported, (tuple, list)) and len(reported) == 2,
               "train_model should return (final_train_acc, final_val_acc)")
    model.call("eval")
    return model, reported, (Xtr, ytr, Xva, yva)


@graded("Q5_training", 3, cells=("Q5_solution",), needs=LAYERS, timeout=90)
def test_Q5_training_reaches_validation_accuracy(kit: Kit) -> None:
    """your MLP trained by your train_model (lr 0.1, 1000 epochs, batch 64) reaches validation accuracy 0.85 on a hidden spiral."""
    model, _, (_, _, Xva, yva) = _train(kit, seed=4, epochs=1000)
    kit.require_accuracy(model.call("forward", Xva), yva, 0.85, "validation accuracy after training")


def _fixed_mlp(s: Session):
    """A dropout-free MLP(2, 12, 2) whose weights are set here, whatever order the submission builds them in.

    Without dropout, training it uses no random numbers but train_model's shuffling generator."""
    model = s.new("MLP", in_dim=2, hidden_dim=12, out_dim=2, p_drop=0.0)
    for layer in model.find("Linear"):
        rows, cols = (int(n) for n in layer.get("W").shape)
        layer.set("W", _normal(5400 + 100 * rows + cols, rows, cols, scale=rows ** -0.5).astype(np.float32))
        layer.set("b", _normal(5401 + 100 * rows + cols, cols, scale=0.1).astype(np.float32))
    return model


def _train_fixed(s: Session, model, data: tuple[np.ndarray, ...], **settings) -> np.ndarray:
    Xtr, ytr, Xva, yva = data
    s.call("train_model", model, s.new("SoftmaxCrossEntropy"), Xtr, ytr, Xva, yva, print_every=0, **settings)
    model.call("eval")
    return model.call("forward", np.concatenate([Xtr[:30], Xva]))


def train_model_runs(s: Session) -> dict:
    """Two short runs whose result does not depend on how the submission reshuffles between epochs.

    Full-batch runs (batch_size = the 240 training points) do not depend on the order at all, so they pin
    down `epochs` and `lr`; a single epoch of batches of 40 (six full batches: keeping or dropping a last
    partial batch makes no difference) pins down the first order drawn from default_rng(seed).
    """
    data = _spiral(5)
    return {"eval-mode logits after train_model(lr=0.05, epochs=4, batch_size=240)":
            _train_fixed(s, _fixed_mlp(s), data, lr=0.05, epochs=4, batch_size=240, seed=3),
            "eval-mode logits after train_model(lr=0.2, epochs=1, batch_size=40, seed=13)":
            _train_fixed(s, _fixed_mlp(s), data, lr=0.2, epochs=1, batch_size=40, seed=13)}


@graded("Q5_training", 1, cells=("Q5_solution",), needs=LAYERS)
def test_Q5_training_follows_epochs_lr_batch_size_and_seed(kit: Kit) -> None:
    """train_model honours epochs, lr, batch_size and seed, and reshuffles every epoch with one default_rng(seed)."""
    kit.compare(train_model_runs, rtol=1e-4, atol=1e-5)
    s, data = kit.session, _spiral(6)
    settings = {"lr": 0.2, "batch_size": 40, "seed": 17}
    together = _train_fixed(s, _fixed_mlp(s), data, epochs=2, **settings)
    model = _fixed_mlp(s)
    _train_fixed(s, model, data, epochs=1, **settings)
    apart = _train_fixed(s, model, data, epochs=1, **settings)
    difference = float(np.max(np.abs(kit.array(together, None, "the logits") - kit.array(apart, None, "the logits"))))
    kit.expect(difference > 1e-6, "train_model(epochs=2) trained exactly like two calls of train_model(epochs=1) "
                                  "with the same seed: every epoch should take a new order from the one "
                                  "default_rng(seed) created at the start")


@graded("Q5_training", 1, cells=("Q5_solution",), needs=LAYERS, timeout=60)
def test_Q5_training_reports_eval_mode_accuracies(kit: Kit) -> None:
    """train_model returns the final training and validation accuracy of the model in eval mode."""
    model, reported, (Xtr, ytr, Xva, yva) = _train(kit, seed=7, epochs=40)
    for value, X, y, name in [(reported[0], Xtr, ytr, "final_train_acc"), (reported[1], Xva, yva, "final_val_acc")]:
        actual = kit.accuracy(model.call("forward", X), y, "the eval-mode logits")
        got = kit.number(value, name)
        kit.expect(abs(got - actual) < 1e-6, "{name} is {got:.4f} but the model's eval-mode accuracy is {actual:.4f}",
                   name=name, got=got, actual=actual)


# ----------------------------------------------------------------------------- Q6 BatchNorm1D

BN_CASES = [(6101, 9, 4), (6102, 40, 13)]
BN_NEEDS = (*LAYERS, "Q5_solution")


def batchnorm_training(s: Session) -> dict:
    out = {}
    for seed, b, d in BN_CASES:
        layer = _norm_layer(s, "BatchNorm1D", seed, d, eps=1e-3, momentum=0.8)
        for step in range(3):
            out[f"training forward {step + 1} on ({b}, {d})"] = layer.call(
                "forward", _normal(seed + 10 + step, b, d, scale=3, shift=1))
        out[f"running_mean after 3 batches of ({b}, {d})"] = layer.get("running_mean")
        out[f"running_var after 3 batches of ({b}, {d})"] = layer.get("running_var")
    return out


def batchnorm_eval(s: Session) -> dict:
    out = {}
    for seed, b, d in BN_CASES:
        layer = _norm_layer(s, "BatchNorm1D", seed, d, eps=1e-3, momentum=0.8)
        for step in range(3):
            layer.call("forward", _normal(seed + 10 + step, b, d, scale=3, shift=1))
        layer.call("eval")
        out[f"eval forward on ({b}, {d})"] = layer.call("forward", _normal(seed + 20, b, d))
        out[f"running_mean after an eval forward ({b}, {d})"] = layer.get("running_mean")
    return out


def batchnorm_backward(s: Session) -> dict:
    out = {}
    for seed, b, d in BN_CASES:
        layer = _norm_layer(s, "BatchNorm1D", seed, d, eps=1e-3)
        layer.call("forward", _normal(seed + 30, b, d, scale=3, shift=1))
        out[f"dx for ({b}, {d})"] = layer.call("backward", _normal(seed + 31, b, d))
        out[f"dgamma for ({b}, {d})"] = layer.get("dgamma")
        out[f"dbeta for ({b}, {d})"] = layer.get("dbeta")
    return out


@graded("Q6_batchnorm", 2, cells=("Q6_solution",), needs=BN_NEEDS)
def test_Q6_batchnorm_training_forward_and_running_statistics(kit: Kit) -> None:
    """training-mode forward and the running mean and variance match the reference over three batches."""
    kit.compare(batchnorm_training, rtol=1e-8)


@graded("Q6_batchnorm", 1, cells=("Q6_solution",), needs=BN_NEEDS)
def test_Q6_batchnorm_eval_uses_running_statistics(kit: Kit) -> None:
    """evaluation-mode forward uses the running statistics and leaves them unchanged."""
    kit.compare(batchnorm_eval, rtol=1e-8)


@graded("Q6_batchnorm", 1, cells=("Q6_solution",), needs=BN_NEEDS)
def test_Q6_batchnorm_backward_matches_reference(kit: Kit) -> None:
    """dx, dgamma and dbeta match the reference."""
    kit.compare(batchnorm_backward, rtol=1e-7)


@graded("Q6_batchnorm", 1, cells=("Q6_solution",), needs=BN_NEEDS)
def test_Q6_batchnorm_backward_matches_finite_differences(kit: Kit) -> None:
    """dx, dgamma and dbeta match finite differences of your own training-mode forward."""
    _layer_gradient_check(kit, "BatchNorm1D", 6201, 6, 4)


@graded("Q6_batchnorm", 1, cells=("Q6_solution",), needs=BN_NEEDS)
def test_Q6_batchnorm_mlp_bn_swaps_the_normalization(kit: Kit) -> None:
    """MLP_BN is an MLP with two BatchNorm1D layers, no InstanceNorm1D, and eval() reaches them."""
    kit.session.seed(6301)
    net = kit.session.new("MLP_BN", in_dim=2, hidden_dim=8, out_dim=2, p_drop=0.0, dtype=F64)
    kit.expect(net.isinstance("MLP"), "MLP_BN should be a subclass of MLP")
    norms = net.find("BatchNorm1D")
    kit.expect(len(norms) == 2 and not net.find("InstanceNorm1D"),
               "MLP_BN holds {found} BatchNorm1D and {other} InstanceNorm1D layers, expected 2 and 0",
               found=len(norms), other=len(net.find("InstanceNorm1D")))
    net.call("train")
    net.call("forward", _normal(6302, 16, 2))
    net.call("eval")
    means = [kit.array(n.get("running_mean"), None, "running_mean") for n in norms]
    net.call("forward", _normal(6303, 16, 2, shift=3))
    after = [kit.array(n.get("running_mean"), None, "running_mean") for n in norms]
    kit.expect(all(np.array_equal(a, b) for a, b in zip(means, after)),
               "MLP_BN.eval() should put its BatchNorm1D layers in evaluation mode")


# ----------------------------------------------------------------------------- Q6 and Q7 experiments
# The comparison cells train at load time. What they report is verified, not trusted. The notebook pins every
# setting of these runs (the Q5 settings, COMPARE_EPOCHS epochs, torch.manual_seed(0) right before building each
# model, each model trained before the next is built), so a run as asked is deterministic: the model must end
# exactly where the master's same run ends, which proves the data, the settings and the number of epochs. The
# number of epochs comes from the reference, and accuracies are computed here from logits on the grader's own
# copy of the data.

EXPERIMENT_NEEDS = (*LAYERS, "Q5_solution", "Q6_solution")
RUNS = {"model_in": ("history_in", "in_train_acc", "in_val_acc"),
        "model_bn": ("history_bn", "bn_train_acc", "bn_val_acc"),
        "model_nodrop": ("history_nodrop", "nodrop_train_acc", "nodrop_val_acc"),
        "model_drop": ("history_drop", "drop_train_acc", "drop_val_acc")}


def _runs(s: Session, names: tuple[str, ...]) -> dict:
    """What a comparison cell produced, measured the same way for the master and the submission."""
    out = {"COMPARE_EPOCHS": s.get("COMPARE_EPOCHS")}
    for name in names:
        model = s.get(name)
        model.call("eval")
        out[f"{name} validation logits"] = model.call("forward", _course_data()["Xva"])
    return out


def q6_runs(s: Session) -> dict:
    return _runs(s, ("model_in", "model_bn"))


def q7_runs(s: Session) -> dict:
    return _runs(s, ("model_nodrop", "model_drop"))


def _check_run(kit: Kit, name: str, probe) -> None:
    """``name`` was trained as the notebook asks and its cell reports what it reached; ``probe`` gives the
    master's same runs."""
    history_name, train_name, val_name = RUNS[name]
    s, data, want = kit.session, _course_data(), kit.reference(probe)
    epochs = int(want["COMPARE_EPOCHS"])
    history = s.get(history_name)
    kit.expect(isinstance(history, dict) and isinstance(history.get("loss"), list) and
               isinstance(history.get("val_acc"), list), "{history} should be the history dict that train_model "
               "fills, with lists under 'loss' and 'val_acc'", history=history_name)
    kit.expect(len(history["loss"]) == epochs and len(history["val_acc"]) == epochs,
               "{history} does not hold one entry per epoch for COMPARE_EPOCHS = {epochs} epochs",
               history=history_name, epochs=Given(epochs))
    model = s.get(name)
    model.call("eval")
    logits = model.call("forward", data["Xva"])
    master = want[f"{name} validation logits"]
    error = relative_error(kit.array(logits, master.shape, "the validation logits"), master)
    kit.expect(error < 1e-4, "{name} does not end where the master's run with the same settings ends (relative "
               "error {error:.1e}): build it right after torch.manual_seed(0), train it before building the next "
               "model, with lr 0.1, batch size 64, shuffling seed 0 and COMPARE_EPOCHS epochs", name=name,
               error=error)
    accuracies = {}
    for split, reported_name in [("tr", train_name), ("va", val_name)]:
        accuracies[split] = kit.accuracy(model.call("forward", data[f"X{split}"]), data[f"y{split}"],
                                         "the eval-mode logits")
        got = kit.number(s.get(reported_name), reported_name)
        kit.expect(abs(got - accuracies[split]) < 1e-6, "{reported} is {got:.4f} but {name} scores {actual:.4f} in "
                   "eval mode", reported=reported_name, got=got, name=name, actual=accuracies[split])
    # train_model records the eval-mode validation accuracy after every epoch and the model does not change after
    # the last one, so the history ends at the model's validation accuracy
    last = kit.number(history["val_acc"][-1], "the last validation accuracy of the history")
    kit.expect(abs(last - accuracies["va"]) < 1e-6, "{history} ends at validation accuracy {last:.4f} but {name} "
               "scores {actual:.4f}: it should be the history of {name}", history=history_name, last=last,
               name=name, actual=accuracies["va"])


def _dropout_rates(kit: Kit, model_name: str) -> list[float]:
    return sorted(kit.number(d.get("p"), "a dropout rate") for d in kit.session.get(model_name).find("Dropout"))


@graded("Q6_experiment", 4, cells=("Q6_experiment_code",), needs=EXPERIMENT_NEEDS, timeout=120)
def test_Q6_experiment_runs_both_models_under_the_same_settings(kit: Kit) -> None:
    """the comparison cell trains an MLP and an MLP_BN for COMPARE_EPOCHS and reports their accuracies."""
    s = kit.session
    kit.expect(s.get("model_in").isinstance("MLP") and not s.get("model_in").isinstance("MLP_BN"),
               "model_in should be an MLP (instance norm)")
    kit.expect(s.get("model_bn").isinstance("MLP_BN"), "model_bn should be an MLP_BN")
    for name in ("model_in", "model_bn"):
        rates = _dropout_rates(kit, name)
        kit.expect(bool(rates) and all(abs(p - 0.2) < 1e-12 for p in rates),
                   "{name} does not use dropout p = 0.2 in every Dropout layer", name=name)
    _check_run(kit, "model_in", q6_runs)
    _check_run(kit, "model_bn", q6_runs)


@graded("Q7_experiment", 6, cells=("Q7_experiment_code",), needs=EXPERIMENT_NEEDS, timeout=120)
def test_Q7_experiment_reports_both_runs(kit: Kit) -> None:
    """the comparison cell trains two instance-norm MLPs for COMPARE_EPOCHS and reports their accuracies."""
    s = kit.session
    for name in ("model_nodrop", "model_drop"):
        model = s.get(name)
        kit.expect(model.isinstance("MLP") and not model.isinstance("MLP_BN"), "{name} should be an MLP", name=name)
    _check_run(kit, "model_nodrop", q7_runs)
    _check_run(kit, "model_drop", q7_runs)


@graded("Q7_experiment", 4, cells=("Q7_experiment_code",), needs=EXPERIMENT_NEEDS, timeout=120)
def test_Q7_experiment_dropout_only_in_the_dropout_model(kit: Kit) -> None:
    """model_drop applies dropout with p = 0.2 in training mode and model_nodrop applies none."""
    s = kit.session
    rates = {name: _dropout_rates(kit, name) for name in ("model_nodrop", "model_drop")}
    kit.expect(all(p == 0.0 for p in rates["model_nodrop"]), "model_nodrop has a dropout rate that is not 0")
    kit.expect(rates["model_drop"] and all(abs(p - 0.2) < 1e-12 for p in rates["model_drop"]),
               "model_drop does not use dropout p = 0.2 in every Dropout layer")
    x = _course_data()["Xtr"][:32]
    for name, differs in [("model_nodrop", False), ("model_drop", True)]:
        model = s.get(name)
        model.call("train")
        outputs = [kit.array(model.call("forward", x), (32, 2), "the training-mode logits") for _ in range(2)]
        kit.expect((not np.array_equal(*outputs)) == differs, "{name} should change its output between two "
                   "training-mode forwards" if differs else "{name} should not change its output between two "
                   "training-mode forwards", name=name)
