"""What runs side by side cost: three runs in lockstep on the Compare screen against one run on Train.

Starts `streamlit run app.py` (with a run store in a temporary folder) and drives it in Debian's
chromium, one tab, and measures in one run of this script, so the ratios compare like with like:

- server CPU per Step click: 20 clicks of Step on Train (one run), then 20 on Compare holding the
  three gradient rules (each click trains every run one sample, appends three events and redraws
  the table, the curves and W1); the idle server's upkeep, measured just before, is subtracted.
  Target: three runs at most 2.5x one run.
- server CPU for an epoch: Run to end of epoch on Train (one run), then on Compare (three runs),
  each from step 23 to 60,000 in 0.2 s slices with the page redrawn between them. Target: at most 3.5x.
- the shared plane, in this process: the loss on a 41x41 grid over the first 1,000 test images of
  the plane through the union of three runs' trajectories (after one epoch in lockstep), plus the
  three paths projected with their distances, true losses and the surface's values under them.
  CPU seconds, best of 5. Target: at most 0.3 s.

    OPENBLAS_NUM_THREADS=1 python -m bench.compare_speed

The headline (the three ratios and the plane's time) is printed last.
"""

import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

import data
from core.training import lockstep
from core.surface import loss_surface
from core.surface import shared_plane
from core.training.settings import Settings
from core.training.trainer import Trainer
from deploy.browser import launch_chromium, open_screen, settle
from deploy.processes import StreamlitProcess, cpu_seconds

CLICKS = 20
WARM_UP = 3
IDLE_SECONDS = 5
PLANE_ROUNDS = 5

# Click a button and resolve once an h4 shows the expected text and nothing on the page is stale.
CLICK_AND_WAIT = """async ([label, expected]) => {
  const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === label);
  const shown = () => [...document.querySelectorAll('h4')].some(h => h.innerText.includes(expected));
  return await new Promise(resolve => {
    const started = performance.now();
    const check = () => {
      if (shown() && !document.querySelector('[data-stale="true"]')) {
        observer.disconnect();
        resolve(performance.now() - started);
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    button.click();
  });
}"""


def step_clicks(page, pid, expected_text) -> tuple[float, float]:
    """Server CPU per Step click (ms, idle upkeep subtracted) and the median click-to-redrawn time (ms)."""
    for click in range(WARM_UP):
        page.evaluate(CLICK_AND_WAIT, ["Step", expected_text(click + 1)])
    settle(page)
    idle_started, idle_cpu = time.perf_counter(), cpu_seconds(pid)
    time.sleep(IDLE_SECONDS)
    idle_rate = (cpu_seconds(pid) - idle_cpu) / (time.perf_counter() - idle_started)
    started, cpu_before = time.perf_counter(), cpu_seconds(pid)
    latencies = []
    for click in range(CLICKS):
        page.wait_for_timeout(300)  # a learner looks before clicking again
        latencies.append(page.evaluate(CLICK_AND_WAIT, ["Step", expected_text(WARM_UP + click + 1)]))
    settle(page)
    cpu = cpu_seconds(pid) - cpu_before - idle_rate * (time.perf_counter() - started)
    return cpu / CLICKS * 1000, statistics.median(latencies)


def epoch(page, pid) -> tuple[float, float]:
    """Server CPU seconds and wall seconds of Run to end of epoch, until its Stop button is gone."""
    settle(page)
    started, cpu_before = time.perf_counter(), cpu_seconds(pid)
    page.get_by_role("button", name="Run to end of epoch").click()
    page.get_by_role("button", name="Stop").wait_for(timeout=60_000)
    page.get_by_role("button", name="Stop").wait_for(state="detached", timeout=600_000)
    settle(page)
    return cpu_seconds(pid) - cpu_before, time.perf_counter() - started


def served_figures() -> dict:
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        app = StreamlitProcess(env={"BACKPROP_STORE": str(Path(folder) / "runs.sqlite3")})
        try:
            app.start().wait_healthy(60)
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(app.url)
            settle(page)
            page.wait_for_timeout(2000)  # past the server's first run, in Streamlit's legacy multipage mode
            open_screen(page, "Train")
            one_step = step_clicks(page, app.pid, lambda step: f"Step {step:,} ")
            one_epoch = epoch(page, app.pid)
            open_screen(page, "Compare")
            page.get_by_role("button", name="Compare the three rules").click()
            page.get_by_role("button", name="Step ×100").wait_for()
            settle(page)
            three_step = step_clicks(page, app.pid, lambda step: f"3 runs at step {step:,} ")
            three_epoch = epoch(page, app.pid)
            browser.close()
        finally:
            app.stop()
    return {"one_step": one_step, "three_step": three_step, "one_epoch": one_epoch, "three_epoch": three_epoch}


def plane_seconds() -> tuple[float, int]:
    """CPU seconds (best of PLANE_ROUNDS) of the shared plane for three runs after one epoch; its point count."""
    mnist = data.load_mnist()
    arrays = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainers = [Trainer(settings, *arrays) for settings in lockstep.gradient_rule_set(Settings())]
    lockstep.train_in_lockstep(trainers, len(mnist.train_labels))
    X, labels = loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, 1_000)
    trajectories = [trainer.trajectory() for trainer in trainers]
    rounds = []
    for _ in range(PLANE_ROUNDS):
        started = time.process_time()
        result = shared_plane.shared_plane(trajectories, trainers[0].initial_params, X, labels, "pca",
                                           "cross-entropy", grid=41)
        rounds.append(time.process_time() - started)
    return min(rounds), sum(len(path.steps) for path in result.paths)


def main() -> None:
    served = served_figures()
    plane, points = plane_seconds()
    (one_cpu, one_ms), (three_cpu, three_ms) = served["one_step"], served["three_step"]
    (one_epoch_cpu, one_epoch_wall), (three_epoch_cpu, three_epoch_wall) = served["one_epoch"], served["three_epoch"]
    print(f"Step, one run on Train:            {one_cpu:7.1f} ms server CPU per click (idle subtracted), "
          f"{one_ms:5.0f} ms to redrawn (median)")
    print(f"Step, three runs on Compare:       {three_cpu:7.1f} ms server CPU per click (idle subtracted), "
          f"{three_ms:5.0f} ms to redrawn (median)")
    print(f"Run to end of epoch, one run:      {one_epoch_cpu:7.2f} s server CPU, {one_epoch_wall:5.1f} s wall")
    print(f"Run to end of epoch, three runs:   {three_epoch_cpu:7.2f} s server CPU, {three_epoch_wall:5.1f} s wall")
    print(f"shared plane, 41x41 over 1,000 test images, three paths ({points} points): {plane:.3f} s CPU (best of "
          f"{PLANE_ROUNDS})")
    print(f"HEADLINE: Step of three in lockstep {three_cpu / one_cpu:.2f}x one run (target <= 2.5x); epoch of three "
          f"{three_epoch_cpu / one_epoch_cpu:.2f}x one run's (target <= 3.5x); shared plane with three paths "
          f"{plane:.3f} s (target <= 0.3 s)")


if __name__ == "__main__":
    main()
