"""Training curves: trailing means of the loss and accuracy over bounded history bins, and what one point averages."""

from typing import NamedTuple

import numpy as np

from locales import ngettext, number


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
