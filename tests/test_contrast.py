"""Text colours against their background, computed with WCAG 2's relative-luminance formula.

Captions carry many of the app's explanations and chart labels are 12 px: both must reach WCAG AA's
4.5:1 for normal text. The colours are read from what the app uses: .streamlit/config.toml's theme
and ui/figures/style.py's FONT_COLOUR.
"""

import tomllib

import pytest

from deploy.browser import REPOSITORY
from ui import figures

AA_NORMAL_TEXT = 4.5
# Streamlit draws a caption in the text colour at this opacity (the stCaptionContainer's CSS
# opacity, measured in the page by tests/test_browser_layout.py).
CAPTION_OPACITY = 0.6
# The sidebar's own background when the theme keeps the default page backgrounds (Streamlit's docs).
SIDEBAR_BACKGROUND = "#f8f8f7"


def rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(colour) -> float:
    """L = 0.2126 R + 0.7152 G + 0.0722 B, of the linearised sRGB channels."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in colour]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background) -> float:
    """(L_lighter + 0.05) / (L_darker + 0.05)."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def blend(foreground, background, opacity: float):
    """What the eye gets from a translucent colour over a background (in sRGB, as browsers compose)."""
    return tuple(opacity * f + (1 - opacity) * b for f, b in zip(foreground, background))


def theme() -> dict:
    with open(REPOSITORY / ".streamlit" / "config.toml", "rb") as file:
        return tomllib.load(file)["theme"]


def test_the_formula_gives_the_known_extremes():
    assert contrast(rgb("#000000"), rgb("#ffffff")) == pytest.approx(21.0)
    assert contrast(rgb("#777777"), rgb("#ffffff")) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("background", ["page", "sidebar"])
def test_captions_reach_aa_contrast(background):
    colours = theme()
    ground = rgb(colours["backgroundColor"] if background == "page" else SIDEBAR_BACKGROUND)
    caption = blend(rgb(colours["textColor"]), ground, CAPTION_OPACITY)
    assert contrast(caption, ground) >= AA_NORMAL_TEXT


def test_chart_labels_reach_aa_contrast():
    assert contrast(rgb(figures.FONT_COLOUR), rgb(theme()["backgroundColor"])) >= AA_NORMAL_TEXT


def test_streamlits_default_caption_grey_was_below_aa():
    """The reason for the theme's textColor: the default one gives captions about 3.9:1."""
    white = rgb("#ffffff")
    assert contrast(blend(rgb("#2f2d2b"), white, CAPTION_OPACITY), white) < AA_NORMAL_TEXT
    assert contrast(rgb("#808495"), white) < AA_NORMAL_TEXT  # Streamlit's chart-axis grey
