"""The guided path's words: each lab's title and goal, each question with its run's numbers, each reason.

core/classwork/predictions.py returns codes and numbers; this module turns them into sentences in the
session's language (English and Greek through the catalogs), with numbers in the language's signs.
"""

from core.classwork.predictions import NUMBERS, Question, Truth
from locales import N_, _, number
from locales.words import rule_name

TITLES = {
    "forward_pass": N_("The network and one forward pass"),
    "loss": N_("The loss"),
    "one_step": N_("One step of gradient descent by hand"),
    "many_steps": N_("Many steps and the loss curve"),
    "weights": N_("What W1 learns"),
    "gradient_check": N_("The gradient check and the first erratum"),
    "learning_rate": N_("The learning rate: too small, too large, decay"),
    "own_digit": N_("Your own digit and the model's limits"),
}
GOALS = {
    "forward_pass": N_("An image of 784 pixels goes through 10 hidden ReLU units to 10 softmax outputs, one per digit. "
                       "Predict what the ReLU and the softmax make of this step's numbers."),
    "loss": N_("The loss L = Σₖ (A2ₖ − yₖ)² says how far the output is from the one-hot target y. "
               "Predict its value for the next image, and which digit's term weighs most."),
    "one_step": N_("A step computes dZ2 at the output, carries it back to every weight and moves each one against "
                   "its gradient: P ← P − α·dP. Predict the sign and the size of dZ2, and what the step does to the "
                   "true digit's A2."),
    "many_steps": N_("Thousands of small steps add up: the loss curve on Train falls and the test accuracy rises. "
                     "Predict the accuracy after a thousand more images, then train a whole epoch."),
    "weights": N_("Each column of W1 is a hidden unit's 28×28 template, and a step changes it by −α·x·dZ1ₖ. "
                  "Predict which templates a step changes most, and which it leaves alone."),
    "gradient_check": N_("Finite differences tell whether a gradient rule is the derivative of the loss it claims. "
                         "Predict what the check says about your run's rule, and meet erratum 1."),
    "learning_rate": N_("α sets the size of every step, and the document halves it every five epochs. Predict the "
                        "schedule and whether this step goes downhill; then try a large α on Compare."),
    "own_digit": N_("Draw a digit and see how a network trained on MNIST digits reads yours. Predict its answer, "
                    "and whether one step on your drawing teaches it."),
}
CHOICES = {
    "up": N_("goes up"), "down": N_("goes down"), "same": N_("stays the same"),
    "negative": N_("negative"), "positive": N_("positive"),
    "none": N_("not at all"), "some": N_("it changes"),
    "matches": N_("they match"), "close": N_("they come close"), "differs": N_("they differ"),
    "mse": N_("MSE Σ(A2 − y)²"), "cross_entropy": N_("cross-entropy −log A2_y"),
    "twice_cross_entropy": N_("2 × cross-entropy"),
    "yes": N_("yes"), "no": N_("no"),
}


def title(lab_id: str) -> str:
    return _(TITLES[lab_id])


def goal(lab_id: str) -> str:
    return _(GOALS[lab_id])


def choice(code: str) -> str:
    """A choice's words; a digit or a unit's number stands as it is."""
    return _(CHOICES[code]) if code in CHOICES else code


def value(number_value, places: int = 3) -> str:
    return number(number_value, f".{places}f")


def vector(values, places: int = 3, first: int = 0) -> str:
    """k: value for each k, e.g. "0: 0.123 · 1: −0.456", in the language's signs; hidden units count from 1 (first=1)."""
    return " · ".join(f"{k}: {value(v, places)}" for k, v in enumerate(values, start=first))


