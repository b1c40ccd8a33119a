"""lab/live_run.py with a real SQLite store and real MNIST: a session's run is written as it trains.

A store that cannot be reached keeps the steps in memory and writes them when it is back;
snapshots are written in the background every SNAPSHOT_EVERY samples and restore bit for bit.
"""

import numpy as np
import pytest

from core.record.events import SNAPSHOT_EVERY, TrainSamples
from core.training.settings import Settings
from runs.store import RunStore
from lab import stored_runs
from lab.live_run import UNREACHABLE, LiveRun
from lab.stored_runs import StoreHandle, trainer_at


@pytest.fixture(scope="module")
def data(mnist):
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


def train(run, trainer, n):
    trainer.train(n)
    return run.trained(trainer, n)


def test_steps_wait_in_memory_while_the_store_is_down_and_are_written_when_it_is_back(data, tmp_path, monkeypatch):
    monkeypatch.setattr(stored_runs, "RETRY_SECONDS", 0.0)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store's folder should be")
    location = blocked / "runs.sqlite3"
    run = LiveRun(StoreHandle(str(location)), data)
    trainer = run.open(None, Settings(seed=4))
    assert run.run_id is None
    for _ in range(3):
        trainer = train(run, trainer, 100)
    assert run.pending == [TrainSamples(100)] * 3 and UNREACHABLE in run.take_notices()
    assert trainer.step_count == 300  # training went on in memory

    blocked.unlink()
    blocked.mkdir()  # the store is back
    trainer = train(run, trainer, 10)
    assert run.run_id is not None and run.pending == [] and UNREACHABLE not in run.take_notices()
    stored, length = trainer_at(RunStore(str(location)), run.run_id, data)
    assert length == 4 and stored.step_count == 310
    for a, b in zip(stored.params.as_tuple(), trainer.params.as_tuple()):
        assert np.array_equal(a, b)


def test_a_snapshot_is_written_in_the_background_and_restores_the_run_exactly(data, tmp_path):
    location = str(tmp_path / "runs.sqlite3")
    run = LiveRun(StoreHandle(location), data)
    trainer = run.open(None, Settings(rule="cross-entropy"))
    for _ in range(SNAPSHOT_EVERY // 1000 + 1):
        trainer = train(run, trainer, 1000)
    run.wait_for_snapshot()
    store = RunStore(location)
    position, _ = store.latest_snapshot(run.run_id)
    assert position == SNAPSHOT_EVERY // 1000
    trainer = train(run, trainer, 7)  # after the snapshot: restored by replaying from it
    stored, _ = trainer_at(store, run.run_id, data)
    assert stored.step_count == trainer.step_count == SNAPSHOT_EVERY + 1007
    for a, b in zip(stored.params.as_tuple(), trainer.params.as_tuple()):
        assert np.array_equal(a, b)
    np.testing.assert_array_equal(stored.history.loss_curve()[1], trainer.history.loss_curve()[1])
    assert [step for step, _ in stored.trajectory_points] == [step for step, _ in trainer.trajectory_points]
