"""What the run store costs: one append, the bytes of a run, and restoring a run at the end of epoch 10.

    python -m bench.store_speed [--epochs 10] [--appends 500] [--browser]

On a SQLite file in a temporary folder and on a throwaway PostgreSQL server (skipped, with a
note, if PostgreSQL is not installed), it prints:
- microseconds to append one tiny event (a Step click), mean over --appends appends;
- the bytes a run takes after 1 epoch and after --epochs epochs, trained on real MNIST in train
  events of 1,000 samples (Step ×1000 clicks) with core.record.events' snapshot policy: a full trainer
  state (checkpoint npz) once SNAPSHOT_EVERY samples were trained since the last, one kept per run;
- the time to restore the run at its end: read the latest snapshot, Trainer.from_state through the
  checkpoint loader, read and replay the events after it; and the worst case the policy allows
  (SNAPSHOT_EVERY − 1 samples to replay).
With --browser, also the time a learner waits: the app served on the SQLite store (`streamlit run`,
warmed up), Debian's chromium opens the run's link /train?run=… in a new browser context, and the
clock stops when the Train screen shows the run's position line (h4 "Step 600,000 · …") with
nothing stale; beside it the same for a link without a run (a fresh run), median of --opens each.
Times are wall-clock on a shared machine: compare figures within one run. The throwaway PostgreSQL
server runs with fsync=off, so its append figure leaves out the disk flush a real server makes.
"""

import argparse
import contextlib
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from core.record.events import SNAPSHOT_EVERY, TrainSamples, apply_events, snapshot_bytes, snapshot_due, trainer_from_snapshot
from core.training.settings import Settings
from core.record.timeline import Keyframe, keyframe_bytes
from core.training.trainer import Trainer
from data import load_mnist
from runs.postgres_server import create_database, postgres_programs, temporary_server
from runs.store import RunStore
from lab.live_run import STORED_KEYFRAME_EVERY
from lab.stored_runs import timeline_from_store

CLICK = 1000  # samples per train event


def append_microseconds(store, count) -> float:
    run = store.create_run(Settings())
    start = time.perf_counter()
    for position in range(count):
        store.append(run, position, [TrainSamples(1)])
    return (time.perf_counter() - start) / count * 1e6


def record_run(stores, mnist, epochs, report):
    """Train `epochs` epochs, logging every click to each store and snapshotting by the policy."""
    trainer = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    runs = {name: store.create_run(trainer.settings) for name, store in stores.items()}
    position, since_snapshot, snapshot_seconds, snapshots, keyframe_at = 0, 0, 0.0, 0, 0
    while trainer.epoch < epochs:
        trainer.train(CLICK)
        for name, store in stores.items():
            store.append(runs[name], position, [TrainSamples(CLICK)])
        position, since_snapshot = position + 1, since_snapshot + CLICK
        if trainer.step_count - keyframe_at >= STORED_KEYFRAME_EVERY:  # LiveRun's policy for time travel
            keyframe_at = trainer.step_count
            for name, store in stores.items():
                store.put_keyframe(runs[name], keyframe_at, keyframe_bytes(Keyframe.of(trainer, keyframe_at, position)))
        if snapshot_due(since_snapshot):
            start = time.perf_counter()
            blob = snapshot_bytes(trainer)
            snapshot_seconds += time.perf_counter() - start
            snapshots += 1
            for name, store in stores.items():
                store.put_snapshot(runs[name], position, blob)
            since_snapshot = 0
        if trainer.index == 0:
            report(trainer.epoch, {name: store.run_sizes()[runs[name]] for name, store in stores.items()}, len(blob))
    print(f"  writing a snapshot (snapshot_bytes): {1000 * snapshot_seconds / snapshots:.0f} ms each, {snapshots} written")
    return trainer, runs


