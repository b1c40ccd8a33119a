"""The app in Greek, in a real browser (Debian's chromium): every screen at 1280 px and on a 390-px phone.

On each screen: no exception, a screenshot (test-output/screens/greek-*.png), nothing cut or
overflowing (the layout test's measures), and no English sentence in the main text outside the
terms the design document itself keeps in English (the glossary's first column). Maths (KaTeX),
code and Streamlit's own built-in widget texts are not prose of the app's and are left out.
"""

import re
from pathlib import Path

import pytest

from deploy.browser import settle
from tests.browser_fixtures import SCREENSHOTS, exception_boxes
from tests.test_browser_layout import PHONE, PROBLEMS

pytestmark = pytest.mark.browser

GLOSSARY = Path(__file__).resolve().parent.parent / "locales" / "glossary.md"
PATHS = ["lab", "", "dataset", "forward", "train", "weights", "gradients", "errata", "loss_surface", "draw", "evaluate",
         "checkpoint", "compare", "teach"]

# The main column's text, one text node per line, without maths, code and Streamlit's built-in texts.
MAIN_TEXT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const skip = '.katex, code, pre, [data-testid="stCode"], [data-testid="stFileUploaderDropzoneInstructions"], '
             + '.modebar, [data-testid="stExpanderToggleIcon"], [data-testid="stIconMaterial"], svg title';
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const lines = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    if (!node.parentElement.closest(skip) && node.textContent.trim()) lines.push(node.textContent.trim());
  return lines;
}"""


def kept_terms() -> list[str]:
    """The English terms Greek text keeps: the glossary rows whose Greek is the English, longest first."""
    terms = {"Backprop Lab", "MNIST"}
    for line in GLOSSARY.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) >= 2 and cells[0] and cells[0] == cells[1]:
            terms.update(term.strip() for term in cells[0].split(","))
    return sorted(terms, key=len, reverse=True)


CITATION = re.compile(r"\b[A-Z][a-z]+ et al\.?")  # "Li et al. 2018": a paper's authors, not prose
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ -]+[A-Za-z][a-z]+){2,}\b")  # three English words in a row


def english_sentences(lines: list[str]) -> list[str]:
    terms = kept_terms()
    found = []
    for line in lines:
        text = CITATION.sub(" ∙ ", line)
        for term in terms:
            text = re.sub(rf"\b{re.escape(term)}s?\b", " ∙ ", text, flags=re.IGNORECASE)
        found += [match.group(0) for match in ENGLISH_RUN.finditer(text)]
    return found


def open_path(page, url: str, path: str, query: str) -> None:
    page.goto(f"{url}/{path}?{query}")
    page.wait_for_selector("h1", timeout=60_000)
    settle(page)


def test_every_screen_in_greek_has_no_english_sentence_and_nothing_cut_at_1280_px(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="el-GR")
    page = context.new_page()
    open_path(page, app_url, "train", "")  # no ?lang=: the browser's language (el-GR) chooses Greek
    assert page.locator("h1").first.inner_text() == "Εκπαίδευση"
    for _ in range(2):
        page.locator('.sp button[data-name="step_100"]').click()
        settle(page)
    english, problems = {}, {}
    for path in PATHS:
        page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
        page.wait_for_timeout(300)
        settle(page)
        assert exception_boxes(page) == [], f"{path}: {exception_boxes(page)}"
        page.screenshot(path=str(SCREENSHOTS / f"greek-{path or 'home'}-1280.png"), full_page=True)
        assert "lang=el" in page.url or "?" not in page.url, page.url
        found = english_sentences(page.evaluate(MAIN_TEXT))
        if found:
            english[path or "home"] = found
        if page.evaluate(PROBLEMS):
            problems[path or "home"] = page.evaluate(PROBLEMS)
    context.close()
    assert english == {}, "\n".join(f"{path}: {found}" for path, found in english.items())
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_every_screen_in_greek_fits_a_390_px_phone(browser, app_url):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    problems = {}
    for path in PATHS:
        open_path(page, app_url, path, "lang=el")
        assert exception_boxes(page) == [], f"{path}: {exception_boxes(page)}"
        page.screenshot(path=str(SCREENSHOTS / f"greek-{path or 'home'}-phone.png"), full_page=True)
        if page.evaluate(PROBLEMS):
            problems[path or "home"] = page.evaluate(PROBLEMS)
    context.close()
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())
