"""The sums behind each kind of value, one builder per kind, in the order the document computes them.

Each builder takes the value's name, the Moment (core/model/explanation.py) and the value's indices as the
screens number them, and returns its Explanation: the terms from the parameters the step's forward
pass used, the value from the step's record. The forward pass first (x, Z1, A1, Z2, A2, the
losses), then backpropagation (dZ2 by each rule, dW2, db2, dZ1, dW1, db1) and the update ΔP = −α·dP.
"""

import numpy as np

from core.model.explanation import Explanation, Factor, Moment, Note, Tail, Term, name_of
from core.model.network import CLASSES, GRADIENT_RULES, Forward, mse_loss, one_hot

TOP_PIXELS = 8  # pixels listed one by one in Z1's sum: the few that contribute most
TOP_TERMS = 10  # terms listed in the other sums (a wide hidden layer puts the rest in the tail)


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


def _explanation(name, kind, indices, equation, terms, tail, value, dependencies, operation="sum", operand=0.0,
                 notes=(), pixel_map=None) -> Explanation:
    total = float(sum(term.value for term in terms) + (tail.value if tail is not None else 0.0))
    return Explanation(name=name, kind=kind, indices=indices, equation=equation, terms=tuple(terms), tail=tail,
                       total=total, operation=operation, operand=float(operand), value=float(value),
                       dependencies=tuple(dict.fromkeys(dependencies)), notes=tuple(notes), pixel_map=pixel_map)


def _single(name, kind, indices, equation, factors, product, value, dependencies, opens=None, **extra):
    """An explanation whose sum is one product (dW = x·dZ, ΔP = −α·dP, ...)."""
    return _explanation(name, kind, indices, equation, [Term(tuple(factors), float(product), opens)], None, value,
                        dependencies, **extra)


# --- the forward pass --------------------------------------------------------------------------

def pixel(name, moment, i):
    """x_i = p_i / 255: the grey level of pixel i (0 … 255) scaled into [0, 1]."""
    p = float(np.rint(moment.x[i - 1] * 255.0))
    return _single(name, "x", (i,), "x", [Factor("p", (i,), p)], p, moment.x[i - 1], (), operation="divide",
                   operand=255.0)


def hidden_input(name, moment, k):
    """Z1_k = Σ_i W1[i,k]·x_i + b1_k: the pixels that contribute most, the rest summed, then the bias."""
    weights, x = moment.params.W1[:, k - 1], moment.x
    products = weights * x
    listed, rest = largest_first(products, TOP_PIXELS)
    terms = [Term((Factor("W1", (i + 1, k), float(weights[i])), Factor("x", (i + 1,), float(x[i]))),
                  float(products[i]), name_of("x", i + 1)) for i in listed]
    terms.append(Term((Factor("b1", (k,), float(moment.params.b1[k - 1])),), float(moment.params.b1[k - 1])))
    dependencies = [term.opens for term in terms if term.opens is not None and term.factors[1].value != 0]
    return _explanation(name, "Z1", (k,), "Z1", terms, tail_of(products, rest), values_of("Z1", moment)[k - 1],
                        dependencies, pixel_map=products.reshape(28, 28))


def hidden_activation(name, moment, k):
    """A1_k = max(0, Z1_k): ReLU passes a positive Z1 on and turns a negative one into 0."""
    z = float(moment.forward.Z1[k - 1])
    return _single(name, "A1", (k,), "A1", [Factor("Z1", (k,), z)], z, values_of("A1", moment)[k - 1],
                   [name_of("Z1", k)], opens=name_of("Z1", k), operation="relu")


def output_input(name, moment, j):
    """Z2_j = Σ_k W2[k,j]·A1_k + b2_j: the hidden units' outputs weighted into digit j, then the bias."""
    weights, a1 = moment.params.W2[:, j], moment.forward.A1
    products = weights * a1
    listed, rest = largest_first(products, TOP_TERMS)
    terms = [Term((Factor("W2", (k + 1, j), float(weights[k])), Factor("A1", (k + 1,), float(a1[k]))),
                  float(products[k]), name_of("A1", k + 1)) for k in listed]
    terms.append(Term((Factor("b2", (j,), float(moment.params.b2[j])),), float(moment.params.b2[j])))
    return _explanation(name, "Z2", (j,), "Z2", terms, tail_of(products, rest), values_of("Z2", moment)[j],
                        [term.opens for term in terms if term.opens is not None])


