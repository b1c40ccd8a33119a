"""The run store on real engines: a SQLite file, and a PostgreSQL server started for the session."""

import os
import threading
import uuid

import numpy as np
import psycopg
import pytest
import sqlalchemy as sa

from core.record.checkpoints import save_checkpoint
from core.record.events import (
    SettingsChanged,
    StartedFromCheckpoint,
    StepOnImage,
    TrainSamples,
    apply_events,
    snapshot_bytes,
    trainer_from_snapshot,
)
from core.training.settings import Settings
from core.training.trainer import Trainer
from runs.__main__ import main as runs_command
from runs.postgres_server import create_database, postgres_programs, temporary_server
from runs.errors import CorruptRecord, MalformedRunId, SchemaTooNew, StaleAppend, UnknownRun
from runs.store import RunStore
from tests.saying import raises_saying

# --- a real PostgreSQL server, in a temporary folder on a free port ---------------------------------


@pytest.fixture(scope="session")
def postgres_server():
    """A URL (without database) of a throwaway PostgreSQL server; stopped and removed afterwards.

    Skipped (saying so) where PostgreSQL is missing, but failed under CI, where it must run.
    """
    if postgres_programs() is None:
        if os.environ.get("CI"):
            pytest.fail("under CI: postgresql is not installed (`make test` installs the Debian packages)")
        pytest.skip("POSTGRESQL IS NOT INSTALLED: the store's PostgreSQL tests did not run "
                    "(run scripts/install-system-packages.sh as root to install Debian's postgresql)")
    with temporary_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    """Where a fresh, empty store lives: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield str(tmp_path / "runs.sqlite3")
        return
    server = request.getfixturevalue("postgres_server")
    name = f"runs_{uuid.uuid4().hex}"
    yield create_database(server, name)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def store(location):
    opened = RunStore(location)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def small_data(mnist):
    return mnist.train_images[:600], mnist.train_labels[:600], mnist.test_images, mnist.test_labels


def execute(store, statement, **values):
    """Change the database behind the store's back, as a hand edit would."""
    with store.engine.begin() as connection:
        return connection.execute(sa.text(statement), values)


# --- the tests -------------------------------------------------------------------------------------


def test_a_run_is_created_appended_to_and_read_back(store, mnist):
    run = store.create_run(Settings(learning_rate=0.05, rule="mse"))
    log = [TrainSamples(100), StepOnImage.of(mnist.test_images[3], 0), SettingsChanged.of(learning_rate=0.02),
           TrainSamples(1)]
    assert store.append(run, 0, log[:1]) == 1
    assert store.append(run, 1, log[1:]) == 4
    assert store.events_since(run) == log and store.events_since(run, 2) == log[2:] and store.events_since(run, 4) == []
    info = store.run_info(run)
    assert info.length == 4 and info.settings == Settings(learning_rate=0.05, rule="mse") and info.parent is None
    branch = store.create_run(info.settings, parent=run, parent_step=3)
    assert store.run_info(branch).parent == run and store.run_info(branch).parent_step == 3
    assert {info.id for info in store.list_runs()} == {run, branch}
    with raises_saying(StaleAppend, "has 4 events, so an append at position 3 was refused"):
        store.append(run, 3, [TrainSamples(1)])
    assert store.events_since(run) == log


def test_the_environment_variable_names_the_store(location, monkeypatch):
    monkeypatch.setenv("BACKPROP_STORE", location)
    first = RunStore()
    run = first.create_run(Settings())
    first.close()
    again = RunStore(location)
    assert again.run_info(run).length == 0
    assert again.dialect == ("sqlite" if "://" not in location else "postgresql")
    again.close()


