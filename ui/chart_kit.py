"""Charts drawn in the browser from compact numbers: bars, grouped bars, histograms, lines and images.

A screen whose charts come from here never loads plotly (a ~3.5 MB script that each browser tab
compiles the first time it shows a plotly chart, ~1.3 s: issue 24). One component
(static/chart_kit.js, with static/chart_bars.js, chart_lines.js, chart_image.js, chart_tiles.js, chart_cells.js
and chart_kit.css, served from static/ by ui/static_component.py, so fetched once and cached) draws every kind. Python
sends a spec: the words, made here in the session's language (titles, axis titles, value labels,
hover text, the alt text a screen reader reads), and the numbers as float32 or uint8 arrays in one
blob (ui/step_payload.encode). The browser writes only axis ticks and the numbers of hover
templates, with the language's decimal sign; every text goes in as text, never as HTML.

Python API (each builder returns a Chart; show() mounts it):

    bars(values, labels, title, x_title, y_title, highlight=None, true_label=None, emphasis=None,
         hatched=None, muted=None, text_format=".2f", hover_name="", y_range=None, height=260)
        (patterns: "x" hatched; grouped_bars also takes "/" and ".")
        one bar per label with its value written on it; highlight: the predicted digit (vermillion),
        emphasis: dark grey, true_label: black outline and "label" above, hatched: grey hatched
        (off for this image), muted: grey (a silent unit), as figures.bars and figures.unit_bars.
    across(values, labels, colours, title, x_title, hover_format=".6f", height=None)
        horizontal bars, one a row from the top, each its colour, its name on its left, hover "name: value"
        (the terms of "Explain this number"); height 60 + 24 a row without it.
    hidden_layer(Z1, A1, off, silent, title, height=400)
        Z1 and A1 side by side for units 1…h (figures.hidden_layer_bars), with its legend.
    grouped_bars(series, labels, title, x_title, y_title, height=300, styles=None, hover=None, legend_top=True)
        several named series ({name: values}) side by side, a legend; styles {name: (colour, pattern)},
        hover {name: [text per bar]} (the dZ2 rules: figures.RULE_STYLES and their own words).
    dZ2_rules(rules, label, height=320)
        the three dZ2 rules side by side per digit (Gradients; Errata's figures.dZ2_rules_figure).
    histogram(counts, title, x_title, y_title, log_y=True, height=300)
        counts of the values 0…n−1 as thin bars, a numeric x axis, hover "p: count".
    lines(x, series, title, x_title, y_title, log_y=False, height=300)
        named curves over one x axis, each its palette colour and dash, hover "name: value at x".
    image(pixels, title, height=320, colorbar_title="pixel")
        a grey uint8 image (0 black, 255 white), rows and columns numbered from 1, a colour bar, and
        per-cell hover "pixel i (row r, column c): p".

    tiles(images, titles, title, colorbar_title, hover, columns=5, greyed=None)
        signed square images side by side on one diverging scale (a gradient per hidden unit), each
        under its title, greyed ones veiled; hover a template with {tile}, {pixel} and {value};
        a click's series is the tile, its index the pixel.

    Beside it: ui/chart_heatmap.heatmap (a matrix on any colour scale, rows and columns named, its values
    written in the cells or only on hover, a block outlined: the confusion matrix, the softmax Jacobian, and
    chart_heatmap.signed for a signed matrix on the diverging scale: Gradients' dW2), and lines' options for an axis of epochs
    (ui/chart_epochs.py: steps, markers, labels at the points, y_ticks made here).

    show(chart, key, on_click=None)
        draw it; on_click(series, index), if given, runs (before the rerun) when a bar, a point or a
        cell is clicked or chosen with Enter: series 0… in the order given, index 0… along the
        labels (an image's cell: row × columns + column). explaining.kit_click makes one that opens
        "Explain this number".

Every chart is focusable: the arrow keys move from bar to bar (cell to cell, point to point) and
a live region reads out what the pointer would show; Home and End go to the ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import streamlit as st

from locales import N_, _, number, number_separators
from ui import figures, static_component
from ui.figures import EMPHASIS, FONT_COLOUR, MUTED, PREDICTED, RUNS, SILENT, VALUE, unit_labels, value_text
from ui.step_payload import encode

GREY = [[0.0, "#000000"], [1.0, "#ffffff"]]  # an image's pixels: black 0 to white 255
Z1_COLOUR = "#56B4E9"  # figures.hidden_layer_bars' Z1: sky blue beside A1's blue
HISTOGRAM = "#555555"

# Until its script has drawn the chart, the component holds this mark: deploy/browser.SETTLED (tests, benchmarks)
# waits for every one to be gone, so a screen counts as open once its charts are drawn, as with plotly's.
PENDING = '<div class="ck-pending"></div>'
_component = static_component.component("backprop_chart_kit", "chart_kit.js", html=PENDING)


@dataclass
class Chart:
    """What the browser draws: JSON fields (words, colours, options) and the numbers as arrays."""

    fields: dict
    blocks: dict = field(default_factory=dict)


def _common(kind: str, title: str, x_title: str, y_title: str, height: int, alt: str) -> dict:
    """The fields every kind has. A translation's plotly line break (<br>) breaks a title's line here (the
    browser writes it as text, never as HTML) and is a space anywhere else."""
    return {"kind": kind, "title": title.replace("<br>", "\n"), "x_title": _flat(x_title), "y_title": _flat(y_title),
            "height": int(height), "alt": _flat(alt), "separators": number_separators(), "font_colour": FONT_COLOUR}


def _flat(text: str) -> str:
    return text.replace(" <br>", " ").replace("<br>", " ")


def _listed(labels, texts) -> str:
    return ", ".join(f"{label}: {text}" for label, text in zip(labels, texts))


def bars(values, labels, title: str, x_title: str, y_title: str, highlight: int | None = None,
         true_label: int | None = None, emphasis: int | None = None, hatched=None, muted=None,
         text_format: str = ".2f", hover_name: str = "", y_range=None, height: int = 260) -> Chart:
    """Labelled bars with their values written on them, each role in its palette colour (figures.bars)."""
    values = np.asarray(values, dtype=np.float64)
    count = len(values)
    hatched = np.zeros(count, bool) if hatched is None else np.asarray(hatched, bool)
    muted = np.zeros(count, bool) if muted is None else np.asarray(muted, bool)
    labels = [str(label) for label in labels]
    colours = [PREDICTED if i == highlight else EMPHASIS if i == emphasis else SILENT if hatched[i]
               else MUTED if muted[i] else VALUE for i in range(count)]
    texts = [value_text(value, text_format) for value in values]
    series = [{"name": y_title, "colours": colours, "patterns": ["x" if off else "" for off in hatched], "text": texts,
               "hover": [f"{hover_name}{label}: {number(value, '.4f')}" for label, value in zip(labels, values)]}]
    fields = _common("bars", title, x_title, y_title, height, f"{title}. {_listed(labels, texts)}")
    fields.update(labels=labels, series=series, y_range=None if y_range is None else [float(v) for v in y_range],
                  outline=None if true_label is None else int(true_label), outline_text=_("label"))
    return Chart(fields, {"values": values.astype(np.float32)})


def across(values, labels, colours, title: str, x_title: str, hover_format: str = ".6f",
           height: int | None = None) -> Chart:
    """Horizontal bars, the first label's on top, each its colour; hover and alt text "label: value"."""
    values = np.asarray(values, dtype=np.float64)
    labels = [str(label) for label in labels]
    texts = [number(value, hover_format) for value in values]
    series = [{"name": x_title, "colours": list(colours), "patterns": [""] * len(labels), "text": [""] * len(labels),
               "hover": [f"{label}: {text}" for label, text in zip(labels, texts)]}]
    fields = _common("bars", title, x_title, "", height or 60 + 24 * len(labels), f"{title}. {_listed(labels, texts)}")
    fields.update(labels=labels, series=series, y_range=None, outline=None, horizontal=True)
    return Chart(fields, {"values": values.astype(np.float32)})


