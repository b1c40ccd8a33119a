"""The Weights player in a real browser: it plays through the frames, counts what it draws, and a click
on its track shows the frame of that step, drawn in the colours of the core's weights at that step."""

import numpy as np
import pytest

from core.training.settings import Settings
from core.training.trainer import Trainer
from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes, screenshot
from ui import figures

pytestmark = pytest.mark.browser


def shown(page) -> dict:
    """What the player shows now: its frame, step and status line, and how many frames it has drawn."""
    return page.locator(".player").evaluate("""player => ({
        frame: Number(player.dataset.frame), step: Number(player.dataset.step),
        playing: player.dataset.playing === 'true', status: player.querySelector('.status').innerText,
        drawn: window.__backpropPlayback.framesDrawn})""")


def expected_colours(value: np.ndarray, limit: float) -> np.ndarray:
    """The app's diverging colours for `value` at ±limit, and the colours one step either side (quantisation)."""
    palette = figures.diverging_rgb(np.linspace(-1.0, 1.0, 255), 1.0).astype(int)
    index = np.rint((np.clip(value / limit, -1, 1) + 1) * 127).astype(int)
    return np.stack([palette[np.clip(index + offset, 0, 254)] for offset in (-1, 0, 1)])


def test_the_player_plays_counts_its_frames_and_scrubs_to_a_frames_step(page, mnist):
    open_screen(page, "Train")
    for _ in range(3):
        page.get_by_role("button", name="Step ×100").click()
        settle(page)
    open_screen(page, "Weights")
    page.locator(".player .tile canvas").first.wait_for()
    reference = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    for _ in range(3):
        reference.train(100)
    trajectory = reference.trajectory()
    steps = [step for step, _ in trajectory]
    now = shown(page)
    assert now["step"] == 300 and "step 300 (now)" in now["status"] and exception_boxes(page) == []

    page.locator(".player select").select_option("5")
    page.get_by_role("button", name="▶ Play").click()
    seen = []
    while True:
        seen.append(shown(page))
        if not seen[-1]["playing"] and len(seen) > 1:
            break
        page.wait_for_timeout(100)
    played = [moment["step"] for moment in seen]
    assert played == sorted(played) and len(set(played)) >= 3, played  # it advanced, frame by frame
    assert set(played) <= set(steps) and played[-1] == 300
    assert seen[-1]["drawn"] - now["drawn"] >= len(steps) - 1

    frame = len(steps) // 2
    timeline = page.locator(".player canvas.timeline")
    box, left, right = timeline.bounding_box(), *timeline.evaluate("c => [Number(c.dataset.axisLeft), Number(c.dataset.axisRight)]")
    page.mouse.click(box["x"] + left + steps[frame] / steps[-1] * (right - left), box["y"] + box["height"] / 2)
    scrubbed = shown(page)
    assert scrubbed["step"] == steps[frame] and scrubbed["frame"] == frame
    assert f"step {steps[frame]:,} ·" in scrubbed["status"]
    screenshot(page, "weights-player-scrubbed")

    W1 = np.stack([params.W1 for _, params in trajectory]).astype(np.float64)
    limit = np.percentile(np.abs(W1), 99.9)  # the fixed scale the legend states
    for unit in (0, 9):
        drawn = np.array(page.locator(".player .tile canvas").nth(unit).evaluate(
            "c => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data)")).reshape(784, 4)[:, :3]
        allowed = expected_colours(W1[frame][:, unit], limit)
        matches = (allowed == drawn[None]).all(axis=2).any(axis=0)
        assert matches.all(), f"unit {unit + 1}: {np.flatnonzero(~matches)[:10]} differ"

    timeline.press("Home")
    assert shown(page)["step"] == 0
    timeline.press("ArrowRight")
    assert shown(page)["step"] == steps[1]
