"""A run's progress in a few numbers: what a teacher's dashboard shows and what the class tasks check.

Everything here is read from the run's state, never from what a learner says: the trainer (its
position, parameters and history), its log from the lineage's start (which gradient rule trained
how many samples, the drawings it learned) and whether the run is a branch. RunFacts gathers
them; core/classwork/tasks.py decides from RunFacts alone which tasks are done.

The test accuracy is the costly number (a forward pass of all 10,000 test images), so run_facts()
can be handed one measured earlier, with the step it was measured at, instead of measuring again.

Left out on purpose: when facts are gathered and where they are kept (ui/ and runs/).
"""

from dataclasses import dataclass

import numpy as np

from core.model.network import forward, pixels
from core.record.events import LabAnswer, SettingsChanged, StepOnImage, TrainSamples

SPARKLINE_POINTS = 24


@dataclass(frozen=True)
class Measured:
    """The test accuracy (fraction right of all test images) after `step` SGD steps (samples and drawings)."""

    step: int
    accuracy: float


@dataclass(frozen=True)
class LogFacts:
    """What a run's log says it did, from the start of its lineage."""

    samples_by_rule: tuple = ()  # (rule, SGD updates trained with it), rules in the order first used
    last_drawing: StepOnImage | None = None  # the latest step on a drawn image, if any
    branched: bool = False  # the run starts from a past step of another run
    lab_answers: frozenset = frozenset()  # (lab, question) of every prediction made on the guided path (core/classwork/labs.py)

    def samples_with(self, rule: str) -> int:
        return dict(self.samples_by_rule).get(rule, 0)


class LogTally:
    """LogFacts kept up to date as events are added, so a long log is read once, not at every click."""

    def __init__(self, start_settings):
        self.rule = start_settings.rule  # the rule in force after the events seen so far
        self.samples: dict[str, int] = {}
        self.last_drawing: StepOnImage | None = None
        self.lab_answers: set = set()
        self.seen = 0  # events added so far

    def add(self, events) -> None:
        """Count `events`, the next ones of the log: a train event's n samples and a drawing under the rule in force."""
        for event in events:
            if isinstance(event, SettingsChanged):
                self.rule = dict(event.changes).get("rule", self.rule)
            elif isinstance(event, TrainSamples):
                self.samples[self.rule] = self.samples.get(self.rule, 0) + event.n
            elif isinstance(event, StepOnImage):
                self.samples[self.rule] = self.samples.get(self.rule, 0) + 1
                self.last_drawing = event
            elif isinstance(event, LabAnswer):
                self.lab_answers.add((event.lab, event.question))
            self.seen += 1

    def facts(self, branched: bool) -> LogFacts:
        return LogFacts(tuple(self.samples.items()), self.last_drawing, bool(branched), frozenset(self.lab_answers))


def log_facts(start_settings, events, branched: bool) -> LogFacts:
    """LogFacts of a whole log: `events` from the lineage's start, whose first settings are `start_settings`."""
    tally = LogTally(start_settings)
    tally.add(events)
    return tally.facts(branched)


@dataclass(frozen=True)
class RunFacts:
    """A run's state in the few numbers the dashboard shows and the tasks check."""

    step: int  # SGD steps taken, as every screen counts them: training samples and drawings
    epoch: int  # 0-based epoch in progress (epochs finished)
    sample: int  # samples of this epoch trained
    hidden: int
    learning_rate: float  # α in force now
    starting_rate: float  # α the settings start each run with
    accuracy: Measured | None  # the latest measured test accuracy
    best_accuracy: float | None  # the best test accuracy measured: now, or at an epoch's end
    silent_units: int  # hidden units off on every probe image (Trainer.dead_units)
    drawing_read: bool  # the log's latest drawing is now read as the label it was trained with
    stopped: bool  # training stopped for overflow
    log: LogFacts


def run_facts(trainer, log: LogFacts, epoch_accuracies=None, accuracy: Measured | None = None) -> RunFacts:
    """The facts of `trainer` with its log.

    `epoch_accuracies` are the (epoch, step, accuracy) of the run's finished epochs (the trainer's
    history by default: a trainer resumed from a keyframe has none of its own). `accuracy` is a
    measurement to use instead of measuring now; at an epoch's end the history's is used.
    """
    epoch_accuracies = trainer.history.test_accuracy if epoch_accuracies is None else epoch_accuracies
    at_epoch_end = [value for _, step, value in epoch_accuracies if step == trainer.step_count]
    if at_epoch_end:
        accuracy = Measured(trainer.sgd_steps, at_epoch_end[-1])
    elif accuracy is None:
        accuracy = Measured(trainer.sgd_steps, trainer.evaluate())
    measured = [value for _, _, value in epoch_accuracies] + [accuracy.accuracy]
    return RunFacts(
        step=trainer.sgd_steps, epoch=trainer.epoch, sample=trainer.index, hidden=trainer.params.hidden,
        learning_rate=trainer.learning_rate, starting_rate=trainer.settings.learning_rate, accuracy=accuracy,
        best_accuracy=max(measured), silent_units=int(trainer.dead_units().sum()),
        drawing_read=reads_drawing(trainer.params, log.last_drawing), stopped=trainer.stopped_reason is not None,
        log=log)


def reads_drawing(params, drawing: StepOnImage | None) -> bool:
    """The network with `params` predicts the drawing's label: argmax A2 = label."""
    if drawing is None:
        return False
    return int(forward(params, pixels(drawing.image)).A2.argmax()) == drawing.label


def loss_sparkline(history, points: int = SPARKLINE_POINTS) -> tuple:
    """The run's mean loss Σ(A2 − y)² in at most `points` equal stretches of its steps, oldest first."""
    bins = history.bins
    filled = np.flatnonzero(bins.counts)
    if not len(filled):
        return ()
    # the first filled bin of each stretch, as np.array_split cuts them: read on every click, so no loop
    starts = np.linspace(0, len(filled), min(points, len(filled)) + 1)[:-1].astype(int)
    sums = np.add.reduceat(bins.sums[filled, history.SERIES.index("loss")], starts)
    counts = np.add.reduceat(bins.counts[filled], starts)
    return tuple(np.round(sums / counts, 4).tolist())