def restore_milliseconds(store, run, mnist) -> tuple[float, Trainer]:
    """Opening a link: the latest snapshot and the events after it, then the run's timeline (log and keyframes)."""
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    start = time.perf_counter()
    position, blob = store.latest_snapshot(run)
    trainer = apply_events(trainer_from_snapshot(blob, *data), store.events_since(run, position))
    timeline, _ = timeline_from_store(store, run, data)
    assert timeline.length == trainer.step_count
    return 1000 * (time.perf_counter() - start), trainer


def browser_open_milliseconds(store_path, run, steps, opens) -> tuple[list[float], list[float]]:
    """Link opened -> Train screen showing the run at `steps`, and the same for a fresh run, in ms each."""
    from playwright.sync_api import sync_playwright

    from deploy.browser import launch_chromium
    from deploy.processes import StreamlitProcess

    shown = """step => [...document.querySelectorAll('h4')].some(h => h.innerText.startsWith(`Step ${step} ·`))
                      && !document.querySelector('[data-stale="true"]')"""
    timings = {"run": [], "fresh": []}
    with StreamlitProcess(env={"BACKPROP_STORE": str(store_path)}) as app, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for attempt in range(opens + 1):  # the first of each is a warm-up, not counted
            for kind, link, step in (("run", f"/train?run={run}", steps), ("fresh", "/train", 0)):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                start = time.perf_counter()
                page.goto(app.url + link)
                page.wait_for_function(shown, arg=f"{step:,}", timeout=120_000)
                if attempt:
                    timings[kind].append(1000 * (time.perf_counter() - start))
                context.close()
        browser.close()
    return timings["run"], timings["fresh"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--appends", type=int, default=500)
    parser.add_argument("--browser", action="store_true", help="also time opening the run's link in chromium")
    parser.add_argument("--opens", type=int, default=5, help="link openings timed in the browser (default 5)")
    args = parser.parse_args()
    mnist = load_mnist()
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        stores = {"SQLite": RunStore(Path(folder) / "runs.sqlite3")}
        if postgres_programs() is None:
            print("note: PostgreSQL is not installed; only SQLite is measured")
        else:
            server = stack.enter_context(temporary_server())
            stores["PostgreSQL"] = RunStore(create_database(server, f"bench_{uuid.uuid4().hex}"))
        for name, store in stores.items():
            print(f"append one tiny event, {name}: {append_microseconds(store, args.appends):.0f} µs")
        print(f"a run trained in clicks of {CLICK:,} samples, snapshot every {SNAPSHOT_EVERY:,} samples (one kept):")

        def report(epoch, sizes, snapshot):
            if epoch in (1, args.epochs):
                figures = ", ".join(f"{name} {size / 1000:,.0f} kB" for name, size in sizes.items())
                print(f"  after epoch {epoch}: {figures} (the snapshot is {snapshot / 1000:,.0f} kB)")

        live, runs = record_run(stores, mnist, args.epochs, report)
        for name, store in stores.items():
            milliseconds, restored = restore_milliseconds(store, runs[name], mnist)
            assert (restored.params.W1 == live.params.W1).all()
            print(f"restore at the end of epoch {args.epochs}, {name}: {milliseconds:.0f} ms (snapshot at the end)")
        start = time.perf_counter()
        apply_events(restored, [TrainSamples(SNAPSHOT_EVERY - 1)])
        print(f"  worst case adds the replay of {SNAPSHOT_EVERY - 1:,} samples: {1000 * (time.perf_counter() - start):.0f} ms")
        if args.browser:
            stores["SQLite"].close()
            run_ms, fresh_ms = browser_open_milliseconds(Path(folder) / "runs.sqlite3", runs["SQLite"],
                                                         live.step_count, args.opens)
            print(f"browser, link opened -> Train screen showing the run at step {live.step_count:,} (SQLite): "
                  f"median {statistics.median(run_ms):.0f} ms, max {max(run_ms):.0f} ms over {len(run_ms)}")
            print(f"browser, the same for a link without a run (a fresh run): median {statistics.median(fresh_ms):.0f} ms"
                  f" (restoring adds {statistics.median(run_ms) - statistics.median(fresh_ms):+.0f} ms)")
        for store in stores.values():
            store.close()


if __name__ == "__main__":
    main()
