"""The chart kit (ui/chart_kit.py, static/chart_kit.js) in a real browser (Debian's chromium) on real MNIST: the
charts show the data's numbers, read them out under the pointer and the arrow keys, speak Greek with Greek
numbers, and the screens that use them never fetch plotly's script."""

import re

import numpy as np
import pytest

from core.model import network
from core.model.network import init_parameters
from core.training.settings import Settings
from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes, open_page, screenshot
from tests.test_browser_layout import PROBLEMS

pytestmark = pytest.mark.browser

# The screens a learner opens first: none of them may load plotly (~1.3 s a tab, issue 24).
WITHOUT_PLOTLY = [("Data", "Data"), ("Forward pass", "Forward pass"), ("Gradients", "Gradients"), ("Train", "Train"),
                  ("Errata", "Errata"), ("Draw", "Draw"), ("Evaluate", "Evaluate")]
NO_CHART_YET = {"Gradients", "Draw"}  # before any step Gradients shows W1 as one picture; Draw waits for a drawing


def chart(page, key: str):
    """The chart `key`'s SVG, once drawn."""
    svg = page.locator(f'.st-key-{key} svg.ck-svg')
    svg.wait_for(timeout=60_000)
    return svg


def tooltip(page, key: str) -> str:
    return page.locator(f'.st-key-{key} .ck-tooltip').inner_text()


def cell(page, key: str, index: int, click: bool = False) -> None:
    """Point at (or click) the centre of cell `index` (row × columns + column) of the image or matrix `key`; Playwright
    waits until the chart stands still and takes the position within it at the moment it acts."""
    svg = chart(page, key)
    position = page.evaluate("""([key, index]) => {
      const chart = window.__charts[key], target = chart.targets[index];
      const ratio = chart.svg.getBoundingClientRect().width / chart.width;
      return {x: (target.x + target.w / 2) * ratio, y: (target.y + target.h / 2) * ratio};
    }""", [key, index])
    (svg.click if click else svg.hover)(position=position)


def test_data_draws_the_image_and_the_counts_and_reads_them_out(browser, app_url, mnist):
    page = open_page(browser, app_url, heading=False)
    open_screen(page, "Data")
    image = chart(page, "data_image")
    assert image.get_attribute("aria-label").startswith("training image #0, label 5, 28×28 pixels.")
    image.focus()
    page.keyboard.press("ArrowRight")
    assert tooltip(page, "data_image") == "pixel 1 (row 1, column 1): 0"
    page.keyboard.press("End")
    page.keyboard.press("ArrowUp")  # a row up: pixel 756, row 27, column 28
    assert tooltip(page, "data_image") == f"pixel 756 (row 27, column 28): {mnist.train_images[0][26, 27]}"
    box = image.locator("image").bounding_box()
    cell = box["width"] / 28
    page.mouse.move(box["x"] + 12.5 * cell, box["y"] + 7.5 * cell)  # row 8, column 13
    assert tooltip(page, "data_image") == f"pixel {7 * 28 + 13} (row 8, column 13): {mnist.train_images[0][7, 12]}"
    counts = chart(page, "data_counts")
    bars = counts.locator("rect.ck-bar")
    assert bars.count() == 20
    bars.nth(2).hover()  # digit 1 of the training set
    assert tooltip(page, "data_counts") == f"training, digit 1: {np.sum(mnist.train_labels == 1):,}"
    assert "6,000" in counts.text_content()
    histogram = chart(page, "data_hist")
    assert "pixel value p" in histogram.text_content() and "1M" in histogram.text_content()
    assert page.evaluate(PROBLEMS) == [] and exception_boxes(page) == []
    screenshot(page, "charts-data")
    page.context.close()


def test_data_in_greek_writes_greek_numbers(browser, app_url, mnist):
    page = open_page(browser, f"{app_url}/dataset?lang=el")
    counts = chart(page, "data_counts")
    assert "6.000" in counts.text_content() and "ψηφίο" in counts.text_content()
    counts.locator("rect.ck-bar").nth(0).hover()
    count = f"{np.sum(mnist.train_labels == 0):,}".replace(",", ".")
    assert tooltip(page, "data_counts") == f"εκπαίδευση, ψηφίο 0: {count}"
    page.context.close()


def test_the_first_screens_fetch_no_plotly(browser, app_url):
    fetched = []
    page = open_page(browser, app_url, fetched=fetched, heading=False)
    for link, heading in WITHOUT_PLOTLY:
        open_screen(page, link, heading)
        if link not in NO_CHART_YET:
            page.locator("svg.ck-svg").first.wait_for(timeout=60_000)
        settle(page)
        assert exception_boxes(page) == [], link
    assert not [url for url in fetched if "plotly" in url.lower()], [url for url in fetched if "plotly" in url.lower()]
    page.context.close()


