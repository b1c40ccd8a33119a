"""The Weights screen (AppTest): the player gets every frame of the run, with its measures, at step 0 and after training."""

import numpy as np

from core.training.settings import Settings
from core.training.trainer import Trainer
from tests.app_session import fresh_app, open_past_step, session_of, trained_app, trainer_of, train_click
from tests.weight_payload import decode, decoded_W1


def player_payload(app) -> tuple[dict, dict]:
    [player] = [element for element in app.get("bidi_component")
                if element.proto.component_name == "backprop_weight_player"]
    return decode(player.proto.bytes)


def test_after_training_the_player_holds_every_frame_from_step_0_to_now():
    app = trained_app(100)
    app.switch_page("pages/weights.py").run()
    assert not app.exception
    trainer = trainer_of(app)
    header, arrays = player_payload(app)
    trajectory = trainer.trajectory()
    assert header["steps"] == [step for step, _ in trajectory] and header["steps"][-1] == 100 == header["opened"]
    assert header["steps"][0] == 0 and header["frames"] == len(trajectory) > 2
    W1 = np.stack([params.W1.T for _, params in trajectory])
    assert np.abs(decoded_W1(header, arrays) - W1).max() < 0.01
    assert header["accuracy"][-1] == round(trainer.evaluate(), 6)
    assert header["silent"][-1] == np.flatnonzero(trainer.dead_units()).tolist()
    assert header["unit_labels"] == [f"unit {k}" for k in range(1, 11)]
    assert header["training_size"] == 60_000
    assert any(f"{len(trajectory)} frames" in caption.value for caption in app.caption)


def test_at_step_0_the_player_has_the_initial_weights_alone():
    app = fresh_app()
    app.switch_page("pages/weights.py").run()
    assert not app.exception
    header, arrays = player_payload(app)
    assert header["steps"] == [0] and header["frames"] == 1
    np.testing.assert_array_equal(arrays["W1_start"], trainer_of(app).params.W1.T.astype(np.float32))
    assert any("Only the initial weights" in caption.value for caption in app.caption)


def test_a_rerun_reuses_each_frames_measures():
    app = trained_app(100)
    app.switch_page("pages/weights.py").run()
    memory = session_of(app).frame_measures
    remembered = dict(memory)
    assert len(remembered) == player_payload(app)[0]["frames"]
    app.switch_page("pages/home.py").run()
    app.switch_page("pages/weights.py").run()
    assert all(memory[key] is measures for key, measures in remembered.items())


def test_units_are_numbered_from_1_for_any_hidden_size():
    app = trained_app(10, {"hidden": "12"})
    app.switch_page("pages/weights.py").run()
    header, arrays = player_payload(app)
    assert header["unit_labels"] == [f"unit {k}" for k in range(1, 13)]
    assert arrays["W1_change"].shape == (header["frames"], 12, 784)


def fresh_trainer(mnist, steps):
    trainer = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer.train(steps)
    return trainer


def frame_W1(header, arrays, step) -> np.ndarray:
    return decoded_W1(header, arrays)[header["steps"].index(step)]


def test_the_runs_exact_keyframes_are_frames_too(mnist):
    app = trained_app(100)
    for _ in range(11):
        train_click(app, 100)
    app.switch_page("pages/weights.py").run()
    header, arrays = player_payload(app)
    kept = [keyframe.step_count for keyframe in session_of(app).timeline().keyframes.frames]
    assert 1000 in kept and 1000 not in [step for step, _ in trainer_of(app).trajectory()]
    assert set(kept) <= set(header["steps"]) and header["steps"] == sorted(header["steps"])
    expected = fresh_trainer(mnist, 1000).params.W1.T
    quantum = header["quantum"][header["steps"].index(1000)]
    assert np.abs(frame_W1(header, arrays, 1000) - expected).max() <= quantum


def test_a_step_opened_on_the_timeline_is_the_frame_the_player_opens_at(mnist):
    app = trained_app(100)
    open_past_step(app, 40)
    app.switch_page("pages/weights.py").run()
    assert not app.exception
    assert any("Viewing **step 40**" in info.value for info in app.info)
    header, arrays = player_payload(app)
    assert header["opened"] == 40 and header["steps"][-1] == 100  # the whole run, opened at step 40
    quantum = header["quantum"][header["steps"].index(40)]
    assert np.abs(frame_W1(header, arrays, 40) - fresh_trainer(mnist, 40).params.W1.T).max() <= quantum
