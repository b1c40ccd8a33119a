"""The store's schema: its tables, the version number written with them, and the migrations between versions.

Left out on purpose: connecting (runs/engine.py) and what is read or written (runs/run_log.py, runs/classes.py).
"""

import sqlalchemy as sa

from core.classwork.lesson import MAX_CLASS_NAME

SCHEMA_VERSION = 3
# version -> function(connection) that upgrades a store from it to the next version. create_all()
# has already added any missing table by then: version 2 only added run_keyframes, version 3 the
# classes, class_members and class_runs tables. (class_creators came later without a new version:
# create_all() adds it, and an older app never reads it.)
MIGRATIONS = {1: lambda connection: None, 2: lambda connection: None}
RUN_ID_LENGTH = 22  # secrets.token_urlsafe(16): 128 random bits
INIT_LOCK = 0x6261636B  # PostgreSQL advisory lock held while one process creates or migrates the schema

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
    sa.Column("position", sa.BigInteger, primary_key=True),  # updates since the lineage's start (core/record/timeline.py)
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
    sa.Column("lesson", sa.Text, nullable=False),  # core/classwork/lesson.py's preset as JSON
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
    # The progress row the student's session writes (core/classwork/progress.py's RunFacts, in short):
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

