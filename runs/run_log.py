"""Runs and their logs: a run's settings and lineage, its append-only events, its snapshot and keyframe caches.

Two writers extending one run at once: each append names the position it extends, the run's
length only moves from that position in one conditional UPDATE, and (run_id, seq) is a primary
key, so exactly one wins and the other gets StaleAppend. Every record read back is validated here
(core/record/events.py for events and settings) and a bad one raises CorruptRecord.
"""

import json
import re
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc

from core.record.events import StartedFromCheckpoint, event_from_dict, event_to_dict, settings_from_dict, settings_to_dict
from locales import _
from runs.errors import ClassEnded, CorruptRecord, MalformedRunId, StaleAppend, UnknownRun
from runs.schema import (
    RUN_ID_LENGTH,
    checkpoints,
    class_members,
    class_runs,
    classes,
    run_events,
    run_keyframes,
    run_snapshots,
    runs,
)

RUN_ID = re.compile(r"[A-Za-z0-9_-]{22}")
MAX_EVENT_CHARACTERS = 2048  # an image event, the largest, is about 1,070
MAX_SETTINGS_CHARACTERS = 1024
MAX_BLOB_BYTES = 20 * 2**20  # a snapshot or checkpoint (the checkpoint loader's own limit)
KEEP_SNAPSHOTS = 1  # per run: the latest full state is all a restore needs
RETENTION_DAYS = 30


@dataclass(frozen=True)
class RunInfo:
    id: str
    settings: object  # core.training.settings.Settings
    parent: str | None
    parent_step: int | None
    created: float  # seconds since the epoch
    touched: float
    length: int  # events in the log


def new_run_id() -> str:
    return secrets.token_urlsafe(16)


def check_run_id(value) -> str:
    """The id itself if it can be a run id; MalformedRunId otherwise (before any query sees it)."""
    if not isinstance(value, str) or len(value) != RUN_ID_LENGTH or not RUN_ID.fullmatch(value):
        raise MalformedRunId("that is not a run id (a run id is 22 letters, digits, '-' or '_')")
    return value


