"""The check kit: value validation, comparisons, finite differences, and how failure messages are shown."""
import numpy as np
import pytest

from autograder.kit import Calibration, Failure, Given, Kit, balanced_square, compare_values, matches_reference
from autograder.messages import UNSHOWN, WITHHELD, Vocabulary, coarse, vocabulary


class FakeSession:
    """Stands in for a sandbox session where a test only needs ``kit.reference``."""


def make_kit(reference=None):
    return Kit(lambda: FakeSession(), reference or (lambda probe: {}))


@pytest.mark.parametrize("value, message", [
    (None, "got something else [None]"),
    ("text", "got something else [a str]"),
    (np.full((3, 2), np.nan), "NaN or infinity"),
    (np.full((3, 2), -np.inf), "NaN or infinity"),
    (np.zeros((2, 3)), "expected shape (3, 2), got another shape [shape (2, 3)]"),
    (np.array(["a"]), "expected an array of numbers"),
    (True, "got something else [a bool]"),
])
def test_array_rejects_what_a_submission_should_not_return(value, message):
    with pytest.raises(Failure, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]")):
        Kit.array(value, (3, 2), "forward")


def test_array_accepts_numbers_and_returns_float64():
    assert Kit.array(np.arange(6, dtype=np.int32).reshape(3, 2), (3, 2)).dtype == np.float64
    assert Kit.number(np.array([[2.5]])) == 2.5
    with pytest.raises(Failure, match="single number"):
        Kit.number(np.ones(3), "loss")
    assert Kit.array([1.5, 2, np.float32(3)], (3,)).tolist() == [1.5, 2.0, 3.0]
    with pytest.raises(Failure, match=r"got something else \[a list\]"):
        Kit.array([1.0, "x"], (2,))


def test_compare_values_reports_relative_error_without_the_inputs():
    with pytest.raises(Failure, match=r"dz: relative error 3\.3e-01"):
        compare_values(np.array([1.0, 2.0]), np.array([1.0, 1.0]), "dz", rtol=1e-8)
    compare_values(np.array([1.0, 1.0 + 1e-12]), np.array([1.0, 1.0]), "dz", rtol=1e-8)
    compare_values({"a": [np.ones(2), 3.0]}, {"a": [np.ones(2), 3.0]}, "nested", rtol=1e-12)
    with pytest.raises(Failure, match="missing key"):
        compare_values({}, {"a": 1.0}, "history", rtol=1e-8)


def test_where_a_shape_test_prices_shapes_values_are_compared_in_any_shape_of_the_same_size():
    keepdims = np.arange(4.0).reshape(1, 4)
    with pytest.raises(Failure, match=r"expected shape \(4,\)"):
        compare_values(keepdims, np.arange(4.0), "dgamma", rtol=1e-12)
    compare_values({"dgamma": keepdims}, {"dgamma": np.arange(4.0)}, "grads", rtol=1e-12, any_shape=True)
    with pytest.raises(Failure, match="relative error"):  # the values themselves still count
        compare_values(keepdims[:, ::-1], np.arange(4.0), "dgamma", rtol=1e-12, any_shape=True)
    with pytest.raises(Failure, match="expected shape"):  # another number of values is no shape slip
        compare_values(np.arange(5.0), np.arange(4.0), "dgamma", rtol=1e-12, any_shape=True)
    strict, lenient = make_kit(), Kit(lambda: FakeSession(), lambda probe: {}, shapes_priced=True)
    assert lenient.values(keepdims, (4,)).shape == (4,)
    with pytest.raises(Failure, match="expected shape"):
        strict.values(keepdims, (4,))
    x, dout = np.linspace(-1, 1, 6).reshape(2, 3), np.ones((2, 3))
    lenient.gradient_check(np.tanh, x, dout, (1 - np.tanh(x) ** 2).reshape(1, 6), "dz")
    with pytest.raises(Failure, match="expected shape"):
        strict.gradient_check(np.tanh, x, dout, (1 - np.tanh(x) ** 2).reshape(1, 6), "dz")


