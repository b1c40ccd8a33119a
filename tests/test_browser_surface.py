"""The Loss surface screen's own charts in Debian's chromium (static/surface_*.js, ui/surface_panel.py).

Opening the screen loads no plotly; the surface seen from above shows viridis' dark end where the
loss is low and its yellow where it is high (pixels read back from the canvas, against plotly's own
Viridis stops); hover and the arrow keys read a grid point in the session's language; the 3-D view
turns with a drag and with the arrow keys, and writes a and b on its floor on a phone too.
"""

import re

import pytest

from deploy.browser import settle
from tests.browser_fixtures import exception_boxes

pytestmark = pytest.mark.browser

DRAWN = "() => (window.__surfaceCharts || {}).lines >= 1 && (window.__surfaceCharts || {}).map >= 1"
TIP = "(selector) => { const tip = document.querySelector(selector + ' .sf-tip'); return tip.hidden ? null : tip.textContent; }"

# The lowest and highest grid points at least 24 px from the path, θ and the plot's edge: the colour of a
# 5x5 patch around each (its median, so a contour line through it does not count), their loss's place on
# the colour scale (0: the lowest loss, 1: the highest).
PATCHES = """(canvas) => {
  const c = canvas.chart, n = c.n, L = c.arrays.losses, ratio = window.devicePixelRatio || 1;
  const marks = [...c.points, [c.toX(0), c.toY(0)]];
  const place = (k) => [c.toX(c.arrays.alphas[k % n]), c.toY(c.arrays.betas[Math.floor(k / n)])];
  const free = [...L.keys()].filter((k) => { const [x, y] = place(k);
    return marks.every(([mx, my]) => Math.hypot(mx - x, my - y) > 24) && x > c.box.left + 3 && x < c.box.left + c.box.wide - 3
           && y > c.box.top + 3 && y < c.box.top + c.box.tall - 3; });
  const patch = (k) => { const [x, y] = place(k);
    const data = canvas.getContext('2d').getImageData(Math.round(x * ratio) - 2, Math.round(y * ratio) - 2, 5, 5).data;
    return [0, 1, 2].map((ch) => { const v = []; for (let p = 0; p < 25; p++) v.push(data[4 * p + ch]);
                                   return v.sort((a, b) => a - b)[12]; }); };
  const low = free.reduce((a, b) => (L[b] < L[a] ? b : a)), high = free.reduce((a, b) => (L[b] > L[a] ? b : a));
  const t = (k) => (L[k] - c.low) / (c.high - c.low);
  return {low: [patch(low), t(low)], high: [patch(high), t(high)]};
}"""


# Viridis's 10 evenly spaced stops, as plotly.colors.sequential.Viridis listed them (an independent
# reference for the 17 stops static/surface_kit.js takes from plotly.js)
VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"]


def viridis(t: float) -> tuple[float, ...]:
    """Viridis at `t` in [0, 1], interpolated between its stops (what the screen showed before)."""
    stops = [tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)) for hex_colour in VIRIDIS]
    place = t * (len(stops) - 1)
    i = min(int(place), len(stops) - 2)
    return tuple(a + (place - i) * (b - a) for a, b in zip(stops[i], stops[i + 1]))


def open_surface(browser, app_url, language="en"):
    """A new session opened straight on Loss surface: its page, and every request the browser made."""
    context = browser.new_context(viewport={"width": 1024, "height": 700})
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/loss_surface?lang={language}")
    page.wait_for_function(DRAWN, timeout=180_000)
    settle(page, 180_000)
    return context, page, requests


