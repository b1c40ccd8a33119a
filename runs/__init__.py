"""The store of runs (SQLite by default, PostgreSQL when BACKPROP_STORE says so): see runs/store.py."""

from runs.store import (
    CorruptRecord,
    MalformedRunId,
    RunInfo,
    RunStore,
    SchemaTooNew,
    StaleAppend,
    StoreError,
    StoreUnavailable,
    UnknownRun,
    check_run_id,
)

__all__ = ["CorruptRecord", "MalformedRunId", "RunInfo", "RunStore", "SchemaTooNew", "StaleAppend", "StoreError",
           "StoreUnavailable", "UnknownRun", "check_run_id"]
