"""The run store the classroom benchmark's servers use, set through BACKPROP_STORE (they inherit it).

The stores it makes are throwaway ones (a PostgreSQL server, a SQLite file), removed after the rows;
"default" leaves BACKPROP_STORE as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile


@contextlib.contextmanager
def store_environment(kind: str):
    """BACKPROP_STORE for the servers started inside (they inherit this process's environment)."""
    before = os.environ.get("BACKPROP_STORE")
    with contextlib.ExitStack() as stack:
        if kind == "off":
            os.environ["BACKPROP_STORE"] = "off"
        elif kind == "postgres":
            from runs.postgres_server import create_database, temporary_server

            server = stack.enter_context(temporary_server())
            os.environ["BACKPROP_STORE"] = create_database(server, "classroom")
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("BACKPROP_STORE", None)
            else:
                os.environ["BACKPROP_STORE"] = before


@contextlib.contextmanager
def class_store():
    """A throwaway PostgreSQL for the class rows (shared by the replicas), else a SQLite file in a temporary folder."""
    from runs.postgres_server import postgres_programs

    if postgres_programs() is not None:
        with store_environment("postgres"):
            yield "PostgreSQL"
        return
    before = os.environ.get("BACKPROP_STORE")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["BACKPROP_STORE"] = os.path.join(folder, "runs.sqlite3")
        try:
            yield "SQLite (PostgreSQL is not installed)"
        finally:
            if before is None:
                os.environ.pop("BACKPROP_STORE", None)
            else:
                os.environ["BACKPROP_STORE"] = before
