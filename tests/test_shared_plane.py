"""core/surface/shared_plane.py: one plane for several runs, checked against computations written here.

The runs are the three gradient rules from one start, trained in lockstep on real MNIST. The
principal directions are checked against numpy's SVD of the union of the runs' weights, each
path's distance off the plane against a least-squares fit and against the orthonormal formula,
and every loss against a float64 forward pass.
"""

import numpy as np
import pytest

from core.training import lockstep

from core.surface import loss_surface

from core.model import network

from core.surface import shared_plane
from core.training.settings import Settings
from core.training.trainer import Trainer
from tests.saying import raises_saying
from locales.words import run_labels
from ui import compare_reading

STEPS = 4_000


@pytest.fixture(scope="module")
def runs(mnist):
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainers = [Trainer(settings, *data) for settings in lockstep.gradient_rule_set(Settings(seed=5))]
    lockstep.train_in_lockstep(trainers, STEPS)
    return trainers


@pytest.fixture(scope="module")
def evaluation(mnist):
    return loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, 1_000)


def weights(params) -> np.ndarray:
    return np.concatenate([params.W1.ravel(), params.W2.ravel()]).astype(np.float64)


def plane_of(runs, evaluation, directions, centre=None, loss="cross-entropy"):
    X, labels = evaluation
    centre = runs[0].initial_params if centre is None else centre
    return shared_plane.shared_plane([trainer.trajectory() for trainer in runs], centre, X, labels, directions, loss,
                                     grid=21)


def test_the_pca_directions_are_orthonormal_and_those_of_the_union_of_all_paths(runs, evaluation):
    result = plane_of(runs, evaluation, "pca")
    d1, d2 = result.plane.d1, result.plane.d2
    for direction in (d1, d2):
        assert np.linalg.norm(direction.flatten()) == pytest.approx(1.0, abs=1e-12)
        assert not direction.b1.any() and not direction.b2.any()
    assert abs(d1.flatten() @ d2.flatten()) < 1e-12
    union = np.array([weights(params) for trainer in runs for _, params in trainer.trajectory()])
    _, singular_values, right = np.linalg.svd(union - union.mean(axis=0), full_matrices=False)
    for direction, expected in zip((d1, d2), right[:2]):
        assert abs(weights(direction) @ expected) == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(result.explained_variance_ratio, singular_values[:2] ** 2 / (singular_values**2).sum())
    ends = sum(weights(trainer.params) - weights(trainer.initial_params) for trainer in runs)
    assert ends @ weights(d1) > 0 and ends @ weights(d2) >= 0  # the paths run towards +d1, +d2


def test_the_random_directions_are_filter_normalised_at_the_centre(runs, evaluation):
    centre = runs[1].params
    result = plane_of(runs, evaluation, "random", centre=centre)
    for direction in (result.plane.d1, result.plane.d2):
        for name in ("W1", "W2"):
            np.testing.assert_allclose(np.linalg.norm(getattr(direction, name), axis=0),
                                       np.linalg.norm(getattr(centre, name), axis=0), rtol=1e-12)
        assert not direction.b1.any() and not direction.b2.any()
    d1, d2 = result.plane.d1.flatten(), result.plane.d2.flatten()
    assert result.direction_cosine == pytest.approx(d1 @ d2 / np.linalg.norm(d1) / np.linalg.norm(d2), abs=1e-12)
    assert abs(result.direction_cosine) < 0.1


@pytest.mark.parametrize("directions", shared_plane.DIRECTIONS)
def test_each_path_s_distance_off_the_plane_is_the_least_squares_residual(runs, evaluation, directions):
    result = plane_of(runs, evaluation, directions)
    basis = np.stack([result.plane.d1.flatten(), result.plane.d2.flatten()], axis=1)
    centre = result.plane.origin.flatten()
    for trainer, path in zip(runs, result.paths):
        offsets = np.array([params.flatten() for _, params in trainer.trajectory()]) - centre
        fit, *_ = np.linalg.lstsq(basis, offsets.T, rcond=None)
        np.testing.assert_allclose(path.a, fit[0], atol=1e-9)
        np.testing.assert_allclose(path.b, fit[1], atol=1e-9)
        np.testing.assert_allclose(path.distance, np.linalg.norm(offsets.T - basis @ fit, axis=0), rtol=1e-9, atol=1e-9)
        if directions == "pca":  # orthonormal: the distance is what is left after the two dot products
            along = offsets @ basis
            np.testing.assert_allclose(path.distance, np.linalg.norm(offsets - along @ basis.T, axis=1),
                                       rtol=1e-9, atol=1e-9)
        # Every run starts at the centre θ0: the snapshot is θ0 rounded to float32.
        assert path.distance[0] < 1e-5 and abs(path.a[0]) < 1e-5 and abs(path.b[0]) < 1e-5
        assert list(path.steps) == [step for step, _ in trainer.trajectory()]


def mean_loss(params, evaluation, loss):
    X, labels = evaluation
    return float(np.mean(network.LOSSES[loss](network.forward(params, X).A2, labels)))


@pytest.mark.parametrize("loss", loss_surface.LOSS_NAMES)
def test_the_true_loss_and_the_surface_s_value_under_each_snapshot(runs, evaluation, loss):
    result = plane_of(runs, evaluation, "pca", loss=loss)
    for trainer, path in zip(runs, result.paths):
        points = trainer.trajectory()
        for index in (0, len(points) // 2, len(points) - 1):
            params = points[index][1]
            assert path.loss[index] == pytest.approx(mean_loss(params, evaluation, loss), rel=1e-5)
            projected = result.plane.at(path.a[index], path.b[index])
            assert path.surface_loss[index] == pytest.approx(mean_loss(projected, evaluation, loss), rel=1e-5)
    row, column = len(result.betas) // 3, len(result.alphas) // 4
    corner = result.plane.at(result.alphas[column], result.betas[row])
    assert result.losses[row, column] == pytest.approx(mean_loss(corner, evaluation, loss), rel=1e-5)


def test_the_frame_holds_every_path_and_the_centre(runs, evaluation):
    result = plane_of(runs, evaluation, "pca", centre=runs[2].params)
    for path in result.paths:
        assert result.alphas[0] < path.a.min() and path.a.max() < result.alphas[-1]
        assert result.betas[0] < path.b.min() and path.b.max() < result.betas[-1]
    assert result.alphas[0] < 0 < result.alphas[-1] and result.betas[0] < 0 < result.betas[-1]
    width, height = np.ptp(result.alphas), np.ptp(result.betas)
    assert width / height == pytest.approx(shared_plane.FRAME_ASPECT)


def test_the_pca_plane_needs_paths_that_moved(mnist, evaluation):
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    fresh = [Trainer(settings, *data) for settings in lockstep.gradient_rule_set(Settings())]
    with raises_saying(ValueError, "Train a few steps"):
        plane_of(fresh, evaluation, "pca")
    assert plane_of(fresh, evaluation, "random").paths[0].distance[0] < 1e-5


def test_the_reading_names_each_path_and_its_worst_point(runs, evaluation):
    result = plane_of(runs, evaluation, "pca")
    labels = run_labels([trainer.settings for trainer in runs])
    text = "\n".join(compare_reading.plane_reading(result, labels))
    for path, label in zip(result.paths, labels):
        far = int(np.argmax(path.distance))
        assert f"**{label}**: up to {path.distance[far]:.3g} off the plane (at step {path.steps[far]:,})" in text
    assert f"{result.explained_variance_ratio[0]:.0%} and {result.explained_variance_ratio[1]:.0%}" in text
