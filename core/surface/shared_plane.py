"""One loss plane for several runs: the surface drawn once, every run's path projected on it.

Li et al. (2018) draw each run on a plane of its own (the principal directions of its own
trajectory), so two runs' pictures cannot be laid over each other. Here the plane is fixed for the
whole comparison: θ(a, b) = c + a·d1 + b·d2 through a centre c the learner picks (the runs' shared
start θ0, or one run's current weights), with

- "pca": d1, d2 the first two principal directions of the union of every run's trajectory points
  (weights only, biases left out, centred: Li et al.'s PCA applied to all paths at once). They are
  orthonormal, ‖d1‖ = ‖d2‖ = 1 and d1·d2 = 0, so a and b are distances in weight space;
- "random": two filter-normalised random directions at c (each unit's incoming weights scaled to
  that unit's norm in c, biases zero); not orthogonalised, so a and b are in units of the
  filter norms and the cosine between d1 and d2 is reported.

Every point θᵢ of every run is projected by least squares, (a, b) = argmin ‖θᵢ − c − a·d1 − b·d2‖,
and reported with its distance off the plane ‖θᵢ − θ(a, b)‖, its true mean loss L(θᵢ), and the
surface's value L(θ(a, b)) under it: where the two differ, the drawn path is a shadow.

The grid's evaluation is core/surface/loss_surface.py's (three matrix products for the whole grid).
Left out on purpose: training (core/training/lockstep.py) and drawing (ui/compare_figures.py).
"""

from dataclasses import dataclass

import numpy as np

from core.surface.loss_surface import (
    GRID_DEFAULT,
    LOSS_NAMES,
    Plane,
    filter_normalised_direction,
    grid_axis,
    principal_directions,
    project_all,
)
from core.model.network import Parameters
from core.surface.evaluation import PlaneEvaluator, losses_at_parameters

DIRECTIONS = ("pca", "random")
FRAME_MARGIN = 1.15  # the frame's half-width over the half-width of the paths' bounding box: every path inside
SMALLEST_FRAME = 1.0  # half-height at least one grid unit (a weight-space distance of 1; one filter norm for random)
FRAME_ASPECT = 1.6  # the frame's width (along a) over its height (along b), as the screen draws it
TRUSTED = 0.05  # a path is drawn faithfully where the surface under it is within 5% of its true loss


@dataclass(frozen=True, eq=False)
class PathOnPlane:
    """One run's trajectory points on the shared plane: step, (a, b), distance off the plane, true and surface loss."""

    steps: np.ndarray
    a: np.ndarray
    b: np.ndarray
    distance: np.ndarray  # ‖θᵢ − θ(aᵢ, bᵢ)‖
    loss: np.ndarray  # L(θᵢ), the true mean loss at the point
    surface_loss: np.ndarray  # L(θ(aᵢ, bᵢ)), what the drawn surface shows under it

    @property
    def disagreement(self) -> np.ndarray:
        """|L(θᵢ) − L(θ(aᵢ, bᵢ))|: how far the surface's value under each point is from its true loss."""
        return np.abs(self.loss - self.surface_loss)


@dataclass(frozen=True, eq=False)
class SharedPlane:
    """The loss over the grid of one plane for every run, and each run's path on it.

    losses[j, i] and accuracies[j, i] are at c + alphas[i]·d1 + betas[j]·d2 (rows along b, as the browser reads them).
    """

    directions: str
    loss: str
    plane: Plane
    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    accuracies: np.ndarray
    centre_loss: float
    paths: list
    direction_norms: tuple
    direction_cosine: float
    explained_variance_ratio: np.ndarray | None


def union_directions(trajectories, centre):
    """d1, d2, ratio: the top two principal directions of every run's points together (weights only, centred).

    Each is a unit vector with zero bias components, signed so that the paths on average run
    towards +d; ratio_j is the share of the union's centred weight variance along d_j. Raises
    ValueError when the union lies on one line.
    """
    union = [params for trajectory in trajectories for _, params in trajectory]
    d1, d2, ratio = principal_directions(union, centre)
    return _towards_the_ends(d1, trajectories), _towards_the_ends(d2, trajectories), ratio


