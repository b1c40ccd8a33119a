"""Page tests (AppTest): galleries that open an image in Forward pass, the sure-but-wrong count on
Evaluate, the Loss surface's default loss per rule, and the "Next" link that ends every screen."""

import numpy as np
import pytest

from tests.app_session import charts, fresh_app, trained_app, trainer_of
from tests.test_pages import SCREENS


def forward_image_title(app) -> str:
    """The title of the Forward pass screen's input image, e.g. "x: test image #7,904, label 6"."""
    return charts(app)["forward_x"][0]["title"]


def open_buttons(app, prefix: str) -> list:
    return [button for button in app.button if button.key and button.key.startswith(prefix)]


def test_an_evaluate_gallery_image_opens_in_forward_pass(mnist):
    app = trained_app(100)
    app.switch_page("pages/forward.py").run()  # the learner was on another image before
    app.number_input(key="forward_position").set_value(5).run()
    app.switch_page("pages/evaluate.py").run()
    buttons = open_buttons(app, "evaluate_open_")
    assert len(buttons) == 40
    index = int(buttons[7].key.rsplit("_", 1)[1])
    assert mnist.test_labels[index] != trainer_of(app).test_predictions()[index].argmax()  # one of the mistakes

    buttons[7].click().run()
    assert not app.exception, [error.value for error in app.exception]
    assert [title.value for title in app.title] == ["Forward pass"]
    assert app.number_input(key="forward_position").value == index
    assert f"x: test image #{index:,}, label {mnist.test_labels[index]}" in forward_image_title(app)
    # The hand-over happens once: the learner may then pick another image. (AppTest reruns the screen
    # it last switched to itself, so it is switched to Forward pass as the browser was.)
    app.switch_page("pages/forward.py").run()
    app.number_input(key="forward_position").set_value(3).run()
    assert "test image #3," in forward_image_title(app)


def test_a_data_thumbnail_opens_in_forward_pass(mnist):
    app = fresh_app()
    app.switch_page("pages/dataset.py").run()
    app.selectbox(key="data_digit").set_value(7).run()
    button = open_buttons(app, "data_open_")[4]
    index = int(button.key.rsplit("_", 1)[1])
    assert mnist.train_labels[index] == 7
    button.click().run()
    assert not app.exception, [error.value for error in app.exception]
    assert f"x: training image #{index:,}, label 7" in forward_image_title(app)


def test_evaluate_counts_the_wrong_answers_given_with_more_than_99_percent(mnist):
    app = trained_app(100)
    trainer = trainer_of(app)
    trainer.train(3_000)  # long enough for the model to be sure of some of its mistakes
    app.switch_page("pages/evaluate.py").run()
    probabilities = trainer.test_predictions()
    wrong = probabilities.argmax(axis=1) != mnist.test_labels
    sure = int(np.sum(probabilities[wrong].max(axis=1) > 0.99))
    assert sure > 0
    note = next(block.value for block in app.markdown if "wrong answers" in block.value)
    assert f"**{sure:,} of the {int(wrong.sum()):,} wrong answers**" in note and "99%" in note


@pytest.mark.parametrize("rule, loss", [("document", "cross-entropy"), ("mse", "mse"),
                                        ("cross-entropy", "cross-entropy")])
def test_the_loss_surface_shows_the_loss_the_rule_minimises(rule, loss):
    app = trained_app(10, {"rule": rule})
    app.switch_page("pages/loss_surface.py").run()
    assert not app.exception, [error.value for error in app.exception]
    assert app.selectbox[0].label == "loss" and app.selectbox[0].value == loss
    assert not app.warning
    notes = " ".join(caption.value for caption in app.caption)
    assert ("erratum 1" in notes) == (rule == "document")


def test_a_loss_in_the_url_wins_and_a_loss_the_rule_does_not_minimise_is_flagged():
    app = trained_app(10, {"rule": "mse", "loss": "cross-entropy"})
    app.switch_page("pages/loss_surface.py").run()
    assert app.selectbox[0].value == "cross-entropy"
    assert any("does not minimise" in warning.value for warning in app.warning)


def test_random_directions_say_why_the_path_collapses_and_how_much_lies_in_the_plane():
    app = trained_app(100)
    app.switch_page("pages/loss_surface.py").run()
    reading = next(block.value for block in app.markdown if "long in weight space" in block.value)
    assert "of it" in reading and "lies in this plane" in reading
    assert any("almost orthogonal" in info.value and "pca" in info.value for info in app.info)


def test_following_next_from_home_visits_every_screen_once_and_returns_home():
    app, visited = trained_app(10), ["pages/home.py"]  # trained: Gradients stops early on an untrained model
    app.switch_page("pages/home.py").run()
    for _ in range(20):
        assert not app.exception, [error.value for error in app.exception]
        link = app.get("page_link")[-1].proto  # the screen's last element
        following = f"pages/{link.page or 'home'}.py"
        app.switch_page(following).run()
        title = app.title[0].value
        # Home's heading is the app's name; the navigation calls it Home.
        assert link.label == ("Back to the start: Home" if following == "pages/home.py" else f"Next: {title}")
        if following == "pages/home.py":
            break
        visited.append(following)
    assert len(set(visited)) == len(visited) and set(SCREENS) <= set(visited), visited
    assert visited[1:3] == ["pages/dataset.py", "pages/forward.py"]  # the issue's own example: Data, then Forward pass
