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
how many learners it holds (RECIPES.md); replicas add cores. The same classes serve the tests and
the benchmark: `StreamlitProcess` (one app process), `NginxProxy` and `Cluster` (both together).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
ROUTE_COOKIE = "backprop_route"
REPLICA_HEADER = "X-Replica"
HOST = "127.0.0.1"

# Settings for serving rather than developing (command-line flags win over
# .streamlit/config.toml): no file watching, no rerun on save.
STREAMLIT_FLAGS = (
    "--server.headless", "true",
    "--server.fileWatcherType", "none",
    "--server.runOnSave", "false",
    "--browser.gatherUsageStats", "false",
)


class ServeError(RuntimeError):
    """A process did not start or stopped unexpectedly; the message carries its log's tail."""


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def find_nginx() -> str | None:
    """nginx from $NGINX, PATH, or the sbin folder beside a PATH bin folder (Debian's home)."""
    if os.environ.get("NGINX"):
        return os.environ["NGINX"]
    found = shutil.which("nginx")
    if found:
        return found
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if Path(folder).name == "bin":
            candidate = Path(folder).with_name("sbin") / "nginx"
            if os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (VmRSS in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise ServeError(f"no VmRSS for process {pid}")


def render_config(upstreams: list[int | str], listen: str, shutdown_timeout: str = "10s", *,
                  cookie: str = ROUTE_COOKIE, header: str = REPLICA_HEADER, server_options: str = "max_fails=0",
                  connect_timeout: str = "60s", stream_timeout: str = "86400s") -> str:
    """nginx.conf for these upstreams (a replica's port on this machine, or "address:port"), from the template.

    The defaults serve one machine's replicas; deploy/topology.py puts a second proxy in front of several
    machines with its own cookie and header, and a short connect timeout so a dead machine is skipped.
    """
    # max_fails=0: one failed request must not move every session of a replica elsewhere for
    # fail_timeout; nginx still retries that one request on the next replica.
    servers = "\n".join(f"        server {HOST if isinstance(upstream, int) else ''}"
                        f"{':' if isinstance(upstream, int) else ''}{upstream} {server_options};"
                        for upstream in upstreams)
    fields = {"@LISTEN@": listen, "@SERVERS@": servers, "@COOKIE@": cookie, "@HEADER@": header,
              "@SHUTDOWN_TIMEOUT@": shutdown_timeout, "@CONNECT_TIMEOUT@": connect_timeout,
              "@STREAM_TIMEOUT@": stream_timeout}
    text = TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace(name, value)
    return text


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 10.0) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class StreamlitProcess:
    """One `streamlit run APP` on a free localhost port, started in the repository folder."""

    def __init__(self, app: str = "app.py", *, port: int | None = None,
                 extra_args: tuple[str, ...] = (), log_dir: Path | None = None,
                 env: dict[str, str] | None = None, cwd: Path = REPO) -> None:
        self.app = app
        self.cwd = Path(cwd)  # another checkout of the app (a benchmark's "before"), else this one
        self.env = dict(env or {})  # added to this process's environment (BACKPROP_STORE, say)
        self.port = port or free_port()
        self.extra_args = tuple(extra_args)
        self.url = f"http://{HOST}:{self.port}"
        self._own_log_dir = log_dir is None
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="backprop-streamlit-"))
        self.log = self.log_dir / f"streamlit-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_bytes(self) -> int:
        return rss_bytes(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def start(self) -> StreamlitProcess:
        command = [sys.executable, "-m", "streamlit", "run", self.app,
                   "--server.address", HOST, "--server.port", str(self.port),
                   *STREAMLIT_FLAGS, *self.extra_args]
        # One BLAS thread per process (as `make run`): the sessions and the replicas already keep
        # the cores busy, and a second BLAS thread per matrix product only contends with them.
        env = {"OPENBLAS_NUM_THREADS": "1", **os.environ, **self.env}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=self.cwd, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        return self

    def wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServeError(f"streamlit on port {self.port} exited "
                                 f"({self.process.returncode}):\n{_tail(self.log)}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise ServeError(f"streamlit on port {self.port} not healthy after {timeout:.0f} s:\n"
                         f"{_tail(self.log)}")

    def warm_up(self, timeout: float = 120.0) -> None:
        """Run the app's default page once in a throwaway session, then leave.

        It loads the imports and the dataset before the first learner arrives, so the first
        click of a class does not wait for them. (The first visitor's first form is kept without
        it: ui/shell.py.)
        """
        from websockets.sync.client import connect

        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        request = BackMsg()
        request.rerun_script.query_string = ""
        ws_url = f"ws://{HOST}:{self.port}/_stcore/stream"
        with connect(ws_url, subprotocols=["streamlit"], max_size=None,
                     open_timeout=timeout) as socket_:
            socket_.send(request.SerializeToString())
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                message = ForwardMsg()
                message.ParseFromString(socket_.recv(timeout=deadline - time.monotonic()))
                if (message.WhichOneof("type") == "script_finished"
                        and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN):
                    return
        raise ServeError(f"the app on port {self.port} did not finish a first run:\n{_tail(self.log)}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def restart(self) -> None:
        """Start again on the same port (after it died), and wait until it serves."""
        if self.process is not None:
            _stop(self.process)
        self.start()
        self.wait_healthy()
        self.warm_up()

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
        if self._own_log_dir:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self) -> StreamlitProcess:
        self.start()
        try:
            self.wait_healthy()
            self.warm_up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class NginxProxy:
    """nginx in the foreground with a config rendered from nginx.conf.template into a temp folder."""

    def __init__(self, upstream_ports: list[int | str], *, port: int | None = None, host: str = HOST,
                 shutdown_timeout: str = "10s", **config: str) -> None:
        self.binary = find_nginx()
        if self.binary is None:
            raise ServeError("nginx not found (install Debian's nginx package, or set NGINX)")
        self.port = port or free_port()
        self.url = f"http://{HOST if host in ('0.0.0.0', '') else host}:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="backprop-nginx-"))
        # As root, nginx's workers run as an unprivileged user and need to enter the folder.
        self.folder.chmod(0o755)
        self.config = self.folder / "nginx.conf"
        self.error_log = self.folder / "error.log"
        self.config.write_text(render_config(upstream_ports, f"{host}:{self.port}", shutdown_timeout,
                                               **config))
        self.process: subprocess.Popen | None = None

    def _command(self, *extra: str) -> list[str]:
        return [self.binary, "-p", f"{self.folder}/", "-c", str(self.config),
                "-e", str(self.error_log), *extra]

    def start(self) -> NginxProxy:
        check = subprocess.run(self._command("-t", "-q"), capture_output=True, text=True)
        if check.returncode != 0:
            raise ServeError(f"nginx rejected {self.config}:\n{check.stderr}")
        self.process = subprocess.Popen(self._command("-g", "daemon off;"), stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServeError(f"nginx exited ({self.process.returncode}):\n{_tail(self.error_log)}")
            with socket.socket() as probe:
                if probe.connect_ex((HOST, self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise ServeError(f"nginx not listening on {self.port}:\n{_tail(self.error_log)}")

    def reload(self) -> None:
        """Re-read the config (SIGHUP): old workers close their WebSockets after the timeout."""
        self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, signal.SIGQUIT)
        shutil.rmtree(self.folder, ignore_errors=True)


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
    if str(REPO) not in sys.path:  # run as `python deploy/serve.py`: the repository's packages
        sys.path.insert(0, str(REPO))
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
    parser.add_argument("--replicas", type=int, default=2, help="Streamlit processes (default 2)")
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
