"""Serving a classroom (deploy/, bench/learners.py): sessions stay on their replica behind nginx,
new browsers spread over the replicas, and learners on one process keep separate models.

The nginx and browser tests are skipped, with the reason, where nginx or chromium is missing;
under CI (the CI environment variable set) they fail instead, since `make test` installs both.
"""

import asyncio
import http.server
import os
import re
import socketserver
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.learners import Learner, train_step
from deploy.processes import StreamlitProcess
from deploy.proxy import REPLICA_HEADER, ROUTE_COOKIE, NginxProxy, find_nginx, render_config
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
    """The rendered config has no template field left, routes by the cookie (not the client address)
    to the replica it names, with the others as backups, sends a browser without one to the replica
    with the fewest connections, and upgrades the WebSocket."""
    config = render_config([8601, 8602], "127.0.0.1:8600")
    assert re.findall(r"@[A-Z_]+@", config) == []
    config = "\n".join(line.split("#")[0] for line in config.splitlines())  # directives only
    assert "server 127.0.0.1:8601" in config and "server 127.0.0.1:8602" in config
    assert f"map $cookie_{ROUTE_COOKIE} $route_upstream" in config
    assert "least_conn;" in config and "ip_hash" not in config and "hash " not in config
    for route, (first, backup) in {"r0": (8601, 8602), "r1": (8602, 8601)}.items():
        assert re.search(rf"upstream route_{route} {{\s+server 127.0.0.1:{first} max_fails=0;\s+"
                         rf"server 127.0.0.1:{backup} max_fails=0 backup;", config)
    assert "proxy_set_header Upgrade $http_upgrade;" in config


class PortServer(socketserver.ThreadingTCPServer):
    """A stand-in upstream for routing alone: it answers every GET with its own port."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), PortAnswer)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class PortAnswer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(str(self.server.server_address[1]).encode())

    def log_message(self, *args):
        pass


def test_nginx_keeps_each_browser_on_its_route_and_moves_it_only_when_its_replica_is_gone():
    """New browsers are shared out and sent their route; a known route is kept without a new cookie; when
    its replica is gone the browser is answered by another and sent that one's route, so it stays there."""
    require("nginx", find_nginx())
    upstreams = [PortServer(), PortServer()]
    ports = [server.server_address[1] for server in upstreams]
    proxy = NginxProxy(ports).start()

    def get(route=None) -> tuple[int, str | None]:
        request = urllib.request.Request(proxy.url + "/", headers={"Cookie": f"{ROUTE_COOKIE}={route}"} if route else {})
        with urllib.request.urlopen(request) as response:
            cookie = response.headers.get("Set-Cookie")
            return int(response.read()), cookie and cookie.split(";")[0].split("=")[1]

    try:
        first, second = get(), get()
        assert {first[0], second[0]} == set(ports), "two new browsers landed on one replica"
        assert {first[1], second[1]} == {"r0", "r1"}
        assert get("r0") == (ports[0], None) and get("r1") == (ports[1], None)
        assert get("a-stale-route")[1] in ("r0", "r1")
        upstreams[0].shutdown()
        upstreams[0].server_close()
        assert get("r0") == (ports[1], "r1")
        assert get("r1") == (ports[1], None)
    finally:
        proxy.stop()
        upstreams[1].shutdown()
        upstreams[1].server_close()


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
    """Browsers without a route cookie go to the replica with the fewest connections, so new ones
    land on both replicas; each keeps its own model."""
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


def test_new_learners_are_shared_evenly_between_the_replicas(cluster):
    """Eight learners arriving one after another, each holding its WebSocket open: four on each replica.
    A hashed route split 60 learners 41 to 19, and the busier replica answered slowly."""

    async def arrivals():
        learners = [Learner(cluster.url, name=f"l{number}") for number in range(8)]
        try:
            for learner in learners:
                await learner.connect()
                await learner.open(page="train")
            by_replica = {}
            for learner in learners:
                by_replica[learner.replica] = by_replica.get(learner.replica, 0) + 1
            assert sorted(by_replica.values()) == [4, 4], by_replica
            assert all(learner.errors == [] for learner in learners)
        finally:
            for learner in learners:
                await learner.close()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, arrivals()).result()


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
