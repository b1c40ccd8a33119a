"""Training curves: trailing means of the loss and accuracy over bounded history bins, and their figures."""

from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from locales import PLOTLY_PERCENT, _, ngettext, number, percent
from ui.figures.style import axis, BLUE, DIGITS, EPOCH_LINE, figure, fill, GREEN, PlainFigure, RED, VIEWED


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
    """Smooth a history's bins (core/training/history.py BinnedSeries) into trailing means for the Train chart.

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
