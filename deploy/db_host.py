"""PostgreSQL as a database machine runs it for the app machines: on its network address only, password
authentication, and a role for the app that owns its database but can create no role and no database.

On a real machine the same three things are `listen_addresses`, a `pg_hba.conf` line and one
`CREATE ROLE` (deploy/README.md); here the server runs inside a host of deploy/netns.py's test network.
The superuser (`lab`, no password) can connect only through the Unix socket in the server's folder,
which the tests use to look at the database from the root namespace.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from runs.postgres_server import postgres_programs

SUPERUSER = "lab"
APP_ROLE = "backprop_app"
DATABASE = "backprop"
PORT = 5432
# An app machine that dies without closing its connections (power, cable) would leave its backends
# waiting, and one caught inside a transaction would hold its run's row lock, so the learner who moved
# to another machine could not write that run. A transaction idle that long is aborted (the app's take
# milliseconds), and TCP keepalives find a silent client within about 25 s.
DEAD_CLIENT_SETTINGS = ("-c idle_in_transaction_session_timeout=10s -c tcp_keepalives_idle=10 "
                        "-c tcp_keepalives_interval=5 -c tcp_keepalives_count=3")


class DatabaseHost:
    """One PostgreSQL server inside `host` of `network`; start(), stop() and start() again, destroy()."""

    def __init__(self, network, host: str = "db") -> None:
        self.network, self.host = network, host
        self.password = secrets.token_urlsafe(18)  # URL-safe: it goes into BACKPROP_STORE as it is
        self.folder = Path(tempfile.mkdtemp(prefix="backprop-dbhost-"))
        self.folder.chmod(0o755)  # the postgres system user must get through
        self.data = self.folder / "data"
        self.programs = postgres_programs()
        if self.programs is None:
            raise FileNotFoundError("PostgreSQL is not installed (scripts/install-system-packages.sh installs it)")

    @property
    def address(self) -> str:
        return self.network.address(self.host)

    @property
    def url(self) -> str:
        """BACKPROP_STORE for the app machines; connect_timeout: a machine that is gone fails a click in
        3 s instead of the TCP timeout (the click then goes on in memory)."""
        return (f"postgresql://{APP_ROLE}:{self.password}@{self.address}:{PORT}/{DATABASE}"
                f"?connect_timeout=3")

    def admin(self, database: str = DATABASE):
        """A superuser connection through the Unix socket (autocommit)."""
        import psycopg

        return psycopg.connect(host=str(self.folder), port=PORT, user=SUPERUSER, dbname=database,
                               autocommit=True)

    def _as_postgres(self, program: str, *arguments: str) -> list[str]:
        owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return [*owner, os.path.join(self.programs, program), *arguments]

    def start(self) -> DatabaseHost:
        """Initialise (the first time), start inside the host, and create the app's role and database."""
        first = not self.data.exists()
        if first:
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres", "postgres")
            self._run(self._as_postgres("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-N"))
            (self.data / "pg_hba.conf").write_text(
                "# the superuser: only through the Unix socket in this server's folder\n"
                f"local all {SUPERUSER} trust\n"
                "# the app machines: their network, the app's role and database, a password\n"
                f"host {DATABASE} {APP_ROLE} {self.network.subnet} scram-sha-256\n")
        options = (f"-p {PORT} -k {self.folder} -c listen_addresses={self.address} "
                   "-c password_encryption=scram-sha-256 -c fsync=off "  # a test server: nothing to keep
                   f"{DEAD_CLIENT_SETTINGS}")
        self._run(self.network.command(self.host, self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")))
        if first:
            from psycopg import sql

            with self.admin("postgres") as admin:  # utility statements take no bound parameters: a literal
                admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
                    sql.Identifier(APP_ROLE), sql.Literal(self.password)))
                admin.execute(f"CREATE DATABASE {DATABASE} OWNER {APP_ROLE}")
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (fast: open transactions are rolled back, nothing committed is lost)."""
        subprocess.run(self.network.command(self.host, self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")), capture_output=True)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join((self.folder / "log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _run(self, command: list[str]) -> None:
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:6])}… failed: {(result.stderr or result.stdout).strip()[-400:]}"
                               f"\n{self.log_tail()}")
