"""Compare's curves drawn in the browser (static/compare_panel.js), in Debian's chromium, in English and Greek.

Three Step clicks on the three gradient rules; the panel's curves are read from the page and compared
with ui/figures.training_curves of three fresh runs trained alone in lockstep here; the legend, the axis
titles, each panel's alt text and the values the keyboard reads out are read as a learner meets them;
the table's figures and the colours of every run's W1 tiles, read from the page's pixels, are the fresh
runs' own; and the screen is checked whole (nothing cut, no text over text) at 1024x700 and on a 390x844 phone.
"""

import numpy as np
import pytest

import locales
from core.training import lockstep
from core.training.history import History
from core.training.settings import Settings
from core.training.trainer import Trainer
from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes, screenshot
from tests.test_browser_fit import FIT
from tests.test_browser_layout import PHONE, PROBLEMS
from ui import compare_panel, figures
from ui.compare_panel import weight_codes

pytestmark = pytest.mark.browser

WORDS = {  # per language: the Compare link, the runs' names, the step axis, the own-loss hover's words
    "en": ("Compare", ["document's rule", "exact MSE rule", "cross-entropy rule"], "step", "over the steps to 3"),
    "el": ("Σύγκριση", ["κανόνας του κειμένου", "κανόνας MSE", "κανόνας cross-entropy"], "βήμα",
           "στα βήματα έως το 3"),
}
SHOWN = """() => ({
  series: window.__comparePanel.series, bytes: window.__comparePanel.bytes, full: window.__comparePanel.full,
  legend: [...document.querySelectorAll('.cp-legend .cp-key')].map(e => e.innerText.trim()),
  titles: [...document.querySelectorAll('.cp-title')].map(e => e.textContent),
  axes: [...document.querySelectorAll('.cp-chart')]
      .map(s => [...s.querySelectorAll('.cp-axis-title')].map(t => t.textContent)),
  alts: [...document.querySelectorAll('.cp-chart')].map(s => s.getAttribute('aria-label')),
  lines: [...document.querySelectorAll('.cp-chart')].map(s => s.querySelectorAll('.cp-line').length),
  sent: window.__comparePanel.drawn,
  headers: [...document.querySelectorAll('.cp-table th')].map(e => e.innerText.trim()),
  rows: [...document.querySelectorAll('.cp-table tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim())),
})"""
# Each run's canvas of W1 tiles: its alt text and, for every unit, the colours drawn at the centres of `pixels`.
TILES = """pixels => {
  const t = window.__comparePanel.tiles, ratio = window.devicePixelRatio || 1;
  return [...document.querySelectorAll('.cp-tiles')].map((canvas, run) => ({
    alt: canvas.getAttribute('aria-label'),
    colours: t.runs[run].map(([left, top, side]) => pixels.map(p => [...canvas.getContext('2d').getImageData(
      Math.floor((left + (p % 28 + 0.5) * side / 28) * ratio), Math.floor((top + (Math.floor(p / 28) + 0.5) * side / 28) * ratio),
      1, 1).data.slice(0, 3)])),
  }));
}"""
PIXELS = [row * 28 + column for row in range(3, 25, 3) for column in range(3, 25, 3)]  # inside any silent frame
ENDS = {True: np.array([178, 24, 43]), False: np.array([33, 102, 172])}  # figures.diverging_rgb's red and blue


def step(page, serial: int) -> int:
    """Click Step; the panel's blob serial once the panel has drawn the new step."""
    page.locator('[class*="st-key-compare_step_1"] button').first.click()
    page.wait_for_function("serial => window.__comparePanel && window.__comparePanel.serial > serial", arg=serial,
                           timeout=60_000)
    settle(page)
    return page.evaluate("() => window.__comparePanel.serial")


def lockstep_runs(mnist, steps: int = 3):
    """The three gradient rules' runs trained alone here, `steps` samples in lockstep."""
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainers = [Trainer(settings, *data) for settings in lockstep.gradient_rule_set(Settings())]
    lockstep.train_in_lockstep(trainers, steps)
    return trainers


def tile_codes(trainers) -> list[np.ndarray]:
    """Each run's W1 on the runs' shared scale, a row per unit, as the panel sends it (one byte a weight)."""
    limit = max(float(np.abs(trainer.params.W1).max()) for trainer in trainers)
    return [weight_codes(trainer.params.W1, limit) for trainer in trainers]


def expected_colours(W1: np.ndarray, limit: float) -> np.ndarray:
    """figures.diverging_rgb of each weight: white at 0, to red at +limit and blue at −limit (float, before rounding)."""
    t = np.clip(W1 / limit, -1, 1)[..., None]
    return 255 + np.abs(t) * (np.where(t >= 0, ENDS[True], ENDS[False]) - 255)


def expected_curves(mnist):
    """Each run's (own loss, Σ(A2 − y)², accuracy) curves after 3 steps in lockstep, as ui/figures computes them."""
    trainers = lockstep_runs(mnist)
    correct = History.SERIES.index("correct")
    curves = []
    for trainer in trainers:
        own_column = History.SERIES.index(compare_panel.own_loss(trainer.settings.rule)[0])
        own = figures.training_curves(trainer.history.bins, own_column, correct, [])
        mse = figures.training_curves(trainer.history.bins, History.SERIES.index("loss"), correct, [])
        curves.append((own, mse))
    return curves