def canvas_point(page, selector: str, a: float, b: float) -> tuple[float, float]:
    """Where grid point (a, b) is drawn on the page, in the map's canvas."""
    canvas = page.locator(f"{selector} canvas.sf-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = canvas.evaluate(f"(c) => [c.chart.toX({a}), c.chart.toY({b})]")
    return box["x"] + x, box["y"] + y


def test_opening_loss_surface_loads_no_plotly_and_draws_viridis_low_to_high(browser, app_url):
    context, page, requests = open_surface(browser, app_url)
    assert exception_boxes(page) == []
    assert [url for url in requests if "PlotlyChart" in url] == []
    assert page.locator(".js-plotly-plot").count() == 0
    patches = page.locator(".sf-map canvas.sf-canvas").evaluate(PATCHES)
    (low, t_low), (high, t_high) = patches["low"], patches["high"]
    assert t_low < 0.2 and t_high > 0.8, patches
    for colour, t in ((low, t_low), (high, t_high)):
        assert max(abs(a - b) for a, b in zip(colour, viridis(t))) < 40, (colour, t, viridis(t))
    assert low[2] > low[1] and high[1] > high[2]  # purple-blue where the loss is low, yellow-green where high
    label = page.locator(".sf-map canvas.sf-canvas").get_attribute("aria-label")
    assert label.startswith("Mean loss") and "at the current weights (0, 0)" in label
    context.close()


@pytest.mark.parametrize("language, words", [("en", ("loss", "accuracy", "off the plane", ".")),
                                             ("el", ("loss", "ακρίβεια", "από το επίπεδο", ","))])
def test_hover_and_keys_read_the_grid_in_the_sessions_language(browser, app_url, language, words):
    loss, accuracy, off, decimal = words
    context, page, _requests = open_surface(browser, app_url, language)
    page.mouse.move(*canvas_point(page, ".sf-map", 0.5, -0.5))
    text = page.evaluate(TIP, ".sf-map")
    expected = page.locator(".sf-map canvas.sf-canvas").evaluate(
        "({chart: c}) => { const n = c.n, i = Math.round(0.75 * (n - 1)), j = Math.round(0.25 * (n - 1));"
        " return [c.arrays.losses[j * n + i], c.arrays.accuracies[j * n + i]]; }")
    value, share = f"{expected[0]:.4f}".replace(".", decimal), f"{100 * expected[1]:.2f}".replace(".", decimal)
    assert text == f"a 0{decimal}50, b −0{decimal}50: {loss} {value}, {accuracy} {share}%"
    page.mouse.move(*canvas_point(page, ".sf-map", 0, 0))  # the path's one snapshot, at θ
    assert off in page.evaluate(TIP, ".sf-map")
    page.mouse.move(0, 0)
    page.locator(".sf-map canvas.sf-canvas").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate(TIP, ".sf-map").startswith(f"a 0{decimal}05, b 0{decimal}00: {loss} ")
    assert page.locator(".sf-map .sf-live").text_content() == page.evaluate(TIP, ".sf-map")
    context.close()


def test_the_3d_view_turns_with_a_drag_and_the_arrow_keys_and_reads_the_loss(browser, app_url):
    context, page, _requests = open_surface(browser, app_url, "el")
    canvas = page.locator(".sf-3d canvas.sf-canvas")
    canvas.scroll_into_view_if_needed()
    angles = "(c) => [c.chart.azimuth, c.chart.elevation]"
    picture = "(c) => c.toDataURL()"
    first, image = canvas.evaluate(angles), canvas.evaluate(picture)
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.55
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 100, y + 40, steps=5)
    page.mouse.up()
    page.wait_for_timeout(100)
    dragged = canvas.evaluate(angles)
    assert dragged[0] == pytest.approx(first[0] - 50) and dragged[1] == pytest.approx(first[1] + 16)
    assert canvas.evaluate(picture) != image
    canvas.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    page.wait_for_timeout(100)
    assert canvas.evaluate(angles) == pytest.approx([dragged[0] + 10, dragged[1] + 5])
    centre = canvas.evaluate("(c) => { const n = c.chart.n, k = (n * n - 1) / 2; return c.chart.corners[k]; }")
    page.mouse.move(box["x"] + centre[0] + 12, box["y"] + centre[1] + 12)  # beside θ's dot, on the surface
    text = page.evaluate(TIP, ".sf-3d")
    assert re.fullmatch(r"a −?\d,\d\d, b −?\d,\d\d: loss \d+,\d{4}, ακρίβεια \d+,\d\d%", text), text
    context.close()


def test_on_a_phone_the_3d_view_writes_a_and_b_on_its_floor(browser, app_url):
    """At 390 px its edges are short: fewer numbers, but a few along each (they were all dropped before)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{app_url}/loss_surface?lang=el")
    page.wait_for_function(DRAWN, timeout=180_000)
    settle(page, 180_000)
    canvas = page.locator(".sf-3d canvas.sf-canvas")
    canvas.scroll_into_view_if_needed()
    numbers = canvas.evaluate("(c) => c.chart.numbers")
    assert len(numbers["a"]) >= 2 and len(numbers["b"]) >= 2, numbers
    assert all(re.fullmatch(r"−?\d,\d", label) for label in numbers["a"] + numbers["b"]), numbers
    assert canvas.bounding_box()["width"] <= 390
    context.close()
