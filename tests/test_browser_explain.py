"""Explain this number in a real browser: a click on a bar of Forward pass opens its sum, filled in, and it adds up.

The numbers read off the dialog (its heading, and the terms in its table) are checked against the
core's forward pass of the same image with the same weights, computed here independently.
"""

import re

import numpy as np

from core.model import network
from core.model.network import init_parameters
from core.training.settings import Settings
from deploy.browser import settle
from tests.browser_fixtures import exception_boxes, screenshot


def read_number(text: str) -> float:
    return float(text.strip().replace("−", "-"))


def test_a_click_on_an_a2_bar_opens_its_softmax_filled_in_and_one_level_down(page, mnist):
    page.locator('[data-testid="stSidebarNav"] a', has_text="Forward pass").first.click()
    probabilities = page.locator(".st-key-forward_a2 svg.ck-svg")  # drawn by the chart kit (static/chart_kit.js)
    bars = probabilities.locator("rect.ck-bar")
    bars.first.wait_for(state="attached", timeout=180_000)
    settle(page, 120_000)
    probabilities.scroll_into_view_if_needed()
    assert bars.count() == 10
    bars.nth(7).click()
    dialog = page.locator('[role="dialog"]')
    dialog.locator("h4").first.wait_for(timeout=30_000)
    settle(page)
    assert not exception_boxes(page)
    screenshot(page, "explain-a2")
    settings = Settings()
    values = network.forward(init_parameters(settings.hidden, settings.init, settings.seed),
                             network.pixels(mnist.test_images[0]))
    heading = dialog.locator("h4").first.inner_text()
    assert heading.startswith("A2₇ = ")
    assert abs(read_number(heading.split("=")[1]) - values.A2[7]) < 5e-6
    # The equation as typeset (KaTeX keeps its TeX): the ten e^(Z2_d − m) filled in, and the quotient they make.
    tex = " ".join(dialog.locator("annotation").all_text_contents())
    shifted = values.Z2 - values.Z2.max()
    numerator, denominator = (float(number) for number in re.search(r"\\frac\{([\d.]+)\}\{([\d.]+)\}", tex).groups())
    assert abs(numerator - float(np.exp(shifted[7]))) < 5e-5
    assert abs(denominator - float(np.exp(shifted).sum())) < 5e-5
    assert "6 more terms" in tex  # the four largest written out, the other six summed under a brace
    dialog.locator('[class*="st-key-explain_open_Z2_7"] button').click()
    page.wait_for_function("() => document.querySelector('[role=\"dialog\"] h4')?.innerText.startsWith('Z2₇')",
                           timeout=30_000)
    settle(page)
    heading = dialog.locator("h4").first.inner_text()
    assert abs(read_number(heading.split("=")[1]) - values.Z2[7]) < 1e-5
    assert "A2₇" in dialog.inner_text()  # the path back up
    assert "explain=Z2_7" in page.url and "image=test_0" in page.url
