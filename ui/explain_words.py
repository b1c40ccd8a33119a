"""How an explanation (core/model/explain.py) reads: its names, its equation typeset, its terms and the errata's words.

core/model/explain.py returns structure and numbers only; this module writes them for a person, in the
language of the session: a value's name as the screens write it (Z1₃, dW1[209, 3]), the equation
in LaTeX first in symbols and then with the numbers filled in, one line of text per term, and the
notes where the design document's errata bite.
"""

from core.model.explain import parse
from core.model.explanation import Explanation, Factor, Term
from locales import _, latex_number, number
from locales.words import rule_name

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
LISTED_IN_EQUATION = 4  # terms written out in the equation's numbers line; the table lists them all

# Each equation in symbols, {i} {k} {j} for the value's indices; h is the number of hidden units.
EQUATIONS = {
    "x": r"x_{{{i}}} = p_{{{i}}} / 255",
    "Z1": r"Z_{{1,{k}}} = \sum_{{i=1}}^{{784}} W_1[i,{k}]\,x_i + b_{{1,{k}}}",
    "A1": r"A_{{1,{k}}} = \max(0,\ Z_{{1,{k}}})",
    "Z2": r"Z_{{2,{j}}} = \sum_{{k=1}}^{{{h}}} W_2[k,{j}]\,A_{{1,k}} + b_{{2,{j}}}",
    "A2": r"A_{{2,{j}}} = \frac{{e^{{Z_{{2,{j}}} - m}}}}{{\sum_{{d=0}}^{{9}} e^{{Z_{{2,d}} - m}}}},"
          r"\quad m = \max_d Z_{{2,d}}",
    "loss": r"\mathcal{{L}} = \sum_{{d=0}}^{{9}} (A_{{2,d}} - y_d)^2",
    "cross_entropy": r"-\log A_{{2,y}}",
    "dZ2.document": r"dZ_{{2,{j}}} = 2\,(A_{{2,{j}}} - y_{{{j}}})",
    "dZ2.mse": r"dZ_{{2,{j}}} = \sum_{{d=0}}^{{9}} J_{{{j}d}}\,2(A_{{2,d}} - y_d),\quad "
               r"J_{{{j}d}} = A_{{2,{j}}}\,(\delta_{{{j}d}} - A_{{2,d}})",
    "dZ2.cross-entropy": r"dZ_{{2,{j}}} = A_{{2,{j}}} - y_{{{j}}}",
    "dZ1": r"dZ_{{1,{k}}} = \Big(\sum_{{j=0}}^{{9}} W_2[{k},j]\,dZ_{{2,j}}\Big)\cdot 1[Z_{{1,{k}}} > 0]",
    "db1": r"db_{{1,{k}}} = dZ_{{1,{k}}}",
    "dW1": r"dW_1[{i},{k}] = x_{{{i}}}\,dZ_{{1,{k}}}",
    "dW2": r"dW_2[{k},{j}] = A_{{1,{k}}}\,dZ_{{2,{j}}}",
    "db2": r"db_{{2,{j}}} = dZ_{{2,{j}}}",
}


def shown_name(name: str) -> str:
    """A value's name as the screens write it: Z1₃, A2₇, dW1[209, 3], ΔW1[209, 3], L."""
    kind, indices = parse(name, 999)
    if kind == "loss":
        return "L"
    if kind == "cross_entropy":
        return "−log A2_y"
    symbol = kind.replace("Delta", "Δ")
    if len(indices) == 2:
        return f"{symbol}[{indices[0]}, {indices[1]}]"
    return symbol + str(indices[0]).translate(SUBSCRIPTS)


def fixed(value: float, digits: int = 4) -> str:
    """A number for LaTeX with `digits` decimals, in the language's decimal sign (locales.latex_number)."""
    return latex_number(value, f".{digits}f")


def signed(value: float, digits: int = 4) -> str:
    """A number for LaTeX, a negative one in brackets so a product or sum reads unambiguously."""
    text = fixed(value, digits)
    return f"({text})" if value < 0 else text


def words(message: str) -> str:
    """Words inside LaTeX's \\text{…}, braces and backslashes of a translation escaped."""
    return message.replace("\\", "").replace("{", r"\{").replace("}", r"\}")


def symbol_latex(factor: Factor) -> str:
    """W1 (209, 3) → W_1[209,3]; Z1 (3,) → Z_{1,3}; x (209,) → x_{209}; α → \\alpha."""
    symbol, indices = factor.symbol, factor.indices
    if symbol in ("W1", "W2", "dW1", "dW2"):
        return rf"{symbol[:-1]}_{symbol[-1]}[{indices[0]},{indices[1]}]"
    if symbol == "α":
        return r"\alpha"
    if symbol == "J":
        return rf"J_{{{indices[0]}\,{indices[1]}}}"
    if symbol[-1].isdigit():
        return rf"{symbol[:-1]}_{{{symbol[-1]},{indices[0]}}}"
    return rf"{symbol}_{{{indices[0]}}}" if indices else symbol


