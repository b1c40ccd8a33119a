"""What opening "Explain this number" costs: server CPU and time to the filled-in sum, in a real browser.

Starts `streamlit run app.py` (a SQLite store in a temporary folder), opens it in Debian's chromium,
steps 10 samples on Train, then on Forward pass and on Gradients clicks a bar 10 times each: the
explanation opens in its dialog; one dependency is opened (a level down); the dialog is closed.
For each it measures the server's CPU (net of the idle server's own upkeep, measured for 5 s with
the tab open) and, inside the page, the click → the dialog's heading shown. Target: opening answers
within 150 ms of server CPU. The figure that decides is the last line.

    python -m bench.explain_speed
"""

import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from deploy.browser import launch_chromium, open_screen, settle
from deploy.processes import StreamlitProcess, cpu_seconds

OPENINGS = 10
IDLE_SECONDS = 5

# Armed just before a click: resolves with the ms until the dialog's heading is shown and nothing is stale.
WATCH_DIALOG = """() => {
  const started = performance.now();
  window.explainShown = new Promise(resolve => {
    const check = () => {
      if (document.querySelector('[role="dialog"] h4') && !document.querySelector('[data-stale="true"]')) {
        observer.disconnect(); resolve(performance.now() - started);
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  });
}"""


def open_charts_screen(page, link: str) -> None:
    """Move to a screen with charts through the navigation, until the chart kit has drawn its bars."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=link).first.click()
    page.locator("svg.ck-svg rect.ck-bar").first.wait_for(state="attached", timeout=180_000)
    settle(page, 120_000)


def measured(process, idle_rate: float, action) -> float:
    """Server CPU (ms) that `action` costs, net of the idle upkeep over its duration."""
    started, before = time.perf_counter(), cpu_seconds(process.pid)
    action()
    return (cpu_seconds(process.pid) - before - idle_rate * (time.perf_counter() - started)) * 1000


def openings(page, process, idle_rate: float, chart: str, label: str) -> dict:
    """OPENINGS times: open bar i of the chart kit's chart `chart` (its key), one level down, close; server CPU of
    each and the in-page time."""
    figures = {"open": [], "down": [], "close": [], "shown_ms": []}
    for opening in range(OPENINGS):
        page.locator(f".st-key-{chart} svg.ck-svg").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        shown = []

        bars = page.locator(f".st-key-{chart} svg.ck-svg rect.ck-bar")
        heights = [(bars.nth(index).bounding_box() or {"height": 0})["height"] for index in range(bars.count())]
        tall = [index for index, height in enumerate(heights) if height > 3]  # a bar of about 0 has no area to click

        def open_one():
            page.evaluate(WATCH_DIALOG)
            bars.nth(tall[opening % len(tall)]).click(force=True)
            shown.append(page.evaluate("() => window.explainShown"))
            settle(page)

        def one_level_down():
            page.locator('[role="dialog"] [class*="st-key-explain_open_"] button').first.click()
            settle(page)

        def close():
            page.keyboard.press("Escape")
            page.wait_for_function("() => !document.querySelector('[role=\"dialog\"]')")
            settle(page)

        figures["open"].append(measured(process, idle_rate, open_one))
        figures["shown_ms"].append(shown[0])
        figures["down"].append(measured(process, idle_rate, one_level_down))
        figures["close"].append(measured(process, idle_rate, close))
    median = statistics.median
    print(f"{label}: server CPU to open, median {median(figures['open']):6.1f} ms, max {max(figures['open']):6.1f} ms; "
          f"one level down {median(figures['down']):6.1f} ms; closing {median(figures['close']):6.1f} ms; "
          f"click -> sum shown {median(figures['shown_ms']):5.0f} ms")
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = StreamlitProcess(env={"BACKPROP_STORE": str(Path(folder) / "runs.sqlite3")})
        with sync_playwright() as playwright:
            try:
                app.start().wait_healthy(60)
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(app.url + "?lang=en")
                page.wait_for_selector("h1")
                settle(page)
                open_screen(page, "Train")
                page.get_by_role("button", name="Step ×10", exact=True).click()
                settle(page)
                open_charts_screen(page, "Forward pass")
                idle_started, idle_cpu = time.perf_counter(), cpu_seconds(app.process.pid)
                time.sleep(IDLE_SECONDS)
                idle_rate = (cpu_seconds(app.process.pid) - idle_cpu) / (time.perf_counter() - idle_started)
                forward = openings(page, app.process, idle_rate, "forward_a2", "Forward pass, A2 bars")
                open_charts_screen(page, "Gradients")
                gradients = openings(page, app.process, idle_rate, "gradients_db2", "Gradients, db2 bars")
                browser.close()
            finally:
                app.stop()
    every = forward["open"] + gradients["open"]
    print(f"server CPU while idle: {idle_rate * 1000:.1f} ms per second (subtracted above)")
    print(f"opening an explanation: {statistics.median(every):.1f} ms of server CPU, median of {len(every)} "
          f"(max {max(every):.1f}; target < 150)")


if __name__ == "__main__":
    main()
