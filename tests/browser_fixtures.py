"""pytest fixtures for the real-browser tests: the app server and a headless Debian chromium."""

import os
from pathlib import Path

import pytest

from tests.streamlit_server import REPOSITORY, chromium_path, launch_chromium, streamlit_app

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


def screenshot(page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
