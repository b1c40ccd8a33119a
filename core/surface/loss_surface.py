"""The loss surface: the loss on a plane through the current parameters, and on the line from θ0.

A plane through the current parameters θ is θ + α·d1 + β·d2 in the flattened parameter space
(W1, b1, W2, b2). The directions are either random and filter-normalised (Li et al., 2018,
"Visualizing the Loss Landscape of Neural Nets") or the first two principal directions of the
training trajectory (a centred PCA of its points' weights, biases left out, as in Li et al.'s
code); either way the biases' directions are zero. The loss is evaluated on a grid of (α, β), the
trajectory's points are projected onto the plane with an honest readout of how far each lies off
it, and the loss is also given along the straight line θ(α) = θ0 + α(θ − θ0) from the initial
parameters (Goodfellow et al., 2015, "Qualitatively characterizing neural network optimization problems").

Speed comes from the first layer being linear in its weights:
X(W1 + α·D1 + β·D2) + (b1 + α·db1 + β·db2) = (XW1 + b1) + α(XD1 + db1) + β(XD2 + db2),
so three matrix products serve the whole grid; each grid point then only needs the (n, h) hidden
pre-activations combined, ReLU and the small second layer. Those per-point steps run in float32,
many points at once in bounded chunks; the three products and every mean run in float64.
`loss_grid_pointwise` (core/surface/evaluation.py) is the plain reference: one float64 forward pass per point.

Left out on purpose: streamlit (pages draw these values) and any training (core/training/trainer.py).
"""

from dataclasses import dataclass

import numpy as np

from core.model import network
from core.model.network import Parameters
from core.training.settings import SEED_RANGE
from core.reasons import Refusal
from core.surface.evaluation import PlaneEvaluator, losses_at_parameters

DIRECTIONS = ("random", "pca")
LOSS_NAMES = tuple(network.LOSSES)
GRID_RANGE = (11, 61)
GRID_DEFAULT = 41
SAMPLES_RANGE = (100, 10_000)
SAMPLES_DEFAULT = 1_000
SPAN_RANGE = (0.01, 10.0)
SPAN_DEFAULT = 1.0
LINE_ALPHAS = np.arange(-10, 31) / 20  # −0.5 to 1.5 by 0.05, with 0 and 1 exactly

# Elements (points x units x samples) of one chunk's float32 arrays: about 4 MB each, so a chunk
# stays near the CPU caches and a session's memory stays bounded whatever the grid or sample count.


def check_settings(directions, span, grid, samples, loss, seed):
    """Raise ValueError naming the first setting outside its allowed values (UI and URL share this)."""
    if directions not in DIRECTIONS:
        raise ValueError(f"directions must be one of {DIRECTIONS}, not {directions!r}")
    if loss not in LOSS_NAMES:
        raise ValueError(f"loss must be one of {LOSS_NAMES}, not {loss!r}")
    _check_integer("grid", grid, GRID_RANGE)
    _check_integer("samples", samples, SAMPLES_RANGE)
    _check_integer("seed", seed, SEED_RANGE)
    low, high = SPAN_RANGE
    if isinstance(span, bool) or not isinstance(span, (int, float, np.integer, np.floating)):
        raise ValueError(f"span must be a number from {low} to {high}, not {span!r}")
    if not low <= span <= high:  # also refuses nan
        raise ValueError(f"span must be from {low} to {high}, not {span}")


def _check_integer(name, value, allowed):
    low, high = allowed
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low} to {high}, not {value}")


def grid_axis(span, grid):
    """The grid's coordinates: `grid` evenly spaced values from −span to span (0 exactly if odd)."""
    steps = 2 * np.arange(grid) - (grid - 1)
    return span * steps / (grid - 1)


def evaluation_set(test_images, test_labels, samples=SAMPLES_DEFAULT):
    """The first `samples` test images as pixels x = p/255, (samples, 784), and their labels."""
    return network.pixels(test_images[:samples]), np.asarray(test_labels[:samples])


# --- directions -------------------------------------------------------------------------------


def filter_normalised_direction(params, rng):
    """d ~ N(0, I), then each unit's incoming weights rescaled: d_k ← d_k · ‖θ_k‖ / ‖d_k‖.

    A unit's weights are a column: W1[:, k] (784 weights into hidden unit k) or W2[:, k] (h weights
    into output unit k). The bias directions are zero, as in Li et al.'s code: a bias is one number
    per unit, so "rescaled like the unit" would only give ±|b_k| (and never move a zero bias); the
    plane therefore moves the weights, and the biases stay at θ's values across the whole plane.
    """
    return Parameters(
        W1=_rescale_columns(rng.standard_normal(params.W1.shape), params.W1),
        b1=np.zeros_like(params.b1, dtype=np.float64),
        W2=_rescale_columns(rng.standard_normal(params.W2.shape), params.W2),
        b2=np.zeros_like(params.b2, dtype=np.float64),
    )


def _rescale_columns(direction, weights):
    """Column k of `direction` rescaled to the norm of column k of `weights`."""
    return direction * (np.linalg.norm(weights, axis=0) / np.linalg.norm(direction, axis=0))


