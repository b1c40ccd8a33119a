"""This session's run in the store: opened from the link, extended after every click, cached now and then.

The live trainer stays in the session, so a click costs what it did; the store is what makes the
run last. After a click trains, one tiny event ("train n samples") is appended at the position the
session last saw. When a snapshot is due (core/record/events.py's policy), the trainer's whole state is
copied on the click's path and compressed and written by a background thread. Opening a link restores the
latest snapshot and replays the events after it (core/record/events.py), bit for bit.

When the store cannot be reached, training goes on in memory: the events wait in `pending` and are
written by the next click that reaches the store. When another tab extended the run first, the
append is refused (the store never holds two events at one position) and this tab reloads the run
as stored, saying so.

Left out on purpose: Streamlit (ui/session.py holds a LiveRun and shows its notices).
"""

import logging
import os
import threading
import time

from core.record.checkpoints import CheckpointError, checkpoint_bytes
from core.record.events import SettingsChanged, TrainSamples, snapshot_bytes, snapshot_due
from core.record.timeline import Keyframe, Timeline, keyframe_bytes
from core.training.trainer import Trainer
from lab.stored_runs import Lineage, Segment, StoreHandle, timeline_from_store, trainer_at
from core.reasons import Reason
from runs.errors import (
    ClassEnded,
    CorruptRecord,
    MalformedRunId,
    SchemaTooNew,
    StaleAppend,
    StoreError,
    StoreUnavailable,
    UnknownRun,
)

log = logging.getLogger(__name__)
STORED_KEYFRAME_EVERY = 40_000  # updates between the keyframes a run keeps in the store (about 63 kB each)
UNREACHABLE = Reason("lab.store_unreachable")  # noted once, kept while the store is down


