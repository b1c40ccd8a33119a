"""Compare's shared plane as the browser receives it (ui/compare_figures.py, AppTest, real MNIST), in English and Greek.

The three gradient rules are built and stepped 100 times; the blobs the Loss surface component gets
must hold what is computed here without the app: the plane's grid (a float64 forward pass at grid
points), each run's snapshots projected on the plane by dot products with d1 and d2 (PCA: orthonormal),
their distances off it, their true losses and the surface's value under them; and no plotly chart.
"""

import numpy as np
import pytest

from core.model import network
from core.surface import loss_surface, shared_plane
import locales
from locales.words import run_label
from tests.app_session import fresh_app, session_of, surface_views

STEPS = 100


@pytest.fixture(scope="module", params=["en", "el"])
def stepped(request, mnist):
    app = fresh_app({"lang": request.param} if request.param != "en" else None)
    app.switch_page("pages/compare.py").run()
    app.button(key="compare_rules").click().run()
    app.run()
    app.button(key="compare_step_100").click().run()
    app.button(key="compare_redraw").click().run()  # the plane at the runs' current step
    assert not app.exception, [error.value for error in app.exception]
    assert session_of(app).comparison.step_count() == STEPS
    return request.param, app


def names(language, runs) -> list[str]:
    """The runs' names as the screen writes them in `language`."""
    locales.activate(language)
    try:
        return [run_label(run) for run in runs]
    finally:
        locales.activate("en")


def mean_loss(params, X, labels, loss="cross-entropy") -> float:
    return float(np.mean(network.LOSSES[loss](network.forward(params, X).A2, labels)))


def flat(params) -> np.ndarray:
    return params.flatten().astype(np.float64)


def test_compare_draws_its_plane_with_the_surface_component_not_plotly(stepped):
    _language, app = stepped
    assert app.get("plotly_chart") == []
    views = surface_views(app)
    assert [views[key][0]["view"] for key in ("compare_contour", "compare_honesty", "compare_distance", "compare_3d")] \
        == ["runs_map", "lines", "lines", "runs_3d"]


