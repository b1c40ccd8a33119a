"""Explain this number on the screens (AppTest): opening a value, drilling three levels down and back, at a past
step, in Greek, from a link, and a hostile ?explain= refused with a notice.

The numbers shown are checked against the core run independently: network.forward of the model,
or a fresh trainer taken to the same step.
"""

import re

import numpy as np
import pytest

from core.model import network
from core.training.settings import Settings
from core.training.trainer import Trainer
from tests.app_session import charts, fresh_app, open_past_step, session_of, trained_app, trainer_of
from core.model.explain import KINDS
from core.model.explanation import name_of
from ui import explaining
from ui.explaining import PATH_KEY


def choose(app, key: str, kind: str, **indices) -> None:
    """Pick a value in the screen's "Explain a number" popover and open it."""
    app.selectbox(key=f"{key}_kind").set_value(kind).run()
    for what, value in indices.items():
        app.number_input(key=f"{key}_{what}").set_value(value).run()
    app.button(key=f"{key}_open").click().run()
    assert not app.exception, [error.value for error in app.exception]


def heading(app) -> str:
    """The dialog's "Z1₃ = 1.23" line."""
    return next(element.value for element in app.markdown
                if re.fullmatch(r"#### (\S+|\S+ \S+\]|L|−log A2_y) = [-−]?[\d.,e+-]+", element.value))


def shown_value(app) -> float:
    """The number in the dialog's heading, read back whatever the language's decimal sign."""
    text = heading(app).split(" = ")[-1].replace("−", "-")
    return float(text.replace(".", "").replace(",", ".") if "," in text else text)


def path(app) -> list:
    return list(app.session_state[PATH_KEY])


def fresh_trainer(mnist, steps):
    trainer = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer.train(steps)
    return trainer


def test_forward_pass_opens_a2_and_drills_three_levels_down_to_pixels_and_back(mnist):
    app = fresh_app()
    app.switch_page("pages/forward.py").run()
    app.number_input(key="forward_position").set_value(3).run()
    choose(app, "forward_explain", "A2", digit=7)
    values = network.forward(trainer_of(app).params, network.pixels(mnist.test_images[3]))
    assert heading(app).startswith("#### A2₇ = ")
    assert shown_value(app) == pytest.approx(values.A2[7], rel=1e-5, abs=1e-6)
    assert any(r"\frac" in block.value and "e^{" in block.value for block in app.latex)  # the quotient, filled in
    app.button(key="explain_open_Z2_7").click().run()
    assert path(app) == ["A2_7", "Z2_7"]
    assert shown_value(app) == pytest.approx(values.Z2[7], rel=1e-5, abs=1e-6)
    unit = int(np.argmax(values.A1 * trainer_of(app).params.W2[:, 7])) + 1  # a unit that is on and counts
    app.button(key=f"explain_open_A1_{unit}").click().run()
    app.button(key=f"explain_open_Z1_{unit}").click().run()
    assert path(app) == ["A2_7", "Z2_7", f"A1_{unit}", f"Z1_{unit}"]
    assert shown_value(app) == pytest.approx(values.Z1[unit - 1], rel=1e-5, abs=1e-6)
    pixel_buttons = [button.key for button in app.button if (button.key or "").startswith("explain_open_x_")]
    assert pixel_buttons and all(mnist.test_images[3].ravel()[int(key.rsplit("_", 1)[1]) - 1] > 0
                                 for key in pixel_buttons)  # the pixels listed are inked ones
    drawn = charts(app)  # the chart kit's (ui/chart_kit.py): the dialog loads no plotly (issue 24)
    assert not app.get("plotly_chart")
    pixels, arrays = drawn["explain_pixels"]
    assert pixels["kind"] == "tiles" and pixels["title"].startswith(f"x ⊙ W1[:, {unit}]: each pixel's share of Z1")
    assert pixels["hover"] == "pixel {pixel}: {value}" and pixels["colorbar_title"] == "x·W1"
    x, W1 = network.pixels(mnist.test_images[3]), trainer_of(app).params.W1
    np.testing.assert_allclose(arrays["values"], x * W1[:, unit - 1], rtol=1e-6, atol=1e-9)  # the map x ⊙ W1[:, k]
    sizes, arrays = drawn["explain_sizes"]
    assert sizes["horizontal"] and sizes["title"] == "The terms' sizes" and sizes["x_title"] == "value"
    assert float(np.sum(arrays["values"], dtype=np.float64)) == pytest.approx(values.Z1[unit - 1], abs=1e-4)  # the terms sum to Z1
    tail = [i for i, label in enumerate(sizes["labels"]) if "other pixels" in label]
    assert len(tail) == 1 and sizes["series"][0]["colours"][tail[0]] == "#999999"  # the summed tail grey
    listed = np.abs(arrays["values"][:tail[0]])
    assert list(listed) == sorted(listed, reverse=True)  # the largest on top
    for label, hover, value in zip(sizes["labels"], sizes["series"][0]["hover"], arrays["values"]):  # "term: value"
        assert hover.startswith(f"{label}: ") and float(hover.rsplit(": ", 1)[1].replace("−", "-")) == pytest.approx(value, abs=2e-6)
    assert app.query_params["explain"] == f"Z1_{unit}" and app.query_params["image"] == "test_3"
    app.button(key="explain_back_1").click().run()  # the path's Z2₇: back up two levels
    assert path(app) == ["A2_7", "Z2_7"] and heading(app).startswith("#### Z2₇")