def test_a_shape_test_wants_each_shape_and_values_computed_from_the_input():
    kit = make_kit()
    right = lambda dout: {"dx": 2 * dout, "dgamma": dout.sum(axis=0)}  # noqa: E731
    inputs = (np.ones((3, 2)), np.arange(6.0).reshape(3, 2))
    kit.require_shapes(right, inputs, {"dx": (3, 2), "dgamma": (2,)})
    keepdims = lambda dout: {"dx": 2 * dout, "dgamma": dout.sum(axis=0, keepdims=True)}  # noqa: E731
    with pytest.raises(Failure, match=r"dgamma: expected shape \(2,\)"):
        kit.require_shapes(keepdims, inputs, {"dx": (3, 2), "dgamma": (2,)})
    zeros = lambda dout: {"dx": 2 * dout, "dgamma": np.zeros(2)}  # noqa: E731
    with pytest.raises(Failure, match="dgamma stays the same for another input"):
        kit.require_shapes(zeros, inputs, {"dx": (3, 2), "dgamma": (2,)})
    with pytest.raises(Failure, match="dbeta: no value"):
        kit.require_shapes(right, inputs, {"dbeta": (2,)})


def test_gradient_check_catches_a_wrong_gradient_and_passes_a_right_one():
    kit = make_kit()
    x = np.random.default_rng(0).standard_normal((3, 4))
    dout = np.random.default_rng(1).standard_normal((3, 4))
    kit.gradient_check(np.tanh, x, dout, dout * (1 - np.tanh(x) ** 2), "tanh dz")
    with pytest.raises(Failure, match="disagrees with finite differences"):
        kit.gradient_check(np.tanh, x, dout, dout * (1 - x ** 2), "tanh dz")


def test_gradients_checks_every_input_of_a_layer_and_names_the_wrong_one():
    kit = make_kit()
    rng = np.random.default_rng(2)
    inputs = {"x": rng.standard_normal((3, 2)), "w": rng.standard_normal((2, 4)), "b": rng.standard_normal(4)}
    dout = rng.standard_normal((3, 4))
    right = {"x": dout @ inputs["w"].T, "w": inputs["x"].T @ dout, "b": dout.sum(axis=0)}
    kit.gradients(lambda x, w, b: x @ w + b, inputs, dout, right)
    with pytest.raises(Failure, match="the gradient b disagrees") as failed:
        kit.gradients(lambda x, w, b: x @ w + b, inputs, dout, {**right, "b": dout.mean(axis=0)})
    assert failed.value.values["what"] == "b"
    loss = {"x": np.array([1.0, -2.0])}
    kit.gradients(lambda x: float(np.sum(x ** 2)), loss, np.ones(()), {"x": 2 * loss["x"]})


def test_matches_reference_is_a_whole_test_in_one_line():
    def forward_values(session):
        """forward matches the reference."""
        return {"out": np.ones(2)}

    test = matches_reference("Q1_forward", 3, forward_values, rtol=1e-8)
    assert test.__name__ == "test_Q1_forward_values_matches_reference" and test.__doc__ == forward_values.__doc__
    (mark,) = test.pytestmark
    assert mark.kwargs["item"] == "Q1_forward" and mark.kwargs["points"] == 3.0
    test(make_kit(lambda probe: {"out": np.ones(2)}))
    with pytest.raises(Failure, match="relative error"):
        test(make_kit(lambda probe: {"out": np.zeros(2)}))


def test_a_backward_is_judged_on_wide_inputs_only_where_its_forward_is_wrong_on_every_forward_probe():
    """``own_gradients_or`` and ``compare_backward``: the backward's own finite differences and the tight comparison
    decide unless the forward disagrees with the reference on all its probes (its graded one and the backward
    test's input); then the wide comparison does."""
    reference = {"graded": np.ones(2), "here": np.ones(3), "tight": np.full(2, 2.0), "wide": np.full(2, 3.0),
                 "balanced": np.full(2, 4.0)}

    def probe(name):
        def values(session):
            return {name: session.values[name]}
        values.__name__ = name
        return values

    graded, here, tight, wide, balanced = (probe(name) for name in reference)

    def kit_for(**wrong):
        session = FakeSession()
        session.values = {name: np.zeros_like(value) if wrong.get(name) else value
                          for name, value in reference.items()}
        return Kit(lambda: session, lambda p: {p.__name__: reference[p.__name__]})

    def misses():
        raise Failure("the gradient dx disagrees with finite differences")

    forwards, judged = (graded, here), [(wide, 1e-6, 0.0)]
    kit_for().own_gradients_or(lambda: None, forwards, judged)
    with pytest.raises(Failure, match="finite differences"):
        kit_for().own_gradients_or(misses, forwards, judged)
    with pytest.raises(Failure, match="finite differences"):  # wrong only where the backward is checked
        kit_for(here=True).own_gradients_or(misses, forwards, judged)
    kit_for(graded=True, here=True).own_gradients_or(misses, forwards, judged)
    with pytest.raises(Failure, match="relative error"):
        kit_for(graded=True, here=True, wide=True).own_gradients_or(misses, forwards, judged)

    kit_for(wide=True).compare_backward((tight, 1e-6, 0.0), forwards, (wide, 1e-6, 0.0))
    with pytest.raises(Failure, match="relative error"):
        kit_for(tight=True, here=True).compare_backward((tight, 1e-6, 0.0), forwards, (wide, 1e-6, 0.0))
    kit_for(tight=True, graded=True, here=True).compare_backward((tight, 1e-6, 0.0), forwards, (wide, 1e-6, 0.0))

    # a forward over the wrong axis spoils the wide inputs too: balanced ones judge the backward then
    spoiled = {"graded": True, "here": True, "tight": True, "wide": True}
    kit_for(**spoiled).own_gradients_or(misses, forwards, judged, [(balanced, 1e-6, 0.0)])
    kit_for(**spoiled).compare_backward((tight, 1e-6, 0.0), forwards, (wide, 1e-6, 0.0), [(balanced, 1e-6, 0.0)])
    with pytest.raises(Failure, match="wide: relative error"):  # wrong on both: the wide comparison's message
        kit_for(**spoiled, balanced=True).compare_backward((tight, 1e-6, 0.0), forwards, (wide, 1e-6, 0.0),
                                                           [(balanced, 1e-6, 0.0)])
    with pytest.raises(Failure, match="tight: relative error"):  # a right forward never reaches them
        kit_for(tight=True, wide=True).compare_backward((tight, 1e-6, 0.0), forwards, (wide, 1e-6, 0.0),
                                                        [(balanced, 1e-6, 0.0)])


