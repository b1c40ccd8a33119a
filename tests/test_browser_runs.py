"""Runs that survive, in Debian's chromium against the app as served: a reload, a second browser, a
killed process, a dead replica, two tabs on one run and a restart under an open tab lose nothing.

Every test starts its own `streamlit run` (deploy/processes.py's StreamlitProcess) on a store of its
own (a SQLite file in tmp_path, or a real PostgreSQL server for the replicas), and reads the run
back through runs.store and lab.stored_runs.trainer_at to check what the page shows.
"""

import os
import re
import signal
import time
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from core.record.events import TrainSamples, apply_events, samples_trained, trainer_from_snapshot
from core.training.trainer import Trainer
from deploy.browser import open_screen, settle
from deploy.processes import StreamlitProcess
from deploy.proxy import REPLICA_HEADER, find_nginx
from deploy.serve import Cluster
from runs.store import RunStore
from lab.stored_runs import trainer_at

pytestmark = pytest.mark.browser
LOGS = None
PARAMETERS = ("W1", "b1", "W2", "b2")


@pytest.fixture(scope="module")
def data(mnist):
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


@contextmanager
def served(store, port=None):
    """The app on `store` (BACKPROP_STORE) as served; yields the StreamlitProcess."""
    app = StreamlitProcess(port=port, env={"BACKPROP_STORE": str(store)}, log_dir=LOGS)
    try:
        app.start().wait_healthy(90)
        yield app
    finally:
        app.stop()


@pytest.fixture
def sqlite_store(tmp_path):
    return tmp_path / "runs.sqlite3"


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    yield context
    context.close()


def wait_for_step(page, step: int, timeout=60_000) -> None:
    """Until the Train screen's position line shows this step and nothing is stale."""
    page.wait_for_function(
        """step => [...document.querySelectorAll('h4')].some(h => h.innerText.startsWith(`Step ${step} ·`))
                   && !document.querySelector('[data-stale="true"]')""", arg=f"{step:,}", timeout=timeout)


def shown_step(page) -> int | None:
    """The step in the Train screen's position line (None while it is not drawn)."""
    for text in page.locator("h4").all_inner_texts():
        match = re.match(r"Step ([\d,]+) ·", text)
        if match:
            return int(match.group(1).replace(",", ""))
    return None


def sidebar_step(page) -> int:
    match = re.search(r"Step ([\d,]+) ·", page.locator('[data-testid="stSidebar"]').inner_text())
    return int(match.group(1).replace(",", ""))


def run_in_url(page) -> str:
    return parse_qs(urlparse(page.url).query)["run"][0]


def open_train(page, url, step=0):
    response = page.goto(url)
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90_000)
    wait_for_step(page, step)
    page.wait_for_function("() => new URLSearchParams(location.search).get('run')", timeout=30_000)
    return response


def click(page, label, then_step) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    wait_for_step(page, then_step)


def curves(page) -> dict:
    """Every curve on screen by name: its x and y, as the chart kit (static/chart_kit.js: Train's epoch charts)
    holds them in the page, and the Train panel's loss and accuracy curves as static/step_panel.js drew them."""
    return page.evaluate("""() => {
        const traces = {};
        for (const chart of Object.values(window.__charts || {}).filter(chart => chart.fields.kind === 'lines')) {
            const n = chart.fields.count;
            chart.fields.series.forEach((series, s) => { traces[series.name] = [Array.from(chart.arrays.x),
                                                                                Array.from(chart.arrays.y.slice(s * n, (s + 1) * n))]; });
        }
        const panel = (window.__stepPanel || {}).curves;
        if (panel) Object.assign(traces, {"loss": [panel.steps, panel.loss],
                                          "training accuracy": [panel.steps, panel.accuracy]});
        return traces;
    }""")


def downloaded_trainer(page, data) -> Trainer:
    """The trainer the app holds for this browser session, from the Save & load screen's checkpoint download."""
    open_screen(page, "Save & load")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download checkpoint").click()
    with open(download.value.path(), "rb") as file:
        return trainer_from_snapshot(file.read(), *data)


def assert_same_parameters(left: Trainer, right: Trainer) -> None:
    for name in PARAMETERS:
        assert np.array_equal(getattr(left.params, name), getattr(right.params, name)), name
    assert left.step_count == right.step_count


