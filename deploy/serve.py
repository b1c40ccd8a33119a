"""Serve Backprop Lab from several Streamlit processes behind nginx, with sticky sessions.

    .venv/bin/python deploy/serve.py --replicas 2 --port 8501

starts `streamlit run app.py` on free localhost ports, waits until each answers
/_stcore/health, then runs nginx in the foreground on --port with a configuration generated from
deploy/nginx.conf.template into a temporary folder (pid, logs and temp files inside it; the folder
is removed on exit). Ctrl+C (or SIGTERM) stops everything. It supervises: a replica (or nginx) that
dies is started again on its port while the others keep serving.

The runs live in one shared store, so a learner whose replica died continues the run on another:
`--store postgresql://…` (or BACKPROP_STORE) names it; otherwise, with more than one replica, a local
PostgreSQL is started in a data folder that survives restarts (--postgres-dir, .cache/postgres/ by
default); one replica alone keeps the app's SQLite default.

One Streamlit process runs every session's reruns under one GIL, so the CPU a click costs decides
how many learners it holds (RECIPES.md); replicas add cores, and two a core (the default) shorten
the wait for the GIL. The same classes serve the tests and
the benchmark: `StreamlitProcess` (one app process, deploy/processes.py), `NginxProxy` (deploy/proxy.py)
and `Cluster` (both together, here).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # run as `python deploy/serve.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy.processes import HOST, REPO, ServeError, StreamlitProcess  # noqa: E402
from deploy.proxy import NginxProxy  # noqa: E402


class Cluster:
    """N Streamlit replicas and nginx in front of them; `url` is the proxy."""

    def __init__(self, app: str = "app.py", *, replicas: int = 2, port: int | None = None,
                 host: str = HOST, streamlit_args: tuple[str, ...] = (),
                 shutdown_timeout: str = "10s", store: str | None = None) -> None:
        self.log_dir = Path(tempfile.mkdtemp(prefix="backprop-replicas-"))
        self.store = store  # BACKPROP_STORE for every replica (None: what the environment says)
        env = {} if store is None else {"BACKPROP_STORE": store}
        self.replicas = [StreamlitProcess(app, extra_args=streamlit_args, log_dir=self.log_dir, env=env)
                         for _ in range(replicas)]
        self._proxy_options = {"port": port, "host": host, "shutdown_timeout": shutdown_timeout}
        self.proxy: NginxProxy | None = None

    @property
    def url(self) -> str:
        return self.proxy.url

    def rss_bytes(self) -> int:
        return sum(replica.rss_bytes() for replica in self.replicas)

    def cpu_seconds(self) -> float:
        return sum(replica.cpu_seconds() for replica in self.replicas)

    def start(self) -> Cluster:
        try:
            for replica in self.replicas:  # start all, then wait: they boot in parallel
                replica.start()
            for replica in self.replicas:
                replica.wait_healthy()
                replica.warm_up()
            self.proxy = NginxProxy([r.port for r in self.replicas], **self._proxy_options).start()
        except BaseException:
            self.stop()
            raise
        return self

    def dead(self) -> list[str]:
        """Processes that have exited."""
        gone = [f"streamlit :{r.port}" for r in self.replicas if r.process.poll() is not None]
        if self.proxy and self.proxy.process.poll() is not None:
            gone.append("nginx")
        return gone

    def revive(self) -> list[str]:
        """Start again whatever has exited, one at a time, while the rest keep serving; what was restarted."""
        restarted = []
        for replica in self.replicas:
            if not replica.alive():
                replica.restart()
                restarted.append(f"streamlit :{replica.port}")
        if self.proxy is not None and self.proxy.process.poll() is not None:
            self.proxy.stop()
            self.proxy = NginxProxy([r.port for r in self.replicas], **{
                **self._proxy_options, "port": self.proxy.port}).start()
            restarted.append("nginx")
        return restarted

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        for replica in self.replicas:
            replica.stop()
        shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def shared_store(requested: str | None, replicas: int, postgres_dir: Path):
    """(BACKPROP_STORE for the replicas or None for the app's default, the LocalServer started or None)."""
    requested = requested or os.environ.get("BACKPROP_STORE")
    if requested or replicas <= 1:
        return requested, None
    from runs.postgres_server import LocalServer, postgres_programs

    if postgres_programs() is None:
        raise ServeError("more than one replica needs a shared store: install Debian's postgresql package "
                         "(scripts/install-system-packages.sh) or pass --store postgresql://…")
    server = LocalServer(postgres_dir)
    try:
        return server.start(), server
    except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
        raise ServeError(f"the local PostgreSQL in {postgres_dir} did not start: {error}") from error


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Run N Streamlit replicas of the app behind nginx with cookie affinity and one shared run store.",
        epilog="Arguments after -- go to every `streamlit run` (e.g. -- --server.disconnectedSessionTTL 60).")
    # Two a core: one process runs its sessions' reruns under one GIL, and a click waiting for it waits
    # longer than for the OS's share of a core (60 learners on 2 cores, p95: 658 ms with 2, 434 with 4).
    parser.add_argument("--replicas", type=int, default=2 * (os.cpu_count() or 1),
                        help="Streamlit processes (default: two per core)")
    parser.add_argument("--port", type=int, default=8501, help="nginx listens here (default 8501)")
    parser.add_argument("--host", default=HOST,
                        help="nginx binds here (default 127.0.0.1; 0.0.0.0 for a classroom LAN)")
    parser.add_argument("--app", default="app.py", help="entry script, relative to the repository")
    parser.add_argument("--store", help="the run store every replica uses, e.g. postgresql://user@host:5432/backprop "
                                        "(default: BACKPROP_STORE, else a local PostgreSQL for several replicas)")
    parser.add_argument("--postgres-dir", type=Path, default=REPO / ".cache" / "postgres",
                        help="data folder of the local PostgreSQL (default .cache/postgres/; kept across restarts)")
    parser.add_argument("streamlit_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    extra = tuple(a for a in args.streamlit_args if a != "--")

    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    cluster, server = None, None
    try:
        store, server = shared_store(args.store, args.replicas, args.postgres_dir)
        if server is not None:
            print(f"run store: local PostgreSQL on port {server.port}, data in {server.data}")
        elif store:
            print("run store: BACKPROP_STORE as given")
        else:
            print("run store: the app's SQLite default (one replica)")
        cluster = Cluster(args.app, replicas=args.replicas, port=args.port, host=args.host,
                          streamlit_args=extra, store=store)
        cluster.start()
        for replica in cluster.replicas:
            print(f"replica {replica.url} (pid {replica.pid})")
        print(f"nginx {cluster.url} -> {len(cluster.replicas)} replicas; Ctrl+C stops", flush=True)
        while not stop_requested:
            gone = cluster.dead()
            if gone:
                print(f"restarting: {', '.join(gone)} exited; the others keep serving", file=sys.stderr, flush=True)
                try:
                    cluster.revive()
                except ServeError as error:  # try again on the next round
                    print(error, file=sys.stderr, flush=True)
            time.sleep(0.5)
        return 0
    except ServeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        if cluster is not None:
            cluster.stop()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
