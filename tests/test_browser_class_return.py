"""A class a teacher can rely on, in Debian's chromium: one teacher and three students, each in a browser of their own.

- The teacher stays in: the dashboard opens again after a reload, a closed tab and a browser restart
  (the browser keeps the key, ui/browser_memory.py), on a second device from the key link, never with
  the key in the address bar, and not after "Sign out of this class". The key is in no server log.
- A student gets their own run back, and only theirs: the same browser reopening the join link is
  offered "Continue as …"; another browser typing a name already in the class is asked, and a second
  person of that name shows as "… (2)"; the bare address in a browser that has a run reopens it.
- The join form says its 40-character limit before anyone types.

Each test here failed on the main branch before these changes (the teacher was locked out by a reload,
a re-join made a second row of the same student at step 0, the bare address started a fresh run).
"""

import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from deploy.browser import CHROMIUM_FLAGS, chromium_path, open_screen, settle, streamlit_app
from tests.browser_fixtures import exception_boxes, require_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request):
    """(the app's address, a function returning every log it wrote): one process on SQLite, or two replicas behind
    nginx on one PostgreSQL (each browser kept on its replica by nginx; a new browser may land on the other)."""
    if request.param == "sqlite":
        log_dir = Path(__file__).resolve().parent.parent / "test-output"
        log_dir.mkdir(exist_ok=True)
        with streamlit_app() as (url, _process):
            yield url, lambda: (log_dir / f"streamlit-{urlparse(url).port}.log").read_text(errors="replace")
        return
    from deploy.proxy import find_nginx
    from deploy.serve import Cluster
    from runs.postgres_server import create_database, postgres_programs, temporary_server
    if find_nginx() is None or postgres_programs() is None:
        pytest.skip("nginx or PostgreSQL is not installed (`make test` installs both)")
    with temporary_server() as server, Cluster("app.py", replicas=2, store=create_database(server, "class_return"),
                                               shutdown_timeout="1s") as cluster:
        yield cluster.url, lambda: "".join(path.read_text(errors="replace") for folder in
                                           (cluster.log_dir, cluster.proxy.folder) for path in folder.glob("*.log"))


@pytest.fixture(scope="module")
def playwright():
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as running:
        yield running


def open_page(context, url):
    page = context.new_page()
    page.goto(url)
    settle(page)
    return page


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def wait_for_text(page, text, timeout=90_000):
    """Until the screen shows `text` and has settled (generous: two replicas and four browsers on a shared machine)."""
    page.wait_for_function("text => document.querySelector('[data-testid=\"stMain\"]')?.innerText.includes(text)",
                           arg=text, timeout=timeout)
    settle(page, timeout=timeout)


def code_blocks(page) -> list[str]:
    return [text.strip() for text in page.locator('[data-testid="stCode"] code').all_inner_texts()]


def restartable_browser(playwright, profile):
    """A chromium with a profile folder of its own: closing and launching it again is a browser restart."""
    return playwright.chromium.launch_persistent_context(profile, executable_path=chromium_path(),
                                                         args=CHROMIUM_FLAGS, viewport={"width": 1400, "height": 1400})


def create_class(page, name="Lab 7") -> tuple[str, str]:
    open_screen(page, "Teach")
    page.get_by_role("textbox", name="Class name").fill(name)
    page.get_by_role("button", name="Create the class").click()
    wait_for_text(page, "Join link for the students")
    links = code_blocks(page)
    return next(link for link in links if "join=" in link), next(link for link in links if "key=" in link)


