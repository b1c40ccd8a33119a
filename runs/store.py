"""The store of runs: each run's settings, its append-only log of events, and snapshot caches.

One schema (with a version number, created or migrated on start) and two engines through
SQLAlchemy Core: a SQLite file under .cache/ by default (WAL mode, so reads go on while a step
is written), or PostgreSQL when BACKPROP_STORE holds a postgresql:// URL (shared by replicas).

Two writers extending one run at once: each append names the position it extends, the run's
length only moves from that position in one conditional UPDATE, and (run_id, seq) is a primary
key, so exactly one wins and the other gets StaleAppend; the log never holds two different
events at one position.

Nothing from outside is trusted: a run id is checked (22 URL-safe characters, 128 random bits)
before any query and is only ever a bound parameter; every record read back is validated
(core/events.py for events and settings) and a bad one raises CorruptRecord rather than being
used. Snapshots are opaque bytes here; core/events.py writes and checks them.

Classes (a teacher's lesson and its students) live here too: a class has an unguessable id (the
students' join link) and a teacher's secret of 256 random bits of which only the sha256 is kept;
each student is a member with a display name, the run they work on, and a small row of progress
their session writes now and then, so the teacher's dashboard reads one row per student instead of
replaying anyone's run. Joins are limited per class and per minute in the database itself, so the
limit holds across replicas. A class past its end date is read-only; its runs count as used until
then, and are pruned with the store's retention after it.

Left out on purpose: replaying a log (core/events.py) and any notion of a browser session (ui/).
"""

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql, sqlite

from core.events import StartedFromCheckpoint, event_from_dict, event_to_dict, settings_from_dict, settings_to_dict
from core.lesson import MAX_CLASS_NAME, MAX_SLUG, check_name, lesson_from_dict, lesson_to_dict
from locales import _

SCHEMA_VERSION = 3
# version -> function(connection) that upgrades a store from it to the next version. create_all()
# has already added any missing table by then: version 2 only added run_keyframes, version 3 the
# classes, class_members and class_runs tables. (class_creators came later without a new version:
# create_all() adds it, and an older app never reads it.)
MIGRATIONS = {1: lambda connection: None, 2: lambda connection: None}
ENVIRONMENT_VARIABLE = "BACKPROP_STORE"
DEFAULT_PATH = Path(__file__).resolve().parents[1] / ".cache" / "runs.sqlite3"
RUN_ID_LENGTH = 22  # secrets.token_urlsafe(16): 128 random bits
RUN_ID = re.compile(r"[A-Za-z0-9_-]{22}")
MAX_EVENT_CHARACTERS = 2048  # an image event, the largest, is about 1,070
MAX_SETTINGS_CHARACTERS = 1024
MAX_BLOB_BYTES = 20 * 2**20  # a snapshot or checkpoint (the checkpoint loader's own limit)
KEEP_SNAPSHOTS = 1  # per run: the latest full state is all a restore needs
RETENTION_DAYS = 30
MAX_STORE_BYTES = 2 * 2**30
BUSY_TIMEOUT_SECONDS = 10
INIT_LOCK = 0x6261636B  # PostgreSQL advisory lock held while one process creates or migrates the schema
MAX_LESSON_CHARACTERS = 4096
MAX_CLASS_DAYS = 366  # the furthest end date a class may have
JOINS_PER_MINUTE = 60  # per class: a class of 30 arriving at once joins; a script filling the store does not
CLASS_SIZE_VARIABLE = "BACKPROP_CLASS_SIZE"  # the most students a class holds (default DEFAULT_CLASS_SIZE)
DEFAULT_CLASS_SIZE = 200
CLASSES_PER_CLIENT_PER_HOUR = 10  # a teacher makes one or two; a script filling the store is stopped at ten
MAX_OPEN_CLASSES = 1000  # the whole store: open classes, beyond which no new one is made
MAX_SPARKLINE_POINTS = 32

