"""The Train and Gradients screens describe the model they show: after Stop, after a load, mid-run, any size.

And they say loudly what goes wrong: silent hidden units at a high α, a loss that overshoots back and forth.
All on real MNIST, through AppTest.
"""

import re

from core.record.checkpoints import load_checkpoint, save_checkpoint
from core.training.settings import Settings
from core.training.trainer import Trainer
from tests.app_session import (charts, fresh_app, panel_element, panel_fields, panel_text, session_of, trained_app, trainer_of,
                               train_click)
from ui.widgets import position_text

FIRST_IMAGE = "train on the first image"
NO_STEP = "No step has been trained yet"


def screen_text(app) -> str:
    """Every text a learner reads on the screen: headings, markdown, captions, notes, warnings, metrics."""
    blocks = [*app.markdown, *app.caption, *app.info, *app.warning, *app.error, *app.success, *app.title]
    texts = [block.value for block in blocks]
    texts += [f"{metric.label} {metric.value} {metric.proto.delta}" for metric in app.metric]
    texts += [caption for image in app.get("image") for caption in image.captions]
    if panel_element(app) is not None:
        texts.append(panel_text(app))
    return "\n".join(str(text) for text in texts)


def stopped_mid_epoch(app, steps: int) -> None:
    """What Stop leaves: an epoch run in slices that ended by its stop check, with no last step kept."""
    trainer = trainer_of(app)
    trainer.run_epoch(should_stop=lambda: trainer.step_count >= steps)
    assert trainer.step_count == steps and trainer.last_record is None


def test_after_stop_train_and_gradients_show_the_trained_model():
    app = fresh_app()
    app.switch_page("pages/train.py").run()
    stopped_mid_epoch(app, 3_000)
    app.run()
    assert not app.exception
    text = screen_text(app)
    assert FIRST_IMAGE not in text
    assert "#### Step 3,000 · epoch 1 · sample 3,000 of 60,000" in text
    assert "The model is at step 3,000" in text and "Press **Step**" in text
    assert "W1 at step 3,000" in text
    assert "appear after a few steps" not in text
    assert "train_schedule" in charts(app), "the learning-rate schedule is drawn"
    app.switch_page("pages/gradients.py").run()
    assert not app.exception
    text = screen_text(app)
    assert NO_STEP not in text and "The model is at step 3,000" in text
    assert "The current weights W1 at step 3,000" in text


def loaded_app(trainer: Trainer, query=None):
    """A session that continues with `trainer`, as after uploading its checkpoint."""
    app = fresh_app(query)
    mnist = trainer.data
    loaded = load_checkpoint(save_checkpoint(trainer), *mnist)
    session = session_of(app)
    session.trainer, session.running = loaded, False  # what Session.replace_trainer does, minus the URL
    session.figures.clear()
    return app


def test_after_loading_a_checkpoint_train_describes_the_loaded_model(mnist):
    trainer = Trainer(Settings(hidden=64), mnist.train_images, mnist.train_labels, mnist.test_images,
                      mnist.test_labels)
    trainer.train(2_500)
    app = loaded_app(trainer)
    app.switch_page("pages/train.py").run()
    assert not app.exception
    text = screen_text(app)
    assert FIRST_IMAGE not in text
    assert "Step 2,500 · epoch 1 · sample 2,500 of 60,000" in text
    assert "The model is at step 2,500" in text
    assert "of 64" in text and "units 1–64" in text
    assert "of 10" not in text.replace("of 10,000", "") and "1–10" not in text
    app.switch_page("pages/gradients.py").run()
    assert NO_STEP not in screen_text(app) and "units 1–64" in screen_text(app)


def test_hidden_size_64_every_caption_counts_64_units():
    app = trained_app(10, {"hidden": "64"})
    text = screen_text(app)
    assert "0 of 64" in text and "Units 1–64" in text
    assert "of 10" not in text.replace("of 10,000", "").replace("of 60,000", "") and "1–10" not in text


