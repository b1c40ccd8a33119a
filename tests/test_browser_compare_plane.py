"""Compare's shared plane in Debian's chromium (static/surface_runs.js, ui/compare_figures.py), real MNIST.

With the three gradient rules built and stepped, Compare draws its plane without fetching plotly: the
map's greys read back from the canvas are PLANE_GREYS at each grid point's loss (the darkest grey
above the colour cap); hover and the keys name the run of a snapshot; the path charts read every
run; on a phone the path charts stand one above the other, and the map reads in Greek.
"""

import pytest

from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes
from tests.test_browser_layout import LAPTOP
from ui.compare_figures import PLANE_GREYS

pytestmark = pytest.mark.browser

DRAWN = "() => { const d = window.__surfaceCharts || {}; return d.runs_map >= 1 && d.lines >= 2 && d.runs_3d >= 1; }"
TIP = "(selector) => { const tip = document.querySelector(selector + ' .sf-tip'); return tip.hidden ? null : tip.textContent; }"
MAP = ".sf-map canvas.sf-canvas"

# Grid points at least 14 px from every snapshot and the centre, 6 px from every path, 3 px inside the plot: each one's loss
# and the median colour of a 5x5 patch around it (a contour line through the patch does not count).
PATCHES = """(canvas) => {
  const c = canvas.chart, n = c.n, L = c.arrays.losses, ratio = window.devicePixelRatio || 1;
  const marks = [...c.points, c.centre];
  const lines = c.runs.flatMap((run) => Array.from(run.a, (a, s) => [c.toX(a), c.toY(run.b[s])])
    .flatMap((p, s, all) => (s ? [[all[s - 1], p]] : [])));
  const off = ([x, y], [[x0, y0], [x1, y1]]) => { const dx = x1 - x0, dy = y1 - y0;
    const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy || 1)));
    return Math.hypot(x - x0 - t * dx, y - y0 - t * dy); };
  const place = (k) => [c.toX(c.arrays.alphas[k % n]), c.toY(c.arrays.betas[Math.floor(k / n)])];
  const free = [...L.keys()].filter((k) => { const [x, y] = place(k);
    return marks.every(([mx, my]) => Math.hypot(mx - x, my - y) > 14) && lines.every((l) => off([x, y], l) > 6)
           && x > c.box.left + 3
           && x < c.box.left + c.box.wide - 3 && y > c.box.top + 3 && y < c.box.top + c.box.tall - 3; });
  const patch = (k) => { const [x, y] = place(k);
    const data = canvas.getContext('2d').getImageData(Math.round(x * ratio) - 2, Math.round(y * ratio) - 2, 5, 5).data;
    return [0, 1, 2].map((ch) => { const v = []; for (let p = 0; p < 25; p++) v.push(data[4 * p + ch]);
                                   return v.sort((a, b) => a - b)[12]; }); };
  const lowest = free.reduce((a, b) => (L[b] < L[a] ? b : a)), highest = free.reduce((a, b) => (L[b] > L[a] ? b : a));
  const picked = [lowest, highest, ...free.filter((k, i) => i % 37 === 0)];
  return {low: c.low, cap: c.top, points: picked.map((k) => [L[k], patch(k)])};
}"""


def grey(loss: float, low: float, cap: float) -> list[float]:
    """PLANE_GREYS at `loss`: linear between its stops from the lowest loss to the cap, the darkest grey above it."""
    t = min(max((loss - low) / (cap - low), 0.0), 1.0)
    stops = [(place, [int(colour[i:i + 2], 16) for i in (1, 3, 5)]) for place, colour in PLANE_GREYS]
    for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
        if t <= p1:
            return [a + (t - p0) / (p1 - p0) * (b - a) for a, b in zip(c0, c1)]
    return stops[-1][1]


def built_and_stepped(page) -> None:
    """The three gradient rules built on Compare and stepped 100 times, their plane redrawn at step 100."""
    page.get_by_role("button", name="Compare the three rules").click()
    page.get_by_role("button", name="Step ×100").click(timeout=120_000)
    page.get_by_text("3 runs at step 100 ·").wait_for(timeout=120_000)
    settle(page, 120_000)
    page.locator(".st-key-compare_redraw button").click()  # "Draw the plane…" while the paths have not moved
    page.get_by_text("Drawn at step 100 over").wait_for(timeout=120_000)
    page.wait_for_function(DRAWN, timeout=120_000)
    settle(page, 120_000)