metadata = sa.MetaData()
store_meta = sa.Table(
    "store_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)
runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.String(RUN_ID_LENGTH), primary_key=True),
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("parent", sa.String(RUN_ID_LENGTH)),
    sa.Column("parent_step", sa.BigInteger),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("touched", sa.Float, nullable=False, index=True),
    sa.Column("length", sa.BigInteger, nullable=False),  # events in the log: the position the next append extends
)
run_events = sa.Table(
    "run_events", metadata,
    sa.Column("run_id", sa.String(RUN_ID_LENGTH), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),  # the event as JSON
    sa.Column("checkpoint", sa.String(64)),  # the sha256 a checkpoint event names, so its bytes are kept
)
run_snapshots = sa.Table(
    "run_snapshots", metadata,
    sa.Column("run_id", sa.String(RUN_ID_LENGTH), primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True),  # events applied before it was taken
    sa.Column("blob", sa.LargeBinary, nullable=False),
)
run_keyframes = sa.Table(
    "run_keyframes", metadata,
    sa.Column("run_id", sa.String(RUN_ID_LENGTH), primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True),  # updates since the lineage's start (core/timeline.py)
    sa.Column("blob", sa.LargeBinary, nullable=False),
)
checkpoints = sa.Table(
    "run_checkpoints", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)
classes = sa.Table(
    "classes", metadata,
    sa.Column("id", sa.String(RUN_ID_LENGTH), primary_key=True),
    sa.Column("name", sa.String(4 * MAX_CLASS_NAME), nullable=False),
    sa.Column("lesson", sa.Text, nullable=False),  # core/lesson.py's preset as JSON
    sa.Column("teacher_hash", sa.String(64), nullable=False),  # sha256 of the teacher's secret, in hex
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("ends", sa.Float, nullable=False),  # seconds since the epoch; read-only from then on
)
class_members = sa.Table(
    "class_members", metadata,
    sa.Column("id", sa.String(RUN_ID_LENGTH), primary_key=True),
    sa.Column("class_id", sa.String(RUN_ID_LENGTH), nullable=False, index=True),
    sa.Column("name", sa.String(4 * MAX_CLASS_NAME), nullable=False),  # as typed
    sa.Column("joined", sa.Float, nullable=False),
    sa.Column("run_id", sa.String(RUN_ID_LENGTH), nullable=False),  # the run the student works on now
    # The progress row the student's session writes (core/progress.py's RunFacts, in short):
    sa.Column("active", sa.Float, nullable=False),  # the last click
    sa.Column("step", sa.BigInteger, nullable=False),
    sa.Column("epoch", sa.BigInteger, nullable=False),
    sa.Column("sample", sa.BigInteger, nullable=False),
    sa.Column("accuracy", sa.Float),  # the latest measured test accuracy, and the step it was measured at
    sa.Column("accuracy_step", sa.BigInteger),
    sa.Column("silent", sa.Integer, nullable=False),
    sa.Column("hidden", sa.Integer, nullable=False),
    sa.Column("losses", sa.Text, nullable=False),  # JSON list: a short curve of the mean loss
    sa.Column("tasks", sa.Text, nullable=False),  # JSON list of the ids of the tasks done so far
)
class_creators = sa.Table(
    "class_creators", metadata,  # who made each class, for the rate limit: a hash of the client's address, never the address
    sa.Column("class_id", sa.String(RUN_ID_LENGTH), primary_key=True),
    sa.Column("client", sa.String(64), nullable=False, index=True),
    sa.Column("created", sa.Float, nullable=False),
)
class_runs = sa.Table(
    "class_runs", metadata,  # every run a member made in the class (joined, reset, branched): its link rejoins it
    sa.Column("run_id", sa.String(RUN_ID_LENGTH), primary_key=True),
    sa.Column("member_id", sa.String(RUN_ID_LENGTH), nullable=False, index=True),
)


class StoreError(Exception):
    """Anything the store refuses or cannot do; the message is one sentence a screen can show."""


class UnknownRun(StoreError, LookupError):
    """No run has this id."""


class MalformedRunId(UnknownRun):
    """A run id that cannot be one (wrong length or characters); no query was made."""


class StaleAppend(StoreError):
    """The append's position is not the end of the log: another writer extended it first."""

    def __init__(self, run_id, position, length):
        super().__init__(f"run {run_id} has {length} events, so an append at position {position} was refused; "
                         "catch up with the events since then first")
        self.position, self.length = position, length


