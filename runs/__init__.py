"""The store of runs (SQLite by default, PostgreSQL when BACKPROP_STORE says so): see runs/store.py."""

from runs.store import (
    ClassEnded,
    ClassInfo,
    CorruptRecord,
    JoinRefused,
    MalformedRunId,
    RunInfo,
    RunStore,
    SchemaTooNew,
    StaleAppend,
    StoreError,
    StoreUnavailable,
    UnknownClass,
    UnknownRun,
    WrongTeacherKey,
    check_run_id,
)

__all__ = ["ClassEnded", "ClassInfo", "CorruptRecord", "JoinRefused", "MalformedRunId", "RunInfo", "RunStore",
           "SchemaTooNew", "StaleAppend", "StoreError", "StoreUnavailable", "UnknownClass", "UnknownRun",
           "WrongTeacherKey", "check_run_id"]
