"""Time travel through the app (AppTest, a real SQLite store): open a past step, branch from it, train on a drawing.

What the screens show is checked against a fresh trainer of the core taken to the same step,
and what is stored through the store itself.
"""

import os

import numpy as np
import pytest

from core.record.events import SettingsChanged, StepOnImage, TrainSamples
from core.training.settings import Settings
from core.training.trainer import Trainer
from runs.store import RunStore
from tests.app_session import (fresh_app, open_past_step, panel_event, panel_fields, panel_text, session_of,
                                trained_app, trainer_of, train_click)
from tests.saying import raises_saying


@pytest.fixture(scope="module")
def store():
    opened = RunStore(os.environ["BACKPROP_STORE"])
    yield opened
    opened.close()


def fresh_trainer(mnist, steps, settings=Settings()):
    trainer = Trainer(settings, mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer.train(steps)
    return trainer


def assert_same(first, second):
    for a, b in zip(first.as_tuple(), second.as_tuple()):
        assert np.array_equal(a, b)


def open_step(app, step):
    open_past_step(app, step)
    assert not app.exception, [error.value for error in app.exception]


def shown_text(app) -> str:
    return " ".join(str(element.value) for element in [*app.markdown, *app.caption, *app.info]) + " " + panel_text(app)


def test_a_past_step_shows_what_that_step_did_and_offers_no_training(mnist, store):
    app = trained_app(100)
    state, run_id = session_of(app), session_of(app).run.run_id
    open_step(app, 40)
    assert state.viewing == 40
    fields = panel_fields(app)
    assert fields["mode"] == "past" and not fields["controls"]  # no Step, ×10, ×100, epoch or Reset
    assert fields["timeline"]["shown"] == 40 and fields["timeline"]["last"] == 100  # ◀ ▶, now and the slider
    before = fresh_trainer(mnist, 39)
    ran = before.step()
    text = shown_text(app)
    assert f"Viewing step **40** of 100" in text
    assert "#### Step 40 · epoch 1 · sample 40 of 60,000 · α = 0.01" in text and ran.index == 39
    assert fields["loss_before"] == f"{ran.loss_before:.4f}"
    with raises_saying(RuntimeError, "past step"):
        state.train(1)  # nothing trains the run from the past, even called directly
    open_past_step(app, panel_fields(app)["timeline"]["shown"] - 1)  # ◀
    assert state.viewing == 39 and state.trainer.step_count == 100 and store.run_info(run_id).length == 1
    assert_same(state.shown_trainer().params, fresh_trainer(mnist, 39).params)
    panel_event(app, "action", {"kind": "now"})
    assert state.viewing is None and panel_fields(app)["controls"]


def test_forward_pass_and_gradients_show_the_viewed_step_with_a_way_back(mnist):
    app = trained_app(100)
    open_step(app, 7)
    ran = fresh_trainer(mnist, 6).step()
    app.switch_page("pages/gradients.py").run()
    assert not app.exception
    assert "Viewing **step 7** of 100" in " ".join(info.value for info in app.info)
    assert f"Step 7: training image #6, label {ran.label}" in " ".join(caption.value for caption in app.caption)
    app.switch_page("pages/forward.py").run()
    assert "Model as it was after step 7" in " ".join(caption.value for caption in app.caption)
    app.button(key="banner_now").click().run()
    assert session_of(app).viewing is None


def test_a_branch_starts_from_the_step_with_new_settings_and_the_parent_stays(mnist, store):
    app = trained_app(100)
    parent = session_of(app).run.run_id
    parent_params = trainer_of(app).params.copy()
    open_step(app, 60)
    app.number_input(key="branch_lr").set_value(0.05)
    app.selectbox(key="branch_rule").set_value("cross-entropy")
    app.button(key="FormSubmitter:branch-Branch from step 60").click().run()
    state = session_of(app)
    child = state.run.run_id
    assert child != parent and state.viewing is None and state.trainer.step_count == 60
    assert state.trainer.settings.learning_rate == 0.05 and state.trainer.settings.rule == "cross-entropy"
    # The child's log names its parent and holds only the rest of the click it cut and the change.
    info = store.run_info(child)
    assert info.parent == parent and info.parent_step == 0 and store.events_since(child) == [
        TrainSamples(60), SettingsChanged.of(learning_rate=0.05, rule="cross-entropy")]
    assert store.events_since(parent) == [TrainSamples(100)]
    assert "Branched from" in " ".join(caption.value for caption in app.sidebar.caption)
    # Its first new step is a fresh run's step 61 after switching the settings at step 60.
    session_of(app).train(1)
    expected = fresh_trainer(mnist, 60)
    expected.change_settings(Settings(learning_rate=0.05, rule="cross-entropy"))
    expected.step()
    assert_same(session_of(app).trainer.params, expected.params)
    # Both links open their own run.
    assert_same(trainer_of(fresh_app({"run": parent})).params, parent_params)
    assert_same(trainer_of(fresh_app({"run": child})).params, expected.params)


def test_a_branch_from_inside_a_click_of_many_steps_cuts_that_click_exactly(mnist, store):
    app = trained_app(100)
    parent = session_of(app).run.run_id
    open_step(app, 37)
    app.selectbox(key="branch_rule").set_value("mse")
    app.button(key="FormSubmitter:branch-Branch from step 37").click().run()
    child = session_of(app).run.run_id
    assert store.run_info(child).parent == parent and store.run_info(child).parent_step == 0
    assert store.events_since(child) == [TrainSamples(37), SettingsChanged.of(rule="mse")]
    assert_same(trainer_of(app).params, fresh_trainer(mnist, 37).params)
    # Opening a step of the branch's shared past gives the parent's numbers.
    open_step(app, 20)
    assert_same(session_of(app).shown_trainer().params, fresh_trainer(mnist, 20).params)


def test_a_step_on_a_drawing_is_logged_replays_exactly_and_is_marked(mnist, store):
    app = trained_app(10)
    state = session_of(app)
    drawing = mnist.test_images[3]
    record = state.train_on_drawing(drawing, 4)
    assert record.index is None and record.label == 4
    train_click(app, 1)
    run_id = state.run.run_id
    assert store.events_since(run_id) == [TrainSamples(10), StepOnImage.of(drawing, 4), TrainSamples(1)]
    reopened = fresh_app({"run": run_id})
    assert_same(trainer_of(reopened).params, state.trainer.params)
    reopened.switch_page("pages/train.py").run()
    assert "steps on your drawings: 11" in panel_text(reopened)
    open_step(reopened, 11)
    view = session_of(reopened).viewed()
    assert view.drawing and view.record.label == 4
    assert "a step on your drawing" in shown_text(reopened)


def test_a_reopened_long_run_reads_its_keyframes_from_the_store_and_opens_past_steps_exactly(mnist, store):
    app = fresh_app({"lr": "0.02"})
    state = session_of(app)
    state.train(45_000)
    state.run.wait_for_snapshot()
    run_id = state.run.run_id
    for _ in range(50):  # the keyframe is written by a background thread
        if store.keyframes(run_id):
            break
        import time
        time.sleep(0.1)
    # Taken during the click, 40,000 steps in, and written once the click's event was.
    assert [position for position, _ in store.keyframes(run_id)] == [40_000]
    reopened = fresh_app({"run": run_id})
    timeline = session_of(reopened).timeline()
    assert [frame.position for frame in timeline.keyframes.frames] == [0, 40_000, 45_000]
    reopened.switch_page("pages/train.py").run()
    open_step(reopened, 44_990)
    assert_same(session_of(reopened).shown_trainer().params,
                fresh_trainer(mnist, 44_990, Settings(learning_rate=0.02)).params)
