"""A run's log replays to the live trainer's parameters bit for bit, and a malformed event is refused."""

import base64
import json

import numpy as np
import pytest

from core.record.checkpoints import save_checkpoint
from core.record.events import (
    SettingsChanged,
    StartedFromCheckpoint,
    StepOnImage,
    TrainSamples,
    apply_events,
    event_from_dict,
    event_to_dict,
    samples_trained,
    settings_from_dict,
    settings_to_dict,
    snapshot_bytes,
    trainer_from_snapshot,
)
from core.model.network import PARAMETER_NAMES, pixels, sgd_step
from core.training.settings import Settings
from core.training.trainer import Trainer
from tests.saying import raises_saying


@pytest.fixture(scope="module")
def small_data(mnist):
    """The first 700 real training images (so epochs end and the schedule matters) and the test set."""
    return mnist.train_images[:700], mnist.train_labels[:700], mnist.test_images, mnist.test_labels


def assert_same_parameters(a, b):
    for name, left, right in zip(PARAMETER_NAMES, a.params.as_tuple(), b.params.as_tuple()):
        assert np.array_equal(left, right), name


def through_json(events):
    """The events as the store keeps them (JSON text) and read back."""
    return [event_from_dict(json.loads(json.dumps(event_to_dict(event)))) for event in events]


def live_run(settings, data, mnist):
    """Train a trainer by its own methods, as the screens do, logging one event per action."""
    trainer, log, marks = Trainer(settings, *data), [], {}

    def act(event, action):
        action()
        log.append(event)

    act(TrainSamples(300), lambda: trainer.train(300))
    act(StepOnImage.of(mnist.test_images[0], 7), lambda: trainer.step_on(mnist.test_images[0], 7))
    act(TrainSamples(1), lambda: trainer.step())
    marks["snapshot"] = (len(log), snapshot_bytes(trainer), trainer.state_dict())
    changed = SettingsChanged.of(learning_rate=0.05, rule="cross-entropy", decay_period=1, decay_factor=0.5)
    act(changed, lambda: trainer.change_settings(changed.applied_to(trainer.settings)))
    act(TrainSamples(900), lambda: trainer.train(900))  # crosses two epoch ends: α halves at each
    act(StepOnImage.of(mnist.test_images[1], 2), lambda: trainer.step_on(mnist.test_images[1], 2))
    act(TrainSamples(250), lambda: trainer.train(250))
    return trainer, log, marks


def test_replaying_the_log_from_the_seed_gives_the_parameters_bit_for_bit(mnist, small_data):
    settings = Settings(learning_rate=0.02, seed=3)
    live, log, _ = live_run(settings, small_data, mnist)
    replayed = apply_events(Trainer(settings, *small_data), through_json(log))
    assert live.step_count == replayed.step_count == samples_trained(log) - 2 == 1451
    assert live.epoch == replayed.epoch == 2 and replayed.settings == live.settings
    assert replayed.learning_rate == 0.05 * 0.5 ** 2
    assert_same_parameters(live, replayed)
    differs = apply_events(Trainer(settings, *small_data), through_json([e for e in log if not isinstance(e, StepOnImage)]))
    assert not np.array_equal(differs.params.W1, live.params.W1)  # the image steps count


def test_a_snapshot_plus_the_events_after_it_gives_the_same_parameters(mnist, small_data):
    settings = Settings(seed=5)
    live, log, marks = live_run(settings, small_data, mnist)
    position, blob, state = marks["snapshot"]
    from_blob = apply_events(trainer_from_snapshot(blob, *small_data), through_json(log[position:]))
    from_state = apply_events(Trainer.from_state(state, *small_data), through_json(log[position:]))
    assert_same_parameters(live, from_blob)
    assert_same_parameters(live, from_state)
    assert from_blob.step_count == live.step_count and from_blob.history.steps == live.history.steps


def test_step_on_trains_one_image_and_keeps_the_position(mnist, small_data):
    trainer = Trainer(Settings(), *small_data)
    trainer.train(10)
    expected = trainer.params.copy()
    sgd_step(expected, pixels(mnist.test_images[5]), 4, trainer.learning_rate, "document")
    record = trainer.step_on(mnist.test_images[5], 4)
    assert np.array_equal(trainer.params.W1, expected.W1) and np.array_equal(trainer.params.b2, expected.b2)
    assert (trainer.step_count, trainer.index, trainer.history.steps) == (10, 10, 10)
    assert record.index is None and record.label == 4 and trainer.last_record is record
    restored = Trainer.from_state(trainer.state_dict(), *small_data)  # its bookkeeping still adds up
    assert np.array_equal(restored.params.W1, trainer.params.W1)
    with raises_saying(ValueError, "label must be a digit"):
        trainer.step_on(mnist.test_images[5], 10)
    with raises_saying(ValueError, "28x28 uint8"):
        trainer.step_on(mnist.test_images[5].astype(float), 1)


