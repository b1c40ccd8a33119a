"""Shared by the browser tests and benchmarks: a real `streamlit run app.py` and Debian's chromium."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer at {url} within {timeout} s")


@contextmanager
def streamlit_app(port: int | None = None, extra_args=(), env=None):
    """Start the app on a free localhost port; yield (url, process); stop it afterwards."""
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", *extra_args]
    log = open(REPOSITORY / "test-output" / f"streamlit-{port}.log", "w") if (REPOSITORY / "test-output").is_dir() \
        else subprocess.DEVNULL
    # One BLAS thread, as `make run` serves it: small matrix products on busy cores otherwise spin.
    process = subprocess.Popen(command, cwd=REPOSITORY, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def chromium_path():
    return shutil.which("chromium")


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)


# Waits until Streamlit has finished the run and the browser has redrawn every element.
SETTLED = """() => {
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const stale = document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]');
  return !stale && !(running && running.innerText.includes('Running'));
}"""


def settle(page, timeout: float = 30_000) -> None:
    page.wait_for_timeout(150)
    page.wait_for_function(SETTLED, timeout=timeout)
    page.wait_for_timeout(150)
    page.wait_for_function(SETTLED, timeout=timeout)


def open_screen(page, link: str, heading: str | None = None) -> None:
    """Move to a screen through the sidebar navigation, which keeps the browser session."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=link).first.click()
    heading = heading or link
    page.wait_for_function(f"() => document.querySelector('h1') && "
                           f"document.querySelector('h1').innerText.includes({heading!r})", timeout=30_000)
    settle(page)
