"""How long Compare takes to open with a built set of runs until its plane's charts are drawn, in a fresh browser.

    .venv/bin/python -m bench.compare_opening [--rounds 5] [--old [REV]]

Starts `streamlit run app.py` (run store in a temporary folder), builds the three gradient rules on
Compare in one tab and steps them 100 times (the PCA plane needs paths that moved), then, each round
in a new browser context (an empty cache: a learner's first visit), opens the set's link
(compare?compare=…) and times the address typed until the run is over and the shared plane's map and
path charts are drawn (plotly's .js-plotly-plot traces before issue 24's change, the Loss surface
component's canvases after it). Prints the median and range over the rounds.

--old measures the app at REV (default: main; a `git archive` export, its catalogs compiled) first,
then this checkout, each on a server of its own, and prints both.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.ui_latency import OPEN_TIMEOUT_MS, export
from deploy.browser import SETTLED, launch_chromium, open_screen, settle
from deploy.processes import REPO, StreamlitProcess

LAPTOP = {"width": 1024, "height": 700}

# The plane's map and its path charts drawn: two plotly charts with traces, or the component's views.
PLANE_DRAWN = f"""() => {{
  const plotly = [...document.querySelectorAll('.js-plotly-plot')].filter((p) => p.querySelector('g.trace'));
  const drawn = window.__surfaceCharts || {{}};
  return (plotly.length >= 2 || ((drawn.runs_map || 0) >= 1 && (drawn.lines || 0) >= 2)) && ({SETTLED})();
}}"""


def built_set(browser, url: str) -> str:
    """Compare's three rules built and stepped 100 times in one tab: the set's ?compare= value."""
    page = browser.new_page(viewport=LAPTOP)
    page.goto(url)
    page.wait_for_selector("h1")
    settle(page)
    open_screen(page, "Compare", timeout=OPEN_TIMEOUT_MS)
    page.get_by_role("button", name="Compare the three rules").click()
    page.get_by_role("button", name="Step ×100").click(timeout=OPEN_TIMEOUT_MS)
    page.wait_for_function("() => location.search.includes('compare=')", timeout=OPEN_TIMEOUT_MS)
    page.get_by_text("3 runs at step 100 ·").wait_for(timeout=OPEN_TIMEOUT_MS)
    settle(page)
    link = page.evaluate("() => location.search")
    page.close()
    return link


def measure(rounds: int, app_folder: Path = REPO) -> list[float]:
    """One fresh server: the seconds each round's fresh browser context took to open the set drawn."""
    env = {"MNIST_CACHE": os.environ.get("MNIST_CACHE") or str(REPO / ".cache" / "mnist")}
    seconds = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        app = StreamlitProcess(env={**env, "BACKPROP_STORE": str(Path(folder) / "runs.sqlite3")}, cwd=app_folder)
        try:
            app.start().wait_healthy(60)
            browser = launch_chromium(playwright)
            query = built_set(browser, app.url)
            for count in range(rounds + 1):  # the first round warms the server's caches (the plane, MNIST)
                with browser.new_context(viewport=LAPTOP) as context:
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(f"{app.url}/compare{query}")
                    page.wait_for_function(PLANE_DRAWN, timeout=OPEN_TIMEOUT_MS, polling=50)
                    if count:
                        seconds.append(time.perf_counter() - started)
            browser.close()
        finally:
            app.stop()
    return seconds


def report(name: str, seconds: list[float]) -> None:
    print(f"{name}: open Compare with a built set until its plane is drawn, median {statistics.median(seconds):.2f} s "
          f"(range {min(seconds):.2f}–{max(seconds):.2f} s, {len(seconds)} fresh browser contexts)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--old", nargs="?", const="main", metavar="REV",
                        help="measure the app at REV (default: main) first, then this checkout")
    args = parser.parse_args()
    if args.old is not None:
        with tempfile.TemporaryDirectory() as folder:
            old = measure(args.rounds, export(args.old, Path(folder)))
        report(f"the app at {args.old}", old)
    report("this checkout", measure(args.rounds))


if __name__ == "__main__":
    main()
