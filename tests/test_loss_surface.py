"""core/surface/loss_surface.py on real MNIST test images and a real training trajectory.

The reference for every loss is network.forward in float64 over the same images, computed here
independently of the vectorised float32 evaluation the screen uses.
"""

import numpy as np
import pytest

from core.surface import evaluation as surface_evaluation
from core.surface import loss_surface

from core.model import network
from core.surface.loss_surface import Plane
from core.training.settings import Settings
from core.training.trainer import Trainer
from tests.saying import raises_saying

SAMPLES = 1_000
LOSSES = tuple(network.LOSSES)


@pytest.fixture(scope="module")
def evaluation(mnist):
    """The first 1,000 test images as pixels, and their labels."""
    return loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, SAMPLES)


@pytest.fixture(scope="module")
def trainer(mnist):
    """The document's network after 3,000 training samples: a real trajectory of saved points."""
    trainer = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer.train(3_000)
    return trainer


def reference_loss(params, X, labels, loss):
    """Mean loss and accuracy by one float64 forward pass."""
    A2 = network.forward(params, X).A2
    return np.mean(network.LOSSES[loss](A2, labels)), np.mean(A2.argmax(axis=1) == labels)


def parameters_between(start, end, fraction):
    """start + fraction·(end − start)."""
    return network.Parameters.unflatten(start.flatten() + fraction * (end.flatten() - start.flatten()), start.hidden)


def random_plane(params, seed=0):
    """A plane through θ along two filter-normalised random directions."""
    rng = np.random.default_rng(seed)
    return Plane(params, *(loss_surface.filter_normalised_direction(params, rng) for _ in range(2)))


@pytest.mark.parametrize("directions", loss_surface.DIRECTIONS)
@pytest.mark.parametrize("loss", LOSSES)
def test_the_centre_of_the_surface_is_the_loss_at_the_current_parameters(trainer, evaluation, directions, loss):
    X, labels = evaluation
    result = loss_surface.surface(trainer.params, trainer.trajectory(), X, labels, directions, grid=11, loss=loss)
    expected_loss, expected_accuracy = reference_loss(trainer.params, X, labels, loss)
    assert result.alphas[5] == result.betas[5] == 0.0
    assert result.losses[5, 5] == pytest.approx(expected_loss, rel=1e-6)
    assert result.current_loss == pytest.approx(expected_loss, rel=1e-6)
    assert result.accuracies[5, 5] == result.current_accuracy == pytest.approx(expected_accuracy)


def test_the_grid_spans_minus_span_to_span_with_one_row_per_beta(trainer, evaluation):
    X, labels = evaluation
    result = loss_surface.surface(trainer.params, trainer.trajectory(), X, labels, span=0.5, grid=21)
    assert result.alphas[0] == -0.5 and result.alphas[-1] == 0.5 and len(result.alphas) == 21
    assert result.losses.shape == result.accuracies.shape == (21, 21)
    assert np.all(np.isfinite(result.losses)) and np.all(result.losses >= 0)
    assert np.all((result.accuracies >= 0) & (result.accuracies <= 1))


@pytest.mark.parametrize("loss", LOSSES)
def test_the_vectorised_grid_equals_a_forward_pass_at_every_point(trainer, evaluation, loss):
    X, labels = evaluation
    plane = random_plane(trainer.params)
    axis = loss_surface.grid_axis(1.0, 7)
    fast_losses, fast_accuracies = surface_evaluation.loss_grid(plane, X, labels, axis, axis[::-1], loss)
    slow_losses, slow_accuracies = surface_evaluation.loss_grid_pointwise(plane, X, labels, axis, axis[::-1], loss)
    np.testing.assert_allclose(fast_losses, slow_losses, rtol=1e-5)
    # float32 may break a near-tie between two logits the other way for a single image.
    np.testing.assert_allclose(fast_accuracies, slow_accuracies, atol=1.5 / SAMPLES)
    assert np.all((fast_accuracies >= 0) & (fast_accuracies <= 1))
    assert fast_losses[0, 3] == pytest.approx(reference_loss(plane.at(0.0, 1.0), X, labels, loss)[0], rel=1e-5)


def test_far_from_the_weights_the_cross_entropy_is_capped_like_the_network_caps_it(trainer, evaluation):
    X, labels = evaluation
    plane = random_plane(trainer.params)
    huge = np.array([40.0])
    fast, _ = surface_evaluation.loss_grid(plane, X, labels, huge, huge, "cross-entropy")
    slow, _ = surface_evaluation.loss_grid_pointwise(plane, X, labels, huge, huge, "cross-entropy")
    np.testing.assert_allclose(fast, slow, rtol=1e-5)


