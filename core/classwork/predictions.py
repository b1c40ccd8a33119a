"""Predictions a learner makes before an action of their own run, and the run's answer after it.

A question names numbers of the learner's run as it stands (this step's sample, its Z1, A2, α…)
and asks what a number will be once the action has run: one training step, a thousand, or one
step on their drawing. After the action, truth() reads the answer from what the action returned,
the StepRecord the screens display (and the trainer after it, through the same Trainer and
gradient-check code the screens call), never from a second computation of its own. A Truth holds
the right answer, a code for the reason, and the reason's numbers: the words are made where they
are shown (ui/lab_texts.py), so nothing here is translated.

Every question is multiple choice (a few answer codes) or a number with a tolerance.

Left out on purpose: which questions make which lab (core/classwork/labs.py), recording answers in the
run's log (core/record/events.py's LabAnswer) and when an action runs (the middle layer).
"""

from dataclasses import dataclass, field

import numpy as np

from core.model import gradient_check
from core.model.network import CLASSES, forward, pixels
from core.training.settings import learning_rate_at

STEP, TRAIN, DRAW = "step", "train", "draw"  # the actions after which a question is answered
TRAIN_SAMPLES = 1_000  # how many samples the TRAIN action trains
DIGITS = tuple(str(digit) for digit in range(CLASSES))
UP_DOWN = ("up", "down")
UP_DOWN_SAME = ("up", "down", "same")
SIGNS = ("negative", "positive")
CHANGES = ("none", "some")
VERDICTS = ("matches", "close", "differs")  # gradient_check's thresholds: MATCHES, CLOSE
LOSSES_CHECKED = {"mse": ("mse", 1.0), "cross_entropy": ("cross-entropy", 1.0),
                  "twice_cross_entropy": ("cross-entropy", 2.0)}  # (loss, scale) of each answer


@dataclass(frozen=True)
class Question:
    """A prediction asked before an action: its kind, where the run stood, and the numbers it names."""

    kind: str  # a key of QUESTIONS
    position: int  # the trainer's sgd_steps when it was asked
    label: int  # the true digit of the image the action trains on
    rule: str  # the gradient rule in force
    subject: int | None = None  # the hidden unit or digit the question is about, if one
    shown: dict = field(default_factory=dict)  # the numbers it names: a float, an int or a tuple of floats
    choices: tuple = ()  # answer codes; () when the answer is a number
    tolerance: float = 0.0  # how far a number may be from the answer and still be right

    @property
    def action(self) -> str:
        return QUESTIONS[self.kind][2]


@dataclass(frozen=True)
class Truth:
    """The run's answer to a question: a choice code or a number, why (a code) and the reason's numbers."""

    answer: str | float
    reason: str
    numbers: dict


def is_right(question: Question, truth: Truth, given) -> bool:
    """A choice is right when it is the answer's code; a number when it is within the tolerance of the answer."""
    if question.choices:
        return str(given) == truth.answer
    try:
        value = float(given)
    except (TypeError, ValueError):
        return False
    return bool(np.isfinite(value) and abs(value - truth.answer) <= question.tolerance)


def sample_ahead(trainer) -> tuple[np.ndarray, int]:
    """x = p / 255 and the label of the training image the next step trains on."""
    images, labels, *_ = trainer.data
    return pixels(images[trainer.index]), int(labels[trainer.index])


def ask(kind: str, trainer, image=None, label=None) -> Question:
    """The question `kind` about the trainer's next action: the next training image, or `image` with `label` (a drawing)."""
    if image is None:
        x, label = sample_ahead(trainer)
    else:
        x, label = pixels(np.asarray(image)), int(label)
    before = forward(trainer.params, x)
    question = QUESTIONS[kind][0](before, label, trainer)
    return Question(kind, trainer.sgd_steps, label, trainer.settings.rule, **question)


def truth(question: Question, record, after) -> Truth:
    """The answer the run gave: from the action's StepRecord `record` and the trainer `after` it."""
    return QUESTIONS[question.kind][1](question, record, after)


def _unit(trainer) -> int:
    """A hidden unit chosen by the run's position: the same question at the same step, another one a step later."""
    return int(np.random.default_rng(trainer.step_count).integers(trainer.params.hidden))


