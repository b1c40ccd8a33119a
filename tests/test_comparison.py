"""core/training/lockstep.py on real MNIST: lockstep training, the erratum as a test, the numbers the Compare screen reads.

A run trained in a comparison is checked against the same run trained alone by Trainer.train (bit
for bit); silent units against a float64 forward pass written here; the erratum against nothing but
the two rules' definitions.
"""

from dataclasses import replace

import numpy as np
import pytest

from core.training import lockstep

from core.model import network
from core.record.checkpoints import load_checkpoint, save_checkpoint
from core.training.settings import Settings
from core.model.batched import PROBE_IMAGES
from core.training.trainer import Trainer
from tests.saying import raises_saying
from locales.words import run_labels, said
from ui import compare_reading


@pytest.fixture(scope="module")
def data(mnist):
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


def trained_alone(settings, data, n) -> Trainer:
    trainer = Trainer(settings, *data)
    trainer.train(n)
    return trainer


def assert_same_run(first: Trainer, second: Trainer) -> None:
    """Bit for bit the same parameters and position; the same curves.

    The curves' bins are sums, added in the chunks training ran in, so only they may differ in the last bits.
    """
    for a, b in zip(first.params.as_tuple(), second.params.as_tuple()):
        assert np.array_equal(a, b)
    assert (first.step_count, first.epoch, first.index) == (second.step_count, second.epoch, second.index)
    np.testing.assert_allclose(first.history.bins.sums, second.history.bins.sums, rtol=1e-12)
    assert np.array_equal(first.history.bins.counts, second.history.bins.counts)
    assert first.stopped_reason == second.stopped_reason


