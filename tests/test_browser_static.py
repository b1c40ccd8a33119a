"""The components' scripts and styles come from static/ at one version, once, in Debian's chromium.

Train's panel and the Weights player are modules that import their neighbours (ui/static_component.py):
every file the browser fetches from static/ carries the version of all of static/, a Step fetches
none again, and the player's styles reach it inside its shadow root.
"""

import pytest

from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes
from ui import static_component

pytestmark = pytest.mark.browser

STATIC_FETCHED = """() => performance.getEntriesByType('resource').map(entry => entry.name)
                                  .filter(name => name.includes('/app/static/'))"""
TRAIN = {"step_panel.js", "panel_kit.js", "step_timeline.js", "step_curves.js", "step_update.js", "step_panel.css"}
WEIGHTS = {"weight_player.js", "weight_kit.js", "weight_frame.js", "weight_timeline.js", "weight_player.css"}


def fetched(page) -> list[tuple[str, str]]:
    """(file, query) of every request the page made to static/."""
    return [tuple(name.split("/app/static/")[1].partition("?")[::2]) for name in page.evaluate(STATIC_FETCHED)]


def test_scripts_and_styles_are_fetched_at_the_version_once(page):
    open_screen(page, "Train")
    page.get_by_role("button", name="Step", exact=True).click()
    settle(page)
    first = fetched(page)
    page.get_by_role("button", name="Step", exact=True).click()
    settle(page)
    assert page.locator("h4", has_text="Step 2 ·").count() == 1
    assert fetched(page) == first  # a click sends a blob; no script or style is fetched again
    open_screen(page, "Weights")
    page.locator(".player .tile canvas").first.wait_for()
    files = fetched(page)
    assert {name for name, _ in files} >= TRAIN | WEIGHTS
    assert {query for _, query in files} == {f"v={static_component.version()}"}
    assert len(files) == len(set(files))  # each file once, though the panel and the player share panel_kit.js
    # weight_player.css was linked inside the player's shadow root: its buttons have the player's corners
    assert page.locator(".player button.play").evaluate("button => getComputedStyle(button).borderRadius") == "8px"
    assert exception_boxes(page) == []