def test_a_balanced_square_has_the_same_statistics_over_either_axis():
    x = balanced_square(7, 9, scale=3.0, shift=1.0)
    rows, columns = np.sort(x, axis=1), np.sort(x, axis=0).T
    assert np.array_equal(rows, np.broadcast_to(rows[0], rows.shape)) and np.array_equal(rows, columns)
    assert np.allclose(x.mean(axis=0), x.mean(axis=1)) and np.allclose(x.var(axis=0), x.var(axis=1))
    assert not np.allclose(x, x.T) and len(np.unique(x)) == 9


def test_a_calibration_requires_its_threshold_on_its_first_seed():
    seen = []

    def measure(kit, seed):
        seen.append(seed)
        return 0.8

    Calibration("Q5_training", measure, 0.75, (4, 1, 2), (0.9, 1.0)).require(make_kit())
    with pytest.raises(Failure, match="required at least 0.85"):
        Calibration("Q5_training", measure, 0.85, (4, 1, 2), (0.9, 1.0)).require(make_kit())
    assert seen == [4, 4]


def test_accuracy_is_computed_here_from_the_scores():
    kit = make_kit()
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0], [0.0, 5.0]])
    assert kit.accuracy(logits, np.array([0, 1, 0, 1]), "val") == 1.0
    assert kit.accuracy(logits, np.array([1, 1, 1, 1]), "val") == 0.5
    with pytest.raises(Failure, match="expected scores of shape"):
        kit.accuracy(logits[0], np.array([0, 1]), "val")
    with pytest.raises(Failure, match="expected scores of shape"):  # no class to choose: not a grader problem
        kit.accuracy(np.zeros((4, 0)), np.array([0, 1, 0, 1]), "val")


class FakeModel:
    """A model whose ``forward`` the kit calls as it would call a child's: the scores of each batch it is given."""

    def __init__(self, forward):
        self.forward, self.batches = forward, []

    def call(self, method, inputs):
        self.batches.append(len(inputs))
        return getattr(self, method)(inputs)


def test_scores_come_a_batch_at_a_time_and_odd_batches_are_the_students_failure():
    kit, inputs = make_kit(), np.arange(12.0).reshape(6, 2)
    model = FakeModel(lambda x: x @ np.array([[1.0, -1.0], [2.0, 0.5]]))
    np.testing.assert_array_equal(kit.scores(model, inputs, "val", batch=4), model.forward(inputs))
    assert model.batches == [4, 2]
    ragged = FakeModel(lambda x: np.zeros((len(x), 2 if len(x) == 4 else 3)))
    with pytest.raises(Failure, match="batches of inputs gave scores of different shapes"):
        kit.scores(ragged, inputs, "val", batch=4)
    with pytest.raises(Failure, match="expected an array"):
        kit.scores(FakeModel(lambda x: "scores"), inputs, "val")


