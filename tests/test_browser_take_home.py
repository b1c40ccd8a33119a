"""The take-home notebook downloaded in a real browser: the button on Save & load and in the Train screen's menu."""

import nbformat
import pytest

from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes, screenshot

pytestmark = pytest.mark.browser


def downloaded_notebook(page, button) -> nbformat.NotebookNode:
    with page.expect_download(timeout=60_000) as download:
        button.click()
    book = nbformat.read(download.value.path(), as_version=4)
    nbformat.validate(book)
    assert download.value.suggested_filename.endswith(".ipynb")
    return book


def log_of(book) -> str:
    return next(cell.source for cell in book.cells if cell.cell_type == "code" and "LOG = [" in cell.source)


def test_the_train_menu_and_save_and_load_download_the_runs_notebook(page):
    open_screen(page, "Train")
    page.get_by_role("button", name="Step ×10", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Take the run home").click()
    menu = page.locator('[data-testid="stPopoverBody"]')
    book = downloaded_notebook(page, menu.get_by_role("button", name="Download as a notebook"))
    assert '("train", 10)' in log_of(book)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Step ×10", exact=True).click()
    settle(page)
    open_screen(page, "Save & load", "Save")
    assert exception_boxes(page) == []
    screenshot(page, "save-and-load-take-home")
    book = downloaded_notebook(page, page.get_by_role("button", name="Download as a notebook"))
    assert '("train", 20)' in log_of(book)  # built at the click, from the run as it is then
    assert book.cells[0].cell_type == "markdown" and "Backprop Lab" in book.cells[0].source
