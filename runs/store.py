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
(core/record/events.py for events and settings) and a bad one raises CorruptRecord rather than being
used. Snapshots are opaque bytes here; core/record/events.py writes and checks them.

Classes (a teacher's lesson and its students) live here too: a class has an unguessable id (the
students' join link) and a teacher's secret of 256 random bits of which only the sha256 is kept;
each student is a member with a display name, the run they work on, and a small row of progress
their session writes now and then, so the teacher's dashboard reads one row per student instead of
replaying anyone's run. Joins are limited per class and per minute in the database itself, so the
limit holds across replicas. A class past its end date is read-only; its runs count as used until
then, and are pruned with the store's retention after it.

Left out on purpose: replaying a log (core/record/events.py) and any notion of a browser session (ui/).
"""

from runs.classes import Classes
from runs.engine import Engine
from runs.retention import Retention
from runs.run_log import RunLog


class RunStore(RunLog, Classes, Retention, Engine):
    """Runs, their logs and snapshots, and classes, in one SQLite file or one PostgreSQL database."""
