"""Runs as the store keeps them: the process's store (opened lazily, tried again while down, pruned daily),
a run's trainer at any position of its log, and a run's whole timeline along its lineage of branches.

Left out on purpose: a session's own run and what it has not written yet (lab/live_run.py).
"""

import logging
import os
import threading
import time
from dataclasses import dataclass

from core.record.events import StartedFromCheckpoint, apply_events, trainer_from_snapshot
from core.record.timeline import Keyframe, Timeline, keyframe_from_bytes
from core.training.trainer import Trainer
from core.reasons import Reason
from runs.errors import CorruptRecord, StoreError
from runs.store import RunStore

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0  # how often an unreachable store is tried again
PRUNE_SECONDS = 24 * 3600
MAX_BRANCH_DEPTH = 50


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
                    log.warning("run store unavailable: %s", error)  # i18n: not text
            return self.store

    def _prune_daily(self):
        while True:
            try:
                removed = self.store.prune()
                if removed:
                    log.info("pruned %d unused runs", len(removed))  # i18n: not text
            except StoreError as error:
                log.warning("pruning the run store failed: %s", error)  # i18n: not text
            time.sleep(PRUNE_SECONDS)


def trainer_at(store, run_id, data, position=None, depth=0) -> tuple[Trainer, int]:
    """The run's trainer after `position` events (the end by default) and that position.

    From the latest snapshot at or before it, else from the run's start: its settings' initial
    weights, or the parent's state where a branch starts. StoreError or ValueError if it cannot be.
    """
    if depth > MAX_BRANCH_DEPTH:
        raise CorruptRecord(Reason("lab.too_many_branches", run=run_id, most=MAX_BRANCH_DEPTH))
    info = store.run_info(run_id)
    end = info.length if position is None else min(position, info.length)
    snapshot = store.latest_snapshot(run_id, end)
    if snapshot is not None:
        start, blob = snapshot
        trainer = trainer_from_snapshot(blob, *data)
    elif info.parent is not None:
        start = 0
        trainer, _position = trainer_at(store, info.parent, data, info.parent_step, depth + 1)
    else:
        start = 0
        trainer = Trainer(info.settings, *data)
    events = store.events_since(run_id, start)[:end - start]
    return apply_events(trainer, events, store.checkpoint_contents(events)), end


@dataclass(frozen=True)
class Segment:
    """The part of a timeline's log that one run of a lineage holds: from timeline event `start` on."""

    run_id: str | None  # None while the store has not created this session's run yet
    start: int  # index in the timeline's log of this run's first event (after a checkpoint event)
    base: int  # this run's own position of that event: 1 when its log starts with a checkpoint


@dataclass(frozen=True)
class Lineage:
    """Where a branch came from: its parent, the step it left it at, and the settings it changed."""

    parent: str
    step: int  # updates since the lineage's start
    changes: tuple  # (name, value) pairs of the settings changed at the branch


def timeline_from_store(store, run_id, data) -> tuple[Timeline, list[Segment]]:
    """The run's timeline from its lineage's start: each ancestor's events up to where the next one branched off."""
    chain, cut = [], None
    info = store.run_info(run_id)
    while True:
        events = store.events_since(info.id, 0)
        chain.append((info, events if cut is None else events[:cut]))
        if info.parent is None:
            break
        if len(chain) > MAX_BRANCH_DEPTH:
            raise CorruptRecord(Reason("lab.too_many_branches", run=run_id, most=MAX_BRANCH_DEPTH))
        cut, info = info.parent_step, store.run_info(info.parent)
    chain.reverse()
    root, root_events = chain[0]
    base = int(bool(root_events) and isinstance(root_events[0], StartedFromCheckpoint))
    start = apply_events(Trainer(root.settings, *data), root_events[:base], store.checkpoint_contents(root_events[:base]))
    events, segments = [], []
    for number, (info, own) in enumerate(chain):
        skip = base if number == 0 else 0
        segments.append(Segment(info.id, len(events), skip))
        events.extend(own[skip:])
    timeline = Timeline(Keyframe.of(start, 0, 0), events, data)
    for segment, cut in zip(segments, [*map(timeline.branch_position, segments[1:]), None]):
        for position, blob in store.keyframes(segment.run_id, before=cut):
            keyframe = keyframe_from_bytes(blob, timeline.keyframes.frames[0], start.training_size)
            if keyframe.position != position or not timeline.admits(keyframe):
                raise CorruptRecord(Reason("lab.keyframe_misfit", run=segment.run_id, position=position))
            timeline.keyframes.add(keyframe)
    return timeline, segments