class RunLog:
    """The runs half of RunStore (runs/store.py): needs its _begin() and _insert_ignoring_duplicates()."""

    def create_run(self, settings, parent=None, parent_step=None) -> str:
        """A new, empty run with these settings (core.training.settings.Settings); a branch names its parent and step."""
        body = _settings_json(settings)
        if parent is not None:
            check_run_id(parent)
            if not (isinstance(parent_step, int) and parent_step >= 0):
                raise ValueError("a branch needs the step of its parent it starts from")
        run_id, now = new_run_id(), time.time()
        with self._begin() as connection:
            connection.execute(sa.insert(runs).values(id=run_id, settings=body, parent=parent, parent_step=parent_step,
                                                      created=now, touched=now, length=0))
        return run_id

    def create_run_from_checkpoint(self, settings, content: bytes) -> str:
        """A new run whose log starts with "started from this checkpoint"; its bytes are kept once however often uploaded."""
        if not isinstance(content, bytes) or len(content) > MAX_BLOB_BYTES:
            raise ValueError(f"a checkpoint must be at most {MAX_BLOB_BYTES // 2**20} MB of bytes")
        event = StartedFromCheckpoint.of(content)
        with self._begin() as connection:
            connection.execute(self._insert_ignoring_duplicates(checkpoints).values(sha256=event.sha256, content=content))
        run_id = self.create_run(settings)
        self.append(run_id, 0, [event])
        return run_id

    def run_info(self, run_id) -> RunInfo:
        check_run_id(run_id)
        with self._begin() as connection:
            row = connection.execute(sa.select(runs).where(runs.c.id == run_id)).one_or_none()
        if row is None:
            raise UnknownRun(_("there is no run {run} (it may have been removed after {days} days unused)").format(
                run=run_id, days=RETENTION_DAYS))
        return _run_info(row)

    def list_runs(self, limit=100) -> list[RunInfo]:
        """The most recently used runs first."""
        with self._begin() as connection:
            rows = connection.execute(sa.select(runs).order_by(runs.c.touched.desc()).limit(limit)).all()
        return [_run_info(row) for row in rows]

    def touch(self, run_id):
        """Mark the run as used now (retention and the size cap evict the least recently used)."""
        check_run_id(run_id)
        with self._begin() as connection:
            if connection.execute(sa.update(runs).where(runs.c.id == run_id).values(touched=time.time())).rowcount != 1:
                raise UnknownRun(_("there is no run {run}").format(run=run_id))

    # --- the log -----------------------------------------------------------------------------

    def append(self, run_id, position, events) -> int:
        """Add events at `position`, which must be the log's current end; returns the new end.

        StaleAppend if another writer got there first (nothing is written), UnknownRun if no such run.
        """
        check_run_id(run_id)
        if not (isinstance(position, int) and position >= 0) or not events:
            raise ValueError("append needs a position of at least 0 and one or more events")
        rows = [{"run_id": run_id, "seq": position + offset, "body": _event_json(event),
                 "checkpoint": getattr(event, "sha256", None)} for offset, event in enumerate(events)]
        end = position + len(rows)
        now = time.time()
        try:
            with self._begin() as connection:
                # One conditional UPDATE, first: it takes the write lock (SQLite) or the row lock
                # (PostgreSQL), so a second writer waits, then finds the length moved and fails. Its
                # condition also asks whether the run's class has ended, so that costs no second query.
                moved = connection.execute(EXTEND_RUN, {"run": run_id, "position": position, "end": end,
                                                        "now": now}).rowcount
                if moved != 1:
                    _refuse_if_class_ended(connection, run_id, now)
                    length = connection.execute(sa.select(runs.c.length).where(runs.c.id == run_id)).scalar()
                    if length is None:
                        raise UnknownRun(_("there is no run {run}").format(run=run_id))
                    raise StaleAppend(run_id, position, length)
                connection.execute(INSERT_EVENTS, rows)
        except exc.IntegrityError as error:
            raise StaleAppend(run_id, position, self.run_info(run_id).length) from error
        return end

    def events_since(self, run_id, position=0) -> list:
        """The events from `position` to the end of the log, each validated (CorruptRecord if one is not sound)."""
        length = self.run_info(run_id).length
        if not (isinstance(position, int) and 0 <= position <= length):
            raise ValueError(f"position {position!r} is outside run {run_id}'s log of {length} events")
        with self._begin() as connection:
            rows = connection.execute(
                sa.select(run_events.c.seq, run_events.c.body)
                .where(run_events.c.run_id == run_id, run_events.c.seq >= position, run_events.c.seq < length)
                .order_by(run_events.c.seq)).all()
        if [row.seq for row in rows] != list(range(position, length)):
            raise CorruptRecord(_("run {run}'s log has missing events between {position} and {length}").format(
                run=run_id, position=position, length=length))
        return [_event(run_id, row.seq, row.body) for row in rows]

    def checkpoint_contents(self, events) -> dict:
        """sha256 -> bytes for the checkpoint events among `events` (what core.record.events.apply_events needs)."""
        wanted = sorted({event.sha256 for event in events if isinstance(event, StartedFromCheckpoint)})
        if not wanted:
            return {}
        with self._begin() as connection:
            rows = connection.execute(sa.select(checkpoints).where(checkpoints.c.sha256.in_(wanted))).all()
        return {row.sha256: bytes(row.content) for row in rows}

    # --- snapshots ---------------------------------------------------------------------------

    def put_snapshot(self, run_id, position, blob: bytes, keep=KEEP_SNAPSHOTS):
        """Cache the state after `position` events; only the latest `keep` snapshots of the run are kept."""
        length = self.run_info(run_id).length
        if not (isinstance(position, int) and 0 <= position <= length):
            raise ValueError(f"position {position!r} is outside run {run_id}'s log of {length} events")
        if not isinstance(blob, bytes) or len(blob) > MAX_BLOB_BYTES:
            raise ValueError(f"a snapshot must be at most {MAX_BLOB_BYTES // 2**20} MB of bytes")
        with self._begin() as connection:
            where = (run_snapshots.c.run_id == run_id, run_snapshots.c.position == position)
            connection.execute(sa.delete(run_snapshots).where(*where))
            connection.execute(sa.insert(run_snapshots).values(run_id=run_id, position=position, blob=blob))
            kept = sa.select(run_snapshots.c.position).where(run_snapshots.c.run_id == run_id) \
                .order_by(run_snapshots.c.position.desc()).limit(keep).scalar_subquery()
            connection.execute(sa.delete(run_snapshots).where(run_snapshots.c.run_id == run_id,
                                                              run_snapshots.c.position.not_in(kept)))

    def latest_snapshot(self, run_id, at_most_position=None) -> tuple[int, bytes] | None:
        """(position, blob) of the latest snapshot at or before the position (the end by default), or None."""
        length = self.run_info(run_id).length
        limit = length if at_most_position is None else min(at_most_position, length)
        with self._begin() as connection:
            row = connection.execute(
                sa.select(run_snapshots.c.position, run_snapshots.c.blob)
                .where(run_snapshots.c.run_id == run_id, run_snapshots.c.position <= limit)
                .order_by(run_snapshots.c.position.desc()).limit(1)).one_or_none()
        if row is None:
            return None
        if row.position < 0 or len(row.blob) > MAX_BLOB_BYTES:
            raise CorruptRecord(_("run {run}'s snapshot at position {position} is not one the store writes").format(
                run=run_id, position=row.position))
        return int(row.position), bytes(row.blob)

    # --- keyframes: a few exact states along the run, so its past opens without replaying from the start ---

    def put_keyframe(self, run_id, position, blob: bytes):
        """Keep the state after `position` updates of the run's timeline (core/record/timeline.py writes and checks it)."""
        check_run_id(run_id)
        if not (isinstance(position, int) and position >= 0):
            raise ValueError(f"a keyframe's position must be a whole number of updates, not {position!r}")
        if not isinstance(blob, bytes) or len(blob) > MAX_BLOB_BYTES:
            raise ValueError(f"a keyframe must be at most {MAX_BLOB_BYTES // 2**20} MB of bytes")
        with self._begin() as connection:
            connection.execute(sa.delete(run_keyframes).where(run_keyframes.c.run_id == run_id,
                                                              run_keyframes.c.position == position))
            connection.execute(sa.insert(run_keyframes).values(run_id=run_id, position=position, blob=blob))

    def keyframes(self, run_id, before=None) -> list[tuple[int, bytes]]:
        """(position, blob) of the run's keyframes, oldest first; only those before `before` if given."""
        check_run_id(run_id)
        query = sa.select(run_keyframes.c.position, run_keyframes.c.blob).where(run_keyframes.c.run_id == run_id)
        if before is not None:
            query = query.where(run_keyframes.c.position < before)
        with self._begin() as connection:
            rows = connection.execute(query.order_by(run_keyframes.c.position)).all()
        if any(row.position < 0 or len(row.blob) > MAX_BLOB_BYTES for row in rows):
            raise CorruptRecord(_("run {run}'s keyframes are not ones the store writes").format(run=run_id))
        return [(int(row.position), bytes(row.blob)) for row in rows]