# --- lab 1: the network and one forward pass --------------------------------------------------------


def _ask_relu(before, label, trainer) -> dict:
    unit = _unit(trainer)
    return {"subject": unit, "shown": {"Z1": float(before.Z1[unit])}, "tolerance": 0.01}


def _truth_relu(question, record, after) -> Truth:
    """A1_k = ReLU(Z1_k) = max(0, Z1_k)."""
    unit = question.subject
    z, a = float(record.forward.Z1[unit]), float(record.forward.A1[unit])
    return Truth(a, "relu_off" if z <= 0 else "relu_on", {"Z1": z, "A1": a})


def _ask_prediction(before, label, trainer) -> dict:
    return {"shown": {"Z2": tuple(map(float, before.Z2))}, "choices": DIGITS}


def _truth_prediction(question, record, after) -> Truth:
    """The prediction is argmax_k A2_k, and softmax keeps Z2's order, so it is argmax_k Z2_k."""
    digit = record.prediction
    return Truth(str(digit), "largest_z2", {"digit": digit, "Z2": float(record.forward.Z2[digit]),
                                             "A2": float(record.forward.A2[digit])})


# --- lab 2: the loss -------------------------------------------------------------------------------


def _ask_loss(before, label, trainer) -> dict:
    return {"shown": {"A2": tuple(map(float, before.A2))}, "tolerance": 0.02}


def _truth_loss(question, record, after) -> Truth:
    """L = Σ_k (A2_k − y_k)² = (A2_y − 1)² + Σ_{k≠y} A2_k²."""
    A2, label = record.forward.A2, record.label
    true_term = float((A2[label] - 1.0) ** 2)
    return Truth(record.loss_before, "loss_sum", {"A2_y": float(A2[label]), "true_term": true_term,
                                                  "other_terms": record.loss_before - true_term,
                                                  "L": record.loss_before})


def _ask_largest_term(before, label, trainer) -> dict:
    return {"shown": {"A2": tuple(map(float, before.A2))}, "choices": DIGITS}


def _truth_largest_term(question, record, after) -> Truth:
    """The term (A2_k − y_k)² of L that is largest."""
    terms = (record.forward.A2 - np.eye(CLASSES)[record.label]) ** 2
    digit = int(terms.argmax())
    return Truth(str(digit), "true_digit" if digit == record.label else "wrong_digit",
                 {"digit": digit, "A2": float(record.forward.A2[digit]), "term": float(terms[digit]),
                  "L": record.loss_before})


# --- lab 3: one step of gradient descent by hand --------------------------------------------------------


def _ask_dz2_sign(before, label, trainer) -> dict:
    return {"shown": {"A2_y": float(before.A2[label])}, "choices": SIGNS}


def _truth_dz2_sign(question, record, after) -> Truth:
    """The sign of dZ2_y for the true digit y, as the run's rule computed it."""
    dz2 = float(record.gradients.db2[record.label])
    return Truth(SIGNS[dz2 > 0], f"rule_{record.rule}", {"digit": record.label, "A2": float(record.forward.A2[record.label]),
                                                        "dZ2": dz2})


def _wrong_digit_most_likely(A2, label) -> int:
    others = np.array(A2, dtype=float)
    others[label] = -np.inf
    return int(others.argmax())


def _ask_dz2_value(before, label, trainer) -> dict:
    return {"subject": _wrong_digit_most_likely(before.A2, label), "shown": {"A2": tuple(map(float, before.A2))},
            "tolerance": 0.01}


def _truth_dz2_value(question, record, after) -> Truth:
    """dZ2_k for the wrong digit k the network finds likeliest, as the run's rule computed it."""
    digit = question.subject
    dz2 = float(record.gradients.db2[digit])
    return Truth(dz2, f"rule_{record.rule}", {"digit": digit, "A2": float(record.forward.A2[digit]), "dZ2": dz2})


def _ask_true_direction(before, label, trainer) -> dict:
    return {"shown": {"A2_y": float(before.A2[label]), "alpha": trainer.learning_rate}, "choices": UP_DOWN}