GRADER = Vocabulary(frozenset({"{what}: accuracy {accuracy:.3f}, required at least {threshold:.2f}",
                               "validation accuracy", "{name} has {count} layers", "{label}: error {error:.1e}"}),
                    frozenset({0.85, 3.0}))


def test_str_shows_every_field_for_the_graders_author():
    failure = Failure("{what}: accuracy {accuracy:.3f}, required at least {threshold:.2f}", what="anything",
                      accuracy=0.7234, threshold=Given(0.85))
    assert str(failure) == "anything: accuracy 0.723, required at least 0.85"
    assert "\x1b" not in str(Failure("{x}", x="\x1b[2J[PASS] forged"))


def test_a_student_sees_only_the_graders_words_and_coarse_numbers():
    failure = Failure("{what}: accuracy {accuracy:.3f}, required at least {threshold:.2f}",
                      what="validation accuracy", accuracy=0.7234, threshold=Given(0.85))
    assert failure.render(GRADER) == "validation accuracy: accuracy about 0.7, required at least 0.85"
    leaky = Failure("{name} has {count} layers", name="def forward(self, z): return secret", count=123456)
    assert leaky.render(GRADER) == f"{WITHHELD} has {WITHHELD} layers"  # a count of the child's: never shown
    assert Failure("{name} has {count} layers", name=("a", "b"), count=Given(3)).render(GRADER) == \
        f"{WITHHELD} has 3 layers"
    # a number the grader knows is shown exactly only where the grader chose it: the child cannot pick among them
    assert Failure("{name} has {count} layers", name="x", count=3).render(GRADER) == f"{WITHHELD} has {WITHHELD} layers"
    assert Failure("{name} has {count} layers", name="x", count=Given(7)).render(GRADER) == \
        f"{WITHHELD} has between 1 and 10 layers"


def test_a_message_that_is_not_a_literal_template_is_not_shown():
    secret = "def forward(self, z): return secret"
    assert Failure(f"rates {secret}").render(GRADER) == UNSHOWN
    assert secret in str(Failure(f"rates {secret}"))


def test_coarse_numbers_carry_a_few_bits_whatever_the_child_chooses():
    draws = np.random.default_rng(0).standard_normal(20_000) * 10.0 ** np.random.default_rng(1).integers(
        -300, 300, 20_000)
    errors = {coarse(abs(x), ".1e") for x in draws}
    others = {coarse(x, ".3f") for x in draws} | {coarse(x, "") for x in draws}
    assert len(errors) <= 20 and len(others) <= 100
    assert coarse(3.2e-9, ".1e") == "about 1e-09" and coarse(0.7234, ".3f") == "about 0.7"
    assert coarse(37, "") == "between 10 and 100" and coarse(1e300, "") == "more than 10000"
    assert coarse(float("nan"), "") == "not finite"


def test_shapes_show_what_the_grader_chose_and_withhold_the_rest():
    known = Vocabulary(frozenset({"{what}: expected shape {shape}, got {got}", "logits"}), frozenset({3.0, 2.0}))
    failure = Failure("{what}: expected shape {shape}, got {got}", what="logits", shape=Given((3, 2)),
                      got=(104, 101))
    assert failure.render(known) == f"logits: expected shape (3, 2), got {WITHHELD}"


def test_reference_names_and_scalars_become_showable_once_the_kit_has_seen_them():
    kit = make_kit(lambda probe: {"running_mean after 3 batches": np.zeros(2), "nested": {"dz": np.ones(1)},
                                  "COMPARE_EPOCHS": 400})
    kit.reference(lambda s: {})
    known = vocabulary(__name__).with_reference(kit.labels, kit.numbers)
    with pytest.raises(Failure) as failed:
        compare_values(np.array([1.0, 2.0]), np.array([1.0, 1.0]), "running_mean after 3 batches", rtol=1e-8)
    assert failed.value.render(known) == ("running_mean after 3 batches: relative error about 1e-01 against the "
                                          "reference (allowed 1e-08)")
    assert "nested['dz']" in kit.labels and 400.0 in kit.numbers


def test_an_array_too_large_to_convert_is_refused_before_it_is():
    with pytest.raises(Failure, match="more than 8000000 values"):
        Kit.array(np.zeros(9_000_000, dtype=bool), None, "scores")


def test_the_vocabulary_holds_the_literals_of_the_grader_and_the_kit():
    words = vocabulary("autograder.graders.spiral_from_scratch")
    assert "the eval-mode logits" in words.strings and 0.85 in words.numbers
    assert "{label}: relative error {error:.1e} against the reference (allowed {rtol:.0e})" in words.strings
