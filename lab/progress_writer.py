"""A class's progress rows, written off the click's path by one thread per process.

A student's click hands the writer a copy of what the row needs (lab/classroom.py's after_click): a
few numbers, the parameters, a short loss curve, what the log says. The thread measures the test
accuracy on the copy (at most every ACCURACY_SECONDS per student, and once more after the last
click), decides the tasks (core/classwork/tasks.py) and writes every pending row in one transaction
per FLUSH_SECONDS.
"""

import logging
import threading
import time
from dataclasses import dataclass

from core.classwork.labs import GUIDED_PATH, lab_marks
from core.classwork.progress import LogFacts, run_facts
from core.classwork.tasks import tasks_done
from core.model.silent_probe import SilentProbe
from core.training.trainer import Trainer
from runs.classes import Progress
from runs.errors import StoreError

log = logging.getLogger(__name__)
ACCURACY_SECONDS = 8.0  # the longest a student's test accuracy waits to be measured again while they train
FLUSH_SECONDS = 2.0  # progress rows are written together, at most this often per process


# --- the progress rows, written off the click's path -------------------------------------------------


@dataclass(frozen=True, eq=False)
class ProgressCopy:
    """A copy of what a student's progress row needs, taken at a click."""

    seat: object  # the student's Seat (lab/classroom.py), whose tasks done the writer adds to
    run_id: str
    settings: object
    params: object  # a copy: the trainer moves on while the writer measures
    epoch: int
    index: int
    step: int  # training samples (the trainer's step_count)
    drawings: int
    stopped_reason: str | None
    epoch_accuracies: list
    losses: tuple
    log: LogFacts
    time: float


class ProgressWriter:
    """One thread per process that turns copies into progress rows (see the module docstring)."""

    def __init__(self, handle, data, background: bool = True):
        self.handle, self.data = handle, data
        self.background = background  # False: only flush() writes (tests drive the clock)
        self.pending: dict[str, ProgressCopy] = {}  # member id -> their latest copy
        self.later: dict[str, ProgressCopy] = {}  # copies whose accuracy is measured when due
        self.measured: dict[str, tuple] = {}  # member id -> (which parameters, Measured, when) of the latest measurement
        self.silent_probes: dict[str, SilentProbe] = {}  # member id -> their silent units, kept from row to row
        self.lock = threading.Lock()  # guards the dictionaries of copies
        self.writing = threading.Lock()  # one flush at a time: a caller's flush waits for the thread's
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    def submit(self, copy: ProgressCopy) -> None:
        with self.lock:
            self.pending[copy.seat.member_id] = copy
            self.later.pop(copy.seat.member_id, None)
            if self.thread is None and self.background:
                self.thread = threading.Thread(target=self._run, name="class-progress", daemon=True)  # i18n: not text
                self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        while True:
            self.wake.wait(timeout=ACCURACY_SECONDS)
            time.sleep(FLUSH_SECONDS)  # gather the clicks of a few seconds into one write
            try:
                self.flush()
            except Exception:  # the thread must outlive any one bad row
                log.exception("class progress rows not written")  # i18n: not text

    def flush(self, now=None) -> int:
        """Measure and write what is pending (and what waited for its measurement and is due now); rows written."""
        with self.writing:
            return self._flush(time.time() if now is None else now)

    def _flush(self, now) -> int:
        with self.lock:
            due = {member: copy for member, copy in self.later.items()
                   if now - self.measured[member][2] >= ACCURACY_SECONDS}
            batch = {**due, **self.pending}
            self.pending = {}
            for member in batch:
                self.later.pop(member, None)
            self.wake.clear()
        rows = {}
        for member, copy in batch.items():
            rows[member] = (copy.run_id, self._progress(copy, now))
        store = self.handle.get()
        if store is None or not rows:
            return 0
        try:
            store.write_progress(rows)
        except (StoreError, ValueError) as error:
            log.warning("class progress rows not written: %s", error)  # i18n: not text
            with self.lock:
                for member, copy in batch.items():
                    self.pending.setdefault(member, copy)
            return 0
        self._follow_classes(store, batch.values())
        return len(rows)

    @staticmethod
    def _follow_classes(store, copies) -> None:
        """Read each class of the batch again, so a class its teacher ended now is read-only for its students."""
        seats = {}
        for copy in copies:
            seats.setdefault(copy.seat.info.id, []).append(copy.seat)
        for class_id, class_seats in seats.items():
            try:
                info = store.class_info(class_id)
            except StoreError as error:  # the next rows try again
                log.warning("class %s not read again: %s", class_id, error)  # i18n: not text
                continue
            for seat in class_seats:
                seat.info = info

    def _progress(self, copy: ProgressCopy, now: float) -> Progress:
        """The row: the facts of the copy's parameters, measuring the accuracy only when it is due."""
        member = copy.seat.member_id
        # b2 moves at every SGD step (db2 = dZ2 is never exactly 0): with the step it names the parameters.
        key = (copy.step + copy.drawings, copy.params.b2.tobytes())
        earlier = self.measured.get(member)
        unchanged = earlier is not None and earlier[0] == key
        wait = not unchanged and earlier is not None and now - earlier[2] < ACCURACY_SECONDS
        view = Trainer.resumed(copy.settings, copy.params, copy.epoch, copy.index, copy.step, copy.drawings,
                               copy.stopped_reason, *self.data)
        view.silent_probe = self.silent_probes.setdefault(member, view.silent_probe)
        facts = run_facts(view, copy.log, copy.epoch_accuracies, earlier[1] if unchanged or wait else None)
        if wait:  # measured once due, unless a newer click comes first
            with self.lock:
                if member not in self.pending:
                    self.later[member] = copy
        elif not unchanged:
            self.measured[member] = (key, facts.accuracy, now)
        seat = copy.seat
        seat.done = seat.done | tasks_done(facts, seat.info.lesson.tasks)
        if GUIDED_PATH in seat.info.lesson.tasks:  # the labs done, beside the tasks: the dashboard's Lab column
            seat.done = seat.done | lab_marks(facts)
        return Progress(copy.time, facts.step, facts.epoch, facts.sample, facts.accuracy.accuracy,
                        facts.accuracy.step, facts.silent_units, facts.hidden, copy.losses, tuple(sorted(seat.done)))


_WRITERS: dict[int, ProgressWriter] = {}
_WRITERS_LOCK = threading.Lock()


def progress_writer(handle, data) -> ProgressWriter:
    """The process's writer for this store (one per StoreHandle: one per process in the app)."""
    with _WRITERS_LOCK:
        writer = _WRITERS.get(id(handle))
        if writer is None or writer.handle is not handle:
            writer = _WRITERS[id(handle)] = ProgressWriter(handle, data)
        return writer
