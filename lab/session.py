"""One browser session's state between reruns, and the only way the screens change it.

ui/session.py creates one Session per browser session (under one st.session_state key) and hands
it to every screen, so every screen of one learner shows the same model and two learners never
share one. Every change goes through a method here; a screen reads the fields and calls methods.

Left out on purpose: Streamlit (ui/session.py keeps the object in the session and the URL in step).
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.model import network
from core.record.events import StepOnImage
from core.training.settings import settings_to_query
from core.reasons import Reason
from core.record.timeline import StepView
from core.training.step_record import StepRecord
from core.training.trainer import Trainer
from lab.classroom import ClassState
from lab.guided_path import GuidedPath
from lab.live_run import LiveRun
from lab.memo import Memo


@dataclass
class Upload:
    """What became of the last uploaded checkpoint: its widget file id, and the message shown."""

    file_id: str
    loaded: bool
    message: str


class Session:
    """Everything one browser session keeps between reruns, and the only way pages change it."""

    # The Gradients screen checks 5 rule/loss pairs per step and the Loss surface computes 2 results.
    MEMO_ENTRIES = 8

    def __init__(self, run: LiveRun, trainer: Trainer, surface_settings: dict, notices: list[str],
                 on_model_changed: Callable[["Session"], None] | None = None, unlinked_run: str | None = None):
        self.run = run  # which stored run the trainer is, and what of it is not written yet
        self.trainer = trainer
        self.running = False  # an epoch running in slices on the Train screen
        self.surface_settings = surface_settings  # the Loss surface screen's starting settings
        self.notices = notices  # bad URL settings, shown once
        self.figures = Memo(self.MEMO_ENTRIES)
        self.last_upload: Upload | None = None
        self.position_slot = None  # the sidebar's position line, rewritten in place by the Train screen
        self.shell_drawn = False  # app.py drew the shell in this run (ui/shell.py)
        self.silent_seen = (0, 0)  # (silent hidden units, step) when the Train screen last counted them
        self.silent_rose = None  # (step a, step b): the count of silent units last rose between these steps
        self.forward_selection: tuple[str, int] | None = None  # (split, index) for Forward pass to open
        self.unlinked_run = unlinked_run  # the fresh run this session started because its URL named none
        self.drawing_lesson = None  # (record, A2 after) of the last step on a drawing, for the Draw screen
        self.model_version = 0  # counts the clicks that changed the parameters: results are remembered per version
        self.viewing: int | None = None  # the past step shown (updates since the run's start); None: now
        self._view: StepView | None = None  # that step, computed once
        self.frame_measures = {}  # the Weights player's measures of each frame, by the frame's parameters
        self.comparison = None  # the Compare screen's runs in lockstep (lab/comparison.py), once a set is built
        self.classroom = ClassState()  # the class this learner is in or teaches (lab/classroom.py)
        self.language: str | None = None  # "en" or "el", once chosen (ui/language.py)
        self.guided = GuidedPath()  # the Lab screen's guided path (lab/guided_path.py)
        self._on_model_changed = on_model_changed  # told whenever the model is replaced (the URL follows the run)

    # --- what the screens keep between reruns ---------------------------------------------------

    def start_running(self) -> None:
        """An epoch starts running in slices on the Train screen."""
        self.running = True

    def stop_running(self) -> None:
        """The epoch running in slices stops (done, stopped, or interrupted)."""
        self.running = False

    def keep_position_slot(self, slot) -> None:
        """The sidebar's position line, rewritten in place by the Train screen after a click."""
        self.position_slot = slot

    def note_shell(self, drawn: bool) -> None:
        """Whether the shell (ui/shell.py) was drawn in this run of the screen."""
        self.shell_drawn = drawn

    def choose_language(self, language: str) -> None:
        """The language this session reads ("en" or "el"), kept in its links."""
        self.language = language

    def keep_upload(self, upload: Upload | None) -> None:
        """What became of the checkpoint in the upload widget (None when the widget is empty)."""
        self.last_upload = upload

    def replace_comparison(self, new) -> None:
        """Show the comparison `new` on the Compare screen from now on; the one it replaces stays stored, behind a link."""
        old = self.comparison
        if old is not None:
            new.previous = old.link()
        self.comparison = new

    def note_silent_units(self, count: int) -> tuple[int, int] | None:
        """Count the silent units at this step; returns between which steps their count last rose."""
        seen, at = self.silent_seen
        step = self.trainer.sgd_steps
        if count > seen:
            self.silent_rose = (at, step)
        self.silent_seen = (count, step)
        return self.silent_rose

    def open_in_forward(self, split: str, index: int) -> None:
        """Ask the Forward pass screen to show image `index` of `split` ("training" or "test") next."""
        self.forward_selection = (split, int(index))

    def take_forward_selection(self) -> tuple[str, int] | None:
        """The image another screen asked Forward pass to show, once; None when there is none."""
        selection, self.forward_selection = self.forward_selection, None
        return selection

    def started_without_link(self) -> bool:
        """This session started a fresh run (no ?run= in its URL) and nothing has happened to it yet."""
        return (self.unlinked_run is not None and self.run.run_id == self.unlinked_run and self.run.length == 0
                and not self.run.pending and self.trainer.sgd_steps == 0)

    def reopen(self, run_id) -> None:
        """Open the run `run_id` instead of the untouched fresh one (ui/run_memory.py: the tab still knows its run)."""
        self.unlinked_run = None
        self.trainer = self.run.open(run_id, self.trainer.settings)
        self._model_changed()

    def remembered(self, key: tuple, compute):
        """An expensive figure's result for this model at this step, computed once per `key` (which names the language
        when the result holds text)."""
        return self.figures.get((self.model_version, *key), compute)

    def take_notices(self) -> list[str]:
        """The notices not shown yet (the store's among them); each is shown once."""
        notices, self.notices = self.notices, []
        return notices + self.run.take_notices() + self.classroom.take_notices()

    def train(self, n, should_stop=None):
        """Train n samples (fewer if should_stop() says so) and record them in the store; the last step's record."""
        self._refuse_while_viewing()
        trainer = self.trainer
        before, stopped = trainer.step_count, trainer.stopped_reason
        record = trainer.train(n, progress=lambda done, _: self.run.training(trainer, done), should_stop=should_stop)
        # A step refused for overflow is in the log too, so the replayed run stops where this one did.
        samples = trainer.step_count - before + (trainer.stopped_reason is not None and stopped is None)
        return self._after(self.run.trained(trainer, samples), record)

    def train_on_drawing(self, image, label) -> StepRecord | None:
        """One SGD step on a drawn 28x28 image with the learner's label, recorded in the run's log; its record."""
        self._refuse_while_viewing()
        if self.trainer.stopped_reason is not None:
            return None
        record = self.trainer.step_on(image, label)  # refused for overflow, it stops the run: logged all the same
        record = self._after(self.run.record(self.trainer, StepOnImage.of(image, label)), record)
        if record is not None:  # the Draw screen shows the step with the drawing read again after it
            self.drawing_lesson = (record, network.forward(self.trainer.params, record.x).A2)
        return record

    def record_event(self, event) -> None:
        """Keep an event that trains nothing (a lab's answer) in the run's log, after what the run has done."""
        trainer = self.run.record(self.trainer, event, samples=0)
        if trainer is not self.trainer:  # another tab moved the run on first: show it as stored
            self.trainer = trainer
            self._model_changed()
        else:
            self.classroom.after_click(self)  # a class's dashboard counts the answer too

    def _after(self, trainer, record):
        """Go on with the trainer the store hands back (another tab's, after a collision) or with this one."""
        self.model_version += 1
        if trainer is not self.trainer:
            self.trainer = trainer
            self._model_changed()
            return None
        self.classroom.after_click(self)
        return record

    def _refuse_while_viewing(self):
        if self.viewing is not None:
            raise RuntimeError(Reason("lab.viewing_past"))
        self.classroom.refuse_if_read_only()

    # --- the past ------------------------------------------------------------------------------

    def timeline(self):
        """This run's timeline (read from the store the first time); StoreError or ValueError if it cannot be."""
        return self.run.open_timeline(self.trainer)

    def view(self, position: int | None) -> None:
        """Show the state after `position` updates on every screen; None, or the current position, is now."""
        length = self.timeline().length if position is not None else 0
        if position is not None and not 0 <= position <= length:
            raise ValueError(Reason("lab.no_such_step", step=position, last=length))
        self.viewing = None if position is None or position == length else int(position)
        if self._view is not None and self._view.position != self.viewing:
            self._view = None

    def viewed(self) -> StepView | None:
        """The past step being viewed (its record is None at step 0), or None when the screens show now."""
        if self.viewing is None:
            return None
        if self._view is None:
            timeline = self.timeline()
            if self.viewing == 0:
                start = timeline.keyframes.frames[0]
                self._view = StepView(0, None, start.trainer(self.trainer.data), False)
            else:
                self._view = timeline.step(self.viewing)
        return self._view

    def shown_trainer(self) -> Trainer:
        """The trainer the screens show: the viewed step's state, or the live one."""
        view = self.viewed()
        return self.trainer if view is None else view.trainer

    def branch(self, changes: dict) -> None:
        """Continue from the viewed step as a new run with `changes` to its settings; this run is kept."""
        self.classroom.refuse_if_read_only()
        self.classroom.check_changes(changes)
        position = self.viewing if self.viewing is not None else self.timeline().length
        self.trainer = self.run.branch(position, changes)
        self._model_changed()

    def reset(self, settings) -> None:
        """Start over with new settings as a new run; the old run stays in the store behind a link."""
        self.classroom.refuse_if_read_only()
        self.trainer.reset(self.classroom.enforce(settings))
        self.run.start_new(self.trainer)
        self._model_changed()

    def replace_trainer(self, trainer: Trainer, content: bytes | None = None) -> None:
        """Continue with another trainer (an uploaded checkpoint's, whose bytes start its new run)."""
        self.classroom.refuse_if_read_only()
        if self.classroom.seat is not None:
            raise RuntimeError(Reason("lab.class_no_upload"))
        self.trainer = trainer
        self.run.start_new(trainer, content)
        self._model_changed()

    def query(self) -> dict[str, str]:
        """What the URL should hold so that a link (or a reload) opens this run: its id and its settings."""
        query = settings_to_query(self.trainer.settings)
        if self.run.run_id is not None:
            query["run"] = self.run.run_id
        if self.language is not None:
            query["lang"] = self.language
        return self.classroom.url(query)

    def _model_changed(self) -> None:
        # Step counts start again, so results remembered by step would belong to the old model.
        self.running = False
        self.viewing, self._view, self.drawing_lesson = None, None, None
        self.figures.clear()
        self.silent_seen, self.silent_rose = (0, 0), None
        self.classroom.after_click(self)
        if self._on_model_changed is not None:
            self._on_model_changed(self)


