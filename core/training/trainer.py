"""The trainer: one learner's whole training run, advanced one sample at a time as in the document.

Training is the document's Algorithm 4: per-sample SGD over the training set in dataset order,
P ← P − α·dP after every sample, α = lr · factor^⌊epoch / period⌋, the test accuracy measured at
each epoch's end (erratum 5: there, not after every sample).

Every sample goes through core/model/network.py's sgd_step, the one function that changes the weights.
The trainer calls it two ways:
- step() trains one sample and returns a StepRecord of what that step computed and applied;
- train(n) trains many samples and keeps only what the history needs. Its parameters are bit for
  bit those that n calls of step() give, since both run sgd_step on the same numbers.

A step that would make any value inf or nan is refused (the learning rate was too large): the
last finite parameters stay, stopped_reason says why, and nothing trains until reset().

What it keeps is bounded however long it runs: the history is binned (core/training/history.py), the
trajectory points are thinned (core/training/trajectory.py), and the training images are read, never copied.
Left out on purpose: shuffling, minibatches, momentum (the document has none); saving to disk
(core/record/checkpoints.py does that with state_dict()).
"""

import functools
import math
from dataclasses import fields

import numpy as np

from core.training.history import History, pixel_norms, step_statistics
from core.model.metrics import accuracy
from core.model.network import (
    CLASSES,
    INPUTS,
    PARAMETER_NAMES,
    Forward,
    Parameters,
    cross_entropy_loss,
    forward,
    init_parameters,
    mse_loss,
    pixels,
    sgd_step,
)
from core.model.batched import compact, silent_units
from core.model.pixel_cache import as_image_rows, as_labels, float32_pixels
from core.model.silent_probe import SilentProbe
from core.reasons import Reason, Refusal
from core.training.settings import Settings, learning_rate_at, structural_errors
from core.training.trajectory import TrajectoryPoints
from core.training.step_record import StepRecord
from core.training.stop_note import AFTER_THIS_UPDATE, IN_THE_FORWARD_PASS, STOPPED, read_stop_note

CHUNK = 1000  # steps between progress reports and stop checks in train()
STATE_FORMAT = "backprop-lab-trainer-1"


