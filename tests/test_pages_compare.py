"""The Compare screen through the app (AppTest) and a real SQLite store: sets, lockstep, links, bad input.

Each compared run is checked against the store (its own log of events) and against a Trainer trained
alone here; each AppTest is one browser session, and a second one opened with ?compare= is the
comparison's link opened elsewhere.
"""

import os

import numpy as np
import pytest

from core.record.checkpoints import save_checkpoint
from core.record.events import StartedFromCheckpoint, TrainSamples
from core.training.settings import Settings
from core.training.trainer import Trainer
from locales.words import run_label
from runs.store import RunStore
from tests.app_session import compare_panel_blob, compare_panel_text, fresh_app, panel_element, session_of, trained_app, trainer_of

SCREEN = "pages/compare.py"


@pytest.fixture(scope="module")
def store():
    opened = RunStore(os.environ["BACKPROP_STORE"])
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def data(mnist):
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


def compare_app(query=None):
    app = fresh_app(query)
    app.switch_page(SCREEN).run()
    return app


def comparison_of(app):
    return session_of(app).comparison


def built(app, key="compare_rules"):
    """Click a set's button; the comparison it made."""
    app.button(key=key).click().run()
    # AppTest runs the rerun that building asks for under the app's script hash, so the widgets it draws
    # carry other ids than the next run's; one more run settles them (a browser gets the next run's at once).
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    return comparison_of(app)


def query_value(app, key):
    value = app.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def screen_text(app) -> str:
    """Every text on the screen: Streamlit's elements, then the Compare panel's (its table as a markdown table)."""
    blocks = [*app.markdown, *app.caption, *app.info, *app.warning, *app.error, *app.title]
    panel = [compare_panel_text(app)] if panel_element(app, "backprop_compare_panel") is not None else []
    return "\n".join([str(block.value) for block in blocks] + panel)


def errors(app) -> str:
    return " ".join(error.value for error in app.error)


def assert_same_parameters(first, second):
    for a, b in zip(first.params.as_tuple(), second.params.as_tuple()):
        assert np.array_equal(a, b)


def test_the_three_rules_are_three_stored_runs_trained_in_lockstep(store, data):
    app = compare_app({"lr": "0.02", "seed": "7"})
    own_run = query_value(app, "run")
    comparison = built(app)
    assert [run_label(run) for run in comparison.runs] == ["document's rule", "exact MSE rule", "cross-entropy rule"]
    ids = comparison.ids
    assert len(set(ids)) == 3 and own_run not in ids
    assert query_value(app, "compare") == ",".join(ids)
    app.button(key="compare_step_100").click().run()
    app.button(key="compare_step_1").click().run()
    assert not app.exception
    for run_id, trainer in zip(ids, comparison.trainers):
        assert store.events_since(run_id) == [TrainSamples(100), TrainSamples(1)]
        alone = Trainer(trainer.settings, *data)
        alone.train(101)
        assert_same_parameters(trainer, alone)
        assert trainer.settings == Settings(learning_rate=0.02, seed=7, rule=trainer.settings.rule)
    text = screen_text(app)
    assert "#### 3 runs at step 101 · epoch 1 · sample 101 of 60,000" in text
    for label in ("document's rule", "exact MSE rule", "cross-entropy rule"):
        assert f"**{label}**" in text
    assert trainer_of(app).step_count == 0 and query_value(app, "run") == own_run  # the Train screen's run is untouched

    on_train = fresh_app({"run": ids[1]})  # one run's own link opens it on the Train screen, past and all
    on_train.switch_page("pages/train.py").run()
    assert not on_train.exception and trainer_of(on_train).step_count == 101
    assert_same_parameters(trainer_of(on_train), comparison.trainers[1])
    assert session_of(on_train).run.open_timeline(trainer_of(on_train)).length == 101

    reopened = compare_app({"compare": ",".join(ids)})  # the comparison's link, in another browser
    again = comparison_of(reopened)
    assert again.ids == ids and again.step_count() == 101
    for first, second in zip(again.trainers, comparison.trainers):
        assert_same_parameters(first, second)
    assert not reopened.exception and "cannot be opened" not in errors(reopened)


UNKNOWN = "AAAAAAAAAAAAAAAAAAAAAA"


@pytest.mark.parametrize("value, reason", [
    ("abc", "is not a run id"),
    ("'; drop table runs; --", "is not a run id"),
    ("ρυθμός,../../etc/passwd", "is not a run id"),
    ("x" * 10_000, "was not read"),
    (f"{UNKNOWN},BBBBBBBBBBBBBBBBBBBBBB", "was not found"),
    (UNKNOWN, "2 to 4 runs; 1 was named"),
    (",".join(f"{letter * 22}" for letter in "ABCDE"), "2 to 4 runs; 5 were named"),
    ("", "no run was named"),
])
def test_a_bad_compare_link_gets_a_message_and_starts_nothing(store, value, reason):
    before = len(store.list_runs(10_000))
    app = compare_app({"compare": value})
    assert not app.exception
    assert "The comparison in this link cannot be opened" in errors(app) and reason in errors(app)
    assert comparison_of(app) is None and query_value(app, "compare") is None
    assert len(store.list_runs(10_000)) == before + 1  # only the session's own fresh run
    assert app.button(key="compare_rules")  # a set can still be built


