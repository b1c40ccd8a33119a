"""Any past step of a run is recomputed exactly: the parameters a fresh run has there, bit for bit."""

import io

import numpy as np
import pytest

from core.record.events import SettingsChanged, StepOnImage, TrainSamples, apply_events
from core.model.network import PARAMETER_NAMES
from core.training.settings import Settings
from core.record.timeline import Keyframe, Keyframes, Timeline, keyframe_bytes, keyframe_from_bytes
from core.training.trainer import Trainer
from tests.saying import raises_saying


def assert_same(left, right):
    for name, a, b in zip(PARAMETER_NAMES, left.as_tuple(), right.as_tuple()):
        assert np.array_equal(a, b), name


def data_of(mnist):
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


def trained_live(settings, data, clicks):
    """Train as the Train screen does, one event per click, keeping keyframes as the session does."""
    trainer = Trainer(settings, *data)
    timeline = Timeline(Keyframe.of(trainer, 0, 0), data=data)
    for event in clicks:
        if isinstance(event, TrainSamples):
            trainer.train(event.n, progress=lambda done, n: timeline.capture_live(trainer, done))
        elif isinstance(event, StepOnImage):
            trainer.step_on(event.image, event.label)
        else:
            trainer.change_settings(event.applied_to(trainer.settings))
        timeline.extend([event], trainer)
    return trainer, timeline


@pytest.fixture(scope="module")
def three_epochs(mnist):
    """A 3-epoch run (180,000 steps) trained in clicks of many sizes, with its timeline."""
    data = data_of(mnist)
    sizes = [1, 1, 100, 37, 1000, 58_861] + [60_000, 60_000]
    return trained_live(Settings(decay_period=1), data, [TrainSamples(n) for n in sizes]) + (data,)


def test_the_parameters_at_random_steps_of_a_3_epoch_run_equal_a_fresh_run_trained_there(three_epochs):
    live, timeline, data = three_epochs
    assert timeline.length == 180_000
    targets = sorted(np.random.default_rng(7).choice(np.arange(1, 180_000), size=6, replace=False).tolist())
    fresh = Trainer(Settings(decay_period=1), *data)
    for k in targets + [180_000]:
        fresh.train(k - fresh.step_count)
        assert_same(timeline.parameters(k), fresh.params)
    assert_same(timeline.parameters(180_000), live.params)
    assert_same(timeline.parameters(0), Trainer(Settings(decay_period=1), *data).params)


def test_a_viewed_step_is_the_step_that_ran_and_its_neighbours_are_cheap(three_epochs, mnist):
    live, timeline, data = three_epochs
    fresh = Trainer(Settings(decay_period=1), *data)
    fresh.train(123_455)
    ran = fresh.step()
    view = timeline.step(123_456)
    assert view.position == 123_456 and not view.drawing
    assert view.record.index == ran.index == 123_456 - 120_000 - 1 and view.record.label == ran.label
    assert view.record.learning_rate == ran.learning_rate == 0.01 * 0.5 ** 2  # epoch 3, halved every epoch
    for name, a, b in zip(PARAMETER_NAMES, view.record.gradients, ran.gradients):
        assert np.array_equal(a, b), name
    assert view.record.loss_after == ran.loss_after
    # One step back is replayed from a near copy, one step forward from the cursor: the same numbers either way.
    assert 123_455 - max(frame.position for frame in timeline.near if frame.position <= 123_454) <= 1000
    back = timeline.step(123_455).trainer.params.copy()
    forward = timeline.step(123_456).trainer.params.copy()
    assert_same(forward, fresh.params)
    fresh_back = Trainer(Settings(decay_period=1), *data)
    fresh_back.train(123_455)
    assert_same(back, fresh_back.params)


def test_settings_changes_and_drawings_replay_exactly(mnist):
    data = data_of(mnist)
    drawn = StepOnImage.of(mnist.test_images[0], 7)
    clicks = [TrainSamples(500), drawn, TrainSamples(1), SettingsChanged.of(learning_rate=0.05, rule="cross-entropy"),
              TrainSamples(2500), StepOnImage.of(mnist.test_images[1], 3), TrainSamples(10)]
    live, timeline = trained_live(Settings(), data, clicks)
    assert timeline.length == 3013 and timeline.drawing_positions() == [501, 3003]
    assert_same(timeline.parameters(3013), live.params)
    # The drawing is step 501: its record is the step on that image, at the learning rate then in force.
    view = timeline.step(501)
    assert view.drawing and view.record.index is None and view.record.label == 7
    assert np.array_equal(view.record.x, drawn.image.reshape(-1) / 255.0)
    # Step 503 is the first after the settings change: it trained with the new rule and rate.
    after = timeline.step(503).record
    assert (after.rule, after.learning_rate) == ("cross-entropy", 0.05)
    for k in (1, 499, 500, 502, 1500, 3003, 3012):
        cut = Trainer(Settings(), *data)
        apply_events(cut, logged_until(clicks, k))
        assert_same(timeline.parameters(k), cut.params)


