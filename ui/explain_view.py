"""What the explanation dialog draws for a value: its equation, the errata's notes, its terms, their sizes, its pixels.

Its words and LaTeX come from ui/explain_words.py; this module lays them out with Streamlit and
builds the two small charts with the chart kit, so the dialog never loads plotly (issue 24): the terms'
sizes as horizontal bars, and for Z1 the pixel map x ⊙ W1[:, k].
"""

import numpy as np
import pandas as pd
import streamlit as st

from core.model.explanation import Explanation
from locales import _, number
from ui import chart_kit, explain_words, figures, widgets

TAIL_COLOUR = "#999999"
TERM_DECIMALS = 6  # a term's value in the table, and the same product under the pixel map's hover


def term_rows(explanation: Explanation) -> list[tuple[str, float]]:
    """(what, value) per row of the table: the listed terms, the tail where there is one, the bias last."""
    varying = [term for term in explanation.terms if term.opens is not None or explanation.kind not in ("Z1", "Z2")]
    rows = [(explain_words.term_text(explanation, term), term.value) for term in varying]
    if explanation.tail is not None:
        rows.append((explain_words.tail_text(explanation), explanation.tail.value))
    rows += [(explain_words.term_text(explanation, term), term.value) for term in explanation.terms
             if term not in varying]
    return rows


def terms_table(explanation: Explanation) -> None:
    """The terms with their values, and their sum."""
    rows = term_rows(explanation) + [(_("sum"), explanation.total)]
    table = pd.DataFrame(rows, columns=[_("term"), _("value")])
    specs = {_("value"): f".{TERM_DECIMALS}f"}
    st.dataframe(widgets.in_language(table, specs), hide_index=True, column_config=widgets.number_columns(specs),
                 height=min(38 + 35 * len(rows), 420))


def sizes_chart(explanation: Explanation) -> chart_kit.Chart:
    """A horizontal bar per row of the table (largest on top), the summed tail grey; hover "term: value"."""
    rows = term_rows(explanation)
    tail = explain_words.tail_text(explanation) if explanation.tail is not None else None
    colours = [TAIL_COLOUR if what == tail else figures.VALUE if value >= 0 else figures.NEGATIVE
               for what, value in rows]
    return chart_kit.across([value for _what, value in rows], [what for what, _value in rows], colours,
                            _("The terms' sizes"), _("value"))


def pixel_chart(explanation: Explanation) -> chart_kit.Chart:
    """x ⊙ W1[:, k] as a 28×28 map on a diverging scale: each pixel's share of Z1_k; hover "pixel i: value"."""
    title = _("x ⊙ W1[:, {k}]: each pixel's share of Z1{sub}").format(
        k=explanation.indices[0], sub=str(explanation.indices[0]).translate(explain_words.SUBSCRIPTS))
    hover = _("pixel %{customdata}: %{z:.5f}").replace("%{customdata}", "{pixel}").replace("%{z:.5f}", "{value}")
    return chart_kit.tiles(np.asarray(explanation.pixel_map)[None], [""], title, "x·W1", hover, columns=1,
                           decimals=TERM_DECIMALS)  # as the terms' table writes the same products


def draw(explanation: Explanation, hidden: int) -> None:
    """The equation typeset with its numbers, the errata's notes, the table and the bars, and the pixel map."""
    st.latex(explain_words.equation_latex(explanation, hidden))
    for note in explanation.notes:
        st.info(explain_words.note_text(note, explanation), icon=":material/rule:")
    if len(explanation.terms) + (explanation.tail is not None) <= 2 and explanation.pixel_map is None:
        terms_table(explanation)
        return
    left, right = st.columns([1.1, 1])
    with left:
        terms_table(explanation)
    with right:
        chart_kit.show(sizes_chart(explanation), key="explain_sizes")
    if explanation.pixel_map is not None:
        left, right = st.columns([1, 1.2])
        with left:
            chart_kit.show(pixel_chart(explanation), key="explain_pixels")
        with right:
            inked = 784 - explanation.tail.zeros - sum(term.factors[1].value == 0 for term in explanation.terms
                                                       if term.opens is not None)
            st.caption(_("Red pixels push Z1 up, blue ones down; a pixel without ink adds nothing, whatever its "
                         "weight. {inked} pixels have ink; the {listed} largest are listed, the rest summed.").format(
                inked=number(inked), listed=sum(term.opens is not None for term in explanation.terms)))