def test_compare_draws_its_plane_without_plotly_and_names_the_runs_under_hover_and_keys(browser, app_url):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(app_url)
    settle(page)
    open_screen(page, "Compare", timeout=60_000)
    built_and_stepped(page)
    assert exception_boxes(page) == []
    assert not [url for url in fetched if "PlotlyChart" in url or "plotly" in url.lower()]
    assert page.locator(".js-plotly-plot").count() == 0
    canvas = page.locator(MAP)
    canvas.scroll_into_view_if_needed()
    patches = canvas.evaluate(PATCHES)
    assert len(patches["points"]) >= 10
    (lowest, light), (highest, dark) = patches["points"][:2]
    assert light[0] > 240 and (highest < patches["cap"] or dark == [82, 82, 82])  # above the cap: the darkest grey
    for loss, colour in patches["points"]:
        expected = grey(loss, patches["low"], patches["cap"])
        assert max(abs(a - b) for a, b in zip(colour, expected)) <= 10, (loss, colour, expected)
    fields = canvas.evaluate("(c) => c.chart.fields")
    names = [run["name"] for run in fields["runs"]]
    assert names == ["document's rule", "exact MSE rule", "cross-entropy rule"]
    assert page.locator(".sf-map .sf-legend").inner_text().split("\n") == [*names, "centre: θ0"]
    assert canvas.get_attribute("aria-label").startswith("Mean loss −log A2_y on one plane through weight space")

    box = canvas.bounding_box()
    ends = canvas.evaluate("(c) => c.chart.runs.map((run) => [c.chart.toX(run.a[run.a.length - 1]),"
                           " c.chart.toY(run.b[run.b.length - 1])])")
    for run, (x, y) in zip(fields["runs"], ends):  # each path's end ◆: its last snapshot, named by its run
        page.mouse.move(box["x"] + x, box["y"] + y)
        assert run["texts"][-1] in page.evaluate(TIP, ".sf-map").split("\n")
        assert run["texts"][-1].startswith(f"{run['name']}, step 100: ")
    centre = canvas.evaluate("(c) => c.chart.centre")
    page.mouse.move(box["x"] + centre[0], box["y"] + centre[1])  # ☆, where every path starts (θ0)
    said = page.evaluate(TIP, ".sf-map").split("\n")
    assert said[0] == fields["text"]["centre_hover"] and said[0].startswith("centre (θ0): loss ")
    assert {run["texts"][0] for run in fields["runs"]} <= set(said[1:])  # and every snapshot drawn there

    page.mouse.move(0, 0)
    canvas.focus()
    page.keyboard.press("PageDown")
    assert page.evaluate(TIP, ".sf-map") == fields["runs"][0]["texts"][0]
    assert page.locator(".sf-map .sf-live").text_content() == fields["runs"][0]["texts"][0]
    page.keyboard.press("ArrowRight")
    assert page.evaluate(TIP, ".sf-map").startswith("a ")
    page.keyboard.press("PageUp")  # from the first snapshot back round to the last run's end
    assert page.evaluate(TIP, ".sf-map") == fields["runs"][-1]["texts"][-1]

    honesty = page.locator(".sf-lines canvas.sf-canvas").first
    honesty.scroll_into_view_if_needed()
    honesty.focus()
    page.keyboard.press("End")
    lines = page.evaluate(TIP, ".sf-lines").split("\n")
    assert len(lines) == 6 and all(any(line.startswith(f"{name}: ") for line in lines) for name in names)
    assert any(line.startswith("document's rule: true loss ") and line.endswith(" at step 100") for line in lines)

    page.get_by_text("The same plane in 3-D").click()
    turned = page.locator(".sf-3d canvas.sf-canvas")
    turned.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert turned.evaluate("(c) => c.width") > 0 and turned.evaluate("(c) => c.chart.numbers.a.length") >= 1
    assert page.locator(".sf-3d .sf-legend").inner_text().split("\n") == names
    link = page.evaluate("() => location.search")
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{app_url}/compare{link}&lang=el")
    page.wait_for_function(DRAWN, timeout=120_000)
    settle(page, 120_000)
    charts = page.locator(".sf-lines canvas.sf-canvas")
    first, second = charts.nth(0).bounding_box(), charts.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"]  # stacked on a phone
    canvas = page.locator(MAP)
    assert canvas.bounding_box()["width"] <= 390
    canvas.focus()
    page.keyboard.press("ArrowUp")
    assert page.evaluate(TIP, ".sf-map").split(": loss ")[1][1] == ","  # Greek's decimal comma
    page.keyboard.press("PageDown")
    assert page.evaluate(TIP, ".sf-map").startswith("κανόνας του κειμένου, βήμα 0: ")
    phone.close()
