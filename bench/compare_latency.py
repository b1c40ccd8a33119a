"""How fast the Compare screen answers a Step click with three runs in lockstep, in a real browser.

Starts `streamlit run app.py` (run store in a temporary folder), opens Compare in Debian's chromium,
builds the three gradient rules and, over 20 Step clicks, times inside the page the click → the new
position line ("3 runs at step N ·"), and the click → every element redrawn (no element left stale,
then two animation frames so charts have painted), as bench/ui_latency.py's measure_click does on
Train. Also the server's CPU per click, all and net of the idle server's upkeep (5 s just before).
Issue 24's target for a click that redraws a lot: redraw ≤ 100 ms median.

    python -m bench.compare_latency [--old [REV]] [--phone]

--old measures twice in one run: the app at REV (default: main; a `git archive` export in a temporary
folder, its catalogs compiled, the same MNIST cache), then this checkout, and prints both and the ratios.
--phone measures at 390x844 instead of 1024x700.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.ui_latency import OPEN_TIMEOUT_MS, export, measure_click
from deploy.browser import launch_chromium, open_screen, settle
from deploy.processes import REPO, StreamlitProcess, cpu_seconds

CLICKS = 20
WARM_UP = 3
IDLE_SECONDS = 5
LAPTOP, PHONE = {"width": 1024, "height": 700}, {"width": 390, "height": 844}

# The click, then the position line "3 runs at step N ·", then nothing stale and two frames painted.
MEASURE_CLICK = measure_click("(h, label, expected) => h.innerText.includes(expected)")


# What the Compare panel (static/compare_panel.js) says of its last blob: its drawing time and size.
PANEL_DRAWN = "() => [(window.__comparePanel || {}).renderMs ?? null, (window.__comparePanel || {}).bytes ?? null]"


def position(step: int) -> str:
    return f"3 runs at step {step:,} ·"


def measure(app_folder: Path = REPO, viewport: dict = LAPTOP) -> dict:
    """One fresh server and one tab on Compare with the three rules: the figures of CLICKS Step clicks."""
    env = {"MNIST_CACHE": os.environ.get("MNIST_CACHE") or str(REPO / ".cache" / "mnist")}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        app = StreamlitProcess(env={**env, "BACKPROP_STORE": str(Path(folder) / "runs.sqlite3")}, cwd=app_folder)
        try:
            app.start().wait_healthy(60)
            pid = app.pid
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport=viewport)
            page.goto(app.url)
            page.wait_for_selector("h1")
            settle(page)
            page.wait_for_timeout(2000)  # past the server's first run, in Streamlit's legacy multipage mode
            if viewport == PHONE:  # the sidebar is folded away on a phone: the screen's own address opens it
                page.goto(f"{app.url}/compare")
                page.wait_for_selector("h1")
                settle(page)
            else:
                open_screen(page, "Compare", timeout=OPEN_TIMEOUT_MS)
            page.get_by_role("button", name="Compare the three rules").click()
            page.get_by_role("button", name="Step ×100").wait_for(timeout=OPEN_TIMEOUT_MS)
            settle(page)
            for click in range(WARM_UP):
                page.evaluate(MEASURE_CLICK, ["Step", position(click + 1)])
            settle(page)
            idle_started, idle_cpu = time.perf_counter(), cpu_seconds(pid)
            time.sleep(IDLE_SECONDS)  # the server's own upkeep with this tab open, to subtract below
            idle_rate = (cpu_seconds(pid) - idle_cpu) / (time.perf_counter() - idle_started)
            started, cpu_before = time.perf_counter(), cpu_seconds(pid)
            text_ms, redraw_ms, panel_ms, sent = [], [], [], []
            for click in range(CLICKS):
                page.wait_for_timeout(300)  # a learner looks before clicking again
                to_text, to_redraw = page.evaluate(MEASURE_CLICK, ["Step", position(WARM_UP + click + 1)])
                text_ms.append(to_text)
                redraw_ms.append(to_redraw)
                drawn = page.evaluate(PANEL_DRAWN)  # the panel's own drawing and blob (None where it has none)
                panel_ms.append(drawn[0])
                sent.append(drawn[1])
            settle(page)
            cpu = cpu_seconds(pid) - cpu_before
            net = cpu - idle_rate * (time.perf_counter() - started)
            browser.close()
        finally:
            app.stop()
    return {"cpu": cpu / CLICKS * 1000, "net": net / CLICKS * 1000, "text_ms": text_ms, "redraw_ms": redraw_ms,
            "panel_ms": [ms for ms in panel_ms if ms is not None], "bytes": [size for size in sent if size is not None]}


def report(name: str, figures: dict) -> None:
    redraw = figures["redraw_ms"]
    print(f"--- {name}")
    print(f"server CPU per Step click, all:     {figures['cpu']:7.1f} ms")
    print(f"server CPU per Step click, net:     {figures['net']:7.1f} ms (idle upkeep subtracted)")
    print(f"Step -> position text, median:      {statistics.median(figures['text_ms']):7.0f} ms")
    print(f"Step -> everything redrawn, median: {statistics.median(redraw):7.0f} ms (target <= 200)")
    print(f"Step -> everything redrawn, p90:    {sorted(redraw)[int(0.9 * CLICKS) - 1]:7.0f} ms")
    print(f"Step -> everything redrawn, range:  {min(redraw):7.0f} - {max(redraw):.0f} ms")
    if figures["panel_ms"]:
        print(f"the panel's drawing, median:        {statistics.median(figures['panel_ms']):7.1f} ms (in the browser)")
    if figures["bytes"]:
        print(f"the panel's blob per Step, median:  {statistics.median(figures['bytes']):7.0f} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", nargs="?", const="main", metavar="REV",
                        help="measure the app at REV (default: main), then this checkout, in this one run")
    parser.add_argument("--phone", action="store_true", help="a 390x844 phone instead of a 1024x700 laptop")
    args = parser.parse_args()
    viewport = PHONE if args.phone else LAPTOP
    size = f"{viewport['width']}x{viewport['height']}"
    if args.old is None:
        report(f"this checkout, {size}", measure(viewport=viewport))
        return
    with tempfile.TemporaryDirectory() as folder:
        old = measure(export(args.old, Path(folder)), viewport)
    new = measure(viewport=viewport)
    report(f"the app at {args.old}, {size}", old)
    report(f"this checkout, {size}", new)
    median = statistics.median
    print(f"server CPU per Step click, net, new / old: {new['net'] / old['net']:.2f}")
    print(f"redrawn median, new / old: {median(new['redraw_ms']) / median(old['redraw_ms']):.2f}")


if __name__ == "__main__":
    main()