def test_settings_that_change_the_shape_cannot_change_during_a_run(small_data):
    trainer = Trainer(Settings(), *small_data)
    with raises_saying(ValueError, "hidden cannot change"):
        trainer.change_settings(Settings(hidden=20))
    with raises_saying(ValueError, "a settings event changes"):
        SettingsChanged.of(seed=4)


def test_a_run_started_from_a_checkpoint_replays_from_its_bytes(small_data):
    source = Trainer(Settings(rule="mse"), *small_data)
    source.train(400)
    content = save_checkpoint(source)
    log = through_json([StartedFromCheckpoint.of(content), TrainSamples(120)])
    source.train(120)
    replayed = apply_events(Trainer(Settings(), *small_data), log, {log[0].sha256: content})
    assert_same_parameters(source, replayed)
    assert replayed.settings.rule == "mse" and replayed.step_count == 520
    for checkpoints in ({}, {log[0].sha256: content[:-1] + b"x"}):
        with raises_saying(ValueError, "missing or altered"):
            apply_events(Trainer(Settings(), *small_data), log, checkpoints)


def test_events_round_trip_through_small_json(mnist):
    image = StepOnImage.of(mnist.train_images[0], 5)
    events = [TrainSamples(60_000), image, SettingsChanged.of(learning_rate=1), StartedFromCheckpoint.of(b"x")]
    assert through_json(events) == events
    assert np.array_equal(through_json([image])[0].image, mnist.train_images[0])
    assert len(json.dumps(event_to_dict(image))) < 1100
    assert through_json(events)[2].changes == (("learning_rate", 1.0),)


GOOD_IMAGE = base64.b64encode(bytes(784)).decode()


@pytest.mark.parametrize("record, message", [
    ([1, 2], "JSON object with a text field 'kind'"),
    ({"kind": "delete everything"}, "unknown event kind"),
    ({"kind": "train"}, "fields n, not none"),
    ({"kind": "train", "n": 5, "extra": 1}, "fields n, not extra"),
    ({"kind": "train", "n": 0}, "whole number of samples"),
    ({"kind": "train", "n": 10**12}, "whole number of samples"),
    ({"kind": "train", "n": 2.5}, "whole number of samples"),
    ({"kind": "train", "n": True}, "whole number of samples"),
    ({"kind": "image", "image": base64.b64encode(bytes(783)).decode(), "label": 1}, "784 pixel bytes"),
    ({"kind": "image", "image": "not base64!", "label": 1}, "not valid base64"),
    ({"kind": "image", "image": "é" * 10, "label": 1}, "not valid base64"),
    ({"kind": "image", "image": "A" * 100_000, "label": 1}, "base64 text of 784 bytes"),
    ({"kind": "image", "image": GOOD_IMAGE, "label": 10}, "label 0..9"),
    ({"kind": "image", "image": GOOD_IMAGE, "label": -1}, "label 0..9"),
    ({"kind": "image", "image": GOOD_IMAGE, "label": "3"}, "label 0..9"),
    ({"kind": "settings", "changes": {}}, "changes one or more"),
    ({"kind": "settings", "changes": {"hidden": 20}}, "changes one or more"),
    ({"kind": "settings", "changes": {"learning_rate": 1e9}}, "lr=1000000000.0 is outside"),
    ({"kind": "settings", "changes": {"learning_rate": "0.1"}}, "wrong type"),
    ({"kind": "settings", "changes": {"decay_period": 2.5}}, "wrong type"),
    ({"kind": "settings", "changes": {"rule": "magic"}}, "rule='magic' is not one of"),
    ({"kind": "settings", "changes": [1]}, "must be a JSON object"),
    ({"kind": "checkpoint", "sha256": "'; drop table runs; --"}, "64 lowercase hex digits"),
])
def test_a_malformed_event_is_refused_with_a_clear_message(record, message):
    with raises_saying(ValueError, message):
        event_from_dict(record)


def test_run_settings_round_trip_and_bad_ones_are_refused():
    settings = Settings(learning_rate=0.5, rule="mse", hidden=32, seed=9)
    assert settings_from_dict(json.loads(json.dumps(settings_to_dict(settings)))) == settings
    for broken, message in [({"learning_rate": 0.5}, "exactly the fields"),
                            ({**settings_to_dict(settings), "hidden": 10_000}, "hidden=10000 is outside"),
                            ({**settings_to_dict(settings), "seed": "0"}, "wrong type")]:
        with raises_saying(ValueError, message):
            settings_from_dict(broken)