def principal_directions(points, current):
    """d1, d2 = the top two principal axes of the rows θ_i − θ, weights only, centred (Li et al.'s PCA).

    As in Li et al.'s code (sklearn PCA of the trajectory, ignore="biasbn"): the rows are the
    points' weight differences (W1, W2), their column mean is subtracted, and d1, d2 are the top
    two right singular vectors of that centred matrix; the biases' components are zero, so the plane
    moves the weights only, as the random directions do. Returns (d1, d2, explained_variance_ratio)
    with ratio_j = s_j² / Σ s² over the centred singular values: the share of the trajectory's
    variance along d_j. Each sign is chosen so that the first point (the initial parameters) has a
    coordinate ≤ 0: training runs towards +d1 and +d2. The centring only chooses the directions: the
    plane still passes through θ, and a point is projected as θ_i − θ (Li et al.'s
    project_trajectory does the same). Raises ValueError unless the weights of at least three
    points (Trainer.trajectory() ends with θ itself) do not lie on one line.
    """
    weights = np.array([_weights(point) for point in points]).reshape(len(points), -1)
    offsets = weights - _weights(current)
    singular_values, right_vectors = np.zeros(0), np.zeros((0, offsets.shape[1]))
    if len(offsets):
        centred = offsets - offsets.mean(axis=0)
        _left, singular_values, right_vectors = np.linalg.svd(centred, full_matrices=False)
    if len(singular_values) < 2 or not singular_values[1] > 1e-10 * singular_values[0]:
        raise Refusal("surface.no_trajectory")
    directions = []
    for vector in right_vectors[:2]:
        if offsets[0] @ vector > 0:
            vector = -vector
        directions.append(_weights_direction(vector, current.hidden))
    explained_variance_ratio = singular_values[:2] ** 2 / np.sum(singular_values**2)
    return directions[0], directions[1], explained_variance_ratio


def _weights(params):
    """W1 and W2 flattened into one float64 vector (the biases left out)."""
    return np.concatenate([params.W1.ravel(), params.W2.ravel()]).astype(np.float64)


def _weights_direction(vector, hidden):
    """The inverse of `_weights` as a direction: W1, W2 from `vector`, zero biases."""
    W1, W2 = np.split(vector, [network.INPUTS * hidden])
    return Parameters(W1=W1.reshape(network.INPUTS, hidden), b1=np.zeros(hidden),
                      W2=W2.reshape(hidden, network.CLASSES), b2=np.zeros(network.CLASSES))


def _scaled(params, factor):
    """factor · θ."""
    return Parameters.unflatten(factor * params.flatten(), params.hidden)


# --- the plane ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Plane:
    """The plane θ(α, β) = origin + α·d1 + β·d2 in parameter space."""

    origin: Parameters
    d1: Parameters
    d2: Parameters

    def at(self, alpha, beta):
        """θ(α, β) = origin + α·d1 + β·d2."""
        vector = self.origin.flatten() + alpha * self.d1.flatten() + beta * self.d2.flatten()
        return Parameters.unflatten(vector, self.origin.hidden)


def project(plane, params):
    """(a, b, ‖r‖): the least-squares a, b of θ' − origin ≈ a·d1 + b·d2, and the residual's norm.

    The directions need not be orthogonal (random ones are not quite), so a, b solve the 2x2
    normal equations G·(a, b) = (d1·v, d2·v) with G the Gram matrix of d1, d2 and v = θ' − origin.
    """
    coordinates, distances = project_all(plane, [params])
    return float(coordinates[0, 0]), float(coordinates[0, 1]), float(distances[0])


def project_all(plane, many_params):
    """Coordinates (k, 2) and distances (k,) of many parameter sets on the plane, as in `project`."""
    basis = np.stack([plane.d1.flatten(), plane.d2.flatten()])
    offsets = np.array([params.flatten() for params in many_params]) - plane.origin.flatten()
    gram = basis @ basis.T
    coordinates = np.linalg.solve(gram, (offsets @ basis.T).T).T
    distances = np.linalg.norm(offsets - coordinates @ basis, axis=1)
    return coordinates, distances


# --- what the screen shows ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SurfaceResult:
    """The loss surface around θ and the trajectory on it, as the loss-surface screen shows them.

    Grid: losses[j, i] and accuracies[j, i] at θ + alphas[i]·d1 + betas[j]·d2.
    Trajectory (one entry per trajectory point): its training step; (a, b), its least-squares projection on
    the plane; distance, ‖θ_i − θ(a, b)‖, how far it lies off the plane; displacement, ‖θ_i − θ‖,
    its whole distance from the current parameters; loss, its true mean loss; surface_loss, the
    loss at its projection θ + a·d1 + b·d2 (what the drawn surface claims under it).
    direction_norms are ‖d1‖, ‖d2‖ (one grid unit in parameter-space distance), direction_cosine
    their cosine; explained_variance_ratio is the share of the trajectory's weight variance along
    d1, d2 (pca only; centred, biases left out).
    """

    directions: str
    loss: str
    span: float
    seed: int
    samples: int
    plane: Plane
    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    accuracies: np.ndarray
    current_loss: float
    current_accuracy: float
    trajectory_steps: np.ndarray
    trajectory_a: np.ndarray
    trajectory_b: np.ndarray
    trajectory_distance: np.ndarray
    trajectory_displacement: np.ndarray
    trajectory_loss: np.ndarray
    trajectory_surface_loss: np.ndarray
    direction_norms: tuple
    direction_cosine: float
    explained_variance_ratio: np.ndarray | None


