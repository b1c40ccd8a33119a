"""Checkpoints: download the whole training run as one .npz file, upload it later to continue.

A checkpoint is everything Trainer.state_dict() gives (parameters, initial parameters, settings,
position in the data, history, trajectory points) plus a format marker and version, written with
np.savez_compressed. Loading it continues the run exactly: the next steps are the ones the saved
trainer would have taken.

An upload can be anything, so load_checkpoint() trusts nothing, in this order: the size (before any
parsing); the zip archive and each array's header, read within a fixed memory budget by
core/record/npz_reading.py (object arrays, which would need unpickling, are refused from their header);
the marker and version; the settings against core/training/settings.py's ranges; the keys, dtypes and
shapes against a fresh trainer's state; finite values; then Trainer.from_state, where the trainer,
its history and its trajectory points each check that their own bookkeeping adds up. Every failure is a
CheckpointError whose message says, in plain words, what is wrong with the file. The caller's
current trainer is never touched: a new Trainer is built and returned.

Left out on purpose: the MNIST images (the caller passes its own arrays) and any code or pickle.
"""

import io
import zipfile
from dataclasses import fields

import numpy as np

from core.model.network import INPUTS, CLASSES, PARAMETER_NAMES
from core.record.npz_reading import NotPlainArrays, PickledArray, SizesDisagree, read_npz
from core.training.settings import CHOICES, NUMERIC_RANGES, Settings, validation_errors
from core.training.trajectory import MAX_TRAJECTORY_POINTS
from core.training.trainer import STATE_FORMAT, Trainer
from core.reasons import Reason, Refusal

CHECKPOINT_FORMAT = "backprop-lab-checkpoint"
CHECKPOINT_VERSION = 3  # 2 added history.last_active and dropped history.recent_losses; 3 added drawings
READABLE_VERSIONS = (1, 2, 3)
MAX_CHECKPOINT_BYTES = 20 * 2**20
# A checkpoint unpacks to about 11 MB at most (h = 64, 48 float32 trajectory points), 21 MB if a
# diverged run's points had to be float64; reading never holds more than this.
MAX_UNPACKED_BYTES = 24 * 2**20
MAX_ENTRIES = 100
MAX_EPOCHS = 100_000
MARKER_KEYS = ("checkpoint.format", "checkpoint.version")

# Entries whose first axis grows with training (at most this long); every other axis is fixed.
GROWING = {
    "history.epochs": MAX_EPOCHS,
    "snapshots.steps": MAX_TRAJECTORY_POINTS,
    **{f"snapshots.{name}": MAX_TRAJECTORY_POINTS for name in PARAMETER_NAMES},
}

# The first bytes of files a learner might upload by mistake, to say what the file seems to be.
KNOWN_FILES = (
    (b"\x89PNG", "checkpoint.looks_png"),
    (b"\xff\xd8\xff", "checkpoint.looks_jpeg"),
    (b"GIF8", "checkpoint.looks_gif"),
    (b"%PDF", "checkpoint.looks_pdf"),
    (b"\x1f\x8b", "checkpoint.looks_gzip"),
    (b"\x93NUMPY", "checkpoint.looks_npy"),
    (b"\x80", "checkpoint.looks_pickle"),
)


class CheckpointError(Refusal):
    """An uploaded checkpoint that cannot be loaded; its reason explains why to the learner."""


def save_checkpoint(trainer) -> bytes:
    """The trainer's whole state as the bytes of a compressed .npz file (no pickled objects)."""
    return checkpoint_bytes(trainer.state_dict())


def checkpoint_bytes(state: dict) -> bytes:
    """A Trainer.state_dict() as a checkpoint's bytes (the compression can then run away from the trainer)."""
    state = dict(state)
    state["checkpoint.format"] = CHECKPOINT_FORMAT
    state["checkpoint.version"] = CHECKPOINT_VERSION
    buffer = io.BytesIO()
    np.savez_compressed(buffer, allow_pickle=False, **state)
    return buffer.getvalue()


def checkpoint_filename(trainer) -> str:
    """A descriptive download name, e.g. backprop-lab-h10-document-step60000.npz."""
    rule = trainer.settings.rule.replace(" ", "-")
    return f"backprop-lab-h{trainer.settings.hidden}-{rule}-step{trainer.sgd_steps}.npz"


def load_checkpoint(content: bytes, train_images, train_labels, test_images, test_labels) -> Trainer:
    """A new Trainer in the checkpoint's exact state, or CheckpointError saying what is wrong."""
    state = read_checkpoint(content)
    _check_against_data(state, len(train_images))
    try:
        return Trainer.from_state(state, train_images, train_labels, test_images, test_labels)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise _damaged(Reason("checkpoint.sentence", error=error)) from error


def read_checkpoint(content: bytes) -> dict:
    """The checkpoint's state dict, checked in full (everything but the training-set size)."""
    _check_size(content)
    arrays = _unpack(content)
    _check_marker(arrays)
    state = {key: value for key, value in arrays.items() if key not in MARKER_KEYS}
    settings = _settings(state)
    _check_parameters(state, settings.hidden)
    version = int(arrays["checkpoint.version"])
    if version == 1:
        _upgrade_from_version_1(state, settings.hidden)
    if version < 3:
        state["drawings"] = np.int64(0)  # not counted before version 3: the step count shown is the samples
    _check_layout(state, settings)
    _check_finite(state)
    _check_position(state)
    return state


