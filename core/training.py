"""The trainer: one learner's whole training state, advanced one sample at a time as in the document.

Training is the document's Algorithm 4: per-sample SGD over the training set in dataset order,
P ← P − α·dP after every sample, α = lr · factor^⌊epoch / period⌋, the test accuracy measured at
each epoch's end (erratum 5: there, not after every sample).

Every sample, one at a time, goes through FoldedParameters.sgd_step: the forward pass, the gradient
rule and hidden_error from core/network.py, and P ← P − α·dP in place. Two ways to call it:
- step() trains one sample and returns a StepRecord of everything that happened, for the screens;
- train(n) trains many samples in chunks without building records. Its parameters are bit-for-bit
  those that n calls of step() give, since both run the same sgd_step on the same numbers.

A step that would make any value inf or nan is refused (the learning rate was too large): the
last finite parameters stay, stopped_reason says why, and nothing trains until reset().

What it keeps is bounded however long it runs: the history is binned (History), the parameter
snapshots are thinned (Snapshots), and the training images are read, never copied.
Left out on purpose: shuffling, minibatches, momentum (the document has none); saving to disk
(core/checkpoints.py does that with state_dict()).
"""

import functools
import math
import threading
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from core.metrics import accuracy
from core.network import (
    CLASSES,
    GRADIENT_RULES,
    INITIALISATIONS,
    INPUTS,
    PARAMETER_NAMES,
    Forward,
    Gradients,
    Parameters,
    backward,
    cross_entropy_loss,
    forward,
    hidden_error,
    init_parameters,
    mse_loss,
    pixels,
    relu,
    softmax,
)
from core.settings import Settings, learning_rate_at

CHUNK = 1000  # steps between progress reports, stop checks and history updates in train()
MAX_BINS = 2000  # per-step history is averaged into at most this many bins
RECENT_STEPS = 1000  # the last losses are also kept one per step
MAX_SNAPSHOTS = 48
PROBE_IMAGES = 1000  # test images on which a hidden unit must stay off to count as dead
SNAPSHOT_BYTES = 16 * 2**20
STATE_FORMAT = "backprop-lab-trainer-1"
STATISTIC_CAP = 1e250
FLOAT32_MAX = float(np.finfo(np.float32).max)

# The ten one-hot targets y: row k is the y of digit k.
TARGETS = np.eye(CLASSES)
TARGETS.setflags(write=False)


@dataclass(frozen=True)
class StepRecord:
    """What one training step did; the screens display these values and never recompute them."""

    step: int  # samples trained so far, this one included (1 for the first)
    epoch: int  # 0-based epoch of this sample
    index: int  # this sample's index in the training set
    x: np.ndarray  # (784,) pixels / 255
    label: int
    forward: Forward  # Z1, A1, Z2, A2 before the update
    gradients: Gradients  # dW1, db1, dW2, db2 from the chosen rule
    rule: str
    learning_rate: float  # α used for this update
    loss_before: float  # Σ(A2 − y)², the loss the document shows
    cross_entropy_before: float  # −log A2_label
    loss_after: float  # the same sample's losses after the update
    cross_entropy_after: float
    prediction: int  # argmax A2 before the update
    correct: bool
    prediction_after: int

    @property
    def updates(self) -> Gradients:
        """The changes made, −α·dP for each parameter (ΔW1 = −α·dW1, ...)."""
        return Gradients(*(-self.learning_rate * gradient for gradient in self.gradients))


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
        self.width, self.steps = int(state[f"{prefix}.width"]), int(state[f"{prefix}.steps"])
        self.sums[...] = state[f"{prefix}.sums"]
        self.counts[...] = state[f"{prefix}.counts"]


