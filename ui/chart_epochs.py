"""Train's epoch charts for the chart kit (ui/chart_kit.py): the learning-rate schedule and the test accuracy per epoch.

Drawn by static/chart_lines.js (no plotly): one point per epoch, counted from 1, a tick at every
epoch. The schedule is a step line, α(epoch) = α₀ · factor^⌊(epoch − 1) / period⌋, constant through
an epoch; the accuracy a black line whose points carry their percentage.
"""

from __future__ import annotations

import numpy as np

from locales import _, number, percent
from ui import chart_kit
from ui.chart_kit import Chart

ACCURACY_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def by_epoch(chart: Chart, markers: bool = True) -> Chart:
    """An epoch axis: the x range half an epoch past the first and the last, a tick at every epoch, a dot at every
    point; no legend (plotly drew none for a single curve)."""
    chart.fields.update(markers=markers, x_pad=0.5, x_every=1, legend=[])  # one curve, named by the title
    return chart


def schedule(epochs, rates) -> Chart:
    """α at each epoch as a step line (α holds for a whole epoch); hover "α: value at epoch"."""
    chart = chart_kit.lines(np.asarray(epochs, np.float64), {"α": rates}, _("Learning-rate schedule"), _("epoch"), "α")
    chart.fields["steps"] = True
    return by_epoch(chart)


def epoch_accuracy(epochs, accuracy) -> Chart:
    """Test accuracy after each epoch on a 0 to 100% axis, each point labelled with its percentage."""
    accuracy = np.asarray(accuracy, np.float64)
    title = _("Test accuracy after each epoch")
    chart = chart_kit.lines(np.asarray(epochs, np.float64), {title: accuracy}, title, _("epoch"),
                            _("accuracy ({count} test images)").format(count=number(10_000)), height=260)
    texts = [percent(value) for value in accuracy]
    said = _("epoch {epoch}: {accuracy}")
    chart.fields["series"][0].update(colour="#000000", dash="", labels=texts,
                                     said=[said.format(epoch=int(e), accuracy=text) for e, text in zip(epochs, texts)])
    chart.fields.update(y_range=[0, 1.05], y_ticks=[[tick, number(tick, ".0%")] for tick in ACCURACY_TICKS],
                        alt=f"{title}: " + ", ".join(said.format(epoch=int(e), accuracy=text)
                                                     for e, text in zip(epochs, texts)))
    return by_epoch(chart)
