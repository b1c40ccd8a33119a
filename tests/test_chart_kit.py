"""The chart kit's specs (ui/chart_kit.py) as the screens send them (AppTest, real MNIST): the numbers drawn are
the data's and the model's, the words are the session's language, and a click names only a value the chart has."""

import numpy as np
import pytest

from core.model import network
from tests.app_session import chart_click, charts, fresh_app, trained_app, trainer_of
from tests.test_pages_explain import heading, shown_value
from ui import figures
from ui.explaining import PATH_KEY


def test_data_sends_the_image_the_counts_and_the_histogram_of_mnist(mnist):
    app = fresh_app()
    app.switch_page("pages/dataset.py").run()
    app.selectbox(key="data_digit").set_value(3).run()
    app.number_input(key="data_position").set_value(2).run()
    assert not app.exception
    shown = charts(app)
    assert set(shown) == {"data_image", "data_counts", "data_hist"}
    index = int(np.flatnonzero(mnist.train_labels == 3)[2])
    fields, arrays = shown["data_image"]
    assert np.array_equal(arrays["pixels"].reshape(28, 28), mnist.train_images[index])
    assert fields["title"] == f"training image #{index:,}: label 3"
    assert fields["alt"] == f"training image #{index:,}, label 3, 28×28 pixels"
    assert fields["hover"] == "pixel {pixel} (row {row}, column {column}): {value}"
    assert (fields["x_title"], fields["y_title"], fields["colorbar_title"]) == ("column", "row", "pixel")
    fields, arrays = shown["data_counts"]
    training, test = arrays["values"].reshape(2, 10)
    assert training.tolist() == np.bincount(mnist.train_labels, minlength=10).tolist()
    assert test.tolist() == np.bincount(mnist.test_labels, minlength=10).tolist()
    assert [series["name"] for series in fields["series"]] == ["training", "test"]
    assert fields["labels"] == [str(digit) for digit in range(10)]
    assert "training: 0: 5,923" in fields["alt"]
    fields, arrays = shown["data_hist"]
    assert arrays["values"].tolist() == np.bincount(np.asarray(mnist.train_images).ravel(), minlength=256).tolist()
    assert fields["log_y"] and fields["title"].startswith("Training pixel values (")
    assert not fields["clickable"]


def test_in_greek_the_charts_speak_greek_with_greek_numbers(mnist):
    app = fresh_app({"lang": "el"})
    app.switch_page("pages/dataset.py").run()
    shown = charts(app)
    fields, _arrays = shown["data_counts"]
    assert fields["separators"] == ",."
    assert fields["title"] == "Εικόνες ανά ψηφίο"
    assert "5.923" in fields["series"][0]["hover"][0]  # the thousands separator of Greek
    fields, _arrays = shown["data_image"]
    assert fields["x_title"] == "στήλη" and "Εικόνα εκπαίδευσης #0" in fields["title"]
    assert fields["keys"] == "Τα βελάκια μετακινούνται από τιμή σε τιμή και διαβάζουν την καθεμία."  # no click here