def test_filter_normalisation_gives_each_unit_the_norm_of_its_weights(trainer):
    params = trainer.params
    direction = loss_surface.filter_normalised_direction(params, np.random.default_rng(3))
    np.testing.assert_allclose(np.linalg.norm(direction.W1, axis=0), np.linalg.norm(params.W1, axis=0), rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(direction.W2, axis=0), np.linalg.norm(params.W2, axis=0), rtol=1e-12)
    assert not direction.b1.any() and not direction.b2.any()
    again = loss_surface.filter_normalised_direction(params, np.random.default_rng(3))
    assert np.array_equal(direction.flatten(), again.flatten())


def test_principal_directions_are_orthonormal_and_ordered(trainer):
    d1, d2, ratio = loss_surface.principal_directions([p for _, p in trainer.trajectory()], trainer.params)
    basis = np.stack([d1.flatten(), d2.flatten()])
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)
    assert 1 >= ratio[0] >= ratio[1] > 0 and ratio.sum() <= 1 + 1e-12
    initial_offset = trainer.initial_params.flatten() - trainer.params.flatten()
    assert initial_offset @ basis[0] <= 0 and initial_offset @ basis[1] <= 0


def centred_weight_pca(points, current):
    """Top two eigenvectors and variance shares of the covariance C = DcᵀDc / (k − 1), where the rows
    of D are the points' W1, W2 minus the current ones (no biases) and Dc is D minus its column mean.

    C is 7,940 x 7,940 here (500 MB), so its eigenpairs come from the k x k matrix DcDcᵀ / (k − 1):
    the same non-zero eigenvalues, with C's eigenvectors Dcᵀu / ‖Dcᵀu‖ (no SVD involved).
    """
    def weights(params):
        return np.concatenate([params.W1.ravel(), params.W2.ravel()]).astype(np.float64)

    D = np.array([weights(point) - weights(current) for point in points])
    Dc = D - D.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(Dc @ Dc.T / (len(Dc) - 1))
    top = np.argsort(eigenvalues)[::-1][:2]
    directions = (Dc.T @ eigenvectors[:, top]).T
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return directions, eigenvalues[top] / eigenvalues.sum()


def test_principal_directions_are_li_et_al_s_centred_pca_of_the_weights(trainer):
    points = [p for _, p in trainer.trajectory()]
    d1, d2, ratio = loss_surface.principal_directions(points, trainer.params)
    expected_directions, expected_ratio = centred_weight_pca(points, trainer.params)
    for direction, expected in zip((d1, d2), expected_directions):
        assert not direction.b1.any() and not direction.b2.any()
        weights = np.concatenate([direction.W1.ravel(), direction.W2.ravel()])
        assert abs(weights @ expected) / np.linalg.norm(weights) > 0.999
    np.testing.assert_allclose(ratio, expected_ratio, rtol=1e-6)


def test_principal_directions_of_a_straight_two_point_path_ask_for_more_training(trainer):
    start = trainer.initial_params
    with raises_saying(ValueError, "(?i)train a few steps first"):
        loss_surface.principal_directions([start], trainer.params)
    halfway = parameters_between(start, trainer.params, 0.5)
    with raises_saying(ValueError, "(?i)train a few steps first"):
        loss_surface.principal_directions([start, halfway, trainer.params], trainer.params)


def test_projection_recovers_coordinates_and_the_distance_off_the_plane(trainer):
    plane = random_plane(trainer.params, seed=1)
    assert loss_surface.project(plane, trainer.params) == (0.0, 0.0, 0.0)
    basis = np.stack([plane.d1.flatten(), plane.d2.flatten()])
    assert abs(basis[0] @ basis[1]) > 0  # random directions are not orthogonal: the test needs that
    off_plane = np.random.default_rng(2).standard_normal(basis.shape[1])
    off_plane -= basis.T @ np.linalg.lstsq(basis.T, off_plane, rcond=None)[0]
    off_plane *= 3.0 / np.linalg.norm(off_plane)
    point = network.Parameters.unflatten(plane.at(0.3, -0.7).flatten() + off_plane, plane.origin.hidden)
    a, b, distance = loss_surface.project(plane, point)
    assert (a, b, distance) == pytest.approx((0.3, -0.7, 3.0), abs=1e-9)


