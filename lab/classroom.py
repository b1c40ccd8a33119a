"""A class in one browser session: the student's seat, the teacher's key, a student's run opened read-only.

Session.classroom (lab/session.py) is one ClassState; everything a class changes in a session goes
through it, so the rest of the app asks it a few questions: which screens to leave out, whether a
setting is locked, whether training is allowed, what the URL should hold.

A student's session writes a progress row after its clicks, without slowing them: after_click()
copies what the row needs (a few numbers, the parameters, a short loss curve, what the log says)
and hands it to the process's ProgressWriter (lab/progress_writer.py), which measures, decides the
tasks and writes the rows off the click's path. The teacher's dashboard then reads one row per
student and never a run.

Left out on purpose: the screens (pages/teach.py, ui/dashboard.py) and the tables (runs/store.py).
"""

import logging
import time
from dataclasses import dataclass, field

from core.classwork.lesson import Lesson, check_name
from core.classwork.progress import LogFacts, LogTally, loss_sparkline
from core.reasons import Reason
from lab.progress_writer import ProgressCopy, progress_writer
from runs.classes import ClassInfo, Member
from runs.errors import StoreError, UnknownClass, WrongTeacherKey

log = logging.getLogger(__name__)
ALWAYS_SHOWN = ("", "train", "teach", "lab")  # Home, Train, the class's own screen and the Lab cannot be hidden


@dataclass
class Seat:
    """This session's learner in a class: who they are, the class, the run whose progress is written."""

    member_id: str
    name: str
    info: ClassInfo
    run_id: str
    done: frozenset = frozenset()  # task ids done by any run of theirs (the writer adds to it)


@dataclass
class Viewing:
    """A student's run opened read-only by the teacher, and the teacher's own run to go back to."""

    member: Member
    info: ClassInfo
    own_run: str | None


@dataclass
class ClassState:
    """The class side of one browser session (Session.classroom)."""

    seat: Seat | None = None
    teaching: dict = field(default_factory=dict)  # class id -> the teacher's secret, once checked
    signed_out: set = field(default_factory=set)  # classes this browser signed out of: its kept key is not used
    created: set = field(default_factory=set)  # classes created in this session: their teacher link is shown open
    viewing: Viewing | None = None
    looked_up: str | None = None  # the run last looked up in the class tables
    notices: list = field(default_factory=list)  # shown once, like the session's own
    _tally: LogTally | None = None
    _tallied: object = None  # the timeline the tally counts

    # --- what the rest of the app asks --------------------------------------------------------

    @property
    def lesson(self) -> Lesson | None:
        return None if self.seat is None else self.seat.info.lesson

    def locked(self, setting: str) -> bool:
        """The class locks this Settings field for this student."""
        return self.lesson is not None and setting in self.lesson.locked

    def hidden_screens(self) -> frozenset:
        """The url paths of the screens this student's class leaves out of the navigation."""
        if self.lesson is None or self.viewing is not None:
            return frozenset()
        return frozenset(self.lesson.hidden_screens) - set(ALWAYS_SHOWN)

    def read_only_reason(self) -> Reason | None:
        """Why this session may look but not train, or None when it may train."""
        if self.viewing is not None:
            return Reason("lab.viewing_student", name=self.viewing.member.name)
        if self.seat is not None and not self.seat.info.is_open():
            return Reason("lab.class_ended", end=self.seat.info.ends)
        return None

    def refuse_if_read_only(self) -> None:
        reason = self.read_only_reason()
        if reason is not None:
            raise RuntimeError(reason)

    def enforce(self, settings):
        """`settings` with the class's locked settings at the lesson's values."""
        return settings if self.lesson is None else self.lesson.enforce(settings)

    def check_changes(self, changes: dict) -> None:
        """ValueError naming the locked settings among `changes` (a branch's)."""
        refused = [] if self.lesson is None else self.lesson.refused_changes(changes)
        if refused:
            raise ValueError(Reason("lab.locked", settings=refused))

    def url(self, query: dict) -> dict:
        """What the URL holds: a run opened read-only is not this session's to link to."""
        if self.viewing is not None:
            query.pop("run", None)
        return query

    def take_notices(self) -> list:
        notices, self.notices = self.notices, []
        return notices

    # --- after each click ---------------------------------------------------------------------

    def after_click(self, state) -> None:
        """The student's run moved on (or was replaced): hand its progress to the writer; cheap."""
        seat = self.seat
        run_id = state.run.run_id
        if seat is None or self.viewing is not None or run_id is None or not seat.info.is_open():
            return
        if run_id != seat.run_id and not self._move(state, run_id):
            return
        trainer = state.trainer
        writer = progress_writer(state.run.handle, state.run.data)
        writer.submit(ProgressCopy(seat, run_id, trainer.settings, trainer.params.copy(), trainer.epoch, trainer.index,
                                   trainer.step_count, trainer.drawings, trainer.stopped_reason,
                                   trainer.history.test_accuracy, loss_sparkline(trainer.history),
                                   self.log_facts(state), time.time()))

    def log_facts(self, state) -> LogFacts:
        """What the run's log says (core/classwork/progress.py), counting only the events added since the last click."""
        timeline, branched = state.run.timeline, state.run.parent is not None
        if timeline is None:  # the past could not be read: what the log says is unknown
            return LogFacts(branched=branched)
        if self._tallied is not timeline or self._tally.seen > len(timeline.events):
            self._tally, self._tallied = LogTally(timeline.keyframes.frames[0].settings), timeline
        self._tally.add(timeline.events[self._tally.seen:])
        return self._tally.facts(branched)

    def _move(self, state, run_id) -> bool:
        """The student works on a new run (a reset, a branch): it joins their runs in the class."""
        try:
            state.run.handle.get().move_member(self.seat.member_id, run_id)
        except (StoreError, AttributeError, ValueError) as error:
            log.warning("run %s not added to class %s: %s", run_id, self.seat.info.id, error)  # i18n: not text
            return False
        self.seat.run_id = self.looked_up = run_id
        return True


