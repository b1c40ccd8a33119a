"""Figure builders: numpy arrays in, plotly figures or small RGB images out. No streamlit here.

Figures are written as plain plotly dicts and wrapped once with validation off: plotly's property
validation (and plotly.express far more, RECIPES.md) costs more than the dict itself, and whatever
a figure costs is paid on every click. The empty template leaves the styling to Streamlit's theme
and keeps the payload small.
"""

import functools
import io
import re
import textwrap
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image, ImageDraw, ImageFont

from locales import N_, PLOTLY_PERCENT, _, ngettext, number, percent, plotly_separators

# --- palette: one meaning per colour on every screen -------------------------------------------
# Categories use Okabe & Ito's colour-blind-safe set; tests/test_palette.py checks that the colours
# that must stay apart do so under a deuteranopia simulation (tests/colour_vision.py).
PREDICTED = "#D55E00"    # vermillion: the network's predicted digit, and only that
TRUE_LABEL = "#000000"   # black outline + "label": the true digit
VALUE = "#0072B2"        # blue: a plain value with no special role
EMPHASIS = "#555555"     # dark grey: the one bar a title points at (e.g. the weakest digit)
SILENT = "#BBBBBB"       # light grey, hatched: a silent hidden unit (Z1 ≤ 0)
LOSS, ACCURACY = "#0072B2", "#009E73"  # Train's curves: blue loss, bluish-green accuracy
# The three dZ2 rules: colour and bar pattern each, so they stay apart under deuteranopia and in grey.
RULE_STYLES = {"document": ("#E69F00", ""), "mse": ("#0072B2", "/"), "cross-entropy": ("#CC79A7", ".")}
RULE_COLOURS = {name: colour for name, (colour, _) in RULE_STYLES.items()}
# Runs compared side by side, in this order.
RUNS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# The training path over viridis: white with a black edge stays visible on its dark purple and its yellow.
TRAJECTORY, TRAJECTORY_EDGE = "#FFFFFF", "#000000"
DASHES = ["solid", "dash", "dot", "dashdot"]
# Diverging ends (ColorBrewer RdBu): blue negative, white zero, red positive. Blue against red stays apart
# under deuteranopia (blue against a dark yellow-brown), unlike red against green.
NEGATIVE, POSITIVE = "#2166ac", "#b2182b"
# RdBu spelled out: with plotly's validation off, a name like "RdBu_r" would reach plotly.js, whose own
# RdBu is grey in the middle.
DIVERGING = [[0.0, "#053061"], [0.1, NEGATIVE], [0.2, "#4393c3"], [0.3, "#92c5de"], [0.4, "#d1e5f0"],
             [0.5, "#f7f7f7"], [0.6, "#fddbc7"], [0.7, "#f4a582"], [0.8, "#d6604d"], [0.9, POSITIVE],
             [1.0, "#67001f"]]
GREYS = [[0.0, "black"], [1.0, "white"]]
VIEWED, EPOCH_LINE = "#E69F00", "#999999"  # orange: a past step opened on the timeline; grey dots: epoch ends
BLUE, RED, GREEN = VALUE, PREDICTED, ACCURACY  # older names, kept for the builders that use them
DIGITS = [str(digit) for digit in range(10)]
# Every label's colour: Streamlit's chart theme greys axis labels to about 3.8:1 on white, below
# WCAG AA's 4.5:1 for 12-px text (tests/test_contrast.py computes the ratio).
FONT_COLOUR = "#3b3b3b"

_FIELD = re.compile(r"(?<!%)\{(\w+)\}")


def fill(template: str, **fields) -> str:
    """A translated hover template with its {named} fields filled in, plotly's own %{…} left as they are.

    str.format would read plotly's %{y:.4f} as a field of its own; the catalog keeps both kinds as written.
    """
    return _FIELD.sub(lambda match: str(fields[match.group(1)]) if match.group(1) in fields else match.group(0),
                      template)


