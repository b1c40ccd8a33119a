"""The class tasks of core/classwork/tasks.py in this thread's language: a title, a word or two for a crowded
table, and what counts as done."""

from locales import N_, _, number, percent

TASK_TEXTS = {
    "first_epoch": (N_("Train a whole epoch"),
                N_("epoch"),
                N_("All 60,000 training images have been trained on once: the run is in epoch 2 or later.")),
    "accuracy_90": (N_("Reach 90% test accuracy"),
                N_("90%"),
                N_("At least {share} of the 10,000 test images are read right, measured now or at the end of an epoch.")),
    "accuracy_93": (N_("Reach 93% with any settings"),
                N_("93%"),
                N_("At least {share} of the test images are read right; change α, the rule or the hidden size (Reset or "
            "branch) to get there.")),
    "silence_all": (N_("Silence every hidden unit"),
                N_("all silent"),
                N_("After at least one step, every hidden unit is silent (Z1 ≤ 0 on all of the first 1,000 test "
            "images), as the Train screen reports. A large α does it.")),
    "own_drawing": (N_("Teach it your own drawing"),
                N_("drawing"),
                N_("A step on a digit you drew (Draw screen, Train on this drawing) is in the run's log, and the model "
            "now reads that drawing as the label you gave it.")),
    "branch": (N_("Branch from a past step"),
                N_("branch"),
                N_("This run is a branch: you opened a past step on the Train screen's timeline and went on from it "
            "with other settings.")),
    "mse_epoch": (N_("An epoch's worth with the exact MSE rule"),
                N_("MSE epoch"),
                N_("60,000 updates of this run (from its lineage's start) used the exact MSE rule: the exact gradient "
            "of Σ(A2 − y)² through the softmax.")),
    "three_rules": (N_("Train with all three gradient rules"),
                N_("3 rules"),
                N_("This run (from its lineage's start) trained at least {samples} updates with each of the three "
            "rules (the document's, exact MSE and cross-entropy): branch to change the rule.")),
    "decay": (N_("Reach the first decay of α"),
                N_("α decayed"),
                N_("The run trains in an epoch where α is below its starting value: it has passed the first decay "
            "(every 5 epochs with the document's settings).")),
}


def task_title(task_id: str) -> str:
    """A task's title: \"Train a whole epoch\"."""
    return _(TASK_TEXTS[task_id][0])


def task_short(task_id: str) -> str:
    """A task in a word or two, for the dashboard's crowded table: \"epoch\"."""
    return _(TASK_TEXTS[task_id][1])


def task_explanation(task) -> str:
    """What counts as done, in this thread's language ({samples}: updates with a rule; {share}: of the test images)."""
    numbers = task.numbers
    return _(TASK_TEXTS[task.id][2]).format(samples=number(numbers["samples"], ","), share=percent(numbers["share"], 0))
