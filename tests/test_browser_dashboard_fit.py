"""The teacher's dashboard on a 1024x700 laptop and a 390x844 phone, in English and Greek (Debian's chromium).

A class of five on the guided path (its widest table): a 40-character Greek name, a 40-letter name
with no place to break, an HTML-looking name that joins through the real form, and two short ones.
In the browser the test measures what a teacher sees: every name whole (each line of its text
inside its cell, the cell inside the table's visible box and the window, nothing scrolled inside
the cell), every column header reachable (in view, or in view after the table alone scrolls
sideways) while the names stay pinned where they were and on top, the page itself never wider
than the window, and the HTML-looking name as text (no <img> made of it).
Screenshots: test-output/screens/dashboard-SIZE-LANGUAGE.png, and -scrolled.png with the table scrolled to its end.
"""

import os
import time

import pytest

from core.classwork.labs import GUIDED_PATH
from core.classwork.lesson import MAX_STUDENT_NAME, Lesson
from core.training.settings import Settings
from deploy.browser import settle
from runs.classes import Progress
from runs.store import RunStore
from tests.browser_fixtures import SCREENSHOTS, exception_boxes
from tests.test_browser_layout import LAPTOP, PHONE

pytestmark = pytest.mark.browser

GREEK = "Αλεξάνδρα-Μαρία Παπαδοπούλου-Αθανασιάδου"
UNBROKEN = "Wolfeschlegelsteinhausenbergerdorffvoral"
HOSTILE = "<img src=x onerror=a"
NAMES = [GREEK, UNBROKEN, HOSTILE, "Zoë", "Li"]
TASKS = ("first_epoch", "accuracy_90", "silence_all", "branch", GUIDED_PATH)

# Every problem a teacher would see in the student table: names cut or covered, columns out of reach.
MEASURE = """(names) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const table = [...main.querySelectorAll('table')].find(t => names.every(n => t.textContent.includes(n)));
  if (!table) return ['no table holds every name'];
  const problems = [];
  const rows = [...table.querySelectorAll('tr')];
  const headers = [...rows[0].children];
  let scroller = table.parentElement;
  while (scroller !== main && !/(auto|scroll)/.test(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
  const inside = (box, frame, slack = 1) => box.left >= frame.left - slack && box.right <= frame.right + slack &&
                                           box.top >= frame.top - slack && box.bottom <= frame.bottom + slack;
  const frame = () => { const s = scroller.getBoundingClientRect(), w = {left: 0, top: 0, right: innerWidth,
                                                                          bottom: document.documentElement.scrollHeight};
                        return {left: Math.max(s.left, w.left), right: Math.min(s.right, w.right),
                                top: s.top, bottom: s.bottom}; };
  if (document.documentElement.scrollWidth > innerWidth + 1)
    problems.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${innerWidth}-px window`);
  // A name's cell: the first cell of the row that reads it; every line of its text inside the cell and the frame.
  const nameCells = () => names.map(name => {
    const row = rows.slice(1).find(r => r.children[0] && r.children[0].textContent.trim() === name);
    return [name, row && row.children[0]];
  });
  const checkNames = (when) => {
    for (const [name, cell] of nameCells()) {
      if (!cell) { problems.push(`${when}: no row's first cell reads ${name}`); continue; }
      cell.scrollIntoView({block: 'center', inline: 'nearest'});  // clear of Streamlit's header bar
      const box = cell.getBoundingClientRect(), shown = frame();
      if (box.width < 2 || box.height < 2 || getComputedStyle(cell).visibility === 'hidden')
        { problems.push(`${when}: ${name} is not drawn (${Math.round(box.width)}x${Math.round(box.height)})`); continue; }
      if (!inside(box, shown)) problems.push(`${when}: ${name}'s cell ${Math.round(box.left)}-${Math.round(box.right)} `
                                             + `outside the shown ${Math.round(shown.left)}-${Math.round(shown.right)}`);
      for (const e of [cell, ...cell.querySelectorAll('*')])
        if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
          problems.push(`${when}: ${name} overflows its ${e.tagName.toLowerCase()} (${e.scrollWidth}>${e.clientWidth})`);
      const range = document.createRange();
      range.selectNodeContents(cell);
      for (const line of range.getClientRects())
        if (line.width > 0 && !inside(line, box)) problems.push(`${when}: a line of ${name} is cut by its cell`);
      const x = Math.min(box.right - 2, Math.max(box.left + 2, (box.left + box.right) / 2)), y = (box.top + box.bottom) / 2;
      const top = document.elementFromPoint(x, y);
      if (y >= 0 && y < innerHeight && !(top && cell.contains(top)))
        problems.push(`${when}: ${name} is covered by ${top ? top.tagName.toLowerCase() + '.' + top.className : 'nothing'}`);
    }
  };
  const pinned = () => nameCells().map(([, cell]) => cell ? Math.round(cell.getBoundingClientRect().left) : null);
  scroller.scrollLeft = 0;
  checkNames('at first');
  const before = pinned(), nameRight = rows[0].children[0].getBoundingClientRect().right;
  const reached = [];
  for (const header of headers.slice(1)) {
    // Scroll the table (never the page) so the header starts just right of the pinned names.
    scroller.scrollLeft = Math.max(0, header.offsetLeft - headers[0].offsetWidth);
    const box = header.getBoundingClientRect(), shown = frame(), label = header.textContent.trim();
    if (box.width < 2 || !inside({left: box.left, right: box.right, top: shown.top, bottom: shown.bottom}, shown))
      problems.push(`column ${label || '?'} out of reach: ${Math.round(box.left)}-${Math.round(box.right)} in `
                    + `${Math.round(shown.left)}-${Math.round(shown.right)} at scroll ${scroller.scrollLeft}`);
    else reached.push(label);
    if (header.scrollWidth > header.clientWidth + 1) problems.push(`column header ${label} cut`);
    if (JSON.stringify(pinned()) !== JSON.stringify(before))
      problems.push(`names moved from ${before} to ${pinned()} when the table scrolled to ${label}`);
    if (box.left < nameRight - 1 && scroller.scrollLeft > 0) problems.push(`column ${label} slides under the names`);
  }
  scroller.scrollLeft = scroller.scrollWidth;
  checkNames('scrolled to the end');
  scroller.scrollLeft = 0;
  return {problems, reached, scrolls: scroller.scrollWidth > scroller.clientWidth + 1,
          images: main.querySelectorAll('img[src="x"]').length};
}"""