def _towards_the_ends(direction, trajectories):
    """The direction, or its negative, whichever the paths on average run along: Σ_runs (θ_end − θ_start)·d ≥ 0."""
    vector = direction.flatten()
    travelled = sum((trajectory[-1][1].flatten() - trajectory[0][1].flatten()) @ vector for trajectory in trajectories)
    return direction if travelled >= 0 else Parameters.unflatten(-vector, direction.hidden)


def shared_plane(trajectories, centre, X, labels, directions="pca", loss="cross-entropy", grid=GRID_DEFAULT,
                 seed=0) -> SharedPlane:
    """The loss on the plane c + a·d1 + b·d2 over a grid framing every path, and each path projected on it.

    `trajectories` holds each run's (step, Parameters) pairs (Trainer.trajectory()); `centre` is c.
    The grid is a frame around every projected point and the centre (see `frame`), so every
    path lies inside the picture.
    """
    if directions not in DIRECTIONS:
        raise ValueError(f"directions must be one of {DIRECTIONS}, not {directions!r}")
    if loss not in LOSS_NAMES:
        raise ValueError(f"loss must be one of {LOSS_NAMES}, not {loss!r}")
    ratio = None
    if directions == "pca":
        d1, d2, ratio = union_directions(trajectories, centre)
    else:
        rng = np.random.default_rng(seed)
        d1, d2 = filter_normalised_direction(centre, rng), filter_normalised_direction(centre, rng)
    plane = Plane(centre, d1, d2)
    points = [params for trajectory in trajectories for _, params in trajectory]
    coordinates, distances = project_all(plane, points)
    alphas, betas = frame(coordinates, grid)

    evaluator = PlaneEvaluator(plane, X, labels, loss)
    grid_losses, grid_accuracies = evaluator.grid(alphas, betas)
    true_losses, _accuracies = losses_at_parameters(points + [centre], X, labels, loss)
    surface_losses, _accuracies = evaluator.at_points(coordinates[:, 0], coordinates[:, 1])

    paths, start = [], 0
    for trajectory in trajectories:
        part = slice(start, start + len(trajectory))
        paths.append(PathOnPlane(np.array([step for step, _ in trajectory]), coordinates[part, 0],
                                 coordinates[part, 1], distances[part], true_losses[part], surface_losses[part]))
        start += len(trajectory)
    norms = (float(np.linalg.norm(d1.flatten())), float(np.linalg.norm(d2.flatten())))
    return SharedPlane(
        directions=directions, loss=loss, plane=plane, alphas=alphas, betas=betas, losses=grid_losses,
        accuracies=grid_accuracies, centre_loss=float(true_losses[-1]), paths=paths, direction_norms=norms,
        direction_cosine=float(d1.flatten() @ d2.flatten() / (norms[0] * norms[1])),
        explained_variance_ratio=ratio)


def frame(coordinates, grid, aspect=FRAME_ASPECT) -> tuple[np.ndarray, np.ndarray]:
    """The grid's a and b values: a frame `aspect` times as wide (a) as tall (b) around the points and (0, 0).

    It is centred on the bounding box of the points (a, b) and the centre, FRAME_MARGIN times as
    large, and at least SMALLEST_FRAME tall on either side; a and b keep one scale, so a drawing
    `aspect` times as wide as tall shows distances in the plane undistorted. d1 holds the most
    variance, so the paths usually spread wider along a than along b.
    """
    points = np.vstack([coordinates, np.zeros((1, 2))])
    low, high = points.min(axis=0), points.max(axis=0)
    middle = (low + high) / 2
    half_b = max(SMALLEST_FRAME, FRAME_MARGIN * (high[1] - low[1]) / 2, FRAME_MARGIN * (high[0] - low[0]) / 2 / aspect)
    return middle[0] + grid_axis(aspect * half_b, grid), middle[1] + grid_axis(half_b, grid)
