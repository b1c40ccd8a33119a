"""Past one machine, on one machine: app hosts and a database host on a private test network, and a front nginx.

    .venv/bin/python -m deploy.topology                     # db, app-a, app-b; one replica per app host
    .venv/bin/python -m deploy.topology --hosts 1 --replicas 2

prints the front URL and each host's address, and stops everything on Ctrl+C (or SIGTERM).

The machines are network namespaces on a bridge (deploy/netns.py), the commands are what an operator
runs on real machines (deploy/README.md): in `db`, PostgreSQL on its network address with password
authentication (deploy/db_host.py); in `app-a` and `app-b`, `deploy/serve.py --host ADDRESS --store
postgresql://…@DB…`, which runs the host's replicas behind its own nginx; in the root namespace, a front
nginx with the same cookie affinity over the hosts (cookie `backprop_host`, header `X-Host`) where
a cloud load balancer or an ingress would be. `Topology` is the context manager the tests and
bench/multihost.py use; leaving it tears everything down, also when the block raised.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from deploy.db_host import DatabaseHost
from deploy.netns import Network, missing_prerequisites
from deploy.processes import REPO, ServeError
from deploy.proxy import NginxProxy, find_nginx
from runs.postgres_server import postgres_programs

HOST_COOKIE = "backprop_host"  # the front's route; each host's own nginx keeps backprop_route
HOST_HEADER = "X-Host"
APP_PORT = 8501  # every app host serves here, on every address of its namespace: its own on the test network
# A host whose link goes down sends nothing, not even a FIN: the front learns it only from the silence on
# each WebSocket. Streamlit pings every browser this often, so a live WebSocket is never quieter than
# that; the front gives up on one after STREAM_TIMEOUT (2.5 pings, so one ping late under load does not
# cut a live learner), and the browser reconnects elsewhere. Streamlit's default, 30 s, would leave
# learners on a dead host unanswered for over a minute.
PING_SECONDS = 10
STREAM_TIMEOUT = "25s"


def missing() -> list[str]:
    """What this machine lacks to run a topology (empty when nothing)."""
    found = missing_prerequisites()
    if find_nginx() is None:
        found.append("nginx (Debian package nginx)")
    if postgres_programs() is None:
        found.append("PostgreSQL (Debian package postgresql)")
    return found


class Topology:
    """A database host, `hosts` app hosts with `replicas` Streamlit processes each, and a front nginx."""

    def __init__(self, *, hosts: int = 2, replicas: int = 1, streamlit_args: tuple[str, ...] = (),
                 front_port: int | None = None) -> None:
        self.app_hosts = tuple(f"app-{chr(ord('a') + number)}" for number in range(hosts))
        self.replicas = replicas
        self.streamlit_args = tuple(streamlit_args)
        self.network = Network(("db", *self.app_hosts))
        self.database: DatabaseHost | None = None
        self.front: NginxProxy | None = None
        self._front_port = front_port
        self.logs = Path(tempfile.mkdtemp(prefix="backprop-topology-"))
        self.serving: dict[str, subprocess.Popen] = {}  # app host -> its serve.py

    # --- addresses -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The front nginx: where learners go."""
        return self.front.url

    def host_url(self, host: str) -> str:
        """One app host's own nginx, bypassing the front (a teacher pinned to a host, say)."""
        return f"http://{self.network.address(host)}:{APP_PORT}"

    def host_of(self, upstream: str) -> str:
        """The app host behind an X-Host value ("198.18.7.2:8501")."""
        address = upstream.rsplit(":", 1)[0]
        return next((host for host in self.app_hosts if self.network.address(host) == address), upstream)

    # --- starting and stopping ---------------------------------------------------------------------

    def start(self) -> Topology:
        try:
            self.network.create()
            self.database = DatabaseHost(self.network).start()
            for host in self.app_hosts:  # all start, then all are waited for: they boot in parallel
                self._serve(host)
            for host in self.app_hosts:
                self._wait_serving(host)
            upstreams = [f"{self.network.address(host)}:{APP_PORT}" for host in self.app_hosts]
            # max_fails=1 fail_timeout=10s: after one refused or timed-out connection a dead host is left out
            # for 10 s instead of being tried first by every request of its learners; a connection to an
            # unplugged host times out in 2 s (not nginx's 60), then proxy_next_upstream's default
            # (error timeout) retries the request on the next host.
            self.front = NginxProxy(upstreams, port=self._front_port, cookie=HOST_COOKIE, header=HOST_HEADER,
                                    server_options="max_fails=1 fail_timeout=10s", connect_timeout="2s",
                                    stream_timeout=STREAM_TIMEOUT).start()
        except BaseException:
            self.stop()
            raise
        return self

    def _serve(self, host: str) -> None:
        command = [sys.executable, "deploy/serve.py", "--replicas", str(self.replicas),
                   "--host", "0.0.0.0", "--port", str(APP_PORT), "--store", self.database.url]
        command += ["--", "--server.websocketPingInterval", str(PING_SECONDS), *self.streamlit_args]
        with open(self.logs / f"{host}.log", "ab") as log:
            self.serving[host] = subprocess.Popen(self.network.command(host, command), cwd=REPO, stdout=log,
                                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                  env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def _wait_serving(self, host: str, timeout: float = 300.0) -> None:
        """Until the host's nginx answers for a healthy replica (serve.py starts nginx after the warm-up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.serving[host].poll() is not None:
                raise ServeError(f"serve.py on {host} exited:\n{self.log_tail(host)}")
            try:
                with urllib.request.urlopen(self.host_url(host) + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise ServeError(f"{host} did not serve within {timeout:.0f} s:\n{self.log_tail(host)}")

    def log_tail(self, host: str, lines: int = 30) -> str:
        try:
            return "\n".join((self.logs / f"{host}.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Everything down and removed: front nginx, each host's serve.py (which stops its own), PostgreSQL,
        then whatever is still alive in a namespace, the namespaces and the bridge."""
        if self.front is not None:
            self.front.stop()
        for process in self.serving.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.serving.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                pass  # killed with its namespace below
        if self.database is not None:
            self.database.destroy()
        self.network.destroy()
        for process in self.serving.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        import shutil

        shutil.rmtree(self.logs, ignore_errors=True)

    def leftovers(self) -> list[str]:
        """What stop() should have removed and did not (checked by the tests)."""
        return self.network.leftovers()

    def __enter__(self) -> Topology:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- failures --------------------------------------------------------------------------------

    def kill_host(self, host: str) -> None:
        """The machine dies: SIGKILL to every process in it, then its link goes down."""
        self.network.kill(host)
        self.serving[host].wait()
        self.network.link_down(host)

    def unplug_host(self, host: str) -> None:
        """The machine's cable is pulled: its processes run on, but nothing reaches them or comes back."""
        self.network.link_down(host)

    def plug_host(self, host: str, timeout: float = 60.0) -> None:
        """The cable back in; returns once the front sends new browsers to the host again."""
        self.network.link_up(host)
        self._wait_serving(host, timeout=timeout)
        # The front left the host out after its last failed connection (fail_timeout): until it tries it
        # again, a new browser still lands elsewhere.
        deadline = time.monotonic() + timeout
        while self._front_picks() != host:
            if time.monotonic() > deadline:
                raise ServeError(f"the front sends no new browser to {host} {timeout:.0f} s after it came back")
            time.sleep(0.5)

    def _front_picks(self) -> str:
        """The host the front sends a new browser (no cookie) to; browsers spread over the hosts."""
        with urllib.request.urlopen(self.url + "/_stcore/health", timeout=10) as response:
            return self.host_of(response.headers.get(HOST_HEADER, "").split(",")[-1].strip())

    def crash_front(self) -> None:
        """The front nginx dies at once (SIGKILL to master and workers): every WebSocket through it drops."""
        self.front.kill()

    def restart_front(self) -> None:
        """The front nginx started again with the same configuration."""
        self.front.start()

    def stop_database(self) -> None:
        self.database.stop()

    def start_database(self) -> None:
        self.database.start()

    # --- measuring -------------------------------------------------------------------------------

    def cpu_seconds(self, *hosts: str) -> float:
        """CPU time used so far in these hosts (all app hosts by default): every live process's own, plus
        what its children that have ended used (PostgreSQL's backends come and go with the app's pool)."""
        total = 0.0
        for host in hosts or self.app_hosts:
            for pid in self.network.pids(host):
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue  # ended meanwhile
                total += sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=2, help="app hosts (default 2: app-a, app-b)")
    parser.add_argument("--replicas", type=int, default=1, help="Streamlit processes per app host (default 1)")
    parser.add_argument("--port", type=int, default=8501, help="the front nginx listens here, on 127.0.0.1")
    args = parser.parse_args()
    lacking = missing()
    if lacking:
        print("cannot run here: " + "; ".join(lacking), file=sys.stderr)
        return 1
    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with Topology(hosts=args.hosts, replicas=args.replicas, front_port=args.port) as topology:
        print(f"test network {topology.network.subnet}; database {topology.database.address}:5432")
        for host in topology.app_hosts:
            print(f"{host}: {topology.host_url(host)} ({args.replicas} replica(s))")
        print(f"front nginx {topology.url}; Ctrl+C stops and removes everything", flush=True)
        while not stop_requested:
            time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
