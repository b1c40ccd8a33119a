"""core/record/checkpoints.py: a saved run continues exactly; every bad upload is refused with a clear message."""

import io
import pathlib
import pickle
import zipfile

import numpy as np
import pytest
from PIL import Image

from core.record import checkpoints
from core.record.checkpoints import (
    CHECKPOINT_VERSION,
    MAX_CHECKPOINT_BYTES,
    CheckpointError,
    checkpoint_filename,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
)
from core.training.settings import Settings
from core.training.trainer import Trainer
from locales.words import said
from tests.saying import raises_saying

# The round trip goes past the end of the first epoch, so the history holds a finished epoch too.
ROUND_TRIP_STEPS = 60_250
STEPS = 2_000


@pytest.fixture(scope="module")
def data(mnist):
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


@pytest.fixture(scope="module")
def current(data):
    """The learner's current model, which no bad upload may change."""
    trainer = Trainer(Settings(), *data)
    trainer.train(STEPS)
    return trainer


@pytest.fixture(scope="module")
def saved(current):
    return save_checkpoint(current)


def states_equal(first, second):
    assert first.keys() == second.keys()
    for key in first:
        np.testing.assert_array_equal(np.asarray(first[key]), np.asarray(second[key]), err_msg=key)


def npz_bytes(arrays, compressed=True):
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def edited(saved, changes=None, drop=()):
    """The saved checkpoint with some entries replaced, added or removed."""
    with np.load(io.BytesIO(saved), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files if key not in drop}
    arrays.update(changes or {})
    return npz_bytes(arrays)


def test_round_trip_continues_exactly(data):
    original = Trainer(Settings(rule="cross-entropy", hidden=7, seed=3, learning_rate=0.02), *data)
    original.train(ROUND_TRIP_STEPS)
    restored = load_checkpoint(save_checkpoint(original), *data)
    states_equal(original.state_dict(), restored.state_dict())
    assert restored.settings == original.settings
    original.train(100)
    restored.train(100)
    for before, after in zip(original.params.as_tuple(), restored.params.as_tuple()):
        np.testing.assert_array_equal(before, after)
    states_equal(original.state_dict(), restored.state_dict())
    np.testing.assert_array_equal(original.history.last_active, restored.history.last_active)
    for curve in ("loss_curve", "accuracy_curve"):
        for a, b in zip(getattr(original.history, curve)(), getattr(restored.history, curve)()):
            np.testing.assert_array_equal(a, b)
    assert original.history.epochs == restored.history.epochs
    assert original.evaluate() == restored.evaluate()


def test_checkpoint_is_an_npz_without_objects(saved, current):
    with np.load(io.BytesIO(saved), allow_pickle=False) as npz:
        assert str(npz["checkpoint.format"]) == "backprop-lab-checkpoint"
        assert int(npz["checkpoint.version"]) == CHECKPOINT_VERSION == 3
        assert not any(npz[key].dtype.hasobject for key in npz.files)
    assert len(saved) < MAX_CHECKPOINT_BYTES
    assert checkpoint_filename(current) == f"backprop-lab-h10-document-step{STEPS}.npz"