class LiveRun:
    """Which stored run this session's trainer is, and what of it is not written yet."""

    def __init__(self, handle: StoreHandle, data):
        self.handle = handle
        self.data = data  # (training images, labels, test images, labels), for restoring
        self.run_id: str | None = None  # None until the store has created it
        self.settings = None  # the settings the run started with
        self.length = 0  # events the store holds for this run
        self.pending: list = []  # events trained in memory, not yet in the store
        self.since_snapshot = 0  # samples trained since the last snapshot
        self.previous_run: str | None = None  # the run before the last Reset or upload
        self.notices: list = []  # Reasons (lab/ says codes; the screens say the words)
        self._content: bytes | None = None  # an uploaded checkpoint the store has not got yet
        self._writer: threading.Thread | None = None
        self.timeline: Timeline | None = None  # every past step of this run; built on first use when opened
        self.parent: str | None = None  # the run this one branched from
        self.stored_keyframe_at = 0  # the position of the latest keyframe of this run in the store
        self.unstored_keyframes: list[Keyframe] = []  # taken during a click, written once its events are
        self.segments: list[Segment] = []  # which run of the lineage holds which part of the timeline's log

    # --- opening ------------------------------------------------------------------------------

    def open(self, run_id, settings) -> Trainer:
        """The trainer of the run named in the link, or of a new run with `settings` (with a notice why)."""
        if run_id and not self.handle.disabled:
            store = self.handle.get()
            if store is None:
                self.notices.append(Reason("lab.link_unreachable", reason=UNREACHABLE))
            else:
                try:
                    trainer, self.length = trainer_at(store, run_id, self.data)
                    self.run_id, self.settings = run_id, trainer.settings
                    self.parent = store.run_info(run_id).parent
                    self._read_timeline(store, trainer)
                    store.touch(run_id)
                    return trainer
                except MalformedRunId:
                    self.notices.append(Reason("lab.link_malformed"))
                except UnknownRun:
                    self.notices.append(Reason("lab.link_not_found"))
                except StoreUnavailable:
                    self.notices.append(Reason("lab.link_unreachable", reason=UNREACHABLE))
                except (CorruptRecord, SchemaTooNew, CheckpointError, ValueError) as error:
                    self.notices.append(Reason("lab.link_unusable", reason=error))
        trainer = Trainer(settings, *self.data)
        self.start_new(trainer)
        return trainer

    def start_new(self, trainer, content: bytes | None = None) -> None:
        """A new run starting from `trainer` as it is (from an uploaded checkpoint's bytes if given); the old one is kept."""
        if self.run_id is not None:
            self.previous_run = self.run_id
        self.run_id, self.settings, self.length, self.pending, self.since_snapshot = None, trainer.settings, 0, [], 0
        self._content, self.parent, self.stored_keyframe_at, self.unstored_keyframes = content, None, 0, []
        self.timeline = Timeline(Keyframe.of(trainer, 0, 0), data=self.data)
        self.segments = [Segment(None, 0, int(content is not None))]
        self._create()

    def _create(self) -> bool:
        store = self.handle.get()
        if store is None:
            return False
        try:
            if self._content is not None:
                self.run_id = store.create_run_from_checkpoint(self.settings, self._content)
                self.length = 1
            else:
                self.run_id = store.create_run(self.settings)
        except StoreUnavailable:
            return False
        self._content = None
        if self.segments and self.segments[-1].run_id is None:
            self.segments[-1] = Segment(self.run_id, self.segments[-1].start, self.segments[-1].base)
        return True

    # --- after each click -----------------------------------------------------------------------

    def trained(self, trainer, samples) -> Trainer:
        """Record that `trainer` trained `samples` more samples; returns the trainer to go on with.

        That is `trainer` itself, or, when another tab extended this run first, the run as stored.
        """
        if samples <= 0:
            return trainer
        return self.record(trainer, TrainSamples(samples), samples)

    def record(self, trainer, event, samples=1) -> Trainer:
        """Record that `trainer` did `event` (a train event, a drawing, a settings change); as trained()."""
        self.pending.append(event)
        self.since_snapshot += samples
        if self.timeline is not None:
            self.timeline.extend([event], trainer)
        trainer_now = self.flush(trainer)
        if trainer_now is trainer and self.run_id is not None and not self.pending:
            self._store_keyframes(trainer)
        elif trainer_now is not trainer:
            self.unstored_keyframes = []  # another tab's log won: these belong to no stored log
        return trainer_now

    def open_timeline(self, trainer) -> Timeline:
        """This run's timeline, read from the store if it could not be when the run was opened.

        StoreError or ValueError (saying why) if it cannot be read.
        """
        if self.timeline is None:
            store = self.handle.get()
            if self.run_id is None or store is None or self.pending:
                raise StoreUnavailable(Reason("lab.past_unreachable"))
            self._read_timeline(store, trainer, quietly=False)
        return self.timeline

    def _read_timeline(self, store, trainer, quietly=True) -> None:
        """The opened run's timeline from the store, checked against the trainer it must lead to."""
        try:
            timeline, segments = timeline_from_store(store, self.run_id, self.data)
            if timeline.length != self._updates(trainer, timeline):
                raise CorruptRecord(Reason("lab.log_mismatch"))
            # the log counts the drawings exactly (a snapshot stored before they were counted says 0)
            trainer.drawings = timeline.keyframes.frames[0].drawings + len(timeline.drawing_positions())
            timeline.extend([], trainer)
        except (StoreError, ValueError, CheckpointError) as error:
            self.timeline, self.segments = None, []
            log.warning("the timeline of run %s cannot be read: %s", self.run_id, error)  # i18n: not text
            if quietly:
                return
            raise
        self.timeline, self.segments = timeline, segments
        self.stored_keyframe_at = timeline.keyframes.frames[-2].position if len(timeline.keyframes) > 1 else 0

    def training(self, trainer, trained) -> None:
        """While a click trains: `trained` of its samples are done (the trainer's progress, every 1,000)."""
        timeline = self.timeline
        if timeline is None:
            return
        timeline.capture_live(trainer, trained)
        position = timeline.length + trained
        if position - self.stored_keyframe_at >= STORED_KEYFRAME_EVERY:
            self.unstored_keyframes.append(Keyframe.of(trainer, position, len(timeline.events), trained))
            self.stored_keyframe_at = position

    def _store_keyframes(self, trainer) -> None:
        """Now and then keep the live state in the store too, so a reopened run's past opens quickly.

        Only once the click's events are in the store: a keyframe must never sit in a log it is not part of.
        """
        timeline = self.timeline
        if timeline is not None and timeline.length - self.stored_keyframe_at >= STORED_KEYFRAME_EVERY:
            self.unstored_keyframes.append(Keyframe.of(trainer, timeline.length, len(timeline.events)))
            self.stored_keyframe_at = timeline.length
        keyframes, self.unstored_keyframes = self.unstored_keyframes, []
        if not keyframes:
            return
        run_id, store = self.run_id, self.handle.get()

        def write():
            for keyframe in keyframes:
                try:
                    store.put_keyframe(run_id, keyframe.position, keyframe_bytes(keyframe))
                except StoreError as error:  # a cache: the log alone still gives every step
                    log.warning("keyframe of run %s at %d not written: %s",  # i18n: not text
                                run_id, keyframe.position, error)

        threading.Thread(target=write, daemon=True).start()

    @staticmethod
    def _updates(trainer, timeline) -> int:
        """The updates the trainer's position implies: its samples, the drawings, a refused step counted in the log."""
        start = timeline.keyframes.frames[0]
        drawings = len(timeline.drawing_positions())
        refused = trainer.stopped_reason is not None and start.stopped_reason is None
        return trainer.step_count - start.step_count + drawings + refused

    def lineage(self, trainer) -> Lineage | None:
        """Where this run branched off, if it is a branch (its timeline is read from the store if need be)."""
        if self.parent is None:
            return None
        timeline = self.open_timeline(trainer)
        own = self.segments[-1]
        changed = next((index for index in range(own.start, len(timeline.events))
                        if isinstance(timeline.events[index], SettingsChanged)), None)
        if changed is None or len(self.segments) < 2:
            return None
        step = timeline.keyframes.frames[0].sgd_steps + (timeline.ends[changed - 1] if changed else 0)
        return Lineage(self.segments[-2].run_id, step, timeline.events[changed].changes)

    def branch(self, position, changes: dict) -> Trainer:
        """A new run sharing this run's log up to `position` updates, then trained with `changes`; this run is kept.

        The child's log names its parent and step and holds only what differs (the rest of a train
        event cut at `position`, then the settings change). StoreError or ValueError if it cannot be made.
        """
        timeline = self.timeline
        store = self.handle.get()
        if store is None or self.run_id is None:
            raise StoreUnavailable(Reason("lab.branch_unreachable"))
        self.flush_or_raise()
        events_done, into = timeline.locate(position)
        segment = next(segment for segment in reversed(self.segments) if segment.start <= events_done)
        first = [TrainSamples(into)] if into else []
        change = SettingsChanged(tuple(changes.items()))
        child = store.create_run(change.applied_to(timeline.keyframes.frames[0].settings), parent=segment.run_id,
                                 parent_step=segment.base + events_done - segment.start)
        length = store.append(child, 0, [*first, change])
        trainer, _position = trainer_at(store, child, self.data)
        start, *later = timeline.keyframes.frames
        kept = [start, *(frame for frame in later if frame.position < position)]
        child_timeline = Timeline(kept[0], [*timeline.events[:events_done], *first, change], self.data)
        for frame in kept[1:]:
            child_timeline.keyframes.add(frame)
        child_timeline.extend([], trainer)
        self.previous_run, self.run_id, self.settings, self.length = self.run_id, child, trainer.settings, length
        self.parent, self.stored_keyframe_at = segment.run_id, position
        self.pending, self.since_snapshot = [], 0
        self.segments = [*self.segments[:self.segments.index(segment) + 1], Segment(child, events_done, 0)]
        self.timeline = child_timeline
        self._snapshot(trainer)  # so that reopening the branch does not replay its parent
        return trainer

    def flush_or_raise(self) -> None:
        """Write what is pending now; StoreError if it cannot be."""
        if self.pending:
            self.length = self.handle.get().append(self.run_id, self.length, self.pending)
            self.pending = []

    def flush(self, trainer) -> Trainer:
        """Write what is pending (and a snapshot when one is due); keep it pending if the store is down."""
        if self.handle.disabled:
            self.pending = []
            return trainer
        store = self.handle.get()
        if store is None or (self.run_id is None and not self._create()):
            self._note_unreachable()
            return trainer
        try:
            if self.pending:
                self.length = store.append(self.run_id, self.length, self.pending)
                self.pending = []
        except StoreUnavailable:
            self._note_unreachable()
            return trainer
        except (StaleAppend, UnknownRun) as collision:
            return self._reload_after(collision, trainer)
        except ClassEnded:
            return self._read_only_after(trainer)
        if UNREACHABLE in self.notices:
            self.notices.remove(UNREACHABLE)
        if snapshot_due(self.since_snapshot):
            self._snapshot(trainer)
        return trainer

    def _note_unreachable(self):
        if UNREACHABLE not in self.notices:
            self.notices.append(UNREACHABLE)

    def _read_only_after(self, trainer) -> Trainer:
        """The store refused the click: the run's class has ended. Back to the run as stored, with a notice."""
        try:
            stored, self.length = trainer_at(self.handle.get(), self.run_id, self.data)
        except (StoreError, ValueError, CheckpointError):
            return trainer
        self.pending, self.since_snapshot = [], 0
        self.notices.append(Reason("lab.class_ended_click"))
        return stored

    def _reload_after(self, collision, trainer) -> Trainer:
        """Another tab wrote this run's next step first: show the run as stored, or branch if it cannot be read."""
        store = self.handle.get()
        try:
            stored, self.length = trainer_at(store, self.run_id, self.data)
        except (StoreError, ValueError, CheckpointError):
            return self._branch(trainer)
        self.pending, self.since_snapshot = [], 0
        self._read_timeline(store, stored)
        self.notices.append(Reason("lab.moved_on", step=stored.sgd_steps))
        return stored

    def _branch(self, trainer) -> Trainer:
        """Keep this tab's model as a new run (its state stored as the new run's first snapshot)."""
        old = self.run_id
        self.start_new(trainer, content=snapshot_bytes(trainer))  # a checkpoint start: the new run replays from it
        self.previous_run = old
        self.notices.append(Reason("lab.changed_elsewhere"))
        return trainer

    def _snapshot(self, trainer) -> None:
        """Copy the state now; compress and write it in the background (one writer at a time)."""
        if self._writer is not None and self._writer.is_alive():
            return
        state, run_id, position, store = trainer.state_dict(), self.run_id, self.length, self.handle.get()
        self.since_snapshot = 0

        def write():
            try:
                store.put_snapshot(run_id, position, checkpoint_bytes(state))
            except StoreError as error:  # a snapshot is a cache: the log alone still restores the run
                log.warning("snapshot of run %s at %d not written: %s", run_id, position, error)  # i18n: not text

        self._writer = threading.Thread(target=write, daemon=True)
        self._writer.start()

    def wait_for_snapshot(self) -> None:
        """Block until a snapshot being written has been (for tests and benchmarks)."""
        if self._writer is not None:
            self._writer.join()

    def take_notices(self) -> list[Reason]:
        """The notices to show once (the store being unreachable stays until it is back), as reasons said where shown."""
        shown = list(self.notices)
        self.notices = [notice for notice in self.notices if notice == UNREACHABLE]
        return shown

