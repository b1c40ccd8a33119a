"""pytest fixtures for the real-browser tests: the app server and a headless Debian chromium."""

import os
from pathlib import Path

import pytest

from deploy.browser import REPOSITORY, chromium_path, launch_chromium, settle, streamlit_app

SCREENSHOTS = REPOSITORY / "test-output" / "screens"


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


@pytest.fixture
def page(browser, app_url):
    """A fresh browser session (its own cookies and Streamlit session) on the app's first screen."""
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    page.goto(app_url)
    settle(page)
    yield page
    context.close()


def exception_boxes(page) -> list[str]:
    """The texts of any exception boxes Streamlit shows on the current screen."""
    return page.locator('[data-testid="stException"]').all_inner_texts()


def screenshot(page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