def _upgrade_from_version_1(state, hidden):
    """Version 1 kept the last 1,000 losses (never shown) and no record of when each unit last fired."""
    state.pop("history.recent_losses", None)
    state["history.last_active"] = np.zeros(hidden, dtype=np.int64)


# --- the file ------------------------------------------------------------------------------------


def _check_size(content):
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise _not_a_checkpoint(Reason("checkpoint.not_bytes", kind=type(content).__name__))
    size = len(content)
    if size == 0:
        raise _not_a_checkpoint(Reason("checkpoint.empty"))
    if size > MAX_CHECKPOINT_BYTES:
        raise CheckpointError("checkpoint.too_large", size=size / 2**20, most=MAX_CHECKPOINT_BYTES / 2**20)


def _unpack(content) -> dict:
    """Every array of the .npz archive, read within MAX_UNPACKED_BYTES; nothing is ever unpickled."""
    content = bytes(content)
    if not content.startswith(b"PK"):
        kind = next((name for magic, name in KNOWN_FILES if content.startswith(magic)), None)
        raise _not_a_checkpoint(Reason(kind or "checkpoint.not_npz"))
    try:
        return read_npz(content, MAX_ENTRIES, MAX_UNPACKED_BYTES)
    except PickledArray as error:
        raise CheckpointError(_pickled(error.key)) from error
    except NotPlainArrays as error:
        raise _not_a_checkpoint(error.reason) from error
    except SizesDisagree as error:
        raise _damaged(error.reason) from error
    except zipfile.BadZipFile as error:
        raise _not_a_checkpoint(_damaged_archive(error)) from error
    except Exception as error:  # untrusted bytes: any other failure of zipfile, zlib or numpy means damage
        raise _not_a_checkpoint(_damaged_archive(error)) from error


def _pickled(key=None) -> Reason:
    return Reason("checkpoint.pickled_in", key=repr(key)) if key else Reason("checkpoint.pickled")


def _damaged_archive(error) -> Reason:
    return Reason("checkpoint.damaged_archive", kind=type(error).__name__, error=error)


def _check_marker(arrays):
    if "checkpoint.format" not in arrays or _text(arrays["checkpoint.format"]) != CHECKPOINT_FORMAT:
        raise _not_a_checkpoint(Reason("checkpoint.no_marker"))
    version = arrays.get("checkpoint.version")
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise _damaged(Reason("checkpoint.no_version"))
    if int(version) not in READABLE_VERSIONS:
        raise CheckpointError("checkpoint.version", version=int(version), first=READABLE_VERSIONS[0],
                              last=READABLE_VERSIONS[-1])
    if "format" not in arrays or _text(arrays["format"]) != STATE_FORMAT:
        raise _damaged(Reason("checkpoint.state_kind", format=STATE_FORMAT))


# --- the contents --------------------------------------------------------------------------------


def _settings(state) -> Settings:
    """Settings from the settings.* entries, checked against core/training/settings.py's ranges."""
    defaults = Settings()
    choices = {name for name, _allowed in CHOICES.values()}
    values = {}
    for name in (field.name for field in fields(Settings)):
        key = f"settings.{name}"
        if key not in state:
            raise _damaged(Reason("checkpoint.setting_missing", name=repr(name)))
        value = state[key]
        if value.shape != ():
            raise _damaged(Reason("checkpoint.setting_shape", name=repr(name), shape=value.shape))
        if name in choices:
            if value.dtype.kind != "U":
                raise _damaged(Reason("checkpoint.setting_not_text", name=repr(name)))
            values[name] = str(value)
        elif isinstance(getattr(defaults, name), int):
            if value.dtype.kind not in "iu":
                raise _damaged(Reason("checkpoint.setting_not_whole", name=repr(name)))
            values[name] = int(value)
        else:
            if value.dtype.kind not in "iuf":
                raise _damaged(Reason("checkpoint.setting_not_number", name=repr(name)))
            values[name] = float(value)
    settings = Settings(**values)
    errors = validation_errors(settings)
    if errors:
        raise CheckpointError("checkpoint.settings_outside", errors=errors)
    return settings