@pytest.mark.parametrize("language", ["en", "el"])
def test_three_steps_draw_one_curve_per_run_with_its_words(browser, app_url, mnist, language):
    link, labels, step_axis, over = WORDS[language]
    context = browser.new_context(viewport={"width": 1024, "height": 700})
    page = context.new_page()
    try:
        page.goto(f"{app_url}?lang={language}")
        settle(page)
        open_screen(page, link)
        page.locator('[class*="st-key-compare_rules"] button').click()
        page.locator('[class*="st-key-compare_step_100"] button').wait_for(timeout=60_000)
        settle(page)
        serial = -1
        for _click in range(3):
            serial = step(page, serial)
        shown = page.evaluate(SHOWN)
        assert exception_boxes(page) == []

        # A Step sends only its changes: new bins, snapshot numbers, words, and the W1 tiles whose colours moved
        before, after = tile_codes(lockstep_runs(mnist, 2)), tile_codes(lockstep_runs(mnist, 3))
        moved = sorted(f"W1_{run}_{unit}" for run in range(3) for unit in range(10)
                       if not np.array_equal(before[run][unit], after[run][unit]))
        assert not shown["full"] and [name for name in shown["sent"] if name.startswith("W1_")] == moved
        assert "text" not in shown["sent"]
        assert shown["bytes"] < 5_000 + 800 * len(moved), shown["bytes"]
        assert shown["legend"] == labels
        assert shown["lines"] == [3] * 6, "one line per run on each panel"
        for run, (own, mse) in enumerate(expected_curves(mnist)):
            for panel, (steps, values) in enumerate(((own.steps, own.loss), (mse.steps, mse.loss),
                                                     (mse.steps, mse.accuracy))):
                assert shown["series"][panel][run]["x"] == steps.tolist()
                assert np.allclose(shown["series"][panel][run]["y"], values, rtol=1e-12)
        words = locales.catalog(language).gettext
        titles = [words(title) for title, _y in compare_panel.PANELS]
        y_titles = [words(y_title) for _title, y_title in compare_panel.PANELS]
        epoch_axis = words("epoch")
        assert shown["titles"] == titles
        assert shown["axes"] == [[x_title, y_title] for x_title, y_title in
                                 zip([step_axis] * 3 + [epoch_axis] + [step_axis] * 2, y_titles)]
        no_test = words("measured on the 10,000 test images<br>at the end of each epoch").replace("<br>", " ")
        for panel, (title, alt) in enumerate(zip(titles, shown["alts"])):
            assert alt.startswith(title)
            assert no_test in alt if panel == 3 else all(f"{label}: " in alt for label in labels)

        page.locator(".cp-chart").first.focus()
        page.keyboard.press("End")
        read = page.locator(".cp-panel .sp-tooltip").first.inner_text().splitlines()
        own = [curves[0].loss[-1] for curves in expected_curves(mnist)]
        decimal = "," if language == "el" else "."
        assert [line.split(":")[0] for line in read] == labels
        for line, value in zip(read, own):
            assert f"{value:.4f}".replace(".", decimal) in line and line.endswith(over)
        check_table_and_tiles(page, shown, mnist, language, labels)
        assert page.evaluate(PROBLEMS) + page.evaluate(FIT, True) == [], "at 1024x700"
        screenshot(page, f"compare-panel-three-steps-{language}")
        page.set_viewport_size(PHONE["viewport"])
        page.wait_for_function("() => document.querySelector('.cp-grid.cp-stacked')")
        settle(page)
        assert page.evaluate(PROBLEMS) + page.evaluate(FIT, False) == [], "on a 390x844 phone"
        screenshot(page, f"compare-panel-three-steps-{language}-phone")
    finally:
        context.close()


def check_table_and_tiles(page, shown, mnist, language, labels):
    """The table's figures and the pixels of every run's W1 tiles are those of the runs trained alone here."""
    words = locales.catalog(language).gettext
    sign = "," if language == "el" else "."
    trainers = lockstep_runs(mnist)
    assert shown["headers"] == [words("run"), "α", words("training accuracy, this epoch"), words("test accuracy"),
                                words("silent units"), words("Train screen")]
    for row, trainer, label in zip(shown["rows"], trainers, labels):
        assert row[0].endswith(label)
        assert row[1:5] == [f"{trainer.settings.learning_rate:g}".replace(".", sign),
                            f"{trainer.history.train_accuracy:.2%}".replace(".", sign), words("after epoch 1"),
                            words("{silent} of {hidden}").format(silent=int(trainer.dead_units().sum()), hidden=10)]
        assert row[5] == words("open")
    limit = max(float(np.abs(trainer.params.W1).max()) for trainer in trainers)
    drawn = page.evaluate(TILES, PIXELS)
    alt = words("W1 of {run} at step {step}: the 28×28 templates of its {hidden} hidden units, blue for negative and "
                "red for positive, from −{limit} to +{limit}")
    assert len(drawn) == 3
    for canvas, trainer, label in zip(drawn, trainers, labels):
        assert canvas["alt"] == alt.format(run=label, step=3, hidden=10, limit=f"{limit:.2g}".replace(".", sign))
        expected = expected_colours(trainer.params.W1[PIXELS].T, limit)  # (unit, pixel, channel)
        # one byte a weight: a colour within 1/127 of the scale of the exact one, then truncated as the PNG was
        assert np.abs(np.array(canvas["colours"]) - expected).max() <= 2.5
