"""core/model/explain.py on a real MNIST run: every value of a step opens into terms that add up to it.

For random steps of real runs under each of the three gradient rules, and for a step on a drawn
digit (core/model/drawing.py), each kind of value is explained at many indices, and the test checks that
the value shown is exactly the one the step record holds, that its terms (the listed ones plus the
summed tail) give it within float rounding, that the terms come largest first, that every
dependency is itself explainable, and that the errata's numbers at dZ2 are the other rules' values.
"""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.model import network
from core.model.drawing import prepare_drawing
from core.model.explain import KINDS, BadName, explain, parse
from core.model.explanation import Moment, name_of
from core.training.settings import Settings
from core.training.trainer import Trainer

HIDDEN = 10


def record_value(kind: str, record, indices: tuple) -> float:
    """The value as the step record holds it, read straight from the record (not through core/explain)."""
    units = {"unit", "pixel"}
    where = tuple(index - 1 if what in units else index for index, what in zip(indices, KINDS[kind][0]))
    fwd, gradients = record.forward, record.gradients
    arrays = {"x": record.x, "Z1": fwd.Z1, "A1": fwd.A1, "Z2": fwd.Z2, "A2": fwd.A2,
              "dZ2": gradients.db2, "db2": gradients.db2, "dW2": gradients.dW2, "dZ1": gradients.db1,
              "db1": gradients.db1, "dW1": gradients.dW1, "DeltaW1": -record.learning_rate * gradients.dW1,
              "Deltab1": -record.learning_rate * gradients.db1, "DeltaW2": -record.learning_rate * gradients.dW2,
              "Deltab2": -record.learning_rate * gradients.db2}
    if kind == "loss":
        return record.loss_before
    if kind == "cross_entropy":
        return record.cross_entropy_before
    return float(arrays[kind][where])


def names_to_check(record, rng) -> list[str]:
    """Every unit and digit of each kind, and pixels both inked and blank (the inked ones where dW1 is not 0)."""
    inked = np.flatnonzero(record.x > 0) + 1
    blank = np.flatnonzero(record.x == 0) + 1
    pixels = list(rng.choice(inked, 6, replace=False)) + list(rng.choice(blank, 2, replace=False))
    names = ["loss", "cross_entropy"]
    for kind, (wanted, _gradients) in KINDS.items():
        if wanted == ("unit",):
            names += [name_of(kind, k) for k in range(1, HIDDEN + 1)]
        elif wanted == ("digit",):
            names += [name_of(kind, j) for j in range(10)]
        elif wanted == ("pixel",):
            names += [name_of(kind, i) for i in pixels]
        elif wanted == ("pixel", "unit"):
            names += [name_of(kind, i, k) for i in pixels[:4] for k in range(1, HIDDEN + 1)]
        elif wanted == ("unit", "digit"):
            names += [name_of(kind, k, j) for k in range(1, HIDDEN + 1) for j in rng.choice(10, 3, replace=False)]
    return names


def check_step(record, rng) -> int:
    """Explain every value in names_to_check at this step; returns how many were checked."""
    moment = Moment.of_step(record)
    # The parameters kept with the record are those its forward pass used: the same values, bit for bit.
    for ours, theirs in zip(network.forward(record.params_before, record.x), record.forward):
        np.testing.assert_array_equal(ours, theirs)
    names = names_to_check(record, rng)
    for name in names:
        kind, indices = parse(name, HIDDEN)
        explanation = explain(name, moment)
        assert explanation.name == name and explanation.kind == kind
        assert explanation.value == record_value(kind, record, indices), name
        magnitude = sum(abs(term.value) for term in explanation.terms) + abs(explanation.value)
        if explanation.tail is not None:
            magnitude += abs(explanation.tail.value)
        assert abs(explanation.outcome() - explanation.value) <= 1e-12 * max(magnitude, 1.0), name
        sizes = [abs(term.value) for term in explanation.terms if term.opens is not None]
        assert sizes == sorted(sizes, reverse=True), name
        if explanation.tail is not None:
            assert max(sizes) >= np.abs(explanation.tail.value / explanation.tail.count) - 1e-15, name
        for dependency in explanation.dependencies:
            parse(dependency, HIDDEN)  # each one level down is a value that explains too
    return len(names)


@pytest.fixture(scope="module")
def runs(mnist):
    """One real run per gradient rule on the whole training set, each opened at three random steps."""
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    rng = np.random.default_rng(27)
    steps = {}
    for rule in network.GRADIENT_RULES:
        trainer = Trainer(Settings(rule=rule), *data)
        records = []
        for target in sorted(rng.choice(np.arange(1, 4000), 3, replace=False)):
            trainer.train(int(target) - 1 - trainer.step_count)
            records.append(trainer.step())
        steps[rule] = (trainer, records)
    return steps


