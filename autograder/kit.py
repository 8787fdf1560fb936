"""The check kit that every hidden grader uses.

A hidden grader is a package of pytest modules (see ``autograder.hidden_tests``)
whose tests, named ``test_<question>_...`` and marked ``@graded(item, points)``,
take the ``kit`` fixture. A test fails by raising ``Failure`` (``kit.expect`` and
the helpers below do that) with a message that says what was checked and by how
much it missed, never the hidden inputs.

Messages are templates that only the grader's words fill in (``autograder.messages``).

What the kit offers:

- ``kit.session``: the submission's answer cells running in a sandboxed child;
- ``kit.compare(probe, rtol)``: run a probe (a function of a session that
  returns named values) on the submission and on the master notebook, compare;
- ``kit.array(value, shape, what)``: validate a value that came from the child;
- ``kit.gradient_check(...)``: analytic gradient against centered finite
  differences in float64, evaluated by calling the submission's own forward;
  ``kit.gradients(...)`` does it for every input or parameter of a layer or model;
- ``kit.compare_backward(tight, forwards, wide, balanced)``, ``kit.own_gradients_or(check, forwards, wide,
  balanced)``: backward tests that price the backward only: where the submission's forward itself is wrong, the
  backward is judged by a reference comparison on wide inputs (upstream gradient ``correlated_dout``), where a
  forward's N - 1 or eps slip does not show, or on balanced ones (``balanced_square``), where statistics over
  the wrong axis equal the right ones;
- ``matches_reference(item, points, probe, rtol)``: a whole test that compares a probe, in one line;
- ``kit.require_shapes(...)`` in a test marked ``@graded(..., prices_shapes=True)``: an item's shape test.
  The item's other tests then compare values whatever their shape (``kit.values``): a value of the right size
  in another shape (a ``(1, D)`` for a ``(D,)``, a flattened ``dx``) costs the shape test alone;
- ``kit.accuracy(...)``: accuracy of scores (sent by the child) against labels, computed here;
- ``kit.module_shapes(model)``, ``kit.expect_module_shapes(model, table)``, ``set_module_weights(model, seed)``:
  a torch module's parameters and buffers by role and shape, whatever its layers are named;
- ``kit.require_normalization``, ``kit.require_dropping``, ``kit.require_computed_scores``: before a test
  judges the student's code against itself (a backward against its own forward, a mode against its other
  mode), refuse code that does none of the work (the identity, zeros, a constant), which is consistent with
  itself for free;
- ``Calibration``: a training test's threshold, set with ``course calibrate``;
- ``kit.file(name)``: the bytes of a file handed in next to the notebook (declared in the spec's ``FILES``),
  or a ``Failure`` that says why there are none; ``kit.award(fraction, message)``: part of a test's points (a
  score that scales between a floor and a target); ``kit.leaderboard(name, value)``: a value for the class
  leaderboard (Gradescope's ``leaderboard`` in results.json, a column of grades.csv);
- ``normal(seed, *shape)``, ``labels(seed, n, classes)``: hidden inputs and labels;
- ``Rule`` (from ``autograder.rules``): what an answer cell must not use.
"""
from __future__ import annotations

import itertools
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from autograder.hidden_tests import Question, graded
from autograder.messages import NUMBER, Failure, Given, kind_of
from autograder.notebook import question_of
from autograder.rules import EVERY_TORCH_OPERATOR, NORMALIZATION_OPERATORS, Rule
from autograder.sandbox import Remote, Session, StudentException

__all__ = ["EVERY_TORCH_OPERATOR", "NORMALIZATION_OPERATORS", "Calibration", "Failure", "Forward", "Given",
           "Judged", "Kit", "Probe", "Question", "Remote", "Rule", "Session", "StudentException", "as_leaf",
           "balanced_square", "compare_values", "correlated_dout", "graded", "labels", "matches_reference", "normal",
           "relative_error", "set_module_weights", "tensor_roles"]

