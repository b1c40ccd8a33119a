"""The guided path: eight short labs in the design document's order, and how far a run has come along it.

Each lab uses one or more screens, asks one to three predictions (core/classwork/predictions.py) and may
ask for a class task too (core/classwork/tasks.py, the same checker a class uses). A lab is done when every
one of its questions has been answered in the run's log (core/record/events.py's LabAnswer, right or
wrong: a wrong answer came with its reason) and its task, if it has one, is done. Nothing here is
worded: a screen shows each lab's title and goal from its id.

Left out on purpose: recording answers (the middle layer) and showing the path (ui/, pages/lab.py).
"""

from dataclasses import dataclass

from core.record.events import LabAnswer
from core.classwork.lesson import Lesson
from core.classwork.predictions import QUESTIONS
from core.classwork.tasks import TASKS, tasks_done


@dataclass(frozen=True)
class Lab:
    """One lab of the path: the screens it opens (url paths), its questions (kinds) and its task, if any."""

    id: str
    screens: tuple
    questions: tuple
    task: str | None = None

    def __post_init__(self):
        if not (1 <= len(self.questions) <= 3 and all(kind in QUESTIONS for kind in self.questions)):
            raise ValueError(f"a lab asks one to three known questions, not {self.questions!r}")
        if self.task is not None and self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}")


PATH = (
    Lab("forward_pass", ("forward", "train"), ("relu", "prediction")),
    Lab("loss", ("forward", "train"), ("loss", "largest_term")),
    Lab("one_step", ("train", "gradients"), ("dz2_sign", "dz2_value", "true_direction")),
    Lab("many_steps", ("train", "evaluate"), ("accuracy",), task="first_epoch"),
    Lab("weights", ("weights", "gradients"), ("quiet_unit", "largest_change")),
    Lab("gradient_check", ("gradients", "errata"), ("check_mse", "which_loss")),
    Lab("learning_rate", ("train", "compare"), ("later_rate", "loss_after")),
    Lab("own_digit", ("draw",), ("drawing_read", "drawing_learned"), task="own_drawing"),
)
LABS = {lab.id: lab for lab in PATH}
PATH_TASKS = tuple(lab.task for lab in PATH if lab.task)
# A lesson whose tasks name this follows the guided path: each student's progress row then lists the labs
# done as "lab_<id>" beside the tasks done, and the dashboard shows which lab each student is on.
GUIDED_PATH = "guided_path"


def answers(events) -> dict:
    """The latest LabAnswer for each (lab, question) in a run's log, in the log's order."""
    found = {}
    for event in events:
        if isinstance(event, LabAnswer) and event.lab in LABS:
            found[(event.lab, event.question)] = event
    return found


def unanswered(lab: Lab, answered: dict) -> tuple:
    """The lab's questions not answered yet, in the lab's order."""
    return tuple(kind for kind in lab.questions if (lab.id, kind) not in answered)


def done_labs(answered, facts=None) -> frozenset:
    """The ids of the labs whose questions are all answered and whose task `facts` (RunFacts) satisfy.

    `answered` holds (lab, question) pairs (a dict of answers by pair, or RunFacts.log.lab_answers).
    Without facts a lab with a task is not done: the task cannot be checked.
    """
    finished_tasks = tasks_done(facts, PATH_TASKS) if facts is not None else frozenset()
    return frozenset(lab.id for lab in PATH
                     if not unanswered(lab, answered) and (lab.task is None or lab.task in finished_tasks))


def current_lab(done: frozenset) -> int:
    """The index in PATH of the first lab not done; len(PATH) when the whole path is."""
    return next((number for number, lab in enumerate(PATH) if lab.id not in done), len(PATH))


def lab_marks(facts) -> frozenset:
    """The labs `facts` (RunFacts) show done, as the progress row lists them beside the tasks: "lab_<id>"."""
    return frozenset(f"lab_{lab_id}" for lab_id in done_labs(facts.log.lab_answers, facts))


def lab_on(done_marks) -> int:
    """The index in PATH of the lab a student is on (the first not done), from their progress row's marks."""
    return current_lab(frozenset(lab.id for lab in PATH if f"lab_{lab.id}" in done_marks))


def guided_lesson() -> Lesson:
    """The guided path as a class's lesson: the document's settings, every screen, the path and its two tasks."""
    return Lesson(tasks=(GUIDED_PATH, *PATH_TASKS))


def score(answered: dict) -> tuple[int, int]:
    """(predictions that were right, predictions made) over the path."""
    return sum(answer.right for answer in answered.values()), len(answered)
