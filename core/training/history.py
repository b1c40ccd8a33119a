"""What training did over time, in bounded memory: the curves the Train and Gradients screens draw.

Every step adds one row of statistics (its loss, whether it was right, each layer's gradient size).
The rows are averaged into at most MAX_BINS bins (BinnedSeries), so a run of any length keeps a
curve of the same size. Each finished epoch adds one EpochSummary (the document's printout), and
each hidden unit remembers the last step at which it fired on a training image.

A History saved with state() and checked by load() is refused when its own bookkeeping does not
add up (bins, counts, epochs): load() raises ValueError saying what is wrong.
"""

import math
from typing import NamedTuple

import numpy as np

from core.model.network import CLASSES, INPUTS, PARAMETER_NAMES, cross_entropy_loss, mse_loss
from core.reasons import Refusal

MAX_BINS = 2000
STATISTIC_CAP = 1e250  # only absurd learning rates reach it; capping keeps the sums finite


class EpochSummary(NamedTuple):
    """One finished epoch: its test accuracy and its training figures (the document's printout)."""

    epoch: int  # 0-based
    step: int  # samples trained when it ended
    test_accuracy: float
    train_accuracy: float  # fraction of this epoch's samples predicted right before their update
    mean_loss: float  # mean Σ(A2 − y)² over this epoch's samples


class BinnedSeries:
    """Means of per-step values over bins of `width` consecutive steps.

    When the steps need more than max_bins bins, neighbouring bins merge in pairs and the width
    doubles, so the memory stays fixed and the curve always covers the whole run.
    """

    def __init__(self, names, max_bins=MAX_BINS):
        if max_bins % 2:
            raise ValueError("max_bins must be even so bins merge in pairs")
        self.names = tuple(names)
        self.max_bins = max_bins
        self.width = 1
        self.steps = 0  # steps recorded; step s (1-based) is in bin (s − 1) // width
        self.sums = np.zeros((max_bins, len(self.names)))
        self.counts = np.zeros(max_bins, dtype=np.int64)

    def extend(self, values):
        """Add one row of values (one per series) for each of the next len(values) steps."""
        values = np.asarray(values, dtype=np.float64).reshape(-1, len(self.names))
        end = self.steps + len(values)
        while end and (end - 1) // self.width >= self.max_bins:
            self._merge_pairs()
        bins = np.arange(self.steps, end) // self.width
        starts = np.flatnonzero(np.diff(bins, prepend=-1))  # where each bin's run of steps begins
        self.sums[bins[starts]] += np.add.reduceat(values, starts, axis=0)
        self.counts[bins[starts]] += np.diff(starts, append=len(bins))
        self.steps = end

    def _merge_pairs(self):
        half = self.max_bins // 2
        self.sums[:half] = self.sums[0::2] + self.sums[1::2]
        self.counts[:half] = self.counts[0::2] + self.counts[1::2]
        self.sums[half:] = 0.0
        self.counts[half:] = 0
        self.width *= 2

    def width_for(self, steps) -> int:
        """The width extend() reaches for `steps` steps: the smallest power of 2 that fits them in max_bins."""
        width = 1
        while steps and (steps - 1) // width >= self.max_bins:
            width *= 2
        return width

    def curve(self):
        """(steps, means): each filled bin's mean step number and its mean values (bins, series)."""
        filled = np.flatnonzero(self.counts)
        first_step = filled * self.width + 1
        mean_step = first_step + (self.counts[filled] - 1) / 2.0
        return mean_step, self.sums[filled] / self.counts[filled, None]

    def state(self, prefix) -> dict:
        return {f"{prefix}.width": self.width, f"{prefix}.steps": self.steps,
                f"{prefix}.sums": self.sums.copy(), f"{prefix}.counts": self.counts.copy()}

    def load(self, state, prefix):
        """Restore a saved state; ValueError unless its width and counts are exactly what its steps give."""
        width, steps = int(state[f"{prefix}.width"]), int(state[f"{prefix}.steps"])
        counts = np.asarray(state[f"{prefix}.counts"])
        if steps < 0 or width != self.width_for(steps):
            raise Refusal("history.bins", width=width, steps=steps)
        expected = np.clip(steps - width * np.arange(self.max_bins), 0, width)
        if counts.shape != expected.shape or not np.array_equal(counts, expected):
            raise Refusal("history.counts")
        self.width, self.steps = width, steps
        self.sums[...] = state[f"{prefix}.sums"]
        self.counts[...] = counts


