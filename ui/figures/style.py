"""What every figure shares: the palette (one meaning per colour on every screen), colour scales and the
numbering a person reads. The charts themselves are drawn in the browser (ui/chart_kit.py,
ui/surface_panel.py, the panels' components) from these colours and words.
"""

import re

import numpy as np

from locales import _

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
# RdBu spelled out, stop by stop, for the browser's charts and diverging_rgb (white in the middle).
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
    """A translated hover template with its {named} fields filled in, the chart kit's own %{…} left as they are.

    str.format would read a %{y:.4f} as a field of its own; the catalog keeps both kinds as written.
    """
    return _FIELD.sub(lambda match: str(fields[match.group(1)]) if match.group(1) in fields else match.group(0),
                      template)


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


def symmetric_limit(values: np.ndarray) -> float:
    """The largest |value|, so a diverging scale is centred at 0 (never 0 itself)."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0
