"""Time travel's cost: jumps to random steps of a 10-epoch run, one step back and forward, and the memory it takes.

A 10-epoch run (600,000 steps) is trained as the Train screen trains it: clicks of "Run to end of
epoch", with keyframes taken while it trains (core/record/timeline.py). Then, as a learner scrubbing the
timeline would, it opens 50 random steps and, from each, one step back and one forward. Each is
timed in process CPU seconds (what the server spends), on one BLAS thread as the app runs.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python -m bench.time_travel [--epochs 10] [--jumps 50]

Targets (issue "Time travel"): a jump's p95 at most 250 ms, one step back or forward at most 30 ms,
the session's snapshot caches (keyframes, near copies, cursor, and the trainer's own trajectory of
float32 trajectory points) at most 10 MB.
"""

import argparse
import time

import numpy as np

import data
from core.record.events import TrainSamples
from core.training.settings import Settings
from core.record.timeline import Keyframe, Timeline
from core.training.trainer import Trainer
from lab.live_run import STORED_KEYFRAME_EVERY


def trained_run(epochs, data_arrays):
    """A run trained epoch by epoch as the Train screen does, with the timeline the session keeps.

    Also the keyframes the store would keep (lab/live_run.py's policy: one every STORED_KEYFRAME_EVERY steps).
    """
    trainer = Trainer(Settings(), *data_arrays)
    timeline = Timeline(Keyframe.of(trainer, 0, 0), data=data_arrays)
    stored = []

    def progress(done, _):
        timeline.capture_live(trainer, done)
        position = timeline.length + done
        if position - (stored[-1].position if stored else 0) >= STORED_KEYFRAME_EVERY:
            stored.append(Keyframe.of(trainer, position, len(timeline.events), done))

    for _ in range(epochs):
        trainer.run_epoch(progress=progress)
        timeline.extend([TrainSamples(trainer.training_size)], trainer)
    return trainer, timeline, stored


def cpu_ms(action) -> float:
    start = time.process_time()
    action()
    return 1000 * (time.process_time() - start)


def summary(name, values, target) -> str:
    values = np.array(values)
    return (f"{name:<28} p50 {np.percentile(values, 50):7.1f} ms   p95 {np.percentile(values, 95):7.1f} ms   "
            f"max {values.max():7.1f} ms   (target ≤ {target} ms)")


def reopened_jumps(timeline, stored, targets) -> None:
    """The same jumps in the run reopened from the store: only the keyframes the store keeps, at first."""
    reopened = Timeline(timeline.keyframes.frames[0], timeline.events, timeline.data)
    for frame in [*stored, timeline.keyframes.frames[-1]]:
        reopened.keyframes.add(frame)
    jumps = [cpu_ms(lambda: reopened.step(target)) for target in targets.tolist()]
    print(summary("same jumps, reopened run", jumps, 250)
          + f"\n  (from the {len(stored)} keyframes the store keeps, {STORED_KEYFRAME_EVERY:,} steps apart: the first "
            "jump into a stretch replays up to that far, later ones reuse the keyframes it left)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--jumps", type=int, default=50)
    arguments = parser.parse_args()
    mnist = data.load_mnist()
    arrays = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    started = time.perf_counter()
    trainer, timeline, stored = trained_run(arguments.epochs, arrays)
    print(f"trained {timeline.length:,} steps in {time.perf_counter() - started:.0f} s; "
          f"{len(timeline.keyframes)} keyframes, {timeline.keyframe_spacing():,} steps apart at most when taken")
    targets = np.random.default_rng(1).integers(2, timeline.length, size=arguments.jumps)
    jumps, backs, forwards, replayed = [], [], [], []
    for target in targets.tolist():
        before = timeline.keyframes.latest_at_or_before(target - 1).position
        replayed.append(target - 1 - before)
        jumps.append(cpu_ms(lambda: timeline.step(target)))
        backs.append(cpu_ms(lambda: timeline.step(target - 1)))
        forwards.append(cpu_ms(lambda: timeline.step(target)))
    print(summary(f"jump to a random step ({arguments.jumps})", jumps, 250))
    print(summary("one step back", backs, 30))
    print(summary("one step forward", forwards, 30))
    print(f"steps replayed per jump from the nearest keyframe: median {int(np.median(replayed)):,}, "
          f"max {max(replayed):,}")
    reopened_jumps(timeline, stored, targets)
    caches = timeline.nbytes() + trainer._trajectory_points.nbytes()
    print(f"snapshot caches in memory: keyframes {timeline.keyframes.nbytes() / 1e6:.2f} MB + near copies and cursor "
          f"{(timeline.nbytes() - timeline.keyframes.nbytes()) / 1e6:.2f} MB + the trainer's trajectory "
          f"{trainer._trajectory_points.nbytes() / 1e6:.2f} MB = {caches / 1e6:.2f} MB (target ≤ 10 MB)")


if __name__ == "__main__":
    main()
