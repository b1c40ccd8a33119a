"""Past one machine (deploy/topology.py): two app hosts and a database host, each a network namespace on a
private test network, a front nginx with cookie affinity over the hosts, and a class of 20 protocol-level
learners spread over both, clicking Step once a second while the database stops for 10 s, then while
an app host dies.

Real processes in real namespaces: PostgreSQL in `db`, deploy/serve.py (nginx and Streamlit) in `app-a`
and `app-b`, nginx in the root namespace. It needs root, iproute2, nginx and PostgreSQL; where one is
missing the tests are skipped with the reason, except under CI, where they fail.
"""

import asyncio
import os
import time

import pytest

from core.classwork.lesson import Lesson
from core.classwork.tasks import CATALOGUE
from bench import drill
from deploy.db_host import APP_ROLE, SUPERUSER
from deploy.processes import ServeError
from deploy.topology import Topology, missing
from runs.store import RunStore

LEARNERS = 20
SECONDS = 30  # of clicking, once a second
FAILURE_AT = 10  # seconds into the clicking
OUTAGE = 10  # seconds the database is stopped


def require_topology() -> None:
    lacking = missing()
    if not lacking:
        return
    reason = "cannot simulate hosts here: " + "; ".join(lacking)
    if os.environ.get("CI"):
        pytest.fail(f"under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def topology():
    """db, app-a, app-b and the front; afterwards nothing of it may be left on the machine."""
    require_topology()
    running = Topology(hosts=2, replicas=1)
    try:
        yield running.start()
    finally:
        running.stop()
        assert running.leftovers() == [], "left behind after the tests"


@pytest.fixture
def store(topology):
    """The app's store as the app hosts see it (the root namespace is on the test network too)."""
    opened = RunStore(topology.database.url)
    yield opened
    opened.close()


def new_class(store, name: str) -> tuple[str, str]:
    return store.create_class(name, Lesson(tasks=tuple(task.id for task in CATALOGUE)), time.time() + 3600)


async def seat_class(topology, store, class_id: str, prefix: str) -> list[drill.Seat]:
    seats = await asyncio.gather(*(drill.join(topology.url, class_id, f"{prefix} {number + 1}")
                                   for number in range(LEARNERS)))
    lengths = drill.log_lengths(store, seats)
    for seat in seats:
        seat.start_length = lengths[seat.run_id]
    return seats


def test_the_database_host_takes_only_the_app_role_with_its_password_on_the_test_network(topology):
    """PostgreSQL listens on its test address only; the app's role logs in with its password, owns what
    it creates, and can create neither a role nor a database."""
    import psycopg

    url = topology.database.url.split("?")[0]
    with psycopg.connect(url, autocommit=True) as app:
        assert app.execute("SHOW listen_addresses").fetchone()[0] == topology.database.address
        for statement in ("CREATE ROLE intruder", "CREATE DATABASE another"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(url.replace(f"{APP_ROLE}:", f"{APP_ROLE}:wrong"), connect_timeout=3)
    with pytest.raises(psycopg.OperationalError):  # the superuser has no way in over the network
        psycopg.connect(f"postgresql://{SUPERUSER}@{topology.database.address}:5432/postgres", connect_timeout=3)


def test_clicks_go_on_in_memory_while_the_database_is_stopped_and_are_all_stored_after(topology, store):
    """20 learners over both hosts click once a second; PostgreSQL is stopped for 10 s and started again.
    Every learner saw the notice while it was down and not after; every answered click is in its run's
    log exactly once, and its link opens there."""
    class_id, _secret = new_class(store, "outage")

    async def lesson():
        seats = await seat_class(topology, store, class_id, "outage")
        begin = time.monotonic()
        clicking = asyncio.gather(*(drill.step(seat, begin + SECONDS) for seat in seats))
        await asyncio.sleep(FAILURE_AT)
        await asyncio.to_thread(topology.stop_database)
        stopped = time.monotonic()
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(topology.start_database)
        started = time.monotonic()
        await clicking
        return seats, stopped, started, await drill.check_runs(topology.url, store, seats)

    seats, stopped, started, problems = asyncio.run(lesson())
    assert {seat.host for seat in seats} == set(topology_hosts(topology)), "the learners were not spread"
    for seat in seats:  # first: a learner stopped by an error leaves its last clicks in memory, unstored
        assert seat.errors == [] and seat.learner.errors == [], f"{seat.name}: {seat.errors} {seat.learner.errors}"
    assert problems == []
    for seat in seats:
        assert seat.in_flight == 0, seat.name
        # clicks sent and answered while the database was down, and those sent after it was back
        during = [shown for sent, answered, shown in seat.notices if stopped < sent and answered < started]
        after = [shown for sent, _answered, shown in seat.notices if sent > started]
        assert during and all(during), f"{seat.name} did not see that the store was unreachable: {seat.notices}"
        assert after and not after[-1], f"{seat.name} still sees the notice after the store is back: {seat.notices}"


def topology_hosts(topology) -> list[str]:
    return [f"{topology.network.address(host)}:8501" for host in topology.app_hosts]


def test_a_host_that_dies_loses_no_click_and_the_dashboard_keeps_every_student(topology, store):
    """20 learners over both hosts click once a second, a teacher's dashboard open on each host; app-a
    dies (every process SIGKILLed, its link down). Its learners reconnect through the front to app-b,
    are told in one line that nothing was lost, and go on from their last stored click; app-b's
    learners never see an error; every answered click is stored once; app-b's dashboard still lists
    every student."""
    class_id, secret = new_class(store, "failover")
    a_address, b_address = topology_hosts(topology)

    async def lesson():
        teachers = [await drill.teacher(topology.host_url(host), class_id, secret, f"teacher on {host}")
                    for host in topology.app_hosts]
        seats = await seat_class(topology, store, class_id, "failover")
        shown_before = [await drill.dashboard_students(teacher) for teacher in teachers]
        begin = time.monotonic()
        clicking = asyncio.gather(*(drill.step(seat, begin + SECONDS) for seat in seats))
        await asyncio.sleep(FAILURE_AT)
        await asyncio.to_thread(topology.kill_host, "app-a")
        killed = time.monotonic()
        await clicking
        shown_after = await drill.dashboard_students(teachers[1])
        problems = await drill.check_runs(topology.url, store, seats)
        for teacher in teachers:
            await teacher.close()
        return seats, shown_before, shown_after, problems, killed

    seats, shown_before, shown_after, problems, killed = asyncio.run(lesson())
    moved = [seat for seat in seats if seat.host == a_address]
    stayed = [seat for seat in seats if seat.host == b_address]
    assert moved and stayed and len(moved) + len(stayed) == LEARNERS
    assert shown_before == [LEARNERS, LEARNERS], "a dashboard does not show the students of both hosts"
    assert shown_after == LEARNERS, "app-b's dashboard lost students when app-a died"
    assert problems == []
    for seat in moved:
        assert seat.moved_to == b_address and seat.moved_notice, f"{seat.name} was not told it moved"
        assert seat.answered_after_move is not None, f"{seat.name} answered no click after moving"
        assert seat.errors == [], f"{seat.name}: {seat.errors}\napp-b's log:\n{topology.log_tail('app-b')}"
    for seat in stayed:
        assert seat.errors == [] and seat.learner.errors == [] and not seat.moved_to, seat.name
        assert any(sent > killed for sent, _answered, _shown in seat.notices), f"{seat.name}: no click after the kill"


def test_a_topology_that_fails_to_start_leaves_nothing_behind():
    """An app host whose replicas cannot start: the topology raises, and its namespaces, links and
    processes are gone."""
    require_topology()
    broken = Topology(hosts=1, replicas=1, streamlit_args=("--server.port", "not-a-port"))
    with pytest.raises(ServeError):
        broken.start()
    assert broken.leftovers() == []