def _truth_true_direction(question, record, after) -> Truth:
    """A2_y before the step, and after it: exp(−L_CE) with the record's cross-entropy after, −log A2_y."""
    label = record.label
    before, later = float(record.forward.A2[label]), float(np.exp(-record.cross_entropy_after))
    dz2 = float(record.gradients.db2[label])
    direction = "up" if later > before else "down"
    reason = f"{direction}_{SIGNS[dz2 > 0]}"
    return Truth(direction, reason, {"digit": label, "before": before, "after": later, "dZ2": dz2,
                                     "alpha": record.learning_rate})


# --- lab 4: many steps -------------------------------------------------------------------------------


def _ask_accuracy(before, label, trainer) -> dict:
    return {"shown": {"accuracy": trainer.evaluate(), "samples": TRAIN_SAMPLES}, "choices": UP_DOWN_SAME}


def _truth_accuracy(question, record, after) -> Truth:
    """The test accuracy (Trainer.evaluate, as Evaluate shows it) after TRAIN_SAMPLES more samples."""
    before, later = question.shown["accuracy"], after.evaluate()
    answer = "same" if later == before else UP_DOWN[later < before]
    return Truth(answer, answer, {"before": before, "after": later, "samples": question.shown["samples"]})


# --- lab 5: what W1 learns ---------------------------------------------------------------------------


def _ask_quiet_unit(before, label, trainer) -> dict:
    """The unit with the lowest Z1 at an even step, the highest at an odd one: off or on, either can be asked."""
    unit = int(np.argmin(before.Z1) if trainer.step_count % 2 == 0 else np.argmax(before.Z1))
    return {"subject": unit, "shown": {"Z1": float(before.Z1[unit])}, "choices": CHANGES}


def _truth_quiet_unit(question, record, after) -> Truth:
    """ΔW1[:, k] = −α·x·dZ1_k, and dZ1_k = (W2·dZ2)_k ⊙ 1[Z1_k > 0] is 0 when the unit is off."""
    unit = question.subject
    change = float(np.linalg.norm(record.updates.dW1[:, unit]))
    return Truth(CHANGES[change > 0], "unit_off" if record.forward.Z1[unit] <= 0 else "unit_on",
                 {"unit": unit, "Z1": float(record.forward.Z1[unit]), "dZ1": float(record.gradients.db1[unit]),
                  "change": change})


def _ask_largest_change(before, label, trainer) -> dict:
    return {"shown": {"Z1": tuple(map(float, before.Z1))},
            "choices": tuple(str(unit) for unit in range(trainer.params.hidden))}


def _truth_largest_change(question, record, after) -> Truth:
    """|ΔW1[:, k]| = α·|x|·|dZ1_k|: the unit with the largest |dZ1_k| changes most."""
    changes = np.linalg.norm(record.updates.dW1, axis=0)
    unit = int(changes.argmax())
    return Truth(str(unit), "largest_dz1", {"unit": unit, "dZ1": float(record.gradients.db1[unit]),
                                            "change": float(changes[unit]), "x_norm": float(np.linalg.norm(record.x)),
                                            "alpha": record.learning_rate})


# --- lab 6: the gradient check and the first erratum ---------------------------------------------------


def worst_error(after, record, loss: str, scale: float) -> float:
    """The largest relative error over W1, b1, W2, b2 of the run's rule against central differences of scale × loss.

    The Gradients screen's check: the trainer's parameters now, the last step's sample.
    """
    report = gradient_check.gradient_check(after.params, record.x, record.label, record.rule, loss, scale=scale)
    return max(check.relative_error for check in report.values())


def _ask_check_mse(before, label, trainer) -> dict:
    return {"choices": VERDICTS}


def _truth_check_mse(question, record, after) -> Truth:
    error = worst_error(after, record, "mse", 1.0)
    answer = VERDICTS[0] if error < gradient_check.MATCHES else VERDICTS[1] if error < gradient_check.CLOSE else VERDICTS[2]
    return Truth(answer, f"rule_{record.rule}", {"error": error})


def _ask_which_loss(before, label, trainer) -> dict:
    return {"choices": tuple(LOSSES_CHECKED)}


def _truth_which_loss(question, record, after) -> Truth:
    """The loss whose finite differences the rule's gradient is closest to (smallest worst relative error)."""
    errors = {name: worst_error(after, record, loss, scale) for name, (loss, scale) in LOSSES_CHECKED.items()}
    best = min(errors, key=errors.get)
    return Truth(best, f"rule_{record.rule}", {f"error_{name}": error for name, error in errors.items()})


