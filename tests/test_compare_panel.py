"""ui/compare_panel.py's bins without a browser: a run stopped early is merged to its set's width as History merges."""

import numpy as np

from core.training.history import BinnedSeries
from ui import compare_panel


def test_narrower_bins_merge_in_pairs_as_the_history_itself_would():
    rows = np.random.default_rng(0).random((7, 2))
    stopped, merging = BinnedSeries(("loss", "correct"), max_bins=4), BinnedSeries(("loss", "correct"), max_bins=4)
    stopped.extend(rows[:3])  # width 1: three bins
    merging.extend(rows[:3])
    merging._merge_pairs()  # the width the run would have reached, had it gone on
    sums, counts = compare_panel.merged(stopped, 2)
    assert np.array_equal(sums, merging.sums) and np.array_equal(counts, merging.counts)
    same_sums, same_counts = compare_panel.merged(stopped, 1)
    assert np.array_equal(same_sums, stopped.sums) and np.array_equal(same_counts, stopped.counts)
