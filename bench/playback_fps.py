"""How smoothly the Weights screen plays the weights' history, measured inside a real browser.

Starts the app as served, opens it in Debian's chromium at 1400x1000, trains one epoch with the
Train screen's "Run to end of epoch" button (the path a learner takes), opens Weights and presses
Play at the fastest speed (30 frames/s), PASSES times. The player counts, in the page, every frame
of W1 it draws and when (window.__backpropPlayback); frames per second = drawn frames − 1 over the
time from the first to the last. Also: the payload the page received (all frames at once), what
150 frames of h = 10 would weigh in the same format, and how long Weights takes to appear, the
first time (each frame's test accuracy measured) and again (remembered).
Target: at least 10 frames of W1 per second.

    python -m bench.playback_fps
"""

import os
import statistics
import tempfile
import time

import numpy as np
from playwright.sync_api import sync_playwright

from core.model.batched import FrameMeasures
from core.model.network import init_parameters
from deploy.browser import launch_chromium, open_screen, settle, streamlit_app
from deploy.processes import cpu_seconds
from ui import weight_frames

PASSES = 3
FASTEST = "30"

PLAYED = """() => { const p = window.__backpropPlayback;
  return {drawn: p.times.length, seconds: (p.times[p.times.length - 1] - p.times[0]) / 1000,
          frames: p.frames, bytes: p.payloadBytes}; }"""


def open_weights(page, pid: int) -> tuple[float, float]:
    """Seconds from the navigation click until the player has drawn its first frame; the server's CPU seconds for the screen."""
    started, cpu = time.perf_counter(), cpu_seconds(pid)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Weights").first.click()
    page.locator(".player[data-step]").wait_for()
    drawn = time.perf_counter() - started
    settle(page)
    return drawn, cpu_seconds(pid) - cpu


def payload_bytes(frames: int, hidden: int) -> int:
    """The size, in the player's format, of `frames` frames of a network with `hidden` units."""
    history = [(step, init_parameters(hidden, "uniform", step)) for step in range(frames)]
    measures = [FrameMeasures(0.5, np.zeros(hidden, dtype=bool))] * frames
    return len(weight_frames.payload(history, measures, 60_000))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        # the run trained here goes to a store of its own, not the machine's
        os.environ.setdefault("BACKPROP_STORE", os.path.join(folder, "runs.sqlite3"))
        measure()


def measure() -> None:
    with streamlit_app() as (url, process), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        settle(page)
        open_screen(page, "Train")
        page.get_by_role("button", name="Run to end of epoch").click()
        page.wait_for_function("() => [...document.querySelectorAll('h4')]"
                               ".some(h => h.innerText.includes('epoch 2 begins'))", timeout=300_000)
        settle(page)
        first_seconds, first_cpu = open_weights(page, process.pid)
        open_screen(page, "Home", "Backprop Lab")
        again_seconds, again_cpu = open_weights(page, process.pid)
        page.locator(".player select").select_option(FASTEST)
        passes = []
        for _ in range(PASSES):
            page.get_by_role("button", name="▶ Play").click()  # its handler starts playing before click() returns
            page.wait_for_function("() => !window.__backpropPlayback.playing", timeout=60_000)
            passes.append(page.evaluate(PLAYED))
        browser.close()
    frames, received = passes[0]["frames"], passes[0]["bytes"]
    rates = [(played["drawn"] - 1) / played["seconds"] for played in passes]
    print(f"run: 1 epoch (60,000 steps), h = 10; frames sent to the page: {frames}")
    print(f"payload received by the page: {received:,} bytes ({received / frames:,.0f} per frame)")
    print(f"payload for 150 frames of h = 10, same format: {payload_bytes(150, 10):,} bytes (target < 1,500,000)")
    print(f"Weights drawn, first visit: {first_seconds:.2f} s ({first_cpu * 1000:.0f} ms server CPU, "
          f"each frame's test accuracy measured)")
    print(f"Weights drawn, again:       {again_seconds:.2f} s ({again_cpu * 1000:.0f} ms server CPU, remembered)")
    for number, (played, rate) in enumerate(zip(passes, rates), 1):
        print(f"pass {number}: {played['drawn']} of the {frames - 1} frames after the first drawn in "
              f"{played['seconds']:.2f} s: {rate:.1f} frames/s")
    print(f"W1 frames drawn per second at {FASTEST} frames/s, median of {PASSES} passes: "
          f"{statistics.median(rates):.1f} (target >= 10)")


if __name__ == "__main__":
    main()