def probability(name, moment, j):
    """A2_j = e^(Z2_j − m) / Σ_d e^(Z2_d − m), m = max Z2: the sum is the denominator, the quotient the value."""
    z2 = moment.forward.Z2
    m = float(z2.max())
    exponentials = np.exp(z2 - m)
    listed, _rest = largest_first(exponentials, CLASSES)
    terms = [Term((Factor("Z2", (d,), float(z2[d])), Factor("m", (), m)), float(exponentials[d]), name_of("Z2", d))
             for d in listed]
    dependencies = [name_of("Z2", j)] + [term.opens for term in terms]
    return _explanation(name, "A2", (j,), "A2", terms, None, values_of("A2", moment)[j], dependencies,
                        operation="softmax", operand=float(exponentials[j]))


def squared_error(name, moment):
    """L = Σ_d (A2_d − y_d)²: the loss the document shows, one square per digit."""
    a2, y = moment.forward.A2, one_hot(moment.label)
    squares = (a2 - y) ** 2
    listed, _rest = largest_first(squares, CLASSES)
    terms = [Term((Factor("A2", (d,), float(a2[d])), Factor("y", (d,), float(y[d]))), float(squares[d]),
                  name_of("A2", d)) for d in listed]
    notes = []
    if moment.record is not None and moment.record.rule == "document":
        notes.append(Note("loss_not_minimised", (("cross_entropy", float(values_of("cross_entropy", moment))),)))
    return _explanation(name, "loss", (), "loss", terms, None, values_of("loss", moment), [t.opens for t in terms],
                        notes=notes)


def cross_entropy(name, moment):
    """−log A2_y: the cross-entropy of the label's probability (what the document's rule really minimises, ×2)."""
    label = moment.label
    a = float(moment.forward.A2[label])
    return _single(name, "cross_entropy", (), "cross_entropy", [Factor("A2", (label,), a)], a,
                   values_of("cross_entropy", moment), [name_of("A2", label)], opens=name_of("A2", label),
                   operation="neg_log")


# --- backpropagation and the update ------------------------------------------------------------

def output_error(name, moment, j):
    """dZ2_j by the step's rule, with what the other rules and equation (4) would give at this number."""
    rule, a2, y = moment.record.rule, moment.forward.A2, one_hot(moment.label)
    others = rule_values(moment)
    value = values_of("dZ2", moment)[j]
    if rule == "mse":  # dZ2_j = Σ_d J[j,d]·2(A2_d − y_d), J[j,d] = A2_j(δ_jd − A2_d)
        jacobian = a2[j] * ((np.arange(CLASSES) == j) - a2)
        products = jacobian * 2.0 * (a2 - y)
        listed, _rest = largest_first(products, CLASSES)
        terms = [Term((Factor("J", (j, d), float(jacobian[d])), Factor("A2", (d,), float(a2[d])),
                       Factor("y", (d,), float(y[d]))), float(products[d]), name_of("A2", d)) for d in listed]
    else:  # document: 2·A2_j − 2·y_j; cross-entropy: A2_j − y_j
        scale = 2.0 if rule == "document" else 1.0
        terms = [Term((Factor("A2", (j,), float(a2[j])),), scale * float(a2[j]), name_of("A2", j)),
                 Term((Factor("y", (j,), float(y[j])),), -scale * float(y[j]))]
    indicator = float(moment.forward.Z2[j] > 0)
    notes = [Note({"document": "twice_cross_entropy", "mse": "jacobian", "cross-entropy": "cross_entropy_rule"}[rule],
                  tuple((other, float(values[j])) for other, values in others.items())),
             Note("relu_at_output", (("indicator", indicator), ("with_indicator", float(value) * indicator),
                                     ("Z2", float(moment.forward.Z2[j]))))]
    if rule == "document":
        notes.insert(1, Note("missing_jacobian", (("mse", float(others["mse"][j])),)))
    dependencies = [name_of("A2", j)] + [term.opens for term in terms if term.opens is not None]
    return _explanation(name, "dZ2", (j,), f"dZ2.{rule}", terms, None, value, dependencies, notes=notes)