class Exploit:
    """Unpickling this creates a file: the proof that nothing was unpickled is that it does not exist."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def refused(content, data, current, match):
    """Load `content` as the page would; check it is refused with a message matching `match`.

    That the learner's own model is kept is the page's business: tests/test_pages.py checks the session.
    """
    with raises_saying(CheckpointError, match) as error:
        load_checkpoint(content, *data)
    return said(error.value)


def test_plain_pickle_is_never_unpickled(data, current, tmp_path):
    marker = tmp_path / "unpickled"
    content = pickle.dumps({"params.W1": Exploit(str(marker))})
    refused(content, data, current, "pickled Python object, which is never loaded for safety")
    assert not marker.exists()


def test_npz_holding_a_pickled_object_is_never_unpickled(saved, data, current, tmp_path):
    marker = tmp_path / "unpickled"
    extra = edited(saved, {"extra": np.array([{"a": 1}], dtype=object)})
    refused(extra, data, current, r"pickled Python object \(in 'extra'\), which is never loaded")
    exploit = np.empty(1, dtype=object)
    exploit[0] = Exploit(str(marker))
    replaced = edited(saved, {"params.W1": exploit})
    refused(replaced, data, current, r"pickled Python object \(in 'params.W1'\)")
    assert not marker.exists()


@pytest.mark.parametrize("keep", [0.5, 0.98])
def test_truncated_checkpoint(saved, data, current, keep):
    message = refused(saved[: int(len(saved) * keep)], data, current, "damaged or incomplete archive")
    assert message.startswith("This file is not a Backprop Lab checkpoint")


def test_renamed_png(data, current):
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((28, 28), dtype=np.uint8)).save(buffer, format="PNG")
    refused(buffer.getvalue(), data, current, "not a Backprop Lab checkpoint: it looks like a PNG image")


def test_random_bytes(data, current):
    noise = np.random.default_rng(0).bytes(5000)
    refused(noise, data, current, "not a Backprop Lab checkpoint")
    refused(b"PK\x03\x04" + noise, data, current, "damaged or incomplete archive")


def test_empty_file(data, current):
    refused(b"", data, current, "the file is empty")


def test_oversize_file_is_refused_before_parsing(saved, data, current, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("an oversize upload must not be parsed")

    monkeypatch.setattr(checkpoints.zipfile, "ZipFile", never)
    monkeypatch.setattr(checkpoints.np, "load", never)
    oversize = saved + bytes(MAX_CHECKPOINT_BYTES)
    refused(oversize, data, current, "at most 20 MB")


def test_npz_that_backprop_lab_did_not_write(data, current):
    refused(npz_bytes({"W1": np.zeros((784, 10))}), data, current, "not one Backprop Lab wrote")


def test_newer_format_version(saved, data, current):
    refused(edited(saved, {"checkpoint.version": np.array(4)}), data, current, "format version 4; this Backprop Lab reads versions 1 to 3")


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"params.W1": np.zeros((784, 7))}, r"W1 has shape \(784, 7\) but b1 has 10 entries"),
        ({"params.W1": np.zeros((700, 10))}, r"W1 has shape \(700, 10\), not \(784, h\)"),
        ({"params.W2": np.zeros((10, 9))}, r"W2 has shape \(10, 9\), not \(10, 10\)"),
        ({"initial.b2": np.zeros(9)}, "the initial b2 has 9 entries, not 10"),
        ({"params.W1": np.zeros((784, 10), dtype=np.int64)}, "W1 holds int64 values"),
        ({"history.bins.sums": np.zeros((5, 7))}, r"history.bins.sums has shape \(5, 7\)"),
        ({"snapshots.W1": np.zeros((3, 784, 9), dtype=np.float32)}, "a saved snapshot of W1 has shape"),
    ],
    ids=["W1 vs b1", "W1 rows", "W2", "initial b2", "integer W1", "history", "snapshot"],
)
def test_wrong_shapes_and_dtypes(saved, data, current, changes, match):
    refused(edited(saved, changes), data, current, match)


def test_a_different_hidden_size_throughout_is_checked_against_the_settings(data, current):
    other = Trainer(Settings(hidden=12), *data)
    content = save_checkpoint(other)
    refused(edited(content, {"settings.hidden": np.array(10)}), data, current, "W1 has 12 hidden units but the settings say 10")


@pytest.mark.parametrize(
    "key, value, problem",
    [("params.W1", np.nan, "W1 contains NaN"), ("params.b2", np.inf, "b2 contains infinite values"),
     ("snapshots.W2", np.nan, "a saved snapshot of W2 contains NaN"),
     ("history.bins.sums", np.inf, "history.bins.sums contains infinite values")],
)
def test_non_finite_values(saved, data, current, key, value, problem):
    array = read_checkpoint(saved)[key].copy()
    array.flat[array.size // 2] = value
    refused(edited(saved, {key: array}), data, current, problem)


@pytest.mark.parametrize("key", ["params.W2", "initial.W1", "history.bins.sums", "snapshots.steps", "epoch", "settings.rule"])
def test_missing_key(saved, data, current, key):
    refused(edited(saved, drop=(key,)), data, current, "missing")


def test_unexpected_key(saved, data, current):
    refused(edited(saved, {"params.W3": np.zeros(3)}), data, current, "entries Backprop Lab does not write: params.W3")


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"settings.rule": np.array("magic")}, "rule='magic' is not one of document, mse, cross-entropy"),
        ({"settings.init": np.array("zeros")}, "init='zeros' is not one of"),
        ({"settings.learning_rate": np.array(1e9)}, r"lr=1000000000.0 is outside 1e-05..100"),
        ({"settings.hidden": np.array(65)}, "hidden=65 is outside 1..64"),
        ({"settings.seed": np.array(1.5)}, "the setting 'seed' is not a whole number"),
        ({"settings.rule": np.array(3)}, "the setting 'rule' is not text"),
    ],
    ids=["unknown rule", "unknown init", "learning rate", "hidden", "seed", "rule type"],
)
def test_bad_settings(saved, data, current, changes, match):
    refused(edited(saved, changes), data, current, match)


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"index": np.array(60_000)}, "position .* is impossible"),
        ({"step_count": np.array(5)}, r"position \(5 steps, epoch 0, sample 2000 of 60000\) is impossible"),
        ({"epoch": np.array(2**40)}, "position .* is impossible"),
        ({"history.bins.width": np.array(0)}, r"history's bins \(width 0 for 2000 steps\)"),
        ({"history.bins.width": np.array(2**62)}, "history's bins .* are not ones training makes"),
        ({"history.bins.counts": None}, "bin counts do not add up"),
        ({"history.epoch_totals": np.array([5.0, 9.0, 1.0])}, "totals for the current epoch"),
        ({"history.last_active": np.full(10, 10**6)}, "last active steps"),
        ({"snapshots.steps": None}, "snapshots' steps are not ones training takes"),
        ({"snapshots.next_step": np.array(10**9)}, "snapshots' steps are not ones training takes"),
        ({"stopped_reason": np.array("Training stopped [click](http://example.invalid)")}, "note on why training stopped"),
    ],
    ids=["index", "steps", "epoch", "history width 0", "history width 2**62", "bin counts", "epoch totals",
         "last active", "snapshot steps", "next snapshot", "stop note"],
)
def test_inconsistent_bookkeeping(saved, data, current, changes, match):
    if "snapshots.steps" in changes:  # the first snapshot is always the initial one, at step 0
        changes = {"snapshots.steps": read_checkpoint(saved)["snapshots.steps"] + 1}
    if "history.bins.counts" in changes:  # the right total, spread over the bins as training never does
        counts = read_checkpoint(saved)["history.bins.counts"].copy()
        counts[0], counts[1] = counts[0] + 1, counts[1] - 1
        changes = {"history.bins.counts": counts}
    refused(edited(saved, changes), data, current, match)


def test_a_version_1_checkpoint_still_loads(saved, data, current):
    """Version 1 kept the last 1,000 losses and no last-active steps; such a file loads and continues."""
    old = edited(saved, {"checkpoint.version": np.array(1), "history.recent_losses": np.ones(1000)},
                 drop=("history.last_active", "drawings"))
    restored = load_checkpoint(old, *data)
    assert restored.step_count == current.step_count
    np.testing.assert_array_equal(restored.params.W1, current.params.W1)
    np.testing.assert_array_equal(restored.history.last_active, 0)
    assert restored.step() is not None


def test_drawings_travel_with_the_checkpoint_and_name_it(data):
    """A step on a drawing is a step: the file name and the restored step count include it, the samples stay apart."""
    trainer = Trainer(Settings(hidden=7, seed=3), *data)
    trainer.train(5)
    drawn = np.zeros((28, 28), dtype=np.uint8)
    drawn[8:20, 12:16] = 255
    assert trainer.step_on(drawn, 1).step == 6
    trainer.train(2)
    restored = load_checkpoint(save_checkpoint(trainer), *data)
    assert (restored.step_count, restored.drawings, restored.sgd_steps) == (7, 1, 8)
    assert checkpoint_filename(trainer).endswith("-step8.npz")
    assert restored.step().step == 9


def test_a_version_2_checkpoint_counts_no_drawings(saved, data, current):
    """Before version 3 drawings were not counted: such a file loads with its samples as its step count."""
    restored = load_checkpoint(edited(saved, {"checkpoint.version": np.array(2)}, drop=("drawings",)), *data)
    assert (restored.drawings, restored.sgd_steps) == (0, current.step_count)


def test_training_set_of_another_size(saved, data, current):
    train_images, train_labels, test_images, test_labels = data
    with raises_saying(CheckpointError, "trained on 60,000 training images; this app has 1,000"):
        load_checkpoint(saved, train_images[:1000], train_labels[:1000], test_images, test_labels)


def test_zip_bomb_is_refused_before_unpacking(data, current):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("big.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(member, {"descr": "|u1", "fortran_order": False, "shape": (80 * 2**20,)})
            chunk = bytes(2**20)
            for _ in range(80):
                member.write(chunk)
    assert len(buffer.getvalue()) < MAX_CHECKPOINT_BYTES
    refused(buffer.getvalue(), data, current, "would unpack to more than 24 MB")


def test_array_header_that_claims_more_data_than_it_holds(data, current):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        with archive.open("params.W1.npy", "w") as member:
            np.lib.format.write_array_header_1_0(member, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
            member.write(bytes(64))
    refused(buffer.getvalue(), data, current, "claims 8000000000 bytes")


def test_a_stopped_run_stays_stopped(data):
    diverged = Trainer(Settings(learning_rate=1e200, init="he"), *data)
    diverged.train(10)
    assert diverged.stopped_reason.startswith("Training stopped at step 2")
    # Within the allowed α (at most 100) divergence takes long to provoke, so a valid run gets the
    # note the trainer itself wrote for the diverged one.
    trainer = Trainer(Settings(learning_rate=100.0), *data)
    trainer.train(1)
    trainer.stopped_reason = diverged.stopped_reason
    restored = load_checkpoint(save_checkpoint(trainer), *data)
    assert restored.stopped_reason == trainer.stopped_reason
    assert restored.step() is None
