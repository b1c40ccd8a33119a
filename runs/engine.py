"""Connecting to the store: a SQLite file (WAL mode) or PostgreSQL, one transaction at a time, the schema made or migrated.

Left out on purpose: the tables themselves (runs/schema.py) and what is read or written through them.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql, sqlite

from locales import _
from runs.errors import CorruptRecord, SchemaTooNew, StoreUnavailable
from runs.schema import INIT_LOCK, MIGRATIONS, SCHEMA_VERSION, metadata, store_meta

ENVIRONMENT_VARIABLE = "BACKPROP_STORE"
DEFAULT_PATH = Path(__file__).resolve().parents[1] / ".cache" / "runs.sqlite3"
BUSY_TIMEOUT_SECONDS = 10


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


class Engine:
    """One SQLite file or one PostgreSQL database, opened with its schema checked; RunStore's base."""

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

    def _insert_ignoring_duplicates(self, table):
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing()
