"""The app's Streamlit process on a free localhost port, and what the deployment asks of any local process.

`StreamlitProcess` starts `streamlit run app.py`, waits for its health check and warms it up; the helpers
beside it find a free port, read a process's memory and CPU from /proc, show a log's tail and stop a
process. nginx is deploy/proxy.py's, the replicas together deploy/serve.py's.
"""

from __future__ import annotations

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


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (VmRSS in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise ServeError(f"no VmRSS for process {pid}")



def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 10.0) -> None:
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
                                 f"({self.process.returncode}):\n{log_tail(self.log)}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise ServeError(f"streamlit on port {self.port} not healthy after {timeout:.0f} s:\n"
                         f"{log_tail(self.log)}")

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
        raise ServeError(f"the app on port {self.port} did not finish a first run:\n{log_tail(self.log)}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def restart(self) -> None:
        """Start again on the same port (after it died), and wait until it serves."""
        if self.process is not None:
            stop_process(self.process)
        self.start()
        self.wait_healthy()
        self.warm_up()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
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