@pytest.mark.parametrize("rounds", [25])
def test_concurrent_appends_at_one_position_have_exactly_one_winner(location, rounds):
    stores = [RunStore(location), RunStore(location)]  # two engines: two separate connections
    run = stores[0].create_run(Settings())
    barrier, wins, refused = threading.Barrier(2), [[], []], [0, 0]

    def writer(number):
        for position in range(rounds):
            barrier.wait()
            event = TrainSamples(1000 * (number + 1) + position)
            try:
                stores[number].append(run, position, [event])
                wins[number].append(event)
            except StaleAppend:
                refused[number] += 1
            barrier.wait()

    threads = [threading.Thread(target=writer, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    log = stores[1].events_since(run)
    assert len(log) == rounds == len(wins[0]) + len(wins[1]) and sum(refused) == rounds
    assert sorted(log, key=lambda e: e.n % 1000) == log and set(log) == set(wins[0]) | set(wins[1])
    with stores[0].engine.connect() as connection:
        seqs = connection.execute(sa.text("SELECT seq FROM run_events WHERE run_id = :id ORDER BY seq"), {"id": run}).scalars().all()
    assert seqs == list(range(rounds))
    for opened in stores:
        opened.close()


HOSTILE_IDS = ["'; drop table runs; --", "x" * 10_000, "ωμέγα" * 5, "AAAAAAAAAAAAAAAAAAAAA\n", "AAAAAAAAAAAAAAAAAAAAA%",
               "", None, 12345, "../../../etc/passwd", "AAAAAAAAAAAAAAAAAAAA١٢"]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_hostile_run_ids_are_refused_before_any_query(store, hostile):
    run = store.create_run(Settings())
    store.append(run, 0, [TrainSamples(5)])
    for call in (lambda: store.run_info(hostile), lambda: store.events_since(hostile), lambda: store.touch(hostile),
                 lambda: store.append(hostile, 0, [TrainSamples(1)]), lambda: store.latest_snapshot(hostile),
                 lambda: store.put_snapshot(hostile, 0, b"x"),
                 lambda: store.create_run(Settings(), parent=hostile if hostile is not None else 0, parent_step=0)):
        with raises_saying(MalformedRunId, "not a run id"):
            call()
    assert store.events_since(run) == [TrainSamples(5)]


def test_an_unknown_run_id_is_unknown(store):
    with raises_saying(UnknownRun, "there is no run") as raised:
        store.run_info("A" * 22)
    assert not isinstance(raised.value, MalformedRunId)
    with pytest.raises(UnknownRun):
        store.append("A" * 22, 0, [TrainSamples(1)])


def test_prune_removes_runs_unused_for_30_days_then_the_least_recently_used_over_the_cap(store, location):
    old, recent, newest, newer = (store.create_run(Settings()) for _ in range(4))
    day = 86400
    for run, age in ((old, 31 * day), (recent, 3 * day), (newer, 2 * day), (newest, day)):
        execute(store, "UPDATE runs SET touched = touched - :age WHERE id = :id", age=age, id=run)
        store.put_snapshot(run, 0, bytes(10_000))
    assert store.prune(older_than_days=30) == [old]
    assert store.prune(older_than_days=30, max_bytes=25_000) == [recent]
    assert {info.id for info in store.list_runs()} == {newer, newest}
    store.touch(newer)  # now the most recently used: the cap takes newest first
    assert runs_command(["prune", "--store", location, "--max-megabytes", str(15_000 / 2**20)]) == 0
    assert [info.id for info in store.list_runs()] == [newer]
    with pytest.raises(UnknownRun):
        store.events_since(old)


def test_a_corrupted_stored_record_is_refused_with_a_clear_error(store):
    run = store.create_run(Settings())
    store.append(run, 0, [TrainSamples(5), TrainSamples(6), TrainSamples(7)])
    execute(store, "UPDATE run_events SET body = :body WHERE run_id = :id AND seq = 1", body='{"kind":"tra', id=run)
    with raises_saying(CorruptRecord, f"run {run}'s event 1 is damaged or was edited and is refused"):
        store.events_since(run)
    assert store.events_since(run, 2) == [TrainSamples(7)]
    execute(store, "UPDATE run_events SET body = :body WHERE run_id = :id AND seq = 1",
            body='{"kind":"image","image":"AAAA","label":12}', id=run)
    with raises_saying(CorruptRecord, "784 pixel bytes"):
        store.events_since(run)
    execute(store, "DELETE FROM run_events WHERE run_id = :id AND seq = 1", id=run)
    with raises_saying(CorruptRecord, "missing events"):
        store.events_since(run)
    execute(store, "UPDATE runs SET settings = :body WHERE id = :id", body='{"learning_rate": 1e9}', id=run)
    with raises_saying(CorruptRecord, "record is damaged or was edited"):
        store.run_info(run)


def test_a_snapshot_round_trips_and_restores_the_run(store, small_data):
    trainer = Trainer(Settings(seed=2), *small_data)
    run = store.create_run(trainer.settings)
    store.append(run, 0, [TrainSamples(250)])
    trainer.train(250)
    store.put_snapshot(run, 1, snapshot_bytes(trainer))
    store.append(run, 1, [TrainSamples(400)])  # crosses the end of an epoch
    trainer.train(400)
    position, blob = store.latest_snapshot(run)
    restored = apply_events(trainer_from_snapshot(blob, *small_data), store.events_since(run, position))
    assert position == 1 and np.array_equal(restored.params.W1, trainer.params.W1)
    assert restored.step_count == 650 and restored.history.test_accuracy == trainer.history.test_accuracy
    store.put_snapshot(run, 2, snapshot_bytes(trainer))
    assert store.latest_snapshot(run)[0] == 2 and store.latest_snapshot(run, at_most_position=1) is None  # one kept
    assert store.latest_snapshot(run, 0) is None


def test_a_run_from_a_checkpoint_keeps_its_bytes_once(store, small_data):
    source = Trainer(Settings(rule="cross-entropy"), *small_data)
    source.train(300)
    content = save_checkpoint(source)
    first, second = (store.create_run_from_checkpoint(Settings(), content) for _ in range(2))
    log = store.events_since(second)
    assert log == [StartedFromCheckpoint.of(content)]
    replayed = apply_events(Trainer(Settings(), *small_data), log, store.checkpoint_contents(log))
    assert np.array_equal(replayed.params.W2, source.params.W2)
    count = "SELECT count(*) FROM run_checkpoints"
    assert execute(store, count).scalar() == 1
    execute(store, "UPDATE runs SET touched = 0 WHERE id = :id", id=first)
    store.prune()
    assert execute(store, count).scalar() == 1 and store.checkpoint_contents(log) == {log[0].sha256: content}
    execute(store, "UPDATE runs SET touched = 0 WHERE id = :id", id=second)
    store.prune()
    assert execute(store, count).scalar() == 0


def test_a_store_from_a_newer_version_is_refused(store, location):
    execute(store, "UPDATE store_meta SET value = '4' WHERE key = 'schema_version'")
    store.close()
    with raises_saying(SchemaTooNew, "schema version 4, newer than this app's 3"):
        RunStore(location)
    execute(store, "UPDATE store_meta SET value = 'x; 1' WHERE key = 'schema_version'")
    with raises_saying(CorruptRecord, "is not a number"):
        RunStore(location)


def test_a_version_1_store_gains_the_keyframes_table_and_keeps_its_runs(store, location):
    run_id = store.create_run(Settings())
    store.append(run_id, 0, [TrainSamples(5)])
    execute(store, "DROP TABLE run_keyframes")
    execute(store, "UPDATE store_meta SET value = '1' WHERE key = 'schema_version'")
    store.close()
    upgraded = RunStore(location)
    assert upgraded.events_since(run_id) == [TrainSamples(5)]
    upgraded.put_keyframe(run_id, 5, b"state")
    assert upgraded.keyframes(run_id) == [(5, b"state")]
    assert execute(upgraded, "SELECT value FROM store_meta WHERE key = 'schema_version'").scalar() == "3"


def test_keyframes_are_kept_per_run_and_read_before_a_position(store):
    run_id = store.create_run(Settings())
    for position in (40_000, 0, 80_000):
        store.put_keyframe(run_id, position, f"at {position}".encode())
    assert [position for position, _ in store.keyframes(run_id)] == [0, 40_000, 80_000]
    assert store.keyframes(run_id, before=80_000)[-1] == (40_000, b"at 40000")
    with raises_saying(ValueError, "whole number"):
        store.put_keyframe(run_id, -1, b"x")
    assert store.run_sizes()[run_id] == len(b"at 0") + 2 * len(b"at 40000")  # they count towards the size cap


def test_pruning_keeps_a_run_that_a_kept_branch_descends_from(store):
    parent = store.create_run(Settings())
    store.append(parent, 0, [TrainSamples(10)])
    child = store.create_run(Settings(), parent=parent, parent_step=1)
    grandchild = store.create_run(Settings(), parent=child, parent_step=0)
    lonely = store.create_run(Settings())
    for run_id in (parent, child, lonely):
        execute(store, "UPDATE runs SET touched = 0 WHERE id = :id", id=run_id)
    assert store.prune() == [lonely]
    assert store.run_info(parent).length == 1 and store.run_info(child).parent == parent
    execute(store, "UPDATE runs SET touched = 0 WHERE id = :id", id=grandchild)
    assert sorted(store.prune()) == sorted([parent, child, grandchild])
