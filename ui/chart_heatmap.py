"""Heatmaps with their values written in the cells, for the chart kit (ui/chart_kit.py): the confusion matrix on
Evaluate, the softmax Jacobian on Errata (ui/chart_errata.py).

Drawn by static/chart_image.js, as every matrix of the kit, so neither screen loads plotly. As for every chart of
the kit, the words are made here in the session's language (each cell's text and hover sentence, the titles, the
alt text), the numbers go as a float32 array, and the colour scale as stops over [low, high].
"""

from __future__ import annotations

import numpy as np

from locales import _, number
from ui import figures
from ui.chart_kit import Chart, _common

BLUES = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]  # ColorBrewer Blues, light to dark
CONFUSION_TEXT = 12  # the confusion matrix's counts, as large as its axis labels: they are what it is read for


def heatmap(values, x_labels, y_labels, title: str, x_title: str, y_title: str, texts, hover, stops, low: float,
            high: float, colorbar_title: str, alt: str, outline=None, text_size: int = 10, height: int = 440,
            whole: bool = False) -> Chart:
    """values[r, c] as a cell coloured at (value − low) / (high − low) on `stops`, `texts` written in it.

    texts, hover: one string per cell in row order (hover: what the pointer or the keys read; texts None: the
    values are read on hover only);
    outline: [first row, last row + 1, first column, last column + 1] of a block outlined in orange;
    whole: the colour bar's ticks are integers (counts).
    """
    values = np.asarray(values, np.float64)
    rows, columns = values.shape
    fields = _common("image", title, x_title, y_title, height, alt)
    fields.update(rows=int(rows), columns=int(columns), x_labels=[str(label) for label in x_labels],
                  y_labels=[str(label) for label in y_labels], texts=None if texts is None else list(texts),
                  hover=list(hover),
                  stops=[[float(at), colour] for at, colour in stops], low=float(low), high=float(high),
                  colorbar_title=colorbar_title, outline=outline, text_size=int(text_size), whole=whole)
    return Chart(fields, {"values": values.astype(np.float32).ravel()})


def signed(matrix, title: str, x_title: str, y_title: str, x_labels, y_labels, colorbar_title: str, hover: list,
           height: int = 300) -> Chart:
    """A signed matrix on the diverging scale (blue −, white 0, red +, centred at 0 over ±max|value|), values on hover."""
    limit = figures.symmetric_limit(matrix)
    return heatmap(matrix, x_labels, y_labels, title, x_title, y_title, None, hover, figures.DIVERGING, -limit, limit,
                   colorbar_title, title, height=height)


def confusion(cm: np.ndarray, title: str, true: int | None = None, predicted: int | None = None,
              height: int = 460) -> Chart:
    """The confusion matrix, rows the true digit and columns the predicted one, counts written in the cells.

    The colour saturates at the largest off-diagonal count, since the ~1,000 correct answers per digit
    would wash out every mistake. The chosen row, column or cell (true and/or predicted; None for any)
    is outlined. A click on a cell sends its index, true × 10 + predicted.
    """
    cm = np.asarray(cm)
    classes = len(cm)
    mistakes = cm - np.diag(np.diag(cm))
    images = _("true %{y}, predicted %{x}: %{customdata} images")
    hover = [images.replace("%{y}", str(row)).replace("%{x}", str(column)).replace("%{customdata}", number(int(count)))
             for (row, column), count in np.ndenumerate(cm)]
    outline = None
    if true is not None or predicted is not None:
        rows = (true, true + 1) if true is not None else (0, classes)
        columns = (predicted, predicted + 1) if predicted is not None else (0, classes)
        outline = [*rows, *columns]
    worst = np.unravel_index(int(np.argmax(mistakes)), mistakes.shape)
    alt = _("{title}: {right} of {total} test images on the diagonal, read right; the most common mistake, a {true} "
            "read as a {predicted}, {count} times").format(
        title=title, right=number(int(np.trace(cm))), total=number(int(cm.sum())), true=worst[0], predicted=worst[1],
        count=number(int(mistakes[worst])))
    return heatmap(cm, range(classes), range(classes), title, _("predicted digit"), _("true digit"),
                   [number(int(count), "d") for count in cm.ravel()], hover, BLUES, 0, max(1, int(mistakes.max())),
                   _("test images (colour capped at the largest mistake count)"), alt, outline,
                   text_size=CONFUSION_TEXT, height=height, whole=True)
