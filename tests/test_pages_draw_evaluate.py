"""Page tests (AppTest) for Draw, Evaluate and Save & load: they draw, filter, and refuse bad uploads.

That every screen renders is tested once, in tests/test_pages.py.
"""

import io
import sys
import types

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.model import drawing

from core.model import metrics

from core.model import network
from core.record.checkpoints import save_checkpoint
from core.training.settings import Settings
from core.training.trainer import Trainer
from tests.app_session import charts, fresh_app, session_of, trained_app, trainer_of, train_click


def no_exception(app) -> bool:
    return not app.exception


def test_draw_prompts_on_an_empty_canvas_and_says_the_model_is_untrained():
    app = fresh_app()
    app.switch_page("pages/draw.py").run()
    notes = " ".join(info.value for info in app.info)
    assert "Draw a digit" in notes
    assert "untrained" in notes and "Train screen" in notes
    assert not app.error and not app.metric


class FakeCanvasResult:
    """What the canvas component returns: the drawing as the PNG bytes the browser made."""

    def __init__(self, image_bytes: bytes):
        self.image_bytes = image_bytes


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def with_canvas(monkeypatch, image_bytes: bytes) -> None:
    """The real canvas only works in a browser (tests/test_browser_draw.py); here it hands back these bytes."""
    fake = types.ModuleType("streamlit_drawable_canvas")
    fake.st_canvas = lambda **options: FakeCanvasResult(image_bytes)
    monkeypatch.setitem(sys.modules, "streamlit_drawable_canvas", fake)


def vertical_stroke() -> np.ndarray:
    """What the canvas sends for one white vertical stroke on its black background (RGBA, opaque)."""
    image = np.zeros((280, 280, 4), dtype=np.uint8)
    image[..., 3] = 255
    image[40:240, 130:150, :3] = 255
    return image


