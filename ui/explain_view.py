"""What the explanation dialog draws for a value: its equation, the errata's notes, its terms, their sizes, its pixels.

Its words and LaTeX come from ui/explain_words.py; this module lays them out with Streamlit and
builds the two small figures (the terms' sizes as bars, and for Z1 the pixel map x ⊙ W1[:, k]).
"""

import numpy as np
import pandas as pd
import streamlit as st

from core.model.explanation import Explanation
from locales import _, number
from ui import explain_words, figures, widgets

TAIL_COLOUR = "#999999"


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
    specs = {_("value"): ".6f"}
    st.dataframe(widgets.in_language(table, specs), hide_index=True, column_config=widgets.number_columns(specs),
                 height=min(38 + 35 * len(rows), 420))


def sizes_figure(explanation: Explanation):
    """A horizontal bar per row of the table (largest on top), the summed tail grey."""
    rows = term_rows(explanation)
    tail = explain_words.tail_text(explanation) if explanation.tail is not None else None
    colours = [TAIL_COLOUR if what == tail else figures.VALUE if value >= 0 else figures.NEGATIVE
               for what, value in rows]
    trace = dict(type="bar", orientation="h", y=[what for what, _value in rows], x=[value for _what, value in rows],
                 marker=dict(color=colours), hovertemplate="%{y}: %{x:.6f}<extra></extra>")
    return figures.figure([trace], _("The terms' sizes"), 60 + 24 * len(rows), margin=dict(l=10, r=10, t=40, b=30),
                          yaxis=dict(autorange="reversed", automargin=True, type="category"),
                          xaxis=figures.axis(_("value")))


def pixel_figure(explanation: Explanation):
    """x ⊙ W1[:, k] as a 28×28 map on a diverging scale: each pixel's share of Z1_k."""
    pixel_map = explanation.pixel_map
    pixel = np.arange(1, 785).reshape(28, 28)
    trace = dict(type="heatmap", z=pixel_map, customdata=pixel, **figures.colour_scale(pixel_map, True),
                 colorbar=figures.colour_bar("x·W1"),
                 hovertemplate=_("pixel %{customdata}: %{z:.5f}") + "<extra></extra>")
    title = _("x ⊙ W1[:, {k}]: each pixel's share of Z1{sub}").format(
        k=explanation.indices[0], sub=str(explanation.indices[0]).translate(explain_words.SUBSCRIPTS))
    return figures.figure([trace], title, 300, margin=dict(l=10, r=10, t=40, b=10),
                          xaxis=dict(visible=False), yaxis=dict(visible=False, autorange="reversed", scaleanchor="x"))


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
        st.plotly_chart(sizes_figure(explanation), key="explain_sizes", config={"displayModeBar": False})
    if explanation.pixel_map is not None:
        left, right = st.columns([1, 1.2])
        with left:
            st.plotly_chart(pixel_figure(explanation), key="explain_pixels", config={"displayModeBar": False})
        with right:
            inked = 784 - explanation.tail.zeros - sum(term.factors[1].value == 0 for term in explanation.terms
                                                       if term.opens is not None)
            st.caption(_("Red pixels push Z1 up, blue ones down; a pixel without ink adds nothing, whatever its "
                         "weight. {inked} pixels have ink; the {listed} largest are listed, the rest summed.").format(
                inked=number(inked), listed=sum(term.opens is not None for term in explanation.terms)))
