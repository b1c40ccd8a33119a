"""Time travel in Debian's chromium: scrub the Train screen's timeline and see that step's sample and W1 exactly.

The pictures the browser shows are fetched from the page and decoded, and compared pixel for pixel
with pictures drawn from a fresh trainer of the core taken to the same step.
"""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from core.training.settings import Settings
from core.training.trainer import Trainer
from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes, screenshot
from ui import figures

pytestmark = pytest.mark.browser


def shown_picture(page, alt_start: str) -> np.ndarray:
    """The pixels of the image whose alt text starts with `alt_start`: as the browser received it (an <img>),
    or as the page drew it (a <canvas> of the Train panel, role img, its alt text in aria-label)."""
    image = page.locator(f'img[alt^="{alt_start}"], canvas[role="img"][aria-label^="{alt_start}"]').first
    image.wait_for(timeout=30_000)
    if image.evaluate("element => element.tagName") == "CANVAS":
        drawn = image.evaluate("canvas => canvas.toDataURL('image/png')")
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(drawn.split(",", 1)[1]))).convert("RGB"))
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


def test_training_on_a_drawing_is_a_step_of_the_run_shown_before_and_after(page, mnist):
    import os
    from urllib.parse import parse_qs, urlparse

    from core.record.events import StepOnImage, TrainSamples
    from runs.store import RunStore
    from tests.test_browser_draw import draw_vertical_stroke

    open_screen(page, "Train")
    page.get_by_role("button", name="Step ×100").click()
    settle(page)
    open_screen(page, "Draw")
    page.locator("canvas").last.wait_for(timeout=30_000)
    settle(page)
    draw_vertical_stroke(page)
    page.locator('[data-testid="stMetricValue"]').wait_for(timeout=30_000)
    settle(page)
    page.get_by_role("radio", name="1", exact=True).click()  # the true label
    settle(page)
    for _ in range(3):
        page.get_by_role("button", name="Train on this drawing").click()
        settle(page)
    text = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "The last step on this drawing (label 1)" in text
    assert page.locator('img[alt^="The update ΔW1 of the 10 hidden units from the step on your drawing"]').count() == 1
    assert not exception_boxes(page)
    screenshot(page, "draw-train-on-this-drawing")

    run_id = parse_qs(urlparse(page.url).query)["run"][0]
    store = RunStore(os.environ["BACKPROP_STORE"])
    events = store.events_since(run_id)
    store.close()
    assert events[0] == TrainSamples(100) and len(events) == 4
    assert all(isinstance(event, StepOnImage) and event.label == 1 for event in events[1:])
    assert events[1].pixels == events[3].pixels  # the same drawing each time, as the page showed it

    open_screen(page, "Train")
    assert "steps on your drawings: 101, 102, 103" in page.locator('[data-testid="stMainBlockContainer"]').inner_text()


def test_the_step_box_writes_the_step_in_the_languages_signs_and_reads_it_back(page, app_url):
    """A number box shows 1000 with no separator in any language; the step box shows 1.000 in Greek, as the slider's
    label and every other step on the screen do, and reads a step typed with or without the separator."""
    page.goto(f"{app_url}/train?lang=el")
    page.wait_for_selector("h1", timeout=60_000)
    settle(page)
    for _ in range(10):
        page.get_by_role("button", name="Βήμα ×100").click()
        settle(page)
    box = page.get_by_label("Μετάβαση στο βήμα")
    assert box.input_value() == "1.000"
    assert page.locator(".sp-slider-value").inner_text() == "βήμα 1.000"
    box.fill("500")
    box.press("Enter")
    settle(page)
    assert box.input_value() == "500" and page.locator(".sp-slider").input_value() == "500"
    box.fill("1.000")
    box.press("Enter")
    settle(page)
    assert box.input_value() == "1.000"
    assert not exception_boxes(page)
