"""core/training/trainer.py on real MNIST: the trainer against the document's listing, its bookkeeping and its limits.

core/training/history.py and core/training/trajectory.py, which the trainer keeps, are tested here too.
"""

import io
import json
import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest

import cli
from core.model.metrics import accuracy
from core.training.history import BinnedSeries, History
from core.model.network import PARAMETER_NAMES, forward, init_parameters, pixels
from core.training.settings import Settings, learning_rate_at
from core.training.trajectory import MAX_TRAJECTORY_POINTS, TrajectoryPoints
from core.training.trainer import Trainer
from tests.saying import raises_saying


@pytest.fixture(scope="module")
def data(mnist):
    return (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)


@pytest.fixture(scope="module")
def small_data(mnist):
    """The first 100 training and 500 test images: real MNIST, with epochs 100 steps long."""
    return (mnist.train_images[:100], mnist.train_labels[:100], mnist.test_images[:500], mnist.test_labels[:500])


@pytest.fixture(scope="module")
def one_epoch(data):
    """A trainer with the document's settings after one full epoch."""
    trainer = Trainer(Settings(), *data)
    trainer.run_epoch()
    return trainer


def assert_same_parameters(a, b):
    for name, x, y in zip(PARAMETER_NAMES, a.as_tuple(), b.as_tuple()):
        np.testing.assert_array_equal(x, y, err_msg=name)


def documents_sample(image, label, W_1, b_1, W_2, b_2):
    """Algorithm 3 of the design document as written, column vectors: (Z1, A1, Z2, A2), (dW1, db1, dW2, db2)."""
    A = (image / 255).reshape(784, 1)
    Z_1 = np.dot(W_1.T, A) + b_1
    A_1 = np.maximum(0, Z_1)
    Z_2 = np.dot(W_2.T, A_1) + b_2
    exp_values = np.exp(Z_2 - np.max(Z_2))
    A_2 = exp_values / np.sum(exp_values)
    vector = np.zeros((10, 1))
    vector[label, 0] = 1
    dZ2 = 2 * (A_2 - vector)
    dW2 = np.dot(A_1, dZ2.T)
    dZ1 = np.dot(W_2, dZ2) * (Z_1 > 0)
    dW1 = np.dot(A, dZ1.T)
    return (Z_1, A_1, Z_2, A_2), (dW1, dZ1, dW2, dZ2)


def documents_listing(images, labels, W_1, b_1, W_2, b_2, learning_rate):
    """Algorithm 4 as written: after each sample, every parameter P ← P − α·dP (new arrays each time)."""
    for image, label in zip(images, labels):
        _, (dW1, db1, dW2, db2) = documents_sample(image, label, W_1, b_1, W_2, b_2)
        W_1 = W_1 - learning_rate * dW1
        b_1 = b_1 - learning_rate * db1
        W_2 = W_2 - learning_rate * dW2
        b_2 = b_2 - learning_rate * db2
    return W_1, b_1, W_2, b_2


def test_trainer_matches_the_documents_listing(mnist, data):
    start = init_parameters(hidden=10, init="uniform", seed=0)
    expected = documents_listing(mnist.train_images[:500], mnist.train_labels[:500],
                                 start.W1, start.b1.reshape(10, 1), start.W2, start.b2.reshape(10, 1), 0.01)
    trainer = Trainer(Settings(), *data)
    trainer.train(500)
    for name, want, got in zip(PARAMETER_NAMES, expected, trainer.params.as_tuple()):
        np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-10, atol=1e-13, err_msg=name)
    assert trainer.step_count == 500 and trainer.index == 500 and trainer.epoch == 0


def test_train_gives_exactly_what_repeated_steps_give(data):
    stepped, trained = Trainer(Settings(rule="mse"), *data), Trainer(Settings(rule="mse"), *data)
    records = [stepped.step() for _ in range(300)]
    last = trained.train(300)
    assert_same_parameters(stepped.params, trained.params)
    assert last.step == records[-1].step == 300
    np.testing.assert_array_equal(last.gradients.dW1, records[-1].gradients.dW1)
    for curve in ("loss_curve", "accuracy_curve"):
        np.testing.assert_allclose(getattr(trained.history, curve)()[1], getattr(stepped.history, curve)()[1])
    assert [s for s, _ in trained.trajectory_points] == [s for s, _ in stepped.trajectory_points]


