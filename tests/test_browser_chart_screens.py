"""Train's epoch charts, Errata, Draw and Evaluate drawn by the chart kit in a real browser (Debian's chromium, real
MNIST): they read their values out under the pointer and the keys, in English and in Greek, a click on a confusion
cell opens that cell's mistakes, and none of these screens fetches plotly's script (~1.3 s a tab, issue 24)."""

import pytest

from deploy.browser import open_screen, settle
from tests.browser_fixtures import PHONE, exception_boxes, open_page, screenshot
from tests.test_browser_charts import cell, chart, tooltip
from tests.test_browser_draw import click_confusion_cell, draw_vertical_stroke
from tests.test_browser_layout import PROBLEMS

pytestmark = pytest.mark.browser

PLOTLY = "PlotlyChart"  # Streamlit's lazily loaded chunk that holds plotly.js


def test_the_screens_draw_their_charts_without_plotly_and_a_confusion_cell_opens_its_mistakes(browser, app_url):
    fetched = []
    page = open_page(browser, app_url, fetched=fetched, heading=False)
    open_screen(page, "Train", timeout=60_000)
    page.locator('.sp button[data-name="step_100"]').click()
    settle(page, 60_000)
    schedule = chart(page, "train_schedule")
    assert schedule.get_attribute("aria-label").startswith("Learning-rate schedule: 10 points from 1 to 10")
    schedule.focus()
    page.keyboard.press("End")
    assert tooltip(page, "train_schedule") == "α: 0.005 at 10"

    open_screen(page, "Errata", timeout=60_000)
    jacobian = chart(page, "errata_jacobian")
    assert jacobian.get_attribute("aria-label").startswith("J for this sample (* = true digit ")
    cell(page, "errata_jacobian", 3 * 10 + 5)
    assert tooltip(page, "errata_jacobian").startswith("nudge Z2 of digit 5: A2 of digit 3 moves by ")
    assert chart(page, "errata_rules").locator("rect.ck-bar").count() == 30
    assert "→ 0" in chart(page, "errata_mask").text_content() or "zeroed by 1[Z2 > 0]" in page.inner_text("main")
    assert page.evaluate(PROBLEMS) == [] and exception_boxes(page) == []
    screenshot(page, "charts-errata")

    open_screen(page, "Draw", timeout=60_000)
    page.locator("canvas").last.wait_for(timeout=60_000)
    settle(page)
    draw_vertical_stroke(page)
    probabilities = chart(page, "draw_probabilities")
    assert probabilities.locator("rect.ck-bar").count() == 10
    assert chart(page, "draw_hidden").locator("rect.ck-bar").count() == 10
    assert chart(page, "draw_to_output").get_attribute("aria-label").startswith("To digit ")
    assert exception_boxes(page) == []

    open_screen(page, "Evaluate", timeout=60_000)
    confusion = chart(page, "evaluate_confusion")
    assert "on the diagonal, read right" in confusion.get_attribute("aria-label")
    confusion.focus()
    page.keyboard.press("ArrowRight")
    assert tooltip(page, "evaluate_confusion").startswith("true 0, predicted 0: ")
    page.keyboard.press("ArrowDown")
    assert tooltip(page, "evaluate_confusion").startswith("true 1, predicted 0: ")
    click_confusion_cell(page, true=4, predicted=9)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stSelectbox] input')]"
                           ".map(box => box.value).join() === '4,9'", timeout=30_000)
    settle(page)
    captions = page.locator('[data-testid="stImageCaption"]').all_inner_texts()
    assert all(" · 4 → 9 · " in caption for caption in captions) or "No test image" in page.inner_text("main")
    assert chart(page, "evaluate_confusion").locator("rect.ck-chosen").count() == 1
    assert page.evaluate(PROBLEMS) == [] and exception_boxes(page) == []
    screenshot(page, "charts-evaluate")
    assert not [url for url in fetched if PLOTLY in url], [url for url in fetched if PLOTLY in url]
    page.context.close()


def test_in_greek_the_confusion_matrix_and_the_jacobian_speak_greek(browser, app_url):
    page = open_page(browser, f"{app_url}/errata?lang=el")
    cell(page, "errata_jacobian", 0)
    said = tooltip(page, "errata_jacobian")
    assert "ψηφίο" in said and "," in said.rsplit(" ", 3)[-3], said  # the Greek decimal comma
    open_screen(page, "Αξιολόγηση", timeout=60_000)
    cell(page, "evaluate_confusion", 0)
    assert "ψηφίο" in chart(page, "evaluate_confusion").text_content()
    assert page.evaluate(PROBLEMS) == [] and exception_boxes(page) == []
    page.context.close()


# Each value written in a cell of the matrix `key`: its font size (px), its width and the cell's width (CSS px).
CELL_WORDS = """(key) => {
  const chart = window.__charts[key], ratio = chart.svg.getBoundingClientRect().width / chart.width;
  return [...chart.svg.querySelectorAll('text.ck-cell-text')].map((text, i) => ({
    text: text.textContent, size: parseFloat(getComputedStyle(text).fontSize) * ratio,
    width: text.getBoundingClientRect().width, cell: chart.targets[i].w * ratio}));
}"""


@pytest.mark.parametrize("language", ["en", "el"])
def test_on_a_phone_the_jacobian_and_the_confusion_matrix_write_every_value_legibly_in_its_cell(
        browser, app_url, language):
    """At 390x844 a matrix with values in its cells takes the width (its colour bar under it), so each value is
    written at 10 px or more and fits its cell: the hover is not the only way to read them."""
    page = open_page(browser, f"{app_url}/errata?lang={language}", PHONE)
    for key in ("errata_jacobian", "evaluate_confusion"):
        if key == "evaluate_confusion":
            page.goto(f"{app_url}/evaluate?lang={language}")
            page.wait_for_selector("h1", timeout=60_000)
            settle(page, 60_000)
        chart(page, key).scroll_into_view_if_needed()
        words = page.evaluate(CELL_WORDS, key)
        assert len(words) == 100, (key, len(words))
        assert min(word["size"] for word in words) >= 10, (key, min(words, key=lambda word: word["size"]))
        assert all(word["width"] <= word["cell"] for word in words), (key, [w for w in words if w["width"] > w["cell"]])
        assert page.evaluate(PROBLEMS) == [] and exception_boxes(page) == []
        screenshot(page, f"phone-{key}-{language}")
    page.context.close()
