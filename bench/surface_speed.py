"""How fast is the loss surface? The vectorised grid against one forward pass per grid point.

    python -m bench.surface_speed [--repeats 3] [--train 10000] [--full-loop]

θ is the document's network after --train training samples (core's Trainer, default settings).
The plane is the screen's default: two random filter-normalised directions (seed 0), span 1, a
41x41 grid, the MSE loss. For 1,000 and then 10,000 test images the script times the reference
loop (loss_grid_pointwise: a float64 forward pass over all the images per grid point, run once)
and the vectorised loss_grid (best of --repeats), checks that both give the same grid (losses
allclose, rtol 1e-5; accuracies within one image) and that the centre equals the loss at θ, then
prints the seconds. Over 10,000 images the loop (about 25 s) runs on every fourth grid row, 11 of
41, and its time is scaled up to the whole grid, as the output says; --full-loop runs all of it.
Targets: ≤ 0.15 s over 1,000 images, ≤ 1.5 s over 10,000, ≥ 8x faster than the loop.
The last line is the speed-up, loop / vectorised, over 1,000 images (the screen's default).
"""

import argparse
import time

import numpy as np

from core.surface import evaluation
from core.surface import loss_surface

from core.model import network
from core.training.settings import Settings
from core.training.trainer import Trainer
from data import load_mnist

GRID = 41


def timed(function, repeats):
    """(result, best wall seconds, processor seconds of that run) of `repeats` calls."""
    best = None
    for _ in range(repeats):
        wall, processor = time.perf_counter(), time.process_time()
        result = function()
        run = (time.perf_counter() - wall, time.process_time() - processor)
        if best is None or run[0] < best[0]:
            best = run
    return result, best[0], best[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of the vectorised grid; the best counts")
    parser.add_argument("--train", type=int, default=10_000, help="training samples before measuring")
    parser.add_argument("--full-loop", action="store_true", help="time the loop over every grid row at 10,000 images")
    arguments = parser.parse_args()

    mnist = load_mnist()
    trainer = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer.train(arguments.train)
    rng = np.random.default_rng(0)
    params = trainer.params
    plane = loss_surface.Plane(params, *(loss_surface.filter_normalised_direction(params, rng) for _ in range(2)))
    axis = loss_surface.grid_axis(loss_surface.SPAN_DEFAULT, GRID)
    print(f"θ after {trainer.step_count:,} training samples; {GRID}x{GRID} grid, random filter-normalised plane, MSE")

    speed_ups = {}
    for samples in (1_000, 10_000):
        X, labels = loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, samples)
        rows = np.arange(GRID) if samples == 1_000 or arguments.full_loop else np.arange(0, GRID, 4)
        (slow, slow_accuracies), loop_seconds, _ = timed(
            lambda: evaluation.loss_grid_pointwise(plane, X, labels, axis, axis[rows]), 1
        )
        loop_seconds *= GRID / len(rows)
        (fast, fast_accuracies), seconds, processor_seconds = timed(
            lambda: evaluation.loss_grid(plane, X, labels, axis, axis), arguments.repeats
        )
        np.testing.assert_allclose(fast[rows], slow, rtol=1e-5)
        np.testing.assert_allclose(fast_accuracies[rows], slow_accuracies, atol=1.5 / samples)
        at_theta = np.mean(network.mse_loss(network.forward(params, X).A2, labels))
        centre_error = abs(fast[GRID // 2, GRID // 2] - at_theta) / at_theta
        largest_error = np.max(np.abs(fast[rows] - slow) / slow)
        loop = "loop" if len(rows) == GRID else f"loop {len(rows)} of {GRID} rows, scaled to all"
        speed_ups[samples] = loop_seconds / seconds
        print(
            f"{samples:>6,} test images: vectorised {seconds:.3f} s (processor {processor_seconds:.3f} s), "
            f"{loop} {loop_seconds:.2f} s, {speed_ups[samples]:.1f}x; same grid (largest relative "
            f"difference {largest_error:.1e}, centre vs L(θ) {centre_error:.1e})"
        )
    print(f"speed-up (loop / vectorised), 1,000 test images: {speed_ups[1_000]:.1f}x")


if __name__ == "__main__":
    main()