def test_a_page_run_mid_epoch_goes_on_running_and_ends_the_epoch_with_its_last_step():
    """A whole-page run while an epoch runs (a learner coming back to Train) must not break the run."""
    app = fresh_app()
    app.switch_page("pages/train.py").run()
    stopped_mid_epoch(app, 58_000)
    session_of(app).running = True
    app.run()  # slices train on until the epoch ends
    assert not app.exception, [error.value for error in app.exception]
    text = screen_text(app)
    assert "#### Step 60,000 · epoch 2 begins" in text and "sample 0" not in text
    assert "step 60,000: training image #59,999" in text and FIRST_IMAGE not in text
    assert "appear after a few steps" not in text
    window = re.search(r"mean over the last ([\d,]+) steps[^;]*; the run's history keeps bins of ([\d,]+) steps", text)
    assert window, "the curves state their smoothing window and the history's bin width"
    steps, width = (int(group.replace(",", "")) for group in window.groups())
    assert steps >= 60_000 // 40 and steps % width == 0
    assert "test accuracy at the end of each epoch" in text
    fields, arrays = charts(app)["train_test_accuracy"]
    assert arrays["x"].tolist() == [1] and fields["title"] == "Test accuracy after each epoch"


def test_the_epoch_header_says_the_next_epoch_begins_not_sample_0(mnist):
    trainer = Trainer(Settings(), mnist.train_images[:200], mnist.train_labels[:200], mnist.test_images,
                      mnist.test_labels)
    assert position_text(trainer).startswith("Step 0 · epoch 1 begins")
    trainer.train(200)
    assert position_text(trainer).startswith("Step 200 · epoch 2 begins")
    assert "sample 0" not in position_text(trainer)
    trainer.train(1)
    assert position_text(trainer).startswith("Step 201 · epoch 2 · sample 1 of 200")


def silent_warning(app) -> str:
    return next((warning.value for warning in app.warning if "hidden units are silent" in warning.value), "")


def test_a_high_learning_rate_silences_units_and_the_screen_warns_when():
    app = trained_app(100, {"lr": "0.5"})
    warning = silent_warning(app)
    silent = int(trainer_of(app).dead_units().sum())
    assert silent >= 5, "α = 0.5 silences most units within 100 steps of real MNIST"
    assert f"**{silent} of 10 hidden units are silent**" in warning
    assert "between step 0 and step 100" in warning and "Last fired on a training image: unit" in warning
    assert "off" in screen_text(app) and ("silent" in screen_text(app))
    train_click(app, 100)
    now = int(trainer_of(app).dead_units().sum())
    warning = silent_warning(app)
    assert f"**{now} of 10 hidden units are silent**" in warning
    if now > silent:
        assert "between step 100 and step 200" in warning
    else:
        assert "between step 0 and step 100" in warning


def test_at_the_documents_learning_rate_no_warning_is_raised():
    app = trained_app(100)
    assert int(trainer_of(app).dead_units().sum()) == 0
    assert not app.warning
    assert "Silent hidden units (Z1 ≤ 0 on all of the first 1,000 test images): **0 of 10**" in screen_text(app)


def test_an_update_that_changes_nothing_says_so_instead_of_a_colour_scale():
    app = trained_app(100, {"lr": "50"})
    record = trainer_of(app).last_record
    assert (record.forward.Z1 <= 0).all()
    text = screen_text(app)
    assert "No change to W1 at this step: all 10 hidden units were off (Z1 ≤ 0) for this image" in text
    assert "Colour scale" not in text


def test_an_overshooting_loss_gets_a_warning_and_no_green_improvement():
    app = trained_app(100, {"lr": "50"})
    record = trainer_of(app).last_record
    assert record.loss_after < record.loss_before - 1  # this image's loss does drop ...
    assert panel_fields(app)["delta_colour"] == "off"  # ... but it comes back on the next image: no green
    assert any("each step overshoots" in warning.value and "α = 50" in warning.value for warning in app.warning)


def test_a_falling_loss_keeps_its_green_delta():
    app = trained_app(10)
    train_click(app, 1)
    record = trainer_of(app).last_record
    fields = panel_fields(app)  # "inverse": the panel draws a fall green, a rise red (static/step_panel.js)
    assert fields["delta_colour"] == "inverse" and fields["loss_delta"].startswith("−") == (
        record.loss_after < record.loss_before)
    assert not any("overshoots" in warning.value for warning in app.warning)


def test_the_core_source_is_shown_when_asked_and_not_sent_before():
    """The numpy lines of one step come on the toggle; closed, no code is sent (nor its highlighter fetched)."""
    app = fresh_app()
    app.switch_page("pages/train.py").run()
    assert not app.code
    app.toggle(key="train_source").set_value(True).run()
    listings = [block.value for block in app.code]
    assert any(listing.startswith("def sgd_step") for listing in listings)
    assert any(listing.startswith("def backward") for listing in listings)
