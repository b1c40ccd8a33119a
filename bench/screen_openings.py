"""How long each screen takes to open on a warm server: the request to script_finished, per screen.

    .venv/bin/python -m bench.screen_openings [--rounds 3] [--browser]

Starts `streamlit run app.py` on a free port, warms the process (every screen opened once by a
throwaway learner, so imports, the dataset and per-process caches are loaded), then for each round
a fresh protocol-level learner (bench/learners.py) opens the first screen (a new session's first
screen) and every other screen in the navigation's order, timing each open: the server's work and
the messages to the learner, not the browser's drawing. Prints each screen's median over the rounds
and the first screen's; target (issue 24): none above 1 s once the process is warm.

--browser: the same rounds in headless Chromium instead, each in a fresh browser (no cache, as a
learner's first visit): the address typed until the first screen is drawn and settled, then each
screen from the sidebar's link until it is drawn and settled. This is what a learner waits for.
Each round is then repeated in a new tab of the same browser (a returning learner: a new session,
Streamlit's scripts already cached), printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.learners import Learner  # noqa: E402
from deploy.browser import SETTLED, launch_chromium  # noqa: E402
from deploy.processes import StreamlitProcess  # noqa: E402

TARGET_SECONDS = 1.0


async def one_round(url: str) -> dict[str, float]:
    """A fresh session: its first screen, then every screen the navigation lists, each open timed."""
    times = {}
    async with Learner(url, name="openings") as learner:
        times["(first screen of a session)"] = (await learner.open()).seconds
        names: dict[str, str] = {}  # page hash -> its url pathname (or its title, for the default page)
        for name, page_hash in learner.pages.items():
            if name:
                names.setdefault(page_hash, name)
        for screen in names.values():
            times[screen] = (await learner.open(page=screen)).seconds
        if learner.errors:
            print("errors:", learner.errors)
    return times


async def measure(url: str, rounds: int) -> dict[str, list[float]]:
    await one_round(url)  # warm-up: every screen once in this process
    figures: dict[str, list[float]] = {}
    for _ in range(rounds):
        for screen, seconds in (await one_round(url)).items():
            figures.setdefault(screen, []).append(seconds)
    return figures


# The main column drawn for `path` (the default page's is ""), with nothing left running or stale.
DRAWN = f"""path => location.pathname.replace(/^\\/+/, '') === path && document.querySelector('h1')
                   && ({SETTLED})()"""


def browser_round(context, url: str) -> dict[str, float]:
    """A new tab of `context`: the first screen from the address, then every screen from its sidebar link."""
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(DRAWN, arg="", timeout=60_000)
        times = {"(first screen of a session)": time.perf_counter() - started}
        links = page.locator('[data-testid="stSidebarNav"] a')
        paths = [href.split("/")[-1] for href in links.evaluate_all("links => links.map(a => a.href)")]
        for path in (path for path in paths if path):  # the default page ("") is the first screen, timed above
            started = time.perf_counter()
            links.nth(paths.index(path)).click()
            page.wait_for_function(DRAWN, arg=path, timeout=60_000)
            times[path] = time.perf_counter() - started
        return times
    finally:
        page.close()


def measure_in_browser(url: str, rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each screen's openings in a fresh browser, and in a second tab of it (its cache warm)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        viewport = {"viewport": {"width": 1024, "height": 700}}
        with browser.new_context(**viewport) as context:
            browser_round(context, url)  # warm-up: every screen once in this process
        fresh: dict[str, list[float]] = {}
        cached: dict[str, list[float]] = {}
        for _ in range(rounds):
            with browser.new_context(**viewport) as context:
                for figures in (fresh, cached):
                    for screen, seconds in browser_round(context, url).items():
                        figures.setdefault(screen, []).append(seconds)
        browser.close()
    return fresh, cached


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="time each opening in headless Chromium, drawn")
    args = parser.parse_args()
    with StreamlitProcess() as app:
        if args.browser:
            figures, cached = measure_in_browser(app.url, args.rounds)
        else:
            figures, cached = asyncio.run(measure(app.url, args.rounds)), {}
    slow = 0
    if cached:
        print(f"{'':34} {'fresh browser':>16} {'cached scripts':>16}   (medians of {args.rounds})")
    for screen, seconds in figures.items():
        median = statistics.median(seconds)
        slow += median > TARGET_SECONDS
        again = f" {statistics.median(cached[screen]) * 1000:13.0f} ms" if screen in cached else ""
        print(f"{screen:34} {median * 1000:13.0f} ms{again}{'  (above 1 s)' if median > TARGET_SECONDS else ''}")
    print(f"screens above {TARGET_SECONDS:.0f} s warm (fresh browser): {slow} of {len(figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