def hidden_layer(Z1, A1, off, silent, title: str, height: int = 400) -> Chart:
    """Z1 and A1 = ReLU(Z1) side by side for units 1…h; each unit's value written once (figures.hidden_layer_bars).

    On the A1 bar when the unit is on (there A1 = Z1), on the Z1 bar when it is off (there A1 = 0, no
    bar); an off unit's Z1 bar grey and hatched, a unit silent on the whole probe named "unit k · silent".
    """
    Z1, A1, off = np.asarray(Z1, np.float64), np.asarray(A1, np.float64), np.asarray(off, bool)
    labels = unit_labels(len(Z1), silent)
    series = [{"name": _("Z1 (before ReLU)"), "colours": [SILENT if o else Z1_COLOUR for o in off],
               "patterns": ["x" if o else "" for o in off],
               "text": [value_text(v, ".2f") if o else "" for v, o in zip(Z1, off)],
               "hover": [f"{label}: Z1 = {number(v, '.4f')}" for label, v in zip(labels, Z1)]},
              {"name": "A1 = max(0, Z1)", "colours": [VALUE] * len(A1), "patterns": [""] * len(A1),
               "text": ["" if o else value_text(v, ".2f") for v, o in zip(A1, off)],
               "hover": [f"{label}: A1 = {number(v, '.4f')}" for label, v in zip(labels, A1)]}]
    said = [f"Z1 = {number(z, '.2f')}, A1 = {number(a, '.2f')}" for z, a in zip(Z1, A1)]
    fields = _common("bars", title, _("hidden unit"), _("value"), height, f"{title}. {_listed(labels, said)}")
    fields.update(labels=labels, series=series, y_range=None, outline=None,
                  legend=[["Z1", Z1_COLOUR, ""], [_("Z1 ≤ 0: off for this image"), SILENT, "x"],
                          ["A1 = max(0, Z1)", VALUE, ""]])
    return Chart(fields, {"values": np.concatenate([Z1, A1]).astype(np.float32)})