def question_text(question: Question) -> str:
    """The question as the learner reads it, with the numbers of their run it names."""
    shown, label, subject = question.shown, question.label, question.subject
    rule = rule_name(question.rule)
    texts = {
        "relu": lambda: _("The next training image is a {label}. Hidden unit {unit} gets Z1 = {z} for it. What will "
                          "A1 of that unit be?").format(label=label, unit=subject + 1, z=value(shown["Z1"], 4)),
        "prediction": lambda: _("For the next training image, a {label}, the output layer's Z2 is {z2}. Which digit "
                                "will the network predict?").format(label=label, z2=vector(shown["Z2"])),
        "loss": lambda: _("For the next training image, a {label}, the network gives A2 = {a2}. What is its loss "
                          "L = Σₖ (A2ₖ − yₖ)²? Two decimals are enough.").format(label=label, a2=vector(shown["A2"])),
        "largest_term": lambda: _("For the next training image, a {label}, A2 = {a2}. Which digit's term (A2ₖ − yₖ)² "
                                  "adds most to the loss?").format(label=label, a2=vector(shown["A2"])),
        "dz2_sign": lambda: _("The next image is a {label}, and the network gives it A2 = {a} for digit {label}. With "
                              "the {rule} rule, will dZ2 for digit {label} be negative or positive?").format(
            label=label, a=value(shown["A2_y"]), rule=rule),
        "dz2_value": lambda: _("The next image is a {label}, with A2 = {a2}. With the {rule} rule, what will dZ2 be "
                               "for digit {digit}, the wrong digit the network finds likeliest? Two decimals are enough.")
        .format(label=label, a2=vector(shown["A2"]), rule=rule, digit=subject),
        "true_direction": lambda: _("The next image is a {label}, and A2 for digit {label} is {a} now. After one step "
                                    "with α = {alpha}, will A2 for digit {label} on this image go up or down?").format(
            label=label, a=value(shown["A2_y"]), alpha=number(shown["alpha"], "g")),
        "accuracy": lambda: _("The network reads {accuracy} of the 10,000 test images right now. After training on "
                              "the next {samples} images, will that go up, down or stay the same?").format(
            accuracy=number(shown["accuracy"], ".2%"), samples=number(shown["samples"])),
        "quiet_unit": lambda: _("For the next image, a {label}, hidden unit {unit} has Z1 = {z}. Will this step change "
                                "its W1 image (column {unit} of W1)?").format(label=label, unit=subject + 1,
                                                                               z=value(shown["Z1"], 4)),
        "largest_change": lambda: _("For the next image, a {label}, the hidden units' Z1 are {z1}. Which unit's W1 "
                                    "image will this step change most?").format(label=label, z1=vector(shown["Z1"], first=1)),
        "check_mse": lambda: _("Your run uses the {rule} rule. After the next step the check compares its gradient with "
                               "finite differences of the MSE loss Σ(A2 − y)². Will they match (relative error below "
                               "10⁻⁶), come close (below 10⁻³) or differ?").format(rule=rule),
        "which_loss": lambda: _("Which loss is the {rule} rule the exact gradient of? After the next step the check "
                                "compares it with finite differences of three losses.").format(rule=rule),
        "later_rate": lambda: _("α starts at {alpha} and is multiplied by {factor} every {period} epochs. What will α "
                                "be in epoch {epoch}?").format(alpha=number(shown["alpha"], "g"),
                                                               factor=number(shown["factor"], "g"),
                                                               period=shown["period"], epoch=shown["epoch"]),
        "loss_after": lambda: _("For the next image, a {label}, the loss is L = {loss} now. After one step with "
                                "α = {alpha}, will this image's loss go down or up?").format(
            label=label, loss=value(shown["L"], 4), alpha=number(shown["alpha"], "g")),
        "drawing_read": lambda: _("Your drawing is labelled {label}. Before it learns from it, which digit will the "
                                  "network read it as?").format(label=label),
        "drawing_learned": lambda: _("Your drawing is labelled {label}, and A2 for digit {label} is {a} now. After "
                                     "one step on it, will the network read it as {label}?").format(
            label=label, a=value(shown["A2_y"])),
    }
    return texts[question.kind]()


def given_text(kind: str, given: str) -> str:
    """An answer to a question of `kind` as the learner gave it, or as the run gave it: a choice's words, or a number."""
    if kind == "largest_change":  # a hidden unit's code is its index; the screens count units from 1
        return _("unit {unit}").format(unit=int(given) + 1)
    if kind not in NUMBERS:
        return choice(given)
    try:
        return number(float(given), ".4g")
    except ValueError:
        return given


