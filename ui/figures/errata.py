"""The Errata screen's figures: the softmax Jacobian, the three rules' dZ2, the mask the document puts on the output."""

import numpy as np
import plotly.graph_objects as go

from locales import _, number
from locales.words import rule_title
from ui.figures.style import axis, colour_bar, DIGITS, DIVERGING, figure, fill, RULE_STYLES, symmetric_limit, VALUE

# --- Errata screen -----------------------------------------------------------------------------
# Each rule's colour and bar pattern come from RULE_STYLES in the palette at the top.
RULE_FORMULAS = {"document": "2(A2 − y)", "mse": "J·2(A2 − y)", "cross-entropy": "A2 − y"}


def rule_legend(name: str) -> str:
    """A rule and its dZ2 in the language of the screen: "document's rule: 2(A2 − y)"."""
    return f"{rule_title(name)}: {RULE_FORMULAS[name]}"


def jacobian_figure(J: np.ndarray, label: int, height: int = 440) -> go.Figure:
    """The softmax Jacobian J_kj = ∂A2_k/∂Z2_j as a 10×10 heatmap, values in the cells, true digit marked."""
    digits = [f"{digit}*" if digit == label else str(digit) for digit in range(J.shape[0])]
    limit = symmetric_limit(J)
    trace = dict(type="heatmap", z=J, x=digits, y=digits, colorscale=DIVERGING, zmid=0, zmin=-limit, zmax=limit,
                 colorbar=colour_bar("∂A2ₖ/∂Z2ⱼ"), texttemplate="%{z:.3f}", textfont=dict(size=10),
                 hovertemplate=_("nudge Z2 of digit %{x}: A2 of digit %{y} moves by %{z:.5f} per unit")
                 + "<extra></extra>")
    return figure([trace], _("J for this sample (* = true digit {label})").format(label=label), height,
                  margin=dict(l=60, r=20, t=40, b=50),
                  xaxis=axis(_("j: the Z2 entry nudged"), type="category", side="bottom"),
                  yaxis=axis(_("k: the output A2 that moves"), type="category", autorange="reversed"))


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


def output_mask_figure(dZ2: np.ndarray, mask: np.ndarray, height: int = 300) -> go.Figure:
    """2(A2 − y) per digit; the entries equation (4)'s 1[Z2 > 0] would zero drawn hatched and grey."""
    kept = mask > 0
    colours = np.where(kept, VALUE, "#999999").tolist()
    patterns = np.where(kept, "", "x").tolist()
    text = [number(value, ".3f") if keep else "→ 0" for value, keep in zip(dZ2, kept)]
    trace = dict(type="bar", x=DIGITS, y=np.asarray(dZ2, dtype=float), text=text, textposition="outside",
                 marker=dict(color=colours, pattern=dict(shape=patterns, fgcolor="black", size=6, fillmode="overlay")),
                 cliponaxis=False, showlegend=False,
                 hovertemplate=_("digit %{x}: 2(A2 − y) = %{y:.4f}") + "<extra></extra>")
    return figure([trace], _("2(A2 − y): hatched bars are the ones 1[Z2 > 0] would zero"), height,
                  margin=dict(l=60, r=20, t=50, b=40), xaxis=axis(_("digit"), type="category"),
                  yaxis=axis("2(A2 − y)"))