def grouped_bars(series: dict, labels, title: str, x_title: str, y_title: str, height: int = 300,
                 styles: dict | None = None, hover: dict | None = None, legend_top: bool = True) -> Chart:
    """Several named bar series side by side over the same labels, a legend above (or at the foot).

    styles: {name: (colour, pattern)} (pattern "", "x", "/" or "."); the palette's order without it.
    hover: {name: [text per bar]}; "name, x_title label: value" (whole numbers) without it.
    """
    labels = [str(label) for label in labels]
    rows = [np.asarray(values, np.float64) for values in series.values()]
    styles = styles or {name: (RUNS[i % len(RUNS)], "") for i, name in enumerate(series)}
    hover = hover or {name: [f"{name}, {x_title} {label}: {number(value, ',.0f')}" for label, value in zip(labels, values)]
                      for name, values in zip(series, rows)}
    drawn = [{"name": name, "colours": [styles[name][0]] * len(labels), "patterns": [styles[name][1]] * len(labels),
              "text": [""] * len(labels), "hover": hover[name]} for name in series]
    said = "; ".join(f"{name}: {_listed(labels, [text.rsplit(': ', 1)[-1] for text in hover[name]])}" for name in series)
    fields = _common("bars", title, x_title, y_title, height, f"{title}. {said}")
    fields.update(labels=labels, series=drawn, y_range=None, outline=None,
                  legend=[[name, *styles[name]] for name in series], legend_top=legend_top)
    return Chart(fields, {"values": np.concatenate(rows).astype(np.float32)})


def dZ2_rules(rules: dict, label: int, height: int = 320) -> Chart:
    """The three rules' dZ2 side by side per digit, each its colour and pattern (figures.dZ2_rules_figure)."""
    named = {figures.rule_legend(name): values for name, values in rules.items()}
    styles = {figures.rule_legend(name): figures.RULE_STYLES[name] for name in rules}
    at = _("{rule}<br>digit %{x}: %{y:.4f}")
    hover = {rule: [figures.fill(at, rule=rule).replace("<br>", " · ").replace("%{x}", str(digit))
                    .replace("%{y:.4f}", number(value, ".4f")) for digit, value in enumerate(values)]
             for rule, values in named.items()}
    return grouped_bars(named, figures.DIGITS, _("dZ2 under each rule (true digit {label})").format(label=label),
                        _("digit"), "dZ2", height, styles=styles, hover=hover, legend_top=False)


def histogram(counts, title: str, x_title: str, y_title: str, log_y: bool = True, height: int = 300) -> Chart:
    """counts[v] for the values v = 0…n−1 as thin touching bars over a numeric axis; hover "v: count"."""
    counts = np.asarray(counts, np.float64)
    biggest = int(np.argmax(counts))
    alt = _("{title}: values 0 to {last}; the most common, {value}, {count} times").format(
        title=title, last=len(counts) - 1, value=biggest, count=number(int(counts[biggest]), ","))
    fields = _common("histogram", title, x_title, y_title, height, alt)
    fields.update(colour=HISTOGRAM, log_y=bool(log_y), hover="{x}: {y}")
    return Chart(fields, {"values": counts.astype(np.float32)})


