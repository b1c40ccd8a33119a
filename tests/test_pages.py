"""Page tests with streamlit.testing's AppTest: every screen, one shared model, settings in the URL."""

import numpy as np
import pytest

from core.model.network import GRADIENT_RULES, LOSSES
from data.idx import idx_bytes
from tests.app_session import fresh_app, panel_text, session_of, trained_app, trainer_of, train_click
from lab.session import Session

SCREENS = ["pages/home.py", "pages/dataset.py", "pages/forward.py", "pages/train.py", "pages/weights.py",
           "pages/gradients.py", "pages/loss_surface.py", "pages/draw.py", "pages/evaluate.py",
           "pages/checkpoint.py", "pages/compare.py"]


@pytest.mark.parametrize("screen", SCREENS)
def test_screen_renders_from_a_fresh_session(screen):
    app = fresh_app()
    app.switch_page(screen).run()
    assert not app.exception, [error.value for error in app.exception]
    assert app.title, f"{screen} has no title"


def test_step_advances_the_position_and_changes_W1():
    app = fresh_app()
    app.switch_page("pages/train.py").run()
    before = trainer_of(app).params.W1.copy()
    train_click(app, 1)
    trainer = trainer_of(app)
    assert trainer.step_count == 1
    assert not np.array_equal(before, trainer.params.W1)
    train_click(app, 10)
    assert trainer_of(app).step_count == 11
    assert "Step 11 ·" in panel_text(app)


def test_reset_with_new_settings_starts_over_with_them():
    app = trained_app(10)
    app.number_input(key="setting_lr").set_value(0.05)
    app.selectbox(key="setting_rule").set_value("cross-entropy")
    app.number_input(key="setting_hidden").set_value(16)
    next(button for button in app.button if button.label == "Reset with these settings").click().run()
    trainer = trainer_of(app)
    assert trainer.step_count == 0
    assert (trainer.settings.learning_rate, trainer.settings.rule, trainer.settings.hidden) == (0.05, "cross-entropy", 16)
    assert trainer.params.W1.shape == (784, 16)
    assert app.query_params["lr"] == ["0.05"] or app.query_params["lr"] == "0.05"


def test_settings_come_from_the_url():
    app = fresh_app({"lr": "0.005", "rule": "mse", "hidden": "12", "seed": "3"})
    settings = trainer_of(app).settings
    assert (settings.learning_rate, settings.rule, settings.hidden, settings.seed) == (0.005, "mse", 12, 3)
    assert not app.warning


def test_hand_typed_bad_url_values_fall_back_with_a_notice():
    app = fresh_app({"lr": "abc", "hidden": "100000", "grid": "3"})
    assert not app.exception
    settings = trainer_of(app).settings
    assert (settings.learning_rate, settings.hidden) == (0.01, 10)
    assert session_of(app).surface_settings["grid"] == 41
    notices = " ".join(warning.value for warning in app.warning)
    assert "lr=abc" in notices and "hidden=100000" in notices and "grid=3" in notices
    app.switch_page("pages/loss_surface.py").run()
    assert not app.exception
    assert app.slider(key="surface_grid").value == 41


def test_loss_surface_settings_come_from_the_url():
    app = trained_app(100, {"grid": "21", "samples": "500", "directions": "pca"})
    app.switch_page("pages/loss_surface.py").run()
    assert not app.exception
    assert app.slider(key="surface_grid").value == 21
    assert app.number_input(key="surface_samples").value == 500
    views = [element for element in app.get("bidi_component") if element.proto.component_name.endswith("backprop_surface")]
    assert len(views) == 4  # the surface in 3-D and from above, the path's honesty and the line from θ0


def test_gradients_screen_shows_the_documents_erratum():
    app = trained_app(10)
    app.switch_page("pages/gradients.py").run()
    assert not app.exception
    # The expected finding (erratum 1) is information, not an error.
    assert not app.error and "The document's rule is **not** the gradient of 1 × MSE" in app.info[-1].value
    assert "expected finding" in app.info[-1].value
    app.selectbox(key="gradients_loss").set_value("cross-entropy")
    app.selectbox(key="gradients_scale").set_value(2.0).run()
    assert "**is** the gradient of 2 × cross-entropy" in app.success[0].value


def test_a_broken_mnist_dir_gets_a_clear_message_not_a_crash(tmp_path, monkeypatch, mnist):
    from ui.session import dataset
    arrays = {"train-images-idx3-ubyte": mnist.train_images, "train-labels-idx1-ubyte": mnist.train_labels,
              "t10k-images-idx3-ubyte": mnist.test_images, "t10k-labels-idx1-ubyte": mnist.test_labels}
    for name, array in arrays.items():
        (tmp_path / name).write_bytes(idx_bytes(np.asarray(array)))
    images = tmp_path / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:1_000_000])  # an interrupted copy
    monkeypatch.setenv("MNIST_DIR", str(tmp_path))
    dataset.clear()
    try:
        app = fresh_app()
        assert not app.exception
        message = app.error[0].value
        assert "MNIST is not available" in message and f"MNIST_DIR={tmp_path}" in message
        assert "train-images-idx3-ubyte" in message and "truncated" in message
    finally:
        monkeypatch.delenv("MNIST_DIR")
        dataset.clear()


def surface_caption(app) -> str:
    return next(caption.value for caption in app.caption if caption.value.startswith("Current weights at (0, 0)"))


def test_the_loss_surface_is_recomputed_after_a_reset_to_other_weights():
    app = fresh_app({"samples": "500", "grid": "11"})
    app.switch_page("pages/loss_surface.py").run()
    first = surface_caption(app)
    app.switch_page("pages/train.py").run()
    app.number_input(key="setting_seed").set_value(1)
    next(button for button in app.button if button.label == "Reset with these settings").click().run()
    assert trainer_of(app).settings.seed == 1 and trainer_of(app).step_count == 0
    app.switch_page("pages/loss_surface.py").run()
    assert not app.exception
    assert surface_caption(app) != first  # the same step count, but other weights


def test_remembered_gradient_checks_stay_few_however_many_are_tried():
    app = trained_app(10)
    app.switch_page("pages/gradients.py").run()
    for rule in GRADIENT_RULES:
        for loss in LOSSES:
            app.selectbox(key="gradients_rule").set_value(rule)
            app.selectbox(key="gradients_loss").set_value(loss).run()
            assert not app.exception
    assert len(session_of(app).figures.results) <= Session.MEMO_ENTRIES
