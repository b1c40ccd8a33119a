"""Every screen whole at a laptop's 1024x700 and on a 390x844 phone, in English and in Greek (Debian's chromium).

One session per size and language trains 200 steps, draws a digit and teaches it once, then visits
every screen. On each it measures what is shown: the layout test's checks (tests/test_browser_layout.py:
nothing past the main column, no text or chart text cut) and these: a canvas or picture wider than its
column (the drawing canvas's hidden quarter), a chart title or axis title over a plot, over another
title or over another chart, a chart that drops every other category label (squeezed), title lines
run together in the text a reader gets, a table that hides some of its columns (its scroll bar is
invisible until hovered), and axe-core's colour-contrast rule (WCAG 2 AA) on the main column.
Screenshots: test-output/screens/fit-SIZE-LANGUAGE-SCREEN.png.
"""

from pathlib import Path

import pytest

from deploy.browser import settle
from tests.browser_fixtures import SCREENSHOTS, exception_boxes
from tests.test_browser_layout import LAPTOP, PHONE, PROBLEMS

pytestmark = pytest.mark.browser

PATHS = ["lab", "", "dataset", "forward", "train", "weights", "gradients", "errata", "loss_surface", "draw", "evaluate",
         "checkpoint", "compare", "teach"]

FIT = """(laptop) => {
  const mainBlock = document.querySelector('[data-testid="stMainBlockContainer"]');
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 1 && r.height > 1 &&
                       getComputedStyle(e).visibility !== 'hidden'; };
  const overlap = (a, b, slack = 2) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack &&
                                      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;
  // The nearest ancestor matching `selector`, across the shadow roots of components (the drawing canvas).
  const ancestor = (e, selector) => { for (let n = e; n; n = n.parentElement || n.getRootNode().host)
                                        if (n.matches && n.matches(selector)) return n; return null; };
  const every = (root, selector, found = []) => { for (const e of root.querySelectorAll('*')) {
      if (e.matches(selector)) found.push(e); if (e.shadowRoot) every(e.shadowRoot, selector, found); } return found; };
  const problems = [];
  for (const e of every(mainBlock, 'canvas, img')) {
    if (!shown(e) || ancestor(e, '[data-testid="stDataFrame"]')) continue;
    const column = (ancestor(e, '[data-testid="stColumn"], [data-testid="stElementContainer"]') || mainBlock)
                     .getBoundingClientRect(), box = e.getBoundingClientRect();
    if (box.right > column.right + 1 || box.left < column.left - 1)
      problems.push(`${e.tagName.toLowerCase()} ${Math.round(box.width)} px wide in a ${Math.round(column.width)}-px column`);
  }
  // At a laptop's width a table shows all its columns (on a phone a wide table is swiped).
  for (const table of mainBlock.querySelectorAll('[data-testid="stDataFrame"]')) {
    const scroller = table.querySelector('.dvn-scroller');
    if (laptop && scroller && shown(table) && scroller.scrollWidth > scroller.clientWidth + 1)
      problems.push(`table shows ${Math.round(scroller.clientWidth)} of its ${scroller.scrollWidth} px`);
  }
  return problems;
}"""

AXE = """async () => {
  const result = await axe.run('[data-testid="stMain"]', {runOnly: ['color-contrast']});
  return result.violations.flatMap(v => v.nodes.map(n => n.html.slice(0, 80) + ': ' + (n.any[0] || {}).message));
}"""


def axe_script() -> Path:
    """axe-core's script as the axe-playwright-python package ships it (requirements-test.txt)."""
    import axe_playwright_python
    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


def visit(page, path: str, phone: bool) -> None:
    """Open a screen through the sidebar (which keeps the session); a phone unfolds the sidebar first."""
    if phone:
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_timeout(300)
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
    page.wait_for_timeout(300)
    settle(page, 90_000)


def draw_and_teach(page) -> None:
    """A vertical stroke on the canvas, the label 1, one step on the drawing: Draw shows all it can."""
    canvas = page.locator('.st-key-draw_canvas canvas, [data-testid="stMain"] canvas').last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + 0.15 * box["height"])
    page.mouse.down()
    page.mouse.move(x, box["y"] + 0.85 * box["height"], steps=15)
    page.mouse.up()
    page.locator(".st-key-draw_label button", has_text="1").first.wait_for(timeout=60_000)
    settle(page, 90_000)
    page.locator(".st-key-draw_label button", has_text="1").first.click()
    settle(page)
    page.locator(".st-key-draw_train button").click()
    settle(page, 90_000)


@pytest.mark.parametrize("language", ["en", "el"])
@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_every_screen_fits_whole_with_readable_contrast(browser, app_url, size, language):
    phone = size == "phone"
    context = browser.new_context(**(PHONE if phone else dict(viewport=LAPTOP)))
    page = context.new_page()
    page.goto(f"{app_url}/train?lang={language}")
    page.wait_for_selector("h1", timeout=60_000)
    settle(page, 90_000)
    for _ in range(2):
        page.locator('.sp button[data-name="step_100"]').click()
        settle(page, 90_000)
    problems = {}
    for path in PATHS:
        visit(page, path, phone)
        if path == "draw":
            draw_and_teach(page)
        screen = path or "home"
        assert exception_boxes(page) == [], f"{screen}: {exception_boxes(page)}"
        page.screenshot(path=str(SCREENSHOTS / f"fit-{size}-{language}-{screen}.png"), full_page=True)
        if not page.evaluate("() => Boolean(window.axe)"):
            page.add_script_tag(path=str(axe_script()))
        found = page.evaluate(PROBLEMS) + page.evaluate(FIT, not phone) + page.evaluate(AXE)
        if found:
            problems[screen] = found
    context.close()
    assert problems == {}, "\n".join(f"{screen}: {found}" for screen, found in problems.items())
