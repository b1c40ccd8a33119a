"""Plotly charts from numpy arrays: bars, heatmaps, lines, image grids, the confusion matrix.

The Loss surface screen draws its charts in the browser (ui/surface_panel.py).
"""

import numpy as np
import plotly.graph_objects as go

from locales import N_, _, number
from ui.figures.style import (
    axis, BLUE, colour_bar, colour_scale, DASHES, EMPHASIS, figure, fill, GREEN, GREYS, on_a_phone, PHONE_COLUMNS,
    PREDICTED, RUNS, SILENT, TRUE_LABEL, unit_labels, VALUE,
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


def image_grid(images: np.ndarray, titles, title: str, colorbar_title: str, columns: int = 5,
               diverging: bool = True, height: int | None = None, limit: float | None = None, gap: int = 1,
               margin: dict | None = None, greyed=None, hover_name: str = N_("image")) -> go.Figure:
    """Several 28x28 images (e.g. the columns of W1) as one heatmap with a shared colour bar.

    Each image has its title above it; a larger `gap` between the images keeps a title off the
    row above. The height defaults to 150 pixels a row. Images whose `greyed` entry is true get a
    translucent grey veil (silent units). Hover names the image (`hover_name` k, from 1) and the pixel (1..784).
    On a phone two images a row, so their titles ("unit 10 · silent") do not run into each other.
    """
    if on_a_phone():
        columns, height = min(columns, PHONE_COLUMNS), None
    count, size = len(images), images.shape[1]
    rows = -(-count // columns)
    numbers = np.arange(1, count + 1, dtype=float)[:, None, None] * np.ones_like(images[:1], dtype=float)
    pixel = np.arange(1, size * size + 1, dtype=float).reshape(1, size, size) * np.ones((count, 1, 1))
    customdata = np.stack([np.nan_to_num(mosaic(numbers, columns, gutter=gap)).astype(int),
                           np.nan_to_num(mosaic(pixel, columns, gutter=gap)).astype(int)], axis=-1)
    heatmap_trace = dict(type="heatmap", z=mosaic(images, columns, gutter=gap), customdata=customdata,
                         **colour_scale(images, diverging, limit), colorbar=colour_bar(colorbar_title),
                         hoverongaps=False,
                         hovertemplate=fill(_("{name} %{customdata[0]}, pixel %{customdata[1]}: %{z:.4f}"),
                                            name=_(hover_name)) + "<extra></extra>")
    labels = [dict(x=(index % columns) * (size + gap) + size / 2 - 0.5, y=(index // columns) * (size + gap) - 1.5,
                   text=text, showarrow=False, yanchor="bottom", font=dict(size=11))
              for index, text in enumerate(titles)]
    veils = [dict(type="rect", xref="x", yref="y", x0=(index % columns) * (size + gap) - 0.5,
                  x1=(index % columns) * (size + gap) + size - 0.5, y0=(index // columns) * (size + gap) - 0.5,
                  y1=(index // columns) * (size + gap) + size - 0.5, fillcolor="rgba(190,190,190,0.55)",
                  line=dict(color=SILENT, width=1, dash="dot"))
             for index, grey in enumerate(greyed if greyed is not None else []) if grey]
    layout = {"margin": margin} if margin else {}
    return figure([heatmap_trace], title, height or 60 + 150 * rows, annotations=labels, shapes=veils,
                  xaxis=dict(visible=False), yaxis=dict(visible=False, autorange="reversed", scaleanchor="x"),
                  **layout)


def digit_image(image: np.ndarray, title: str, height: int = 260, colorbar_title: str = N_("pixel")) -> go.Figure:
    """One grey 28x28 image with its pixel values on hover; rows, columns and pixels counted from 1."""
    rows, columns = np.shape(image)
    pixel = np.arange(1, rows * columns + 1).reshape(rows, columns)
    trace = dict(type="heatmap", z=image, x=list(range(1, columns + 1)), y=list(range(1, rows + 1)),
                 customdata=pixel, colorscale=GREYS, colorbar=colour_bar(_(colorbar_title)),
                 hovertemplate=_("pixel %{customdata} (row %{y}, column %{x}): %{z}") + "<extra></extra>")
    return figure([trace], title, height, xaxis=axis(_("column"), range=[0.5, columns + 0.5], constrain="domain"),
                  yaxis=axis(_("row"), range=[rows + 0.5, 0.5], scaleanchor="x", constrain="domain"))


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


def hidden_layer_bars(Z1, A1, silent_here, silent_probe, title: str, height: int = 320) -> go.Figure:
    """Z1 and A1 = ReLU(Z1) side by side for units 1..h, values written on every bar.

    Units off for this image (Z1 ≤ 0) have a grey hatched Z1 bar; units silent on the whole probe are
    named "unit k · silent". Each unit's number is written once, so neighbours do not overlap: on the A1
    bar when the unit is on (there A1 = Z1), on the Z1 bar when it is off (there A1 = 0, no bar).
    """
    tilted = len(Z1) > 8
    labels = unit_labels(len(Z1), silent_probe)
    silent_here = np.asarray(silent_here, dtype=bool)
    hatch = dict(shape="x", fgcolor="#555555", size=5, solidity=0.3, fillmode="overlay")
    traces = [dict(type="bar", name=_("Z1 (before ReLU)"), x=labels, y=np.asarray(Z1, dtype=float), showlegend=False,
                   marker=dict(color=[SILENT if off else "#56B4E9" for off in silent_here],
                               pattern=dict(hatch, shape=["x" if off else "" for off in silent_here])),
                   text=[value_text(value, ".2f") if off else "" for value, off in zip(Z1, silent_here)],
                   textposition="outside", cliponaxis=False,
                   hovertemplate="%{x}: Z1 = %{y:.4f}<extra></extra>"),
              dict(type="bar", name="A1 = max(0, Z1)", x=labels, y=np.asarray(A1, dtype=float), showlegend=False,
                   marker=dict(color=VALUE), text=["" if off else value_text(value, ".2f")
                                                   for value, off in zip(A1, silent_here)], textposition="outside",
                   cliponaxis=False, hovertemplate="%{x}: A1 = %{y:.4f}<extra></extra>")]
    # Legend-only entries: the bars' own legend swatch would copy whichever style unit 1 happens to have.
    traces += [dict(type="bar", name=name, x=[None], y=[None], marker=marker) for name, marker in (
        ("Z1", dict(color="#56B4E9")), (_("Z1 ≤ 0: off for this image"), dict(color=SILENT, pattern=hatch)),
        ("A1 = max(0, Z1)", dict(color=VALUE)))]
    for trace in traces[:2]:
        trace.update(textangle=-90 if tilted else 0, textfont=dict(size=10))
    # Tilted names longer than "unit 10" (a silent unit's, or Greek ones) take more height under the axis:
    # the figure grows by it, so the bars keep their room.
    longer = max(0, max(len(label) for label in labels) - len("unit 10")) * 4 if tilted else 0
    return figure(traces, title, height + longer, barmode="group", uniformtext=dict(minsize=9, mode="show"),
                  # The legend at the foot of the figure reserves its own rows (wrapped on a phone) and the axis
                  # grows its margin to its tick labels and title: a longer unit name (Greek) overlaps nothing.
                  legend=dict(orientation="h", yref="container", y=0, x=0, yanchor="bottom"),
                  margin=dict(l=50, r=20, t=50, b=10),
                  xaxis=axis(_("hidden unit"), type="category", tickangle=-40 if tilted else 0, automargin=True),
                  yaxis=axis(_("value")))


def grouped_bars(series: dict, labels, title: str, x_title: str, y_title: str, height: int = 300,
                 log_y: bool = False) -> go.Figure:
    """Several named bar series side by side over the same labels."""
    traces = [dict(type="bar", name=name, x=list(labels), y=np.asarray(values, dtype=float))
              for name, values in series.items()]
    return figure(traces, title, height, barmode="group", legend=dict(orientation="h", y=1.12),
                  xaxis=axis(x_title, type="category"), yaxis=axis(y_title, type="log" if log_y else "linear"))


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