def test_step_record_holds_the_maths_of_that_step(mnist, data):
    trainer = Trainer(Settings(), *data)
    trainer.train(7)  # the record of step 8, on training image 7
    before = trainer.params.copy()
    record = trainer.step()
    image, label = mnist.train_images[7], int(mnist.train_labels[7])
    assert (record.step, record.epoch, record.index, record.label) == (8, 0, 7, label)
    np.testing.assert_array_equal(record.x, image.reshape(784) / 255)
    values, gradients = documents_sample(image, label, before.W1, before.b1.reshape(-1, 1), before.W2,
                                         before.b2.reshape(-1, 1))
    for got, want in zip((*record.forward, *record.gradients), (*values, *gradients)):
        np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-12, atol=1e-15)
    y = np.eye(10)[label]
    A2 = values[3].ravel()
    assert record.loss_before == pytest.approx(((A2 - y) ** 2).sum())
    assert record.cross_entropy_before == pytest.approx(-np.log(A2[label]))
    after = forward(trainer.params, record.x).A2
    assert record.loss_after == pytest.approx(((after - y) ** 2).sum())
    assert record.loss_after < record.loss_before  # one small step down the gradient of this sample
    assert record.prediction == int(np.argmax(A2)) and record.correct == (record.prediction == label)
    assert record.learning_rate == 0.01
    for P, P0, dP, change in zip(trainer.params.as_tuple(), before.as_tuple(), record.gradients, record.updates):
        np.testing.assert_array_equal(P, P0 - 0.01 * dP)  # the gradients recorded are the ones applied
        np.testing.assert_array_equal(change, -0.01 * dP)
    with pytest.raises(ValueError):
        record.x[0] = 1.0  # records are values: their arrays are read-only


def test_same_seed_same_run_other_seed_other_run(data):
    first, second, other = (Trainer(Settings(seed=seed), *data) for seed in (7, 7, 8))
    for trainer in (first, second, other):
        trainer.train(1000)
    assert_same_parameters(first.params, second.params)
    assert not np.array_equal(first.params.W1, other.params.W1)


def test_overflow_stops_training_and_keeps_the_last_finite_weights(data):
    settings = Settings(learning_rate=1e200, init="he")
    trainer = Trainer(settings, *data)
    assert trainer.train(100) is None
    assert trainer.step_count == 1  # step 2's forward pass overflows with the weights step 1 made
    reason = trainer.stopped_reason
    assert reason.startswith("Training stopped at step 2") and "1e+200" in reason and "Lower the learning rate" in reason
    assert trainer.params.all_finite()
    reference = Trainer(settings, *data)
    reference.step()
    assert_same_parameters(trainer.params, reference.params)
    assert reference.step() is None and reference.stopped_reason == reason  # step() refuses the same step
    assert trainer.step() is None and trainer.train(10) is None and trainer.step_count == 1
    assert_same_parameters(trainer.params, reference.params)
    trainer.reset()
    assert trainer.stopped_reason is None and trainer.step() is not None


def test_a_stop_reason_is_saved_in_english_and_shown_in_the_reader_s_language(data):
    import locales
    from ui.widgets import shown_stop_reason

    trainer = Trainer(Settings(learning_rate=0.5e200, init="he"), *data)
    trainer.train(100)
    reason = trainer.stopped_reason
    assert shown_stop_reason(reason) == reason and shown_stop_reason(None) is None
    locales.activate("el")
    try:
        shown = shown_stop_reason(reason)
        assert shown.startswith("Η εκπαίδευση σταμάτησε στο βήμα 2") and "5e+199" in shown
        assert trainer.stopped_reason == reason  # what is saved stays English
        assert shown_stop_reason("Training stopped somewhere else.") == "Training stopped somewhere else."
    finally:
        locales.activate("en")


