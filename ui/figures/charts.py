"""Plotly charts from numpy arrays: bars, heatmaps, lines, the confusion matrix.

Data, Forward pass and Gradients draw theirs with the chart kit instead (ui/chart_kit.py), and Loss surface
with its own (ui/surface_panel.py), in the browser."""

import numpy as np
import plotly.graph_objects as go

from locales import N_, _, number
from ui.figures.style import (
    axis, BLUE, colour_bar, colour_scale, DASHES, EMPHASIS, figure, fill, GREEN, PREDICTED, RUNS, SILENT, TRUE_LABEL,
    VALUE,
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


def heatmap(matrix: np.ndarray, title: str, x_title: str, y_title: str, x_labels=None, y_labels=None,
            diverging: bool = True, annotate: bool = True, colorbar_title: str = N_("value"),
            height: int = 360, text_format: str = ".2f", colorscale=None) -> go.Figure:
    """A matrix as a heatmap, values written in the cells; diverging scales are centred at 0."""
    rows, columns = matrix.shape
    scale = colour_scale(matrix, True) if diverging else dict(colorscale=colorscale or "Blues")
    trace = dict(type="heatmap", z=matrix, x=list(x_labels if x_labels is not None else range(columns)),
                 y=list(y_labels if y_labels is not None else range(rows)), **scale,
                 colorbar=colour_bar(_(colorbar_title)), textfont=dict(size=10),
                 hovertemplate=fill(_("{y_title} %{y}, {x_title} %{x}: %{z:.4f}"), y_title=y_title, x_title=x_title)
                 + "<extra></extra>")
    if annotate:
        trace["texttemplate"] = f"%{{z:{text_format}}}"
    # dtick 1: every row and column named; plotly's own choice skipped every other digit in a narrow chart.
    return figure([trace], title, height, xaxis=axis(x_title, type="category", dtick=1),
                  yaxis=axis(y_title, type="category", autorange="reversed", dtick=1))


def lines(x, series: dict, title: str, x_title: str, y_title: str, height: int = 260,
          log_y: bool = False, markers: bool = False, y_range=None, secondary: dict | None = None,
          secondary_title: str = "", secondary_format: str = "", steps: bool = False,
          x_integers: bool = False) -> go.Figure:
    """Named curves over one x axis; `secondary` curves use a second y axis on the right."""
    mode = "lines+markers" if markers else "lines"
    # Each curve its own palette colour and dash, so they stay apart without colour vision too.
    at = _("{name}: {value} at %{x}")
    traces = [dict(type="scatter", x=x, y=values, name=name, mode=mode,
                   line=dict(shape="hv" if steps else "linear", color=RUNS[i % len(RUNS)], dash=DASHES[i % len(DASHES)]),
                   hovertemplate=fill(at, name=name, value="%{y:.4g}") + "<extra></extra>")
              for i, (name, values) in enumerate(series.items())]
    x_axis = axis(x_title, dtick=1, range=[0.5, max(x) + 0.5], automargin=True) if x_integers and len(x) \
        else axis(x_title, automargin=True)
    # The legend at the foot of the figure keeps rows of its own (two or three on a phone, longer names in
    # Greek), so it never covers the axis title.
    layout = dict(legend=dict(orientation="h", yref="container", y=0, x=0, yanchor="bottom"),
                  margin=dict(l=50, r=20, t=40, b=10),
                  xaxis=x_axis, yaxis=axis(y_title, type="log" if log_y else "linear", range=y_range))
    if secondary:
        traces += [dict(type="scatter", x=x, y=values, name=name, mode=mode, yaxis="y2", line=dict(color=GREEN),
                        hovertemplate=fill(at, name=name, value=f"%{{y:{secondary_format or '.4g'}}}")
                        + "<extra></extra>")
                   for name, values in secondary.items()]
        layout["yaxis2"] = axis(secondary_title, overlaying="y", side="right", range=[0, 1], dtick=0.25,
                                tickformat=secondary_format, showgrid=False)
    return figure(traces, title, height, **layout)


BLUES = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]  # ColorBrewer Blues, light to dark


def confusion_figure(cm: np.ndarray, title: str, true=None, predicted=None, height: int = 460) -> go.Figure:
    """The confusion matrix, rows true and columns predicted, counts written in the cells.

    The colour saturates at the largest off-diagonal count, since the ~1,000 correct answers per digit
    would wash out every mistake. Heatmaps have no point selection in Streamlit, so an invisible
    square marker sits on each cell: a click selects it (x predicted, y true). The chosen row, column
    or cell (true and/or predicted; None for any) is outlined.
    """
    classes = len(cm)
    labels = [str(digit) for digit in range(classes)]
    mistakes = cm - np.diag(np.diag(cm))
    figure_ = heatmap(cm, title, _("predicted digit"), _("true digit"), x_labels=labels, y_labels=labels,
                      diverging=False, colorscale=BLUES, height=height, text_format="d",
                      colorbar_title=_("test images (colour capped at the largest mistake count)"))
    figure_.data[0].update(zmin=0, zmax=max(1, int(mistakes.max())), hoverinfo="skip", hovertemplate=None)
    rows, columns = np.divmod(np.arange(classes * classes), classes)
    figure_.add_trace(dict(type="scatter", x=[labels[c] for c in columns], y=[labels[r] for r in rows],
                           customdata=cm.ravel(), mode="markers", showlegend=False,
                           marker=dict(symbol="square", size=26, color="rgba(0,0,0,0)"),
                           selected=dict(marker=dict(color="rgba(0,0,0,0)")),
                           unselected=dict(marker=dict(opacity=0)),
                           hovertemplate=_("true %{y}, predicted %{x}: %{customdata} images") + "<extra></extra>"))
    # The markers would otherwise pad the axes beyond the cells.
    figure_.layout.xaxis.range = [-0.5, classes - 0.5]
    figure_.layout.yaxis.update(autorange=False, range=[classes - 0.5, -0.5])
    if true is not None or predicted is not None:
        row_span = (true - 0.5, true + 0.5) if true is not None else (-0.5, classes - 0.5)
        column_span = (predicted - 0.5, predicted + 0.5) if predicted is not None else (-0.5, classes - 0.5)
        figure_.layout.shapes = [dict(type="rect", x0=column_span[0], x1=column_span[1], y0=row_span[0],
                                      y1=row_span[1], line=dict(color="#ff8c00", width=3))]
    return figure_


# --- Draw screen ---------------------------------------------------------------------------------
MUTED = "#9e9e9e"  # a silent unit's bar: grey, and its label says "silent" too


def unit_bars(values, labels, title: str, x_title: str, y_title: str, muted, height: int = 330,
              text_format: str = ".2f") -> go.Figure:
    """One bar per hidden unit, the muted (silent) ones grey; each bar carries its value."""
    values = np.asarray(values, dtype=float)
    trace = dict(type="bar", x=list(labels), y=values, marker=dict(color=[MUTED if mute else BLUE for mute in muted]),
                 text=[number(value, text_format) for value in values], textposition="outside",
                 cliponaxis=False, hovertemplate="%{x}: %{y:.4f}<extra></extra>")
    return figure([trace], title, height, xaxis=axis(x_title, type="category", tickangle=-45),
                  yaxis=axis(y_title), margin=dict(l=50, r=20, t=40, b=90))