def test_forward_pass_sends_x_and_the_models_values_and_a_click_opens_their_explanation(mnist):
    app = fresh_app({"hidden": "12"})
    app.switch_page("pages/forward.py").run()
    app.number_input(key="forward_position").set_value(4).run()
    assert not app.exception
    params = trainer_of(app).params
    values = network.forward(params, network.pixels(mnist.test_images[4]))
    label, prediction = int(mnist.test_labels[4]), int(np.argmax(values.A2))
    shown = charts(app)
    fields, arrays = shown["forward_x"]
    assert np.array_equal(arrays["pixels"].reshape(28, 28), mnist.test_images[4])
    assert fields["title"] == f"x: test image #4, label {label}" and fields["clickable"]
    fields, arrays = shown["forward_hidden"]
    assert np.allclose(arrays["values"], np.concatenate([values.Z1, values.A1]).astype(np.float32))
    assert fields["labels"] == [f"unit {k}" for k in range(1, 13)]
    off = values.Z1 <= 0
    assert fields["series"][0]["patterns"] == ["x" if unit_off else "" for unit_off in off]
    assert fields["series"][0]["hover"][0] == "unit 1: Z1 = " + f"{values.Z1[0]:.4f}".replace("-", "−")
    assert [text != "" for text in fields["series"][1]["text"]] == (~off).tolist()  # each value written once
    for key, name, numbers in (("forward_z2", "Z2", values.Z2), ("forward_a2", "A2", values.A2)):
        fields, arrays = shown[key]
        assert np.allclose(arrays["values"], numbers.astype(np.float32))
        assert fields["series"][0]["text"] == [f"{value:.2f}".replace("-0.00", "0.00").replace("-", "−") for value in numbers]
        assert fields["series"][0]["colours"][prediction] == figures.PREDICTED and fields["outline"] == label
        assert fields["alt"].startswith(fields["title"])
    chart_click(app, "forward_a2", 0, 7)
    assert app.session_state[PATH_KEY] == ["A2_7"]
    assert heading(app).startswith("#### A2₇ = ")
    assert shown_value(app) == pytest.approx(values.A2[7], rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("key, series, index, name", [("forward_x", 0, 100, "x_101"), ("forward_hidden", 0, 2, "Z1_3"),
                                                      ("forward_hidden", 1, 11, "A1_12"), ("forward_z2", 0, 0, "Z2_0")])
def test_a_click_on_a_forward_pass_value_opens_that_value(key, series, index, name):
    app = fresh_app({"hidden": "12"})
    app.switch_page("pages/forward.py").run()
    chart_click(app, key, series, index)
    assert not app.exception
    assert app.session_state[PATH_KEY] == [name]


@pytest.mark.parametrize("value", [[0, 10], [2, 0], [-1, 3], [0, True], ["0", "3"], [0.5, 1]])
def test_a_click_on_no_value_of_the_chart_opens_nothing(value):
    app = fresh_app()
    app.switch_page("pages/forward.py").run()
    chart_click(app, "forward_a2", *value)
    assert not app.exception
    assert not app.session_state[PATH_KEY] if PATH_KEY in app.session_state else True


def test_gradients_sends_the_steps_gradients_and_a_click_opens_only_a_value_that_exists():
    app = trained_app(10)
    app.switch_page("pages/gradients.py").run()
    assert not app.exception and not app.get("plotly_chart")
    trainer = trainer_of(app)
    record, hidden = trainer.last_record, trainer.params.hidden
    dW1, db1, dW2, db2 = record.gradients
    shown = charts(app)
    fields, arrays = shown["gradients_dw1"]
    assert np.allclose(arrays["values"].reshape(hidden, 784), dW1.T.astype(np.float32))
    assert fields["greyed"] == (~dW1.any(axis=0)).astype(int).tolist()
    assert fields["titles"][0].startswith("unit 1") and fields["hover"] == "unit {tile}, pixel {pixel}: {value}"
    fields, arrays = shown["gradients_db1"]
    assert np.allclose(arrays["values"], db1.astype(np.float32))
    assert fields["series"][0]["patterns"] == ["x" if off else "" for off in record.forward.Z1 <= 0]
    fields, arrays = shown["gradients_db2"]
    assert np.allclose(arrays["values"], db2.astype(np.float32)) and fields["outline"] == record.label
    fields, arrays = shown["gradients_dw2"]
    assert np.allclose(arrays["values"].reshape(hidden, 10), dW2.astype(np.float32))
    assert fields["hover"][13] == f"unit 2, digit 3: {dW2[1, 3]:.4f}"
    fields, arrays = shown["gradients_rules"]
    y = network.one_hot(record.label)
    rules = [rule(record.forward.A2, y) for rule in network.GRADIENT_RULES.values()]
    assert np.allclose(arrays["values"], np.concatenate(rules).astype(np.float32), atol=1e-6)
    fields, arrays = shown["gradients_rms"]
    steps, rms = trainer.history.gradient_rms_curve()
    assert np.allclose(arrays["x"], steps) and [series["name"] for series in fields["series"]] == ["dW1", "db1", "dW2", "db2"]
    assert np.allclose(arrays["y"], np.concatenate(list(rms.values())).astype(np.float32))
    blank, inked = int(np.flatnonzero(record.x == 0)[0]), int(np.flatnonzero(record.x > 0)[0])
    unit = int(np.flatnonzero(db1)[0])
    chart_click(app, "gradients_dw1", unit, blank)  # x_i = 0 there: dW1 is 0 by the ink alone, nothing to open
    assert not app.session_state[PATH_KEY] if PATH_KEY in app.session_state else True
    for key, series, index, name in (("gradients_dw1", unit, inked, f"dW1_{inked + 1}_{unit + 1}"),
                                     ("gradients_dw2", 0, 23, "dW2_3_3"), ("gradients_db1", 0, 4, "db1_5"),
                                     ("gradients_db2", 0, 9, "db2_9"), ("gradients_rules", 2, 6, "dZ2_6")):
        app.session_state[PATH_KEY] = []
        chart_click(app, key, series, index)
        assert not app.exception
        assert app.session_state[PATH_KEY] == [name], key