def general_latex(explanation: Explanation, hidden: int) -> str:
    """The equation in symbols at this value's indices."""
    indices = explanation.indices
    fields = {"h": hidden}
    kinds = {"x": "i", "Z1": "k", "A1": "k", "dZ1": "k", "db1": "k", "Z2": "j", "A2": "j", "dZ2": "j", "db2": "j"}
    if explanation.kind in kinds:
        fields[kinds[explanation.kind]] = indices[0]
    elif explanation.kind == "dW1":
        fields.update(i=indices[0], k=indices[1])
    elif explanation.kind == "dW2":
        fields.update(k=indices[0], j=indices[1])
    if explanation.equation == "Delta":
        gradient = explanation.terms[0].factors[1]
        parameter = symbol_latex(gradient)[1:]
        return rf"\Delta {parameter} = -\alpha\, {symbol_latex(gradient)}"
    return EQUATIONS[explanation.equation].format(**fields)


def term_latex(explanation: Explanation, term: Term) -> str:
    """One term with its numbers, as the equation writes it."""
    values = [factor.value for factor in term.factors]
    equation = explanation.equation
    if equation == "A2":
        return rf"e^{{{signed(values[0], 3)} - {signed(values[1], 3)}}}"
    if equation == "loss":
        return rf"({fixed(values[0])} - {fixed(values[1], 0)})^2"
    if equation == "dZ2.mse":
        return rf"{signed(values[0])}\cdot 2({fixed(values[1])} - {fixed(values[2], 0)})"
    if equation in ("dZ2.document", "dZ2.cross-entropy"):
        scale = r"2\cdot " if equation == "dZ2.document" else ""
        return f"{scale}{fixed(values[0])}" if term.factors[0].symbol == "A2" else f"-{scale}{fixed(values[0], 0)}"
    if equation == "x":
        return fixed(values[0], 0)
    if equation == "Delta":
        return rf"{fixed(values[0], 5)}\cdot {signed(values[1], 6)}"
    return r"\cdot ".join(signed(value) for value in values)


def term_text(explanation: Explanation, term: Term) -> str:
    """One term in plain text for the table: its symbols (W1[209,3]·x₂₀₉)."""
    names = []
    for factor in term.factors:
        if factor.symbol in ("W1", "W2", "dW1", "dW2", "J"):
            names.append(f"{factor.symbol}[{', '.join(map(str, factor.indices))}]")
        elif factor.symbol in ("α", "m"):
            names.append(factor.symbol)
        else:
            names.append(factor.symbol + "".join(str(index) for index in factor.indices).translate(SUBSCRIPTS))
    equation = explanation.equation
    if equation == "A2":
        return f"e^({names[0]} − m)"
    if equation == "loss":
        return f"({names[0]} − {names[1]})²"
    if equation == "dZ2.mse":
        return f"{names[0]}·2({names[1]} − {names[2]})"
    if equation in ("dZ2.document", "dZ2.cross-entropy"):
        scale = "2·" if equation == "dZ2.document" else ""
        return f"{scale}{names[0]}" if term.factors[0].symbol == "A2" else f"−{scale}{names[0]}"
    if equation == "x":
        return names[0]
    if equation == "Delta":
        return "−α·" + names[1]
    return "·".join(names)


def tail_text(explanation: Explanation) -> str:
    """What the tail sums: "the other 776 pixels (670 of them with no ink, 0)"."""
    tail = explanation.tail
    if explanation.kind == "Z1":
        return _("{count} other pixels ({zeros} with no ink)").format(count=number(tail.count),
                                                                       zeros=number(tail.zeros))
    return _("{count} other terms ({zeros} of them 0)").format(count=number(tail.count), zeros=number(tail.zeros))


def sum_latex(explanation: Explanation, per_line: int = 2) -> str:
    """The sum with its numbers: the largest terms written out, the others as one braced sum, the bias last.

    `per_line` terms a line (the lines aligned under the first), so a phone shows it whole.
    """
    varying = [term for term in explanation.terms if term.opens is not None or explanation.kind not in ("Z1", "Z2")]
    fixed_terms = [term for term in explanation.terms if term not in varying]
    shown = [term_latex(explanation, term) for term in varying[:LISTED_IN_EQUATION]]
    hidden_count = len(varying[LISTED_IN_EQUATION:]) + (explanation.tail.count if explanation.tail else 0)
    if hidden_count:
        rest = (sum(term.value for term in varying[LISTED_IN_EQUATION:])
                + (explanation.tail.value if explanation.tail else 0))
        more = words(_("{count} more terms").format(count=number(hidden_count)))
        shown.append(rf"\underbrace{{\cdots}}_{{\text{{{more}}} \,=\, {signed(rest)}}}")
    shown += [term_latex(explanation, term) for term in fixed_terms]
    lines = [" + ".join(shown[start:start + per_line]) for start in range(0, len(shown), per_line)]
    return r" \\ &\quad + ".join(lines).replace("+ -", "- ")


