"""The Forward pass, Weights and Gradients screens read in the document's numbering, with numbers a student can check."""

import json
import re

import numpy as np

from core.model import network
from tests.app_session import charts, fresh_app, trained_app, trainer_of
from tests import colour_vision
from ui import figures


def z1_line(app, unit: int) -> str:
    return next(block.value for block in app.latex if f"Z_{{1,{unit}}} &=" in block.value)


def test_the_filled_in_equation_equals_the_networks_Z1_for_the_chosen_unit(mnist):
    app = fresh_app({"hidden": "12"})
    app.switch_page("pages/forward.py").run()
    app.number_input(key="forward_position").set_value(3).run()
    app.selectbox(key="forward_unit_12").set_value(5).run()
    assert not app.exception
    values = network.forward(trainer_of(app).params, network.pixels(mnist.test_images[3]))
    shown = float(re.findall(r"= (-?\d+\.\d+)", z1_line(app, 5))[-1])
    assert shown == round(float(values.Z1[4]), 4)
    assert not any("Z_{1,0}" in block.value for block in app.latex)


def test_hidden_units_are_labelled_from_1_to_h():
    app = trained_app(10, {"hidden": "12"})
    for screen in ("pages/forward.py", "pages/gradients.py"):  # Weights' player: tests/test_pages_weights.py
        app.switch_page(screen).run()
        drawn = [json.dumps(fields) for fields, _arrays in charts(app).values()]  # the chart kit's (ui/chart_kit.py)
        charts_text = " ".join([chart.proto.spec for chart in app.get("plotly_chart")] + drawn)
        labels = set(re.findall(r'"unit (\d+)', charts_text))
        assert labels == {str(k) for k in range(1, 13)}, (screen, sorted(labels, key=int))
        assert '"unit 0' not in charts_text and '"h0"' not in charts_text, screen


def test_a_wrong_prediction_has_no_upward_arrow(mnist):
    app = fresh_app()
    params = trainer_of(app).params
    predictions = network.predict(params, network.pixels(mnist.test_images[:50]))
    wrong = int(np.flatnonzero(predictions != mnist.test_labels[:50])[0])
    app.switch_page("pages/forward.py").run()
    app.number_input(key="forward_position").set_value(wrong).run()
    metric = app.metric[0]
    assert metric.value == str(predictions[wrong])
    assert "wrong" in metric.proto.delta
    assert metric.proto.direction == metric.proto.NONE


def test_the_three_rules_stay_apart_under_deuteranopia():
    colours = [colour_vision.hex_rgb(colour) for colour in figures.RULE_COLOURS.values()]
    seen = [colour_vision.deuteranopia(colour) for colour in colours]
    distances = [colour_vision.delta_e(a, b) for i, a in enumerate(seen) for b in seen[i + 1:]]
    assert min(distances) > 20, distances
    patterns = [pattern for _, pattern in figures.RULE_STYLES.values()]
    assert len(set(patterns)) == len(patterns)


def test_deuteranopia_simulation_merges_red_and_green():
    """The check above can fail: the simulation does make plotly's old red and green nearly alike."""
    red, green = colour_vision.hex_rgb("#d62728"), colour_vision.hex_rgb("#2ca02c")
    assert colour_vision.delta_e(red, green) > 60
    assert colour_vision.delta_e(colour_vision.deuteranopia(red), colour_vision.deuteranopia(green)) < 20
