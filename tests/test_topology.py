"""Past one machine (deploy/topology.py): two app hosts and a database host, each a network namespace on a
private test network, a front nginx with cookie affinity over the hosts, and a class of 20 protocol-level
learners spread over both, clicking Step once a second while the database stops for 10 s, while the
front nginx is killed and restarted, while an app host's link goes down, then while an app host dies.

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
UNPLUGGED_SECONDS = 60  # of clicking when a link goes down: the front waits out a silent WebSocket first
FRONT_DOWN = 3  # seconds between the front nginx's death and its restart
FRONT_SECONDS = 50  # of clicking then: 20 learners reconnecting at once take a while on a loaded machine


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


async def lesson_with(topology, store, class_id: str, name: str, seconds: float, failure) -> tuple:
    """The class seated, clicking once a second for `seconds`; `failure()` awaited FAILURE_AT seconds in.

    Returns (the seats, what failure() returned (its moments), the problems drill.check_runs finds)."""
    seats = await seat_class(topology, store, class_id, name)
    begin = time.monotonic()
    clicking = asyncio.gather(*(drill.step(seat, begin + seconds) for seat in seats))
    await asyncio.sleep(FAILURE_AT)
    moments = await failure()
    await clicking
    return seats, moments, await drill.check_runs(topology.url, store, seats)


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

    async def outage():
        await asyncio.to_thread(topology.stop_database)
        stopped = time.monotonic()
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(topology.start_database)
        return stopped, time.monotonic()

    seats, (stopped, started), problems = asyncio.run(
        lesson_with(topology, store, class_id, "outage", SECONDS, outage))
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


def dropped_only(errors: list[str]) -> bool:
    """Nothing in a learner's errors but its connection dropping (and a click that could not be sent then)."""
    return all("connection closed" in error for error in errors)


def test_the_front_nginx_killed_and_restarted_loses_no_click_and_every_learner_goes_on(topology, store):
    """20 learners over both hosts click once a second; the front nginx is SIGKILLed (master and workers)
    and started again 3 s later with the same configuration. Every learner reconnects to the host it
    had (its cookie) and to its own session there (no "moved" notice), goes on clicking, and every
    answered click is stored once."""
    class_id, _secret = new_class(store, "front")

    async def crash_and_restart():
        killed = time.monotonic()
        await asyncio.to_thread(topology.crash_front)
        await asyncio.sleep(FRONT_DOWN)
        await asyncio.to_thread(topology.restart_front)
        return killed, time.monotonic()

    seats, (killed, restarted), problems = asyncio.run(
        lesson_with(topology, store, class_id, "front", FRONT_SECONDS, crash_and_restart))
    print(f"\nfront nginx down {restarted - killed:.1f} s: {drill.waits(seats)}; restarted: "
          f"{drill.first_answers(seats, restarted)}")
    back = sorted(done - restarted for seat in seats for _started, done in seat.reconnected[:1])
    print(f"reconnected {back[0]:.1f} s (first) to {back[-1]:.1f} s (last) after the restart" if back else "")
    assert {seat.host for seat in seats} == set(topology_hosts(topology)), "the learners were not spread"
    assert problems == []
    for seat in seats:
        assert seat.errors == [] and dropped_only(seat.learner.errors), f"{seat.name}: {seat.learner.errors}"
        assert seat.moved_to == seat.host and not seat.moved_notice, f"{seat.name} did not get its session back"
        assert any(sent > restarted for sent, _answered, _shown in seat.notices), f"{seat.name} stopped"


def test_a_host_whose_link_goes_down_is_routed_around_and_loses_no_click(topology, store):
    """20 learners over both hosts click once a second; app-a's link goes down, its processes still
    running. The front gives up on app-a's silent WebSockets and skips the host; its learners reconnect
    to app-b and are told they moved; app-b's learners see nothing; every answered click is stored once.
    The link comes back up and the front sends new learners to app-a again."""
    class_id, _secret = new_class(store, "unplugged")

    async def unplug():
        await asyncio.to_thread(topology.unplug_host, "app-a")
        return time.monotonic()

    seats, unplugged, problems = asyncio.run(
        lesson_with(topology, store, class_id, "unplugged", UNPLUGGED_SECONDS, unplug))
    topology.plug_host("app-a")
    moved, _stayed = assert_moved_from_a_to_b(topology, seats, unplugged)
    print(f"\nlink down, app-a's learners: {drill.waits(moved)}; link down: {drill.first_answers(moved, unplugged)}")
    assert problems == []


def test_a_host_that_dies_loses_no_click_and_the_dashboard_keeps_every_student(topology, store):
    """20 learners over both hosts click once a second, a teacher's dashboard open on each host; app-a
    dies (every process SIGKILLed, its link down). Its learners reconnect through the front to app-b,
    are told in one line that nothing was lost, and go on from their last stored click; app-b's
    learners never see an error; every answered click is stored once; app-b's dashboard still lists
    every student."""
    class_id, secret = new_class(store, "failover")

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
    assert_moved_from_a_to_b(topology, seats, killed)
    assert shown_before == [LEARNERS, LEARNERS], "a dashboard does not show the students of both hosts"
    assert shown_after == LEARNERS, "app-b's dashboard lost students when app-a died"
    assert problems == []


def test_a_topology_that_fails_to_start_leaves_nothing_behind():
    """An app host whose replicas cannot start: the topology raises, and its namespaces, links and
    processes are gone."""
    require_topology()
    broken = Topology(hosts=1, replicas=1, streamlit_args=("--server.port", "not-a-port"))
    with pytest.raises(ServeError):
        broken.start()
    assert broken.leftovers() == []


def assert_moved_from_a_to_b(topology, seats, failed: float) -> tuple[list, list]:
    """app-a failed at `failed` (time.monotonic()): its learners were told they moved to app-b and clicked on
    there without an error; app-b's saw nothing and clicked on. Returns (app-a's seats, app-b's seats)."""
    a_address, b_address = topology_hosts(topology)
    moved = [seat for seat in seats if seat.host == a_address]
    stayed = [seat for seat in seats if seat.host == b_address]
    assert moved and stayed and len(moved) + len(stayed) == LEARNERS
    for seat in moved:
        assert seat.moved_to == b_address and seat.moved_notice, f"{seat.name} was not told it moved"
        assert seat.answered_after_move is not None, f"{seat.name} answered no click after moving"
        assert seat.errors == [], f"{seat.name}: {seat.errors}\napp-b's log:\n{topology.log_tail('app-b')}"
    for seat in stayed:
        assert seat.errors == [] and seat.learner.errors == [] and not seat.moved_to, seat.name
        assert any(sent > failed for sent, _answered, _shown in seat.notices), f"{seat.name}: no click after"
    return moved, stayed