def test_at_a_past_step_train_explains_that_steps_gradient_with_the_errata(mnist):
    app = trained_app(100)
    open_past_step(app, 40)
    assert session_of(app).viewing == 40
    choose(app, "train_explain", "dZ2", digit=3)
    ran = fresh_trainer(mnist, 39).step()
    assert shown_value(app) == pytest.approx(ran.gradients.db2[3], rel=1e-5, abs=1e-6)
    assert "Step 40: training image #39" in " ".join(caption.value for caption in app.caption)
    notes = " ".join(info.value for info in app.info)
    assert "Erratum 1" in notes and "Erratum 2" in notes
    mse = network.dZ2_mse(ran.forward.A2, network.one_hot(ran.label))[3]
    assert f"{mse:.4f}".replace("-", "") in notes  # the exact MSE value at this very number
    app.button(key="explain_open_A2_3").click().run()
    assert shown_value(app) == pytest.approx(ran.forward.A2[3], rel=1e-5, abs=1e-6)


def test_gradients_opens_dw1_down_to_a_pixel(mnist):
    app = trained_app(10)
    app.switch_page("pages/gradients.py").run()
    record = trainer_of(app).last_record
    inked = int(np.flatnonzero(record.x > 0)[0]) + 1
    unit = int(np.flatnonzero(record.gradients.db1)[0]) + 1
    choose(app, "gradients_explain", "dW1", pixel=inked, unit=unit)
    assert shown_value(app) == pytest.approx(record.gradients.dW1[inked - 1, unit - 1], rel=1e-5)
    app.button(key=f"explain_open_dZ1_{unit}").click().run()
    app.button(key="explain_open_dZ2_0").click().run()
    assert path(app) == [f"dW1_{inked}_{unit}", f"dZ1_{unit}", "dZ2_0"]


def test_in_greek_the_explanation_reads_greek_with_greek_numbers(mnist):
    app = fresh_app({"lang": "el"})
    app.switch_page("pages/forward.py").run()
    choose(app, "forward_explain", "Z1", unit=2)
    words = " ".join(element.value for element in [*app.markdown, *app.caption])
    assert "Ένα επίπεδο πιο κάτω" in words and "Εικόνα ελέγχου #0" in words
    assert re.search(r"\d,\d{4}", heading(app)), heading(app)  # 0,1234: the decimal comma
    table = next(frame for frame in app.dataframe)
    assert "όρος" in table.value.columns or "όρος" in str(table.value)
    sizes, pixels = charts(app)["explain_sizes"][0], charts(app)["explain_pixels"][0]
    assert sizes["separators"] == pixels["separators"] == ",."  # the browser writes its ticks with commas
    assert sizes["title"] == "Τα μεγέθη των όρων" and all(re.search(r": −?\d+,\d{6}$", hover)
                                                          for hover in sizes["series"][0]["hover"])
    assert pixels["hover"] == "pixel {pixel}: {value}" and "άλλα pixels" in " ".join(sizes["labels"])


def test_a_link_opens_the_explanation_at_its_run_and_step_for_someone_else(mnist):
    app = trained_app(100)
    run_id = session_of(app).run.run_id
    other = fresh_app({"run": run_id, "explain": "A1_4", "step": "25"})  # another browser, the teacher's
    other.switch_page("pages/train.py").run()
    assert not other.exception
    state = session_of(other)
    assert state.viewing == 25 and path(other) == ["A1_4"]
    assert shown_value(other) == pytest.approx(fresh_trainer(mnist, 24).step().forward.A1[3], rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "Z1_3&run=x", "![x](http://example.invalid/a.png)",
                                     "Z1_99", "dZ2_3", "A2_" + "9" * 3000])
def test_a_hostile_explain_value_is_refused_with_a_notice_and_nothing_opens(hostile):
    app = fresh_app({"explain": hostile})
    app.switch_page("pages/forward.py").run()
    assert not app.exception
    notices = " ".join(warning.value for warning in app.warning)
    assert "was not opened" in notices
    assert not any(mark in notices for mark in ("<", "://", "![", "&")) and len(notices) < 400
    assert not app.session_state[PATH_KEY] if PATH_KEY in app.session_state else True
    assert "explain" not in app.query_params


def test_a_link_to_a_step_that_does_not_exist_is_refused():
    app = trained_app(10)
    run_id = session_of(app).run.run_id
    other = fresh_app({"run": run_id, "explain": "Z1_1", "step": "999999"})
    other.switch_page("pages/gradients.py").run()
    assert "not one of this run's" in " ".join(warning.value for warning in other.warning)
    assert session_of(other).viewing is None


def test_every_kind_of_value_opens_with_its_equation_and_its_terms(mnist):
    app = trained_app(10, {"rule": "mse"})
    app.switch_page("pages/gradients.py").run()
    record = trainer_of(app).last_record
    inked = int(np.flatnonzero(record.x > 0)[0]) + 1
    indices = {"unit": 2, "digit": record.label, "pixel": inked}
    for kind in explaining.STEP_KINDS:
        wanted = {what: indices[what] for what in KINDS[kind][0]}
        app.session_state[PATH_KEY] = []
        choose(app, "gradients_explain", kind, **wanted)
        assert path(app) == [name_of(kind, *wanted.values())], kind
        assert any(r"\begin{aligned}" in block.value for block in app.latex), kind
        assert app.dataframe, kind  # the terms as a table