def verdict(question: Question, truth: Truth, right: bool, given: str) -> str:
    """A short confirmation when right; what was said and what the run gave when not; then the reason."""
    answer = truth.answer if isinstance(truth.answer, str) else repr(truth.answer)
    head = (_("Right.") if right else _("Not this time: you said {given}, the run gave {answer}.").format(
        given=given_text(question.kind, given), answer=given_text(question.kind, answer)))
    return f"{head} {reason(question, truth)}"


def _dz2_reason(question: Question, numbers: dict) -> str:
    digit = numbers["digit"]
    target = 1 if digit == question.label else 0
    a, dz2 = value(numbers["A2"]), value(numbers["dZ2"])
    if question.rule == "document":
        return _("The document's rule is dZ2 = 2(A2 − y): for digit {digit}, 2({a} − {y}) = {dz2}.").format(
            digit=digit, a=a, y=target, dz2=dz2)
    if question.rule == "mse":
        return _("The exact MSE rule is dZ2 = J·2(A2 − y) with the softmax Jacobian J = diag(A2) − A2·A2ᵀ: for digit "
                 "{digit} it gives {dz2}, where 2(A2 − y) alone is {plain}.").format(
            digit=digit, dz2=dz2, plain=value(2 * (numbers["A2"] - target)))
    return _("The cross-entropy rule is dZ2 = A2 − y: for digit {digit}, {a} − {y} = {dz2}.").format(
        digit=digit, a=a, y=target, dz2=dz2)


def _check_reason(question: Question, numbers: dict) -> str:
    rule = question.rule
    first = {"document": _("The document's dZ2 = 2(A2 − y) leaves out the softmax Jacobian (erratum 1): it is twice "
                           "the cross-entropy gradient A2 − y."),
             "mse": _("The exact MSE rule multiplies 2(A2 − y) by the softmax Jacobian: it is the gradient of "
                      "Σ(A2 − y)²."),
             "cross-entropy": _("A2 − y is the gradient of −log A2_y through the softmax, not of Σ(A2 − y)².")}[rule]
    if "error" in numbers:
        return first + " " + _("Its largest relative error against the MSE loss: {error}.").format(
            error=number(numbers["error"], ".1e"))
    return first + " " + _("Largest relative errors: MSE {mse}, cross-entropy {ce}, 2 × cross-entropy {twice}.").format(
        mse=number(numbers["error_mse"], ".1e"), ce=number(numbers["error_cross_entropy"], ".1e"),
        twice=number(numbers["error_twice_cross_entropy"], ".1e"))


