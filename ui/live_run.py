"""This session's run in the store: opened from the link, extended after every click, cached now and then.

The live trainer stays in the session, so a click costs what it did; the store is what makes the
run last. After a click trains, one tiny event ("train n samples") is appended at the position the
session last saw. When a snapshot is due (core/events.py's policy), the trainer's whole state is
copied on the click's path and compressed and written by a background thread. Opening a link restores the
latest snapshot and replays the events after it (core/events.py), bit for bit.

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

from core.checkpoints import CheckpointError, checkpoint_bytes
from core.events import TrainSamples, apply_events, snapshot_bytes, snapshot_due, trainer_from_snapshot
from core.training import Trainer
from runs.store import (
    CorruptRecord,
    MalformedRunId,
    RunStore,
    SchemaTooNew,
    StaleAppend,
    StoreError,
    StoreUnavailable,
    UnknownRun,
)

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0  # how often an unreachable store is tried again
PRUNE_SECONDS = 24 * 3600
MAX_BRANCH_DEPTH = 50
UNREACHABLE = ("The run store cannot be reached, so this run is kept in memory only for now: training goes "
               "on, and your steps are saved as soon as the store is back.")


class StoreHandle:
    """The process's one RunStore, opened lazily and tried again every few seconds while it is down.

    BACKPROP_STORE=off (or location "off") means no store at all: runs live in memory only, as before
    the store existed, without notices (for benchmarks that measure what the store costs).
    """

    def __init__(self, location=None):
        self.location = location
        self.disabled = (location or os.environ.get("BACKPROP_STORE")) == "off"
        self.store: RunStore | None = None
        self.error: str | None = None
        self._tried = 0.0
        self._lock = threading.Lock()

    def get(self) -> RunStore | None:
        """The store, or None while it cannot be opened (self.error says why)."""
        if self.disabled:
            return None
        with self._lock:
            if self.store is None and time.monotonic() - self._tried >= RETRY_SECONDS:
                self._tried = time.monotonic()
                try:
                    self.store = RunStore(self.location)
                    self.error = None
                    threading.Thread(target=self._prune_daily, daemon=True).start()
                except (StoreError, OSError) as error:
                    self.error = str(error)
                    log.warning("run store unavailable: %s", error)
            return self.store

    def _prune_daily(self):
        while True:
            try:
                removed = self.store.prune()
                if removed:
                    log.info("pruned %d unused runs", len(removed))
            except StoreError as error:
                log.warning("pruning the run store failed: %s", error)
            time.sleep(PRUNE_SECONDS)


def trainer_at(store, run_id, data, position=None, depth=0) -> tuple[Trainer, int]:
    """The run's trainer after `position` events (the end by default) and that position.

    From the latest snapshot at or before it, else from the run's start: its settings' initial
    weights, or the parent's state where a branch starts. StoreError or ValueError if it cannot be.
    """
    if depth > MAX_BRANCH_DEPTH:
        raise CorruptRecord(f"run {run_id} descends from more than {MAX_BRANCH_DEPTH} branches")
    info = store.run_info(run_id)
    end = info.length if position is None else min(position, info.length)
    snapshot = store.latest_snapshot(run_id, end)
    if snapshot is not None:
        start, blob = snapshot
        trainer = trainer_from_snapshot(blob, *data)
    elif info.parent is not None:
        start = 0
        trainer, _ = trainer_at(store, info.parent, data, info.parent_step, depth + 1)
    else:
        start = 0
        trainer = Trainer(info.settings, *data)
    events = store.events_since(run_id, start)[:end - start]
    return apply_events(trainer, events, store.checkpoint_contents(events)), end


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
        self.notices: list[str] = []
        self._content: bytes | None = None  # an uploaded checkpoint the store has not got yet
        self._writer: threading.Thread | None = None

    # --- opening ------------------------------------------------------------------------------

    def open(self, run_id, settings) -> Trainer:
        """The trainer of the run named in the link, or of a new run with `settings` (with a notice why)."""
        if run_id and not self.handle.disabled:
            store = self.handle.get()
            if store is None:
                self.notices.append(f"The run in this link cannot be opened now: {UNREACHABLE}")
            else:
                try:
                    trainer, self.length = trainer_at(store, run_id, self.data)
                    self.run_id, self.settings = run_id, trainer.settings
                    store.touch(run_id)
                    return trainer
                except MalformedRunId:
                    self.notices.append("The run id in this link is not one Backprop Lab makes, so a fresh run "
                                        "was started.")
                except UnknownRun:
                    self.notices.append("The run in this link was not found (it may have been removed after a long "
                                        "time unused), so a fresh run was started.")
                except StoreUnavailable:
                    self.notices.append(f"The run in this link cannot be opened now: {UNREACHABLE}")
                except (CorruptRecord, SchemaTooNew, CheckpointError, ValueError) as error:
                    self.notices.append(f"The run in this link cannot be used ({_sentence(error)}), so a fresh "
                                        "run was started.")
        trainer = Trainer(settings, *self.data)
        self.start_new(trainer.settings)
        return trainer

    def start_new(self, settings, content: bytes | None = None) -> None:
        """A new run with these settings (from an uploaded checkpoint's bytes if given); the old one is kept."""
        if self.run_id is not None:
            self.previous_run = self.run_id
        self.run_id, self.settings, self.length, self.pending, self.since_snapshot = None, settings, 0, [], 0
        self._content = content
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
        return True

    # --- after each click -----------------------------------------------------------------------

    def trained(self, trainer, samples) -> Trainer:
        """Record that `trainer` trained `samples` more samples; returns the trainer to go on with.

        That is `trainer` itself, or, when another tab extended this run first, the run as stored.
        """
        if samples <= 0:
            return trainer
        self.pending.append(TrainSamples(samples))
        self.since_snapshot += samples
        return self.flush(trainer)

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
        if UNREACHABLE in self.notices:
            self.notices.remove(UNREACHABLE)
        if snapshot_due(self.since_snapshot):
            self._snapshot(trainer)
        return trainer

    def _note_unreachable(self):
        if UNREACHABLE not in self.notices:
            self.notices.append(UNREACHABLE)

    def _reload_after(self, collision, trainer) -> Trainer:
        """Another tab wrote this run's next step first: show the run as stored, or branch if it cannot be read."""
        store = self.handle.get()
        try:
            stored, self.length = trainer_at(store, self.run_id, self.data)
        except (StoreError, ValueError, CheckpointError):
            return self._branch(trainer)
        self.pending, self.since_snapshot = [], 0
        self.notices.append(f"This run was moved on in another tab or window (to step {stored.step_count:,}): "
                            "this tab now shows it as it is stored, and its last click was not applied. "
                            "Press the button again to go on.")
        return stored

    def _branch(self, trainer) -> Trainer:
        """Keep this tab's model as a new run (its state stored as the new run's first snapshot)."""
        old = self.run_id
        self.start_new(trainer.settings)
        if self.run_id is not None:
            self.handle.get().put_snapshot(self.run_id, 0, snapshot_bytes(trainer))
        self.previous_run = old
        self.notices.append("This run changed elsewhere in a way this tab cannot follow, so this tab's model goes "
                            "on as a new run (a new link); the other one is kept.")
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
                log.warning("snapshot of run %s at %d not written: %s", run_id, position, error)

        self._writer = threading.Thread(target=write, daemon=True)
        self._writer.start()

    def wait_for_snapshot(self) -> None:
        """Block until a snapshot being written has been (for tests and benchmarks)."""
        if self._writer is not None:
            self._writer.join()

    def take_notices(self) -> list[str]:
        """The notices to show once (the store being unreachable stays until it is back)."""
        shown = list(self.notices)
        self.notices = [notice for notice in self.notices if notice == UNREACHABLE]
        return shown


def _sentence(error) -> str:
    return str(error).rstrip(".")