def _overflow_checked(method):
    """Run `method` without numpy's overflow warnings: the trainer detects overflow itself and stops."""
    @functools.wraps(method)
    def quietly(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore"):
            return method(*args, **kwargs)
    return quietly


def _all_finite(arrays) -> bool:
    return all(np.isfinite(array).all() for array in arrays)


class Trainer:
    """One learner's training run: parameters, position in the data, history and trajectory points."""

    def __init__(self, settings, train_images, train_labels, test_images, test_labels):
        self._train_images = as_image_rows(train_images, "training images")
        self._train_labels = as_labels(train_labels, len(self._train_images), "training labels")
        self._test_images = test_images
        self._test_labels = as_labels(test_labels, len(test_images), "test labels")
        self.silent_probe = SilentProbe(test_images)  # it compares W1 and b1 itself: nothing to reset
        self.reset(settings)

    # --- state -------------------------------------------------------------------------------

    def reset(self, settings=None):
        """Start over from freshly initialised parameters, with the same or new settings."""
        settings = self.settings if settings is None else settings
        errors = structural_errors(settings)
        if errors:
            raise Refusal("training.invalid_settings", errors=errors)
        self.settings = settings
        self.params = init_parameters(settings.hidden, settings.init, settings.seed)  # W1, b1, W2, b2 now
        self.initial_params = self.params.copy()
        self.epoch = 0  # 0-based epoch in progress
        self.index = 0  # index of the next training sample
        self.step_count = 0  # training samples trained so far (epoch × training size + index)
        self.drawings = 0  # steps on drawn digits (step_on): SGD steps too, but not training samples
        self.last_record: StepRecord | None = None
        self.stopped_reason: str | None = None
        self.history = History(settings.hidden)
        self._trajectory_points = TrajectoryPoints(self.params)
        self._test_probabilities = None  # A2 of the test set for the current parameters, once computed

    @property
    def sgd_steps(self) -> int:
        """The step count a learner sees: every sgd_step that changed the parameters, training samples and drawings."""
        return self.step_count + self.drawings

    @property
    def learning_rate(self) -> float:
        """α in force for the current epoch."""
        return learning_rate_at(self.settings, self.epoch)

    @property
    def data(self) -> tuple:
        """(training images, training labels, test images, test labels) as given, never copied."""
        return self._train_images, self._train_labels, self._test_images, self._test_labels

    def change_settings(self, settings):
        """Train with new settings from the next step on, keeping the parameters, position and history.

        Only settings that keep the network's shape and initial parameters may change (learning
        rate, decay, rule); a different hidden size, initialisation or seed is a new run (reset).
        """
        errors = structural_errors(settings)
        fixed = [name for name in ("hidden", "init", "seed") if getattr(settings, name) != getattr(self.settings, name)]
        if fixed:
            errors.append(Reason("training.fixed_settings", names=", ".join(fixed)))
        if errors:
            raise Refusal("training.invalid_settings", errors=errors)
        self.settings = settings

    @property
    def training_size(self) -> int:
        return len(self._train_images)

    @property
    def steps_to_epoch_end(self) -> int:
        return self.training_size - self.index

    @property
    def trajectory_points(self) -> list[tuple[int, Parameters]]:
        """(step, parameters as float32) of the saved trajectory points, oldest first, step 0 included."""
        return self._trajectory_points.as_list()

    def trajectory(self) -> list[tuple[int, Parameters]]:
        """The trajectory points followed by the current parameters (unless a point was just taken)."""
        points = self.trajectory_points
        if points[-1][0] != self.step_count:
            points.append((self.step_count, self.params.copy()))
        return points

    # --- training ------------------------------------------------------------------------------

    @_overflow_checked
    def step(self) -> StepRecord | None:
        """Train on the next sample and return what happened; None if training has stopped."""
        if self.stopped_reason is not None:
            return None
        index = self.index
        record = self._sgd_step_record(self._train_images[index], int(self._train_labels[index]), index)
        if record is None:
            return None
        before, gradients = record.forward, record.gradients
        self.history.record(step_statistics(np.array([record.label]), pixel_norms(record.x[None]), before.A1[None],
                                            before.A2[None], gradients.db1[None], gradients.db2[None]),
                            before.A1[None])
        self._advance(1)
        self.last_record = record
        return record

    @_overflow_checked
    def step_on(self, image, label) -> StepRecord | None:
        """One SGD step on a given 28x28 uint8 image and label (a drawn digit); None if training has stopped.

        It counts as a step (sgd_steps) but not as a sample: the position in the training set, step_count
        and the curves count training-set samples only (a saved state checks that they agree).
        """
        image = np.asarray(image)
        if image.dtype != np.uint8 or image.shape not in ((28, 28), (INPUTS,)):
            raise ValueError(f"the image must be 28x28 uint8 pixels, not {image.dtype} of shape {image.shape}")
        if not (isinstance(label, (int, np.integer)) and 0 <= label < CLASSES):
            raise ValueError(f"the label must be a digit 0..9, not {label!r}")
        if self.stopped_reason is not None:
            return None
        record = self._sgd_step_record(image, int(label), None)
        if record is not None:
            self.drawings += 1
            self._test_probabilities = None
            self.last_record = record
        return record

    def _sgd_step_record(self, image, label, index) -> StepRecord | None:
        """Run sgd_step on one image and return its record; on overflow refuse it (None) and keep the parameters."""
        alpha = self.learning_rate
        x = pixels(image)
        saved = self.params.copy()
        before, gradients = sgd_step(self.params, x, label, alpha, self.settings.rule)
        if not (_all_finite(before) and self.params.all_finite()):
            self._refuse(before, alpha)
            self.params = saved
            return None
        after = forward(self.params, x)
        for array in (x, *before, *gradients, *saved.as_tuple()):
            array.setflags(write=False)
        return StepRecord(
            step=self.sgd_steps + 1, epoch=self.epoch, index=index, x=x, label=label,
            forward=before, params_before=saved, gradients=gradients, rule=self.settings.rule,
            learning_rate=alpha,
            loss_before=mse_loss(before.A2, label), cross_entropy_before=cross_entropy_loss(before.A2, label),
            loss_after=mse_loss(after.A2, label), cross_entropy_after=cross_entropy_loss(after.A2, label),
            prediction=int(before.A2.argmax()), correct=int(before.A2.argmax()) == label,
            prediction_after=int(after.A2.argmax()),
        )

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
                           max(1, self._trajectory_points.next_step - self.step_count))
                done += self._train_chunk(size)
            if progress is not None and (done % CHUNK == 0 or done == n):
                progress(done, n)
        return self.last_record

    def run_epoch(self, progress=None, should_stop=None) -> StepRecord | None:
        """Train to the end of the current epoch."""
        return self.train(self.steps_to_epoch_end, progress, should_stop)

    def _train_chunk(self, size) -> int:
        """Train `size` samples within one epoch, keeping only what the history needs; returns how many were trained.

        Finiteness is checked once at the end: a non-finite value never becomes finite again, so
        if the end is finite every step was. Otherwise the chunk is redone with step(), which
        finds and refuses the first bad step.
        """
        start = self.index
        X = pixels(self._train_images[start:start + size])
        labels = self._train_labels[start:start + size].astype(np.intp)
        alpha, rule = self.learning_rate, self.settings.rule
        saved = self.params.copy()
        # Each step's A1, A2, dZ1 and dZ2 (= db1, db2), one row per step: the history's inputs.
        A1, dZ1 = np.empty((size, self.params.hidden)), np.empty((size, self.params.hidden))
        A2, dZ2 = np.empty((size, CLASSES)), np.empty((size, CLASSES))
        for i, (x, label) in enumerate(zip(X, labels.tolist())):
            fwd, gradients = sgd_step(self.params, x, label, alpha, rule)
            A1[i], A2[i], dZ1[i], dZ2[i] = fwd.A1, fwd.A2, gradients.db1, gradients.db2
        if not (self.params.all_finite() and _all_finite((A1, A2))):
            self.params = saved
            for done in range(size):
                if self.step() is None:
                    return done
            return size
        self.history.record(step_statistics(labels, pixel_norms(X), A1, A2, dZ1, dZ2), A1)
        self._advance(size)
        self.last_record = None
        return size

    def _advance(self, steps):
        """Move the position on by `steps` samples; take a trajectory point or end the epoch when due."""
        self.index += steps
        self.step_count += steps
        self._test_probabilities = None
        if self.step_count >= self._trajectory_points.next_step:
            self._trajectory_points.take(self.step_count, self.params)
        if self.index == self.training_size:
            self.history.end_epoch(self.epoch, self.step_count, self.evaluate())
            self.epoch += 1
            self.index = 0

    def _refuse(self, before, alpha):
        """Stop training, saying which value overflowed at which step and what to do."""
        where = next((f"{name} {IN_THE_FORWARD_PASS}" for name, value in zip(Forward._fields, before)
                      if not np.isfinite(value).all()), None)
        if where is None:
            where = next(f"{name} {AFTER_THIS_UPDATE}" for name, value in zip(PARAMETER_NAMES, self.params.as_tuple())
                         if not np.isfinite(value).all())
        # Saved in checkpoints and snapshots as this sentence; stop_reason() reads it back as a Reason.
        self.stopped_reason = STOPPED.format(step=self.sgd_steps + 1, epoch=self.epoch + 1, sample=self.index,
                                             where=where, alpha=f"{alpha:g}", kept=self.sgd_steps,
                                             lower=f"{alpha / 10:g}")
        self.last_record = None

    # --- evaluation ----------------------------------------------------------------------------

    def test_predictions(self) -> np.ndarray:
        """A2 for every test image (float32, (n_test, 10)) with the current parameters; cached until the next step."""
        if self._test_probabilities is None:
            with np.errstate(over="ignore", invalid="ignore"):
                probabilities = forward(Parameters(*compact(self.params)), float32_pixels(self._test_images)).A2.astype(np.float32)
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
        """Boolean mask (h,) of hidden units with Z1 = W1ᵀx + b1 ≤ 0 on every probe image.

        Such a unit gets no gradient from those images. It is not proof the unit can never learn
        again: it may still fire on a rare training image (history.last_active says when one last
        did). The probe defaults to the first PROBE_IMAGES test images, where a SilentProbe rechecks
        only the units a step changed, so the Train screen can afford this on every click.
        """
        if probe_images is None:
            return self.silent_probe.silent(self.params)
        return silent_units(forward(self.params, pixels(probe_images)).Z1)

    def memory_bytes(self) -> int:
        """Bytes this trainer holds beyond the shared data sets (its arrays, history and trajectory points)."""
        arrays = self.initial_params.as_tuple()
        cached = 0 if self._test_probabilities is None else self._test_probabilities.nbytes
        record = 0 if self.last_record is None else sum(
            array.nbytes for array in (self.last_record.x, *self.last_record.forward, *self.last_record.gradients,
                                       *self.last_record.params_before.as_tuple()))
        return (2 * sum(array.nbytes for array in arrays) + self.history.nbytes()
                + self._trajectory_points.nbytes() + self.silent_probe.nbytes() + cached + record)

    # --- saving and restoring ------------------------------------------------------------------

    def state_dict(self) -> dict:
        """The whole state as a flat dict of numpy arrays, numbers and strings (np.savez-able without pickle)."""
        state = {"format": STATE_FORMAT}
        state.update({f"settings.{field.name}": getattr(self.settings, field.name) for field in fields(Settings)})
        for prefix, params in (("params", self.params), ("initial", self.initial_params)):
            state.update({f"{prefix}.{name}": array.copy() for name, array in zip(PARAMETER_NAMES, params.as_tuple())})
        state.update({"epoch": self.epoch, "index": self.index, "step_count": self.step_count, "drawings": self.drawings,
                      "stopped_reason": self.stopped_reason or "", "training_size": self.training_size})
        state.update(self.history.state())
        state.update(self._trajectory_points.state())
        return state

    @classmethod
    def resumed(cls, settings, params, epoch, index, step_count, drawings, stopped_reason, *data) -> "Trainer":
        """A trainer at a known position with known parameters (taken, not copied) and an empty history.

        It is a view of a past moment (core/record/timeline.py): its next steps are exactly those the run
        took from there, but its curves hold only what it trains from now on.
        """
        trainer = cls(settings, *data)
        if step_count != epoch * trainer.training_size + index:
            raise ValueError(f"position {step_count} is not epoch {epoch}, sample {index}")
        trainer.params = params
        trainer.epoch, trainer.index, trainer.step_count, trainer.drawings = epoch, index, step_count, drawings
        trainer.stopped_reason = stopped_reason
        trainer._trajectory_points.next_step = math.inf  # a view keeps no trajectory of its own
        return trainer

    @classmethod
    def from_state(cls, state, train_images, train_labels, test_images, test_labels) -> "Trainer":
        """A trainer in exactly the saved state (its next steps are those the saved trainer would take)."""
        if str(_scalar(state.get("format", ""))) != STATE_FORMAT:
            raise Refusal("training.not_a_state", format=repr(STATE_FORMAT))
        defaults = Settings()
        settings = Settings(**{field.name: type(getattr(defaults, field.name))(_scalar(state[f"settings.{field.name}"]))
                               for field in fields(Settings)})
        trainer = cls(settings, train_images, train_labels, test_images, test_labels)
        if int(_scalar(state["training_size"])) != trainer.training_size:
            raise Refusal("training.other_size")
        for prefix, params in (("params", trainer.params), ("initial", trainer.initial_params)):
            for name, array in zip(PARAMETER_NAMES, params.as_tuple()):
                saved = np.asarray(state[f"{prefix}.{name}"])
                if saved.shape != array.shape:
                    raise Refusal("training.shape", name=f"{prefix}.{name}", shape=saved.shape, expected=array.shape)
                array[...] = saved
        epoch, index, steps = (int(_scalar(state[key])) for key in ("epoch", "index", "step_count"))
        drawings = int(_scalar(state.get("drawings", 0)))  # files before version 3 did not count them
        size = trainer.training_size
        if not 0 <= index < size or epoch < 0 or steps != epoch * size + index or drawings < 0:
            raise Refusal("training.position", steps=steps, epoch=epoch, index=index, size=size)
        trainer.epoch, trainer.index, trainer.step_count, trainer.drawings = epoch, index, steps, drawings
        if not (trainer.params.all_finite() and trainer.initial_params.all_finite()):
            raise Refusal("training.not_finite")
        trainer.stopped_reason = read_stop_note(str(_scalar(state["stopped_reason"])))
        trainer.history.load(state, steps, epoch, index, size)
        trainer._trajectory_points.load(state, steps)
        return trainer


def _scalar(value):
    """A Python value from a scalar or a 0-d array (np.load returns the latter)."""
    return value.item() if isinstance(value, np.ndarray) else value
