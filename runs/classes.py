"""Classes: a teacher's lesson, its students (members) with the runs they work on, and their progress rows.

A class has an unguessable id (the students' join link) and a teacher's secret of 256 random bits of
which only the sha256 is kept. Joins are limited per class and per minute in the database itself, so
the limit holds across replicas. A class past its end date is read-only.
"""

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from core.classwork.lesson import MAX_CLASS_NAME, MAX_SLUG, check_name, lesson_from_dict, lesson_to_dict
from locales import _
from runs.errors import (
    ClassEnded,
    CorruptRecord,
    CreationRefused,
    JoinRefused,
    MalformedClassId,
    UnknownClass,
    WrongTeacherKey,
)
from runs.run_log import RUN_ID, check_run_id, new_run_id
from runs.schema import RUN_ID_LENGTH, class_creators, class_members, class_runs, classes

MAX_LESSON_CHARACTERS = 4096
MAX_CLASS_DAYS = 366  # the furthest end date a class may have
JOINS_PER_MINUTE = 60  # per class: a class of 30 arriving at once joins; a script filling the store does not
CLASS_SIZE_VARIABLE = "BACKPROP_CLASS_SIZE"  # the most students a class holds (default DEFAULT_CLASS_SIZE)
DEFAULT_CLASS_SIZE = 200
CLASSES_PER_CLIENT_PER_HOUR = 10  # a teacher makes one or two; a script filling the store is stopped at ten
MAX_OPEN_CLASSES = 1000  # the whole store: open classes, beyond which no new one is made
MAX_SPARKLINE_POINTS = 32


@dataclass(frozen=True)
class ClassInfo:
    id: str
    name: str
    lesson: object  # core.classwork.lesson.Lesson
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



def teacher_hash(secret: str) -> str:
    """sha256 of the teacher's secret: the secret is 256 random bits, so a fast hash cannot be reversed or guessed."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_class_id(value) -> str:
    """The id itself if it can be a class's (or a member's) id; MalformedClassId before any query otherwise."""
    if not isinstance(value, str) or len(value) != RUN_ID_LENGTH or not RUN_ID.fullmatch(value):
        raise MalformedClassId("that is not a class link (its id is 22 letters, digits, '-' or '_')")
    return value


class Classes:
    """The classes half of RunStore (runs/store.py): needs its _begin()."""

    def create_class(self, name, lesson, ends, now=None, client: str | None = None) -> tuple[str, str]:
        """A new class (name, core.classwork.lesson.Lesson, end as seconds since the epoch): (its id, the teacher's secret).

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

def class_size() -> int:
    """The most students a class holds: BACKPROP_CLASS_SIZE, else DEFAULT_CLASS_SIZE."""
    value = os.environ.get(CLASS_SIZE_VARIABLE, "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_CLASS_SIZE


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


# --- validation of what is read back ---------------------------------------------------------------

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