class History:
    """What training did over time, in bounded memory, as arrays ready to plot."""

    SERIES = ("loss", "cross_entropy", "correct", "rms_W1", "rms_b1", "rms_W2", "rms_b2")

    def __init__(self, hidden):
        self.bins = BinnedSeries(self.SERIES)
        self.epochs: list[EpochSummary] = []
        self.epoch_seen = 0  # samples of the current epoch recorded so far ...
        self.epoch_correct = 0  # ... how many were predicted right before their update ...
        self.epoch_loss = 0.0  # ... and their summed loss
        self.last_active = np.zeros(hidden, dtype=np.int64)  # per unit: last step with Z1 > 0 (0: none yet)

    def record(self, statistics, A1):
        """Add the next len(statistics) steps: their rows of statistics (columns as SERIES) and their A1."""
        first_step = self.steps + 1
        self.bins.extend(statistics)
        self.epoch_seen += len(statistics)
        self.epoch_correct += int(statistics[:, 2].sum())
        self.epoch_loss += float(statistics[:, 0].sum())
        fired = A1 > 0
        last_row = len(fired) - 1 - fired[::-1].argmax(axis=0)
        self.last_active = np.where(fired.any(axis=0), first_step + last_row, self.last_active)

    def end_epoch(self, epoch, step, test_accuracy):
        self.epochs.append(EpochSummary(epoch, step, test_accuracy, self.train_accuracy, self.epoch_mean_loss))
        self.epoch_seen, self.epoch_correct, self.epoch_loss = 0, 0, 0.0

    @property
    def steps(self) -> int:
        return self.bins.steps

    @property
    def train_accuracy(self) -> float:
        """Running training accuracy of the current epoch (nan before its first sample)."""
        return self.epoch_correct / self.epoch_seen if self.epoch_seen else math.nan

    @property
    def epoch_mean_loss(self) -> float:
        return self.epoch_loss / self.epoch_seen if self.epoch_seen else math.nan

    @property
    def test_accuracy(self) -> list[tuple[int, int, float]]:
        """(epoch, step, test accuracy) at the end of each finished epoch."""
        return [(summary.epoch, summary.step, summary.test_accuracy) for summary in self.epochs]

    def _column(self, name):
        steps, means = self.bins.curve()
        return steps, means[:, self.SERIES.index(name)]

    def loss_curve(self, kind="mse"):
        """(steps, mean loss per bin); kind "mse" is Σ(A2 − y)², "cross-entropy" is −log A2_label."""
        return self._column({"mse": "loss", "cross-entropy": "cross_entropy"}[kind])

    def accuracy_curve(self):
        """(steps, fraction of each bin's samples predicted right before their update)."""
        return self._column("correct")

    def gradient_rms_curve(self):
        """(steps, {"W1": ..., "b1": ..., "W2": ..., "b2": ...}): mean over each bin of sqrt(mean(dP²))."""
        steps, means = self.bins.curve()
        return steps, {name: means[:, self.SERIES.index(f"rms_{name}")] for name in PARAMETER_NAMES}

    def nbytes(self) -> int:
        return self.bins.sums.nbytes + self.bins.counts.nbytes + self.last_active.nbytes

    def state(self) -> dict:
        state = self.bins.state("history.bins")
        state["history.epochs"] = np.array(self.epochs, dtype=np.float64).reshape(-1, len(EpochSummary._fields))
        state["history.epoch_totals"] = np.array([self.epoch_seen, self.epoch_correct, self.epoch_loss])
        state["history.last_active"] = self.last_active.copy()
        return state

    def load(self, state, steps, epoch, index, training_size):
        """Restore a saved history for a trainer at this position; ValueError if it does not add up."""
        self.bins.load(state, "history.bins")
        if self.steps != steps:
            raise Refusal("history.steps", held=self.steps, steps=steps)
        epochs = np.asarray(state["history.epochs"], dtype=np.float64).reshape(-1, len(EpochSummary._fields))
        ends = (np.arange(len(epochs)) + 1) * training_size
        if (len(epochs) != epoch or not np.array_equal(epochs[:, 0], np.arange(len(epochs)))
                or not np.array_equal(epochs[:, 1], ends) or not ((0 <= epochs[:, 2:4]) & (epochs[:, 2:4] <= 1)).all()):
            raise Refusal("history.epochs")
        seen, correct, loss = np.asarray(state["history.epoch_totals"], dtype=np.float64)
        if seen != index or not 0 <= correct <= seen or not loss >= 0:
            raise Refusal("history.totals")
        last_active = np.asarray(state["history.last_active"])
        if last_active.shape != self.last_active.shape or not ((0 <= last_active) & (last_active <= steps)).all():
            raise Refusal("history.last_active")
        self.epochs = [EpochSummary(int(e), int(s), float(t), float(a), float(m)) for e, s, t, a, m in epochs]
        self.epoch_seen, self.epoch_correct, self.epoch_loss = int(seen), int(correct), float(loss)
        self.last_active = last_active.astype(np.int64)


def pixel_norms(X):
    """|x| of each row of X (n, 784); pixels are in [0, 1], so no care for overflow is needed."""
    return np.sqrt(np.einsum("ij,ij->i", X, X))


def step_statistics(labels, x_norms, A1, A2, dZ1, dZ2) -> np.ndarray:
    """History.SERIES for a run of steps, one row per step, from each step's forward values and errors.

    Each weight gradient is an outer product (dW1 = x·dZ1ᵀ, dW2 = A1·dZ2ᵀ), so its root mean square
    needs no 784×h array: rms(dW1) = |x|·|dZ1| / √(784·h) and rms(dW2) = |A1|·|dZ2| / √(h·10).
    """
    hidden = A1.shape[1]
    dZ1_norms, dZ2_norms = row_norms(dZ1), row_norms(dZ2)
    with np.errstate(over="ignore"):
        statistics = np.column_stack([
            mse_loss(A2, labels),
            cross_entropy_loss(A2, labels),
            A2.argmax(axis=1) == labels,
            x_norms * dZ1_norms / math.sqrt(INPUTS * hidden),
            dZ1_norms / math.sqrt(hidden),
            row_norms(A1) * dZ2_norms / math.sqrt(hidden * CLASSES),
            dZ2_norms / math.sqrt(CLASSES),
        ])
    return np.minimum(statistics, STATISTIC_CAP)


def row_norms(rows):
    """|v| of each row, without overflow for huge finite values (each row is scaled by its largest first)."""
    largest = np.abs(rows).max(axis=1, initial=0.0)
    scale = np.where(largest > 0, largest, 1.0)
    return largest * np.sqrt(((rows / scale[:, None]) ** 2).sum(axis=1))
