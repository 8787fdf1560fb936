"""What the rnn_captioning graders share: hidden vocabularies and parameters, models built in the child with
parameters set here, autograd's gradients asked for in the child, and the gradient test of an RNN function."""
from __future__ import annotations

import itertools

import numpy as np

from autograder.kit import Failure, Forward, Kit, Probe, Remote, Session, StudentException, as_leaf, normal
from autograder.sandbox import DType

F64 = DType("float64")
SPECIAL = ("<NULL>", "<START>", "<END>", "<UNK>")
PARAM_NAMES = ("W_proj", "b_proj", "W_embed", "Wx", "Wh", "b", "W_vocab", "b_vocab")
ATTEMPT = 0.5  # the least correlation with the reference's output at which gradients are judged apart from it


def vocabulary(size: int) -> dict[str, int]:
    """A hidden vocabulary of ``size`` words: the four special ones at 0-3 (as the notebook's data has them), then
    words of the grader's own."""
    return {word: index for index, word in enumerate((*SPECIAL, *(f"w{i}" for i in range(size - len(SPECIAL)))))}


def param_shapes(input_dim: int, wordvec_dim: int, hidden_dim: int, vocab_size: int) -> dict[str, tuple[int, ...]]:
    return {"W_proj": (input_dim, hidden_dim), "b_proj": (hidden_dim,), "W_embed": (vocab_size, wordvec_dim),
            "Wx": (wordvec_dim, hidden_dim), "Wh": (hidden_dim, hidden_dim), "b": (hidden_dim,),
            "W_vocab": (hidden_dim, vocab_size), "b_vocab": (vocab_size,)}


def param_values(seed: int, input_dim: int, wordvec_dim: int, hidden_dim: int, vocab_size: int) -> dict:
    """Hidden float64 parameters of a CaptioningRNN, scaled so that no tanh saturates and no word always wins."""
    shapes = param_shapes(input_dim, wordvec_dim, hidden_dim, vocab_size)
    return {name: normal(seed + i, *shape, scale=1.5 * shape[0] ** -0.5 if len(shape) == 2 else 0.3)
            for i, (name, shape) in enumerate(shapes.items())}


def captioning_model(s: Session, vocab: dict[str, int], params: dict, input_dim: int, wordvec_dim: int,
                     hidden_dim: int) -> Remote:
    """The notebook's CaptioningRNN for ``vocab`` (float64), holding ``params`` (arrays, or leaves in the child)."""
    model = s.new("CaptioningRNN", vocab, input_dim=input_dim, wordvec_dim=wordvec_dim, hidden_dim=hidden_dim,
                  cell_type="rnn", dtype=F64)
    model.set("params", dict(params))
    return model


def autograd(s: Session, function: str, inputs: dict[str, np.ndarray], dout: np.ndarray) -> dict:
    """Autograd's gradients of ``sum(function(*inputs) * dout)`` in the child, for each floating-point input
    (None where autograd found none); an output of ``dout``'s size in another shape is read in ``dout``'s (its
    forward test priced the shape)."""
    leaves = {name: as_leaf(s, value) if value.dtype.kind == "f" else value for name, value in inputs.items()}
    s.call_kept(function, *leaves.values()).call_kept("reshape", *dout.shape).call("backward", dout)
    return {name: leaf.get("grad") for name, leaf in leaves.items() if isinstance(leaf, Remote)}


def layout_correlation(got: np.ndarray, expected: np.ndarray) -> float:
    """The correlation of two outputs of one size, in the best of the layouts that permute ``got``'s axes into
    ``expected``'s shape (or in flat order if none does); -1 where either is constant."""
    layouts = [np.transpose(got, order) for order in itertools.permutations(range(got.ndim))
               if tuple(got.shape[axis] for axis in order) == expected.shape] or [got.reshape(expected.shape)]
    best = -1.0
    for layout in layouts:
        a, b = layout.ravel(), expected.ravel()
        if np.std(a) > 0 and np.std(b) > 0:
            best = max(best, float(np.corrcoef(a, b)[0, 1]))
    return best


def require_an_attempt(kit: Kit, got: object, expected: np.ndarray, what: str) -> None:
    """Before gradients are judged against a forward that disagrees with the reference (consistent with itself
    for free): its outputs must follow the reference's, with a correlation of ``ATTEMPT`` at least. A slip (a
    missing tanh or bias, a state not carried, another layout) keeps far more; code that does none of the work
    (sums of the inputs, a constant) does not."""
    got = kit.array(got)
    kit.expect(got.size == expected.size and layout_correlation(got, np.asarray(expected)) >= ATTEMPT,
               "{what}: the output is too far from what the task asks for to judge its gradients apart from it",
               what=what)


def gradient_test(kit: Kit, function: str, inputs: dict[str, np.ndarray], dout: np.ndarray, forward: Probe,
                  gradients: Probe, rtol: float, core: tuple[str, ...]) -> None:
    """Autograd's gradients of ``function``: the master's where the forward on these inputs is the master's
    (``forward``), else centered differences of the submission's own forward (its forward tests priced the
    difference), which must depend on each of the ``core`` inputs: an output that ignores the input or the
    weights is consistent with itself for free."""
    if kit.agrees(forward):
        kit.compare(gradients, rtol=rtol)
        return
    s = kit.session
    require_an_attempt(kit, s.call(function, *inputs.values()), next(iter(kit.reference(forward).values())),
                       function)
    try:
        analytic = autograd(s, function, inputs, dout)
    except StudentException:
        raise Failure("{function} should return a tensor that autograd can differentiate",
                      function=function) from None

    def in_dout_shape(value: object) -> np.ndarray:
        array = kit.array(value)
        kit.expect(array.size == dout.size, "{function}: the output has the wrong number of values",
                   function=function)
        return array.reshape(dout.shape)

    own = kit.forward(lambda **values: [s.planned_call(function, *values.values())], in_dout_shape)
    for name in core:
        if inputs[name].dtype.kind == "f":
            depends = analytic[name] is not None and bool(np.any(kit.values(analytic[name], inputs[name].shape,
                                                                            name) != 0))
        else:
            moved = {**inputs, name: np.roll(inputs[name], 1)}
            depends = not np.array_equal(own(**inputs), own(**moved))
        kit.expect(depends, "{function}: the output does not depend on {name}", function=function, name=name)
    own_gradients(kit, own, inputs, dout, analytic)


def own_gradients(kit: Kit, forward: Forward, inputs: dict[str, np.ndarray], dout: np.ndarray,
                  analytic: dict[str, np.ndarray | None]) -> None:
    """Autograd's gradients (``analytic``, None where it found none: a zero gradient) against centered
    differences of the submission's own ``forward``, which must depend on one of the inputs at least (a constant
    is consistent with itself for free)."""
    grads = {name: np.zeros_like(inputs[name]) if value is None else kit.values(value, inputs[name].shape, name)
             for name, value in analytic.items()}
    kit.expect(any(np.any(value != 0) for value in grads.values()),
               "autograd finds no gradient at all: is the output computed from the inputs, with torch?")
    kit.gradients(forward, inputs, dout, grads, rtol=1e-6)
