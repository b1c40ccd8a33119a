"""Runs side by side: two to four trainers from one start, trained in lockstep, and what they show.

A comparison holds 2 to 4 runs of one network shape (784 → h → 10). The classic sets start from one
initial θ0 and differ in one setting: the three gradient rules (document, exact MSE, cross-entropy)
at one α, or three learning rates under one rule. Lockstep means every run still training takes the
same next samples of the training set, in the dataset's order, through its own Trainer (the same
network.sgd_step as a run trained alone, so a run trained here is bit for bit the run trained alone).

What they show is computed here from the trainers, never written by hand: each run's silent hidden
units and distance from its start at its saved snapshots, the size of its output error dZ2, and a
short reading of those numbers in words (which rule or α learned most, which coincide, which killed
their hidden units and when).

Left out on purpose: the shared loss plane (core/surface/shared_plane.py), where the runs are stored
(lab/comparison.py appends each run's events like any run's), and streamlit.
"""

from dataclasses import fields, replace

import numpy as np

from core.model.network import init_parameters
from core.model.pixel_cache import float32_pixels
from core.training.settings import Settings, validation_errors
from core.training.trainer import PROBE_IMAGES, Trainer
from locales import N_, _, ngettext, number

MIN_RUNS, MAX_RUNS = 2, 4
RULE_SET = ("document", "mse", "cross-entropy")
LEARNING_RATE_SET = (0.1, 0.01, 0.002)
RULE_TITLES = {"document": N_("document"), "mse": N_("exact MSE"), "cross-entropy": N_("cross-entropy")}


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
        raise ValueError(_("the learning rates must differ from one another"))
    return _checked([replace(settings, learning_rate=float(rate)) for rate in rates])


def _checked(chosen) -> list[Settings]:
    if not MIN_RUNS <= len(chosen) <= MAX_RUNS:
        raise ValueError(_("a comparison holds {low} to {high} runs, not {count}").format(
            low=MIN_RUNS, high=MAX_RUNS, count=len(chosen)))
    errors = [error for settings in chosen for error in validation_errors(settings)]
    if errors:
        raise ValueError("; ".join(dict.fromkeys(errors)))
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


def lockstep_problems(trainers) -> list[str]:
    """Why these trainers cannot train in lockstep (an empty list when they can).

    They need one network shape, one training set, and every run still training at one position
    (a run stopped by overflow stays where it stopped, which must not be past the others).
    """
    problems = []
    if not MIN_RUNS <= len(trainers) <= MAX_RUNS:
        problems.append(_("a comparison holds {low} to {high} runs, not {count}").format(
            low=MIN_RUNS, high=MAX_RUNS, count=len(trainers)))
    if not trainers:
        return problems
    hidden = [trainer.settings.hidden for trainer in trainers]
    if len(set(hidden)) > 1:
        problems.append(_("the runs have different network shapes (hidden units: {units}); only runs of one "
                          "shape can be compared").format(units=", ".join(map(str, hidden))))
    if len({trainer.training_size for trainer in trainers}) > 1:
        problems.append(_("the runs were trained on training sets of different sizes"))
    live = [trainer.step_count for trainer in trainers if trainer.stopped_reason is None]
    stopped = [trainer.step_count for trainer in trainers if trainer.stopped_reason is not None]
    if len(set(live)) > 1:
        problems.append(_("the runs are at different steps ({steps}); lockstep trains every run on the same next "
                          "samples, so they must stand at one step").format(
            steps=", ".join(number(step) for step in live)))
    elif live and stopped and max(stopped) > live[0]:
        problems.append(_("a run stopped by overflow at step {stopped} is past the others (step {step})").format(
            stopped=number(max(stopped)), step=number(live[0])))
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


# --- naming the runs ---------------------------------------------------------------------------------


def run_labels(settings_list) -> list[str]:
    """Each run named by what sets it apart: "exact MSE", "α = 0.1", "cross-entropy · α = 0.02", "run 2"."""
    names = ["rule", "learning_rate"] + [field.name for field in fields(Settings)
                                         if field.name not in ("rule", "learning_rate")]
    differing = [name for name in names if len({getattr(settings, name) for settings in settings_list}) > 1]
    labels = []
    for count, settings in enumerate(settings_list, start=1):
        parts = [_setting_text(name, getattr(settings, name)) for name in differing]
        labels.append(" · ".join(parts) if parts else _("run {number}").format(number=count))
    if len(set(labels)) < len(labels):  # the same settings twice (runs picked by link): number them
        labels = [_("run {number}: {label}").format(number=count, label=label)
                  for count, label in enumerate(labels, start=1)]
    return labels