def test_an_update_that_would_overflow_is_refused(data):
    trainer = Trainer(Settings(learning_rate=1e200, init="he"), *data)
    trainer.step()
    trainer.params.W2[...] = 1e300  # the next update's dZ1 = W2·dZ2 is huge: W1 would overflow
    trainer.params.b2[...] = 0.0
    kept = trainer.params.copy()
    assert trainer.step() is None
    assert "infinite or not a number" in trainer.stopped_reason
    assert_same_parameters(trainer.params, kept)


def test_one_epoch_with_the_documents_settings_reaches_88_percent(one_epoch):
    summary = one_epoch.history.epochs[0]
    assert summary.test_accuracy >= 0.88
    assert (summary.epoch, summary.step) == (0, 60_000)
    assert one_epoch.history.test_accuracy == [(0, 60_000, summary.test_accuracy)]
    assert 0.8 < summary.train_accuracy < summary.test_accuracy + 0.05 and 0 < summary.mean_loss < 0.5
    assert (one_epoch.epoch, one_epoch.index, one_epoch.step_count) == (1, 0, 60_000)


def test_evaluate_agrees_with_a_float64_forward_pass(mnist, one_epoch):
    probabilities = forward(one_epoch.params, pixels(mnist.test_images)).A2
    exact = accuracy(probabilities.argmax(axis=1), mnist.test_labels)
    assert abs(one_epoch.evaluate() - exact) <= 0.0005  # float32 may flip a near tie or two
    cached = one_epoch.test_predictions()
    assert cached.shape == (10_000, 10) and cached.dtype == np.float32
    np.testing.assert_allclose(cached.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(cached, probabilities, atol=1e-4)
    assert one_epoch.test_predictions() is cached and not cached.flags.writeable
    assert one_epoch.evaluate(mnist.test_images[:300], mnist.test_labels[:300]) == pytest.approx(
        accuracy(probabilities[:300].argmax(axis=1), mnist.test_labels[:300]))


def test_learning_rate_changes_at_epoch_ends_by_the_schedule(small_data):
    trainer = Trainer(Settings(decay_period=1, decay_factor=0.5), *small_data)
    assert trainer.steps_to_epoch_end == 100
    first = trainer.train(100)
    assert first.learning_rate == 0.01 and trainer.epoch == 1 and trainer.index == 0
    assert trainer.learning_rate == 0.005 and trainer.train(100).learning_rate == 0.005
    assert [summary.step for summary in trainer.history.epochs] == [100, 200]
    trainer.epoch = 5
    assert trainer.learning_rate == learning_rate_at(trainer.settings, 5) == 0.01 * 0.5 ** 5
    assert Trainer(Settings(), *small_data).learning_rate == 0.01


def test_history_matches_the_step_records(data):
    trainer = Trainer(Settings(), *data)
    records = [trainer.step() for _ in range(50)]
    steps, losses = trainer.history.loss_curve()
    np.testing.assert_array_equal(steps, np.arange(1, 51))
    np.testing.assert_allclose(losses, [r.loss_before for r in records])
    np.testing.assert_allclose(trainer.history.loss_curve("cross-entropy")[1], [r.cross_entropy_before for r in records])
    np.testing.assert_array_equal(trainer.history.accuracy_curve()[1], [r.correct for r in records])
    _, rms = trainer.history.gradient_rms_curve()
    for i, name in enumerate(PARAMETER_NAMES):
        np.testing.assert_allclose(rms[name], [np.sqrt(np.mean(r.gradients[i] ** 2)) for r in records], rtol=1e-10)
    trainer.train(5_000)
    steps, losses = trainer.history.loss_curve()
    assert steps[-1] <= 5_050 and np.isfinite(losses).all() and 0 <= losses.min()
    assert losses[-100:].mean() < losses[:100].mean()  # it learns
    assert 0 < trainer.history.train_accuracy < 1


def test_binned_series_merges_pairs_and_keeps_exact_means():
    series = BinnedSeries(["value"], max_bins=4)
    values = np.arange(1.0, 21.0)
    series.extend(values[:3, None])
    for value in values[3:]:
        series.extend([[value]])
    steps, means = series.curve()
    assert series.width == 8 and series.steps == 20  # 20 steps need width 8 to fit in 4 bins
    np.testing.assert_allclose(means[:, 0], [values[:8].mean(), values[8:16].mean(), values[16:].mean()])
    np.testing.assert_allclose(steps, [4.5, 12.5, 18.5])
    bulk = BinnedSeries(["value"], max_bins=4)
    bulk.extend(values[:, None])
    np.testing.assert_array_equal(bulk.curve()[1], means)


def test_history_stays_small_however_long_it_runs():
    history = History(hidden=10)
    for _ in range(5):
        history.record(np.ones((400_000, len(History.SERIES))), np.ones((400_000, 10)))
    steps, losses = history.loss_curve()
    assert history.steps == 2_000_000 and len(steps) <= 2_000 and steps[-1] <= 2_000_000
    np.testing.assert_allclose(losses, 1.0)
    assert history.nbytes() < 1_000_000


def test_trajectory_points_are_dense_early_and_bounded(one_epoch):
    points = one_epoch.trajectory_points
    steps = [step for step, _ in points]
    assert steps[0] == 0 and steps == sorted(set(steps)) and len(steps) <= MAX_TRAJECTORY_POINTS
    assert steps[1] < 100 and steps[-1] > 40_000
    np.testing.assert_array_equal(points[0][1].W1, one_epoch.initial_params.W1.astype(np.float32))
    last_step, last = one_epoch.trajectory()[-1]
    assert last_step == one_epoch.step_count
    np.testing.assert_allclose(last.W1, one_epoch.params.W1, rtol=1e-6)


def test_trajectory_points_never_exceed_their_count_or_budget():
    for hidden in (10, 64):
        params = init_parameters(hidden=hidden)
        store = TrajectoryPoints(params)
        step = 0
        while step < 100_000_000:
            step = store.next_step
            store.take(step, params)
            assert len(store.steps) <= store.max_count <= MAX_TRAJECTORY_POINTS
        assert store.steps[0] == 0 and store.nbytes() <= 16 * 2**20
        gaps = np.diff(np.log(np.array(store.steps[1:]) + TrajectoryPoints.OFFSET))
        assert gaps.max() < 4 * gaps.min()  # still spread out evenly in log(step)


def test_memory_per_trainer_is_bounded(data):
    tracemalloc.start()
    try:
        trainer = Trainer(Settings(hidden=64), *data)
        trainer.train(3_000)
        for _ in range(100):  # as a very long run would: the trajectory points fill up
            trainer._trajectory_points.take(trainer._trajectory_points.next_step, trainer.params)
        trainer.history.record(np.ones((500_000, len(History.SERIES))), np.ones((500_000, 64)))
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 50 * 2**20  # a copy of the 47 MB training set alone would break this
    assert trainer.memory_bytes() < 50 * 2**20


def test_state_dict_round_trip_continues_identically(data):
    original = Trainer(Settings(rule="cross-entropy", hidden=12, seed=3), *data)
    original.train(1_500)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **original.state_dict())
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as saved:
        restored = Trainer.from_state(dict(saved), *data)
    assert restored.settings == original.settings
    assert (restored.epoch, restored.index, restored.step_count) == (original.epoch, original.index, 1_500)
    for trainer in (original, restored):
        trainer.train(700)
    assert_same_parameters(original.params, restored.params)
    assert_same_parameters(original.initial_params, restored.initial_params)
    np.testing.assert_array_equal(original.history.loss_curve()[1], restored.history.loss_curve()[1])
    assert [s for s, _ in original.trajectory_points] == [s for s, _ in restored.trajectory_points]
    np.testing.assert_array_equal(original.trajectory_points[-1][1].W1, restored.trajectory_points[-1][1].W1)
    a, b = original.step(), restored.step()
    np.testing.assert_array_equal(a.gradients.dW1, b.gradients.dW1)


