"""The three dZ2 rules as the screens name them, and their plotly chart (Gradients; Errata's charts are ui/chart_errata.py's)."""

import numpy as np
import plotly.graph_objects as go

from locales import _
from locales.words import rule_title
from ui.figures.style import axis, DIGITS, figure, fill, RULE_STYLES

# --- Errata screen -----------------------------------------------------------------------------
# Each rule's colour and bar pattern come from RULE_STYLES in the palette at the top.
RULE_FORMULAS = {"document": "2(A2 − y)", "mse": "J·2(A2 − y)", "cross-entropy": "A2 − y"}


def rule_legend(name: str) -> str:
    """A rule and its dZ2 in the language of the screen: "document's rule: 2(A2 − y)"."""
    return f"{rule_title(name)}: {RULE_FORMULAS[name]}"


def dZ2_rules_figure(rules: dict, label: int, height: int = 320) -> go.Figure:
    """The three rules' dZ2 side by side per digit, each with its own colour and pattern."""
    traces = []
    for name, values in rules.items():
        colour, pattern = RULE_STYLES[name]
        rule = rule_legend(name)
        traces.append(dict(type="bar", name=rule, x=DIGITS, y=np.asarray(values, dtype=float),
                           marker=dict(color=colour, pattern=dict(shape=pattern, fgcolor="white", size=6, fillmode="overlay")),
                           hovertemplate=fill(_("{rule}<br>digit %{x}: %{y:.4f}"), rule=rule) + "<extra></extra>"))
    return figure(traces, _("dZ2 under each rule (true digit {label})").format(label=label), height, barmode="group",
                  legend=dict(orientation="h", yref="container", y=0, x=0, yanchor="bottom"),
                  margin=dict(l=60, r=20, t=40, b=10),
                  xaxis=axis(_("digit"), type="category", automargin=True), yaxis=axis("dZ2"))