def _setting_text(name, value) -> str:
    return {"rule": lambda: _(RULE_TITLES[value]), "learning_rate": lambda: f"α = {number(value, 'g')}",
            "decay_period": lambda: _("halve every {period}").format(period=value),
            "decay_factor": lambda: _("factor {factor}").format(factor=number(value, "g")),
            "hidden": lambda: _("{units} hidden").format(units=value),
            "init": lambda: _("init {init}").format(init=value),
            "seed": lambda: _("seed {seed}").format(seed=value)}[name]()


# --- what the runs show ------------------------------------------------------------------------------


def silent_units(params, probe) -> int:
    """How many hidden units have Z1 = W1ᵀx + b1 ≤ 0 on every probe image (float32, as Trainer.dead_units)."""
    Z1 = probe @ np.asarray(params.W1, dtype=np.float32) + np.asarray(params.b1, dtype=np.float32)
    return int((~(Z1 > 0).any(axis=0)).sum())


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
    """One compared run's trainer and its numbers at its saved snapshots, each computed once."""

    def __init__(self, trainer: Trainer):
        self.trainer = trainer
        self._silent: dict[int, int] = {}  # snapshot step -> silent units there (snapshots never change)

    def silent_along(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, silent hidden units) at every saved snapshot and at the current step."""
        probe = probe_images(self.trainer)
        points = self.trainer.trajectory()
        for step, params in points[:-1]:
            if step not in self._silent:
                self._silent[step] = silent_units(params, probe)
        kept = {step for step, _ in points}
        self._silent = {step: count for step, count in self._silent.items() if step in kept}
        steps = np.array([step for step, _ in points])
        counts = [self._silent[step] for step, _ in points[:-1]] + [silent_units(points[-1][1], probe)]
        return steps, np.array(counts)

    def distance_along(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, ‖θ − θ0‖) at every saved snapshot and at the current step."""
        start = self.trainer.initial_params
        points = self.trainer.trajectory()
        return (np.array([step for step, _ in points]),
                np.array([distance_from_start(params, start) for _, params in points]))


# --- the reading -------------------------------------------------------------------------------------


def reading(trainers, labels) -> list[str]:
    """A few sentences saying what the numbers of these runs show, each computed from them."""
    sentences = [_accuracy_sentence(trainers, labels)]
    sentences += _erratum_sentences(trainers, labels)
    sentences.append(_damping_sentence(trainers, labels))
    sentences += [_silent_sentence(trainer, label) for trainer, label in zip(trainers, labels)]
    sentences += [_("**{label}** stopped at step {step}: its weights overflowed (α = {rate} is too large), and it "
                    "stays there while the others go on.").format(
                        label=label, step=number(trainer.step_count), rate=number(trainer.learning_rate, "g"))
                  for trainer, label in zip(trainers, labels) if trainer.stopped_reason]
    return [sentence for sentence in sentences if sentence]


def _position(trainer) -> str:
    epochs = trainer.epoch
    if trainer.index == 0 and epochs:
        return ngettext("After {epochs} epoch ({steps} steps)", "After {epochs} epochs ({steps} steps)",
                        epochs).format(epochs=number(epochs), steps=number(trainer.step_count))
    return ngettext("After {steps} step", "After {steps} steps", trainer.step_count).format(
        steps=number(trainer.step_count))


def _accuracy_sentence(trainers, labels) -> str | None:
    """The runs ranked by their last test accuracy, or by this epoch's training accuracy before any epoch ends."""
    lead = max(trainers, key=lambda trainer: trainer.step_count)
    if lead.step_count == 0:
        return None
    if all(trainer.history.epochs for trainer in trainers):
        scores = [trainer.history.epochs[-1].test_accuracy for trainer in trainers]
        what = _("test accuracy (10,000 test images)")
    else:
        scores = [trainer.history.train_accuracy for trainer in trainers]
        what = _("training accuracy so far this epoch (each image counted before its update)")
        if any(np.isnan(score) for score in scores):
            return None
    order = np.argsort(scores, kind="stable")[::-1]
    ranked = ", ".join(f"**{labels[i]}** {number(scores[i], '.1%')}" for i in order)
    gap = scores[order[0]] - scores[order[-1]]
    return _("{when}, {what}: {ranked} (a spread of {gap} percentage points).").format(
        when=_position(lead), what=what, ranked=ranked, gap=number(gap * 100, ".1f"))


