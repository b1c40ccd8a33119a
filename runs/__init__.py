"""The store of runs (SQLite by default, PostgreSQL when BACKPROP_STORE says so), one concept a module.

store.py: RunStore, the one object the app opens; engine.py: connecting, transactions, the schema made or
migrated; schema.py: the tables and their version; run_log.py: runs, their events, snapshot and keyframe
caches; classes.py: classes, members and progress rows; retention.py: pruning; errors.py: what the store
refuses; postgres_server.py: a PostgreSQL server for tests and deploy/serve.py.
"""

from runs.classes import ClassInfo
from runs.errors import (
    ClassEnded,
    CorruptRecord,
    JoinRefused,
    MalformedRunId,
    SchemaTooNew,
    StaleAppend,
    StoreError,
    StoreUnavailable,
    UnknownClass,
    UnknownRun,
    WrongTeacherKey,
)
from runs.run_log import RunInfo, check_run_id
from runs.store import RunStore

__all__ = ["ClassEnded", "ClassInfo", "CorruptRecord", "JoinRefused", "MalformedRunId", "RunInfo", "RunStore",
           "SchemaTooNew", "StaleAppend", "StoreError", "StoreUnavailable", "UnknownClass", "UnknownRun",
           "WrongTeacherKey", "check_run_id"]