def readable_axes(layout: dict) -> dict:
    """The layout with every axis's tick labels and title, and every annotation, in FONT_COLOUR.

    Streamlit's chart theme sets these colours itself, over layout.font and any template.
    """
    for key, value in layout.items():
        if key[1:5] == "axis" and key[0] in "xy" and isinstance(value, dict):
            title = value.get("title")
            title = {"text": title} if isinstance(title, str) else dict(title or {})
            title["font"] = {"color": FONT_COLOUR, **title.get("font", {})}
            layout[key] = {**value, "tickfont": {"color": FONT_COLOUR, **value.get("tickfont", {})}, "title": title}
    if "annotations" in layout:
        layout["annotations"] = [{**note, "font": {"color": FONT_COLOUR, **note.get("font", {})}}
                                 for note in layout["annotations"]]
    layout.setdefault("xaxis", {"tickfont": {"color": FONT_COLOUR}, "title": {"font": {"color": FONT_COLOUR}}})
    layout.setdefault("yaxis", {"tickfont": {"color": FONT_COLOUR}, "title": {"font": {"color": FONT_COLOUR}}})
    return layout


# --- numbering: what a person reads counts from 1, as the design document does ------------------
# Hidden units H_1..H_h and pixels P_1..P_784 from 1; the ten outputs by their digit 0..9 (the
# document's y_1..y_10). Code indices stay 0-based; only these labels change.

def unit_labels(hidden: int, silent=None) -> list:
    """'unit 1'..'unit h', with ' · silent' after each unit the mask marks."""
    silent = np.zeros(hidden, dtype=bool) if silent is None else np.asarray(silent, dtype=bool)
    named, named_silent = _("unit {number}"), _("unit {number} · silent")
    return [(named_silent if silent[k] else named).format(number=k + 1) for k in range(hidden)]


def unit_tile_labels(silent, off=None) -> list[tuple[str, str]]:
    """Each unit's two-line label for unit_mosaic: "unit k", and "silent" or "off" (off for this image) under it."""
    named, silent_word, off_word = _("unit {number}"), _("silent"), _("off")
    return [(named.format(number=unit + 1), silent_word if silent[unit] else off_word if off is not None and off[unit]
             else "") for unit in range(len(silent))]


def axis(title: str, **options) -> dict:
    return dict(title=dict(text=title), **options)


PHONE_TITLE_CHARACTERS = 44  # a 14-px title line across a 390-px phone's chart
PHONE_COLUMNS = 2  # images a row in an image grid on a phone: an 11-px title of ~22 letters per ~160 px


def on_a_phone() -> bool:
    """The browser says it is a phone (its user agent); False outside a browser's run (a benchmark)."""
    try:
        return "Mobile" in (st.context.headers.get("User-Agent") or "")
    except Exception:  # noqa: BLE001 - no browser session behind this call
        return False


def fitted_title(title: str) -> str:
    """On a phone, a long title broken into lines at spaces: plotly never wraps one, it cuts it.

    A title with markup other than <br> is left as it is (a break inside a tag would show the tag).
    """
    if not on_a_phone() or len(title) <= PHONE_TITLE_CHARACTERS or re.search(r"<(?!br>)", title):
        return title
    return "<br>".join("<br>".join(textwrap.wrap(line, PHONE_TITLE_CHARACTERS)) for line in title.split("<br>"))


def figure(traces: list, title: str, height: int, **layout) -> go.Figure:
    """A figure with the shared look: a title (fitted to a phone), compact margins, the given axes and options."""
    # A space before each break: the svg keeps the lines apart, but its text (what a screen reader or a
    # copy reads) ran them together, "projected(white dots)".
    fitted = re.sub(r"(?<! )<br>", " <br>", fitted_title(title))
    # A title broken with <br> (plotly never wraps one) gets a taller top margin, whatever broke it: the
    # caller, the translator or the phone (else its second line lies over the plot).
    margin = {"l": 50, "r": 20, "b": 40, **layout.pop("margin", {})}
    margin["t"] = max(margin.get("t", 0), 40 + 18 * fitted.count("<br>"))
    # Hung from the top: plotly otherwise puts the first line's baseline mid-margin and the rest run down
    # into the plot.
    layout = {"title": dict(text=fitted, font=dict(size=14), yref="container", y=1, yanchor="top", pad=dict(t=10)),
              "height": height, "font": dict(size=12, color=FONT_COLOUR),
              "separators": plotly_separators(),  # d3's number formats (hover, ticks, texttemplate) in the language's signs
              "margin": margin, "template": {}, **layout}
    return go.Figure(data=traces, layout=readable_axes(layout), _validate=False)