def test_a_stopped_trainer_stays_stopped_after_a_round_trip(data):
    trainer = Trainer(Settings(learning_rate=1e200, init="he"), *data)
    trainer.train(10)
    restored = Trainer.from_state(trainer.state_dict(), *data)
    assert restored.stopped_reason == trainer.stopped_reason and restored.step() is None


def test_dead_units_are_the_ones_never_active(mnist, data):
    trainer = Trainer(Settings(), *data)
    trainer.params.W1[:, 3] = -1.0  # pixels are >= 0, so unit 3 can never fire
    trainer.params.b1[3] = -0.1
    probe = mnist.test_images[:1_000]
    dead = trainer.dead_units(probe)
    Z1 = forward(trainer.params, pixels(probe)).Z1
    np.testing.assert_array_equal(dead, (Z1 <= 0).all(axis=0))
    assert dead[3] and dead.shape == (10,)


def test_progress_and_stop(data):
    trainer = Trainer(Settings(), *data)
    calls = []
    trainer.train(2_500, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1_000, 2_500), (2_000, 2_500), (2_500, 2_500)]
    stopper = Trainer(Settings(), *data)
    assert stopper.train(5_000, should_stop=lambda: stopper.step_count >= 1_000) is None
    assert 1_000 <= stopper.step_count < 2_000


