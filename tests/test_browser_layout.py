"""Laptop and phone layout, alt text and offline use, measured in a real browser (Debian's chromium).

One session at a laptop's 1024x700 trains a little and visits every screen: on each, no metric
value is cut to "0.0…", nothing sticks out of the main column or out of its own chart, every image
has alt text, and captions keep their contrast; no request leaves the app's own host. A phone
session checks that the sidebar gets out of the way.
"""

from urllib.parse import urlsplit

import pytest

from deploy.browser import open_screen, settle
from tests.browser_fixtures import LAPTOP, PHONE, SCREENSHOTS, exception_boxes, open_page  # noqa: F401 (LAPTOP: for others)

pytestmark = pytest.mark.browser

SCREENS = [("Lab", "Lab"), ("Home", "Backprop Lab"), ("Data", "Data"), ("Forward pass", "Forward pass"), ("Train", "Train"),
           ("Weights", "Weights"), ("Gradients", "Gradients"), ("Errata", "Errata"),
           ("Loss surface", "Loss surface"), ("Draw", "Draw"), ("Evaluate", "Evaluate"), ("Save & load", "Save"),
           ("Compare", "Compare")]

# Measured in the page: what a reader would find cut off or unlabelled on the current screen.
PROBLEMS = """() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]').getBoundingClientRect();
  const name = e => (e.getAttribute('data-testid') || e.getAttribute('class') || e.tagName).toString().slice(0, 40)
                    + ': ' + (e.textContent || '').trim().slice(0, 50);
  // A 1-px box is a screen reader's visually hidden label (a checkbox's input), not text on screen.
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 1 && r.height > 1 &&
                       getComputedStyle(e).visibility !== 'hidden'; };
  // Inside a scrolling box (a wide equation, a table) the rest is a scroll away, not cut off.
  const scrolls = e => { for (let n = e.parentElement; n && n !== document.body; n = n.parentElement)
                           if (/auto|scroll/.test(getComputedStyle(n).overflowX)) return true; return false; };
  const problems = [];
  for (const value of document.querySelectorAll('[data-testid^="stMetric"], [data-testid^="stMetric"] *'))
    if (value.scrollWidth > value.clientWidth + 1) problems.push('metric ellipsised: ' + name(value));
  // Text cut by its own box (an option of a segmented control, a button label, a widget's label).
  for (const e of document.querySelectorAll('[data-testid="stMainBlockContainer"] :is(button, label, p, span)'))
    if (shown(e) && !e.closest('.katex-display') && e.scrollWidth > e.clientWidth + 1
        && /hidden|clip/.test(getComputedStyle(e).overflowX + getComputedStyle(e.parentElement).overflowX))
      problems.push('text cut: ' + name(e));
  for (const e of document.querySelectorAll('[data-testid="stMainBlockContainer"] *')) {
    if (!shown(e) || e.closest('[role="tooltip"], .hoverlayer, .katex-mathml') || scrolls(e)) continue;
    if (e.getBoundingClientRect().right > main.right + 1) problems.push('beyond the main column: ' + name(e));
  }
  // An equation wider than its column (it scrolls there rather than being cut, but reads badly).
  for (const equation of document.querySelectorAll('.katex-display > .katex > .katex-html')) {
    const box = equation.getBoundingClientRect(), column = equation.closest('.katex-display').getBoundingClientRect();
    if (shown(equation) && (box.right > column.right + 1 || box.left < column.left - 1))
      problems.push('equation wider than its column: ' + equation.textContent.slice(0, 50));
  }
  for (const img of document.querySelectorAll('img'))
    if (!(img.getAttribute('alt') || '').trim()) problems.push('image without alt text: ' + img.src.slice(0, 60));
  // The Train panel (static/step_panel.js) draws its pictures and charts itself: each says what it shows,
  // its charts' texts stay inside their chart and clear of each other, and its charts clear of each other.
  // So does the chart kit (static/chart_kit.js), whose charts stand on Data, Forward pass and Gradients.
  // So does the Loss surface component (static/surface_panel.js), on Loss surface and Compare.
  for (const drawn of document.querySelectorAll('.sp canvas, .sp svg.sp-chart, .ck svg.ck-svg, .sf canvas.sf-canvas'))
    if (shown(drawn) && !(drawn.getAttribute('aria-label') || '').trim()) problems.push('drawing without alt text: ' + name(drawn));
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
                            && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (const chart of document.querySelectorAll('.sp svg.sp-chart, .ck svg.ck-svg')) {
    if (!shown(chart)) continue;
    const box = chart.getBoundingClientRect();
    const texts = [...chart.querySelectorAll('text')].filter(shown).map(t => [t, t.getBoundingClientRect()]);
    for (const [text, r] of texts)
      if (r.right > box.right + 3 || r.left < box.left - 3 || r.top < box.top - 3 || r.bottom > box.bottom + 3)
        problems.push('panel chart text cut: ' + text.textContent.slice(0, 60));
    texts.forEach(([a, ra], i) => texts.slice(i + 1).forEach(([b, rb]) => {
      if (overlap(ra, rb)) problems.push(`panel chart texts overlap: ${a.textContent.slice(0, 30)} / ${b.textContent.slice(0, 30)}`);
    }));
  }
  const charts = [...document.querySelectorAll('.sp .sp-charts > *')].filter(shown).map(e => [e, e.getBoundingClientRect()]);
  charts.forEach(([a, ra], i) => charts.slice(i + 1).forEach(([b, rb]) => {
    if (overlap(ra, rb)) problems.push('panel charts overlap: ' + name(a) + ' / ' + name(b));
  }));
  return problems;
}"""

