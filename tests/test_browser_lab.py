"""The Lab in a real browser at 1024x700: a learner walks the first two labs, working each answer out from the screen."""

import re

import numpy as np
import pytest

from deploy.browser import open_screen, settle
from tests.browser_fixtures import exception_boxes, open_page, screenshot

pytestmark = pytest.mark.browser
NUMBER = r"-?−?\d+\.\d+"


@pytest.fixture
def laptop(browser, app_url):
    page = open_page(browser, app_url, heading=False)
    yield page
    page.context.close()


def question(page) -> str:
    return page.locator('[data-testid="stForm"] [data-testid="stMarkdownContainer"]').first.inner_text()


def values_after(text: str, marker: str) -> np.ndarray:
    """The k: value pairs after `marker`, in k order."""
    return np.array([float(value.replace("−", "-")) for value in re.findall(NUMBER, text.split(marker)[1])])


def answer_number(page, value: float) -> None:
    field = page.locator('[data-testid="stForm"] input[type="number"]')
    field.fill(f"{value:.4f}")
    field.press("Tab")
    check(page)


def answer_choice(page, text: str) -> None:
    page.locator('[data-testid="stForm"] [data-testid="stRadio"] label').filter(
        has_text=re.compile(f"^{re.escape(text)}$")).click()
    check(page)


def check(page) -> None:
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    settle(page)
    assert exception_boxes(page) == []


def verdict(page) -> str:
    return page.locator('[data-testid="stAlertContentSuccess"] [data-testid="stMarkdownContainer"], '
                        '[data-testid="stAlertContentWarning"] [data-testid="stMarkdownContainer"]').first.inner_text()


def test_a_learner_walks_the_first_two_labs_at_1024x700(laptop):
    page = laptop
    open_screen(page, "Lab")
    screenshot(page, "lab-1024-first-question")
    # Lab 1, question 1: A1 = ReLU(Z1) of the unit the question names.
    z1 = values_after(question(page), "Z1 =")[0]
    answer_number(page, max(0.0, z1))
    assert verdict(page).startswith("Right.")
    # Question 2: the predicted digit is the one with the largest Z2.
    text = question(page)
    z2 = values_after(text, "Z2 is")[:10]
    answer_choice(page, str(int(np.argmax(z2))))
    assert verdict(page).startswith("Right.")
    assert page.get_by_text("Lab done.").count() == 1
    page.get_by_role("button", name=re.compile("^Next lab")).click()
    settle(page)
    assert "2 · The loss" in page.locator("h3").first.inner_text()
    # Lab 2, question 1: L = Σ (A2 − y)² from the A2 shown (three decimals), within the tolerance.
    text = question(page)
    label = int(re.search(r"a (\d)\b", text).group(1))
    a2 = values_after(text, "A2 =")[:10]
    answer_number(page, float(((a2 - np.eye(10)[label]) ** 2).sum()))
    assert verdict(page).startswith("Right."), verdict(page)
    # Question 2: a wrong answer on purpose (the smallest term), and the reason names the largest.
    text = question(page)
    label = int(re.search(r"a (\d)\b", text).group(1))
    terms = (values_after(text, "A2 =")[:10] - np.eye(10)[label]) ** 2
    answer_choice(page, str(int(np.argmin(terms))))
    said = verdict(page)
    assert said.startswith(f"Not this time: you said {int(np.argmin(terms))}, the run gave {int(np.argmax(terms))}.")
    assert "(A2 − " in said and "is the largest" in said
    assert page.get_by_text("Lab done.").count() == 1
    assert "2 of 8 labs done · 3 of 4 predictions right" in page.locator('[data-testid="stProgress"]').inner_text()
    # The answers are in the run's log: the link (run id in the URL) reopens the path at lab 3.
    run = re.search(r"run=([^&]+)", page.url).group(1)
    page.goto(re.sub(r"/[^/?]*\?.*$", f"/lab?run={run}", page.url))
    settle(page)
    assert "3 · One step of gradient descent by hand" in page.locator("h3").first.inner_text()
    screenshot(page, "lab-1024-resumed-at-lab-3")
    assert exception_boxes(page) == []
