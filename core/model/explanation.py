"""The records an explanation is made of (Factor, Term, Tail, Note, Explanation), and the Moment it reads.

An Explanation holds the terms of the sum, largest magnitude first (a bias last), the rest summed
as a tail with its count, their total, the operation that turns the total into the value (the
identity for a sum; ReLU, the softmax quotient, the ReLU gate, −log, /255, −1 otherwise), the value
as the step record holds it, and the names of the values it depends on, each explainable in turn.
At dZ2 and the loss it also carries the numbers where the document's errata bite (notes).

A value is named as the screens number it (name_of); parsing a name and choosing the builder are
core/model/explain.py's, the sums themselves core/model/explain_terms.py's. Pure numpy: no words here
either, only codes and numbers.
"""

from dataclasses import dataclass

import numpy as np

from core.model.network import Forward, Parameters, forward


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

def name_of(kind: str, *indices) -> str:
    """The name of a value: name_of("Z1", 3) is "Z1_3"."""
    return "_".join([kind, *(str(int(index)) for index in indices)])
