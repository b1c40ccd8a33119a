"""A throwaway local PostgreSQL server (Debian's package) for tests and benchmarks: start, use, remove."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager


def postgres_programs() -> str | None:
    """The folder of Debian's PostgreSQL programs (initdb is not on PATH there), newest version; None if absent."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    found.sort(key=lambda path: int(path.split("/")[-3].split(".")[0]))
    return os.path.dirname(found[-1]) if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def temporary_server():
    """Yield the URL (no database) of a fresh server on a free port; stop it and delete its folder afterwards."""
    programs = postgres_programs()
    if programs is None:
        raise FileNotFoundError("PostgreSQL is not installed (scripts/install-system-packages.sh installs it)")
    # initdb refuses to run as root: run the server as the postgres user the package creates.
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = tempfile.mkdtemp(prefix="backprop-pg-")
    try:
        if as_owner:
            shutil.chown(folder, "postgres")
        data, port = os.path.join(folder, "data"), free_port()
        pg_ctl = [*as_owner, os.path.join(programs, "pg_ctl"), "-D", data]
        subprocess.run([*as_owner, os.path.join(programs, "initdb"), "-D", data, "-A", "trust", "-U", "lab", "-N"],
                       check=True, capture_output=True)
        subprocess.run([*pg_ctl, "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                        "-l", os.path.join(folder, "log"), "-w", "start"], check=True, capture_output=True)
        try:
            yield f"postgresql://lab@127.0.0.1:{port}"
        finally:
            subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server_url, name) -> str:
    """A new empty database on the server; returns its URL."""
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"