def outcome_latex(explanation: Explanation) -> str | None:
    """How the sum becomes the value, with its numbers; None when the value is the sum itself."""
    total, operand, value = signed(explanation.total), fixed(explanation.operand), fixed(explanation.value)
    operation = explanation.operation
    if operation == "relu":
        return rf"\max(0,\ {total}) = {value}"
    if operation == "softmax":
        return rf"\frac{{{operand}}}{{{fixed(explanation.total)}}} = {value}"
    if operation == "gate":
        return rf"{total}\cdot {fixed(explanation.operand, 0)} = {value}"
    if operation == "neg_log":
        return rf"-\log {fixed(explanation.total)} = {value}"
    if operation == "divide":
        return rf"{fixed(explanation.total, 0)} / 255 = {value}"
    if operation == "negate":
        return rf"-({fixed(explanation.total, 6)}) = {fixed(explanation.value, 6)}"
    return None


def equation_latex(explanation: Explanation, hidden: int, per_line: int = 2) -> str:
    """The whole equation: in symbols, with the numbers, the sum's total, and how it becomes the value."""
    digits = 6 if explanation.equation == "Delta" else 4
    lines = [general_latex(explanation, hidden).replace("=", "&=", 1), rf"&= {sum_latex(explanation, per_line)}"]
    outcome = outcome_latex(explanation)
    if outcome is None:
        lines[-1] += rf" = {fixed(explanation.value, digits)}"
    else:
        lines += [rf"&= {outcome}"]
    if explanation.kind in ("loss", "cross_entropy"):
        lines[0] = "&" + lines[0] if "&=" not in lines[0] else lines[0]
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def note_text(note, explanation: Explanation) -> str:
    """What an erratum says at this number, in words with its numbers."""
    values = {name: number(value, ".4f") for name, value in note.numbers}
    j = explanation.indices[0] if explanation.indices else None
    if note.code == "twice_cross_entropy":
        return _("**Erratum 1.** The document's rule 2(A2 − y) is exactly twice the cross-entropy gradient "
                 "A2 − y = {half} here: it is not the gradient of the squared error the document names.").format(
            half=values["cross-entropy"])
    if note.code == "missing_jacobian":
        return _("**The missing softmax Jacobian.** The exact gradient of Σ(A2 − y)² goes through "
                 "J = diag(A2) − A2·A2ᵀ, which brings in every digit: at dZ2{j} it would be {mse}, not the value "
                 "above (the {rule} rule).").format(j=str(j).translate(SUBSCRIPTS), mse=values["mse"],
                                                     rule=rule_name("mse"))
    if note.code == "jacobian":
        return _("**Erratum 1, corrected.** This is the exact gradient of Σ(A2 − y)² through the softmax: the "
                 "Jacobian brings in every digit. The document's rule 2(A2 − y) would give {document}, the "
                 "cross-entropy rule {ce}.").format(document=values["document"], ce=values["cross-entropy"])
    if note.code == "cross_entropy_rule":
        return _("**Erratum 1, the other way round.** This is the exact gradient of −log A2_y. The document's rule "
                 "gives twice it, {document}; the exact gradient of the squared error would be {mse}.").format(
            document=values["document"], mse=values["mse"])
    if note.code == "relu_at_output":
        outcome = (_("it changes nothing here") if note.number("indicator") else
                   _("it would make this 0 (the document's code does not)"))
        return _("**Erratum 2.** The document's equation (4) multiplies by 1[Z2 > 0] here, but the output layer "
                 "has no ReLU. Z2{j} = {z2}, so 1[Z2 > 0] = {indicator}: {outcome}.").format(
            j=str(j).translate(SUBSCRIPTS), z2=values["Z2"], indicator=number(note.number("indicator"), ".0f"),
            outcome=outcome)
    if note.code == "loss_not_minimised":
        return _("**Erratum 1 at the loss.** This is the loss the document shows, but its rule dZ2 = 2(A2 − y) "
                 "lowers 2 × the cross-entropy −log A2_y, here 2 × {ce}: the loss the training really follows.").format(
            ce=values["cross_entropy"])
    return note.code
