"""The Compare screen in Debian's chromium: the three gradient rules run an epoch side by side.

The page is read as a learner reads it (the position line, the table of runs), and what it says is
checked against the runs as stored: each run is reopened from the store by the ids in the page's URL.
"""

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest

from deploy.browser import open_screen, settle
from runs.store import RunStore
from tests.browser_fixtures import exception_boxes, screenshot
from tests.test_browser_layout import PROBLEMS
from lab.stored_runs import trainer_at

pytestmark = pytest.mark.browser
LABELS = ("document's rule", "exact MSE rule", "cross-entropy rule")


def shown_step(page) -> int:
    text = page.locator("h4", has_text="runs at step").first.inner_text()
    return int(re.search(r"runs at step ([\d,]+)", text).group(1).replace(",", ""))


def table_rows(page) -> dict[str, str]:
    """The runs table's rows by run name (its first cell)."""
    rows = page.locator("table", has_text="Train screen").locator("tbody tr").all_inner_texts()
    return {next(label for label in LABELS if row.split("\t")[0].strip().endswith(label)): row for row in rows}


def run_epoch_to_the_end(page) -> None:
    page.get_by_role("button", name="Run to end of epoch").click()
    page.get_by_role("button", name="Stop").wait_for(timeout=60_000)
    page.get_by_role("button", name="Stop").wait_for(state="detached", timeout=600_000)
    settle(page)


def test_the_three_gradient_rules_run_an_epoch_side_by_side(page, mnist):
    page.wait_for_timeout(2000)  # a fresh server's first run is Streamlit's legacy multipage run: let it finish
    open_screen(page, "Compare")
    page.get_by_role("button", name="Compare the three rules").click()
    page.get_by_role("button", name="Step ×100").wait_for(timeout=60_000)
    settle(page)
    assert shown_step(page) == 0 and set(table_rows(page)) == set(LABELS)

    page.get_by_role("button", name="Run to end of epoch").click()
    page.get_by_role("button", name="Stop").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Stop").wait_for(state="detached", timeout=60_000)
    settle(page)
    stopped_at = shown_step(page)
    assert 0 < stopped_at < 60_000, "Stop ended the epoch early, every run at one step"

    run_epoch_to_the_end(page)
    assert page.locator("h4", has_text="3 runs at step 60,000 · epoch 2 begins").count() == 1
    assert exception_boxes(page) == []
    screenshot(page, "compare-three-rules-after-an-epoch")

    ids = parse_qs(urlparse(page.url).query)["compare"][0].split(",")
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    store = RunStore(os.environ["BACKPROP_STORE"])
    try:
        stored = [trainer_at(store, run_id, data)[0] for run_id in ids]
    finally:
        store.close()
    rows = table_rows(page)
    assert len(rows) == 3
    for trainer, label in zip(stored, LABELS):
        assert trainer.step_count == 60_000
        epoch = trainer.history.epochs[-1]
        assert f"{epoch.test_accuracy:.2%}" in rows[label] and f"{epoch.train_accuracy:.2%}" in rows[label]
    reading = page.locator("li", has_text="test accuracy (10,000 test images)").inner_text()
    assert all(label in reading for label in LABELS)

    for width, height in ((1400, 1000), (1024, 700)):  # nothing cut off or unlabelled, on a desktop and a laptop
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(1000)
        settle(page)
        assert page.evaluate(PROBLEMS) == [], f"at {width}x{height}"