def _check_parameters(state, hidden):
    """W1 (784, h), b1 (h,), W2 (h, 10), b2 (10,) for the parameters and the initial parameters."""
    low, high = NUMERIC_RANGES["hidden"][1:]
    for prefix in ("params", "initial"):
        missing = [name for name in PARAMETER_NAMES if f"{prefix}.{name}" not in state]
        if missing:
            raise _damaged(Reason("checkpoint.missing", what=_describe(f"{prefix}.{', '.join(missing)}")))
        W1, b1, W2, b2 = (state[f"{prefix}.{name}"] for name in PARAMETER_NAMES)
        first = _describe(f"{prefix}.W1")
        for name, array in zip(PARAMETER_NAMES, (W1, b1, W2, b2)):
            if array.dtype.kind != "f":
                raise _damaged(Reason("checkpoint.not_floats", what=_describe(f"{prefix}.{name}"), dtype=array.dtype))
        if W1.ndim != 2 or W1.shape[0] != INPUTS:
            raise _damaged(Reason("checkpoint.W1_shape", what=first, shape=W1.shape, inputs=INPUTS))
        h = W1.shape[1]
        if not low <= h <= high:
            raise _damaged(Reason("checkpoint.hidden_range", what=first, h=h, low=low, high=high))
        if b1.shape != (h,):
            raise _damaged(Reason("checkpoint.b1_shape", what=first, shape=W1.shape, entries=_entries(b1)))
        if W2.shape != (h, CLASSES):
            raise _damaged(Reason("checkpoint.W2_shape", what=first, shape=W1.shape, W2_shape=W2.shape, h=h,
                                  classes=CLASSES))
        if b2.shape != (CLASSES,):
            raise _damaged(Reason("checkpoint.b2_shape", what=_describe(f"{prefix}.b2"), entries=_entries(b2),
                                  classes=CLASSES))
        if h != hidden:
            raise _damaged(Reason("checkpoint.hidden_differs", what=first, h=h, hidden=hidden))


def _check_layout(state, settings):
    """The same keys, dtype kinds and shapes as a fresh trainer with these settings would save."""
    reference = _reference_state(settings)
    missing = sorted(set(reference) - set(state))
    if missing:
        raise _damaged(Reason("checkpoint.missing_entries", entries=", ".join(missing)))
    unexpected = sorted(set(state) - set(reference))
    if unexpected:
        raise _damaged(Reason("checkpoint.unexpected_entries", entries=", ".join(unexpected[:5])))
    for key, expected in reference.items():
        expected = np.asarray(expected)
        actual = state[key]
        if not _same_kind(actual.dtype, expected.dtype):
            raise _damaged(Reason("checkpoint.dtype", what=_describe(key), dtype=actual.dtype,
                                  kind=_kind_name(expected.dtype)))
        if key in GROWING:
            if actual.ndim != expected.ndim or actual.shape[1:] != expected.shape[1:] or actual.shape[0] > GROWING[key]:
                raise _damaged(Reason("checkpoint.growing_shape", what=_describe(key), shape=actual.shape))
        elif actual.shape != expected.shape:
            raise _damaged(Reason("checkpoint.shape", what=_describe(key), shape=actual.shape, expected=expected.shape))


def _reference_state(settings) -> dict:
    """The state a trainer with these settings has before training (one tiny fake image suffices)."""
    image = np.zeros((1, 28, 28), dtype=np.uint8)
    label = np.zeros(1, dtype=np.uint8)
    return Trainer(settings, image, label, image, label).state_dict()


def _check_finite(state):
    for key, value in state.items():
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            problem = Reason("checkpoint.nan" if np.isnan(value).any() else "checkpoint.infinite")
            raise CheckpointError("checkpoint.not_finite", what=_describe(key), problem=problem)


def _check_position(state):
    """The epoch is within what any run reaches; the rest of the bookkeeping is checked by Trainer.from_state."""
    epoch, size = int(state["epoch"]), int(state["training_size"])
    if size < 1 or not 0 <= epoch <= MAX_EPOCHS:
        raise _damaged(Reason("checkpoint.position", epoch=epoch, size=size))


def _check_against_data(state, training_size):
    saved = int(state["training_size"])
    if saved != training_size:
        raise CheckpointError("checkpoint.training_size", saved=saved, size=training_size)


# --- small helpers -------------------------------------------------------------------------------


def _damaged(explanation: Reason) -> CheckpointError:
    return CheckpointError("checkpoint.damaged", explanation=explanation)


def _not_a_checkpoint(explanation: Reason) -> CheckpointError:
    return CheckpointError("checkpoint.not_a_checkpoint", explanation=explanation)


def _text(value) -> str:
    return str(value) if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind == "U" else ""


def _entries(array) -> Reason:
    if array.ndim == 1:
        return Reason("checkpoint.entries", n=array.size)
    return Reason("checkpoint.entries_shape", shape=array.shape)


def _same_kind(actual, expected) -> bool:
    if expected.kind == "f":
        return actual.kind == "f"
    if expected.kind in "iu":
        return actual.kind in "iu"
    return actual.kind == expected.kind


def _kind_name(dtype) -> Reason | str:
    names = {"f": "checkpoint.kind_floats", "i": "checkpoint.kind_whole", "u": "checkpoint.kind_whole",
             "U": "checkpoint.kind_text"}
    return Reason(names[dtype.kind]) if dtype.kind in names else str(dtype)


def _describe(key) -> Reason | str:
    """A learner's name for a state entry: params.W1 -> W1, initial.W1 -> the initial W1, ..."""
    prefix, _dot, name = key.partition(".")
    if prefix == "params":
        return name
    if prefix == "initial":
        return Reason("checkpoint.initial", name=name)
    if prefix == "snapshots" and name in PARAMETER_NAMES:
        return Reason("checkpoint.snapshot_of", name=name)
    return key