class CorruptRecord(StoreError, ValueError):
    """A stored record that fails validation (edited, truncated, or from a newer version): refused, never used."""


class SchemaTooNew(StoreError):
    """The database was written by a newer version of Backprop Lab."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or written (down, full, locked too long)."""


class UnknownClass(StoreError, LookupError):
    """No class has this id."""


class MalformedClassId(UnknownClass):
    """A class id that cannot be one; no query was made."""


class WrongTeacherKey(StoreError):
    """The teacher's secret given is not the class's."""


class ClassEnded(StoreError):
    """The class is past its end date: read-only."""


class CreationRefused(StoreError):
    """Too many classes made by one client in the last hour, or the store holds as many open classes as it takes."""


class JoinRefused(StoreError):
    """A join the class cannot take now (too many at once, or the class is full)."""


@dataclass(frozen=True)
class ClassInfo:
    id: str
    name: str
    lesson: object  # core.lesson.Lesson
    created: float
    ends: float

    def is_open(self, now=None) -> bool:
        return (time.time() if now is None else now) < self.ends


@dataclass(frozen=True)
class Progress:
    """A student's progress row: what their session last measured of their run."""

    active: float  # seconds since the epoch
    step: int
    epoch: int
    sample: int
    accuracy: float | None
    accuracy_step: int | None
    silent: int
    hidden: int
    losses: tuple
    tasks: tuple  # task ids done


@dataclass(frozen=True)
class Member:
    id: str
    class_id: str
    name: str
    joined: float
    run_id: str
    progress: Progress


@dataclass(frozen=True)
class RunInfo:
    id: str
    settings: object  # core.settings.Settings
    parent: str | None
    parent_step: int | None
    created: float  # seconds since the epoch
    touched: float
    length: int  # events in the log


def new_run_id() -> str:
    return secrets.token_urlsafe(16)


def teacher_hash(secret: str) -> str:
    """sha256 of the teacher's secret: the secret is 256 random bits, so a fast hash cannot be reversed or guessed."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_class_id(value) -> str:
    """The id itself if it can be a class's (or a member's) id; MalformedClassId before any query otherwise."""
    if not isinstance(value, str) or len(value) != RUN_ID_LENGTH or not RUN_ID.fullmatch(value):
        raise MalformedClassId("that is not a class link (its id is 22 letters, digits, '-' or '_')")
    return value


def check_run_id(value) -> str:
    """The id itself if it can be a run id; MalformedRunId otherwise (before any query sees it)."""
    if not isinstance(value, str) or len(value) != RUN_ID_LENGTH or not RUN_ID.fullmatch(value):
        raise MalformedRunId("that is not a run id (a run id is 22 letters, digits, '-' or '_')")
    return value


def database_url(location=None) -> str:
    """The SQLAlchemy URL for a location: a postgresql:// URL, or a SQLite file path (default under .cache/)."""
    location = str(location or os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_PATH)
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if location.startswith(prefix):
            return "postgresql+psycopg://" + location[len(prefix):]
    if "://" in location:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be a postgresql:// URL or a file path, not {location.split('://')[0]}://…")
    return f"sqlite:///{Path(location).resolve()}"


def _sqlite_engine(url):
    Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

    @sa.event.listens_for(engine, "connect")
    def configure(connection, _):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: an app crash loses nothing committed
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    return engine