class History:
    """What training did over time, in bounded memory, as arrays ready to plot."""

    SERIES = ("loss", "cross_entropy", "correct", "rms_W1", "rms_b1", "rms_W2", "rms_b2")

    def __init__(self):
        self.bins = BinnedSeries(self.SERIES)
        self.recent_losses = np.zeros(0)  # Σ(A2 − y)² of the last RECENT_STEPS steps
        self.epochs: list[EpochSummary] = []
        self.epoch_seen = 0  # samples of the current epoch recorded so far ...
        self.epoch_correct = 0  # ... how many were predicted right before their update ...
        self.epoch_loss = 0.0  # ... and their summed loss

    def record(self, statistics):
        """Add the next steps' rows of per-step statistics (columns as SERIES)."""
        self.bins.extend(statistics)
        self.recent_losses = np.concatenate([self.recent_losses, statistics[:, 0]])[-RECENT_STEPS:].copy()
        self.epoch_seen += len(statistics)
        self.epoch_correct += int(statistics[:, 2].sum())
        self.epoch_loss += float(statistics[:, 0].sum())

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

    def recent_loss_curve(self):
        """(steps, Σ(A2 − y)²) for each of the last RECENT_STEPS steps."""
        steps = np.arange(self.steps - len(self.recent_losses) + 1, self.steps + 1)
        return steps, self.recent_losses.copy()

    def nbytes(self) -> int:
        return self.bins.sums.nbytes + self.bins.counts.nbytes + self.recent_losses.nbytes

    def state(self) -> dict:
        state = self.bins.state("history.bins")
        state["history.recent_losses"] = self.recent_losses.copy()
        state["history.epochs"] = np.array(self.epochs, dtype=np.float64).reshape(-1, len(EpochSummary._fields))
        state["history.epoch_totals"] = np.array([self.epoch_seen, self.epoch_correct, self.epoch_loss])
        return state

    def load(self, state):
        self.bins.load(state, "history.bins")
        self.recent_losses = np.array(state["history.recent_losses"], dtype=np.float64)
        self.epochs = [EpochSummary(int(e), int(s), float(t), float(a), float(m)) for e, s, t, a, m in state["history.epochs"]]
        seen, correct, loss = state["history.epoch_totals"]
        self.epoch_seen, self.epoch_correct, self.epoch_loss = int(seen), int(correct), float(loss)


def step_statistics(labels, x_norms, A1, A2, dZ1, dZ2) -> np.ndarray:
    """History.SERIES for a run of steps, one row per step, from each step's forward values and errors.

    Each gradient is an outer product, so its root mean square needs no 784×h array:
    rms(dW1) = |x|·|dZ1| / √(784·h) and rms(dW2) = |A1|·|dZ2| / √(h·10). Values past
    STATISTIC_CAP (only absurd learning rates get there) are recorded as the cap, so sums stay finite.
    """
    hidden = A1.shape[1]
    dZ1_norms, dZ2_norms = _row_norms(dZ1), _row_norms(dZ2)
    with np.errstate(over="ignore"):
        statistics = np.column_stack([
            mse_loss(A2, labels),
            cross_entropy_loss(A2, labels),
            A2.argmax(axis=1) == labels,
            x_norms * dZ1_norms / math.sqrt(INPUTS * hidden),
            dZ1_norms / math.sqrt(hidden),
            _row_norms(A1) * dZ2_norms / math.sqrt(hidden * CLASSES),
            dZ2_norms / math.sqrt(CLASSES),
        ])
    return np.minimum(statistics, STATISTIC_CAP)


def _row_norms(rows):
    """|v| of each row, without overflow for huge finite values (they are scaled by the row's largest first)."""
    largest = np.abs(rows).max(axis=1, initial=0.0)
    scale = np.where(largest > 0, largest, 1.0)
    return largest * np.sqrt(((rows / scale[:, None]) ** 2).sum(axis=1))


def pixel_norms(X):
    """|x| of each row of X (n, 784); pixels are in [0, 1], so no care for overflow is needed."""
    return np.sqrt(np.einsum("ij,ij->i", X, X))


def _compact(params) -> tuple:
    """The parameters as float32 copies, or float64 ones if a value is beyond float32's range."""
    fits = all(np.abs(array).max() < FLOAT32_MAX for array in params.as_tuple())
    return tuple(array.astype(np.float32 if fits else np.float64) for array in params.as_tuple())