def test_draw_shows_every_stage_the_prediction_and_the_contribution_maps(monkeypatch):
    with_canvas(monkeypatch, png_bytes(vertical_stroke()))
    app = trained_app(100)
    app.switch_page("pages/draw.py").run()
    assert no_exception(app), [error.value for error in app.exception]

    prepared = drawing.prepare_drawing(vertical_stroke())
    expected = network.predict(trainer_of(app).params, prepared.x)
    assert [(metric.label, metric.value) for metric in app.metric] == [("Prediction", str(expected))]
    assert not any("Draw a digit" in info.value for info in app.info)
    captions = [caption for image in app.image for caption in image.captions]
    assert [caption[:1] for caption in captions[:4]] == ["1", "2", "3", "4"]
    assert f"{prepared.box.height}×{prepared.box.width}" in captions[1]
    shown = charts(app)
    assert list(shown) == ["draw_probabilities", "draw_hidden", "draw_to_output"]
    assert shown["draw_probabilities"][0]["title"].endswith(f"the model reads a {expected}")
    trainer = trainer_of(app)
    values = network.forward(trainer.params, prepared.x)
    np.testing.assert_allclose(shown["draw_probabilities"][1]["values"], values.A2, rtol=1e-6)
    silent = trainer.dead_units()
    names = [f"unit {k}" + (" · silent" if silent[k - 1] else "") for k in range(1, trainer.params.hidden + 1)]
    # What each unit adds to the predicted digit's score through its row of W2: W2[k, d]·A1_k, summing to Z2_d − b2_d.
    to_output, arrays = shown["draw_to_output"]
    assert to_output["labels"] == names
    shares = arrays["values"]
    np.testing.assert_allclose(shares, trainer.params.W2[:, expected] * values.A1, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(shares.sum() + trainer.params.b2[expected], values.Z2[expected], rtol=1e-5)
    hidden, arrays = shown["draw_hidden"]
    np.testing.assert_allclose(arrays["values"], values.A1, rtol=1e-6)
    assert [colour == "#9e9e9e" for colour in hidden["series"][0]["colours"]] == silent.tolist()
    # One contribution map per unit, all on one colour scale whose limit is stated.
    limit = np.abs(drawing.contribution_maps(trainer.params, prepared.x)).max()
    assert captions[4] == f"−{limit:.3f}   ·   0   ·   +{limit:.3f}"
    assert any(f"same colour scale, ±{limit:.3f}" in caption.value for caption in app.caption)
    assert captions[5:] == [f"{name}: Z1 {z:+.2f} · {'on' if z > 0 else 'off'}".replace("-", "−")
                            for name, z in zip(names, values.Z1)]


@pytest.mark.parametrize("content, words", [
    (b"this is not a png", "could not be read"),
    (png_bytes(np.zeros((2000, 2000, 4), dtype=np.uint8)), "2000×2000"),
])
def test_a_drawing_the_page_cannot_read_gets_a_message_and_the_page_keeps_working(monkeypatch, content, words):
    with_canvas(monkeypatch, content)
    app = trained_app(10)
    app.switch_page("pages/draw.py").run()
    assert no_exception(app), [error.value for error in app.exception]
    assert [words in error.value for error in app.error] == [True]
    assert any("Draw a digit" in info.value for info in app.info) and not app.metric
    app.switch_page("pages/train.py").run()  # the session trains on
    train_click(app, 1)
    assert trainer_of(app).step_count == 11


def test_evaluate_shows_the_trainers_test_accuracy():
    app = trained_app(100)
    app.switch_page("pages/evaluate.py").run()
    assert no_exception(app)
    accuracy = trainer_of(app).evaluate()
    assert app.metric[0].label == "Test accuracy"
    assert app.metric[0].value == f"{accuracy:.2%}"


def gallery(app) -> list[tuple[int, int, int]]:
    """(test index, true, predicted) of every image in the gallery, read from the captions."""
    shown = []
    for image in app.image:
        for caption in image.captions:
            number, pair, _confidence = caption.split(" · ")
            true, predicted = pair.split(" → ")
            shown.append((int(number.lstrip("#")), int(true), int(predicted)))
    return shown


def test_the_gallery_filters_by_true_and_predicted_digit(mnist):
    app = trained_app(100)
    app.switch_page("pages/evaluate.py").run()
    trainer = trainer_of(app)
    labels = mnist.test_labels
    predicted = trainer.test_predictions().argmax(axis=1)
    confusion = metrics.confusion_matrix(labels, predicted)
    np.fill_diagonal(confusion, 0)
    true_class, predicted_class = np.unravel_index(confusion.argmax(), confusion.shape)

    everything = gallery(app)
    assert len(everything) == 40 and all(true != guess for _, true, guess in everything)
    ranked = metrics.misclassified(labels, predicted, trainer.test_predictions())
    assert [index for index, _, _ in everything] == list(ranked[:40])
    next(box for box in app.number_input if box.label.startswith("page")).set_value(2).run()
    assert [index for index, _, _ in gallery(app)] == list(ranked[40:80])

    app.selectbox(key="evaluate_true").set_value(int(true_class)).run()
    shown = gallery(app)
    assert shown and all(true == true_class and guess != true for _, true, guess in shown)

    app.selectbox(key="evaluate_predicted").set_value(int(predicted_class)).run()
    shown = gallery(app)
    assert len(shown) == min(40, confusion[true_class, predicted_class])
    assert all((true, guess) == (true_class, predicted_class) for _, true, guess in shown)
    confidences = [trainer.test_predictions()[index, predicted_class] for index, _, _ in shown]
    assert confidences == sorted(confidences, reverse=True)

    app.selectbox(key="evaluate_predicted").set_value(int(true_class)).run()
    assert not gallery(app) and any("diagonal" in info.value for info in app.info)


def upload(app, name: str, content: bytes) -> AppTest:
    app.file_uploader(key="checkpoint_upload").upload(name, content).run()
    return app


def saved_run(mnist, steps: int = 50, **settings) -> Trainer:
    """Another learner's run, trained `steps` steps: a checkpoint to upload."""
    trainer = Trainer(Settings(**settings), mnist.train_images, mnist.train_labels, mnist.test_images,
                      mnist.test_labels)
    trainer.train(steps)
    return trainer


def with_nan_in_W2(checkpoint: bytes) -> bytes:
    """The same checkpoint with one output weight replaced by NaN (a run that diverged, edited by hand)."""
    with np.load(io.BytesIO(checkpoint)) as archive:
        arrays = dict(archive)
    arrays["params.W2"][3, 4] = np.nan
    content = io.BytesIO()
    np.savez_compressed(content, **arrays)
    return content.getvalue()


BAD_UPLOADS = {  # file name -> (its content from a good checkpoint's bytes, words of the refusal)
    "holiday.npz": (lambda good: b"\x89PNG\r\n\x1a\n not a checkpoint at all", "PNG image"),
    "interrupted.npz": (lambda good: good[:len(good) // 2], "damaged or incomplete"),
    "diverged.npz": (with_nan_in_W2, "W2 contains NaN"),
}


LAYERS = ("W1", "b1", "W2", "b2")


def position_of(trainer) -> tuple:
    return trainer.step_count, trainer.epoch, trainer.index, trainer.settings


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_a_refused_upload_leaves_the_sessions_model_as_it_was(name, mnist):
    make_content, words = BAD_UPLOADS[name]
    content = make_content(save_checkpoint(saved_run(mnist, hidden=12, seed=5)))
    app = trained_app(10)
    app.switch_page("pages/checkpoint.py").run()
    before = trainer_of(app)
    parameters, position = {name: getattr(before.params, name).copy() for name in LAYERS}, position_of(before)

    upload(app, name, content)
    assert no_exception(app), [error.value for error in app.exception]
    after = session_of(app).trainer
    assert position_of(after) == position == (10, 0, 10, Settings())
    assert all(np.array_equal(getattr(after.params, name), parameters[name]) for name in LAYERS)
    message = " ".join(error.value for error in app.error)
    assert f"{name} was not loaded" in message and words in message and "unchanged" in message
    assert not app.success

    app.switch_page("pages/train.py").run()  # the session trains on from where it was
    train_click(app, 1)
    assert trainer_of(app).step_count == 11


def test_a_good_checkpoint_round_trip_restores_the_run_and_its_settings(mnist):
    app = trained_app(10)
    before = trainer_of(app)
    saved = saved_run(mnist, hidden=12, seed=5, learning_rate=0.02)
    app.switch_page("pages/checkpoint.py").run()
    upload(app, "run.npz", save_checkpoint(saved))
    assert no_exception(app), [error.value for error in app.exception]
    loaded = trainer_of(app)
    assert loaded is not before and loaded.step_count == 50 and loaded.settings == saved.settings
    assert np.array_equal(loaded.params.W1, saved.params.W1)
    assert any("Loaded **run.npz**" in success.value for success in app.success)
    assert app.query_params["hidden"] in ("12", ["12"]) and app.query_params["seed"] in ("5", ["5"])

    app.run()  # the upload is still in the widget: it must not be loaded again over the same model
    assert trainer_of(app) is loaded
    app.switch_page("pages/train.py").run()
    train_click(app, 1)
    assert trainer_of(app) is loaded and loaded.step_count == 51
