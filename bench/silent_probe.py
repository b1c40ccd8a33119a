"""What the silent-unit probe costs per Step click: computed in full, and kept by core/model/silent_probe.py.

    python -m bench.silent_probe [--steps 2000]

On real MNIST, a trainer takes single steps (the Train screen's Step) and after each one the silent
units of the first PROBE_IMAGES test images are asked for twice, in alternating order: (a) in full,
silent_units(hidden_sums(params, probe)), what every click computed before; (b) Trainer.dead_units(),
which rechecks only the units the step changed. Both answers are compared at every step (they must
be equal). Times are CPU time of this process (time.process_time_ns), median and mean per call, for
the document's settings and for α = 1 (units fall silent), and the ratio (a) / (b) of the medians.
"""

import argparse
import statistics
import time

import numpy as np

from core.model.batched import PROBE_IMAGES, hidden_sums, silent_units
from core.model.pixel_cache import float32_pixels
from core.training.settings import Settings
from core.training.trainer import Trainer
from data import load_mnist


def timed(function):
    """(result, CPU milliseconds) of one call."""
    start = time.process_time_ns()
    result = function()
    return result, (time.process_time_ns() - start) / 1e6


def measure(settings, data, steps) -> tuple[list[float], list[float], int]:
    """Per-step CPU ms of the full and the kept probe over `steps` single steps, and the silent units at the end."""
    trainer = Trainer(settings, *data)
    probe = float32_pixels(data[2])[:PROBE_IMAGES]
    trainer.dead_units()  # the first call computes in full; the clicks after it are what is measured
    full_times, kept_times = [], []
    for step in range(steps):
        trainer.step()
        calls = [("full", lambda: silent_units(hidden_sums(trainer.params, probe))), ("kept", trainer.dead_units)]
        answers = {}
        for name, function in calls if step % 2 else calls[::-1]:
            answers[name], milliseconds = timed(function)
            (full_times if name == "full" else kept_times).append(milliseconds)
        if not np.array_equal(answers["full"], answers["kept"]):
            raise SystemExit(f"the kept mask differs from the full one at step {trainer.sgd_steps}")
    return full_times, kept_times, int(answers["kept"].sum())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    arguments = parser.parse_args(argv)
    mnist = load_mnist()
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    for label, settings in (("document's settings", Settings()), ("alpha = 1", Settings(learning_rate=1.0))):
        full, kept, silent = measure(settings, data, arguments.steps)
        print(f"{label}: {arguments.steps} steps, {silent} silent units at the end, masks equal at every step")
        for name, times in (("(a) full probe", full), ("(b) kept probe", kept)):
            print(f"  {name}: median {statistics.median(times):.3f} ms, mean {statistics.fmean(times):.3f} ms per call")
        print(f"  ratio (a) / (b) of the medians: {statistics.median(full) / statistics.median(kept):.1f}")


if __name__ == "__main__":
    main()