SCROLL_TO_END = """(names) => {
  const table = [...document.querySelectorAll('[data-testid="stMain"] table')]
                  .find(t => names.every(n => t.textContent.includes(n)));
  for (let e = table.parentElement; e; e = e.parentElement)
    if (/(auto|scroll)/.test(getComputedStyle(e).overflowX)) { e.scrollLeft = e.scrollWidth; return; }
}"""


@pytest.fixture(scope="module")
def a_class(browser, app_url):
    """The class, its students and their progress (the hostile name through the join form); (class id, teacher key)."""
    store = RunStore(os.environ["BACKPROP_STORE"])  # the store the served app uses (tests/conftest.py)
    class_id, secret = store.create_class("Lab <b>5</b>", Lesson(Settings(), frozenset(), (), TASKS),
                                          time.time() + 86400)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{app_url}/teach?join={class_id}")
    page.get_by_role("textbox", name="Your name").wait_for(timeout=90_000)
    settle(page, 90_000)
    # the limit is said before any name is refused
    assert f"at most {MAX_STUDENT_NAME} characters" in page.locator('[data-testid="stMain"]').inner_text()
    page.get_by_role("textbox", name="Your name").fill(HOSTILE)
    page.get_by_role("button", name="Join the class").click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"]').innerText.includes("
                           "\"Your run's link\")", timeout=90_000)
    assert page.locator('img[src="x"]').count() == 0
    context.close()
    for name in NAMES:
        if name != HOSTILE:
            store.join_class(class_id, name, store.create_run(Settings()))
    now = time.time()
    store.write_progress({member.id: (member.run_id, Progress(
        active=now - 90 * index, step=60_000 + 1234 * index, epoch=1, sample=1234 * index, accuracy=0.8998 + index / 100,
        accuracy_step=60_000, silent=index, hidden=100, losses=(0.9, 0.5, 0.31, 0.2), tasks=TASKS[:index + 1]))
        for index, member in enumerate(store.class_members(class_id))})
    store.close()
    return class_id, secret


@pytest.mark.parametrize("language", ["en", "el"])
@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_every_name_whole_and_every_column_in_reach(browser, app_url, a_class, size, language):
    class_id, secret = a_class
    context = browser.new_context(**(PHONE if size == "phone" else dict(viewport=LAPTOP)))
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{app_url}/teach?class={class_id}&key={secret}&lang={language}")
    page.wait_for_function("names => names.every(name => [...document.querySelectorAll('[data-testid=\"stMain\"] "
                           "table')].some(table => table.textContent.includes(name)))", arg=NAMES, timeout=90_000)
    settle(page, 90_000)
    measured = page.evaluate(MEASURE, NAMES)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{size}-{language}.png"))
    page.evaluate(SCROLL_TO_END, NAMES)
    page.wait_for_timeout(300)  # the scroll painted
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{size}-{language}-scrolled.png"))
    assert not exception_boxes(page) and dialogs == []
    problems = measured["problems"] if isinstance(measured, dict) else measured
    assert problems == [], "\n".join(problems)
    assert measured["images"] == 0  # the HTML-looking name stayed text
    assert len(measured["reached"]) >= 9  # every column after the names: Lab, Step, …, Done
    context.close()


def test_a_header_sorts_the_table_and_a_refresh_keeps_the_keyboard_focus(browser, app_url, a_class):
    class_id, secret = a_class
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{app_url}/teach?class={class_id}&key={secret}")
    page.locator(".class-table").wait_for(timeout=90_000)
    settle(page, 90_000)
    names = "() => [...document.querySelectorAll('.class-table tbody tr')].map(row => row.children[0].textContent)"
    page.get_by_role("button", name="Student", exact=True).click()
    assert page.evaluate(names) == sorted(NAMES, key=str.casefold)
    page.get_by_role("button", name="Student", exact=True).click()  # again: the other way
    assert page.evaluate(names) == sorted(NAMES, key=str.casefold, reverse=True)
    page.get_by_role("button", name=f"Open {GREEK}'s run, read-only").focus()
    page.wait_for_timeout(6_000)  # the table refreshes itself every 5 s
    settle(page)
    assert page.evaluate("() => document.activeElement.textContent") == GREEK
    assert page.evaluate(names) == sorted(NAMES, key=str.casefold, reverse=True)  # the order kept too
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.pathname.endsWith('/train')", timeout=60_000)
    page.wait_for_function("text => document.querySelector('[data-testid=\"stMain\"]').innerText.includes(text)",
                           arg=f"{GREEK}'s run, read-only", timeout=60_000)
    context.close()