def test_trainer_refuses_impossible_settings(data):
    with raises_saying(ValueError, "rule"):
        Trainer(Settings(rule="sgd"), *data)
    with raises_saying(ValueError, "hidden"):
        Trainer(Settings(hidden=0), *data)


def test_command_line_prints_one_line_per_epoch(small_data, monkeypatch, capsys):
    monkeypatch.setattr(cli, "load_mnist", lambda: SimpleNamespace(
        train_images=small_data[0], train_labels=small_data[1], test_images=small_data[2], test_labels=small_data[3]))
    assert cli.main(["--epochs", "2", "--json", "--decay-period", "1"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["epoch"] for line in lines] == [1, 2]
    assert [line["learning_rate"] for line in lines] == [0.01, 0.005]
    assert all(0 <= line["test_accuracy"] <= 1 and line["mean_loss"] > 0 for line in lines)
    assert cli.main(["--epochs", "1"]) == 0
    assert capsys.readouterr().out.startswith("epoch 1: test accuracy ")


def test_dead_units_default_probe_agrees_with_the_forward_pass(mnist):
    trainer = Trainer(Settings(learning_rate=0.5), mnist.train_images, mnist.train_labels,
                      mnist.test_images, mnist.test_labels)
    trainer.train(300)
    Z1 = forward(trainer.params, pixels(mnist.test_images[:1000])).Z1
    expected = ~(Z1 > 0).any(axis=0)
    np.testing.assert_array_equal(trainer.dead_units(), expected)
    np.testing.assert_array_equal(trainer.dead_units(mnist.test_images[:1000]), expected)


def test_each_unit_remembers_the_last_training_step_it_fired_on(data):
    stepped, trained = Trainer(Settings(learning_rate=0.5), *data), Trainer(Settings(learning_rate=0.5), *data)
    records = [stepped.step() for _ in range(400)]
    trained.train(400)
    fired = np.array([record.forward.Z1 > 0 for record in records])  # (steps, h)
    expected = [max((i + 1 for i in np.flatnonzero(fired[:, unit])), default=0) for unit in range(10)]
    np.testing.assert_array_equal(stepped.history.last_active, expected)
    np.testing.assert_array_equal(trained.history.last_active, expected)
    assert (np.asarray(expected) < 400).any()  # at α = 0.5 some units fall silent within 400 steps


def test_history_and_trajectory_points_refuse_bookkeeping_that_does_not_add_up(data):
    trainer = Trainer(Settings(), *data)
    trainer.train(3_000)
    state = trainer.state_dict()
    with raises_saying(ValueError, "bins"):
        History(10).load({**state, "history.bins.width": 2**62}, 3_000, 0, 3_000, 60_000)
    with raises_saying(ValueError, "holds 3000 steps but the position is step 2999"):
        History(10).load(state, 2_999, 0, 2_999, 60_000)
    with raises_saying(ValueError, "snapshots' steps"):
        TrajectoryPoints(trainer.params).load(state, 100)  # points taken after the position
    restored = History(10)
    restored.load(state, 3_000, 0, 3_000, 60_000)
    np.testing.assert_array_equal(restored.loss_curve()[1], trainer.history.loss_curve()[1])
