"""Time travel in Debian's chromium: scrub the Train screen's timeline and see that step's sample and W1 exactly.

The pictures the browser shows are fetched from the page and decoded, and compared pixel for pixel
with pictures drawn from a fresh trainer of the core taken to the same step.
"""

import io

import numpy as np
import pytest
from PIL import Image

from core.settings import Settings
from core.training import Trainer
from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes, screenshot
from ui import figures

pytestmark = pytest.mark.browser


def shown_picture(page, alt_start: str) -> np.ndarray:
    """The pixels of the image whose alt text starts with `alt_start`, as the browser received it."""
    image = page.locator(f'img[alt^="{alt_start}"]').first
    image.wait_for(timeout=30_000)
    response = page.request.get(image.evaluate("element => element.src"))
    assert response.ok
    return np.asarray(Image.open(io.BytesIO(response.body())).convert("RGB"))


def expected_picture(image: np.ndarray) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(figures.png(image))).convert("RGB"))


def header(page) -> str:
    return page.locator("h4").filter(has_text="Step").first.inner_text()


def test_scrubbing_to_a_step_shows_its_sample_and_weights_exactly(page, mnist):
    open_screen(page, "Train")
    page.get_by_role("button", name="Step ×100").click()
    settle(page)
    box = page.get_by_label("Go to step")
    box.fill("40")
    box.press("Enter")
    settle(page)
    assert "Viewing step 40 of 100" in page.get_by_text("Viewing step").first.inner_text()
    assert page.get_by_role("button", name="Step ×100").count() == 0  # no training from the past

    fresh = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    fresh.train(39)
    record = fresh.step()
    assert header(page).startswith("Step 40 · epoch 1 · sample 40 of 60,000")
    sample = shown_picture(page, f"Training image #{record.index:,}, label {record.label}")
    assert np.array_equal(sample, expected_picture(figures.grey_image(mnist.train_images[record.index], scale=4)))
    weights, _ = figures.weight_template_image(fresh.params.W1, fresh.dead_units())
    assert np.array_equal(shown_picture(page, "W1 at step 40:"), expected_picture(weights))
    screenshot(page, "train-timeline-step-40")

    page.get_by_role("button", name="◀").click()  # one step back
    settle(page)
    assert header(page).startswith("Step 39 ·")
    back = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    back.train(39)
    weights, _ = figures.weight_template_image(back.params.W1, back.dead_units())
    assert np.array_equal(shown_picture(page, "W1 at step 39:"), expected_picture(weights))

    open_screen(page, "Gradients")
    assert "Viewing step 39 of 100" in page.get_by_text("Viewing step").first.inner_text()
    page.get_by_role("button", name="Back to now").click()
    settle(page)
    open_screen(page, "Train")
    assert page.get_by_role("button", name="Step ×100").count() == 1
    assert not exception_boxes(page)
