"""Runs side by side: two to four trainers from one start, trained in lockstep, and what they show.

A comparison holds 2 to 4 runs of one network shape (784 → h → 10). The classic sets start from one
initial θ0 and differ in one setting: the three gradient rules (document, exact MSE, cross-entropy)
at one α, or three learning rates under one rule. Lockstep means every run still training takes the
same next samples of the training set, in the dataset's order, through its own Trainer (the same
network.sgd_step as a run trained alone, so a run trained here is bit for bit the run trained alone).

What they show is computed here from the trainers, never written by hand: each run's silent hidden
units and distance from its start at its trajectory points, and the size of its output error dZ2. The
reading of those numbers in words is the Compare screen's (ui/compare_reading.py), the runs' names
are made where they are shown (locales/words.py).

Left out on purpose: the shared loss plane (core/surface/shared_plane.py), where the runs are stored
(lab/comparison.py appends each run's events like any run's), and streamlit.
"""

from dataclasses import replace

import numpy as np

from core.model.network import init_parameters
from core.model.pixel_cache import float32_pixels
from core.training.settings import Settings, validation_errors
from core.model import batched
from core.model.batched import PROBE_IMAGES
from core.training.trainer import Trainer
from core.reasons import Reason, Refusal

MIN_RUNS, MAX_RUNS = 2, 4
RULE_SET = ("document", "mse", "cross-entropy")
LEARNING_RATE_SET = (0.1, 0.01, 0.002)


# --- the classic sets ------------------------------------------------------------------------------


def gradient_rule_set(settings, erratum_pair=False) -> list[Settings]:
    """document, exact MSE and cross-entropy at one α; with erratum_pair, cross-entropy at 2α too.

    Erratum 1 predicts that cross-entropy at 2α retraces the document's rule at α step for step:
    2α·(A2 − y) = α·2(A2 − y).
    """
    chosen = [replace(settings, rule=rule) for rule in RULE_SET]
    if erratum_pair:
        chosen.append(replace(settings, rule="cross-entropy", learning_rate=2 * settings.learning_rate))
    return _checked(chosen)


def learning_rate_set(settings, rates=LEARNING_RATE_SET) -> list[Settings]:
    """One run per learning rate α, every other setting as given."""
    if len(set(rates)) != len(rates):
        raise Refusal("lockstep.rates_differ")
    return _checked([replace(settings, learning_rate=float(rate)) for rate in rates])


def _checked(chosen) -> list[Settings]:
    if not MIN_RUNS <= len(chosen) <= MAX_RUNS:
        raise Refusal("lockstep.how_many", low=MIN_RUNS, high=MAX_RUNS, count=len(chosen))
    errors = [error for settings in chosen for error in validation_errors(settings)]
    if errors:
        raise Refusal("lockstep.invalid_settings", errors=list(dict.fromkeys(errors)))
    return chosen


def starts_from_seed(trainer) -> bool:
    """True when the trainer's initial θ0 is what its seed and initialisation give (a run not started from an upload)."""
    seeded = init_parameters(trainer.settings.hidden, trainer.settings.init, trainer.settings.seed)
    return all(np.array_equal(a, b) for a, b in zip(trainer.initial_params.as_tuple(), seeded.as_tuple()))


def trainer_from_weights(settings, weights, data) -> Trainer:
    """A trainer at step 0 whose initial θ0 is `weights` (not its seed's), as a checkpoint of it would load.

    For a run that started from an uploaded checkpoint: its θ0 came with the checkpoint and need not
    be what its seed gives, so a set "from its initial weights" starts from these weights.
    """
    state = Trainer(settings, *data).state_dict()
    for name, array in zip(("W1", "b1", "W2", "b2"), weights.as_tuple()):
        state[f"params.{name}"] = array.copy()
        state[f"initial.{name}"] = array.copy()
        state[f"snapshots.{name}"] = array.astype(state[f"snapshots.{name}"].dtype)[None]
    return Trainer.from_state(state, *data)


# --- lockstep ------------------------------------------------------------------------------------------