class Snapshots:
    """Copies of the parameters at chosen steps, for replaying training and for trajectories.

    They are float32 (half the memory; float64 only if a value is beyond float32's range).

    Snapshots are due at steps spaced evenly in log(step + 50): dense while the weights change fast
    at the start, sparse later. Past the maximum count (48, or fewer if they would exceed the byte
    budget) the snapshot whose neighbours are closest in log(step + 50) is dropped. The initial
    parameters (step 0) are always kept.
    """

    OFFSET = 50
    RATIO = 1.25

    def __init__(self, params, max_count=MAX_SNAPSHOTS, byte_budget=SNAPSHOT_BYTES):
        per_snapshot = 4 * sum(array.size for array in params.as_tuple())
        self.max_count = max(2, min(max_count, byte_budget // per_snapshot))
        self.steps: list[int] = []
        self.saved: list[tuple] = []
        self.take(0, params)

    def due_after(self, step) -> int:
        """The step at which the snapshot after one at `step` is due."""
        return max(step + 1, math.ceil((step + self.OFFSET) * self.RATIO) - self.OFFSET)

    def take(self, step, params):
        self.steps.append(step)
        self.saved.append(_compact(params))
        self.next_step = self.due_after(step)
        while len(self.steps) > self.max_count:
            self._drop_one()

    def _drop_one(self):
        position = np.log(np.array(self.steps, dtype=np.float64) + self.OFFSET)
        gaps = position[2:] - position[:-2]  # gap left by dropping each of 1 .. len − 2
        drop = 1 + int(np.argmin(gaps))
        del self.steps[drop], self.saved[drop]

    def as_list(self) -> list[tuple[int, Parameters]]:
        return [(step, Parameters(*saved)) for step, saved in zip(self.steps, self.saved)]

    def nbytes(self) -> int:
        return sum(array.nbytes for saved in self.saved for array in saved)

    def state(self) -> dict:
        state = {"snapshots.steps": np.array(self.steps, dtype=np.int64), "snapshots.next_step": self.next_step}
        for i, name in enumerate(PARAMETER_NAMES):
            state[f"snapshots.{name}"] = np.stack([saved[i] for saved in self.saved])
        return state

    def load(self, state):
        self.steps = [int(step) for step in state["snapshots.steps"]]
        stacked = [np.asarray(state[f"snapshots.{name}"]) for name in PARAMETER_NAMES]
        self.saved = [tuple(array[i].copy() for array in stacked) for i in range(len(self.steps))]
        self.next_step = int(state["snapshots.next_step"])


_FLOAT_PIXELS: dict[int, tuple] = {}  # id(images) -> (images, float32 pixels): shared by every trainer
_FLOAT_PIXELS_LOCK = threading.Lock()


def float32_pixels(images) -> np.ndarray:
    """x = p / 255 for a whole image set, as float32, computed once per process and shared read-only."""
    with _FLOAT_PIXELS_LOCK:
        entry = _FLOAT_PIXELS.get(id(images))
        if entry is None or entry[0] is not images:  # the entry keeps `images` alive, so its id stays unique
            if len(_FLOAT_PIXELS) >= 4:
                _FLOAT_PIXELS.pop(next(iter(_FLOAT_PIXELS)))
            values = np.divide(np.asarray(images).reshape(len(images), INPUTS), np.float32(255), dtype=np.float32)
            values.setflags(write=False)
            entry = _FLOAT_PIXELS[id(images)] = (images, values)
        return entry[1]


class FoldedParameters:
    """The trainer's parameters with each bias folded into its layer's weights, and one SGD step on them.

    The two arrays are layer1 = [W1ᵀ | b1] (h, 785) and layer2 = [W2; b2ᵀ] (h + 1, 10), so that with
    x̃ = [x; 1] and Ã1 = [A1; 1]:  Z1 = layer1·x̃ = W1ᵀx + b1  and  Z2 = layer2ᵀÃ1 = W2ᵀA1 + b2.
    One product per layer then computes weights and bias together, and one outer product updates
    both. W1ᵀ is stored row by row (each hidden unit's 785 numbers side by side), the shape in which
    numpy's product with x̃ is quickest (about 1.5 µs here, against 2.5 µs for xᵀW1 with W1 stored
    (784, h)). `params` shows the same memory as the document's W1 (784, h), b1, W2 and b2.
    On these small arrays each numpy call costs about a microsecond whatever its size, so the step
    below is written to make few calls: that, not arithmetic, is what makes it quick.
    """

    def __init__(self, params):
        hidden = params.hidden
        self.layer1 = np.empty((hidden, INPUTS + 1))
        self.layer2 = np.empty((hidden + 1, CLASSES))
        self.params = Parameters(W1=self.layer1[:, :INPUTS].T, b1=self.layer1[:, INPUTS],
                                 W2=self.layer2[:hidden], b2=self.layer2[hidden])
        self.assign(params)
        # Preallocated for sgd_step: Ã1 (its last entry stays 1) and the two outer products.
        self._W2 = self.params.W2
        self._A1_1 = np.ones(hidden + 1)
        self._A1 = self._A1_1[:hidden]
        self._A1_1_column = self._A1_1[:, None]
        self._step1_outer = np.empty_like(self.layer1)
        self._step2_outer = np.empty_like(self.layer2)

    def assign(self, params):
        """Set W1, b1, W2, b2 to the values of `params` (a Parameters), in place."""
        for view, value in zip(self.params.as_tuple(), params.as_tuple()):
            view[...] = value

    def sgd_step(self, x1, label, alpha, rule) -> tuple:
        """One sample of Algorithm 4, in place: forward, dZ2 = rule(A2, y), backpropagate, P ← P − α·dP.

        x1 is x̃ = [x; 1]. Returns Z1, Z2, A2, α·dZ1 and α·dZ2. Backpropagation is linear in dZ2,
        so carrying α·dZ2 back gives α·dZ1 directly.
        """
        Z1 = self.layer1.dot(x1)  # W1ᵀx + b1
        np.maximum(Z1, 0.0, out=self._A1)  # A1 = ReLU(Z1), inside Ã1 = [A1; 1]
        Z2 = self._A1_1.dot(self.layer2)  # W2ᵀA1 + b2
        A2 = softmax(Z2)
        step2 = rule(A2, TARGETS[label])
        step2 *= alpha  # α·dZ2 = α·db2
        step1 = hidden_error(self._W2, step2, Z1)  # α·dZ1 = α·db1, through W2 before its update
        # W2 −= α·A1·dZ2ᵀ and b2 −= α·dZ2, as one outer product Ã1·(α·dZ2)ᵀ
        self.layer2 -= self._A1_1_column.dot(step2[None, :], out=self._step2_outer)
        # W1ᵀ −= α·dZ1·xᵀ and b1 −= α·dZ1, as one outer product (α·dZ1)·x̃ᵀ
        self.layer1 -= step1[:, None].dot(x1[None, :], out=self._step1_outer)
        return Z1, Z2, A2, step1, step2

    def nbytes(self) -> int:
        return 2 * (self.layer1.nbytes + self.layer2.nbytes) + self._A1_1.nbytes


def pixels_with_one(images) -> np.ndarray:
    """x̃ = [p / 255; 1] for each uint8 image, as rows (n, 785); the first 784 are pixels(images)."""
    images = np.asarray(images).reshape(len(images), INPUTS)
    X1 = np.empty((len(images), INPUTS + 1))
    np.divide(images, 255.0, out=X1[:, :INPUTS])
    X1[:, INPUTS] = 1.0
    return X1


def _rows(vectors) -> np.ndarray:
    """A list of equal-length vectors as the rows of one array."""
    return np.concatenate(vectors).reshape(len(vectors), -1)


def _overflow_checked(method):
    """Run `method` without numpy's overflow warnings: the trainer detects overflow itself and stops."""
    @functools.wraps(method)
    def quietly(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore"):
            return method(*args, **kwargs)
    return quietly


def structural_errors(settings) -> list[str]:
    """What would stop a trainer from running these settings at all.

    Looser than the screen's ranges (core/settings.py) on purpose: any positive learning rate is
    allowed, so tests and experiments can drive training into overflow.
    """
    errors = []
    if settings.rule not in GRADIENT_RULES:
        errors.append(f"unknown gradient rule {settings.rule!r}")
    if settings.init not in INITIALISATIONS:
        errors.append(f"unknown initialisation {settings.init!r}")
    for name in ("hidden", "decay_period", "seed"):
        value = getattr(settings, name)
        if not isinstance(value, (int, np.integer)) or value < (0 if name == "seed" else 1):
            errors.append(f"{name} must be a whole number of at least {0 if name == 'seed' else 1}, not {value!r}")
    for name in ("learning_rate", "decay_factor"):
        value = getattr(settings, name)
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            errors.append(f"{name} must be a positive number, not {value!r}")
    return errors


def _all_finite(arrays) -> bool:
    return all(np.isfinite(array).all() for array in arrays)


class Trainer:
    """One learner's training run: parameters, position in the data, history and snapshots."""

    def __init__(self, settings, train_images, train_labels, test_images, test_labels):
        self._train_images = _as_image_rows(train_images, "training images")
        self._train_labels = _as_labels(train_labels, len(self._train_images), "training labels")
        self._test_images = test_images
        self._test_labels = _as_labels(test_labels, len(test_images), "test labels")
        self.reset(settings)

    # --- state -------------------------------------------------------------------------------

    def reset(self, settings=None):
        """Start over from freshly initialised parameters, with the same or new settings."""
        settings = self.settings if settings is None else settings
        errors = structural_errors(settings)
        if errors:
            raise ValueError("invalid settings: " + "; ".join(errors))
        self.settings = settings
        self._folded = FoldedParameters(init_parameters(settings.hidden, settings.init, settings.seed))
        self.initial_params = self.params.copy()
        self.epoch = 0  # 0-based epoch in progress
        self.index = 0  # index of the next training sample
        self.step_count = 0  # samples trained so far
        self.last_record: StepRecord | None = None
        self.stopped_reason: str | None = None
        self.history = History()
        self._snapshots = Snapshots(self.params)
        self._test_probabilities = None  # A2 of the test set for the current parameters, once computed

    @property
    def params(self) -> Parameters:
        """W1, b1, W2, b2 now: views of the arrays training updates in place."""
        return self._folded.params

    @property
    def learning_rate(self) -> float:
        """α in force for the current epoch."""
        return learning_rate_at(self.settings, self.epoch)

    @property
    def training_size(self) -> int:
        return len(self._train_images)

    @property
    def steps_to_epoch_end(self) -> int:
        return self.training_size - self.index

    @property
    def snapshots(self) -> list[tuple[int, Parameters]]:
        """(step, parameters as float32) of the saved snapshots, oldest first, step 0 included."""
        return self._snapshots.as_list()

    def trajectory(self) -> list[tuple[int, Parameters]]:
        """The snapshots followed by the current parameters (unless a snapshot was just taken)."""
        points = self.snapshots
        if points[-1][0] != self.step_count:
            points.append((self.step_count, self.params.copy()))
        return points

    # --- training ------------------------------------------------------------------------------

    @_overflow_checked
    def step(self) -> StepRecord | None:
        """Train on the next sample and return what happened; None if training has stopped."""
        if self.stopped_reason is not None:
            return None
        index, label, alpha = self.index, int(self._train_labels[self.index]), self.learning_rate
        x1 = pixels_with_one(self._train_images[index:index + 1])[0]
        x = x1[:INPUTS]
        params_before = self.params.copy()
        Z1, Z2, A2, _, _ = self._folded.sgd_step(x1, label, alpha, GRADIENT_RULES[self.settings.rule])
        before = Forward(Z1, relu(Z1), Z2, A2)
        if not (_all_finite(before) and self.params.all_finite()):
            self._refuse(before, self.params, alpha)
            self._folded.assign(params_before)
            return None
        gradients = backward(params_before, x, before, label, self.settings.rule)
        after = forward(self.params, x)
        for array in (x, *before, *gradients):
            array.setflags(write=False)
        record = StepRecord(
            step=self.step_count + 1, epoch=self.epoch, index=index, x=x, label=label,
            forward=before, gradients=gradients, rule=self.settings.rule, learning_rate=alpha,
            loss_before=mse_loss(A2, label), cross_entropy_before=cross_entropy_loss(A2, label),
            loss_after=mse_loss(after.A2, label), cross_entropy_after=cross_entropy_loss(after.A2, label),
            prediction=int(A2.argmax()), correct=int(A2.argmax()) == label,
            prediction_after=int(after.A2.argmax()),
        )
        self.history.record(step_statistics(
            np.array([label]), pixel_norms(x[None]), before.A1[None], before.A2[None],
            gradients.db1[None], gradients.db2[None]))
        self._advance(1)
        self.last_record = record
        return record

    @_overflow_checked
    def train(self, n, progress=None, should_stop=None) -> StepRecord | None:
        """Train n samples (fewer if should_stop() returns True or training diverges).

        progress(done, n) is called every 1,000 samples and at the end. Returns the record of the last step
        when the n-th sample was trained, else None.
        """
        done = 0
        while done < n and self.stopped_reason is None:
            if should_stop is not None and should_stop():
                break
            if done == n - 1:
                if self.step() is None:  # the last step keeps a full record for the screens
                    break
                done += 1
            else:
                size = min(n - 1 - done, CHUNK - done % CHUNK, self.steps_to_epoch_end,
                           max(1, self._snapshots.next_step - self.step_count))
                done += self._train_chunk(size)
            if progress is not None and (done % CHUNK == 0 or done == n):
                progress(done, n)
        return self.last_record

    def run_epoch(self, progress=None, should_stop=None) -> StepRecord | None:
        """Train to the end of the current epoch."""
        return self.train(self.steps_to_epoch_end, progress, should_stop)

    def _train_chunk(self, size) -> int:
        """Train `size` samples within one epoch on the lean path; returns how many were trained.

        Finiteness is checked once at the end: a non-finite value never becomes finite again, so
        if the end is finite every step was. Otherwise the chunk is redone with step(), which
        finds and refuses the first bad step.
        """
        start = self.index
        X1 = pixels_with_one(self._train_images[start:start + size])
        labels = self._train_labels[start:start + size].astype(np.intp)
        alpha, rule, sgd_step = self.learning_rate, GRADIENT_RULES[self.settings.rule], self._folded.sgd_step
        saved = self.params.copy()
        steps = [sgd_step(x1, label, alpha, rule) for x1, label in zip(X1, labels.tolist())]
        Z1, Z2, A2, scaled_dZ1, scaled_dZ2 = (_rows(values) for values in zip(*steps))
        if not (self.params.all_finite() and _all_finite((Z1, Z2, A2))):
            self._folded.assign(saved)
            for done in range(size):
                if self.step() is None:
                    return done
            return size
        self.history.record(step_statistics(labels, pixel_norms(X1[:, :INPUTS]), relu(Z1), A2,
                                            scaled_dZ1 / alpha, scaled_dZ2 / alpha))
        self._advance(size)
        self.last_record = None
        return size

    def _advance(self, steps):
        """Move the position on by `steps` samples; take a snapshot or end the epoch when due."""
        self.index += steps
        self.step_count += steps
        self._test_probabilities = None
        if self.step_count >= self._snapshots.next_step:
            self._snapshots.take(self.step_count, self.params)
        if self.index == self.training_size:
            self.history.end_epoch(self.epoch, self.step_count, self.evaluate())
            self.epoch += 1
            self.index = 0

    def _refuse(self, before, updated, alpha):
        """Stop training, saying which value overflowed at which step and what to do."""
        where = next((f"{name} in the forward pass" for name, value in zip(Forward._fields, before)
                      if not np.isfinite(value).all()), None)
        if where is None:
            where = next(f"{name} after this update" for name, value in zip(PARAMETER_NAMES, updated.as_tuple())
                         if not np.isfinite(value).all())
        self.stopped_reason = (
            f"Training stopped at step {self.step_count + 1} (epoch {self.epoch + 1}, sample {self.index}): "
            f"the weights grew so large that {where} is infinite or not a number "
            f"(learning rate α = {alpha:g}). The weights are kept as they were after step {self.step_count}. "
            f"Lower the learning rate (for example to {alpha / 10:g}) and reset."
        )
        self.last_record = None

    # --- evaluation ----------------------------------------------------------------------------

    def test_predictions(self) -> np.ndarray:
        """A2 for every test image (float32, (n_test, 10)) with the current parameters; cached until the next step."""
        if self._test_probabilities is None:
            compact = Parameters(*_compact(self.params))
            with np.errstate(over="ignore", invalid="ignore"):
                probabilities = forward(compact, float32_pixels(self._test_images)).A2.astype(np.float32)
            probabilities.setflags(write=False)
            self._test_probabilities = probabilities
        return self._test_probabilities

    def evaluate(self, images=None, labels=None) -> float:
        """Accuracy on the test set, or on the given uint8 images and labels."""
        if images is None:
            return accuracy(self.test_predictions().argmax(axis=1), self._test_labels)
        predictions = np.concatenate([forward(self.params, pixels(images[i:i + 10_000])).A2.argmax(axis=1)
                                      for i in range(0, len(images), 10_000)])
        return accuracy(predictions, np.asarray(labels))

    def dead_units(self, probe_images=None) -> np.ndarray:
        """Boolean mask (h,) of hidden units with Z1 = W1ᵀx + b1 ≤ 0 on every probe image: they never learn.

        The probe defaults to the first PROBE_IMAGES test images, already converted once per process,
        so the Train screen can afford this on every click.
        """
        if probe_images is None:
            X = float32_pixels(self._test_images)[:PROBE_IMAGES]
            Z1 = X @ self.params.W1.astype(np.float32) + self.params.b1.astype(np.float32)
        else:
            Z1 = forward(self.params, pixels(probe_images)).Z1
        return ~(Z1 > 0).any(axis=0)

    def memory_bytes(self) -> int:
        """Bytes this trainer holds beyond the shared data sets (its arrays, history and snapshots)."""
        arrays = self.initial_params.as_tuple()
        cached = 0 if self._test_probabilities is None else self._test_probabilities.nbytes
        record = 0 if self.last_record is None else sum(
            array.nbytes for array in (self.last_record.x, *self.last_record.forward, *self.last_record.gradients))
        return (sum(array.nbytes for array in arrays) + self._folded.nbytes() + self.history.nbytes()
                + self._snapshots.nbytes() + cached + record)

    # --- saving and restoring ------------------------------------------------------------------

    def state_dict(self) -> dict:
        """The whole state as a flat dict of numpy arrays, numbers and strings (np.savez-able without pickle)."""
        state = {"format": STATE_FORMAT}
        state.update({f"settings.{field.name}": getattr(self.settings, field.name) for field in fields(Settings)})
        for prefix, params in (("params", self.params), ("initial", self.initial_params)):
            state.update({f"{prefix}.{name}": array.copy() for name, array in zip(PARAMETER_NAMES, params.as_tuple())})
        state.update({"epoch": self.epoch, "index": self.index, "step_count": self.step_count,
                      "stopped_reason": self.stopped_reason or "", "training_size": self.training_size})
        state.update(self.history.state())
        state.update(self._snapshots.state())
        return state

    @classmethod
    def from_state(cls, state, train_images, train_labels, test_images, test_labels) -> "Trainer":
        """A trainer in exactly the saved state (its next steps are those the saved trainer would take)."""
        if str(_scalar(state.get("format", ""))) != STATE_FORMAT:
            raise ValueError(f"not a trainer state (expected format {STATE_FORMAT!r})")
        defaults = Settings()
        settings = Settings(**{field.name: type(getattr(defaults, field.name))(_scalar(state[f"settings.{field.name}"]))
                               for field in fields(Settings)})
        trainer = cls(settings, train_images, train_labels, test_images, test_labels)
        if int(_scalar(state["training_size"])) != trainer.training_size:
            raise ValueError("the saved state was trained on a training set of a different size")
        for prefix, params in (("params", trainer.params), ("initial", trainer.initial_params)):
            for name, array in zip(PARAMETER_NAMES, params.as_tuple()):
                saved = np.asarray(state[f"{prefix}.{name}"])
                if saved.shape != array.shape:
                    raise ValueError(f"{prefix}.{name} has shape {saved.shape}, expected {array.shape}")
                array[...] = saved
        trainer.epoch, trainer.index, trainer.step_count = (int(_scalar(state[key])) for key in ("epoch", "index", "step_count"))
        if not 0 <= trainer.index < trainer.training_size or trainer.epoch < 0 or trainer.step_count < 0:
            raise ValueError("the saved position is outside the training set")
        if not (trainer.params.all_finite() and trainer.initial_params.all_finite()):
            raise ValueError("the saved parameters contain inf or nan")
        trainer.stopped_reason = str(_scalar(state["stopped_reason"])) or None
        trainer.history.load(state)
        trainer._snapshots.load(state)
        return trainer


def _scalar(value):
    """A Python value from a scalar or a 0-d array (np.load returns the latter)."""
    return value.item() if isinstance(value, np.ndarray) else value


def _as_image_rows(images, what):
    """The images as (n, 28, 28) or (n, 784) without copying them."""
    if images.shape[1:] in ((28, 28), (INPUTS,)):
        return images
    raise ValueError(f"{what} must have shape (n, 28, 28) or (n, 784), not {images.shape}")


def _as_labels(labels, count, what):
    labels = np.asarray(labels)
    if labels.shape != (count,):
        raise ValueError(f"{what} must have shape ({count},), not {labels.shape}")
    return labels