@pytest.mark.parametrize("rule", list(network.GRADIENT_RULES))
def test_every_value_is_the_sum_of_its_terms_at_random_steps(runs, rule):
    _trainer, records = runs[rule]
    rng = np.random.default_rng(list(network.GRADIENT_RULES).index(rule))
    assert sum(check_step(record, rng) for record in records) > 3 * 200
    assert {record.rule for record in records} == {rule}


def drawn_seven() -> np.ndarray:
    """A 7 drawn with two strokes on a transparent 280x280 canvas, as the Draw screen's canvas sends it."""
    canvas = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    pen = ImageDraw.Draw(canvas)
    pen.line([(70, 60), (210, 60), (120, 230)], fill=(0, 0, 0, 255), width=22, joint="curve")
    return np.asarray(canvas)


def test_a_step_on_a_drawn_digit_explains_down_to_its_pixels(runs):
    trainer, _records = runs["mse"]
    drawing = prepare_drawing(drawn_seven())
    record = trainer.step_on(drawing.centred, 7)
    np.testing.assert_array_equal(record.x, drawing.x)
    assert check_step(record, np.random.default_rng(7)) > 200
    # Z1_k's pixel map is x ⊙ W1[:, k] of the drawing, and its listed pixels are all inked.
    z1 = explain("Z1_4", Moment.of_step(record))
    np.testing.assert_array_equal(z1.pixel_map, (drawing.x * record.params_before.W1[:, 3]).reshape(28, 28))
    assert all(term.factors[1].value > 0 for term in z1.terms if term.opens is not None)
    assert z1.tail.zeros == int((drawing.x == 0).sum())


def test_z1_lists_the_pixels_that_contribute_most_and_sums_the_rest(runs):
    _trainer, records = runs["document"]
    record = records[-1]
    explanation = explain("Z1_2", Moment.of_step(record))
    products = record.params_before.W1[:, 1] * record.x
    listed = [term for term in explanation.terms if term.opens is not None]
    assert len(listed) == 8 and explanation.tail.count == 784 - 8
    assert {term.opens for term in listed} == {f"x_{i + 1}" for i in np.argsort(-np.abs(products))[:8]}
    assert explanation.terms[-1].factors[0].symbol == "b1"  # the bias last, whatever its size
    pixel = explain(listed[0].opens, Moment.of_step(record))
    assert pixel.value == pytest.approx(pixel.terms[0].value / 255) and 0 < pixel.value <= 1


def test_dZ2_carries_the_errata_at_that_number(runs):
    for rule, (_trainer, records) in runs.items():
        record = records[0]
        moment = Moment.of_step(record)
        y = network.one_hot(record.label)
        for j in range(10):
            explanation = explain(f"dZ2_{j}", moment)
            assert explanation.equation == f"dZ2.{rule}"
            notes = {note.code: note for note in explanation.notes}
            comparison = next(note for note in explanation.notes if note.code != "relu_at_output"
                              and note.code != "missing_jacobian")
            assert comparison.number("mse") == network.dZ2_mse(record.forward.A2, y)[j]
            assert comparison.number("cross-entropy") == pytest.approx(comparison.number("document") / 2)
            relu = notes["relu_at_output"]
            assert relu.number("indicator") == float(record.forward.Z2[j] > 0)
            assert relu.number("with_indicator") == explanation.value * relu.number("indicator")
            assert ("missing_jacobian" in notes) == (rule == "document")


def test_a_forward_pass_alone_explains_forward_values_and_refuses_gradients(runs, mnist):
    trainer, _records = runs["document"]
    x = network.pixels(mnist.test_images[0])
    moment = Moment.of_image(trainer.params, x, int(mnist.test_labels[0]))
    values = network.forward(trainer.params, x)
    for k in range(1, HIDDEN + 1):
        assert explain(f"Z1_{k}", moment).value == values.Z1[k - 1]
    assert explain("A2_7", moment).value == values.A2[7]
    assert explain("loss", moment).value == network.mse_loss(values.A2, 7)
    with pytest.raises(BadName) as refused:
        explain("dZ2_7", moment)
    assert refused.value.code == "no_step"


@pytest.mark.parametrize("name, code", [
    ("", "malformed"), ("Z1", "malformed"), ("Z1_3_4", "malformed"), ("z1_3", "malformed"),
    ("Z1_0", "out_of_range"), ("Z1_11", "out_of_range"), ("Z2_10", "out_of_range"), ("x_785", "out_of_range"),
    ("dW1_0_1", "out_of_range"), ("Z1_3; DROP TABLE runs", "malformed"), ("<script>alert(1)</script>", "malformed"),
    ("A2_" + "9" * 5000, "malformed"), ("Z1_３", "malformed"), ("__class__", "malformed"), ("Z1_-1", "malformed"),
])
def test_a_hostile_or_malformed_name_is_refused_with_a_code(runs, name, code):
    _trainer, records = runs["document"]
    with pytest.raises(BadName) as refused:
        explain(name, Moment.of_step(records[0]))
    assert refused.value.code == code
