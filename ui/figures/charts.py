"""Plotly charts from numpy arrays: bars (the class dashboard's), and what the chart kit shares with them.

The other screens draw theirs with the chart kit instead (ui/chart_kit.py), and Loss surface with its own
(ui/surface_panel.py), in the browser."""

import numpy as np
import plotly.graph_objects as go

from locales import _, number
from ui.figures.style import (
    axis, EMPHASIS, figure, PREDICTED, SILENT, TRUE_LABEL, VALUE,
)


def mosaic(images: np.ndarray, columns: int, gutter: int = 1) -> np.ndarray:
    """Tile (k, h, w) images into one array, NaN gutters between them (drawn blank)."""
    count, height, width = images.shape
    rows = -(-count // columns)
    tiled = np.full((rows * (height + gutter) - gutter, columns * (width + gutter) - gutter), np.nan)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top, left = row * (height + gutter), column * (width + gutter)
        tiled[top:top + height, left:left + width] = image
    return tiled


def value_text(value: float, text_format: str) -> str:
    """A value as written on a bar, in the language's signs, without the "-0.00" that rounding a tiny negative gives."""
    text = number(value, text_format)
    return text[1:] if text.startswith("-") and not any(digit in text for digit in "123456789") else text


def bars(values, labels, title: str, x_title: str, y_title: str, highlight: int | None = None,
         height: int = 260, y_range=None, text_format: str = ".2f", *, true_label: int | None = None,
         emphasis: int | None = None, silent=None, hover_name: str = "") -> go.Figure:
    """Labelled bars with their values written on them, each role in its palette colour.

    highlight: the predicted digit (PREDICTED); emphasis: a bar the title points at (EMPHASIS);
    true_label: outlined in black with "label" above it; silent: a mask of bars drawn grey and hatched.
    """
    values = np.asarray(values, dtype=float)
    silent = np.zeros(len(values), dtype=bool) if silent is None else np.asarray(silent, dtype=bool)
    colours = [PREDICTED if index == highlight else EMPHASIS if index == emphasis else SILENT if silent[index]
               else VALUE for index in range(len(values))]
    marker = dict(color=colours, pattern=dict(shape=["x" if off else "" for off in silent], fgcolor="#555555",
                                              size=5, solidity=0.3, fillmode="overlay"))
    notes = []
    if true_label is not None:
        marker["line"] = dict(color=TRUE_LABEL, width=[3 if index == true_label else 0 for index in range(len(values))])
        value = values[true_label]
        notes = [dict(x=list(labels)[true_label], y=value, yref="y", text="<b>" + _("label") + "</b>", showarrow=False,
                      yanchor="bottom" if value >= 0 else "top", yshift=18 if value >= 0 else -18,
                      font=dict(size=12, color=TRUE_LABEL))]
    trace = dict(type="bar", x=list(labels), y=values, marker=marker,
                 text=[value_text(value, text_format) for value in values], textposition="outside",
                 cliponaxis=False, hovertemplate=f"{hover_name}%{{x}}: %{{y:.4f}}<extra></extra>")
    return figure([trace], title, height, xaxis=axis(x_title, type="category"),
                  yaxis=axis(y_title, range=y_range), annotations=notes)


MUTED = "#9e9e9e"  # a silent unit's bar on Draw (chart_kit.bars' muted): grey, and its label says "silent" too
