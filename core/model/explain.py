"""Explain this number: any value of a step opens into the sum that made it, one level at a time.

A value is named as the screens number it: hidden units k = 1…h and pixels i = 1…784 count from 1,
the outputs are named by their digit j = 0…9 (so `Z1_3` is hidden unit 3, `A2_7` is digit 7,
`dW1_407_3` is pixel 407's weight into unit 3). Its explanation is the document's equation for it
with the numbers filled in:

    Z1_k = Σ_i W1[i,k]·x_i + b1_k            A1_k = max(0, Z1_k)
    Z2_j = Σ_k W2[k,j]·A1_k + b2_j           A2_j = e^(Z2_j − m) / Σ_d e^(Z2_d − m),  m = max Z2
    L    = Σ_d (A2_d − y_d)²                 −log A2_y
    dZ2_j by the rule in force: 2(A2_j − y_j) (document), Σ_d J[j,d]·2(A2_d − y_d) with
          J = diag(A2) − A2·A2ᵀ (exact MSE), A2_j − y_j (cross-entropy)
    dZ1_k = (Σ_j W2[k,j]·dZ2_j) · 1[Z1_k > 0]    db1_k = dZ1_k    dW1[i,k] = x_i·dZ1_k
    dW2[k,j] = A1_k·dZ2_j                    db2_j = dZ2_j     ΔP = −α·dP
    x_i = p_i / 255

An Explanation (core/model/explanation.py) holds the terms of the sum, their total, the operation that
turns the total into the value, and the names of the values it depends on, each explainable in turn.

Pure numpy on purpose: no words. The equation is an identifier and every note a code with numbers;
the screen that shows an explanation writes the words, in the learner's language. What it reads
is a Moment: the parameters the forward pass used, the input and its label, and for a training step
its record (core/training/trainer.py's StepRecord: the gradients, the rule, α).
"""

import re

from core.model.explain_terms import BUILDERS
from core.model.explanation import Explanation, Moment, name_of
from core.model.network import CLASSES, INPUTS

MAX_NAME = 40  # characters: a longer name is refused before it is parsed


class BadName(ValueError):
    """A value name that cannot be explained here; `code` says why ("malformed", "out_of_range", "no_step")."""

    def __init__(self, code: str, name: str):
        super().__init__(f"{code}: {name[:MAX_NAME]!r}")
        self.code = code
        self.name = name


# kind: (index kinds, needs the step's gradients). "unit" 1…h, "digit" 0…9, "pixel" 1…784.
KINDS = {
    "x": (("pixel",), False), "Z1": (("unit",), False), "A1": (("unit",), False),
    "Z2": (("digit",), False), "A2": (("digit",), False), "loss": ((), False), "cross_entropy": ((), False),
    "dZ2": (("digit",), True), "db2": (("digit",), True), "dW2": (("unit", "digit"), True),
    "dZ1": (("unit",), True), "db1": (("unit",), True), "dW1": (("pixel", "unit"), True),
    "DeltaW1": (("pixel", "unit"), True), "Deltab1": (("unit",), True),
    "DeltaW2": (("unit", "digit"), True), "Deltab2": (("digit",), True),
}
_NAME = re.compile(r"(?P<kind>[A-Za-z_]+?[0-9]?)((?:_[0-9]{1,3}){0,2})")


def parse(name: str, hidden: int) -> tuple[str, tuple]:
    """(kind, indices) of a value name, its indices checked against a network of `hidden` units; BadName if not one."""
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise BadName("malformed", str(name))
    found = _NAME.fullmatch(name)
    if found is None or found["kind"] not in KINDS:
        raise BadName("malformed", name)
    indices = tuple(int(part) for part in found.group(2).split("_")[1:])
    wanted = KINDS[found["kind"]][0]
    if len(indices) != len(wanted):
        raise BadName("malformed", name)
    bounds = {"unit": (1, hidden), "digit": (0, CLASSES - 1), "pixel": (1, INPUTS)}
    if any(not bounds[what][0] <= index <= bounds[what][1] for what, index in zip(wanted, indices)):
        raise BadName("out_of_range", name)
    return found["kind"], indices


def explain(name: str, moment: Moment) -> Explanation:
    """The explanation of value `name` at `moment`; BadName when the name is not one or needs a step's gradients."""
    kind, indices = parse(name, moment.params.hidden)
    if KINDS[kind][1] and moment.record is None:
        raise BadName("no_step", name)
    return BUILDERS[kind](name_of(kind, *indices), moment, *indices)