class RunStore:
    """Runs, their logs and snapshots in one SQLite file or one PostgreSQL database."""

    def __init__(self, location=None):
        url = database_url(location)
        if url.startswith("sqlite"):
            self.engine = _sqlite_engine(url)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=8)
        self.dialect = self.engine.dialect.name
        self._initialise()

    def close(self):
        self.engine.dispose()

    # --- schema ------------------------------------------------------------------------------

    def _initialise(self):
        """Create the tables, or migrate them, or refuse a database from a newer version."""
        with self._begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": INIT_LOCK})
            metadata.create_all(connection)
            stored = connection.execute(sa.select(store_meta.c.value).where(store_meta.c.key == "schema_version")).scalar()
            if stored is None:
                connection.execute(sa.insert(store_meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
                return
            if not stored.isdigit():
                raise CorruptRecord(f"the run store's schema version {stored[:20]!r} is not a number")
            version = int(stored)
            if version > SCHEMA_VERSION:
                raise SchemaTooNew(_("the run store has schema version {version}, newer than this app's {ours}: update "
                                     "Backprop Lab or point {variable} elsewhere").format(
                    version=version, ours=SCHEMA_VERSION, variable=ENVIRONMENT_VARIABLE))
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](connection)
                version += 1
            connection.execute(sa.update(store_meta).where(store_meta.c.key == "schema_version").values(value=str(version)))

    @contextmanager
    def _begin(self):
        """One transaction; the database being down or full becomes StoreUnavailable."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except (exc.OperationalError, exc.InterfaceError, exc.InternalError) as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
            raise StoreUnavailable(_("the run store cannot be reached or written ({reason})").format(reason=reason)) from error

    # --- runs --------------------------------------------------------------------------------

    def create_run(self, settings, parent=None, parent_step=None) -> str:
        """A new, empty run with these settings (core.settings.Settings); a branch names its parent and step."""
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
        try:
            with self._begin() as connection:
                # The conditional UPDATE comes first: it takes the write lock (SQLite) or the row lock
                # (PostgreSQL), so a second writer waits, then finds the length moved and fails.
                _refuse_if_class_ended(connection, run_id, time.time())
                moved = connection.execute(sa.update(runs).where(runs.c.id == run_id, runs.c.length == position)
                                           .values(length=end, touched=time.time())).rowcount
                if moved != 1:
                    length = connection.execute(sa.select(runs.c.length).where(runs.c.id == run_id)).scalar()
                    if length is None:
                        raise UnknownRun(_("there is no run {run}").format(run=run_id))
                    raise StaleAppend(run_id, position, length)
                connection.execute(sa.insert(run_events), rows)
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
        """sha256 -> bytes for the checkpoint events among `events` (what core.events.apply_events needs)."""
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
        """Keep the state after `position` updates of the run's timeline (core/timeline.py writes and checks it)."""
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

    # --- classes: a teacher's lesson, its students and their progress rows ----------------------

    def create_class(self, name, lesson, ends, now=None, client: str | None = None) -> tuple[str, str]:
        """A new class (name, core.lesson.Lesson, end as seconds since the epoch): (its id, the teacher's secret).

        The secret is returned once and never stored: only its sha256 is, so it cannot be recovered.
        CreationRefused past CLASSES_PER_CLIENT_PER_HOUR for `client` (the creator's address, kept only
        as a hash; None for the server's own machine, which owns the store) or MAX_OPEN_CLASSES in the store.
        """
        now = time.time() if now is None else now
        name = check_name(name, MAX_CLASS_NAME, "class name")
        body = _lesson_json(lesson)
        if not (isinstance(ends, (int, float)) and math.isfinite(ends) and now < ends <= now + MAX_CLASS_DAYS * 86400):
            raise ValueError(f"a class must end after now and within {MAX_CLASS_DAYS} days")
        class_id, secret = new_run_id(), secrets.token_urlsafe(32)
        with self._begin() as connection:
            client_hash = _refuse_creation_over_limits(connection, client, now)
            connection.execute(sa.insert(classes).values(id=class_id, name=name, lesson=body,
                                                         teacher_hash=teacher_hash(secret), created=now, ends=float(ends)))
            connection.execute(sa.insert(class_creators).values(class_id=class_id, client=client_hash, created=now))
        return class_id, secret

    def class_info(self, class_id) -> ClassInfo:
        """The class (UnknownClass, or MalformedClassId before any query, if there is none)."""
        check_class_id(class_id)
        with self._begin() as connection:
            row = connection.execute(sa.select(classes).where(classes.c.id == class_id)).one_or_none()
        if row is None:
            raise UnknownClass(_("there is no class with this link (it may have ended and been removed)"))
        return _class_info(row)

    def teacher_class(self, class_id, secret) -> ClassInfo:
        """The class, if `secret` is its teacher's (WrongTeacherKey otherwise)."""
        with self._begin() as connection:
            row = connection.execute(sa.select(classes).where(classes.c.id == check_class_id(class_id))).one_or_none()
        if row is None:
            raise UnknownClass(_("there is no class with this link (it may have ended and been removed)"))
        if not (isinstance(secret, str) and len(secret) <= 100
                and hmac.compare_digest(teacher_hash(secret), str(row.teacher_hash))):
            raise WrongTeacherKey(_("this link does not hold the class's teacher key"))
        return _class_info(row)

    def end_class(self, class_id, secret, now=None) -> ClassInfo:
        """End the class now (the teacher's secret needed): read-only from here on."""
        self.teacher_class(class_id, secret)
        now = time.time() if now is None else now
        with self._begin() as connection:
            connection.execute(sa.update(classes).where(classes.c.id == class_id, classes.c.ends > now).values(ends=now))
        return self.class_info(class_id)

    def join_class(self, class_id, name, run_id, now=None) -> str:
        """Make `run_id` the run of a new member called `name` (as typed); returns the member's id.

        ClassEnded after the end date; JoinRefused when JOINS_PER_MINUTE joined in the last minute
        or the class is full. The class's row is locked first, so the count holds across replicas.
        """
        now = time.time() if now is None else now
        check_class_id(class_id)
        name = check_name(name)
        check_run_id(run_id)
        member_id = new_run_id()
        with self._begin() as connection:
            # An UPDATE that changes nothing takes the row's lock (PostgreSQL) or the write lock (SQLite).
            if connection.execute(sa.update(classes).where(classes.c.id == class_id)
                                  .values(ends=classes.c.ends)).rowcount != 1:
                raise UnknownClass(_("there is no class with this link (it may have ended and been removed)"))
            ends = connection.execute(sa.select(classes.c.ends).where(classes.c.id == class_id)).scalar()
            if now >= ends:
                raise ClassEnded(_("this class has ended: it is read-only and takes no new students"))
            members = sa.select(sa.func.count()).select_from(class_members).where(class_members.c.class_id == class_id)
            if connection.execute(members.where(class_members.c.joined > now - 60)).scalar() >= JOINS_PER_MINUTE:
                raise JoinRefused(_("{count} students joined this class in the last minute, the most it takes: "
                                    "wait a minute and join again").format(count=JOINS_PER_MINUTE))
            if connection.execute(members).scalar() >= class_size():
                raise JoinRefused(_("this class is full: it holds {count} students, the most a class takes here")
                                  .format(count=class_size()))
            if connection.execute(sa.select(class_runs.c.run_id).where(class_runs.c.run_id == run_id)).first():
                raise ValueError("this run already belongs to a class")
            connection.execute(sa.insert(class_members).values(
                id=member_id, class_id=class_id, name=name, joined=now, run_id=run_id, active=now, step=0, epoch=0,
                sample=0, accuracy=None, accuracy_step=None, silent=0, hidden=0, losses="[]", tasks="[]"))
            connection.execute(sa.insert(class_runs).values(run_id=run_id, member_id=member_id))
        return member_id

    def member_of_run(self, run_id) -> Member | None:
        """The member whose run (now or before a reset or branch) this is, or None for a run in no class."""
        check_run_id(run_id)
        query = (sa.select(class_members).select_from(class_runs.join(class_members, class_runs.c.member_id == class_members.c.id))
                 .where(class_runs.c.run_id == run_id))
        with self._begin() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _member(row)

    def member(self, member_id) -> Member:
        check_class_id(member_id)
        with self._begin() as connection:
            row = connection.execute(sa.select(class_members).where(class_members.c.id == member_id)).one_or_none()
        if row is None:
            raise UnknownClass(_("there is no such student in this class"))
        return _member(row)

    def move_member(self, member_id, run_id, now=None) -> None:
        """The member now works on `run_id` (a new run after a reset, a branch): kept with the class's runs."""
        now = time.time() if now is None else now
        check_class_id(member_id)
        check_run_id(run_id)
        with self._begin() as connection:
            open_class = sa.select(classes.c.id).where(classes.c.ends > now)
            moved = connection.execute(sa.update(class_members).where(class_members.c.id == member_id,
                                                                      class_members.c.class_id.in_(open_class))
                                       .values(run_id=run_id, active=now)).rowcount
            if moved != 1:
                raise ClassEnded(_("the class has ended (or the student is gone): its runs are read-only"))
            owner = connection.execute(sa.select(class_runs.c.member_id).where(class_runs.c.run_id == run_id)).scalar()
            if owner is None:
                connection.execute(sa.insert(class_runs).values(run_id=run_id, member_id=member_id))
            elif owner != member_id:
                raise ValueError("this run belongs to another student")

    def write_progress(self, rows: dict, now=None) -> None:
        """Store progress rows (member id -> (the run it is of, Progress)); rows of ended classes are left as they were."""
        now = time.time() if now is None else now
        values = []
        for member_id, (run_id, progress) in rows.items():
            check_class_id(member_id)
            check_run_id(run_id)
            values.append({"row_member": member_id, "row_run": run_id,
                           **{f"row_{name}": value for name, value in _progress_values(progress).items()}})
        if not values:
            return
        open_class = sa.select(classes.c.id).where(classes.c.ends > now)
        statement = (sa.update(class_members)
                     .where(class_members.c.id == sa.bindparam("row_member"), class_members.c.class_id.in_(open_class))
                     .values(run_id=sa.bindparam("row_run"), **{name: sa.bindparam(f"row_{name}") for name in PROGRESS_FIELDS}))
        with self._begin() as connection:
            connection.execute(statement, values)

    def class_members(self, class_id) -> list[Member]:
        """Every member of the class with their progress row, in the order they joined."""
        check_class_id(class_id)
        with self._begin() as connection:
            rows = connection.execute(sa.select(class_members).where(class_members.c.class_id == class_id)
                                      .order_by(class_members.c.joined, class_members.c.id)).all()
        return [_member(row) for row in rows]

    # --- size and retention ------------------------------------------------------------------

    def run_sizes(self) -> dict:
        """Bytes each run takes: its events, snapshots and the checkpoint it starts from."""
        sizes = {}
        with self._begin() as connection:
            for table, column, join in ((run_events, run_events.c.body, None),
                                        (run_snapshots, run_snapshots.c.blob, None),
                                        (run_keyframes, run_keyframes.c.blob, None),
                                        (run_events, checkpoints.c.content, checkpoints)):
                query = sa.select(table.c.run_id, sa.func.sum(sa.func.length(column)))
                if join is not None:
                    query = query.select_from(run_events.join(checkpoints, run_events.c.checkpoint == checkpoints.c.sha256))
                for run_id, size in connection.execute(query.group_by(table.c.run_id)):
                    sizes[run_id] = sizes.get(run_id, 0) + int(size or 0)
            for (run_id,) in connection.execute(sa.select(runs.c.id)):
                sizes.setdefault(run_id, 0)
        return sizes

    def prune(self, older_than_days=RETENTION_DAYS, max_bytes=MAX_STORE_BYTES, now=None) -> list[str]:
        """Remove runs unused for `older_than_days`, then the least recently used until the store fits max_bytes.

        A class's run counts as used until the class ends, so its retention starts then. A run that a
        kept run branched from is kept too: the branch replays through it. A class that ended
        `older_than_days` ago and has no run left goes too. Returns the ids of the runs removed.
        """
        now = time.time() if now is None else now
        ends = (sa.select(class_runs.c.run_id, classes.c.ends)
                .select_from(class_runs.join(class_members, class_runs.c.member_id == class_members.c.id)
                             .join(classes, class_members.c.class_id == classes.c.id))).subquery()
        with self._begin() as connection:
            rows = connection.execute(sa.select(runs.c.id, runs.c.touched, runs.c.parent, ends.c.ends)
                                      .select_from(runs.outerjoin(ends, runs.c.id == ends.c.run_id))).all()
        rows = sorted(rows, key=_last_used)
        sizes = self.run_sizes()
        total = sum(sizes.values())
        removed = []
        for row in rows:
            if _last_used(row) >= now - older_than_days * 86400 and total <= max_bytes:
                break
            removed.append(row.id)
            total -= sizes.get(row.id, 0)
        removed = _without_ancestors_of_kept(rows, removed)
        for start in range(0, len(removed), 500):
            self._remove(removed[start:start + 500])
        self._remove_ended_classes(now - older_than_days * 86400)
        return removed

    def _remove_ended_classes(self, before) -> None:
        """Classes that ended before `before` and have no run left, with their members."""
        with self._begin() as connection:
            members_with_runs = sa.select(class_runs.c.member_id)
            with_runs = sa.select(class_members.c.class_id).where(class_members.c.id.in_(members_with_runs))
            gone = sa.select(classes.c.id).where(classes.c.ends < before, classes.c.id.not_in(with_runs))
            connection.execute(sa.delete(class_members).where(class_members.c.class_id.in_(gone)))
            connection.execute(sa.delete(classes).where(classes.c.id.in_(gone)))
            connection.execute(sa.delete(class_creators).where(class_creators.c.created < before))

    def _remove(self, run_ids):
        with self._begin() as connection:
            for table in (run_events, run_snapshots, run_keyframes, class_runs):
                connection.execute(sa.delete(table).where(table.c.run_id.in_(run_ids)))
            connection.execute(sa.delete(runs).where(runs.c.id.in_(run_ids)))
            used = sa.select(run_events.c.checkpoint).where(run_events.c.checkpoint.is_not(None))
            connection.execute(sa.delete(checkpoints).where(checkpoints.c.sha256.not_in(used)))

    def _insert_ignoring_duplicates(self, table):
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing()


def class_size() -> int:
    """The most students a class holds: BACKPROP_CLASS_SIZE, else DEFAULT_CLASS_SIZE."""
    value = os.environ.get(CLASS_SIZE_VARIABLE, "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_CLASS_SIZE


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


def _refuse_creation_over_limits(connection, client: str | None, now) -> str:
    """CreationRefused when the client made CLASSES_PER_CLIENT_PER_HOUR classes in the last hour or the store holds
    MAX_OPEN_CLASSES open ones; the hash the client is counted under otherwise ("" for the server's own machine)."""
    client_hash = hashlib.sha256(f"backprop-class-creator:{client}".encode("utf-8")).hexdigest() if client else ""
    recent = connection.execute(sa.select(sa.func.count()).select_from(class_creators).where(
        class_creators.c.client == client_hash, class_creators.c.created > now - 3600)).scalar()
    if client and recent >= CLASSES_PER_CLIENT_PER_HOUR:
        raise CreationRefused(_("{count} classes were created from this address in the last hour, the most it may "
                                "create: wait an hour, or use a class you made").format(count=CLASSES_PER_CLIENT_PER_HOUR))
    open_classes = connection.execute(sa.select(sa.func.count()).select_from(classes).where(classes.c.ends > now)).scalar()
    if open_classes >= MAX_OPEN_CLASSES:
        raise CreationRefused(_("this server holds {count} open classes, the most it takes: no class can be created "
                                "until some end (ask whoever runs it)").format(count=MAX_OPEN_CLASSES))
    return client_hash


def _last_used(row) -> float:
    """When a run was last used: its last touch, or its class's end if that is later."""
    return max(row.touched, row.ends or 0.0)


def _without_ancestors_of_kept(rows, removed) -> list[str]:
    """`removed` less every run some kept run descends from."""
    parents = {row.id: row.parent for row in rows}
    doomed = set(removed)
    needed = set()
    for run_id in parents:
        if run_id in doomed:
            continue
        parent, depth = parents.get(run_id), 0
        while parent is not None and parent not in needed and depth <= len(parents):
            needed.add(parent)
            parent, depth = parents.get(parent), depth + 1
    return [run_id for run_id in removed if run_id not in needed]


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


# --- classes: validation of what is read back ------------------------------------------------------

PROGRESS_FIELDS = ("active", "step", "epoch", "sample", "accuracy", "accuracy_step", "silent", "hidden", "losses",
                   "tasks")


def _lesson_json(lesson) -> str:
    body = json.dumps(lesson_to_dict(lesson), separators=(",", ":"))
    if len(body) > MAX_LESSON_CHARACTERS:
        raise ValueError(f"a lesson must be at most {MAX_LESSON_CHARACTERS} characters as JSON")
    lesson_from_dict(json.loads(body))  # refuse to store a lesson the store would refuse to read
    return body


def _class_info(row) -> ClassInfo:
    try:
        name = check_name(row.name, MAX_CLASS_NAME, "class name")
        if not isinstance(row.lesson, str) or len(row.lesson) > MAX_LESSON_CHARACTERS:
            raise ValueError("its lesson is not a short JSON text")
        lesson = lesson_from_dict(json.loads(row.lesson))
        if not (math.isfinite(row.created) and math.isfinite(row.ends)) or not re.fullmatch(r"[0-9a-f]{64}", row.teacher_hash):
            raise ValueError("its dates or key are impossible")
    except (ValueError, TypeError, RecursionError) as error:
        raise CorruptRecord(_("class {id}'s record is damaged or was edited and is refused: {error}").format(
            id=row.id, error=error)) from None
    return ClassInfo(row.id, name, lesson, float(row.created), float(row.ends))


def _progress_values(progress: Progress) -> dict:
    """A Progress as the columns that hold it, checked as _member() would check them when read back."""
    values = {"active": float(progress.active), "step": int(progress.step), "epoch": int(progress.epoch),
              "sample": int(progress.sample),
              "accuracy": None if progress.accuracy is None else float(progress.accuracy),
              "accuracy_step": None if progress.accuracy_step is None else int(progress.accuracy_step),
              "silent": int(progress.silent), "hidden": int(progress.hidden),
              "losses": json.dumps([float(value) for value in progress.losses][-MAX_SPARKLINE_POINTS:]),
              "tasks": json.dumps(sorted(progress.tasks))}
    _progress(values)
    return values


def _progress(values) -> Progress:
    """A progress row's columns as a Progress; ValueError if any is impossible."""
    numbers = [values[name] for name in ("step", "epoch", "sample", "silent", "hidden")]
    if any(not isinstance(number, int) or number < 0 for number in numbers):
        raise ValueError("its position or unit counts are impossible")
    accuracy, accuracy_step = values["accuracy"], values["accuracy_step"]
    if (accuracy is None) != (accuracy_step is None) or (accuracy is not None and not 0 <= accuracy <= 1):
        raise ValueError("its test accuracy is impossible")
    if not (isinstance(values["active"], float) and math.isfinite(values["active"])):
        raise ValueError("its time of last activity is impossible")
    losses, tasks = (json.loads(values[name]) if len(values[name]) <= 4096 else None for name in ("losses", "tasks"))
    if (not isinstance(losses, list) or len(losses) > MAX_SPARKLINE_POINTS
            or not all(isinstance(value, (int, float)) and math.isfinite(value) and value >= 0 for value in losses)):
        raise ValueError("its loss curve is not a short list of losses")
    if not isinstance(tasks, list) or len(tasks) > 64 or not all(
            isinstance(task, str) and re.fullmatch(rf"[a-z0-9_]{{1,{MAX_SLUG}}}", task) for task in tasks):
        raise ValueError("its tasks are not a list of task names")
    return Progress(values["active"], *numbers[:3], None if accuracy is None else float(accuracy),
                    accuracy_step, *numbers[3:], tuple(float(value) for value in losses), tuple(tasks))


def _member(row) -> Member:
    try:
        name = check_name(row.name)
        if not (RUN_ID.fullmatch(row.run_id) and RUN_ID.fullmatch(row.class_id) and math.isfinite(row.joined)):
            raise ValueError("its run, class or time of joining is impossible")
        progress = _progress({name: getattr(row, name) for name in PROGRESS_FIELDS})
    except (ValueError, TypeError, RecursionError) as error:
        raise CorruptRecord(_("student {id}'s record is damaged or was edited and is refused: {error}").format(
            id=row.id, error=error)) from None
    return Member(row.id, row.class_id, name, float(row.joined), row.run_id, progress)