def _class_ended(run_id, now):
    """Whether the run `run_id` (a value or a column) belongs to a class that has ended by `now`: an SQL condition."""
    return sa.exists().where(class_runs.c.run_id == run_id, class_runs.c.member_id == class_members.c.id,
                             class_members.c.class_id == classes.c.id, classes.c.ends <= now)


# Every Step click appends: its two statements are built once, with their values bound at each call
# (building them anew cost more CPU than SQLite's own work on them).
EXTEND_RUN = (sa.update(runs)
              .where(runs.c.id == sa.bindparam("run"), runs.c.length == sa.bindparam("position"),
                     ~_class_ended(runs.c.id, sa.bindparam("now")))
              .values(length=sa.bindparam("end"), touched=sa.bindparam("now")))
INSERT_EVENTS = sa.insert(run_events)


def _refuse_if_class_ended(connection, run_id, now) -> None:
    """ClassEnded if `run_id` is a run of a class that has ended: its log is read-only from the end on.

    Asked inside the append's transaction, so a class ended by its teacher on one replica stops the
    appends of every other at once, whatever their sessions still believe.
    """
    ends = connection.execute(
        sa.select(classes.c.ends)
        .select_from(class_runs.join(class_members, class_runs.c.member_id == class_members.c.id)
                     .join(classes, class_members.c.class_id == classes.c.id))
        .where(class_runs.c.run_id == run_id)).scalar()
    if ends is not None and now >= ends:
        raise ClassEnded(_("this run's class has ended: its runs are read-only"))


# --- validation of what is read back ---------------------------------------------------------------


def _event_json(event) -> str:
    body = json.dumps(event_to_dict(event), separators=(",", ":"))
    if len(body) > MAX_EVENT_CHARACTERS:
        raise ValueError(f"an event must be at most {MAX_EVENT_CHARACTERS} characters as JSON")
    return body


def _event(run_id, seq, body):
    """The event a stored row holds, or CorruptRecord saying why it is refused."""
    try:
        if not isinstance(body, str) or len(body) > MAX_EVENT_CHARACTERS:
            raise ValueError("it is not a short JSON text")
        return event_from_dict(json.loads(body))
    except (ValueError, RecursionError) as error:
        raise CorruptRecord(_("run {run}'s event {seq} is damaged or was edited and is refused: {error}").format(
            run=run_id, seq=seq, error=error)) from None


def _settings_json(settings) -> str:
    body = json.dumps(settings_to_dict(settings), separators=(",", ":"))
    settings_from_dict(json.loads(body))  # refuse to store settings the store would refuse to read
    return body


def _run_info(row) -> RunInfo:
    try:
        if len(row.settings) > MAX_SETTINGS_CHARACTERS:
            raise ValueError("they are too long")
        settings = settings_from_dict(json.loads(row.settings))
        if row.length < 0 or (row.parent is not None and not RUN_ID.fullmatch(row.parent)):
            raise ValueError("its length or parent is impossible")
    except (ValueError, RecursionError) as error:
        raise CorruptRecord(_("run {run}'s record is damaged or was edited and is refused: {error}").format(
            run=row.id, error=error)) from None
    return RunInfo(row.id, settings, row.parent, row.parent_step, row.created, row.touched, int(row.length))
