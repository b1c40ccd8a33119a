"""Errata's charts for the chart kit (ui/chart_kit.py): the softmax Jacobian and the entries equation (4) would zero.

Drawn in the browser (static/chart_image.js, static/chart_bars.js), so the screen never loads plotly;
the three rules' dZ2 are chart_kit.dZ2_rules, shared with Gradients.
"""

from __future__ import annotations

import numpy as np

from locales import _, number
from ui import chart_heatmap, chart_kit
from ui.chart_kit import Chart
from ui.figures import DIGITS, DIVERGING, symmetric_limit, value_text

JACOBIAN_TEXT = 10


def jacobian(J: np.ndarray, label: int, height: int = 440) -> Chart:
    """The softmax Jacobian J_kj = ∂A2_k/∂Z2_j = A2_k(δ_kj − A2_j): row k the output that moves, column j the
    score nudged; a diverging scale centred at 0 over ±max|J|, each entry written to 3 decimals, the true digit starred."""
    J = np.asarray(J, np.float64)
    digits = [f"{digit}*" if digit == label else str(digit) for digit in range(J.shape[0])]
    limit = symmetric_limit(J)
    nudge = _("nudge Z2 of digit %{x}: A2 of digit %{y} moves by %{z:.5f} per unit")
    hover = [nudge.replace("%{x}", str(j)).replace("%{y}", str(k)).replace("%{z:.5f}", number(J[k, j], ".5f"))
             for k in range(J.shape[0]) for j in range(J.shape[1])]
    title = _("J for this sample (* = true digit {label})").format(label=label)
    diagonal = ", ".join(f"{k}: {number(J[k, k], '.3f')}" for k in range(J.shape[0]))
    alt = _("{title}: a {rows}×{columns} table from {low} to {high}; its diagonal {diagonal}").format(
        title=title, rows=J.shape[0], columns=J.shape[1], low=number(J.min(), ".3f"), high=number(J.max(), ".3f"),
        diagonal=diagonal)
    return chart_heatmap.heatmap(J, digits, digits, title, _("j: the Z2 entry nudged"), _("k: the output A2 that moves"),
                   [value_text(value, ".3f") for value in J.ravel()], hover, DIVERGING, -limit, limit,
                   "∂A2ₖ/∂Z2ⱼ", alt, text_size=JACOBIAN_TEXT, height=height)


def output_mask(dZ2, mask, height: int = 300) -> Chart:
    """2(A2 − y) per digit; the entries equation (4)'s 1[Z2 > 0] would zero drawn hatched and grey, written "→ 0"."""
    dZ2 = np.asarray(dZ2, np.float64)
    zeroed = np.asarray(mask) <= 0
    chart = chart_kit.bars(dZ2, DIGITS, _("2(A2 − y): hatched bars are the ones 1[Z2 > 0] would zero"), _("digit"),
                           "2(A2 − y)", hatched=zeroed, height=height)
    texts = ["→ 0" if off else value_text(value, ".3f") for value, off in zip(dZ2, zeroed)]
    said = _("digit %{x}: 2(A2 − y) = %{y:.4f}")
    chart.fields["series"][0].update(text=texts, hover=[said.replace("%{x}", d).replace("%{y:.4f}", number(value, ".4f"))
                                                        for d, value in zip(DIGITS, dZ2)])
    chart.fields["alt"] = f"{chart.fields['title']}. " + ", ".join(f"{d}: {text}" for d, text in zip(DIGITS, texts))
    return chart