def test_reload_and_a_second_browser_open_the_same_run(browser, context, sqlite_store, data):
    """300 steps, then a reload: the same step in the sidebar, the same curves, and the same W1, b1, W2,
    b2 bit for bit — the app's own trainer (its checkpoint download) before and after the reload, and
    the run replayed from the store. The link in a second browser context opens the same run."""
    with served(sqlite_store) as app:
        page = context.new_page()
        open_train(page, app.url + "/train")
        for clicks in (1, 2, 3):
            click(page, "Step ×100", 100 * clicks)
        settle(page)
        run = run_in_url(page)
        shown_curves = curves(page)
        assert any("loss" in name for name in shown_curves) and "α" in shown_curves  # the schedule too
        held = downloaded_trainer(page, data)

        open_screen(page, "Train")
        page.reload()
        wait_for_step(page, 300)
        settle(page)
        assert sidebar_step(page) == 300 and run_in_url(page) == run
        assert {name: trace for name, trace in curves(page).items() if name in shown_curves} == shown_curves
        restored = downloaded_trainer(page, data)

        store = RunStore(sqlite_store)
        stored, position = trainer_at(store, run, data)
        store.close()
        assert held.step_count == 300
        assert_same_parameters(restored, held)
        assert_same_parameters(stored, held)

        other = browser.new_context()
        try:
            second = other.new_page()
            open_train(second, app.url + "/train?run=" + run, step=300)
            assert run_in_url(second) == run
        finally:
            other.close()


def test_a_run_killed_mid_epoch_is_kept_to_within_a_second(context, sqlite_store, data):
    """SIGKILL the app 1.5 s into "Run to end of epoch", start it again on the same store, open the
    link: the run stands at least where the page showed it a second before the kill, and its log
    replayed from the seed gives its stored snapshot bit for bit."""
    with served(sqlite_store) as app:
        page = context.new_page()
        open_train(page, app.url + "/train")
        run = run_in_url(page)
        page.get_by_role("button", name="Run to end of epoch").click()
        seen = []  # (time, step shown) while the epoch runs
        started = time.monotonic()
        while time.monotonic() - started < 1.5:
            step = shown_step(page)
            seen.append((time.monotonic(), step or 0))
            page.wait_for_timeout(50)
        killed_at = time.monotonic()
        os.kill(app.pid, signal.SIGKILL)
        app.process.wait()
    a_second_before = max((step for at, step in seen if at <= killed_at - 1.0), default=0)
    assert seen[-1][1] > 0, "the epoch did not start running"

    with served(sqlite_store) as app:
        page = context.new_page()
        page.goto(f"{app.url}/train?run={run}")
        page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90_000)
        settle(page)
        restored_step = shown_step(page)
        assert run_in_url(page) == run
        assert restored_step >= a_second_before
    store = RunStore(sqlite_store)
    try:
        info = store.run_info(run)
        events = store.events_since(run, 0)
        assert samples_trained(events) == restored_step
        position, blob = store.latest_snapshot(run)
        snapshot = trainer_from_snapshot(blob, *data)
        replayed = apply_events(Trainer(info.settings, *data), events[:position])
    finally:
        store.close()
    assert position > 0
    assert_same_parameters(replayed, snapshot)


@pytest.fixture
def postgres_store():
    from runs.postgres_server import create_database, postgres_programs, temporary_server

    if postgres_programs() is None:
        reason = "PostgreSQL is not installed (Debian package postgresql; `make test` installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"under CI: {reason}")
        pytest.skip(reason)
    with temporary_server() as server:
        yield create_database(server, "backprop_replicas")