class PlainFigure(go.Figure):
    """A figure kept as the plain dict plotly.js reads, for the chart redrawn on every click.

    st.plotly_chart asks a figure for to_dict() and serialises that; a go.Figure first copies its
    whole tree into plotly's property objects and back, this one hands over its dict. It cannot be edited like a go.Figure: build it complete.
    """

    def __init__(self, traces: list, layout: dict):  # plotly's own constructor is skipped on purpose
        self._plain = {"data": traces, "layout": readable_axes({"separators": plotly_separators(), **layout})}

    def to_dict(self) -> dict:
        return self._plain


def symmetric_limit(values: np.ndarray) -> float:
    """The largest |value|, so a diverging scale is centred at 0 (never 0 itself)."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def colour_scale(values, diverging: bool, limit: float | None = None) -> dict:
    """Heatmap colour options: diverging ones centred at 0 with ±limit, or grey from 0."""
    if diverging:
        limit = limit or symmetric_limit(values)
        return dict(colorscale=DIVERGING, zmid=0, zmin=-limit, zmax=limit)
    return dict(colorscale=GREYS, zmin=0, zmax=float(np.nanmax(values)) or 1.0)


def colour_bar(title: str) -> dict:
    return dict(title=dict(text=title, side="right", font=dict(color=FONT_COLOUR)), thickness=12, xpad=4,
                tickfont=dict(color=FONT_COLOUR))


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


def network_diagram(hidden: int, width: int = 640, height: int = 420) -> str:
    """784 inputs (collapsed to a few), the hidden ReLU units and the 10 softmax outputs, as SVG.

    An SVG image rather than a chart: the Home screen is the first one a learner opens, and a
    plotly chart there would make its first draw wait for the plotly library.
    """
    inputs = ["p1", "p2", "p3", "⋮", "p783", "p784"]
    units = [f"H{k}" for k in range(1, hidden + 1)] if hidden <= 12 else [f"H{k}" for k in range(1, 11)] + ["⋮", f"H{hidden}"]
    layers = [(90, inputs), (width / 2, units), (width - 90, DIGITS)]
    top, bottom = 70, height - 50

    def heights(count):
        return [top + (bottom - top) * i / max(count - 1, 1) for i in range(count)] if count > 1 else [(top + bottom) / 2]

    placed = [(x, list(zip(heights(len(names)), names))) for x, names in layers]
    lines = [f'<line x1="{x0}" y1="{y0:.1f}" x2="{x1}" y2="{y1:.1f}" stroke="#c5cdd8" stroke-width="0.7"/>'
             for (x0, nodes0), (x1, nodes1) in zip(placed, placed[1:])
             for y0, name in nodes0 if name != "⋮" for y1, _ in nodes1]
    colours = ["#fdd0a2", "#9ecae1", "#a1d99b"]
    nodes = []
    for (x, column), colour in zip(placed, colours):
        for y, name in column:
            if name != "⋮":
                nodes.append(f'<circle cx="{x}" cy="{y:.1f}" r="13" fill="{colour}" stroke="#555"/>')
            nodes.append(f'<text x="{x}" y="{y + 4:.1f}" font-size="11" text-anchor="middle">{name}</text>')
    captions = [(90, 22, _("input x = p / 255")), (90, 40, _("784 pixels")),
                (width / 2, 22, _("hidden A1 = ReLU(Z1)")), (width / 2, 40, _("units 1…{hidden}").format(hidden=hidden)),
                (width - 90, 22, _("output A2 = softmax(Z2)")), (width - 90, 40, _("digits 0…9 (y₁…y₁₀)")),
                ((90 + width / 2) / 2, height - 12, "W1 (784×h), b1"),
                ((width / 2 + width - 90) / 2, height - 12, "W2 (h×10), b2")]
    texts = [f'<text x="{x}" y="{y}" font-size="13" text-anchor="middle">{text}</text>' for x, y, text in captions]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif">' + "".join(lines + nodes + texts) + "</svg>")


# --- small RGB images (st.image): a few ms to send, far cheaper for the browser than a chart ---

def diverging_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """Map values to RGB uint8: blue for negative, white at 0, red for positive, ±limit saturated."""
    limit = limit or symmetric_limit(values)
    t = np.clip(np.nan_to_num(values) / limit, -1.0, 1.0)[..., None]
    white, red, blue = np.array([255, 255, 255.0]), np.array([178, 24, 43.0]), np.array([33, 102, 172.0])  # POSITIVE, NEGATIVE
    rgb = np.where(t >= 0, white + t * (red - white), white - t * (blue - white))
    return rgb.astype(np.uint8)


def rgb_mosaic(images: np.ndarray, columns: int, scale: int = 3, limit: float | None = None) -> np.ndarray:
    """Tile (k, 28, 28) signed images into one diverging RGB image, enlarged scale times."""
    tiled = mosaic(images, columns, gutter=2)
    rgb = diverging_rgb(tiled, limit)
    rgb[np.isnan(tiled)] = 240
    return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)


def grey_image(image: np.ndarray, scale: int = 4) -> np.ndarray:
    """A uint8 grey image enlarged by pixel repetition (stays crisp, unlike browser smoothing)."""
    return np.repeat(np.repeat(np.asarray(image, dtype=np.uint8), scale, axis=0), scale, axis=1)


def png(image: np.ndarray) -> bytes:
    """A uint8 image as PNG bytes, fast compression: crisp edges, unlike st.image's default JPEG."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


