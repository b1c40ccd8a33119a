"""Real-browser tests: `streamlit run app.py` driven through Debian's chromium with Playwright."""

import re

import pytest

from tests.browser_fixtures import exception_boxes, screenshot
from deploy.browser import open_screen, settle, streamlit_app

pytestmark = pytest.mark.browser

# (navigation link, the screen's heading)
SCREENS = [("Home", "Backprop Lab"), ("Data", "Data"), ("Forward pass", "Forward pass"),
           ("Train", "Train"), ("Weights", "Weights"), ("Gradients", "Gradients"),
           ("Loss surface", "Loss surface"), ("Draw", "Draw"), ("Evaluate", "Evaluate"),
           ("Save & load", "Save"), ("Compare", "Compare")]


def position(page) -> int:
    text = page.locator("h4", has_text="Step ").first.inner_text()
    return int(re.search(r"Step ([\d,]+)", text).group(1).replace(",", ""))


def click_and_wait_for_position(page, label: str, expected: int) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_function(
        "n => [...document.querySelectorAll('h4')].some(h => h.innerText.startsWith('Step ' + n + ' '))",
        arg=f"{expected:,}", timeout=30_000)
    settle(page)


def test_every_screen_renders_without_an_exception(page):
    for link, heading in SCREENS:
        open_screen(page, link, heading)
        assert exception_boxes(page) == [], f"{link}: {exception_boxes(page)}"
        screenshot(page, link.lower().replace(" ", "-"))


def test_step_moves_the_position_and_other_screens_see_it(page):
    open_screen(page, "Train")
    assert position(page) == 0
    click_and_wait_for_position(page, "Step", 1)
    click_and_wait_for_position(page, "Step ×10", 11)
    assert exception_boxes(page) == []
    screenshot(page, "train-after-11-steps")
    open_screen(page, "Weights")
    assert page.get_by_text("step 11 (now)").count() + page.locator("text=W1 at step 11").count() > 0
    for link in ("Gradients", "Loss surface"):
        open_screen(page, link)
        assert exception_boxes(page) == []
        screenshot(page, f"{link.lower().replace(' ', '-')}-after-11-steps")


def test_running_an_epoch_can_be_stopped_and_then_finished(page):
    open_screen(page, "Train")
    page.get_by_role("button", name="Run to end of epoch").click()
    page.get_by_role("button", name="Stop").wait_for(timeout=30_000)
    # Stop as soon as the epoch is under way: a fixed wait let a fast machine finish all 60,000 steps first
    page.wait_for_function("() => [...document.querySelectorAll('h4')].some(h => /^Step [1-9]/.test(h.innerText))",
                           timeout=30_000)
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Stop").wait_for(state="detached", timeout=30_000)
    settle(page)
    stopped_at = position(page)
    assert 0 < stopped_at < 60_000
    page.wait_for_timeout(1000)
    assert position(page) == stopped_at, "training went on after Stop"
    page.get_by_role("button", name="Run to end of epoch").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('h4')].some(h => h.innerText.includes('epoch 2 begins'))",
        timeout=120_000)
    settle(page)
    assert position(page) == 60_000
    assert page.get_by_text("Test accuracy after each epoch").count() == 1
    assert exception_boxes(page) == []
    screenshot(page, "train-after-one-epoch")


def test_a_direct_link_to_a_screen_on_a_fresh_server_gets_the_whole_app(browser):
    """Streamlit's legacy pages/ mode would run the screen alone for the first visitor (ui/shell.py)."""
    with streamlit_app() as (url, _process):
        context = browser.new_context(viewport={"width": 1400, "height": 1200})
        page = context.new_page()
        page.goto(f"{url}/train?lr=0.05&rule=mse")
        page.get_by_role("button", name="Step", exact=True).wait_for(timeout=30_000)
        settle(page)
        navigation = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "The network" in navigation and "Loss surface" in navigation and "checkpoint" not in navigation
        assert page.get_by_text("checksums verified").count() == 1
        assert "α = 0.05" in page.locator("h4").first.inner_text()
        assert exception_boxes(page) == []
        context.close()


def new_session(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    page.goto(app_url)
    settle(page)
    return context, page


def test_two_browsers_keep_their_own_models(browser, app_url):
    first_context, first = new_session(browser, app_url)
    second_context, second = new_session(browser, app_url)
    open_screen(first, "Train")
    first.get_by_text("Settings: applied on Reset").click()
    first.get_by_label("learning rate α").fill("0.05")
    first.get_by_role("button", name="Reset with these settings").click()
    first.wait_for_function("() => [...document.querySelectorAll('h4')].some(h => h.innerText.includes('α = 0.05'))",
                            timeout=30_000)
    settle(first)
    for clicks in range(1, 6):
        click_and_wait_for_position(first, "Step ×10", 10 * clicks)
    open_screen(second, "Train")
    assert position(second) == 0
    assert "α = 0.01" in second.locator("h4").first.inner_text()
    assert position(first) == 50 and "α = 0.05" in first.locator("h4").first.inner_text()
    assert "lr=0.05" in first.url and "lr=0.05" not in second.url
    first_context.close()
    second_context.close()