def test_forward_pass_opens_a_pixel_and_a_hidden_unit_from_the_mouse_and_the_keys_and_loads_no_plotly(
        browser, app_url, mnist):
    fetched = []
    page = open_page(browser, f"{app_url}/forward", fetched=fetched)
    image = chart(page, "forward_x")
    assert image.get_attribute("aria-label").startswith(f"x: test image #0, label {mnist.test_labels[0]}.")
    assert "Enter, or a click, explains the value." in image.get_attribute("aria-label")
    box = image.locator("image").bounding_box()
    cell = box["width"] / 28
    page.mouse.click(box["x"] + 14.5 * cell, box["y"] + 10.5 * cell)  # row 11, column 15: pixel 10·28 + 15
    dialog = page.locator('[role="dialog"]')
    dialog.locator("h4").first.wait_for(timeout=30_000)
    value = mnist.test_images[0][10, 14] / 255
    assert dialog.locator("h4").first.inner_text() == f"x₂₉₅ = {value:.6g}"
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=30_000)
    settle(page)
    hidden = chart(page, "forward_hidden")
    hidden.focus()
    for _ in range(4):  # unit 1's Z1, unit 1's A1, unit 2's Z1, unit 2's A1
        page.keyboard.press("ArrowRight")
    assert tooltip(page, "forward_hidden").startswith("unit 2: A1 = ")
    page.keyboard.press("Enter")
    dialog.locator("h4").first.wait_for(timeout=30_000)
    assert dialog.locator("h4").first.inner_text().startswith("A1₂ = ")
    # one level down, Z1₂: its terms' sizes and its pixel map x ⊙ W1[:, 2], drawn by the chart kit
    dialog.locator(".st-key-explain_open_Z1_2 button").click()
    page.wait_for_function("() => [...document.querySelectorAll('[role=dialog] h4')].some(h => h.innerText"
                           ".startsWith('Z1₂ = '))", timeout=30_000)
    sizes, pixels = chart(page, "explain_sizes"), chart(page, "explain_pixels")
    assert "The terms' sizes" in page.locator(".st-key-explain_sizes").inner_text()
    sizes.focus()
    page.keyboard.press("ArrowDown")  # the top bar: the largest term
    assert re.fullmatch(r".*W1\[\d+, 2\].*: −?\d+\.\d{6}", tooltip(page, "explain_sizes")), tooltip(page, "explain_sizes")
    assert "other pixels" in sizes.get_attribute("aria-label")  # the summed tail, read out
    pixels.focus()
    page.keyboard.press("ArrowRight")
    assert tooltip(page, "explain_pixels") == "pixel 1: 0.000000"  # a blank corner's share of Z1₂
    # an inked pixel's share x₂₉₅·W1[295, 2] under the pointer, with the six decimals the terms' table writes
    box = pixels.locator("image").bounding_box()
    page.mouse.move(box["x"] + 14.5 * box["width"] / 28, box["y"] + 10.5 * box["height"] / 28)
    settings = Settings()
    W1 = init_parameters(settings.hidden, settings.init, settings.seed).W1
    share = network.pixels(mnist.test_images[0])[294] * W1[294, 1]
    assert tooltip(page, "explain_pixels") == f"pixel 295: {share:.6f}".replace("-", "−")
    screenshot(page, "charts-explain-z1")
    assert page.evaluate(PROBLEMS) == [] and exception_boxes(page) == []
    assert [url for url in fetched if "PlotlyChart" in url or "plotly" in url.lower()] == []  # ~1.3 s a tab saved
    page.context.close()


def test_forward_pass_in_greek_writes_greek_numbers_on_its_bars(browser, app_url):
    page = open_page(browser, f"{app_url}/forward?lang=el")
    probabilities = chart(page, "forward_a2")
    values = [text for text in probabilities.locator("text.ck-value").all_text_contents()]
    assert len(values) == 10 and all(re.fullmatch(r"[01],\d\d", value) for value in values), values
    assert "ετικέτα" in probabilities.text_content() and "πιθανότητα" in probabilities.text_content()
    assert page.evaluate(PROBLEMS) == []
    screenshot(page, "charts-forward-el")
    page.context.close()


def test_gradients_after_a_training_step_draws_every_chart_itself_and_a_click_explains(browser, app_url, mnist):
    page = open_page(browser, f"{app_url}/train")
    page.locator('.sp button[data-name="step_100"]').click()
    settle(page, 90_000)
    open_screen(page, "Gradients")
    chart(page, "gradients_rms")
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
    assert page.locator("svg.ck-svg").count() == 6  # dW1, db1, dW2, db2, the three rules, the RMS curves
    label = int(mnist.train_labels[99])  # step 100 trained on training image #99
    tiles = chart(page, "gradients_dw1")
    tiles.focus()
    page.keyboard.press("ArrowRight")
    assert re.fullmatch(r"unit 1, pixel 1: −?[\d.e+-]+", tooltip(page, "gradients_dw1")), tooltip(page, "gradients_dw1")
    rms = chart(page, "gradients_rms")
    assert "RMS(dP) (log scale)" in rms.text_content() and rms.locator("path.ck-line").count() == 4
    assert page.evaluate(PROBLEMS) == [] and exception_boxes(page) == []
    db2 = chart(page, "gradients_db2")
    db2.scroll_into_view_if_needed()
    db2.locator("rect.ck-bar").nth(label).click()
    dialog = page.locator('[role="dialog"]')
    dialog.locator("h4").first.wait_for(timeout=30_000)
    assert f"explain=db2_{label}" in page.url
    screenshot(page, "charts-gradients")
    page.context.close()
