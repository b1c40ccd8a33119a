"""Compare's curves drawn in the browser (static/compare_panel.js), in Debian's chromium, in English and Greek.

Three Step clicks on the three gradient rules; the panel's curves are read from the page and compared
with ui/figures.training_curves of three fresh runs trained alone in lockstep here; the legend, the axis
titles, each panel's alt text and the values the keyboard reads out are read as a learner meets them,
and the screen is checked whole (nothing cut, no text over text) at 1024x700 and on a 390x844 phone.
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
})"""


def step(page, serial: int) -> int:
    """Click Step; the panel's blob serial once the panel has drawn the new step."""
    page.locator('[class*="st-key-compare_step_1"] button').first.click()
    page.wait_for_function("serial => window.__comparePanel && window.__comparePanel.serial > serial", arg=serial,
                           timeout=60_000)
    settle(page)
    return page.evaluate("() => window.__comparePanel.serial")


def expected_curves(mnist):
    """Each run's (own loss, Σ(A2 − y)², accuracy) curves after 3 steps in lockstep, as ui/figures computes them."""
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainers = [Trainer(settings, *data) for settings in lockstep.gradient_rule_set(Settings())]
    lockstep.train_in_lockstep(trainers, 3)
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

        assert not shown["full"] and shown["bytes"] < 2_000, "a Step sends only its changes: new bins, snapshot numbers"
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
        assert page.evaluate(PROBLEMS) + page.evaluate(FIT, True) == [], "at 1024x700"
        screenshot(page, f"compare-panel-three-steps-{language}")
        page.set_viewport_size(PHONE["viewport"])
        page.wait_for_function("() => document.querySelector('.cp-grid.cp-stacked')")
        settle(page)
        assert page.evaluate(PROBLEMS) + page.evaluate(FIT, False) == [], "on a 390x844 phone"
        screenshot(page, f"compare-panel-three-steps-{language}-phone")
    finally:
        context.close()