def logged_until(events, k):
    """The log cut after its k-th update (a train event shortened), with the settings changes before the next."""
    kept, done = [], 0
    for event in events:
        n = event.n if isinstance(event, TrainSamples) else int(isinstance(event, StepOnImage))
        if done == k and n:
            break
        if isinstance(event, TrainSamples) and done + n > k:
            kept.append(TrainSamples(k - done))
            break
        kept.append(event)
        done += n
    return kept


def test_keyframes_stay_within_their_budget_and_spread_over_the_run(mnist):
    data = data_of(mnist)
    trainer = Trainer(Settings(), *data)
    per_frame = Keyframe.of(trainer, 0, 0).nbytes()
    keyframes = Keyframes(budget_bytes=20 * per_frame)
    for position in range(0, 100_001, 500):
        keyframes.add(Keyframe.of(trainer, position, 0))
    positions = [frame.position for frame in keyframes.frames]
    assert keyframes.nbytes() <= 20 * per_frame and positions[0] == 0 and positions[-1] == 100_000
    assert max(np.diff(positions)) <= 2 * 100_000 / 19


def test_a_step_outside_the_run_is_refused_clearly(mnist):
    _, timeline = trained_live(Settings(), data_of(mnist), [TrainSamples(10)])
    with raises_saying(ValueError, "steps 1 … 10"):
        timeline.step(11)
    with raises_saying(ValueError, "steps 1 … 10"):
        timeline.step(0)


def test_a_keyframe_taken_as_a_click_ends_replays_the_events_after_it(mnist):
    """A keyframe taken after the last sample of a click, before its event was logged, points at that event's end."""
    data = data_of(mnist)
    trainer = Trainer(Settings(), *data)
    timeline = Timeline(Keyframe.of(trainer, 0, 0), data=data)
    trainer.train(1000)
    timeline.keyframes.add(Keyframe.of(trainer, 1000, 0, 1000))  # as capture_live(trainer, 1000) takes it
    change = SettingsChanged.of(rule="cross-entropy", learning_rate=0.1)
    drawn = StepOnImage.of(mnist.test_images[0], 7)
    timeline.extend([TrainSamples(1000), change, drawn])
    assert timeline.admits(timeline.keyframes.frames[-1])
    view = timeline.step(1001)
    assert view.drawing and (view.record.rule, view.record.learning_rate) == ("cross-entropy", 0.1)
    expected = Trainer(Settings(), *data)
    apply_events(expected, [TrainSamples(1000), change, drawn])
    assert_same(view.trainer.params, expected.params)


def test_positions_count_drawings_as_steps_between_training_samples(mnist):
    data = data_of(mnist)
    drawn = StepOnImage.of(mnist.test_images[0], 7)
    _, timeline = trained_live(Settings(), data, [TrainSamples(5), drawn, drawn, TrainSamples(5), drawn])
    assert timeline.drawing_positions() == [6, 7, 13]
    assert [timeline.position_after_samples(s) for s in (0, 5, 6, 10)] == [0, 5, 8, 12]


def test_every_step_of_the_timeline_counts_as_the_screens_do(mnist):
    """Step k of the timeline is the state after k SGD steps: samples and drawings, the record says the same."""
    data = data_of(mnist)
    drawn = StepOnImage.of(mnist.test_images[0], 7)
    live, timeline = trained_live(Settings(), data, [TrainSamples(5), drawn, drawn, TrainSamples(5), drawn])
    assert (live.step_count, live.drawings, live.sgd_steps) == (10, 3, timeline.length) == (10, 3, 13)
    for position in range(1, 14):
        view = timeline.step(position)
        assert view.trainer.sgd_steps == view.record.step == position


def test_a_keyframe_stored_before_drawings_were_counted_gets_them_from_its_place(mnist):
    data = data_of(mnist)
    drawn = StepOnImage.of(mnist.test_images[0], 7)
    live, timeline = trained_live(Settings(), data, [TrainSamples(5), drawn, drawn, TrainSamples(5)])
    keyframe = Keyframe.of(live, timeline.length, len(timeline.events))
    old = dict(np.load(io.BytesIO(keyframe_bytes(keyframe))))
    del old["drawings"]
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **old)
    restored = keyframe_from_bytes(buffer.getvalue(), timeline.keyframes.frames[0], live.training_size)
    assert (restored.drawings, restored.sgd_steps) == (2, 12)