CAPTION_COLOUR = """() => [...document.querySelectorAll('[data-testid="stMain"] :is([data-testid="stCaptionContainer"], .sp-caption)')]
  .map(c => [getComputedStyle(c).color, getComputedStyle(c).opacity])"""


def rgb(css: str) -> tuple[float, ...]:
    return tuple(float(part) / 255 for part in css[css.index("(") + 1:-1].split(",")[:3])


def test_every_screen_reads_whole_at_1024x700_with_alt_text_and_nothing_fetched_from_outside(browser, app_url):
    from tests.test_contrast import AA_NORMAL_TEXT, blend, contrast
    requests = []
    page = open_page(browser, app_url, fetched=requests, heading=False)
    open_screen(page, "Train")
    for _ in range(2):
        page.get_by_role("button", name="Step ×100").click()
        settle(page)
    problems = {}
    for link, heading in SCREENS:
        open_screen(page, link, heading)
        assert exception_boxes(page) == [], f"{link}: {exception_boxes(page)}"
        page.screenshot(path=str(SCREENSHOTS / f"laptop-{link.lower().replace(' ', '-').replace('&', 'and')}.png"))
        found = page.evaluate(PROBLEMS)
        if found:
            problems[link] = found
        for colour, opacity in page.evaluate(CAPTION_COLOUR):
            assert contrast(blend(rgb(colour), (1, 1, 1), float(opacity)), (1, 1, 1)) >= AA_NORMAL_TEXT, link
    icon = page.evaluate("() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    page.context.close()
    assert problems == {}, '\n'.join(f'{link}: {found}' for link, found in problems.items())
    app_host = urlsplit(app_url).netloc
    assert icon and all(urlsplit(href).netloc in (app_host, "") for href in icon), icon
    outside = sorted({url for url in requests if urlsplit(url).netloc not in (app_host, "")
                      and not url.startswith("data:")})
    assert outside == [], f"requests left the app's host: {outside}"


@pytest.mark.parametrize("device", ["phone", "narrow window"])
def test_on_a_phone_the_sidebar_gets_out_of_the_way(browser, app_url, device):
    page = open_page(browser, app_url, PHONE if device == "phone" else dict(viewport=PHONE["viewport"]), heading=False)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_attribute("data-collapsed") == "true", "the sidebar covers the page at load"
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                           ".getAttribute('data-collapsed') === 'false'")
    open_screen(page, "Train")
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                           ".getAttribute('data-collapsed') === 'true'", timeout=5_000)
    page.wait_for_timeout(500)  # and it stays folded
    assert sidebar.get_attribute("data-collapsed") == "true"
    page.screenshot(path=str(SCREENSHOTS / f"{device.replace(' ', '-')}-train.png"))
    assert page.get_by_role("button", name="Step", exact=True).is_visible()
    page.context.close()


def test_on_a_phone_the_train_chart_stacks_its_panels(browser, app_url):
    """Three panels side by side would be squashed on a phone: the bars go above the two curves."""
    page = open_page(browser, app_url + "/train", PHONE)
    for _ in range(3):
        page.get_by_role("button", name="Step", exact=True).click()
        settle(page)
    boxes = page.evaluate("""() => ['.sp-bars', '.sp-plot-loss', '.sp-plot-accuracy'].map(selector => {
        const b = document.querySelector(selector).getBoundingClientRect();
        return {left: b.left, right: b.right, top: b.top, bottom: b.bottom};
    })""")
    bars, loss, accuracy = boxes
    assert bars["bottom"] < loss["top"] < loss["bottom"] < accuracy["top"], boxes
    assert min(box["right"] - box["left"] for box in boxes) > 250, boxes  # each panel nearly the screen's width
    page.screenshot(path=str(SCREENSHOTS / "phone-train-chart.png"), full_page=True)
    page.context.close()