# --- finding the class of a session ------------------------------------------------------------------


def follow(state, url_query) -> bool:
    """Find the class of the session's run when the run changes (one query); True if its screens differ now.

    Called by the shell on every full run, so a student who opens their run link in another
    browser is in their class again, with its screens and locks; the shell reruns when this says
    the navigation changed. url_query() gives the URL's query (its settings the class may refuse).
    """
    classroom = state.classroom
    run_id = state.run.run_id
    if classroom.viewing is not None or run_id is None or run_id == classroom.looked_up:
        return False
    classroom.looked_up = run_id
    if classroom.seat is not None and classroom.seat.run_id == run_id:
        return False
    store = state.run.handle.get()
    if store is None:
        return False
    navigation = (classroom.hidden_screens(), classroom.seat is not None)
    try:
        member = store.member_of_run(run_id)
        info = None if member is None else store.class_info(member.class_id)
    except StoreError as error:
        log.warning("the class of run %s cannot be read: %s", run_id, error)  # i18n: not text
        return False
    classroom.seat = None if member is None else Seat(member.id, member.name, info, run_id,
                                                      frozenset(member.progress.tasks))
    if classroom.seat is not None:
        classroom.notices.extend(info.lesson.url_notices(url_query()))
    return (classroom.hidden_screens(), classroom.seat is not None) != navigation


def join(state, info: ClassInfo, name: str) -> Seat:
    """Make this session's learner a new member of the class, on a new run started from the lesson's settings.

    ValueError (a bad name) or StoreError (ended, too many joins, store down): nothing changed then.
    """
    store = state.run.handle.get()
    if store is None:
        raise StoreError(Reason("lab.join_unreachable"))
    name = check_name(name)
    run_id = store.create_run(info.lesson.settings)
    member_id = store.join_class(info.id, name, run_id)
    seat = Seat(member_id, name, info, run_id)
    classroom = state.classroom
    classroom.seat, classroom.looked_up, classroom.viewing = seat, run_id, None
    state.reopen(run_id)
    return seat


# --- the teacher ----------------------------------------------------------------------------------------


def teacher_class(state, class_id, secret) -> ClassInfo:
    """The class if `secret` is its teacher's; remembered for this session. WrongTeacherKey, UnknownClass, StoreError."""
    store = state.run.handle.get()
    if store is None:
        raise StoreError(Reason("lab.class_unreachable"))
    info = store.teacher_class(class_id, secret)
    state.classroom.teaching[class_id] = secret
    return info


def taught_class(state, class_id) -> ClassInfo | None:
    """The class if this session has shown its teacher's key; None otherwise."""
    secret = state.classroom.teaching.get(class_id)
    if secret is None:
        return None
    try:
        return teacher_class(state, class_id, secret)
    except (WrongTeacherKey, UnknownClass):
        state.classroom.teaching.pop(class_id, None)
        return None


def open_read_only(state, class_id, member_id) -> None:
    """Show a student's run on every screen, read-only; the teacher's own run is kept to go back to.

    Needs the class's teacher key in this session (PermissionError otherwise).
    """
    info = taught_class(state, class_id)
    if info is None:
        raise PermissionError("only the class's teacher can open a student's run")  # i18n: not text
    member = state.run.handle.get().member(member_id)
    if member.class_id != class_id:
        raise PermissionError("this student is not in this class")  # i18n: not text
    classroom = state.classroom
    own = classroom.viewing.own_run if classroom.viewing is not None else state.run.run_id
    classroom.viewing = Viewing(member, info, own)
    state.reopen(member.run_id)


def close_read_only(state) -> None:
    """Back to the teacher's own run."""
    viewing = state.classroom.viewing
    if viewing is None:
        return
    state.classroom.viewing = None
    state.classroom.looked_up = viewing.own_run
    if viewing.own_run is not None:
        state.reopen(viewing.own_run)


def member_of_run(state, run_id) -> Member | None:
    """The class member whose run this is, with the progress of their latest click (StoreError if unreachable).

    Progress rows are written a few seconds after a click: a student who closes the tab and opens the join
    link at once would otherwise be offered to continue at an older step.
    """
    store = state.run.handle.get()
    if store is None:
        raise StoreError(Reason("lab.class_unreachable"))
    progress_writer(state.run.handle, state.run.data).flush()
    return store.member_of_run(run_id)