def test_a_learner_continues_on_the_other_replica_when_theirs_dies(context, postgres_store):
    """Two replicas behind nginx on one PostgreSQL: kill the learner's replica; a reload lands on the
    other one, which opens the same run at the same step, and a Step goes on from there."""
    if find_nginx() is None:
        if os.environ.get("CI"):
            pytest.fail("under CI: nginx is not installed")
        pytest.skip("nginx is not installed (Debian package nginx; `make test` installs it)")
    with Cluster("app.py", replicas=2, store=postgres_store, shutdown_timeout="1s") as cluster:
        page = context.new_page()
        first = open_train(page, cluster.url + "/train").headers[REPLICA_HEADER.lower()]
        click(page, "Step ×10", 10)
        run = run_in_url(page)
        holder = next(r for r in cluster.replicas if first.endswith(f":{r.port}"))
        os.kill(holder.pid, signal.SIGKILL)
        holder.process.wait()

        second = page.reload().headers[REPLICA_HEADER.lower()]
        assert second != first
        page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90_000)
        wait_for_step(page, 10)
        assert run_in_url(page) == run
        click(page, "Step", 11)
        store = RunStore(postgres_store)
        try:
            assert samples_trained(store.events_since(run, 0)) == 11
        finally:
            store.close()


def test_two_tabs_stepping_one_run_lose_and_repeat_no_step(context, sqlite_store):
    """Two tabs on one run, clicking Step in turn: after every click the clicking tab shows exactly
    the steps in the stored log. The tab that is up to date extends it; the one behind is refused
    (the store holds one event per position), told so, and shows the run as stored."""
    with served(sqlite_store) as app:
        left = context.new_page()
        open_train(left, app.url + "/train")
        run = run_in_url(left)
        right = context.new_page()
        open_train(right, f"{app.url}/train?run={run}")
        store = RunStore(sqlite_store)
        try:
            for turn in range(6):
                page = (left, right)[turn % 2]
                before = shown_step(page)
                page.get_by_role("button", name="Step", exact=True).click()
                page.wait_for_function("before => !document.querySelector('[data-stale=\"true\"]') && "
                                       "[...document.querySelectorAll('h4')].some(h => /^Step /.test(h.innerText) "
                                       "&& !h.innerText.startsWith(`Step ${before} ·`))", arg=f"{before:,}",
                                       timeout=60_000)
                settle(page)
                events = store.events_since(run, 0)
                assert all(event == TrainSamples(1) for event in events)
                assert shown_step(page) == len(events)
                if page is right:
                    assert "moved on in another tab" in page.locator('[data-testid="stMain"]').inner_text()
            assert len(store.events_since(run, 0)) == 3  # the left tab's three clicks, each once
        finally:
            store.close()


def wait_for_reconnect(page, sockets, timeout=60.0) -> None:
    """Until the tab has opened a new WebSocket to the restarted server (as a learner would wait for the page
    to come back to life before clicking); `sockets` collects the page's WebSockets."""
    deadline = time.monotonic() + timeout
    while not any(socket.url.endswith("/_stcore/stream") and not socket.is_closed() for socket in sockets):
        assert time.monotonic() < deadline, "the tab did not reconnect to the restarted server"
        page.wait_for_timeout(200)
    page.wait_for_timeout(1000)


@pytest.mark.parametrize("step_first", [True, False], ids=["step-then-navigate", "navigate-first"])
def test_a_restart_under_an_open_tab_keeps_the_run(context, sqlite_store, step_first):
    """Restart the server under an open tab, then click Step and a navigation link, or a navigation link
    at once, while the tab reconnects (that click reaches the new server without the URL's ?run=): the
    run is kept either way (its id in the URL, its stored steps in the sidebar), and a reload still
    opens it.

    The Step click after a restart may be dropped by Streamlit itself (the button sits in a fragment
    the new server session does not know: "The fragment with id … does not exist anymore"), so the
    step count is read from the store rather than assumed to be 11.
    """
    with served(sqlite_store) as app:
        port = app.port
        page = context.new_page()
        open_train(page, app.url + "/train")
        click(page, "Step ×10", 10)
        run = run_in_url(page)
        sockets = []
        page.on("websocket", lambda socket: sockets.append(socket))
    with served(sqlite_store, port=port):
        if step_first:
            wait_for_reconnect(page, sockets)
            page.get_by_role("button", name="Step", exact=True).click()
            page.wait_for_timeout(2000)
            settle(page)
        open_screen(page, "Weights")
        store = RunStore(sqlite_store)
        try:
            stored = samples_trained(store.events_since(run, 0))
        finally:
            store.close()
        assert stored in (10, 11)
        assert run_in_url(page) == run
        assert sidebar_step(page) == stored
        page.reload()
        page.wait_for_selector('[data-testid="stSidebar"]')
        settle(page)
        assert run_in_url(page) == run and sidebar_step(page) == stored
