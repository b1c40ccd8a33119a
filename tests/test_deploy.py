"""Serving a classroom (deploy/, bench/learners.py): sessions stay on their replica behind nginx,
new browsers spread over the replicas, and learners on one process keep separate models.

The nginx and browser tests are skipped, with the reason, where nginx or chromium is missing;
under CI (the CI environment variable set) they fail instead, since `make test` installs both.
"""

import asyncio
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.learners import Learner, train_step
from deploy.processes import StreamlitProcess
from deploy.proxy import REPLICA_HEADER, ROUTE_COOKIE, find_nginx, render_config
from deploy.serve import Cluster

def require(program: str, found: str | None) -> None:
    if found:
        return
    reason = f"{program} is not installed (Debian package {program}; `make test` installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster():
    """Two replicas of app.py behind nginx; a reload drops WebSockets after one second."""
    require("nginx", find_nginx())
    with Cluster("app.py", replicas=2, shutdown_timeout="1s") as running:
        yield running


def route_cookie(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == ROUTE_COOKIE), None)


def wait_for_step(page, step: int) -> None:
    """Until the main column's position text shows this step and the rerun has finished drawing (the sidebar's
    line can show it a frame before the Train panel has drawn its new blob)."""
    page.wait_for_function(
        """step => new RegExp(`Step ${step} ·`).test(document.querySelector('[data-testid="stMain"]')?.innerText)
                   && !document.querySelector('[data-stale="true"]')""", arg=step, timeout=30_000)


def shown_step(page) -> int | None:
    match = re.search(r"Step ([\d,]+) ·", page.locator('[data-testid="stMain"]').inner_text())
    return int(match.group(1).replace(",", "")) if match else None


def open_train(context, url: str):
    """A new tab on the Train screen, ready to click; returns (page, the replica that served it)."""
    page = context.new_page()
    response = page.goto(url + "/train")
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=60_000)
    wait_for_step(page, 0)
    return page, response.headers[REPLICA_HEADER.lower()]


def test_config_routes_by_cookie_to_every_replica():
    """The rendered config has no template field left, hashes the route cookie (not the client
    address) over every replica, and upgrades the WebSocket."""
    config = render_config([8601, 8602], "127.0.0.1:8600")
    assert re.findall(r"@[A-Z_]+@", config) == []
    config = "\n".join(line.split("#")[0] for line in config.splitlines())  # directives only
    assert "server 127.0.0.1:8601" in config and "server 127.0.0.1:8602" in config
    assert f"map $cookie_{ROUTE_COOKIE} $route_key" in config
    assert "hash $route_key consistent;" in config and "ip_hash" not in config
    assert "proxy_set_header Upgrade $http_upgrade;" in config


@pytest.mark.browser
def test_browser_session_keeps_its_model_on_its_replica(browser, cluster):
    """20 Steps with three forced WebSocket reconnects in between: every request of the tab went
    to one replica and the model reached step 20, so each reconnect resumed the same session (on
    the wrong replica it would have started over at step 0)."""
    context = browser.new_context()
    replicas_seen = set()
    context.on("response", lambda response: replicas_seen.add(response.headers.get(REPLICA_HEADER.lower())))
    try:
        page, replica = open_train(context, cluster.url)
        cookie = route_cookie(context)
        assert cookie, f"nginx set no {ROUTE_COOKIE} cookie"
        step_button = page.get_by_role("button", name="Step", exact=True)
        for step in range(1, 21):
            if step in (6, 11, 16):
                with page.expect_websocket(timeout=30_000):
                    cluster.proxy.reload()  # old workers close their WebSockets after 1 s
                step_button.wait_for(state="visible")
                page.wait_for_function(
                    """() => ![...document.querySelectorAll('button')]
                                .some(b => b.innerText.trim() === 'Step' && b.disabled)""", timeout=30_000)
                wait_for_step(page, step - 1)
                assert shown_step(page) == step - 1, "the reconnect did not resume the session"
            step_button.click()
            wait_for_step(page, step)
        assert shown_step(page) == 20
        assert route_cookie(context) == cookie
        assert replicas_seen - {None} == {replica}
    finally:
        context.close()


@pytest.mark.browser
def test_new_browsers_spread_over_replicas(browser, cluster):
    """Browsers without a route cookie are hashed by request id, so new ones land on both
    replicas; each keeps its own model."""
    by_replica = {}
    try:
        for _ in range(12):
            context = browser.new_context()
            replica = context.request.get(cluster.url + "/").headers[REPLICA_HEADER.lower()]
            if replica in by_replica:
                context.close()
                continue
            by_replica[replica] = context
            if len(by_replica) == 2:
                break
        assert len(by_replica) == 2, f"12 new browsers all landed on {set(by_replica)}"
        pages = []
        for replica, context in by_replica.items():
            page, served_by = open_train(context, cluster.url)
            assert served_by == replica, "the route cookie did not keep the browser on its replica"
            pages.append(page)
        first, second = pages
        first.get_by_role("button", name="Step ×10", exact=True).click()
        wait_for_step(first, 10)
        second.get_by_role("button", name="Step", exact=True).click()
        wait_for_step(second, 1)
        assert (shown_step(first), shown_step(second)) == (10, 1)
    finally:
        for context in by_replica.values():
            context.close()


@pytest.fixture(scope="module")
def app():
    with StreamlitProcess("app.py") as running:
        yield running


def test_two_learners_on_one_process_keep_their_own_position(app):
    """Protocol-level learners: interleaved and simultaneous clicks move only the clicker's model."""

    async def classroom():
        async with Learner(app.url, name="a") as a, Learner(app.url, name="b") as b:
            await asyncio.gather(a.open(page="train"), b.open(page="train"))
            assert (train_step(a), train_step(b)) == (0, 0)
            for _ in range(3):
                await a.click("Step")
            await b.click("Step ×10")
            assert (train_step(a), train_step(b)) == (3, 10)
            await asyncio.gather(a.click("Step ×10"), b.click("Step"))
            assert (train_step(a), train_step(b)) == (13, 11)
            await b.open(page="weights")
            await b.open(page="train")
            assert train_step(b) == 11, "a page switch lost the session's model"
            assert a.errors == [] and b.errors == []
            assert a.session_id != b.session_id

    # A thread of its own: Playwright's sync API may hold this thread's event loop.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, classroom()).result()
