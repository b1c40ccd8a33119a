"""The Lab's predictions on real runs of real MNIST: every question's answer is what the step did.

Each answer is checked against the test's own numpy (the document's equations written out again,
the softmax Jacobian as a matrix), for random steps of runs with each gradient rule, at a past step
opened through the timeline (time travel), and after a step on a drawing.
"""

import numpy as np
import pytest

from core.classwork import predictions
from core.model.drawing import prepare_drawing
from core.record.events import StepOnImage, TrainSamples
from core.classwork.predictions import QUESTIONS, ask, is_right, truth
from core.training.settings import Settings
from core.record.timeline import Keyframe, Timeline
from core.training.trainer import Trainer

RULES = ("document", "mse", "cross-entropy")
STEP_KINDS = [kind for kind, (_ask, _truth, action) in QUESTIONS.items() if action == predictions.STEP]
DRAW_KINDS = [kind for kind, (_ask, _truth, action) in QUESTIONS.items() if action == predictions.DRAW]


@pytest.fixture(scope="module")
def data(mnist):
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


def reference_step(params, x, label, rule, alpha):
    """The step written out again: forward, dZ2 by the rule (Jacobian as a matrix), dZ1, the update, A2 after."""
    W1, b1, W2, b2 = (array.copy() for array in params.as_tuple())

    def run(W1, b1, W2, b2):
        Z1 = W1.T @ x + b1
        A1 = np.where(Z1 > 0, Z1, 0.0)
        Z2 = W2.T @ A1 + b2
        e = np.exp(Z2 - Z2.max())
        return Z1, A1, Z2, e / e.sum()

    Z1, A1, Z2, A2 = run(W1, b1, W2, b2)
    y = np.eye(10)[label]
    jacobian = np.diag(A2) - np.outer(A2, A2)
    dZ2 = {"document": 2 * (A2 - y), "mse": jacobian @ (2 * (A2 - y)), "cross-entropy": A2 - y}[rule]
    dZ1 = (W2 @ dZ2) * (Z1 > 0)
    after = run(W1 - alpha * np.outer(x, dZ1), b1 - alpha * dZ1, W2 - alpha * np.outer(A1, dZ2), b2 - alpha * dZ2)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "y": y, "dZ2": dZ2, "dZ1": dZ1, "A2_after": after[3],
            "x": x, "alpha": alpha}


