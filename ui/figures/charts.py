"""What the chart kit (ui/chart_kit.py) shares with the figures: a bar's value text, the muted grey, mosaics.

Every screen draws its charts in the browser, with the chart kit or (Loss surface, Compare's shared plane)
ui/surface_panel.py: no screen loads plotly."""

import numpy as np

from locales import number


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


MUTED = "#9e9e9e"  # a silent unit's bar on Draw (chart_kit.bars' muted): grey, and its label says "silent" too