# --- the Draw screen's preprocessing stages ---

MARK = np.array([255, 176, 0], dtype=np.uint8)  # amber: stands out on black paper and white ink alike
PADDING = 96  # mid-dark grey around a stage image, so the image's own black edge stays visible


def marked_stage(image: np.ndarray, scale: int = 1, box=None, cross=None, display: int = 150) -> np.ndarray:
    """A grey uint8 stage image as RGB, enlarged scale times, padded square, with marks in amber.

    box: (top, bottom, left, right), half-open in the image's pixels, drawn as an outline;
    cross: (row, column) with pixel centres at whole numbers (a centre of mass), drawn as a small +.
    Marks are about 2 screen pixels thick when the result is shown `display` pixels wide.
    """
    grey = grey_image(image, scale)
    height, width = grey.shape
    side = max(height, width)
    thickness = max(1, round(2 * side / display))
    rgb = np.full((side, side, 3), PADDING, dtype=np.uint8)
    top, left = (side - height) // 2, (side - width) // 2
    rgb[top:top + height, left:left + width] = grey[..., None]
    if box is not None:
        row0, row1 = top + box[0] * scale, top + box[1] * scale
        column0, column1 = left + box[2] * scale, left + box[3] * scale
        for rows, columns in (((row0, row0 + thickness), (column0, column1)),
                              ((row1 - thickness, row1), (column0, column1)),
                              ((row0, row1), (column0, column0 + thickness)),
                              ((row0, row1), (column1 - thickness, column1))):
            rgb[max(rows[0], 0):rows[1], max(columns[0], 0):columns[1]] = MARK
    if cross is not None:
        row = top + int((cross[0] + 0.5) * scale)
        column = left + int((cross[1] + 0.5) * scale)
        arm, half = max(3 * thickness, int(1.5 * scale)), thickness // 2 + thickness % 2
        rgb[max(row - arm, 0):row + arm + 1, max(column - half + 1, 0):column + half] = MARK
        rgb[max(row - half + 1, 0):row + half, max(column - arm, 0):column + arm + 1] = MARK
    return rgb


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


def loss_surface_3d(result, z_title: str) -> go.Figure:
    """The loss over the plane as a 3-D surface, the trajectory's shadow on it and the current point."""
    on_plane, trajectory, current = _("a %{x:.2f}, b %{y:.2f}: loss %{z:.4f}"), _("trajectory (projected)"), _("current θ")
    point = _("step {step}: surface loss {loss}")
    traces = [dict(type="surface", x=result.alphas, y=result.betas, z=result.losses, colorscale="Viridis",
                   colorbar=colour_bar(_("loss")), opacity=0.92, hovertemplate=on_plane + "<extra></extra>"),
              # Lifted by 2% of the loss range, so the surface does not swallow the path where they touch.
              dict(type="scatter3d", x=result.trajectory_a, y=result.trajectory_b,
                   z=result.trajectory_surface_loss + 0.02 * float(np.ptp(result.losses)),
                   mode="lines+markers", name=trajectory, line=dict(color=TRAJECTORY, width=9),
                   marker=dict(size=5, color=TRAJECTORY, line=dict(color=TRAJECTORY_EDGE, width=1.5)),
                   text=[point.format(step=number(step), loss=number(value, ".4f")) for step, value in
                         zip(result.trajectory_steps, result.trajectory_surface_loss)],
                   hovertemplate="%{text}<extra></extra>"),
              dict(type="scatter3d", x=[0], y=[0], z=[result.current_loss], mode="markers", name=current,
                   marker=dict(size=6, color="white", line=dict(color="black", width=2)))]
    scene = dict(xaxis=axis(_("a (along d1)")), yaxis=axis(_("b (along d2)")), zaxis=axis(z_title),
                 camera=dict(eye=dict(x=1.9, y=-1.9, z=1.25)),  # far enough for the axis titles to stay in view
                 # A square floor whatever the ranges: the principal directions' a and b span very different
                 # lengths, and plotly's "auto" then draws the data's proportions, a thin vertical stack.
                 aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.75))
    return figure(traces, _("Loss over the plane θ + a·d1 + b·d2"), 480, scene=scene, showlegend=False,
                  margin=dict(l=0, r=0, t=40, b=0))


