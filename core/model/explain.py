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

An Explanation holds the terms of the sum, largest magnitude first (a bias last), the rest summed
as a tail with its count, their total, the operation that turns the total into the value (the
identity for a sum; ReLU, the softmax quotient, the ReLU gate, −log, /255, −1 otherwise), the value
as the step record holds it, and the names of the values it depends on, each explainable in turn.
At dZ2 and the loss it also carries the numbers where the document's errata bite (notes).

Pure numpy on purpose: no words. The equation is an identifier and every note a code with numbers;
the screen that shows an explanation writes the words, in the learner's language. What it reads
is a Moment: the parameters the forward pass used, the input and its label, and for a training step
its record (core/training/trainer.py's StepRecord: the gradients, the rule, α).
"""

import re
from dataclasses import dataclass

import numpy as np

from core.model.network import CLASSES, GRADIENT_RULES, INPUTS, Forward, Parameters, forward, mse_loss, one_hot

TOP_PIXELS = 8  # pixels listed one by one in Z1's sum: the few that contribute most
TOP_TERMS = 10  # terms listed in the other sums (a wide hidden layer puts the rest in the tail)
MAX_NAME = 40  # characters: a longer name is refused before it is parsed


@dataclass(frozen=True)
class Factor:
    """One symbol of a term with its number: W1 with indices (407, 3) and value −0.12, say."""

    symbol: str  # "W1", "b1", "x", "p", "A1", "W2", "b2", "Z2", "A2", "y", "dZ2", "dZ1", "J", "α", "2", ...
    indices: tuple  # as the screens number them (units and pixels from 1, digits from 0)
    value: float


@dataclass(frozen=True)
class Term:
    """One addend of the sum and the numbers it is made of; the equation says how they combine.

    A product W1[i,k]·x_i in most sums; e^(Z2_d − m) in the softmax's denominator; (A2_d − y_d)² in
    the loss; J[j,d]·2(A2_d − y_d) in the exact MSE rule; 2·A2_j and −2·y_j in the document's rule.
    """

    factors: tuple  # of Factor
    value: float
    opens: str | None = None  # the name of the value this term's varying factor is, one level down


@dataclass(frozen=True)
class Tail:
    """The terms not listed one by one, summed: `count` of them, `zeros` of which are exactly 0."""

    count: int
    zeros: int
    value: float


@dataclass(frozen=True)
class Note:
    """A point the document's errata make at this number: a code and the numbers it names."""

    code: str  # "twice_cross_entropy", "missing_jacobian", "jacobian", "relu_at_output", "loss_not_minimised"
    numbers: tuple  # ((name, value), ...)

    def number(self, name: str) -> float:
        return dict(self.numbers)[name]


@dataclass(frozen=True, eq=False)
class Explanation:
    """A value of a step, as the sum that made it."""

    name: str  # "Z1_3"
    kind: str  # "Z1"
    indices: tuple  # (3,)
    equation: str  # "Z1", "dZ2.document", ...: which equation; the screen writes it out
    terms: tuple  # of Term, largest |value| first; a bias, when there is one, last
    tail: Tail | None
    total: float  # Σ terms + tail
    operation: str  # how the total becomes the value: see outcome()
    operand: float  # the operation's other number (the softmax numerator, the gate 1[Z1 > 0], 255)
    value: float  # the value as the step's record holds it
    dependencies: tuple  # names one level down, in the order the terms show them
    notes: tuple = ()  # of Note
    pixel_map: np.ndarray | None = None  # (28, 28) x ⊙ W1[:, k] when the terms are pixels

    def outcome(self) -> float:
        """The value the total makes through the operation: equal to `value` within float rounding."""
        total, operand = self.total, self.operand
        if self.operation == "relu":
            return max(0.0, total)
        if self.operation == "softmax":
            return operand / total
        if self.operation == "gate":
            return total * operand
        if self.operation == "neg_log":
            return float(-np.log(max(total, np.finfo(np.float64).tiny)))
        if self.operation == "divide":
            return total / operand
        if self.operation == "negate":
            return -total
        return total


class BadName(ValueError):
    """A value name that cannot be explained here; `code` says why ("malformed", "out_of_range", "no_step")."""

    def __init__(self, code: str, name: str):
        super().__init__(f"{code}: {name[:MAX_NAME]!r}")
        self.code = code
        self.name = name


@dataclass(frozen=True)
class Moment:
    """What an explanation reads: the parameters the pass used, the input, its label, and the step record if trained."""

    params: Parameters
    x: np.ndarray  # (784,) pixels / 255
    label: int
    forward: Forward
    record: object | None = None  # core.training.trainer.StepRecord of a training step; None for a forward pass only

    @classmethod
    def of_step(cls, record) -> "Moment":
        """A training step: its own parameters before the update, input, label, forward values and gradients."""
        return cls(record.params_before, record.x, record.label, record.forward, record)

    @classmethod
    def of_image(cls, params: Parameters, x: np.ndarray, label: int) -> "Moment":
        """An image through the network with `params`, no training: only forward values and the loss explain."""
        return cls(params, x, int(label), forward(params, x))


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


def name_of(kind: str, *indices) -> str:
    """The name of a value: name_of("Z1", 3) is "Z1_3"."""
    return "_".join([kind, *(str(int(index)) for index in indices)])


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
    from core.model import explain_terms  # the builders, one per kind, import this module's records

    kind, indices = parse(name, moment.params.hidden)
    if KINDS[kind][1] and moment.record is None:
        raise BadName("no_step", name)
    return explain_terms.BUILDERS[kind](name_of(kind, *indices), moment, *indices)


def values_of(kind: str, moment: Moment) -> np.ndarray:
    """Every value of one kind as the record (or the forward pass) holds it: Z1 → (h,), dW1 → (784, h), ..."""
    record, fwd = moment.record, moment.forward
    if kind in Forward._fields:
        return getattr(fwd, kind)
    if kind == "x":
        return moment.x
    if kind == "loss":
        return np.array(record.loss_before if record is not None else mse_loss(fwd.A2, moment.label))
    if kind == "cross_entropy":
        return np.array(-np.log(max(fwd.A2[moment.label], np.finfo(np.float64).tiny)))
    if kind.startswith("Delta"):
        return getattr(record.updates, "d" + kind[len("Delta"):])
    if kind in ("dZ2", "dZ1"):
        return record.gradients.db2 if kind == "dZ2" else record.gradients.db1
    return getattr(record.gradients, kind)


def rule_values(moment: Moment) -> dict:
    """dZ2 under each of the three rules for this moment's A2 and label (the errata compare them)."""
    y = one_hot(moment.label)
    return {rule: function(moment.forward.A2, y) for rule, function in GRADIENT_RULES.items()}


def largest_first(values: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices of the `limit` largest |values|, largest first; the indices of the rest)."""
    order = np.argsort(-np.abs(values), kind="stable")
    return order[:limit], order[limit:]


def tail_of(values: np.ndarray, rest: np.ndarray) -> Tail | None:
    """The terms at `rest` summed, with their count; None when every term is listed."""
    if not len(rest):
        return None
    return Tail(count=len(rest), zeros=int((values[rest] == 0).sum()), value=float(values[rest].sum()))
