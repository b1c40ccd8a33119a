"""deploy/serve.py as an operator runs it: two replicas on a local PostgreSQL it starts itself, a replica
that dies is restarted while nginx keeps serving, and the database's folder outlives the command."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.processes import REPO, free_port
from deploy.proxy import find_nginx
from core.training.settings import Settings
from runs.postgres_server import LocalServer, postgres_programs
from runs.store import RunStore


def require_programs():
    missing = [name for name, found in (("nginx", find_nginx()), ("postgresql", postgres_programs())) if not found]
    if missing:
        reason = f"{', '.join(missing)} not installed (`make test` installs the Debian packages)"
        if os.environ.get("CI"):
            pytest.fail(f"under CI: {reason}")
        pytest.skip(reason)


def read_until(process, pattern, timeout=240.0) -> list[str]:
    """serve.py's output lines up to the first that matches `pattern`."""
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            pytest.fail("serve.py exited early:\n" + "".join(lines) + process.stderr.read())
        lines.append(line)
        if re.search(pattern, line):
            return lines
    pytest.fail("serve.py did not print " + pattern + ":\n" + "".join(lines))


def healthy(url) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def open_folder():
    """A temporary folder the postgres system user can get through (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="backprop-serve-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_serve_restarts_a_dead_replica_on_a_local_postgresql_that_outlives_it(open_folder):
    require_programs()
    folder, port = open_folder / "postgres", free_port()
    serve = subprocess.Popen([sys.executable, "deploy/serve.py", "--replicas", "2", "--port", str(port),
                              "--postgres-dir", str(folder)], cwd=REPO, text=True,
                             env={k: v for k, v in os.environ.items() if k != "BACKPROP_STORE"},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = read_until(serve, r"^nginx ")
        database_port = int(re.search(r"local PostgreSQL on port (\d+)", "".join(lines)).group(1))
        replicas = re.findall(r"replica (http://\S+) \(pid (\d+)\)", "".join(lines))
        assert len(replicas) == 2
        store = RunStore(f"postgresql://lab@127.0.0.1:{database_port}/backprop")
        run = store.create_run(Settings())
        store.close()

        dead_url, dead_pid = replicas[0]
        os.kill(int(dead_pid), signal.SIGKILL)
        while healthy(dead_url):  # until it is gone
            time.sleep(0.1)
        deadline = time.monotonic() + 120
        while not healthy(dead_url):
            assert healthy(f"http://127.0.0.1:{port}"), "nginx stopped serving while a replica was down"
            assert serve.poll() is None, "serve.py stopped because one replica died"
            assert time.monotonic() < deadline, "the dead replica was not restarted"
            time.sleep(0.5)
        assert healthy(replicas[1][0])

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(60) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    server = LocalServer(folder)
    assert server.running_port() is None  # serve.py stopped the server it started
    try:
        store = RunStore(server.start())
        assert store.run_info(run).id == run  # the run outlived serve.py and its database server
        store.close()
    finally:
        server.stop()