def expected(question, ref, settings):
    """The right answer to `question`, from the reference step alone."""
    A2, y, label, k = ref["A2"], ref["y"], question.label, question.subject
    loss = lambda a: float(((a - y) ** 2).sum())  # noqa: E731 (the document's L, once more)
    answers = {
        "relu": lambda: ref["A1"][k],
        "prediction": lambda: str(int(ref["Z2"].argmax())),
        "loss": lambda: loss(A2),
        "largest_term": lambda: str(int(((A2 - y) ** 2).argmax())),
        "dz2_sign": lambda: "positive" if ref["dZ2"][label] > 0 else "negative",
        "dz2_value": lambda: ref["dZ2"][k],
        "true_direction": lambda: "up" if ref["A2_after"][label] > A2[label] else "down",
        "quiet_unit": lambda: "some" if ref["dZ1"][k] != 0 and ref["x"].any() else "none",
        "largest_change": lambda: str(int(np.abs(ref["dZ1"]).argmax())),
        # erratum 1: the document's rule is the gradient of 2 × cross-entropy, not of the MSE it names
        "check_mse": lambda: "matches" if settings.rule == "mse" else "differs",
        "which_loss": lambda: {"document": "twice_cross_entropy", "mse": "mse", "cross-entropy": "cross_entropy"}[settings.rule],
        "later_rate": lambda: settings.learning_rate * settings.decay_factor ** ((question.shown["epoch"] - 1) // settings.decay_period),
        "loss_after": lambda: "down" if loss(ref["A2_after"]) <= loss(A2) else "up",
        "drawing_read": lambda: str(int(A2.argmax())),
        "drawing_learned": lambda: "yes" if int(ref["A2_after"].argmax()) == label else "no",
    }
    return answers[question.kind]()


def assert_answer(question, found, ref, settings):
    want = expected(question, ref, settings)
    if question.choices:
        assert found.answer == want and found.answer in question.choices, question.kind
        assert is_right(question, found, want) and not is_right(question, found, next(
            choice for choice in question.choices if choice != want))
    else:
        assert found.answer == pytest.approx(want, rel=1e-9, abs=1e-12), question.kind
        assert is_right(question, found, f"{want:.6f}") and not is_right(question, found, want + 2 * question.tolerance + 0.1)


def step_and_check(trainer, kind, image=None, label=None):
    """Ask `kind`, take the step the question is about, check the answer against the reference; the truth."""
    question = ask(kind, trainer, image, label)
    assert (kind in predictions.NUMBERS) == (not question.choices)
    assert question.position == trainer.sgd_steps and question.rule == trainer.settings.rule
    before = trainer.params.copy()
    x = (image.reshape(-1) / 255.0) if image is not None else trainer.data[0][trainer.index].reshape(-1) / 255.0
    ref = reference_step(before, x, question.label, trainer.settings.rule, trainer.learning_rate)
    record = trainer.step() if image is None else trainer.step_on(image, label)
    found = truth(question, record, trainer)
    assert_answer(question, found, ref, trainer.settings)
    return question, found


@pytest.mark.parametrize("rule", RULES)
def test_every_step_question_is_answered_by_the_step_at_random_steps_of_real_runs(data, rule):
    rng = np.random.default_rng(sorted(RULES).index(rule))
    trainer = Trainer(Settings(rule=rule, decay_period=1), *data)
    for position in sorted(rng.choice(6_000, size=3, replace=False).tolist()):
        trainer.train(max(0, position - trainer.step_count))
        for kind in STEP_KINDS:
            step_and_check(trainer, kind)


def test_questions_name_the_numbers_of_the_step_they_ask_about(data):
    trainer = Trainer(Settings(), *data)
    trainer.train(321)
    question = ask("relu", trainer)
    record = trainer.step()
    assert question.shown["Z1"] == record.forward.Z1[question.subject]
    question = ask("dz2_value", trainer)
    record = trainer.step()
    assert question.shown["A2"] == tuple(record.forward.A2) and question.subject != record.label
    assert question.subject == int(np.argsort(record.forward.A2)[-1 if record.prediction != record.label else -2])


def test_a_wrong_prediction_gets_the_reason_with_the_steps_numbers(data):
    trainer = Trainer(Settings(), *data)
    question, found = step_and_check(trainer, "true_direction")
    record = trainer.last_record
    assert found.reason in ("up_negative", "down_negative", "up_positive", "down_positive")
    assert found.numbers["dZ2"] == record.gradients.db2[record.label] < 0  # the document's 2(A2_y − 1)
    assert found.numbers["dZ2"] == pytest.approx(2 * (found.numbers["before"] - 1))
    assert found.numbers["after"] == pytest.approx(np.exp(-record.cross_entropy_after))


def test_many_steps_the_accuracy_question_reads_the_test_set_after_a_thousand_samples(data, mnist):
    trainer = Trainer(Settings(), *data)
    trainer.train(500)
    question = ask("accuracy", trainer)
    trainer.train(predictions.TRAIN_SAMPLES)
    found = truth(question, trainer.last_record, trainer)
    X = mnist.test_images.reshape(-1, 784) / 255.0
    Z1 = X @ trainer.params.W1 + trainer.params.b1
    right = (np.maximum(Z1, 0) @ trainer.params.W2 + trainer.params.b2).argmax(axis=1) == mnist.test_labels
    assert found.numbers["after"] == pytest.approx(right.mean(), abs=2e-4)  # the screens' float32 test pass
    assert found.answer == ("up" if found.numbers["after"] > question.shown["accuracy"] else "down")
    assert found.answer == "up"  # 500 → 1,500 samples of the document's run: it learns


def test_at_a_past_step_the_answers_are_those_the_run_gave_then(data, mnist):
    """Time travel: a question asked at a viewed past step is answered by the step the run took there."""
    trainer = Trainer(Settings(rule="mse"), *data)
    timeline = Timeline(Keyframe.of(trainer, 0, 0), data=data)
    drawing = StepOnImage.of(mnist.test_images[3], 0)
    for event in (TrainSamples(700), drawing, TrainSamples(900)):
        if isinstance(event, TrainSamples):
            trainer.train(event.n)
        else:
            trainer.step_on(event.image, event.label)
        timeline.extend([event], trainer)
    for position in (1, 437, 702, 1500):
        for kind in STEP_KINDS:
            viewed = timeline.step(position).trainer
            question = ask(kind, viewed)
            record = timeline.step(position + 1).record
            live = Trainer(Settings(rule="mse"), *data)
            live.train(min(position, 700))
            if position > 700:
                live.step_on(drawing.image, drawing.label)
                live.train(position - 701)
            assert question == ask(kind, live), kind
            live_truth = truth(question, live.step(), live)
            assert truth(question, record, timeline.step(position + 1).trainer) == live_truth, kind


def drawn_seven():
    """A 7 drawn on a 280x280 canvas as the Draw screen receives it (RGBA, white ink), made MNIST-like."""
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    canvas[60:80, 60:220] = 255  # the bar
    for row in range(80, 240):
        column = 220 - (row - 80) * 100 // 160
        canvas[row, column - 10:column + 10] = 255  # the stroke down
    return prepare_drawing(canvas).centred


@pytest.mark.parametrize("rule", RULES)
def test_after_a_drawing_the_drawing_questions_and_the_next_steps_are_answered_right(data, rule):
    trainer = Trainer(Settings(rule=rule), *data)
    trainer.train(2_000)
    image = drawn_seven()
    for kind in DRAW_KINDS:
        question, found = step_and_check(trainer, kind, image, 7)
        assert question.label == 7
    for kind in STEP_KINDS:
        step_and_check(trainer, kind)


def test_a_number_answer_needs_a_number_within_the_tolerance(data):
    trainer = Trainer(Settings(), *data)
    question = ask("loss", trainer)
    found = truth(question, trainer.step(), trainer)
    assert is_right(question, found, found.answer + 0.9 * question.tolerance)
    assert not is_right(question, found, found.answer + 1.1 * question.tolerance)
    for junk in ("", "abc", "nan", "inf", None):
        assert not is_right(question, found, junk)