def lines(x, series: dict, title: str, x_title: str, y_title: str, log_y: bool = False, height: int = 300) -> Chart:
    """Named curves over one x axis, each its palette colour and dash; hover "name: value at x" (4 digits)."""
    x = np.asarray(x, np.float64)
    rows = [np.asarray(values, np.float64) for values in series.values()]
    dashes = ["", "6 4", "2 3", "8 3 2 3"]
    at = _("{name}: {value} at %{x}").replace("%{x}", "{x}")
    drawn = [{"name": name, "colour": RUNS[i % len(RUNS)], "dash": dashes[i % len(dashes)],
              "hover": at.replace("{name}", name)} for i, name in enumerate(series)]
    last = ", ".join(f"{name} {number(values[-1], '.4g')}" for name, values in zip(series, rows) if len(values))
    alt = _("{title}: {count} points from {first} to {last}; at the end {values}").format(
        title=title, count=len(x), first=number(x[0], ",.0f") if len(x) else "–",
        last=number(x[-1], ",.0f") if len(x) else "–", values=last)
    fields = _common("lines", title, x_title, y_title, height, alt)
    fields.update(series=drawn, log_y=bool(log_y), count=len(x),
                  legend=[[series["name"], series["colour"], "", series["dash"]] for series in drawn])
    blocks = {"x": x.astype(np.float32), "y": np.concatenate(rows).astype(np.float32) if rows else np.zeros(0, np.float32)}
    return Chart(fields, blocks)


def image(pixels, title: str, height: int = 320, colorbar_title: str = N_("pixel"), alt: str | None = None) -> Chart:
    """A grey uint8 image (0 black, 255 white) with its colour bar; rows, columns and pixels counted from 1."""
    pixels = np.asarray(pixels, np.uint8)
    rows, columns = pixels.shape
    fields = _common("image", title, _("column"), _("row"), height, alt or title)
    fields.update(rows=int(rows), columns=int(columns), colorbar_title=_(colorbar_title), stops=GREY, low=0, high=255,
                  whole=True, hover=_("pixel %{customdata} (row %{y}, column %{x}): %{z}").replace("%{customdata}", "{pixel}")
                  .replace("%{y}", "{row}").replace("%{x}", "{column}").replace("%{z}", "{value}"))
    return Chart(fields, {"pixels": pixels.ravel()})


def tiles(images, titles, title: str, colorbar_title: str, hover: str, columns: int = 5, greyed=None,
          alt: str | None = None, decimals: int | None = None) -> Chart:
    """Several signed square images (k, n, n) side by side on one diverging scale, each under its title.

    greyed: a mask of tiles drawn under a grey veil; hover: a template with {tile} (from 1), {pixel} (from 1)
    and {value} (4 significant digits, or `decimals` decimals to agree with a table beside it; written by the
    browser in the language's signs).
    """
    images = np.asarray(images, np.float64)
    count, side = images.shape[0], images.shape[1]
    greyed = np.zeros(count, bool) if greyed is None else np.asarray(greyed, bool)
    fields = _common("tiles", title, "", "", 60 + 150 * -(-count // columns), alt or title)
    fields.update(tiles=int(count), side=int(side), columns=int(columns), titles=list(titles),
                  greyed=greyed.astype(int).tolist(), colours=figures.DIVERGING, limit=figures.symmetric_limit(images),
                  colorbar_title=colorbar_title, hover=hover, decimals=decimals)
    return Chart(fields, {"values": images.ravel().astype(np.float32)})


def keys_help(chart: Chart, clickable: bool) -> str:
    """What the keyboard does on this chart, read after its alt text."""
    moves = _("Arrow keys move from value to value and read each out.")
    return moves + " " + _("Enter, or a click, explains the value.") if clickable else moves


def blob(chart: Chart, key: str, clickable: bool) -> bytes:
    """The chart as the component's data: its fields (with the key and the keyboard's help) and its arrays."""
    fields = {**chart.fields, "key": key, "clickable": clickable, "keys": keys_help(chart, clickable)}
    return encode({"fields": fields}, chart.blocks)


def show(chart: Chart, key: str, on_click: Callable[[int, int], None] | None = None) -> None:
    """Draw `chart`; on_click(series, index) when a value is clicked or chosen with Enter (the browser's pair checked)."""
    def clicked() -> None:
        value = st.session_state[key].get("click")
        if on_click is None or not isinstance(value, list) or len(value) != 2:
            return
        series, index = value
        if not all(isinstance(part, int) and not isinstance(part, bool) for part in (series, index)):
            return
        if 0 <= series < _series_count(chart) and 0 <= index < _value_count(chart):
            on_click(series, index)

    _component(data=blob(chart, key, on_click is not None), key=key, on_click_change=clicked)


def _series_count(chart: Chart) -> int:
    if chart.fields["kind"] == "tiles":
        return chart.fields["tiles"]
    return len(chart.fields.get("series", [None]))


def _value_count(chart: Chart) -> int:
    fields = chart.fields
    if fields["kind"] == "image":
        return fields["rows"] * fields["columns"]
    if fields["kind"] == "tiles":
        return fields["side"] ** 2
    if fields["kind"] == "bars":
        return len(fields["labels"])
    if fields["kind"] == "lines":
        return fields["count"]
    return len(chart.blocks["values"])
