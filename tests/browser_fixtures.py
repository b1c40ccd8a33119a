"""pytest fixtures for the real-browser tests: the app server and a headless Debian chromium."""

import os
from pathlib import Path

import pytest

from deploy.browser import REPOSITORY, chromium_path, launch_chromium, settle, streamlit_app

SCREENSHOTS = REPOSITORY / "test-output" / "screens"
LAPTOP = {"width": 1024, "height": 700}
# A phone as Playwright's device list describes an iPhone 13: Streamlit collapses its sidebar
# after a navigation click only for a mobile user agent, not for a narrow desktop window.
PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True,
             user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 "
                        "(KHTML, like Gecko) Version/15.0 Mobile/15E148 Safari/604.1")


def require_chromium():
    """Skip (with the reason printed) where chromium is missing, but fail under CI, where it must run."""
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed under CI: `make test` should have installed it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); browser tests skipped")


@pytest.fixture(scope="module")
def app_url():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_app() as (url, _process):
        yield url


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def open_page(browser, url: str, device: dict | None = None, fetched: list | None = None, heading: bool = True,
              timeout: float = 60_000):
    """A fresh browser session (its own cookies and Streamlit session) on `url` (a screen, `?lang=el`), once its
    heading is shown (unless not `heading`) and it has settled. device: new_context's options (a laptop's
    viewport by default, PHONE); fetched: a list that gathers the address of every request. Close it with
    page.context.close()."""
    page = browser.new_context(**(device or {"viewport": LAPTOP})).new_page()
    if fetched is not None:
        page.on("request", lambda request: fetched.append(request.url))
    page.goto(url)
    if heading:
        page.wait_for_selector("h1", timeout=timeout)
    settle(page, timeout)
    return page


@pytest.fixture
def page(browser, app_url):
    """A fresh browser session on the app's first screen, in a tall window."""
    page = open_page(browser, app_url, {"viewport": {"width": 1400, "height": 2000}}, heading=False, timeout=30_000)
    yield page
    page.context.close()


def exception_boxes(page) -> list[str]:
    """The texts of any exception boxes Streamlit shows on the current screen."""
    return page.locator('[data-testid="stException"]').all_inner_texts()


def screenshot(page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
