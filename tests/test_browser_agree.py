"""Screens that agree with each other and with themselves, read from what the browser shows (Debian's chromium).

Each test is one reproduction a learner met: a formula and its table that disagreed, α used for two
things, a verdict that looked like a failure, an axis at 400%, "as it is now" under a past-step
banner, and a sidebar that kept the old run after an upload.
"""

import re

import pytest

from deploy.browser import settle
from tests.browser_fixtures import exception_boxes
from tests.test_browser_draw import draw_vertical_stroke

pytestmark = pytest.mark.browser

def open_screen(page, link: str, heading: str | None = None) -> None:
    """Move to a screen through the sidebar (keeping the session), waiting as long as a busy machine needs."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=link).first.click()
    page.wait_for_function(f"() => document.querySelector('h1')?.innerText.includes({heading or link!r})", timeout=180_000)
    settle(page, 180_000)


def click(page, locator) -> None:
    locator.click()
    settle(page, 180_000)


MAIN_TEXT = "() => document.querySelector('[data-testid=\"stMain\"]').innerText"


def test_errata_states_its_epoch_counting_once_and_in_plain_words(page):
    open_screen(page, "Errata")
    text = page.evaluate(MAIN_TEXT)
    # The table counts epochs from 1 and gives epoch 5 the starting α: the formula must say the same.
    assert "⌊(epoch − 1) / 5⌋" in text and "epochs 1 to 5 train with 0.01" in text, text[:3000]
    assert "⌊epoch / 5⌋" not in text
    assert "0.0e+00" not in text and "below 1e-6" not in text
    assert "one in a million" in text


def test_loss_surface_names_the_line_with_t_and_keeps_title_words_apart(page):
    open_screen(page, "Train")
    click(page, page.locator('.sp button[data-name="step_100"]'))
    open_screen(page, "Loss surface")
    page.wait_for_function("() => [...document.querySelectorAll('.sf-title')]"
                           ".some(t => t.textContent.startsWith('Loss along'))", timeout=180_000)
    titles = page.evaluate("() => [...document.querySelectorAll('.sf-title')].map(t => t.textContent)")
    axes = page.evaluate("() => [...document.querySelectorAll('.sf canvas.sf-canvas')].flatMap(c => "
                         "[c.chart.fields.text.x_title, c.chart.fields.text.a_title, c.chart.fields.text.b_title])")
    line = next(title for title in titles if title.startswith("Loss along"))
    assert "θ(t) = θ0 + t(θ − θ0)" in line and "α" not in line, titles
    assert any(title and title.startswith("t (0: initial weights") for title in axes), axes
    assert not any("projected(" in title for title in titles), titles
    assert exception_boxes(page) == []


def test_gradients_shows_the_expected_erratum_as_information_not_as_an_error(page):
    open_screen(page, "Train")
    click(page, page.get_by_role("button", name="Step", exact=True))
    open_screen(page, "Gradients")
    verdict = page.locator('[data-testid="stAlert"]', has_text="rule is not the gradient of 1 × mse")
    verdict.wait_for(timeout=180_000)
    assert verdict.locator('[data-testid="stAlertContentInfo"]').count() == 1
    assert "expected finding" in verdict.inner_text()
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def test_compare_reads_zero_to_a_hundred_percent_before_any_epoch(page):
    open_screen(page, "Compare")
    page.locator(".st-key-compare_rates button").click()
    page.locator(".st-key-compare_step_100 button").wait_for(timeout=180_000)
    settle(page, 180_000)
    click(page, page.locator(".st-key-compare_step_100 button"))  # curves, but no epoch ended yet
    panel = '.cp-panel:has(.cp-title:text-is("Test accuracy after each epoch (epochs 1, 2, …)"))'
    page.locator(panel).wait_for(timeout=180_000)
    ticks = page.locator(f"{panel} .cp-y-tick").all_text_contents()  # the fourth panel's axis
    percents = [float(tick.rstrip("%").replace(",", "")) for tick in ticks if tick.endswith("%")]
    assert percents and max(percents) <= 100, ticks


def test_forward_pass_under_the_past_step_banner_does_not_say_now(page):
    open_screen(page, "Train")
    for _ in range(2):
        click(page, page.get_by_role("button", name="Step", exact=True))
    box = page.locator(".st-key-timeline_goto input, [aria-label='Go to step']").first
    box.fill("1")
    box.press("Enter")
    settle(page, 180_000)
    open_screen(page, "Forward pass")
    text = page.evaluate(MAIN_TEXT)
    assert "Viewing step 1" in text, text[:600]
    assert "as it is now" not in text
    assert "as it was after step 1" in text


def test_after_an_upload_the_sidebar_names_the_new_run_and_links_back(page, tmp_path):
    open_screen(page, "Train")
    click(page, page.get_by_role("button", name="Step", exact=True))
    open_screen(page, "Save & load", "Save")
    sidebar = page.locator('[data-testid="stSidebar"]')
    before = re.search(r"Run (\S+)…", sidebar.inner_text()).group(1)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download checkpoint").click()
    checkpoint = tmp_path / "checkpoint.npz"
    download.value.save_as(checkpoint)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(checkpoint))
    page.locator('[data-testid="stAlertContentSuccess"]').wait_for(timeout=180_000)
    settle(page, 180_000)
    after = re.search(r"Run (\S+)…", sidebar.inner_text()).group(1)
    assert after != before, sidebar.inner_text()
    link = sidebar.get_by_role("link", name="Open the previous run")
    assert link.count() == 1 and before in link.get_attribute("href")


def test_every_screen_counts_the_same_step_after_steps_on_drawings(page):
    """Ten steps, then three on a drawn 1: every screen, the file name and the timeline say step 13."""
    open_screen(page, "Train")
    click(page, page.locator('.sp button[data-name="step_10"]'))
    open_screen(page, "Draw")
    page.locator("canvas").last.wait_for(timeout=180_000)
    settle(page, 180_000)
    draw_vertical_stroke(page)
    settle(page, 180_000)
    click(page, page.locator(".st-key-draw_label button", has_text="1").first)
    for _ in range(3):
        click(page, page.locator(".st-key-draw_train button"))
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Step 13 · epoch 1 · sample 10 of 60,000 · 3 drawings" in sidebar.inner_text(), sidebar.inner_text()

    open_screen(page, "Train")
    page.locator(".sp .sp-position").wait_for(timeout=180_000)
    assert page.locator(".sp .sp-position").inner_text().startswith("Step 13 · epoch 1 · sample 10 of 60,000 · 3 drawings")
    assert page.locator(".sp .sp-slider").input_value() == "13"
    assert page.locator(".sp .sp-slider-value").inner_text() == "step 13"
    caption = page.locator(".sp figcaption.sp-caption").inner_text()
    assert caption.startswith("step 13: your drawing, labelled 1"), caption

    open_screen(page, "Evaluate")
    assert "with the weights after step 13." in page.evaluate(MAIN_TEXT)
    open_screen(page, "Save & load", "Save")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download checkpoint").click()
    assert download.value.suggested_filename.endswith("-step13.npz"), download.value.suggested_filename
