"""Local PostgreSQL servers (Debian's package): a throwaway one for tests and benchmarks, and a lasting
one in a data folder of its own that deploy/serve.py starts for its replicas.

initdb refuses to run as root, so as root every server program runs as the `postgres` system user the
package creates (through runuser), in a folder that user owns.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

USER = "lab"  # the database superuser initdb creates; local connections are trusted (127.0.0.1 and the socket)


def postgres_programs() -> str | None:
    """The folder of Debian's PostgreSQL programs (initdb is not on PATH there), newest version; None if absent."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    found.sort(key=lambda path: int(path.split("/")[-3].split(".")[0]))
    return os.path.dirname(found[-1]) if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_owner() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _programs() -> str:
    programs = postgres_programs()
    if programs is None:
        raise FileNotFoundError("PostgreSQL is not installed (scripts/install-system-packages.sh installs it)")
    return programs


def _own(folder) -> None:
    if _as_owner():
        shutil.chown(folder, "postgres", "postgres")


def _initdb(data) -> None:
    """A new cluster in `data`; its parent folders must let the postgres user through."""
    result = subprocess.run([*_as_owner(), os.path.join(_programs(), "initdb"), "-D", str(data), "-A", "trust",
                             "-U", USER, "-N"], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed in {data}: {result.stderr.strip()[-300:]}")


def _start(folder, data, port, options="") -> None:
    command = [*_as_owner(), os.path.join(_programs(), "pg_ctl"), "-D", str(data),
               "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 {options}".strip(),
               "-l", os.path.join(folder, "log"), "-w", "start"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"PostgreSQL did not start in {folder}: {result.stderr.strip() or result.stdout.strip()}")


def _stop(data, mode) -> None:
    subprocess.run([*_as_owner(), os.path.join(_programs(), "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"],
                   capture_output=True)


@contextmanager
def temporary_server():
    """Yield the URL (no database) of a fresh server on a free port; stop it and delete its folder afterwards."""
    _programs()
    folder = tempfile.mkdtemp(prefix="backprop-pg-")
    try:
        _own(folder)
        data, port = os.path.join(folder, "data"), free_port()
        _initdb(data)
        _start(folder, data, port, "-c fsync=off")  # thrown away afterwards: nothing to make durable
        try:
            yield f"postgresql://{USER}@127.0.0.1:{port}"
        finally:
            _stop(data, "immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server_url, name) -> str:
    """A new empty database on the server; returns its URL."""
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


class LocalServer:
    """A lasting server in `folder` (its data survives restarts): initialised on first use, started, stopped.

    A server left running by an earlier start (say the supervisor was killed) is reused as it is.
    """

    DATABASE = "backprop"

    def __init__(self, folder, port=None):
        self.folder = Path(folder).resolve()
        self.data = self.folder / "data"
        self.port = port
        self.started_here = False

    def running_port(self) -> int | None:
        """The port of a server already running on this data folder (postmaster.pid's fourth line), if any."""
        status = subprocess.run([*_as_owner(), os.path.join(_programs(), "pg_ctl"), "-D", str(self.data), "status"],
                                capture_output=True)
        if status.returncode != 0:
            return None
        return int((self.data / "postmaster.pid").read_text().splitlines()[3])

    def start(self) -> str:
        """The URL of the app's database on this server, started (and initialised) if needed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        _own(self.folder)
        if not (self.data / "PG_VERSION").exists():
            _initdb(self.data)
        port = self.running_port()
        if port is None:
            port = self.port or free_port()
            _start(self.folder, self.data, port)
            self.started_here = True
        self.port = port
        server = f"postgresql://{USER}@127.0.0.1:{port}"
        self._ensure_database(server)
        return f"{server}/{self.DATABASE}"

    def _ensure_database(self, server) -> None:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.DATABASE,)).fetchone() is None:
                admin.execute(f'CREATE DATABASE "{self.DATABASE}"')

    def stop(self) -> None:
        """Stop the server if this object started it (a clean shutdown: nothing committed is lost)."""
        if self.started_here:
            _stop(self.data, "fast")
            self.started_here = False
