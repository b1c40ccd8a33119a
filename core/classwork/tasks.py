"""Tasks that check themselves: a catalogue of things to do with a run, each decided from the run's state.

Every task's check reads RunFacts (core/classwork/progress.py): the trainer's position, parameters and
history, the run's log from its lineage's start, and whether it is a branch. A learner cannot mark
a task done; the server decides from what the run is. Each task says in one line what counts as done.

A teacher picks some of them for a class (core/classwork/lesson.py); once a run of a student has done a task,
it stays done for that student (the store keeps the union), even if a later step undoes it.

Left out on purpose: when facts are gathered (lab/classroom.py) and how a screen shows the list.
"""

from dataclasses import dataclass
from typing import Callable

from core.model.metrics import shown_percent
from core.model.network import GRADIENT_RULES
from core.classwork.progress import RunFacts

RULE_SAMPLES = 1_000  # updates with a rule that count as having tried it
MNIST_TRAINING_IMAGES = 60_000  # an epoch's worth of updates


@dataclass(frozen=True)
class Task:
    """A task: its id and the check that decides it (its title and what counts as done are in locales/words.py)."""

    id: str
    check: Callable[[RunFacts], bool]
    share: float = 0.0  # the test accuracy a task asks for, if it asks for one

    @property
    def numbers(self) -> dict:
        """The numbers its sentence names: the share of test images, the updates that count as trying a rule."""
        return {"share": self.share, "samples": RULE_SAMPLES}

    def to_go(self, facts: RunFacts) -> tuple[float, float] | None:
        """For a task that asks for a test accuracy: (the best accuracy as shown, in %; points still to go), or None."""
        if not self.share or facts.best_accuracy is None:
            return None
        shown = shown_percent(facts.best_accuracy)
        return shown, max(0.0, round(shown_percent(self.share) - shown, 2))


def reaches(facts: RunFacts, share: float) -> bool:
    """The best test accuracy, as the screens show it (two decimals of a percentage), is at least `share`.

    Judged on the shown figure, not the raw fraction: "89.98%" is not yet 90%, and no screen can show
    "90.00%" for a run that is not done.
    """
    return facts.best_accuracy is not None and shown_percent(facts.best_accuracy) >= shown_percent(share)


def _trained(facts: RunFacts) -> bool:
    return sum(samples for _, samples in facts.log.samples_by_rule) > 0 or facts.step > 0


CATALOGUE = (
    Task("first_epoch", lambda facts: facts.epoch >= 1),
    Task("accuracy_90", lambda facts: reaches(facts, 0.90), share=0.90),
    Task("accuracy_93", lambda facts: reaches(facts, 0.93), share=0.93),
    Task("silence_all", lambda facts: _trained(facts) and facts.silent_units == facts.hidden),
    Task("own_drawing", lambda facts: facts.drawing_read),
    Task("branch", lambda facts: facts.log.branched),
    Task("mse_epoch", lambda facts: facts.log.samples_with("mse") >= MNIST_TRAINING_IMAGES),
    Task("three_rules", lambda facts: all(facts.log.samples_with(rule) >= RULE_SAMPLES for rule in GRADIENT_RULES)),
    Task("decay", lambda facts: facts.learning_rate < facts.starting_rate),
)
TASKS = {task.id: task for task in CATALOGUE}


def tasks_done(facts: RunFacts, chosen=None) -> frozenset:
    """The ids of the tasks among `chosen` (every task by default) that `facts` satisfy."""
    return frozenset(task_id for task_id in (TASKS if chosen is None else chosen)
                     if task_id in TASKS and TASKS[task_id].check(facts))


def known(task_ids) -> tuple:
    """The ids the catalogue knows, in their order (a stored lesson may name a task since retired)."""
    return tuple(task_id for task_id in task_ids if task_id in TASKS)