def loss_contour(result, z_title: str) -> go.Figure:
    """The same grid as contours seen from above, with the projected trajectory and the current point."""
    trajectory, current, point = _("trajectory (projected)"), _("current θ"), _("step {step}, {distance} off the plane")
    traces = [dict(type="contour", x=result.alphas, y=result.betas, z=result.losses, colorscale="Viridis",
                   colorbar=colour_bar(z_title), ncontours=25,
                   hovertemplate=_("a %{x:.2f}, b %{y:.2f}: loss %{z:.4f}") + "<extra></extra>"),
              # a black line under the white one: an edge that shows on viridis' yellow as well as its purple
              dict(type="scatter", x=result.trajectory_a, y=result.trajectory_b, mode="lines", showlegend=False,
                   line=dict(color=TRAJECTORY_EDGE, width=5), hoverinfo="skip"),
              dict(type="scatter", x=result.trajectory_a, y=result.trajectory_b, mode="lines+markers",
                   name=trajectory, line=dict(color=TRAJECTORY, width=2.5),
                   marker=dict(size=7, color=TRAJECTORY, line=dict(color=TRAJECTORY_EDGE, width=1.5)),
                   text=[point.format(step=number(step), distance=number(distance, ".3g")) for step, distance in
                         zip(result.trajectory_steps, result.trajectory_distance)],
                   hovertemplate="%{text}<extra></extra>"),
              dict(type="scatter", x=[0], y=[0], mode="markers", name=current,
                   marker=dict(size=16, color="white", symbol="star", line=dict(color="black", width=1.5)))]
    title = _("Contours: the path projected<br>(white dots), θ (star)")
    return figure(traces, title, 480,
                  xaxis=axis(_("a (along d1)"), automargin=True), yaxis=axis(_("b (along d2)"), scaleanchor="x"),
                  # at the foot of the figure, in rows of its own: never over the axis title
                  legend=dict(orientation="h", yref="container", y=0, yanchor="bottom"),
                  margin=dict(l=50, r=20, t=40 + 18 * title.count("<br>"), b=10))


class TrainingCurves(NamedTuple):
    """The running curves as drawn: trailing means over `window` steps, and the test accuracy points."""

    steps: np.ndarray  # the step each point ends at
    loss: np.ndarray  # mean Σ(A2 − y)² over the `window` steps up to it (fewer at the start)
    accuracy: np.ndarray  # fraction predicted right over the same steps
    window: int  # steps per mean
    bin_width: int  # steps per bin of the history the means are taken from
    test_steps: list  # the step each epoch ended at ...
    test_accuracy: list  # ... and the test accuracy then
    viewed: int | None = None  # a past step opened on the timeline, marked on the curves


CURVE_POINTS = 300  # points per curve sent to the browser: enough for the eye, small to redraw
MIN_WINDOW = 20  # steps per mean at least: one sample's loss and right/wrong are too noisy to read


def trailing_means(sums: np.ndarray, counts: np.ndarray, window_bins: int) -> np.ndarray:
    """Mean over the last `window_bins` bins at each bin: Σ sums / Σ counts, fewer bins at the start."""
    total_sums = np.cumsum(sums, axis=0)
    total_counts = np.cumsum(counts)
    total_sums[window_bins:] -= total_sums[:-window_bins].copy()
    total_counts[window_bins:] -= total_counts[:-window_bins].copy()
    return total_sums / total_counts[:, None]