Probe = Callable[[Session], dict[str, Any]]
Judged = tuple[Probe, float, float]  # a probe and the rtol and atol its values are compared with


MAX_ELEMENTS = 8_000_000


class Kit:
    """What a test works with: the submission's session (started on first use) and reference values."""

    def __init__(self, open_session: Callable[[], Session], reference: Callable[[Probe], dict[str, Any]],
                 shapes_priced: bool = False, files: dict[str, tuple[bytes | None, str | None, int]] | None = None
                 ) -> None:
        self._open_session = open_session
        self.shapes_priced = shapes_priced  # a shape test of this test's item prices shapes (``values``)
        self._files = files or {}  # name -> (its bytes or None, why it could not be read or None, size limit)
        self.awarded: tuple[float, Failure] | None = None  # part of the points, and why not all (``award``)
        self.board: dict[str, tuple[float, str]] = {}  # leaderboard values: name -> (value, "asc" or "desc")
        self._session: Session | None = None
        self._reference = reference
        self.labels: set[str] = set()  # names of reference values: the grader's words, safe to show
        self.numbers: set[float] = set()  # scalars of reference values: the master's, safe to show

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._open_session()
        return self._session

    def close(self) -> bool:
        """Finish the child, if one started; whether it printed anything."""
        return self._session is not None and self._session.finish().output_bytes > 0

    def reference(self, probe: Probe) -> dict[str, Any]:
        """The probe's values on the master notebook (computed once per probe)."""
        values = self._reference(probe)
        self.labels.update(_labels(values))
        self.numbers.update(_scalars(values))
        return values

    @staticmethod
    def expect(condition: bool, message: str, **values: Any) -> None:
        """Fail with ``message`` (a template; see ``autograder.messages``) unless ``condition`` holds."""
        if not condition:
            raise Failure(message, **values)

    @staticmethod
    def array(value: Any, shape: tuple[int, ...] | None = None, what: str = "the value") -> np.ndarray:
        """``value`` as a finite float64 array of ``shape``, or a ``Failure`` saying what was wrong."""
        if isinstance(value, (list, tuple)) and value and _numeric_sequence(value):
            value = np.asarray(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (np.ndarray, int, float, np.number)):
            if shape is None:
                raise Failure("{what}: expected an array, got something else", what=what, detail=kind_of(value))
            raise Failure("{what}: expected an array of shape {shape}, got something else", what=what,
                          shape=Given(tuple(shape)), detail=kind_of(value))
        array = np.asarray(value)
        if array.size > MAX_ELEMENTS:  # converted to float64 below, in the grader's memory
            raise Failure("{what}: the array has more than {limit} values", what=what, limit=Given(MAX_ELEMENTS))
        if array.dtype.kind not in "fiub":
            raise Failure("{what}: expected an array of numbers, got an array of something else", what=what,
                          detail=f"dtype {array.dtype}")
        if shape is not None and array.shape != tuple(shape):
            raise Failure("{what}: expected shape {shape}, got another shape", what=what, shape=Given(tuple(shape)),
                          detail=f"shape {array.shape}")
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            raise Failure("{what}: contains NaN or infinity", what=what)
        return array

    def values(self, value: Any, shape: tuple[int, ...], what: str = "the value") -> np.ndarray:
        """``array`` for a comparison of values: where the item's shape test prices shapes (``shapes_priced``),
        an array of as many numbers in another shape is taken in ``shape``, so that the slip costs that test
        alone."""
        return _in_shape(value, shape, what, self.shapes_priced)

    def require_shapes(self, produce: Callable[[np.ndarray], dict[str, Any]], inputs: tuple[np.ndarray, np.ndarray],
                       shapes: dict[str, tuple[int, ...]]) -> None:
        """The body of a shape test: each value ``produce(input)`` returns has its shape in ``shapes``, and
        changes between the two ``inputs`` (code that returns zeros or its input, doing none of the work, earns
        no shape point)."""
        first, second = (produce(value) for value in inputs)
        for name, shape in shapes.items():
            self.expect(name in first and name in second, "{name}: no value", name=name)
            before, after = self.array(first[name], shape, name), self.array(second[name], shape, name)
            self.expect(float(np.max(np.abs(after - before), initial=0.0)) > 1e-9, "{name} stays the same for "
                        "another input: it should be computed from it", name=name)

    @classmethod
    def number(cls, value: Any, what: str = "the value") -> float:
        """A single finite number (a Python number or an array holding one element)."""
        array = cls.array(value, None, what)
        if array.size != 1:
            raise Failure("{what}: expected a single number, got an array of another size", what=what,
                          detail=f"shape {array.shape}")
        return float(array.reshape(()))

    def compare(self, probe: Probe, rtol: float, atol: float = 0.0) -> None:
        """Run ``probe`` on the submission and on the master; every value must match within tolerance."""
        want = self.reference(probe)
        got = probe(self.session)
        for label, expected in want.items():
            if label not in got:
                raise Failure("{label}: no value", label=label)
            compare_values(got[label], expected, label, rtol, atol, self.shapes_priced)

    def agrees(self, probe: Probe, rtol: float = 1e-8, atol: float = 0.0) -> bool:
        """Whether the submission gives the probe's reference values (raising nothing): a backward test asks it
        of the forward it differentiates, since a forward's defect is its own tests' to price."""
        try:
            self.compare(probe, rtol, atol)
        except (Failure, StudentException):
            return False
        return True

    def forward(self, plans: Callable[..., list[dict]], read: Callable[[Any], Any] | None = None) -> "Forward":
        """A forward that ``gradient_check`` and ``gradients`` evaluate at every point in one request to the child:
        ``plans(*args, **kwargs)`` gives the operations of one evaluation (``Remote.planned_set``,
        ``planned_call``), the last one's value, passed through ``read``, being the forward's."""
        return Forward(self.session, plans, read or (lambda value: value))

    def gradient_check(self, forward: Callable[[np.ndarray], Any], x: np.ndarray, dout: np.ndarray,
                       analytic: Any, what: str, rtol: float = 1e-7, h: float = 1e-5) -> None:
        """``analytic`` must equal the gradient of ``sum(forward(x) * dout)`` with respect to ``x``,
        estimated by centered differences, ``forward`` being evaluated in the submission (a ``Forward``: every
        evaluation in one request)."""
        analytic = self.values(analytic, x.shape, what)
        x = np.array(x, dtype=np.float64)
        numeric = np.zeros_like(x)
        points = (_moved(x, index, step) for index in np.ndindex(*x.shape) for step in (h, -h))
        values = forward.many(points) if isinstance(forward, Forward) else (forward(point) for point in points)
        for index in np.ndindex(*x.shape):
            plus, minus = (self.values(next(values), dout.shape, "the forward pass during the gradient check")
                           for _ in range(2))
            numeric[index] = np.sum((plus - minus) * dout) / (2 * h)
        error = relative_error(analytic, numeric)
        self.expect(error <= rtol, "the gradient {what} disagrees with finite differences: relative error {error:.1e} "
                                   "(allowed {rtol:.0e})", what=what, error=error, rtol=Given(rtol))

    def gradients(self, forward: Callable[..., Any], inputs: dict[str, np.ndarray], dout: np.ndarray,
                  analytic: dict[str, Any], rtol: float = 1e-7, h: float = 1e-5) -> None:
        """Every gradient of a layer or a model at once: for each ``name`` of ``analytic``, ``analytic[name]``
        must equal the gradient of ``sum(forward(**inputs) * dout)`` with respect to ``inputs[name]`` (a loss:
        ``dout = np.ones(())``), ``forward`` being called with that one input changed. The names are the
        grader's (``"x"``, ``"W1"``, ``"gamma"``): failures name them."""
        for name in analytic:
            one = forward.varying(name, inputs) if isinstance(forward, Forward) else \
                lambda value, name=name: forward(**{**inputs, name: value})
            self.gradient_check(one, inputs[name], dout, analytic[name], name, rtol, h)

    def forward_is_wrong(self, forwards: Sequence[Probe]) -> bool:
        """Whether the submission's forward disagrees with the reference on every probe of ``forwards``: the
        forward's own graded probe (so that its tests priced the defect) and one on the input a backward test
        uses (so that the defect shows there)."""
        return not any(self.agrees(probe) for probe in forwards)

    def compare_backward(self, tight: Judged, forwards: Sequence[Probe], wide: Judged,
                         balanced: Sequence[Judged] = ()) -> None:
        """Compare a backward with the reference: on ``tight``'s inputs, ``(probe, rtol, atol)``, unless the
        forward is wrong (``forward_is_wrong``), and then apart from the forward's defect (``judge_apart``)."""
        if self.forward_is_wrong(forwards):
            self.judge_apart((wide,), balanced)
        else:
            self.compare(*tight)

    def own_gradients_or(self, check: Callable[[], None], forwards: Sequence[Probe], wide: Sequence[Judged],
                         balanced: Sequence[Judged] = ()) -> None:
        """Run ``check``, a backward against finite differences of the submission's own forward. Should it fail
        with the forward wrong (``forward_is_wrong``: a correct backward fed a wrong forward's statistics misses
        its differences), the backward is judged apart from the forward's defect (``judge_apart``)."""
        try:
            check()
        except Failure:
            if not self.forward_is_wrong(forwards):
                raise
            self.judge_apart(wide, balanced)

    def judge_apart(self, wide: Sequence[Judged], balanced: Sequence[Judged] = ()) -> None:
        """Judge a backward whose forward is wrong where that forward's defect does not reach it: every ``wide``
        comparison holds (inputs with thousands of values per statistic, where N - 1 or eps placement moves the
        gradients by less than the tolerance), or else every ``balanced`` one does (inputs whose statistics are
        the same over either axis, ``balanced_square``, where statistics taken over the wrong axis are right)."""
        try:
            for probe, rtol, atol in wide:
                self.compare(probe, rtol, atol)
        except Failure:
            if not balanced or not all(self.agrees(probe, rtol, atol) for probe, rtol, atol in balanced):
                raise

    def require_normalization(self, forward: Callable[[np.ndarray], Any], x: np.ndarray, sharing: np.ndarray | None,
                              what: str) -> None:
        """Refuse a normalization that works entry by entry (the identity, an affine map): raising the first entry
        of ``x`` must move some output where ``sharing`` (booleans of the output's shape) is True, those that
        share that entry's statistics; ``None``: any other output of ``x``'s shape (statistics over any axis, as
        a backward test asks of the forward it reads). ``what`` names the forward (``"batchnorm_forward"``)."""
        if sharing is None:
            sharing = np.ones(x.shape, dtype=bool)
            sharing.flat[0] = False
        nudged = x.copy()
        nudged.flat[0] += 1.0 + abs(x.flat[0])
        before, after = (self.array(forward(value), sharing.shape, what) for value in (x, nudged))
        self.expect(float(np.max(np.abs(after - before)[sharing], initial=0.0)) > 1e-6,
                    "{what} does not normalize: raising one entry of its input moved none of the outputs that share "
                    "its statistics, so there is nothing to judge here", what=what)

    def require_dropping(self, out: np.ndarray, p: float) -> None:
        """Refuse a training-mode dropout output ``out`` (computed with probability ``p``) that drops nothing or
        everything: a backward judged against the forward's own mask would then pass for free."""
        kept = float(np.mean(out != 0))
        self.expect(0.02 < kept < 0.98, "p={p}: the training-mode forward kept {kept:.2f} of the units, so the "
                                        "backward cannot be judged against its mask: the forward must drop some "
                                        "units and keep others", p=Given(p), kept=kept)

    def require_computed_scores(self, model: Any, params: dict[str, np.ndarray], X: np.ndarray) -> None:
        """Refuse a network (``model.params``, ``model.loss(X)`` as the course's numpy models have) whose scores do
        not depend on its parameters and on its input (zeros, a constant, the last bias for every example). The
        model is left holding ``params``."""
        model.set("params", {name: 1.5 * value for name, value in params.items()})
        scaled = self.array(model.call("loss", X), None, "the scores")
        model.set("params", dict(params))
        scores = self.array(model.call("loss", X), None, "the scores")
        self.expect(scores.shape == scaled.shape, "the scores change shape when the parameters change")
        self.expect(float(np.max(np.abs(scaled - scores), initial=0.0)) > 1e-6,
                    "the scores do not change when the parameters do: loss(X) should compute the scores from params")
        self.expect(len(scores) > 1 and float(np.max(np.abs(scores - scores[:1]))) > 1e-6,
                    "every example got the same scores: loss(X) should compute the scores from X")

    def scores(self, model: Remote, inputs: np.ndarray, what: str, method: str = "forward", batch: int = 250
               ) -> np.ndarray:
        """``model.<method>`` of ``inputs``, ``batch`` rows at a time, as one array: the child never holds the
        activations of every input at once (a thousand images through a CNN take hundreds of MB). Call it in
        evaluation mode, where the batches change no score."""
        parts = [self.array(model.call(method, inputs[start:start + batch]), None, what)
                 for start in range(0, len(inputs), batch)]
        self.expect(all(part.ndim >= 1 and part.shape[1:] == parts[0].shape[1:] for part in parts),
                    "{what}: batches of inputs gave scores of different shapes", what=what)
        return np.concatenate(parts)

    def accuracy(self, logits: Any, labels: np.ndarray, what: str) -> float:
        """The fraction of rows of ``logits`` (computed here from what the child sent) whose largest score
        is at the label."""
        scores = self.array(logits, None, what)
        self.expect(scores.ndim == 2 and scores.shape[0] == len(labels) and scores.shape[1] >= 2,
                    "{what}: expected scores of shape ({rows}, classes), got another shape", what=what,
                    rows=Given(len(labels)), detail=f"shape {scores.shape}")
        return float(np.mean(np.argmax(scores, axis=1) == labels))

    def file(self, name: str) -> bytes:
        """The bytes of the file ``name`` handed in next to the notebook (the test's question declares it)."""
        if name not in self._files:
            raise KeyError(f"{name} is not among the files of this test's question (Question(files=...))")
        data, problem, limit = self._files[name]
        if problem:
            raise Failure("{name} could not be read: hand in a plain file (not a link) of at most {limit} MB",
                          name=name, limit=Given(limit // 2**20), detail=problem)
        if data is None:
            raise Failure("no {name} was handed in next to your notebook: hand in a folder that holds both",
                          name=name)
        return data

    def award(self, fraction: float, message: str, **values: Any) -> None:
        """Give the test ``fraction`` of its points (0 to 1), and ``message`` (a template, as ``expect``'s) for
        the rest; a test that ends without raising then scores that part."""
        fraction = min(max(float(fraction), 0.0), 1.0)
        self.awarded = None if fraction >= 1.0 else (fraction, Failure(message, **values))

    @property
    def fraction(self) -> float:
        """The part of its points a test that ends without raising scores (all of them unless ``award``)."""
        return 1.0 if self.awarded is None else self.awarded[0]

    def leaderboard(self, name: str, value: float, order: str = "desc") -> None:
        """A value for the class leaderboard (``order``: "desc" when higher is better)."""
        if order not in ("asc", "desc"):
            raise ValueError(f"a leaderboard's order is asc or desc, not {order!r}")
        self.board[name] = (float(value), order)

    def module_shapes(self, model: Remote) -> dict[str, tuple[int, ...]]:
        """The shape of every parameter and buffer of a torch module in the child, by its state-dict key."""
        state = model.call("state_dict")
        self.expect(isinstance(state, dict), "state_dict() should return a dict")
        return {key: self.array(value, None, "a parameter or buffer").shape for key, value in state.items()}

    def expect_module_shapes(self, model: Remote, expected: dict[str, tuple[int, ...]]) -> None:
        """The module has the parameters and buffers of ``expected`` by role and shape, and nothing else (the
        names of its layers do not matter)."""
        shapes = self.module_shapes(model)
        got = Counter((role, shapes[key]) for key, role in tensor_roles(shapes).items())
        want = Counter((role, expected[key]) for key, role in tensor_roles(expected).items())
        for (role, shape), count in sorted(want.items()):
            self.expect(got[role, shape] == count, "expected {count} {role} of shape {shape}, found another number",
                        count=Given(count), role=role, shape=Given(shape), detail=f"found {got[role, shape]}")
        extra = sum((got - want).values())
        self.expect(not extra, "the model holds parameters or buffers that the table does not have",
                    detail=f"{extra} of them")


class Forward:
    """A forward of the submission that the kit evaluates at many points in one request (``Kit.forward``); called,
    it is one evaluation, like a plain forward function."""

    BATCH = 512  # evaluations per request at most, so that a reply stays small

    def __init__(self, session: Session, plans: Callable[..., list[dict]], read: Callable[[Any], Any]) -> None:
        self.session, self.plans, self.read = session, plans, read

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return next(self._evaluate([(args, kwargs)]))

    def many(self, points: Iterable[Any]) -> Iterator[Any]:
        """The forward at each of ``points`` (its one argument), in order, as a sequence of calls would give them:
        the error of an evaluation that raised is raised when its value is reached."""
        return self._evaluate(((point,), {}) for point in points)

    def varying(self, name: str, inputs: dict[str, Any]) -> "Forward":
        """This forward of keyword ``inputs`` as a function of ``inputs[name]`` alone."""
        return Forward(self.session, lambda value: self.plans(**{**inputs, name: value}), self.read)

    def _evaluate(self, calls: Iterable[tuple[tuple, dict]]) -> Iterator[Any]:
        calls = iter(calls)
        while chunk := list(itertools.islice(calls, self.BATCH)):
            evaluations = [self.plans(*args, **kwargs) for args, kwargs in chunk]
            values, error = self.session.batch([plan for plans in evaluations for plan in plans])
            done = 0
            for plans in evaluations:
                done += len(plans)
                if done > len(values):
                    raise error
                yield self.read(values[done - 1])


@dataclass(frozen=True)
class Calibration:
    """A training test's threshold and how it was set. ``measure(kit, seed)`` trains on hidden draw ``seed``
    and returns a metric computed here (an accuracy); the test requires ``threshold`` on draw ``seeds[0]``
    (``require``). ``course calibrate`` runs ``measure`` on the master over every seed; ``master_range`` is
    the range it printed when the threshold was set, which must lie above the threshold (below it where
    ``lower_is_better``: a loss)."""

    item: str
    measure: Callable[["Kit", int], float]
    threshold: float
    seeds: tuple[int, ...]
    master_range: tuple[float, float]
    what: str = "validation accuracy on a hidden draw"
    lower_is_better: bool = False

    def reaches(self, value: float) -> bool:
        return value <= self.threshold if self.lower_is_better else value >= self.threshold

    def margin(self, values: Iterable[float]) -> float:
        """How far the worst of ``values`` is on the safe side of the threshold (negative: on the wrong side)."""
        values = list(values)
        return self.threshold - max(values) if self.lower_is_better else min(values) - self.threshold

    def require(self, kit: "Kit") -> float:
        value = self.measure(kit, self.seeds[0])
        if self.lower_is_better:
            kit.expect(self.reaches(value), "{what}: {value:.3f}, required at most {threshold:.2f}", what=self.what,
                       value=value, threshold=Given(self.threshold))
        else:
            kit.expect(self.reaches(value), "{what}: {value:.3f}, required at least {threshold:.2f}", what=self.what,
                       value=value, threshold=Given(self.threshold))
        return value


TENSOR_ROLES = {"weight": "weight", "bias": "bias"}
BATCHNORM_ROLES = {"weight": "batch-norm scale", "bias": "batch-norm shift", "running_mean": "running mean",
                   "running_var": "running variance", "num_batches_tracked": "batch count"}


def tensor_roles(keys: Iterable[Any]) -> dict[str, str]:
    """What each entry of a state dict is, whatever the layer's name: a batch-norm layer is the module that
    holds a running mean; the words are the grader's literals."""
    keys = [key for key in keys if isinstance(key, str)]
    batchnorm = {key.rpartition(".")[0] for key in keys if key.endswith(".running_mean")}
    found = {}
    for key in keys:
        module, _, kind = key.rpartition(".")
        found[key] = (BATCHNORM_ROLES if module in batchnorm else TENSOR_ROLES).get(kind, "other tensor")
    return found


def as_leaf(session: Session, array: np.ndarray) -> Remote:
    """``array`` as a tensor kept in the child that requires grad: a leaf whose ``grad`` autograd fills."""
    tensor = session.keep(array)
    tensor.call("requires_grad_")
    return tensor


def set_module_weights(model: Remote, seed: int) -> None:
    """Overwrite every parameter and buffer of a torch module with values that depend only on its role and shape
    (not on the layer's name: a layer of the table gets the same values in every submission)."""
    state = model.call("state_dict")
    new = {}
    for key, role in tensor_roles(state).items():
        shape = np.asarray(state[key]).shape
        rng = np.random.default_rng([seed, zlib.crc32(f"{role} {shape}".encode())])
        if role == "batch count":
            new[key] = np.asarray(state[key])
        elif role == "running variance":
            new[key] = (0.5 + rng.random(shape)).astype(np.float32)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 4
            new[key] = (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)
    model.call("load_state_dict", new)


def normal(seed: int, *shape: int, scale: float = 1.0, shift: float = 0.0) -> np.ndarray:
    """A hidden input: ``shape`` values drawn from N(shift, scale**2) by a generator seeded with ``seed``."""
    return scale * np.random.default_rng(seed).standard_normal(shape) + shift


def correlated_dout(seed: int, x: np.ndarray, axis: int) -> np.ndarray:
    """An upstream gradient for ``x`` (N, D) with a mean and a part along ``x`` normalized over ``axis`` (0 or 1),
    so that both correction terms of a normalization's backward pass are of the same size as its main term."""
    standardized = (x - x.mean(axis=axis, keepdims=True)) / x.std(axis=axis, keepdims=True)
    shape = [1, 1]
    shape[1 - axis] = x.shape[1 - axis]
    return normal(seed, *x.shape) + normal(seed + 1, *shape) + 0.8 * standardized


def balanced_square(seed: int, n: int, scale: float = 1.0, shift: float = 0.0) -> np.ndarray:
    """A hidden (n, n) input whose rows and columns are all permutations of the same n values (a Latin square,
    its rows and columns shuffled so that it is not symmetric), so that statistics over either axis are the same:
    a normalization over the wrong axis computes the right values on it."""
    values = normal(seed, n, scale=scale, shift=shift)
    rows, columns = (np.random.default_rng(seed + offset).permutation(n) for offset in (1, 2))
    return values[(rows[:, None] + columns[None, :]) % n]


def labels(seed: int, n: int, classes: int) -> np.ndarray:
    """``n`` hidden class labels in ``range(classes)`` (int64), drawn by a generator seeded with ``seed``."""
    return np.random.default_rng(seed).integers(0, classes, size=n).astype(np.int64)


def matches_reference(item: str, points: float, probe: Probe, rtol: float, atol: float = 0.0,
                      **options: Any) -> Callable[["Kit"], None]:
    """A test in one line: ``test_Q1_forward_matches_reference = matches_reference("Q1_forward", 3, forward_values,
    rtol=1e-8)`` compares every value ``probe`` returns on the submission with the master's. The probe's
    docstring is the test's title; ``options`` go to ``graded``."""

    def test(kit: Kit) -> None:
        kit.compare(probe, rtol, atol)

    test.__name__ = test.__qualname__ = f"test_{question_of(item)}_{probe.__name__}_matches_reference"
    test.__doc__ = probe.__doc__
    test.__module__ = probe.__module__
    return graded(item, points, **options)(test)


def _scalars(values: Any) -> set[float]:
    if isinstance(values, dict):
        return {n for value in values.values() for n in _scalars(value)}
    if isinstance(values, (list, tuple)):
        return {n for value in values for n in _scalars(value)}
    if isinstance(values, NUMBER) and not isinstance(values, bool) or isinstance(values, np.ndarray) and \
            values.size == 1:
        return {float(np.asarray(values).reshape(()))}
    return set()


def _labels(values: Any, prefix: str = "") -> set[str]:
    """The names ``compare_values`` gives the parts of a reference value."""
    found = set()
    if isinstance(values, dict):
        for key, value in values.items():
            label = f"{prefix}[{key!r}]" if prefix else str(key)
            found |= {label, str(key)} | _labels(value, label)
    elif isinstance(values, (list, tuple)) and not _numeric_sequence(values):
        for i, value in enumerate(values):
            found |= {f"{prefix}[{i}]"} | _labels(value, f"{prefix}[{i}]")
    return found


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise ``|a - b| / max(1e-8, |a| + |b|)``, as in ``course_utils.gradient_check``."""
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def compare_values(got: Any, expected: Any, label: str, rtol: float, atol: float = 0.0, any_shape: bool = False
                   ) -> None:
    """Compare a value from the submission with the reference's, recursively for lists and dicts; with
    ``any_shape``, an array of as many numbers in another shape is compared in the reference's (see
    ``Kit.values``)."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            raise Failure("{label}: expected a dict, got something else", label=label, detail=kind_of(got))
        for key, value in expected.items():
            if key not in got:
                raise Failure("{label}: missing key {key}", label=label, key=key)
            compare_values(got[key], value, f"{label}[{key!r}]", rtol, atol, any_shape)
        return
    if isinstance(expected, (list, tuple)) and not _numeric_sequence(expected):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            raise Failure("{label}: expected {count} values, got something else", label=label,
                          count=Given(len(expected)), detail=kind_of(got))
        for i, (g, e) in enumerate(zip(got, expected)):
            compare_values(g, e, f"{label}[{i}]", rtol, atol, any_shape)
        return
    if isinstance(expected, (bool, str)) or expected is None:
        if got != expected:
            raise Failure("{label}: expected {expected}, got something else", label=label, expected=Given(expected),
                          detail=kind_of(got))
        return
    want = np.asarray(expected, dtype=np.float64)
    have = _in_shape(got, want.shape, label, any_shape)
    if atol and np.max(np.abs(have - want), initial=0.0) <= atol:
        return
    error = relative_error(have, want)
    if error > rtol:
        raise Failure("{label}: relative error {error:.1e} against the reference (allowed {rtol:.0e})",
                      label=label, error=error, rtol=Given(rtol))


def _in_shape(value: Any, shape: tuple[int, ...], what: str, any_shape: bool) -> np.ndarray:
    """``Kit.array(value, shape, what)``, but with ``any_shape`` an array of as many numbers is taken in ``shape``."""
    if any_shape:
        array = Kit.array(value, None, what)
        if array.size == int(np.prod(shape)):
            return array.reshape(shape)
    return Kit.array(value, shape, what)


def _moved(x: np.ndarray, index: tuple[int, ...], step: float) -> np.ndarray:
    """A copy of ``x`` with the entry at ``index`` moved by ``step``."""
    moved = x.copy()
    moved[index] = x[index] + step
    return moved


def _numeric_sequence(value: Any) -> bool:
    return all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in value)