# --- lab 7: the learning rate ------------------------------------------------------------------------


def _ask_later_rate(before, label, trainer) -> dict:
    settings = trainer.settings
    epoch = trainer.epoch + 2 * settings.decay_period  # 0-based: two decays of α from now
    return {"shown": {"alpha": settings.learning_rate, "period": settings.decay_period,
                      "factor": settings.decay_factor, "epoch": epoch + 1},
            "tolerance": 0.005 * learning_rate_at(settings, epoch)}


def _truth_later_rate(question, record, after) -> Truth:
    """α = lr · factor^⌊epoch / period⌋ (the Train screen's schedule) for the 1-based epoch the question names."""
    epoch = question.shown["epoch"] - 1
    alpha = learning_rate_at(after.settings, epoch)
    return Truth(alpha, "schedule", {"alpha": alpha, "halvings": epoch // after.settings.decay_period,
                                     "epoch": epoch + 1})


def _ask_loss_after(before, label, trainer) -> dict:
    return {"shown": {"alpha": trainer.learning_rate, "L": float(((before.A2 - np.eye(CLASSES)[label]) ** 2).sum())},
            "choices": UP_DOWN}


def _truth_loss_after(question, record, after) -> Truth:
    """This sample's loss Σ(A2 − y)² after the step against before it (the Train screen's two metrics)."""
    answer = UP_DOWN[record.loss_after <= record.loss_before]
    return Truth(answer, f"loss_{answer}", {"before": record.loss_before, "after": record.loss_after,
                                            "alpha": record.learning_rate})


# --- lab 8: your own digit ---------------------------------------------------------------------------


def _ask_drawing_read(before, label, trainer) -> dict:
    return {"choices": DIGITS}


def _truth_drawing_read(question, record, after) -> Truth:
    """argmax A2 of the drawing before the step on it."""
    digit = record.prediction
    return Truth(str(digit), "right" if digit == record.label else "wrong",
                 {"digit": digit, "A2": float(record.forward.A2[digit]), "A2_y": float(record.forward.A2[record.label])})


def _ask_drawing_learned(before, label, trainer) -> dict:
    return {"shown": {"A2_y": float(before.A2[label])}, "choices": ("yes", "no")}


def _truth_drawing_learned(question, record, after) -> Truth:
    """argmax A2 of the drawing after one step on it, against its label."""
    learned = record.prediction_after == record.label
    return Truth("yes" if learned else "no", "learned" if learned else "not_yet",
                 {"digit": record.prediction_after, "before": float(record.forward.A2[record.label]),
                  "after": float(np.exp(-record.cross_entropy_after))})


NUMBERS = ("relu", "loss", "dz2_value", "later_rate")  # the questions answered with a number, not a choice
# kind -> (ask, truth, action)
QUESTIONS = {
    "relu": (_ask_relu, _truth_relu, STEP),
    "prediction": (_ask_prediction, _truth_prediction, STEP),
    "loss": (_ask_loss, _truth_loss, STEP),
    "largest_term": (_ask_largest_term, _truth_largest_term, STEP),
    "dz2_sign": (_ask_dz2_sign, _truth_dz2_sign, STEP),
    "dz2_value": (_ask_dz2_value, _truth_dz2_value, STEP),
    "true_direction": (_ask_true_direction, _truth_true_direction, STEP),
    "accuracy": (_ask_accuracy, _truth_accuracy, TRAIN),
    "quiet_unit": (_ask_quiet_unit, _truth_quiet_unit, STEP),
    "largest_change": (_ask_largest_change, _truth_largest_change, STEP),
    "check_mse": (_ask_check_mse, _truth_check_mse, STEP),
    "which_loss": (_ask_which_loss, _truth_which_loss, STEP),
    "later_rate": (_ask_later_rate, _truth_later_rate, STEP),
    "loss_after": (_ask_loss_after, _truth_loss_after, STEP),
    "drawing_read": (_ask_drawing_read, _truth_drawing_read, DRAW),
    "drawing_learned": (_ask_drawing_learned, _truth_drawing_learned, DRAW),
}
