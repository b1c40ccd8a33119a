"""Runs that survive, through the app (AppTest) and a real SQLite store: the link is the run.

Each AppTest is one browser session; a second AppTest opened with the same ?run= is a reload, a
new tab or another browser. What is stored is checked through the store itself, bit for bit.
"""

import os

import numpy as np
import pytest

from core.record.checkpoints import save_checkpoint
from core.record.events import StartedFromCheckpoint, TrainSamples
from core.training.settings import Settings
from core.training.trainer import Trainer
from runs.store import RunStore
from tests.app_session import fresh_app, panel_event, session_of, trained_app, trainer_of, train_click


@pytest.fixture(scope="module")
def store():
    opened = RunStore(os.environ["BACKPROP_STORE"])
    yield opened
    opened.close()


def run_id_of(app) -> str:
    run_id = app.query_params["run"]
    return run_id[0] if isinstance(run_id, list) else run_id


def notices(app) -> str:
    return " ".join(warning.value for warning in app.warning)


def assert_same_parameters(first, second):
    for a, b in zip(first.params.as_tuple(), second.params.as_tuple()):
        assert np.array_equal(a, b)


def test_a_run_reopens_from_its_link_at_the_same_step_with_the_same_weights(store):
    app = trained_app(100, {"lr": "0.02", "seed": "3"})
    train_click(app, 10)
    run_id = run_id_of(app)
    assert len(run_id) == 22
    assert [event.n for event in store.events_since(run_id)] == [100, 10]

    reopened = fresh_app({"run": run_id})  # a reload, or the link in another browser
    again = trainer_of(reopened)
    assert again.step_count == 110 and again.settings == Settings(learning_rate=0.02, seed=3)
    assert_same_parameters(again, trainer_of(app))
    np.testing.assert_array_equal(again.history.loss_curve()[1], trainer_of(app).history.loss_curve()[1])
    assert run_id_of(reopened) == run_id and reopened.query_params["lr"] in ("0.02", ["0.02"])
    assert not reopened.exception


def test_the_link_stays_in_the_url_on_every_screen():
    app = trained_app(10)
    run_id = run_id_of(app)
    for screen in ("pages/weights.py", "pages/home.py", "pages/gradients.py"):
        app.switch_page(screen).run()
        assert run_id_of(app) == run_id


@pytest.mark.parametrize("hostile", ["'; drop table runs; --", "x" * 10_000, "ρυθμός-μάθησης-αβγδεζηθικ",
                                     "AAAAAAAAAAAAAAAAAAAAAA", "../../etc/passwd", "%00"])
def test_a_bad_or_unknown_run_id_gets_a_notice_and_a_fresh_run(store, hostile):
    before = len(store.list_runs(10_000))
    app = fresh_app({"run": hostile})
    assert not app.exception
    assert "fresh run" in notices(app)
    assert trainer_of(app).step_count == 0 and run_id_of(app) != hostile
    assert len(store.list_runs(10_000)) == before + 1  # the tables are all there, with one run more


def test_reset_starts_a_new_run_and_keeps_the_old_one_behind_a_link(store):
    app = trained_app(100)
    old = run_id_of(app)
    panel_event(app, "action", {"kind": "reset"})
    new = run_id_of(app)
    assert new != old and trainer_of(app).step_count == 0
    assert session_of(app).run.previous_run == old
    assert any(f"?run={old}" in caption.value for caption in app.sidebar.caption)
    assert trainer_of(fresh_app({"run": old})).step_count == 100


def test_two_tabs_on_one_run_never_store_a_step_twice(store):
    first = trained_app(10)
    run_id = run_id_of(first)
    second = fresh_app({"run": run_id})
    second.switch_page("pages/train.py").run()
    train_click(first, 10)  # the first tab moves the run on to 20
    train_click(second, 100)  # the second, still at 10, is refused and catches up
    assert "moved on in another tab" in notices(second)
    assert trainer_of(second).step_count == 20
    assert_same_parameters(trainer_of(second), trainer_of(first))
    second.run()  # AppTest finishes a rerun started inside a fragment on the next run; a browser does it at once
    train_click(second, 10)
    assert [event.n for event in store.events_since(run_id)] == [10, 10, 10]
    assert trainer_of(fresh_app({"run": run_id})).step_count == 30


def test_an_uploaded_checkpoint_starts_a_new_run_and_the_old_run_is_kept(store, mnist):
    app = trained_app(10)
    old = run_id_of(app)
    saved = Trainer(Settings(hidden=12), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    saved.train(30)
    app.switch_page("pages/checkpoint.py").run()
    app.file_uploader(key="checkpoint_upload").upload("run.npz", save_checkpoint(saved)).run()
    new = run_id_of(app)
    assert new != old and session_of(app).run.previous_run == old
    assert isinstance(store.events_since(new)[0], StartedFromCheckpoint)
    app.switch_page("pages/train.py").run()
    train_click(app, 10)
    reopened = trainer_of(fresh_app({"run": new}))
    assert reopened.step_count == 40 and reopened.settings.hidden == 12
    assert_same_parameters(reopened, trainer_of(app))
    assert trainer_of(fresh_app({"run": old})).step_count == 10
    assert store.events_since(old) == [TrainSamples(10)]
