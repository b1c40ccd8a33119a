"""The Train panel drawn in the browser (static/step_panel.js) shows the step record's numbers, in Debian's chromium.

What the page shows (the position line, the losses, A2's bars and their values, the sample's pixels,
the curves' points) is read from the page and compared with a fresh trainer of the core taken to
the same step, and with ui/figures.training_curves of its history.
"""

import re

import numpy as np
import pytest

from core.training.settings import Settings
from core.training.trainer import Trainer
from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes, screenshot
from tests.test_browser_timeline import expected_picture, shown_picture
from ui import figures

pytestmark = pytest.mark.browser

SHOWN = """() => ({
  position: document.querySelector('.sp h4').innerText,
  metrics: [...document.querySelectorAll('.sp .sp-metric-value')].map(e => e.textContent),
  delta: document.querySelector('.sp .sp-metric:nth-child(2) .sp-metric-delta').textContent,
  deltaColour: document.querySelector('.sp .sp-metric:nth-child(2) .sp-metric-delta').dataset.colour,
  bars: [...document.querySelectorAll('.sp .sp-bars .sp-bar-value')].map(e => e.textContent),
  hover: [...document.querySelectorAll('.sp .sp-bars rect title')].map(e => e.textContent),
  barsTitle: document.querySelector('.sp .sp-bars .sp-title').textContent,
  curves: window.__stepPanel.curves, bytes: window.__stepPanel.bytes, full: window.__stepPanel.full,
})"""


def click(page, name: str, step: int) -> None:
    page.locator(f'.sp button[data-name="{name}"]').click()
    page.wait_for_function("step => document.querySelector('.sp h4').innerText.startsWith(`Step ${step} ·`)",
                           arg=f"{step:,}", timeout=30_000)
    settle(page)


def test_the_panel_shows_the_step_records_numbers(page, mnist):
    open_screen(page, "Train")
    click(page, "step_100", 100)
    click(page, "step_10", 110)
    click(page, "step", 111)
    shown = page.evaluate(SHOWN)

    fresh = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    fresh.train(110)
    record = fresh.step()
    assert shown["position"] == "Step 111 · epoch 1 · sample 111 of 60,000 · α = 0.01"
    assert shown["metrics"] == [f"{record.loss_before:.4f}", f"{record.loss_after:.4f}"]
    assert shown["delta"].endswith(f"{record.loss_after - record.loss_before:+.4f}".replace("-", "−"))
    assert shown["deltaColour"] == ("good" if record.loss_after < record.loss_before else "bad")
    assert shown["bars"] == [f"{value:.2f}" for value in record.forward.A2]
    assert shown["hover"] == [f"digit {digit}: {value:.4f}" for digit, value in enumerate(record.forward.A2)]
    assert shown["barsTitle"] == f"A2: predicted {record.prediction} ({'correct' if record.correct else 'wrong'})"
    sample = shown_picture(page, f"Training image #{record.index:,}, label {record.label}")
    assert np.array_equal(sample, expected_picture(figures.grey_image(mnist.train_images[record.index], scale=4)))

    history = fresh.history
    curves = figures.training_curves(history.bins, history.SERIES.index("loss"), history.SERIES.index("correct"),
                                     history.test_accuracy)
    assert shown["curves"]["steps"] == curves.steps.tolist()
    assert np.allclose(shown["curves"]["loss"], curves.loss, rtol=1e-12)
    assert np.allclose(shown["curves"]["accuracy"], curves.accuracy, rtol=1e-12)
    assert shown["curves"]["window"] == curves.window
    assert not shown["full"] and shown["bytes"] < 3_000  # the click sent its changes only
    text = page.locator('.sp').inner_text()
    assert re.search(r"Units 1–10, 10 per row\. Colour scale under them: −\S+ \(blue\)", text)
    assert not exception_boxes(page)


def test_after_one_step_the_curves_show_their_one_point_and_say_why(page):
    open_screen(page, "Train")
    click(page, "step", 1)
    assert page.locator(".sp-curves circle").count() == 2  # the loss's and the accuracy's one point
    assert "After one step each curve is a single point" in page.locator(".sp").inner_text()
    screenshot(page, "train-panel-step-1")


def test_keys_b_and_f_move_along_the_timeline(page):
    open_screen(page, "Train")
    click(page, "step_10", 10)
    page.locator("h1").click()  # the page has the focus, not a field
    page.keyboard.press("b")
    page.wait_for_function("() => document.querySelector('.sp h4').innerText.startsWith('Step 9 ·')", timeout=30_000)
    settle(page)
    assert "Viewing step 9 of 10" in page.locator(".sp-viewing").inner_text()
    page.keyboard.press("b")
    page.wait_for_function("() => document.querySelector('.sp h4').innerText.startsWith('Step 8 ·')", timeout=30_000)
    settle(page)
    page.keyboard.press("f")
    page.wait_for_function("() => document.querySelector('.sp h4').innerText.startsWith('Step 9 ·')", timeout=30_000)
    settle(page)
    page.get_by_role("button", name="Back to now").first.click()
    page.wait_for_function("() => document.querySelector('.sp h4').innerText.startsWith('Step 10 ·')", timeout=30_000)
    settle(page)
    assert page.get_by_role("button", name="Step ×100").count() == 1
