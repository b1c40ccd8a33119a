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

from core.model.network import GRADIENT_RULES
from core.classwork.progress import RunFacts
from locales import N_, _, number

RULE_SAMPLES = 1_000  # updates with a rule that count as having tried it
MNIST_TRAINING_IMAGES = 60_000  # an epoch's worth of updates


@dataclass(frozen=True)
class Task:
    """A task; its texts are English messages marked for the catalog: a screen shows _(task.title), _(task.short)
    and task.explanation()."""

    id: str
    title: str
    short: str  # a word or two for a crowded table
    done_when: str  # what counts as done, in one line ({samples}: RULE_SAMPLES; {share}: share; filled where shown)
    check: Callable[[RunFacts], bool]
    share: float = 0.0  # the test accuracy a task asks for, if it asks for one

    def explanation(self) -> str:
        """What counts as done, in this thread's language."""
        return _(self.done_when).format(samples=number(RULE_SAMPLES, ","), share=number(self.share, ".0%"))


def _trained(facts: RunFacts) -> bool:
    return sum(samples for _, samples in facts.log.samples_by_rule) > 0 or facts.step > 0


CATALOGUE = (
    Task("first_epoch", N_("Train a whole epoch"), N_("epoch"),
         N_("All 60,000 training images have been trained on once: the run is in epoch 2 or later."),
         lambda facts: facts.epoch >= 1),
    Task("accuracy_90", N_("Reach 90% test accuracy"), N_("90%"),
         N_("At least {share} of the 10,000 test images are read right, measured now or at the end of an epoch."),
         lambda facts: facts.best_accuracy is not None and facts.best_accuracy >= 0.90, share=0.90),
    Task("accuracy_93", N_("Reach 93% with any settings"), N_("93%"),
         N_("At least {share} of the test images are read right; change α, the rule or the hidden size (Reset or "
            "branch) to get there."),
         lambda facts: facts.best_accuracy is not None and facts.best_accuracy >= 0.93, share=0.93),
    Task("silence_all", N_("Silence every hidden unit"), N_("all silent"),
         N_("After at least one step, every hidden unit is silent (Z1 ≤ 0 on all of the first 1,000 test "
            "images), as the Train screen reports. A large α does it."),
         lambda facts: _trained(facts) and facts.silent_units == facts.hidden),
    Task("own_drawing", N_("Teach it your own drawing"), N_("drawing"),
         N_("A step on a digit you drew (Draw screen, Train on this drawing) is in the run's log, and the model "
            "now reads that drawing as the label you gave it."),
         lambda facts: facts.drawing_read),
    Task("branch", N_("Branch from a past step"), N_("branch"),
         N_("This run is a branch: you opened a past step on the Train screen's timeline and went on from it "
            "with other settings."),
         lambda facts: facts.log.branched),
    Task("mse_epoch", N_("An epoch's worth with the exact MSE rule"), N_("mse epoch"),
         N_("60,000 updates of this run (from its lineage's start) used the rule mse: the exact gradient of "
            "Σ(A2 − y)² through the softmax."),
         lambda facts: facts.log.samples_with("mse") >= MNIST_TRAINING_IMAGES),
    Task("three_rules", N_("Train with all three gradient rules"), N_("3 rules"),
         N_("This run (from its lineage's start) trained at least {samples} updates with each of document, "
            "mse and cross-entropy: branch to change the rule."),
         lambda facts: all(facts.log.samples_with(rule) >= RULE_SAMPLES for rule in GRADIENT_RULES)),
    Task("decay", N_("Reach the first decay of α"), N_("α decayed"),
         N_("The run trains in an epoch where α is below its starting value: it has passed the first decay "
            "(every 5 epochs with the document's settings)."),
         lambda facts: facts.learning_rate < facts.starting_rate),
)
TASKS = {task.id: task for task in CATALOGUE}


def tasks_done(facts: RunFacts, chosen=None) -> frozenset:
    """The ids of the tasks among `chosen` (every task by default) that `facts` satisfy."""
    return frozenset(task_id for task_id in (TASKS if chosen is None else chosen)
                     if task_id in TASKS and TASKS[task_id].check(facts))


def known(task_ids) -> tuple:
    """The ids the catalogue knows, in their order (a stored lesson may name a task since retired)."""
    return tuple(task_id for task_id in task_ids if task_id in TASKS)