def surface(params, points, X, labels, directions="random", span=SPAN_DEFAULT, grid=GRID_DEFAULT,
            loss="mse", seed=0):
    """The loss over θ + α·d1 + β·d2, α, β in [−span, span], and the trajectory projected on it.

    `points` is the trajectory as core/training.Trainer keeps it: (step, Parameters) pairs,
    initial first. "random": d1, d2 are filter-normalised (`filter_normalised_direction`, seeded
    by `seed`), so span 1 moves every unit's weights by their own norm. "pca": d1, d2 are the
    principal directions of the trajectory (`principal_directions`), each scaled to the largest distance ‖θ_i − θ‖ of a
    point, so span 1 frames the whole trajectory; fewer than two points away from θ raise
    ValueError ("train a few steps first"). X is (n, 784) pixels/255, n in SAMPLES_RANGE.
    """
    check_settings(directions, span, grid, len(X), loss, seed)
    steps = np.array([step for step, _ in points], dtype=np.int64)
    trajectory = [point for _, point in points]
    explained_variance_ratio = None
    if directions == "pca":
        d1, d2, explained_variance_ratio = principal_directions(trajectory, params)
        reach = max(np.linalg.norm(point.flatten() - params.flatten()) for point in trajectory)
        d1, d2 = _scaled(d1, reach), _scaled(d2, reach)
    else:
        rng = np.random.default_rng(seed)
        d1 = filter_normalised_direction(params, rng)
        d2 = filter_normalised_direction(params, rng)
    plane = Plane(params, d1, d2)
    evaluator = PlaneEvaluator(plane, X, labels, loss)
    alphas = betas = grid_axis(float(span), grid)
    losses, accuracies = evaluator.grid(alphas, betas)

    (current_loss,), (current_accuracy,) = losses_at_parameters([params], X, labels, loss)
    coordinates = np.zeros((0, 2))
    distances = displacements = true_losses = surface_losses = np.zeros(0)
    if trajectory:
        coordinates, distances = project_all(plane, trajectory)
        displacements = np.array([np.linalg.norm(s.flatten() - params.flatten()) for s in trajectory])
        true_losses, _accuracies = losses_at_parameters(trajectory, X, labels, loss)
        surface_losses, _accuracies = evaluator.at_points(coordinates[:, 0], coordinates[:, 1])
    norms = (float(np.linalg.norm(d1.flatten())), float(np.linalg.norm(d2.flatten())))
    return SurfaceResult(
        directions=directions, loss=loss, span=float(span), seed=int(seed), samples=len(X), plane=plane,
        alphas=alphas, betas=betas, losses=losses, accuracies=accuracies,
        current_loss=float(current_loss), current_accuracy=float(current_accuracy),
        trajectory_steps=steps, trajectory_a=coordinates[:, 0], trajectory_b=coordinates[:, 1],
        trajectory_distance=distances, trajectory_displacement=displacements,
        trajectory_loss=true_losses, trajectory_surface_loss=surface_losses,
        direction_norms=norms, direction_cosine=float(d1.flatten() @ d2.flatten() / (norms[0] * norms[1])),
        explained_variance_ratio=explained_variance_ratio,
    )


def path_lengths(result, points) -> tuple[float, float]:
    """(Σ‖θᵢ₊₁ − θᵢ‖, Σ‖Δaᵢ·d1 + Δbᵢ·d2‖): the trajectory's length, and the length of its projection on the plane."""
    vectors = np.array([params.flatten() for _, params in points])
    basis = np.stack([result.plane.d1.flatten(), result.plane.d2.flatten()])
    shadow = np.diff(np.column_stack([result.trajectory_a, result.trajectory_b]), axis=0) @ basis
    return (float(np.linalg.norm(np.diff(vectors, axis=0), axis=1).sum()),
            float(np.linalg.norm(shadow, axis=1).sum()))


def interpolation_line(initial, current, X, labels, alphas=LINE_ALPHAS, loss="mse"):
    """Mean loss and accuracy along θ(α) = θ0 + α(θ − θ0): returns (alphas, losses, accuracies).

    α = 0 is the initial parameters θ0, α = 1 the current θ; the default α runs from −0.5 to 1.5.
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    toward_current = Parameters.unflatten(current.flatten() - initial.flatten(), initial.hidden)
    no_direction = _scaled(initial, 0.0)
    evaluator = PlaneEvaluator(Plane(initial, toward_current, no_direction), X, labels, loss)
    losses, accuracies = evaluator.along_alpha(alphas, 0.0)
    return alphas, losses, accuracies