def test_a_bad_link_leaves_the_comparison_on_screen_as_it_was():
    app = compare_app()
    comparison = built(app)
    app.button(key="compare_step_100").click().run()
    app.query_params["compare"] = "not-a-run,AAAA"
    app.run()
    assert not app.exception
    assert "cannot be opened" in errors(app) and "The comparison on this screen is unchanged" in errors(app)
    assert comparison_of(app) is comparison and comparison.step_count() == 100
    assert query_value(app, "compare") == ",".join(comparison.ids)


def test_runs_picked_by_link_must_share_the_shape_and_the_step():
    source = compare_app()
    rules = built(source, "compare_rules")
    source.button(key="compare_step_100").click().run()
    elsewhere = trained_app(10)  # a run at step 10 on another learner's Train screen
    wider = trained_app(100, {"hidden": "12"})

    app = compare_app()
    links = [f"http://localhost:8501/train?lr=0.01&run={run_id}" for run_id in rules.ids[:2]]
    app.text_area(key="compare_links").input("\n".join(links + [query_value(elsewhere, "run")])).run()
    app.button(key="compare_picked").click().run()
    assert "These runs cannot be compared" in errors(app) and "different steps (100, 100, 10)" in errors(app)
    assert comparison_of(app) is None
    app.text_area(key="compare_links").input(f"{links[0]}, {query_value(wider, 'run')}").run()
    app.button(key="compare_picked").click().run()
    assert "different network shapes (hidden units: 10, 12)" in errors(app)
    app.text_area(key="compare_links").input(f"compare?compare={','.join(rules.ids)}").run()
    app.button(key="compare_picked").click().run()
    app.run()
    picked = comparison_of(app)
    assert picked.ids == rules.ids and picked.step_count() == 100
    for first, second in zip(picked.trainers, rules.trainers):
        assert_same_parameters(first, second)


def test_an_epoch_of_three_runs_ends_with_each_run_s_test_accuracy():
    app = compare_app()
    comparison = built(app, "compare_rates")
    assert [run_label(run) for run in comparison.runs] == ["α = 0.1", "α = 0.01", "α = 0.002"]
    comparison.train(59_000)  # most of the epoch without the page, then the page's run ends it
    comparison.running = True
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    assert not comparison.running and comparison.step_count() == 60_000
    text = screen_text(app)
    assert "#### 3 runs at step 60,000 · epoch 2 begins" in text
    for run in comparison.runs:
        accuracy = run.trainer.history.epochs[-1].test_accuracy
        assert f"**{run_label(run)}** | {run.trainer.learning_rate:g} |" in text and f"| {accuracy:.2%} |" in text
    assert "test accuracy (10,000 test images)" in text  # the reading ranks them
    silent = comparison.trainers[0].dead_units().sum()
    assert (f"**α = 0.1** silenced {silent} of 10" in text) == bool(silent)


def test_a_set_from_an_uploaded_checkpoint_starts_from_the_weights_it_carries(store, data):
    uploaded = Trainer(Settings(seed=9), *data)
    uploaded.initial_params.W2 *= 3.0  # initial weights seed 9 does not give
    uploaded.params = uploaded.initial_params.copy()
    app = fresh_app()
    app.switch_page("pages/checkpoint.py").run()
    app.file_uploader(key="checkpoint_upload").upload("run.npz", save_checkpoint(uploaded)).run()
    app.switch_page(SCREEN).run()
    assert "uploaded checkpoint" in screen_text(app)
    comparison = built(app)
    for run_id, trainer in zip(comparison.ids, comparison.trainers):
        assert_same_parameters(trainer, uploaded)
        assert isinstance(store.events_since(run_id)[0], StartedFromCheckpoint)
    app.button(key="compare_step_100").click().run()
    reopened = comparison_of(compare_app({"compare": ",".join(comparison.ids)}))
    for first, second in zip(reopened.trainers, comparison.trainers):
        assert first.step_count == 100 and first.settings == second.settings
        assert_same_parameters(first, second)


def test_a_wide_network_draws_every_unit_of_every_run():
    app = compare_app({"hidden": "64"})
    comparison = built(app)
    app.button(key="compare_step_100").click().run()
    assert not app.exception, [error.value for error in app.exception]
    fields, arrays = compare_panel_blob(app)
    alts = [run["alt"] for run in fields["weights"]["runs"]]
    assert all(f"W1_{count}_{unit}" in arrays for count in range(3) for unit in range(64))
    for run in comparison.runs:
        assert any(alt.startswith(f"W1 of {run_label(run)} at step 100: the 28×28 templates of its 64 hidden units")
                   for alt in alts), alts