def test_the_grid_and_every_path_sent_are_the_plane_computed_here(stepped, mnist):
    language, app = stepped
    shown = session_of(app).comparison
    X, labels = loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, loss_surface.SAMPLES_DEFAULT)
    centre = shown.trainers[0].initial_params  # the default centre: the shared start θ0
    result = shared_plane.shared_plane([trainer.trajectory() for trainer in shown.trainers], centre, X, labels, "pca",
                                       "cross-entropy")
    d1, d2, origin = result.plane.d1.flatten(), result.plane.d2.flatten(), result.plane.origin.flatten()
    views = surface_views(app)
    for key in ("compare_contour", "compare_3d"):
        fields, arrays = views[key]
        np.testing.assert_allclose(arrays["alphas"], result.alphas, atol=1e-12)
        np.testing.assert_allclose(arrays["betas"], result.betas, atol=1e-12)
        losses = arrays["losses"].reshape(len(result.betas), len(result.alphas))  # row j: b = betas[j]
        for row, column in ((0, 0), (len(result.betas) // 2, len(result.alphas) // 3), (-1, -1)):
            at = result.plane.at(result.alphas[column], result.betas[row])
            assert losses[row, column] == pytest.approx(mean_loss(at, X, labels), rel=2e-5)
        assert [run["name"] for run in fields["runs"]] == names(language, shown.runs)
        for count, (trainer, run) in enumerate(zip(shown.trainers, fields["runs"])):
            offsets = np.array([flat(params) for _step, params in trainer.trajectory()]) - origin
            a, b = offsets @ d1, offsets @ d2
            np.testing.assert_allclose(arrays[f"a{count}"], a, atol=1e-6)
            np.testing.assert_allclose(arrays[f"b{count}"], b, atol=1e-6)
            steps = [step for step, _params in trainer.trajectory()]
            distances = np.linalg.norm(offsets - np.outer(a, d1) - np.outer(b, d2), axis=1)
            last = trainer.trajectory()[-1][1]
            under = mean_loss(result.plane.at(a[-1], b[-1]), X, labels)
            assert arrays[f"surface{count}"][-1] == pytest.approx(under, rel=1e-4)
            said = run["texts"][-1]
            assert said.startswith(f"{run['name']}, ")  # the hover names the run first
            if language == "en":
                assert said == (f"{run['name']}, step {steps[-1]}: {distances[-1]:.3g} off the plane; true loss "
                                f"{mean_loss(last, X, labels):.4f}, surface {under:.4f}")
            else:
                assert f"{distances[-1]:.3g}".replace(".", ",") in said and "επίπεδο" in said
    fields, _arrays = views["compare_contour"]
    shown_under = np.concatenate([path.surface_loss for path in result.paths] + [[result.centre_loss]])
    cap = min(float(np.max(result.losses)), 1.5 * float(np.max(shown_under)))
    assert fields["cap"] == pytest.approx(cap, rel=1e-6)  # the greys stop here: higher ground in the darkest grey
    assert fields["text"]["centre"] == ("centre: θ0" if language == "en" else "κέντρο: θ0")
    assert f"{result.centre_loss:.4f}".replace(".", "," if language == "el" else ".") in fields["text"]["centre_hover"]
    assert fields["separators"] == (",." if language == "el" else ".,")


def test_the_path_charts_hold_each_run_s_distance_and_true_loss(stepped, mnist):
    language, app = stepped
    shown = session_of(app).comparison
    X, labels = loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, loss_surface.SAMPLES_DEFAULT)
    result = shared_plane.shared_plane([trainer.trajectory() for trainer in shown.trainers],
                                       shown.trainers[0].initial_params, X, labels, "pca", "cross-entropy")
    d1, d2, origin = result.plane.d1.flatten(), result.plane.d2.flatten(), result.plane.origin.flatten()
    views = surface_views(app)
    (honesty, loss_arrays), (distance, distance_arrays) = views["compare_honesty"], views["compare_distance"]
    assert honesty["text"]["title"] == ("True loss ━ and the surface's value under it ┈" if language == "en" else
                                        honesty["text"]["title"]) and honesty["from_zero"] and distance["from_zero"]
    for count, (trainer, name) in enumerate(zip(shown.trainers, names(language, shown.runs))):
        points = trainer.trajectory()
        steps = np.array([step for step, _params in points])
        places = np.searchsorted(loss_arrays["x"], steps)
        np.testing.assert_array_equal(loss_arrays["x"][places], steps)
        true_loss = np.array([mean_loss(params, X, labels) for _step, params in points])
        np.testing.assert_allclose(loss_arrays[f"y{2 * count}"][places], true_loss, rtol=1e-5)
        offsets = np.array([flat(params) for _step, params in points]) - origin
        a, b = offsets @ d1, offsets @ d2
        np.testing.assert_allclose(distance_arrays[f"y{count}"][places],
                                   np.linalg.norm(offsets - np.outer(a, d1) - np.outer(b, d2), axis=1), atol=1e-6)
        under = [mean_loss(result.plane.at(a[k], b[k]), X, labels) for k in (0, len(points) - 1)]
        np.testing.assert_allclose(loss_arrays[f"y{2 * count + 1}"][places[[0, -1]]], under, rtol=1e-4)
        series = honesty["series"][2 * count]
        assert series["name"] == name and series["colour"] == distance["series"][count]["colour"]
        said = series["texts"][places[-1]]
        expected = (f"{name}: true loss {true_loss[-1]:.4f} at step {steps[-1]}" if language == "en" else
                    f"{name}: πραγματικό loss {true_loss[-1]:.4f} στο βήμα {steps[-1]}".replace(".", ","))
        assert said == expected
        assert distance["series"][count]["texts"][places[-1]].startswith(f"{name}: ")
