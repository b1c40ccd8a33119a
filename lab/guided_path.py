"""A learner on the guided path: asking a lab's next question of their live run, acting, checking, and keeping the answer.

The answers live in the run's log (core/record/events.py's LabAnswer, appended like any click's event),
so reopening the run's link resumes the path where it was, and a branch keeps what its parent
had answered before it. The question is asked of the live trainer as it stands; the action (one
step, a thousand, a step on a drawing) goes through the session's own methods, so it is logged
and shown on every screen like a click on Train; the answer is read from that step's record.

Plain Python, no Streamlit and no words (the middle layer): pages/lab.py shows what this returns.
It serves the session (lab/session.py).
"""

from dataclasses import dataclass

from core.classwork import predictions
from core.record.events import LabAnswer
from core.classwork.labs import LABS, PATH, answers, current_lab, done_labs, unanswered
from core.classwork.progress import run_facts
from core.classwork.predictions import Question, Truth
from runs.errors import StoreError


@dataclass(frozen=True)
class Checked:
    """A prediction and what the run said: shown once under the question it answered."""

    lab: str
    question: Question
    given: str
    truth: Truth
    right: bool


@dataclass(frozen=True)
class Progress:
    """Where the run stands on the path: its answers by (lab, question), the labs done, the first lab not done."""

    answered: dict
    done: frozenset
    current: int
    readable: bool  # False when the run's log could not be read: its answers are unknown for now


class GuidedPath:
    """The guided path's side of one browser session (Session.guided)."""

    def __init__(self):
        self.last: Checked | None = None  # the latest prediction checked, shown under its lab until the next

    def progress(self, state, with_tasks: bool = True) -> Progress:
        """The run's answers read from its log (its lineage's, pending events included) and which labs they finish."""
        timeline = state.run.timeline
        if timeline is None:
            try:
                timeline = state.timeline()
            except (StoreError, ValueError):  # the log cannot be read now: its answers are unknown, not none
                return Progress({}, frozenset(), 0, False)
        answered = answers(timeline.events)
        facts = run_facts(state.trainer, state.classroom.log_facts(state)) if with_tasks and self._needs_facts(answered) else None
        done = done_labs(answered, facts)
        return Progress(answered, done, current_lab(done), True)

    @staticmethod
    def _needs_facts(answered) -> bool:
        """The facts (a test-set pass) are measured only when a lab with a task has its questions answered."""
        return any(lab.task is not None and not unanswered(lab, answered) for lab in PATH)

    @staticmethod
    def question(state, lab_id: str, kind: str, drawing=None) -> Question:
        """The question `kind` of lab `lab_id`, asked of the live run now; `drawing` is (image, label) for a drawing's."""
        if kind not in LABS[lab_id].questions:
            raise ValueError(f"lab {lab_id} has no question {kind}")  # i18n: not text (a caller's bug)
        image, label = drawing if drawing is not None else (None, None)
        return predictions.ask(kind, state.trainer, image, label)

    def check(self, state, lab_id: str, question: Question, given, drawing=None) -> Checked | None:
        """Run the question's action on the live run, read the answer from it and log the answer.

        None when nothing trained (the run has stopped, or another tab moved it on first: the session
        then shows that run, and the question is asked again of it). RuntimeError while a past step
        is viewed or the run is read-only, as on Train.
        """
        if question.position != state.trainer.sgd_steps:
            return None  # asked of a state the run has left (another tab, a reopened link): ask again
        record = self._act(state, question, drawing)
        if record is None:
            return None
        truth = predictions.truth(question, record, state.trainer)
        right = predictions.is_right(question, truth, given)
        event = LabAnswer(lab_id, question.kind, _as_text(given), _as_text(truth.answer), right)
        state.record_event(event)
        self.last = Checked(lab_id, question, _as_text(given), truth, right)
        return self.last

    @staticmethod
    def _act(state, question: Question, drawing):
        if question.action == predictions.DRAW:
            image, label = drawing
            return state.train_on_drawing(image, label)
        return state.train(predictions.TRAIN_SAMPLES if question.action == predictions.TRAIN else 1)


def _as_text(value) -> str:
    """An answer as the log keeps it: a choice's code, or a number in full precision (repr of a float)."""
    return value if isinstance(value, str) else repr(float(value))