def training_curves(bins, loss_column: int, correct_column: int, test_accuracy) -> TrainingCurves:
    """Smooth a history's bins (core/history.py BinnedSeries) into trailing means for the Train chart.

    The window grows with the run (a fortieth of it, at least MIN_WINDOW steps) so the curve shows
    the trend at any length; at most CURVE_POINTS points are kept, the last one always.
    """
    filled = np.flatnonzero(bins.counts)
    counts = bins.counts[filled]
    window_bins = max(1, -(-max(MIN_WINDOW, bins.steps // 40) // bins.width))
    means = trailing_means(bins.sums[filled][:, [loss_column, correct_column]], counts, window_bins)
    ends = filled * bins.width + counts
    keep = np.arange(len(filled) - 1, -1, -max(1, -(-len(filled) // CURVE_POINTS)))[::-1]
    return TrainingCurves(ends[keep], means[keep, 0], means[keep, 1], window_bins * bins.width, bins.width,
                          [step for _, step, _ in test_accuracy], [accuracy for _, _, accuracy in test_accuracy])


def _curve_panels(curves: TrainingCurves, x_domain, loss_domain=(0.6, 1.0), accuracy_domain=(0.0, 0.4),
                  title_gap=0.09) -> tuple[list, dict, list]:
    """Loss above, training accuracy below, one shared step axis: traces, axes and panel titles."""
    traces = [dict(type="scatter", name=_("loss"), x=curves.steps, y=curves.loss, xaxis="x2", yaxis="y2", mode="lines",
                   line=dict(color=BLUE), hovertemplate=_("loss %{y:.4f} over the steps to %{x:,}") + "<extra></extra>"),
              dict(type="scatter", name=_("training accuracy"), x=curves.steps, y=curves.accuracy, xaxis="x2",
                   yaxis="y3", mode="lines", line=dict(color=GREEN),
                   hovertemplate=fill(_("{accuracy} right over the steps to %{x:,}"), accuracy=PLOTLY_PERCENT) + "<extra></extra>")]
    if curves.test_steps:
        test = _("test {accuracy}")
        traces.append(dict(type="scatter", name=_("test accuracy"), x=curves.test_steps, y=curves.test_accuracy,
                           xaxis="x2", yaxis="y3",
                           mode="markers+text", marker=dict(color="black", symbol="diamond", size=8),
                           text=[test.format(accuracy=percent(value)) for value in curves.test_accuracy],
                           textposition="bottom left", cliponaxis=False,
                           hovertemplate=fill(_("test accuracy {accuracy} after step %{x:,}"), accuracy=PLOTLY_PERCENT) + "<extra></extra>"))
    # Epoch boundaries dotted and a viewed past step solid, across both panels.
    lines = [(step, dict(color=EPOCH_LINE, width=1, dash="dot")) for step in curves.test_steps]
    if curves.viewed is not None:
        lines.append((curves.viewed, dict(color=VIEWED, width=2)))
    axes = dict(shapes=[dict(type="line", xref="x2", yref="paper", x0=step, x1=step, y0=accuracy_domain[0],
                             y1=loss_domain[1], line=line) for step, line in lines],
                xaxis2=axis(_("step"), domain=x_domain, anchor="y3"),
                yaxis2=axis(_("loss"), domain=list(loss_domain), anchor="x2", rangemode="tozero"),
                yaxis3=axis(_("accuracy"), domain=list(accuracy_domain), anchor="x2", range=[0, 1.05], tickformat=".0%",
                            dtick=0.25))
    # The line's colour in a swatch, the words in the text colour: the green is too light for text.
    titles = [(x_domain[0], loss_domain[1] + title_gap,
               f"<span style='color:{BLUE}'>━━</span> <b>" + _("Loss Σ(A2 − y)²") + "</b>"),
              (x_domain[0], accuracy_domain[1] + title_gap,
               f"<span style='color:{GREEN}'>━━</span> <b>" + _("Training accuracy") + "</b>"
               + (_(" · ◆ test") if curves.test_steps else ""))]
    return traces, axes, titles


def _notes(titles) -> list:
    return [dict(x=x, y=y, xref="paper", yref="paper", xanchor="left", yanchor="bottom", text=text,
                 showarrow=False, font=dict(size=13)) for x, y, text in titles]


def probabilities_and_curves(A2, prediction: int, verdict: str, curves: TrainingCurves,
                             stacked: bool = False) -> go.Figure:
    """One figure, three panels: this sample's A2 as bars; the running loss and accuracy, each on its own axis.

    One chart, not three, with panel titles instead of a legend: this figure is redrawn on every
    Step, and in the browser each chart and legend adds to that redraw. Side by side on a laptop;
    stacked (bars above the curves) on a phone, where three panels in a row would be squashed.
    """
    colours = [RED if digit == prediction else BLUE for digit in range(10)]
    traces = [dict(type="bar", x=DIGITS, y=A2, marker=dict(color=colours), xaxis="x", yaxis="y",
                   text=[number(value, ".2f") for value in A2], textposition="outside", cliponaxis=False,
                   hovertemplate=_("digit %{x}: %{y:.4f}") + "<extra></extra>")]
    if stacked:
        curve_traces, axes, titles = _curve_panels(curves, [0.0, 1.0], (0.31, 0.49), (0.0, 0.18), 0.04)
        bars_x, bars_y, bars_title, height = [0.0, 1.0], [0.71, 1.0], 1.04, 640
    else:
        curve_traces, axes, titles = _curve_panels(curves, [0.47, 1.0])
        bars_x, bars_y, bars_title, height = [0.0, 0.36], [0.0, 1.0], 1.1, 340
    return PlainFigure(traces + curve_traces, dict(
        height=height, font=dict(size=12), template={}, showlegend=False, margin=dict(l=50, r=20, t=40, b=45),
        annotations=_notes([(0.0, bars_title, "<b>" + _("A2: predicted {digit} ({verdict})").format(
            digit=prediction, verdict=verdict) + "</b>"), *titles]),
        xaxis=axis(_("digit"), domain=bars_x, type="category"),
        yaxis=axis(_("probability"), domain=bars_y, range=[0, 1.2]), **axes))


def window_text(curves: TrainingCurves) -> str:
    """What one point of the curves averages, for the caption under them."""
    if curves.steps.size and curves.steps[0] < curves.window:
        text = ngettext("Each point of the loss and accuracy curves is the mean over the last {window} steps "
                        "(fewer at the start); the run's history keeps bins of {width} step.",
                        "Each point of the loss and accuracy curves is the mean over the last {window} steps "
                        "(fewer at the start); the run's history keeps bins of {width} steps.", curves.bin_width)
    else:
        text = ngettext("Each point of the loss and accuracy curves is the mean over the last {window} steps; "
                        "the run's history keeps bins of {width} step.",
                        "Each point of the loss and accuracy curves is the mean over the last {window} steps; "
                        "the run's history keeps bins of {width} steps.", curves.bin_width)
    return text.format(window=number(curves.window), width=number(curves.bin_width))


def curves_figure(curves: TrainingCurves) -> go.Figure:
    """The running loss and training accuracy alone (no step in memory, or an epoch running)."""
    traces, axes, titles = _curve_panels(curves, [0.0, 1.0])
    return PlainFigure(traces, dict(height=340, font=dict(size=12), template={}, showlegend=False,
                                    margin=dict(l=50, r=20, t=40, b=45), annotations=_notes(titles), **axes))


def epoch_accuracy(epochs, accuracy, height: int = 260) -> go.Figure:
    """Test accuracy after each epoch, each point labelled with its value."""
    trace = dict(type="scatter", x=list(epochs), y=list(accuracy), mode="lines+markers+text",
                 text=[percent(value) for value in accuracy], textposition="bottom right", cliponaxis=False,
                 line=dict(color="black"), hovertemplate=fill(_("epoch %{x}: {accuracy}"), accuracy=PLOTLY_PERCENT) + "<extra></extra>")
    return figure([trace], _("Test accuracy after each epoch"), height, showlegend=False,
                  margin=dict(l=60, r=40, t=40, b=45),
                  xaxis=axis(_("epoch"), dtick=1, range=[0.5, max(epochs) + 0.5]),
                  yaxis=axis(_("accuracy ({count} test images)").format(count=number(10_000)), range=[0, 1.05],
                             tickformat=".0%"))


def unit_mosaic(images: np.ndarray, labels: list[tuple[str, str]], greyed: np.ndarray, columns: int = 10,
                scale: int = 3, limit: float | None = None) -> np.ndarray:
    """One RGB image of (k, 28, 28) signed images in a diverging scale, each under a two-line label.

    Greyed images are drawn flat grey (e.g. a unit whose update is exactly zero), so "no change"
    never passes for "a change too small to see".
    """
    size = images.shape[1] * scale
    tiles = np.repeat(np.repeat(diverging_rgb(images, limit), scale, axis=1), scale, axis=2)
    tiles[greyed] = GREYED
    rows = -(-len(images) // columns)
    gutter = 2 * scale
    picture = np.full((rows * (LABEL_HEIGHT + size + gutter), columns * (size + gutter) - gutter, 3), 255, np.uint8)
    for index, tile in enumerate(tiles):
        row, column = divmod(index, columns)
        top, left = row * (LABEL_HEIGHT + size + gutter) + LABEL_HEIGHT, column * (size + gutter)
        picture[top:top + size, left:left + size] = tile
        picture[top - LABEL_HEIGHT:top, left:left + size] = _label(labels[index], size)
    return picture


GREYED = np.array([200, 200, 200], dtype=np.uint8)
LABEL_HEIGHT = 30


@functools.lru_cache(maxsize=256)
def _label(lines: tuple[str, str], width: int) -> np.ndarray:
    """Two short lines of dark text on white, `width` pixels wide, drawn once per text."""
    image = Image.new("RGB", (width, LABEL_HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(lines):
        draw.text((1, 1 + 14 * row), text, fill=(40, 40, 40), font=label_font(text))
    return np.asarray(image)


@functools.lru_cache(maxsize=1)
def _font():
    return ImageFont.load_default(size=12)


# Pillow's own font (Aileron) has Latin letters only: Greek would come out as empty boxes. Text beyond
# ASCII is drawn with a system font that has Greek (Debian's fonts-dejavu-core: DejaVu Sans), narrow
# first, as a tile is 84 pixels wide; English keeps Pillow's font.
WIDE_FONTS = ("DejaVuSansCondensed.ttf", "DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf")


@functools.lru_cache(maxsize=4)
def _wide_font(size: int):
    for name in WIDE_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def label_font(text: str, size: int = 12):
    """The font to draw `text` with in a picture: Pillow's for ASCII, one with Greek letters otherwise."""
    if text.isascii():
        return _font() if size == 12 else ImageFont.load_default(size=size)
    return _wide_font(size)


def weight_template_image(W1: np.ndarray, silent: np.ndarray) -> tuple[np.ndarray, float]:
    """W1's columns as 28×28 tiles, 10 per row, silent units labelled, with the colour strip; and its ±limit."""
    limit = symmetric_limit(W1)
    tiles = unit_mosaic(W1.T.reshape(-1, 28, 28), unit_tile_labels(silent), np.zeros(W1.shape[1], bool), limit=limit)
    return with_colour_strip(tiles, limit), limit


def with_colour_strip(image: np.ndarray, limit: float, height: int = 12, gap: int = 8) -> np.ndarray:
    """An RGB image with the colour bar of diverging_rgb under it: −limit left, 0 white, +limit right.

    Drawn into the same image so the screen sends one picture, not two.
    """
    width = image.shape[1]
    strip = np.repeat(diverging_rgb(np.linspace(-limit, limit, width // 3), limit)[None], height, axis=0)
    below = np.full((gap + height, width, 3), 255, dtype=np.uint8)
    below[gap:, : strip.shape[1]] = strip
    return np.concatenate([image, below])


# --- Errata screen -----------------------------------------------------------------------------
# Each rule's colour and bar pattern come from RULE_STYLES in the palette at the top.
# Shown in the language of the screen: _(RULE_NAMES[name]).
RULE_NAMES = {"document": N_("document: 2(A2 − y)"), "mse": N_("exact MSE: J·2(A2 − y)"),
              "cross-entropy": N_("cross-entropy: A2 − y")}


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
        rule = _(RULE_NAMES[name])
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


def signed_tile(values: np.ndarray, limit: float, scale: int = 6) -> np.ndarray:
    """A signed 28x28 map as a crisp diverging RGB image (±limit saturated), framed in grey so white edges show."""
    rgb = np.repeat(np.repeat(diverging_rgb(values, limit), scale, axis=0), scale, axis=1)
    return np.pad(rgb, ((2, 2), (2, 2), (0, 0)), constant_values=170)


def colour_legend(limit: float, width: int = 256, height: int = 14) -> np.ndarray:
    """The diverging colour scale of signed_tile as a strip: −limit at the left, 0 white, +limit at the right."""
    return np.repeat(diverging_rgb(np.linspace(-limit, limit, width), limit)[None], height, axis=0)
