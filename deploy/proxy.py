"""nginx in front of the replicas: its configuration rendered from deploy/nginx.conf.template, and the process.

Cookie affinity keeps each session on its replica (ROUTE_COOKIE, naming the replica a new browser was
given: the one with the fewest connections), and every answer names the replica that gave it (REPLICA_HEADER). Starting the replicas is deploy/processes.py's; the two together deploy/serve.py's.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from deploy.netns import alive
from deploy.processes import HOST, ServeError, free_port, log_tail, stop_process

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
ROUTE_COOKIE = "backprop_route"
REPLICA_HEADER = "X-Replica"


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



def render_config(upstreams: list[int | str], listen: str, shutdown_timeout: str = "10s", *,
                  cookie: str = ROUTE_COOKIE, header: str = REPLICA_HEADER, server_options: str = "max_fails=0",
                  connect_timeout: str = "60s", stream_timeout: str = "86400s") -> str:
    """nginx.conf for these upstreams (a replica's port on this machine, or "address:port"), from the template.

    The defaults serve one machine's replicas; deploy/topology.py puts a second proxy in front of several
    machines with its own cookie and header, and a short connect timeout so a dead machine is skipped.
    """
    # max_fails=0: one failed request must not move every session of a replica elsewhere for
    # fail_timeout; nginx still retries that one request on the next replica.
    addresses = [f"{HOST}:{upstream}" if isinstance(upstream, int) else upstream for upstream in upstreams]
    names = [f"r{number}" for number in range(len(addresses))]
    servers = "\n".join(f"        server {address} {server_options};" for address in addresses)
    routes = "\n".join(_route_upstream(name, address, addresses) for name, address in zip(names, addresses))
    fields = {"@LISTEN@": listen, "@SERVERS@": servers, "@ROUTES@": routes,
              "@ROUTE_UPSTREAMS@": "\n".join(f"        {name} route_{name};" for name in names),
              "@ROUTE_NAMES@": "\n".join(f'        "~(^|, ){re.escape(address)}$" {name};'
                                          for name, address in zip(names, addresses)),
              "@COOKIE@": cookie, "@HEADER@": header,
              "@SHUTDOWN_TIMEOUT@": shutdown_timeout, "@CONNECT_TIMEOUT@": connect_timeout,
              "@STREAM_TIMEOUT@": stream_timeout}
    text = TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace(name, value)
    return text


def _route_upstream(name: str, address: str, addresses: list[str]) -> str:
    """A route's upstream: its replica, then the others as backups (a browser whose replica is gone goes on)."""
    backups = "".join(f"        server {other} max_fails=0 backup;\n" for other in addresses if other != address)
    return (f"    upstream route_{name} {{\n        server {address} max_fails=0;\n{backups}"
            f"        keepalive 16;\n    }}")



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
                raise ServeError(f"nginx exited ({self.process.returncode}):\n{log_tail(self.error_log)}")
            with socket.socket() as probe:
                if probe.connect_ex((HOST, self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise ServeError(f"nginx not listening on {self.port}:\n{log_tail(self.error_log)}")

    def reload(self) -> None:
        """Re-read the config (SIGHUP): old workers close their WebSockets after the timeout."""
        self.process.send_signal(signal.SIGHUP)

    def kill(self) -> None:
        """The proxy crashes: SIGKILL to its master and its workers, which would otherwise serve on alone."""
        pids = [self.process.pid, *children(self.process.pid)]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in pids[1:]) and time.monotonic() < deadline:
            time.sleep(0.05)  # orphaned workers are reaped by init; their listening socket goes with them

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, signal.SIGQUIT)
        shutil.rmtree(self.folder, ignore_errors=True)


def children(pid: int) -> list[int]:
    """The direct children of a process (nginx's workers of its master)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