def test_the_document_rule_at_alpha_is_cross_entropy_at_two_alpha_erratum_1(data):
    settings = Settings(learning_rate=0.01, rule="document", seed=4)
    document = trained_alone(settings, data, 1_000)
    cross_entropy = trained_alone(replace(settings, rule="cross-entropy", learning_rate=0.02), data, 1_000)
    assert document.step_count == cross_entropy.step_count == 1_000
    for a, b in zip(document.params.as_tuple(), cross_entropy.params.as_tuple()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    # ... and cross-entropy at the same α is a different run: the agreement above is not a tautology.
    same_alpha = trained_alone(replace(settings, rule="cross-entropy"), data, 1_000)
    assert np.abs(same_alpha.params.W1 - document.params.W1).max() > 1e-3


def test_a_run_trained_in_lockstep_is_the_run_trained_alone(data):
    chosen = lockstep.gradient_rule_set(Settings(seed=2), erratum_pair=True)
    trainers = [Trainer(settings, *data) for settings in chosen]
    for n in (1, 99, 1_000, 2_345):  # slices of every kind: one step, a chunk, across a trajectory point
        assert lockstep.train_in_lockstep(trainers, n) == n
    calls = iter(range(10**6))
    stopped_early = lockstep.train_in_lockstep(trainers, 5_000, should_stop=lambda: next(calls) >= 2)
    assert 0 < stopped_early < 5_000
    total = 1 + 99 + 1_000 + 2_345 + stopped_early
    assert {trainer.step_count for trainer in trainers} == {total}
    for settings, trainer in zip(chosen, trainers):
        assert_same_run(trainer, trained_alone(settings, data, total))


def test_a_run_that_overflows_stops_and_the_others_train_on_in_lockstep(data):
    # An α beyond the screen's range, so the first run (the lockstep's leader) overflows at once.
    chosen = [Settings(learning_rate=1e200, init="he"), Settings(learning_rate=0.01, init="he")]
    trainers = [Trainer(settings, *data) for settings in chosen]
    assert lockstep.train_in_lockstep(trainers, 400) == 400
    exploded, steady = trainers
    assert exploded.stopped_reason is not None and exploded.step_count < 400
    assert steady.step_count == 400 and steady.stopped_reason is None
    assert_same_run(exploded, trained_alone(chosen[0], data, 400))
    assert_same_run(steady, trained_alone(chosen[1], data, 400))
    assert lockstep.lockstep_problems(trainers) == []


def test_lockstep_needs_one_shape_and_one_step(data):
    small, large = Trainer(Settings(hidden=10), *data), Trainer(Settings(hidden=12), *data)
    assert "different network shapes" in " ".join(map(said, lockstep.lockstep_problems([small, large])))
    ahead = Trainer(Settings(rule="mse"), *data)
    ahead.train(10)
    assert "different steps (0, 10)" in " ".join(map(said, lockstep.lockstep_problems([small, ahead])))
    assert "2 to 4 runs, not 1" in " ".join(map(said, lockstep.lockstep_problems([small])))
    assert lockstep.lockstep_problems([small, Trainer(Settings(rule="mse"), *data)]) == []


def test_the_sets_differ_in_one_setting_and_refuse_what_the_screen_would():
    rules = lockstep.gradient_rule_set(Settings(learning_rate=0.03), erratum_pair=True)
    assert [(s.rule, s.learning_rate) for s in rules] == [
        ("document", 0.03), ("mse", 0.03), ("cross-entropy", 0.03), ("cross-entropy", 0.06)]
    assert run_labels(rules) == ["document's rule · α = 0.03", "exact MSE rule · α = 0.03",
                                            "cross-entropy rule · α = 0.03", "cross-entropy rule · α = 0.06"]
    rates = lockstep.learning_rate_set(Settings(rule="mse"))
    assert run_labels(rates) == ["α = 0.1", "α = 0.01", "α = 0.002"]
    assert run_labels([Settings(), Settings()]) == ["run 1", "run 2"]  # runs picked by link
    picked = [Settings(learning_rate=0.1), Settings(learning_rate=0.1), Settings()]
    assert run_labels(picked) == ["run 1: α = 0.1", "run 2: α = 0.1", "run 3: α = 0.01"]
    with raises_saying(ValueError, "outside"):
        lockstep.learning_rate_set(Settings(), (0.1, 500.0))
    with raises_saying(ValueError, "differ"):
        lockstep.learning_rate_set(Settings(), (0.1, 0.1))
    with raises_saying(ValueError, "2 to 4 runs"):
        lockstep.learning_rate_set(Settings(), (0.1, 0.2, 0.3, 0.4, 0.5))


def test_a_set_from_an_uploaded_checkpoint_starts_from_its_initial_weights(data):
    uploaded = Trainer(Settings(seed=3), *data)
    uploaded.initial_params.W1 += 0.25  # weights no seed gives, as an upload may carry
    assert not lockstep.starts_from_seed(uploaded)
    assert lockstep.starts_from_seed(Trainer(Settings(seed=3), *data))
    start = lockstep.trainer_from_weights(Settings(seed=3, rule="mse"), uploaded.initial_params, data)
    assert start.step_count == 0 and start.settings.rule == "mse"
    for a, b, c in zip(start.params.as_tuple(), start.initial_params.as_tuple(), uploaded.initial_params.as_tuple()):
        assert np.array_equal(a, c) and np.array_equal(b, c)
    replayed = load_checkpoint(save_checkpoint(start), *data)  # what its stored run replays
    start.train(300)
    replayed.train(300)
    assert_same_run(start, replayed)


def silent_by_forward_pass(params, mnist_test_images) -> int:
    """Hidden units with Z1 ≤ 0 on every one of the first PROBE_IMAGES test images, by a float64 forward pass."""
    Z1 = network.forward(params, network.pixels(mnist_test_images[:PROBE_IMAGES])).Z1
    return int((Z1 <= 0).all(axis=0).sum())


def test_silent_units_and_distance_along_the_trajectory(data):
    trainer = Trainer(Settings(learning_rate=0.1, seed=0), *data)  # α = 0.1 silences units within an epoch
    trainer.train(6_000)
    steps, silent = lockstep.TrackedRun(trainer).silent_along()
    points = trainer.trajectory()
    assert list(steps) == [step for step, _ in points]
    assert list(silent) == [silent_by_forward_pass(params, data[2]) for _, params in points]
    assert silent[-1] == trainer.dead_units().sum() and silent[-1] > 0 and silent[0] == 0
    steps, distance = lockstep.TrackedRun(trainer).distance_along()
    expected = [np.sqrt(sum(((p - q) ** 2).sum() for p, q in zip(params.as_tuple(), trainer.initial_params.as_tuple())))
                for _, params in points]
    np.testing.assert_allclose(distance, expected, rtol=1e-12)


def test_the_reading_says_what_the_runs_show(data):
    chosen = lockstep.gradient_rule_set(Settings(seed=0), erratum_pair=True)
    trainers = [Trainer(settings, *data) for settings in chosen]
    lockstep.train_in_lockstep(trainers, 3_000)
    labels = run_labels(chosen)
    text = "\n".join(compare_reading.reading(trainers, labels))
    difference = max(np.abs(a - b).max() for a, b in zip(trainers[0].params.as_tuple(), trainers[3].params.as_tuple()))
    assert ("agree bit for bit" in text) == (difference == 0)
    assert "erratum 1" in text
    for trainer, label in zip(trainers, labels):
        assert f"**{label}** {trainer.history.train_accuracy:.2%}" in text
    sizes = [output_error_by_hand(settings, data, 3_000) for settings in chosen[:2]]
    assert f"rms {sizes[1]:.3g} against {sizes[0]:.3g}" in text
    assert f"{sizes[0] / sizes[1]:.1f} times smaller" in text


def output_error_by_hand(settings, data, n) -> float:
    """The mean over n steps of |dZ2| / √10, by calling network.sgd_step on the samples in order."""
    params = network.init_parameters(settings.hidden, settings.init, settings.seed)
    images, labels = data[0][:n], data[1][:n]
    sizes = [np.linalg.norm(network.sgd_step(params, network.pixels(image), int(label), settings.learning_rate,
                                             settings.rule)[1].db2) / np.sqrt(10) for image, label in zip(images, labels)]
    return float(np.mean(sizes))


def test_the_reading_names_the_learning_rate_that_silenced_units(data):
    chosen = lockstep.learning_rate_set(Settings(seed=0), (0.1, 0.01))
    trainers = [Trainer(settings, *data) for settings in chosen]
    lockstep.train_in_lockstep(trainers, 6_000)
    silent = trainers[0].dead_units()
    text = "\n".join(compare_reading.reading(trainers, run_labels(chosen)))
    assert f"**α = 0.1** silenced {silent.sum()} of 10 hidden units" in text
    assert f"fired on a training image at step {trainers[0].history.last_active[silent].max():,}" in text
    assert "**α = 0.01** silenced" not in text