def test_the_teacher_stays_in_after_reload_closed_tab_and_restart_until_signing_out(served, playwright):
    url, log = served
    profile = tempfile.mkdtemp(prefix="backprop-teacher-")
    try:
        browser = restartable_browser(playwright, profile)
        teacher = open_page(browser, url)
        join_link, teacher_link = create_class(teacher)
        key = parse_qs(urlparse(teacher_link).query)["key"][0]
        dashboard_address = teacher.url
        assert "key=" not in dashboard_address and "class=" in dashboard_address  # what a projector shows

        teacher.reload()  # F5
        wait_for_text(teacher, "Join link for the students")
        assert "key=" not in teacher.url
        teacher.close()  # the tab closed; the same address (a bookmark) in a new tab
        again = open_page(browser, dashboard_address)
        wait_for_text(again, "Join link for the students")
        browser.close()  # the browser quits and starts again
        browser = restartable_browser(playwright, profile)
        restarted = open_page(browser, dashboard_address)
        wait_for_text(restarted, "Join link for the students")
        assert key not in restarted.url and not exception_boxes(restarted)

        # a second device: the key link opens the dashboard there, and leaves the address bar at once
        with playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS) as other:
            device = open_page(other.new_context(), teacher_link)
            wait_for_text(device, "Join link for the students")
            device.wait_for_function("() => !location.search.includes('key=')", timeout=30_000)
            # a stranger with the plain address (no key, no cookie) sees no dashboard
            stranger = open_page(other.new_context(), dashboard_address)
            wait_for_text(stranger, "holds no teacher key")

        # signing out: this browser forgets the key; the plain address is refused, the key link opens it again
        restarted.get_by_role("button", name="Sign out of this class").click()
        wait_for_text(restarted, "Signed out of the class")
        refused = open_page(browser, dashboard_address)
        wait_for_text(refused, "holds no teacher key")
        browser.close()
        browser = restartable_browser(playwright, profile)
        refused = open_page(browser, dashboard_address)
        wait_for_text(refused, "holds no teacher key")
        back = open_page(browser, teacher_link)
        wait_for_text(back, "Join link for the students")
        browser.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert key not in log()  # Streamlit's log and the app's own (and nginx's, behind it)


def join(page, name):
    page.get_by_role("textbox", name="Your name").fill(name)
    page.get_by_role("button", name="Join the class").click()


def step_in_sidebar(page) -> int:
    match = re.search(r"Step ([\d,]+) ·", page.locator('[data-testid="stSidebar"]').inner_text())
    return int(match.group(1).replace(",", ""))


def test_a_student_gets_their_own_run_back_and_a_namesake_is_asked(served, playwright):
    url, _log = served
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
    try:
        teacher = open_page(browser.new_context(viewport={"width": 1400, "height": 1400}), url)
        join_link, teacher_link = create_class(teacher, "Lab 8")
        maria_browser = browser.new_context(viewport={"width": 1400, "height": 1400})
        maria = open_page(maria_browser, join_link)
        assert "at most 40 characters" in main_text(maria)  # said before anything is typed
        join(maria, "Maria K.")
        wait_for_text(maria, "Your run's link")
        open_screen(maria, "Train")
        maria.get_by_role("button", name="Step ×100").click()
        maria.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]').innerText"
                                ".includes('Step 100 ·')", timeout=60_000)
        run_link = None
        maria.close()  # the tab closed; the join link again, in the same browser
        maria = open_page(maria_browser, join_link)
        wait_for_text(maria, "Continue as Maria K. (step 100)")
        maria.get_by_role("button", name="Continue as Maria K. (step 100)").click()
        wait_for_text(maria, "You joined as Maria K.")
        run_link = next(link for link in code_blocks(maria) if "run=" in link)
        assert step_in_sidebar(maria) == 100

        # the bare address in this browser: her run first, not a fresh one
        bare = open_page(maria_browser, url)
        bare.wait_for_function("() => new URLSearchParams(location.search).get('run')", timeout=30_000)
        settle(bare)
        assert parse_qs(urlparse(bare.url).query)["run"][0] == parse_qs(urlparse(run_link).query)["run"][0]
        assert step_in_sidebar(bare) == 100 and "last run is open again" in bare.locator("body").inner_text()

        # another browser, the same name: asked; as a second person, the dashboard tells them apart
        namesake = open_page(browser.new_context(viewport={"width": 1400, "height": 1400}), join_link)
        join(namesake, "maria k.")
        wait_for_text(namesake, "is already in this class")
        assert "Your run's link" not in main_text(namesake)
        namesake.get_by_role("button", name="I am another person: join").click()
        wait_for_text(namesake, "You joined as maria k.")
        third = open_page(browser.new_context(viewport={"width": 1400, "height": 1400}), join_link)
        join(third, "Zoë")
        wait_for_text(third, "Your run's link")

        teacher.goto(teacher.url)
        settle(teacher)
        wait_for_text(teacher, "Join link for the students")
        teacher.wait_for_function(
            "() => document.querySelectorAll('.class-table tbody tr').length >= 3", timeout=60_000)
        names = teacher.locator(".class-table").first.evaluate(
            "table => [...table.querySelectorAll('tbody tr')].map(row => row.children[0].textContent)")
        assert names == ["Maria K.", "maria k. (2)", "Zoë"]  # one row per person: no duplicate of Maria
        for page in (teacher, maria, bare, namesake, third):
            assert not exception_boxes(page)
    finally:
        browser.close()