def hidden_error(name, moment, k):
    """dZ1_k = (Σ_j W2[k,j]·dZ2_j) · 1[Z1_k > 0]: the output errors carried back through W2, then the ReLU gate."""
    weights, dz2 = moment.params.W2[k - 1], values_of("dZ2", moment)
    products = weights * dz2
    listed, rest = largest_first(products, CLASSES)
    terms = [Term((Factor("W2", (k, j), float(weights[j])), Factor("dZ2", (j,), float(dz2[j]))), float(products[j]),
                  name_of("dZ2", j)) for j in listed]
    gate = float(moment.forward.Z1[k - 1] > 0)
    dependencies = [term.opens for term in terms] + [name_of("Z1", k)]
    return _explanation(name, "dZ1", (k,), "dZ1", terms, tail_of(products, rest), values_of("dZ1", moment)[k - 1],
                        dependencies, operation="gate", operand=gate)


def bias_gradient(layer):
    """db1_k = dZ1_k and db2_j = dZ2_j: a bias's gradient is its unit's error."""
    def build(name, moment, index):
        error = "dZ1" if layer == 1 else "dZ2"
        position = index - 1 if layer == 1 else index
        dz = float(values_of(error, moment)[position])
        return _single(name, f"db{layer}", (index,), f"db{layer}", [Factor(error, (index,), dz)], dz,
                       values_of(f"db{layer}", moment)[position], [name_of(error, index)], opens=name_of(error, index))
    return build


def first_weight_gradient(name, moment, i, k):
    """dW1[i,k] = x_i·dZ1_k: pixel i's ink times unit k's error (0 where there is no ink or the unit is off)."""
    x, dz1 = float(moment.x[i - 1]), float(values_of("dZ1", moment)[k - 1])
    return _single(name, "dW1", (i, k), "dW1", [Factor("x", (i,), x), Factor("dZ1", (k,), dz1)], x * dz1,
                   values_of("dW1", moment)[i - 1, k - 1], [name_of("dZ1", k), name_of("x", i)],
                   opens=name_of("dZ1", k))


def second_weight_gradient(name, moment, k, j):
    """dW2[k,j] = A1_k·dZ2_j: unit k's output times digit j's error."""
    a1, dz2 = float(moment.forward.A1[k - 1]), float(values_of("dZ2", moment)[j])
    return _single(name, "dW2", (k, j), "dW2", [Factor("A1", (k,), a1), Factor("dZ2", (j,), dz2)], a1 * dz2,
                   values_of("dW2", moment)[k - 1, j], [name_of("dZ2", j), name_of("A1", k)], opens=name_of("dZ2", j))


def update(parameter):
    """ΔP = −α·dP: the step moves each weight against its gradient, α times as far."""
    gradient = "d" + parameter

    def build(name, moment, *indices):
        positions = tuple(index - 1 if kind in ("unit", "pixel") else index
                          for index, kind in zip(indices, _INDEX_KINDS[parameter]))
        alpha = float(moment.record.learning_rate)
        dp = float(values_of(gradient, moment)[positions])
        return _single(name, f"Delta{parameter}", indices, "Delta", [Factor("α", (), alpha),
                                                                     Factor(gradient, indices, dp)],
                       alpha * dp, values_of(f"Delta{parameter}", moment)[positions],
                       [name_of(gradient, *indices)], opens=name_of(gradient, *indices), operation="negate")
    return build


_INDEX_KINDS = {"W1": ("pixel", "unit"), "b1": ("unit",), "W2": ("unit", "digit"), "b2": ("digit",)}

BUILDERS = {
    "x": pixel, "Z1": hidden_input, "A1": hidden_activation, "Z2": output_input, "A2": probability,
    "loss": squared_error, "cross_entropy": cross_entropy,
    "dZ2": output_error, "db2": bias_gradient(2), "dW2": second_weight_gradient,
    "dZ1": hidden_error, "db1": bias_gradient(1), "dW1": first_weight_gradient,
    "DeltaW1": update("W1"), "Deltab1": update("b1"), "DeltaW2": update("W2"), "Deltab2": update("b2"),
}