def _erratum_sentences(trainers, labels) -> list[str]:
    """The document's rule at α beside cross-entropy at 2α (they should coincide) and at α (half the steps)."""
    sentences = []
    for doc, doc_label in zip(trainers, labels):
        if doc.settings.rule != "document":
            continue
        for other, other_label in zip(trainers, labels):
            if other.settings.rule != "cross-entropy" or not _same_start(doc, other):
                continue
            ratio = other.settings.learning_rate / doc.settings.learning_rate
            same = replace(other.settings, rule="document", learning_rate=doc.settings.learning_rate) == doc.settings
            if not same or ratio not in (1.0, 2.0) or other.step_count != doc.step_count or doc.step_count == 0:
                continue
            if ratio == 2.0:
                difference = largest_difference(doc.params, other.params)
                agree = (_("agree bit for bit (every weight equal)") if difference == 0
                         else _("agree to {difference} (the largest difference of any weight)").format(
                             difference=number(difference, ".1e")))
                sentences.append(_(
                    "{when}, {first} and {second} {agree}: the document's dZ2 = 2(A2 − y) is exactly twice the "
                    "cross-entropy gradient A2 − y (erratum 1), so doubling α turns one into the other.").format(
                        when=_position(doc), first=_with_alpha(doc_label, doc),
                        second=_with_alpha(other_label, other), agree=agree))
            else:
                moved = (distance_from_start(doc.params, doc.initial_params),
                         distance_from_start(other.params, other.initial_params))
                sentences.append(_(
                    "At the same α, **{half}** takes half of **{document}**'s step on every image "
                    "(dZ2 = A2 − y against 2(A2 − y)): it moved its weights {half_moved} from the start, the "
                    "document's rule {document_moved}.").format(
                        half=other_label, document=doc_label, half_moved=number(moved[1], ".3g"),
                        document_moved=number(moved[0], ".3g")))
    return sentences


def _with_alpha(label, trainer) -> str:
    """The run's name in bold, with its α after it unless the name already says it."""
    if "α =" in label:
        return f"**{label}**"
    return _("**{label}** at α = {rate}").format(label=label, rate=number(trainer.settings.learning_rate, "g"))


def _same_start(first, second) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(first.initial_params.as_tuple(), second.initial_params.as_tuple()))


def _damping_sentence(trainers, labels) -> str | None:
    """Exact MSE's output error against the document's (or cross-entropy's) over the same steps."""
    mse = [(t, label) for t, label in zip(trainers, labels) if t.settings.rule == "mse" and t.step_count]
    others = [(t, label) for t, label in zip(trainers, labels) if t.settings.rule != "mse" and t.step_count]
    if not mse or not others:
        return None
    (slow, slow_label), (fast, fast_label) = mse[0], others[0]
    sizes = output_error_size(slow.history), output_error_size(fast.history)
    moved = (distance_from_start(slow.params, slow.initial_params), distance_from_start(fast.params, fast.initial_params))
    if not (sizes[0] > 0 and sizes[1] > 0):
        return None
    if sizes[0] < sizes[1]:
        how = _("{times} times smaller than **{other}**'s (rms {size} against {other_size}, averaged over every "
                "step): it passes through the softmax Jacobian J = diag(A2) − A2·A2ᵀ, whose diagonal entries "
                "A2ₖ(1 − A2ₖ) are at most 1/4")
        times = sizes[1] / sizes[0]
    else:
        how = _("{times} times larger than **{other}**'s (rms {size} against {other_size})")
        times = sizes[0] / sizes[1]
    how = how.format(times=number(times, ".1f"), other=fast_label, size=number(sizes[0], ".3g"),
                     other_size=number(sizes[1], ".3g"))
    return _("**{label}**'s output error dZ2 = J·2(A2 − y) was on average {how}. It moved its weights {moved} from "
             "the start; **{other}** moved {other_moved}.").format(
        label=slow_label, how=how, moved=number(moved[0], ".3g"), other=fast_label,
        other_moved=number(moved[1], ".3g"))


def _silent_sentence(trainer, label) -> str | None:
    """How many hidden units this run silenced, and when the last of them last fired on a training image."""
    silent = trainer.dead_units()
    if not silent.any():
        return None
    hidden = len(silent)
    last = trainer.history.last_active[silent]
    when = (_("; the last of them fired on a training image at step {step}").format(step=number(int(last.max())))
            if last.any() else _("; none of them fired on a training image in this run"))
    return _("**{label}** silenced {silent} of {hidden} hidden units (Z1 ≤ 0 on all of the first {probe} test "
             "images){when}. A silent unit passes nothing on and gets no gradient.").format(
        label=label, silent=int(silent.sum()), hidden=hidden, probe=number(PROBE_IMAGES), when=when)
