"""Take the run home: how big the exported notebook is, how long it takes to build, and how fast it replays.

    python -m bench.take_home [--steps 5000] [--rounds 3]

(1) Size and build time of the notebook and the .py script for a 10-epoch run (6,000 clicks of
Step ×100 and 50 drawings) with the default 10 hidden units and with the largest network (64).
(2) Replay speed: a real run of --steps samples with a drawing and a settings change, made with
core's trainer, exported; the notebook's code cells are executed in this process on real MNIST
(written out as the original IDX files, which the notebook checks), and the CPU time of its replay
cell (the log walked sample by sample, the loss kept, the test accuracy measured 50 times at most)
is set against core's Trainer.train on the same log, alternately for several rounds; the best round
of each is reported. The replay must print "identical", or the benchmark fails. The last line is
the notebook's time per sample.
"""

import argparse
import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

import nbformat

from core.record.events import SettingsChanged, StepOnImage, TrainSamples, apply_events
from core.model.network import init_parameters
from core.training.settings import Settings
from core.record.timeline import Keyframe, Timeline
from core.training.trainer import Trainer
from data import load_mnist
from data.idx import idx_bytes
from lab.notebook import RunExport, export_of, notebook_bytes, script_text


def ten_epochs(hidden, image) -> RunExport:
    events = []
    for click in range(6000):
        events.append(TrainSamples(100))
        if click % 120 == 0:
            events.append(StepOnImage.of(image, 7))
    params = init_parameters(hidden, "uniform", 0)
    return RunExport("a" * 22, Settings(hidden=hidden), params, 0, 0, False, True, tuple(events), (), params)


def sizes(mnist) -> None:
    for hidden in (10, 64):
        run = ten_epochs(hidden, mnist.test_images[0])
        started = time.perf_counter()
        notebook = notebook_bytes(run)
        built = time.perf_counter() - started
        script = script_text(run).encode("utf-8")
        print(f"10 epochs, h = {hidden:2}: notebook {len(notebook) / 2**20:.2f} MB (built in {built * 1000:.0f} ms), "
              f".py {len(script) / 2**20:.2f} MB")


def replay_cells(run) -> tuple[list[str], str, str]:
    """The code cells before the replay, the replay cell itself and the comparison after it."""
    book = nbformat.reads(notebook_bytes(run).decode("utf-8"), as_version=4)
    code = [cell.source for cell in book.cells if cell.cell_type == "code"]
    replay = next(index for index, source in enumerate(code) if "for event in LOG" in source)
    return code[:replay], code[replay], code[replay + 1]


def replay_speed(mnist, steps, rounds) -> None:
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    events = [TrainSamples(steps // 2), StepOnImage.of(mnist.test_images[0], 7),
              SettingsChanged.of(learning_rate=0.02, rule="cross-entropy"), TrainSamples(steps - steps // 2)]
    trainer = Trainer(Settings(), *data)
    timeline = Timeline(Keyframe.of(trainer, 0, 0), data=data)
    trainer = apply_events(trainer, events)
    timeline.extend(events, trainer)
    before, replay, compare = replay_cells(export_of(timeline, [], trainer.params, "bench"))
    with tempfile.TemporaryDirectory() as folder:
        for name, array in (("train-images-idx3-ubyte", mnist.train_images), ("train-labels-idx1-ubyte", mnist.train_labels),
                            ("t10k-images-idx3-ubyte", mnist.test_images), ("t10k-labels-idx1-ubyte", mnist.test_labels)):
            (Path(folder) / name).write_bytes(idx_bytes(array))
        os.environ["MNIST_DIR"] = folder
        prepared = {}
        with contextlib.redirect_stdout(io.StringIO()):
            for source in before:
                exec(source, prepared)  # noqa: S102 - the notebook this project just wrote
    notebook_times, core_times = [], []
    for _round in range(rounds):
        namespace = dict(prepared)
        printed = io.StringIO()
        started = time.process_time()
        with contextlib.redirect_stdout(printed):
            exec(replay, namespace)  # noqa: S102
        notebook_times.append(time.process_time() - started)
        with contextlib.redirect_stdout(printed):
            exec(compare, namespace)  # noqa: S102
        if "identical" not in printed.getvalue().splitlines():
            raise SystemExit("the notebook's replay did not reproduce the trainer's parameters")
        fresh = Trainer(Settings(), *data)
        started = time.process_time()
        apply_events(fresh, events)
        core_times.append(time.process_time() - started)
    samples = steps + 1
    print(f"replay of {samples:,} updates: core's trainer {min(core_times):.2f} s CPU "
          f"({min(core_times) / samples * 1e6:.0f} µs per update)")
    print(f"the notebook's replay cell (with its test-set evaluations): {min(notebook_times):.2f} s CPU, "
          f"identical parameters")
    print(f"notebook: {min(notebook_times) / samples * 1e6:.0f} µs per update, "
          f"{min(notebook_times) / min(core_times):.1f}x core's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    mnist = load_mnist()
    sizes(mnist)
    replay_speed(mnist, arguments.steps, arguments.rounds)


if __name__ == "__main__":
    main()