def lockstep_problems(trainers) -> list[Reason]:
    """Why these trainers cannot train in lockstep (an empty list when they can).

    They need one network shape, one training set, and every run still training at one position
    (a run stopped by overflow stays where it stopped, which must not be past the others).
    """
    problems = []
    if not MIN_RUNS <= len(trainers) <= MAX_RUNS:
        problems.append(Reason("lockstep.how_many", low=MIN_RUNS, high=MAX_RUNS, count=len(trainers)))
    if not trainers:
        return problems
    hidden = [trainer.settings.hidden for trainer in trainers]
    if len(set(hidden)) > 1:
        problems.append(Reason("lockstep.shapes", units=", ".join(map(str, hidden))))
    if len({trainer.training_size for trainer in trainers}) > 1:
        problems.append(Reason("lockstep.training_sets"))
    live = [trainer.step_count for trainer in trainers if trainer.stopped_reason is None]
    stopped = [trainer.step_count for trainer in trainers if trainer.stopped_reason is not None]
    if len(set(live)) > 1:
        problems.append(Reason("lockstep.steps", steps=live))
    elif live and stopped and max(stopped) > live[0]:
        problems.append(Reason("lockstep.stopped_past", stopped=max(stopped), step=live[0]))
    return problems


def train_in_lockstep(trainers, n, should_stop=None) -> int:
    """Every trainer still training takes the next n samples (fewer if should_stop() says so); returns how many.

    The first trainer still training leads: it trains until n samples or should_stop(), and every
    other one then trains exactly as many, so all stay at one position. A trainer that overflows
    stops where it is (its refused step is not counted); the next one still training leads the rest.
    """
    done = 0
    while done < n:
        live = [trainer for trainer in trainers if trainer.stopped_reason is None]
        if not live:
            break
        leader, *others = live
        before = leader.step_count
        leader.train(n - done, should_stop=should_stop)
        trained = leader.step_count - before
        for trainer in others:
            trainer.train(trained)
        done += trained
        if leader.stopped_reason is None:  # it finished, or should_stop() ended the slice
            break
    return done


# --- what the runs show ------------------------------------------------------------------------------


def silent_units(params, probe) -> int:
    """How many hidden units have Z1 = W1ᵀx + b1 ≤ 0 on every probe image (float32, as Trainer.dead_units)."""
    return int(batched.silent_units(batched.hidden_sums(params, probe)).sum())


def probe_images(trainer) -> np.ndarray:
    """The first PROBE_IMAGES test images as float32 pixels: the probe of Trainer.dead_units."""
    return float32_pixels(trainer.data[2])[:PROBE_IMAGES]


def distance_from_start(params, start) -> float:
    """‖θ − θ0‖ over every parameter (W1, b1, W2, b2)."""
    return float(np.linalg.norm(params.flatten() - start.flatten()))


def largest_difference(first, second) -> float:
    """max |θ − θ'| over every parameter: 0 when the two are bit for bit equal."""
    return max(float(np.max(np.abs(a - b))) for a, b in zip(first.as_tuple(), second.as_tuple()))


def output_error_size(history) -> float:
    """The mean over every step trained of rms(dZ2) = |dZ2| / √10 (the history's rms_b2, since db2 = dZ2)."""
    column = history.SERIES.index("rms_b2")
    counts = history.bins.counts.sum()
    return float(history.bins.sums[:, column].sum() / counts) if counts else float("nan")


class TrackedRun:
    """One compared run's trainer and its numbers at its trajectory points, each computed once."""

    def __init__(self, trainer: Trainer):
        self.trainer = trainer
        self._silent: dict[int, int] = {}  # point's step -> silent units there (a point never changes)

    def silent_along(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, silent hidden units) at every trajectory point and at the current step."""
        probe = probe_images(self.trainer)
        points = self.trainer.trajectory()
        for step, params in points[:-1]:
            if step not in self._silent:
                self._silent[step] = silent_units(params, probe)
        kept = {step for step, _ in points}
        self._silent = {step: count for step, count in self._silent.items() if step in kept}
        steps = np.array([step for step, _ in points])
        now = int(self.trainer.dead_units().sum())  # the same count at the current parameters, kept up to date
        counts = [self._silent[step] for step, _ in points[:-1]] + [now]
        return steps, np.array(counts)

    def distance_along(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, ‖θ − θ0‖) at every trajectory point and at the current step."""
        start = self.trainer.initial_params
        points = self.trainer.trajectory()
        return (np.array([step for step, _ in points]),
                np.array([distance_from_start(params, start) for _, params in points]))
