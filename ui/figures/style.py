"""What every figure shares: the palette (one meaning per colour on every screen), colour scales, axes and
titles that fit a phone, the numbering a person reads, and the plotly figure wrapper.

Figures are written as plain plotly dicts and wrapped once with validation off: plotly's property
validation (and plotly.express far more, RECIPES.md) costs more than the dict itself, and whatever
a figure costs is paid on every click. The empty template leaves the styling to Streamlit's theme
and keeps the payload small. Streamlit is asked one thing here: whether the screen is a phone's.
"""

import re
import textwrap

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from locales import _, number_separators

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
              "separators": number_separators(),  # d3's number formats (hover, ticks, texttemplate) in the language's signs
              "margin": margin, "template": {}, **layout}
    return go.Figure(data=traces, layout=readable_axes(layout), _validate=False)


class PlainFigure(go.Figure):
    """A figure kept as the plain dict plotly.js reads, for the chart redrawn on every click.

    st.plotly_chart asks a figure for to_dict() and serialises that; a go.Figure first copies its
    whole tree into plotly's property objects and back, this one hands over its dict. It cannot be edited like a go.Figure: build it complete.
    """

    def __init__(self, traces: list, layout: dict):  # plotly's own constructor is skipped on purpose
        self._plain = {"data": traces, "layout": readable_axes({"separators": number_separators(), **layout})}

    def to_dict(self) -> dict:
        return self._plain


def symmetric_limit(values: np.ndarray) -> float:
    """The largest |value|, so a diverging scale is centred at 0 (never 0 itself)."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def colour_bar(title: str) -> dict:
    return dict(title=dict(text=title, side="right", font=dict(color=FONT_COLOUR)), thickness=12, xpad=4,
                tickfont=dict(color=FONT_COLOUR))