@pytest.mark.parametrize("directions", loss_surface.DIRECTIONS)
def test_the_trajectory_readout_is_honest(trainer, evaluation, directions):
    X, labels = evaluation
    trajectory = trainer.trajectory()
    result = loss_surface.surface(trainer.params, trajectory, X, labels, directions, grid=11)
    assert list(result.trajectory_steps) == [step for step, _ in trajectory]
    assert result.trajectory_steps[-1] == trainer.step_count
    # The current parameters, last in the trajectory, sit at the centre, on the plane.
    assert result.trajectory_a[-1] == pytest.approx(0, abs=1e-12)
    assert result.trajectory_b[-1] == pytest.approx(0, abs=1e-12)
    assert result.trajectory_distance[-1] == pytest.approx(0, abs=1e-12)
    assert np.all(result.trajectory_distance <= result.trajectory_displacement + 1e-9)
    for index in (0, len(trajectory) // 2):
        point = trajectory[index][1]
        true_loss, _ = reference_loss(point, X, labels, "mse")
        assert result.trajectory_loss[index] == pytest.approx(true_loss, rel=1e-5)
        foot = result.plane.at(result.trajectory_a[index], result.trajectory_b[index])
        loss_under_it, _ = reference_loss(foot, X, labels, "mse")
        assert result.trajectory_surface_loss[index] == pytest.approx(loss_under_it, rel=1e-5)
        residual = point.flatten() - foot.flatten()
        assert result.trajectory_distance[index] == pytest.approx(np.linalg.norm(residual), rel=1e-9)
    if directions == "pca":
        # Scaled to the farthest point, so span 1 frames the whole trajectory.
        assert np.all(np.abs(result.trajectory_a) <= 1) and np.all(np.abs(result.trajectory_b) <= 1)
        assert result.direction_cosine == pytest.approx(0, abs=1e-12)
        assert result.explained_variance_ratio.shape == (2,)
    else:
        assert result.explained_variance_ratio is None


@pytest.mark.parametrize("loss", LOSSES)
def test_the_line_from_the_initial_weights_passes_through_both_losses(trainer, evaluation, loss):
    X, labels = evaluation
    alphas, losses, accuracies = loss_surface.interpolation_line(
        trainer.initial_params, trainer.params, X, labels, loss=loss
    )
    assert alphas[0] == -0.5 and alphas[-1] == 1.5 and len(alphas) == len(losses) == len(accuracies) == 41
    initial_loss, initial_accuracy = reference_loss(trainer.initial_params, X, labels, loss)
    current_loss, current_accuracy = reference_loss(trainer.params, X, labels, loss)
    assert losses[alphas == 0][0] == pytest.approx(initial_loss, rel=1e-6)
    assert losses[alphas == 1][0] == pytest.approx(current_loss, rel=1e-6)
    assert accuracies[alphas == 0][0] == pytest.approx(initial_accuracy)
    assert accuracies[alphas == 1][0] == pytest.approx(current_accuracy)
    assert np.all((accuracies >= 0) & (accuracies <= 1))
    assert losses[alphas == 1][0] < losses[alphas == 0][0]  # training lowered the loss


@pytest.mark.parametrize(
    "changes",
    [
        {"directions": "sideways"}, {"loss": "hinge"}, {"grid": 10}, {"grid": 62}, {"grid": 41.0},
        {"samples": 99}, {"samples": 10_001}, {"span": 0.0}, {"span": float("nan")}, {"span": 11.0},
        {"span": "1"}, {"seed": -1}, {"seed": True},
    ],
)
def test_settings_outside_their_ranges_are_refused_by_name(changes):
    settings = dict(directions="random", span=1.0, grid=41, samples=1_000, loss="mse", seed=0)
    loss_surface.check_settings(**settings)
    settings.update(changes)
    (name,) = changes
    with raises_saying(ValueError, name):
        loss_surface.check_settings(**settings)


def test_path_lengths_measure_the_path_and_the_part_of_it_in_the_plane(trainer, evaluation):
    X, labels = evaluation
    trajectory = trainer.trajectory()
    vectors = [params.flatten() for _, params in trajectory]
    length = sum(np.linalg.norm(after - before) for before, after in zip(vectors, vectors[1:]))
    pca = loss_surface.surface(trainer.params, trajectory, X, labels, "pca", grid=11)
    random = loss_surface.surface(trainer.params, trajectory, X, labels, "random", grid=11)
    pca_length, pca_in_plane = loss_surface.path_lengths(pca, trajectory)
    random_length, random_in_plane = loss_surface.path_lengths(random, trajectory)
    assert pca_length == pytest.approx(length) and random_length == pytest.approx(length)
    # The principal plane holds much of the path; a random plane in ~8,000 dimensions almost none of it.
    assert 0.3 * length < pca_in_plane <= length
    assert random_in_plane < 0.1 * length