def reason(question: Question, truth: Truth) -> str:
    """Why the run gave its answer, in one or two sentences with the step's numbers."""
    n = truth.numbers
    if truth.reason.startswith("rule_"):
        if question.kind in ("check_mse", "which_loss"):
            return _check_reason(question, n)
        return _dz2_reason(question, n)
    moved = {"before": value(n.get("before", 0.0)), "after": value(n.get("after", 0.0))}
    texts = {
        "relu_off": lambda: _("A1 = ReLU(Z1) = max(0, Z1): Z1 = {z} is not positive, so A1 = 0.").format(
            z=value(n["Z1"], 4)),
        "relu_on": lambda: _("A1 = ReLU(Z1) = max(0, Z1): Z1 = {z} is positive, so A1 = Z1 = {a}.").format(
            z=value(n["Z1"], 4), a=value(n["A1"], 4)),
        "largest_z2": lambda: _("The prediction is the digit with the largest A2, and the softmax keeps the order of "
                                "Z2: digit {digit} has the largest Z2 = {z}, so its A2 = {a} is the largest.").format(
            digit=n["digit"], z=value(n["Z2"]), a=value(n["A2"])),
        "loss_sum": lambda: _("L = (A2_y − 1)² + Σ of the other A2ₖ² = {true} + {others} = {loss}.").format(
            true=value(n["true_term"], 4), others=value(n["other_terms"], 4), loss=value(n["L"], 4)),
        "true_digit": lambda: _("The true digit's term (A2 − 1)² = {term} is the largest: A2 = {a} for digit {digit} "
                                "is still far from 1.").format(term=value(n["term"], 4), a=value(n["A2"]),
                                                              digit=n["digit"]),
        "wrong_digit": lambda: _("Digit {digit} is wrong, yet the network gives it A2 = {a}: its term (A2 − 0)² = "
                                 "{term} is the largest.").format(digit=n["digit"], a=value(n["A2"]),
                                                                 term=value(n["term"], 4)),
        "up_negative": lambda: _("A2 for digit {digit} went up, {before} → {after}, because dZ2 = {dz2} < 0 for it: "
                                 "the step moves b2 and W2 against dZ2, so its Z2 rises.").format(
            digit=n["digit"], dz2=value(n["dZ2"]), **moved),
        "down_negative": lambda: _("A2 for digit {digit} went down, {before} → {after}, although dZ2 = {dz2} < 0 "
                                   "pushed its Z2 up: with α = {alpha} the same step moved the other digits' Z2 and "
                                   "the hidden layer more.").format(digit=n["digit"], dz2=value(n["dZ2"]),
                                                                   alpha=number(n["alpha"], "g"), **moved),
        "up_positive": lambda: _("A2 for digit {digit} went up, {before} → {after}, although dZ2 = {dz2} > 0: the "
                                 "other digits' Z2 fell more.").format(digit=n["digit"], dz2=value(n["dZ2"]), **moved),
        "down_positive": lambda: _("A2 for digit {digit} went down, {before} → {after}, because dZ2 = {dz2} > 0 "
                                   "pushed its Z2 down.").format(digit=n["digit"], dz2=value(n["dZ2"]), **moved),
        "unit_off": lambda: _("Unit {unit} has Z1 = {z} ≤ 0, so the ReLU lets no gradient through: dZ1 = 0 for it, "
                              "and ΔW1[:, {unit}] = −α·x·dZ1 = 0.").format(unit=n["unit"] + 1, z=value(n["Z1"], 4)),
        "unit_on": lambda: _("Unit {unit} has Z1 = {z} > 0, so dZ1 = {dz1} passes the ReLU and its W1 image changes "
                             "by |ΔW1[:, {unit}]| = {change}.").format(unit=n["unit"] + 1, z=value(n["Z1"], 4),
                                                                     dz1=value(n["dZ1"], 4),
                                                                     change=number(n["change"], ".2e")),
        "largest_dz1": lambda: _("|ΔW1[:, k]| = α·|x|·|dZ1ₖ|, and α and x are the same for every unit: unit {unit} "
                                 "has the largest |dZ1| = {dz1}, so its image changed most, by {change}.").format(
            unit=n["unit"] + 1, dz1=value(abs(n["dZ1"]), 4), change=number(n["change"], ".2e")),
        "schedule": lambda: _("α = lr · factor^⌊(epoch − 1) / period⌋: by epoch {epoch} it has been multiplied "
                              "{times} times, so α = {alpha}.").format(epoch=n["epoch"], times=n["halvings"],
                                                                      alpha=number(n["alpha"], "g")),
        "loss_down": lambda: _("This image's loss went from {before} to {after}: with α = {alpha} the step went "
                               "downhill.").format(before=value(n["before"], 4), after=value(n["after"], 4),
                                                   alpha=number(n["alpha"], "g")),
        "loss_up": lambda: _("This image's loss went from {before} to {after}: with α = {alpha} the step overshot the "
                             "valley's floor.").format(before=value(n["before"], 4), after=value(n["after"], 4),
                                                       alpha=number(n["alpha"], "g")),
        "right": lambda: _("The network read your drawing as {digit}, with A2 = {a}.").format(
            digit=n["digit"], a=value(n["A2"])),
        "wrong": lambda: _("The network read your drawing as {digit}, with A2 = {a}; your label had A2 = {ay}.").format(
            digit=n["digit"], a=value(n["A2"]), ay=value(n["A2_y"])),
        "learned": lambda: _("After the step it reads it as {digit}: A2 for your label went {before} → {after}.")
        .format(digit=n["digit"], **moved),
        "not_yet": lambda: _("After the step it still reads it as {digit}: A2 for your label went {before} → {after}, "
                             "not yet the largest.").format(digit=n["digit"], **moved),
    }
    if truth.reason in ("up", "down", "same"):
        return _("The test accuracy went from {before} to {after} over {samples} more images.").format(
            before=number(n["before"], ".2%"), after=number(n["after"], ".2%"), samples=number(n["samples"]))
    return texts[truth.reason]()
