"""The Loss surface screen's charts as the browser receives them (ui/surface_panel.py, AppTest, real MNIST).

What the component is sent must be what core computes for the session's weights: the grid's losses
against a plain forward pass at each grid point (core/surface/evaluation.loss_grid_pointwise), the
path against the run's saved positions projected on the plane; and none of it goes through plotly.
"""

import numpy as np
import pytest

from core.surface import loss_surface
from core.surface.evaluation import loss_grid_pointwise
from tests.app_session import panel_element, surface_views, trained_app, trainer_of


def by_view(app, view: str) -> list:
    return [blob for blob in surface_views(app).values() if blob[0]["view"] == view]


@pytest.fixture(scope="module")
def opened(mnist):
    app = trained_app(100, {"grid": "21", "samples": "500", "directions": "pca"})
    app.switch_page("pages/loss_surface.py").run()
    assert not app.exception, [error.value for error in app.exception]
    return app


def test_the_screen_draws_its_charts_without_plotly(opened):
    assert opened.get("plotly_chart") == []
    assert [len(by_view(opened, view)) for view in ("3d", "map", "lines")] == [1, 1, 2]


def test_the_grid_sent_is_the_loss_of_a_forward_pass_at_each_grid_point(opened, mnist):
    trainer = trainer_of(opened)
    X, labels = loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, 500)
    result = loss_surface.surface(trainer.params, trainer.trajectory(), X, labels, directions="pca", span=1.0, grid=21,
                                  loss="cross-entropy")
    for view in ("3d", "map"):
        [(fields, arrays)] = by_view(opened, view)
        np.testing.assert_allclose(arrays["alphas"], np.linspace(-1, 1, 21), atol=1e-12)
        losses = arrays["losses"].reshape(21, 21)  # row j: b = betas[j]
        assert losses.dtype == np.float32
        reference, accuracies = loss_grid_pointwise(result.plane, X, labels, arrays["alphas"], arrays["betas"],
                                                    "cross-entropy")
        np.testing.assert_allclose(losses, reference, rtol=2e-5, atol=2e-6)
        np.testing.assert_allclose(arrays["accuracies"].reshape(21, 21), accuracies, atol=1e-6)
        assert losses[10, 10] == pytest.approx(fields["current_loss"], abs=1e-5)  # θ sits at (0, 0)


def test_the_path_sent_is_the_runs_positions_projected_on_the_plane(opened, mnist):
    trainer = trainer_of(opened)
    points = trainer.trajectory()
    X, labels = loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, 500)
    result = loss_surface.surface(trainer.params, points, X, labels, directions="pca", span=1.0, grid=21,
                                  loss="cross-entropy")
    coordinates, distances = loss_surface.project_all(result.plane, [params for _step, params in points])
    [(fields, arrays)] = by_view(opened, "map")
    np.testing.assert_allclose(arrays["path_a"], coordinates[:, 0], atol=1e-9)
    np.testing.assert_allclose(arrays["path_b"], coordinates[:, 1], atol=1e-9)
    assert (arrays["path_a"][-1], arrays["path_b"][-1]) == pytest.approx((0, 0), abs=1e-9)  # the path ends at θ
    steps = [step for step, _params in points]
    assert fields["starts_at_initial"] and steps[0] == 0
    assert [text.split(",")[0] for text in fields["path_map"]] == [f"step {step}" for step in steps]
    assert fields["path_map"][0].endswith(f"{distances[0]:.3g} off the plane")


def test_the_line_chart_reads_loss_and_accuracy_along_theta_t(opened):
    charts = {fields["text"]["title"]: (fields, arrays) for fields, arrays in by_view(opened, "lines")}
    line = next(title for title in charts if title.startswith("Loss along"))
    assert "θ(t) = θ0 + t(θ − θ0)" in line and "α" not in line
    fields, arrays = charts[line]
    assert fields["text"]["x_title"].startswith("t (0: initial weights")
    assert [series["right"] for series in fields["series"]] == [False, True]
    at_one = int(np.argmin(np.abs(arrays["x"] - 1)))
    assert fields["series"][1]["texts"][at_one] == f"accuracy: {arrays['y1'][at_one]:.2%} at 1.00"
    assert "(t = 1, loss" in fields["alt"]


def test_greek_words_and_signs_reach_the_charts(mnist):
    app = trained_app(100, {"grid": "11", "samples": "500", "lang": "el", "directions": "pca"})
    app.switch_page("pages/loss_surface.py").run()
    [(fields, _arrays)] = by_view(app, "map")
    assert fields["separators"] == ",."
    assert fields["text"]["hover"] == "a {a}, b {b}: loss {loss}, ακρίβεια {accuracy}"
    assert "στα τρέχοντα βάρη (0, 0)" in fields["alt"] and "," in fields["alt"]
    assert all("βήμα" in text for text in fields["path_map"])


def test_a_setting_changed_sends_a_new_grid(opened):
    before = by_view(opened, "map")[0][1]["losses"]
    opened.slider(key="surface_grid").set_value(11).run()
    assert not opened.exception
    after = by_view(opened, "map")[0][1]
    assert len(before) == 21 * 21 and len(after["losses"]) == 11 * 11 and len(after["alphas"]) == 11
    assert panel_element(opened, "backprop_surface") is not None
