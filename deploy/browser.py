"""The app served for real and Debian's chromium to drive it: used by the browser tests and the benchmarks."""

import shutil
from contextlib import contextmanager
from pathlib import Path

from deploy.processes import StreamlitProcess

REPOSITORY = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def streamlit_app(port: int | None = None, extra_args=()):
    """The app as served (deploy/processes.py's StreamlitProcess) on a free localhost port: (url, process).

    No warm-up run: a test may need to be the server's very first visitor.
    """
    logs = REPOSITORY / "test-output"
    app = StreamlitProcess(port=port, extra_args=tuple(extra_args), log_dir=logs if logs.is_dir() else None)
    try:
        app.start().wait_healthy(60)
        yield app.url, app.process
    finally:
        app.stop()


def chromium_path():
    return shutil.which("chromium")


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)


# Waits until Streamlit has finished the run and the browser has redrawn every element (a chart kit's chart
# holds a .ck-pending mark until its script has drawn it: ui/chart_kit.py).
SETTLED = """() => {
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const stale = document.querySelector('[data-stale="true"], [data-testid="stSkeleton"], .ck-pending');
  return !stale && !(running && running.innerText.includes('Running'));
}"""


def settle(page, timeout: float = 30_000) -> None:
    page.wait_for_timeout(150)
    page.wait_for_function(SETTLED, timeout=timeout)
    page.wait_for_timeout(150)
    page.wait_for_function(SETTLED, timeout=timeout)


def open_screen(page, link: str, heading: str | None = None, timeout: float = 30_000) -> None:
    """Move to a screen through the sidebar navigation, which keeps the browser session."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=link).first.click()
    heading = heading or link
    page.wait_for_function(f"() => document.querySelector('h1') && "
                           f"document.querySelector('h1').innerText.includes({heading!r})", timeout=timeout)
    settle(page, timeout)
