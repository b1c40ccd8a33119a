"""Real-browser test of Draw and Evaluate: train one epoch, draw a 1 with the mouse, read the answer."""

import pytest

from tests.browser_fixtures import exception_boxes, screenshot
from tests.test_browser_charts import cell
from deploy.browser import open_screen, settle

pytestmark = pytest.mark.browser


def train_one_epoch(page) -> None:
    open_screen(page, "Train")
    page.get_by_role("button", name="Run to end of epoch").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('h4')].some(h => h.innerText.includes('epoch 2 begins'))",
        timeout=120_000)
    settle(page)


def draw_vertical_stroke(page) -> None:
    """Press at the top centre of the canvas, drag to the bottom centre in 20 moves, release."""
    box = page.locator("canvas").last.bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + 0.15 * box["height"])
    page.mouse.down()
    page.mouse.move(x, box["y"] + 0.85 * box["height"], steps=20)
    page.mouse.up()


def images_loaded(page) -> None:
    page.wait_for_function("() => [...document.images].every(image => image.complete)", timeout=30_000)


def click_confusion_cell(page, true: int, predicted: int) -> None:
    """Click the confusion matrix's cell of true digit `true` read as `predicted` (static/chart_image.js)."""
    cell(page, "evaluate_confusion", true * 10 + predicted, click=True)


GALLERY_TOP = "() => document.getElementById('gallery').getBoundingClientRect().top"


def open_first_gallery_image(page) -> str:
    """Click "open" under the gallery's first image; its caption (#index · true → predicted · p)."""
    caption = page.locator('[data-testid="stImageCaption"]').first.inner_text()
    page.get_by_role("button", name="open", exact=True).first.click()
    page.wait_for_function("() => document.querySelector('h1')?.innerText.includes('Forward pass')", timeout=30_000)
    settle(page)
    return caption


def selected_filters(page) -> list[str]:
    return [box.input_value() for box in page.locator('[data-testid="stSelectbox"] input').all()]


def test_a_drawn_vertical_stroke_reads_as_a_one_and_evaluate_shows_the_model(page):
    train_one_epoch(page)
    open_screen(page, "Draw")
    # Right after an epoch the Train screen's last rerun may still be finishing: wait for the canvas.
    page.get_by_text("Draw a digit on the black square").wait_for(timeout=30_000)
    page.locator("canvas").last.wait_for(timeout=30_000)
    settle(page)
    draw_vertical_stroke(page)
    prediction = page.locator('[data-testid="stMetricValue"]')
    prediction.wait_for(timeout=30_000)
    settle(page)
    assert prediction.inner_text().strip() == "1"
    assert exception_boxes(page) == []
    images_loaded(page)
    screenshot(page, "draw-a-1-after-one-epoch")

    page.set_viewport_size({"width": 1400, "height": 1000})  # a laptop: the gallery starts below the fold
    open_screen(page, "Evaluate")
    assert exception_boxes(page) == []
    assert page.evaluate(GALLERY_TOP) > 1000
    accuracy = page.locator('[data-testid="stMetricValue"]').inner_text()
    assert float(accuracy.rstrip("%")) > 80, accuracy

    click_confusion_cell(page, true=4, predicted=9)
    page.wait_for_function("() => document.body.innerText.includes('mistakes; showing') && "
                           "[...document.querySelectorAll('[data-testid=stImageCaption]')]"
                           ".every(c => c.innerText.includes('4 → 9'))", timeout=30_000)
    settle(page)
    assert selected_filters(page) == ["4", "9"]
    page.wait_for_function(f"() => ({GALLERY_TOP})() < 200", timeout=10_000)  # scrolled to the gallery
    assert exception_boxes(page) == []
    page.mouse.move(0, 0)
    images_loaded(page)
    screenshot(page, "evaluate-after-one-epoch")

    index = int(open_first_gallery_image(page).split(" · ")[0].lstrip("#"))
    assert page.locator('[data-testid="stNumberInput"] input').first.input_value() == str(index)
    assert page.get_by_text(f"test image #{index:,}, label 4").count() > 0
