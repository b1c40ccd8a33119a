"""A run's log: the events that were done to a trainer, their JSON form, and the one function that replays them.

A run is its settings plus this append-only log. The parameters at any position are a pure
function of the log, apply_events(), which drives the same Trainer methods live training uses
(train, step_on, both through network.sgd_step), so replaying a log from the seed gives the
parameters bit for bit. Snapshots are caches of that function: snapshot_bytes() saves a trainer's
whole state in the checkpoint format, and trainer_from_snapshot() reads it back through the
checkpoint loader, which trusts nothing.

Events arrive from a store that may have been edited by hand, so event_from_dict() checks every
field and raises ValueError saying what is wrong; an event object cannot be built invalid.

An answer event (LabAnswer) keeps a prediction a learner made in a lab with the run; it trains
nothing, so replay passes over it.

Left out on purpose: where events are kept (runs/), and when a screen appends them.
"""

import base64
import binascii
import hashlib
import re
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from core.record.checkpoints import load_checkpoint, save_checkpoint
from core.model.network import CLASSES, INPUTS
from core.training.settings import DEFAULTS, Settings, validation_errors
from core.reasons import Refusal

MAX_TRAIN_SAMPLES = 6_000_000  # 100 epochs in one event: far beyond any button
CHANGEABLE = ("learning_rate", "decay_period", "decay_factor", "rule")  # the settings that keep the shapes
SNAPSHOT_EVERY = 5_000  # samples trained since the last snapshot after which the next one is due


@dataclass(frozen=True)
class TrainSamples:
    """Train the next n samples of the training set (Trainer.train(n))."""

    n: int

    def __post_init__(self):
        if not (_is_whole(self.n) and 1 <= self.n <= MAX_TRAIN_SAMPLES):
            raise ValueError(f"a train event needs a whole number of samples 1..{MAX_TRAIN_SAMPLES:,}, not {self.n!r}")


@dataclass(frozen=True)
class StepOnImage:
    """One SGD step on a given 28x28 image with a label (Trainer.step_on); `pixels` are its 784 bytes."""

    pixels: bytes
    label: int

    def __post_init__(self):
        if not isinstance(self.pixels, bytes) or len(self.pixels) != INPUTS:
            size = len(self.pixels) if isinstance(self.pixels, (bytes, bytearray)) else type(self.pixels).__name__
            raise ValueError(f"an image event needs {INPUTS} pixel bytes (28x28), not {size}")
        if not (_is_whole(self.label) and 0 <= self.label < CLASSES):
            raise ValueError(f"an image event needs a label 0..9, not {self.label!r}")

    @classmethod
    def of(cls, image, label) -> "StepOnImage":
        """The event for a uint8 image of shape (28, 28) or (784,)."""
        image = np.asarray(image)
        if image.dtype != np.uint8 or image.shape not in ((28, 28), (INPUTS,)):
            raise ValueError(f"an image event needs 28x28 uint8 pixels, not {image.dtype} of shape {image.shape}")
        return cls(image.tobytes(), int(label) if _is_whole(label) else label)

    @property
    def image(self) -> np.ndarray:
        """The image as a read-only (28, 28) uint8 array."""
        return np.frombuffer(self.pixels, dtype=np.uint8).reshape(28, 28)


@dataclass(frozen=True)
class SettingsChanged:
    """From here on, train with these settings (a subset of CHANGEABLE, as (name, value) pairs)."""

    changes: tuple

    def __post_init__(self):
        names = [name for name, _ in self.changes]
        unknown = [name for name in names if name not in CHANGEABLE]
        if not names or unknown or len(set(names)) != len(names):
            raise ValueError(f"a settings event changes one or more of {', '.join(CHANGEABLE)} once each, "
                             f"not {', '.join(map(repr, names)) or 'nothing'}")
        object.__setattr__(self, "changes", tuple(sorted((name, _setting(name, value)) for name, value in self.changes)))
        errors = validation_errors(replace(DEFAULTS, **dict(self.changes)))
        if errors:
            raise Refusal("events.invalid_settings", errors=errors)

    @classmethod
    def of(cls, **changes) -> "SettingsChanged":
        return cls(tuple(changes.items()))

    def applied_to(self, settings) -> Settings:
        return replace(settings, **dict(self.changes))


@dataclass(frozen=True)
class StartedFromCheckpoint:
    """The run starts from an uploaded checkpoint, named by the sha256 of its bytes (kept once, beside the log)."""

    sha256: str

    def __post_init__(self):
        if not (isinstance(self.sha256, str) and re.fullmatch(r"[0-9a-f]{64}", self.sha256)):
            raise ValueError(f"a checkpoint event needs a sha256 of 64 lowercase hex digits, not {str(self.sha256)[:80]!r}")

    @classmethod
    def of(cls, content: bytes) -> "StartedFromCheckpoint":
        return cls(hashlib.sha256(content).hexdigest())


MAX_ANSWER = 40  # characters of a recorded answer: a choice's code or a number as typed
SLUG = re.compile(r"[a-z0-9_]{1,40}")


@dataclass(frozen=True)
class LabAnswer:
    """A prediction the learner made in a lab (core/classwork/labs.py) and whether the run then proved it right; trains nothing.

    `given` is the learner's answer and `answer` the run's, each as text (a choice's code or a number).
    """

    lab: str
    question: str
    given: str
    answer: str
    right: bool

    def __post_init__(self):
        if not all(isinstance(name, str) and SLUG.fullmatch(name) for name in (self.lab, self.question)):
            raise ValueError(f"an answer event names its lab and question in [a-z0-9_], not {str(self.lab)[:40]!r}, "
                             f"{str(self.question)[:40]!r}")
        if not all(isinstance(text, str) and len(text) <= MAX_ANSWER and text.isprintable()
                   for text in (self.given, self.answer)):
            raise ValueError(f"an answer event's answers are printable text of at most {MAX_ANSWER} characters")
        if not isinstance(self.right, bool):
            raise ValueError("an answer event's 'right' is true or false")


Event = TrainSamples | StepOnImage | SettingsChanged | StartedFromCheckpoint | LabAnswer
KINDS = {"train": TrainSamples, "image": StepOnImage, "settings": SettingsChanged, "checkpoint": StartedFromCheckpoint,
         "answer": LabAnswer}


# --- the one function that replays a log ---------------------------------------------------------


def apply_events(trainer, events, checkpoints=None):
    """The trainer after `events`, in order: changed in place, or a new one when a checkpoint event starts it.

    An answer event changes nothing: it is what the learner predicted, kept with the run.
    `checkpoints` maps a checkpoint event's sha256 to the checkpoint's bytes. A train event on a
    trainer stopped by overflow trains nothing, as it did live.
    """
    for event in events:
        if isinstance(event, TrainSamples):
            trainer.train(event.n)
        elif isinstance(event, StepOnImage):
            trainer.step_on(event.image, event.label)
        elif isinstance(event, SettingsChanged):
            trainer.change_settings(event.applied_to(trainer.settings))
        elif isinstance(event, StartedFromCheckpoint):
            content = (checkpoints or {}).get(event.sha256)
            if content is None or hashlib.sha256(content).hexdigest() != event.sha256:
                raise Refusal("events.checkpoint_missing", sha=event.sha256[:12])
            trainer = load_checkpoint(content, *trainer.data)
        elif not isinstance(event, LabAnswer):
            raise TypeError(f"not a run event: {event!r}")
    return trainer


def samples_trained(events) -> int:
    """How many SGD steps `events` take (train events' n plus one per image event)."""
    return sum(event.n if isinstance(event, TrainSamples) else isinstance(event, StepOnImage) for event in events)


def snapshot_due(samples_since_snapshot) -> bool:
    """The snapshot policy: a new full state once SNAPSHOT_EVERY samples were trained since the last."""
    return samples_since_snapshot >= SNAPSHOT_EVERY


# --- JSON form -----------------------------------------------------------------------------------


def event_to_dict(event) -> dict:
    """A small JSON-able dict, e.g. {"kind": "train", "n": 100}; images as base64 of their 784 bytes."""
    if isinstance(event, TrainSamples):
        return {"kind": "train", "n": event.n}
    if isinstance(event, StepOnImage):
        return {"kind": "image", "image": base64.b64encode(event.pixels).decode("ascii"), "label": event.label}
    if isinstance(event, SettingsChanged):
        return {"kind": "settings", "changes": dict(event.changes)}
    if isinstance(event, StartedFromCheckpoint):
        return {"kind": "checkpoint", "sha256": event.sha256}
    if isinstance(event, LabAnswer):
        return {"kind": "answer", "lab": event.lab, "question": event.question, "given": event.given,
                "answer": event.answer, "right": event.right}
    raise TypeError(f"not a run event: {event!r}")


def event_from_dict(record) -> Event:
    """The event a dict from event_to_dict() describes; ValueError saying what is wrong with anything else."""
    if not isinstance(record, dict) or not isinstance(record.get("kind"), str):
        raise ValueError("an event must be a JSON object with a text field 'kind'")
    kind = record["kind"]
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind[:40]!r}; expected one of {', '.join(KINDS)}")
    expected = {"train": {"n"}, "image": {"image", "label"}, "settings": {"changes"}, "checkpoint": {"sha256"},
                "answer": {"lab", "question", "given", "answer", "right"}}[kind]
    if set(record) - {"kind"} != expected:
        raise ValueError(f"a {kind} event has the fields {', '.join(sorted(expected))}, "
                         f"not {', '.join(sorted(map(str, set(record) - {'kind'}))) or 'none'}")
    if kind == "train":
        return TrainSamples(record["n"])
    if kind == "image":
        return StepOnImage(_decode_pixels(record["image"]), record["label"])
    if kind == "settings":
        if not isinstance(record["changes"], dict):
            raise ValueError("a settings event's changes must be a JSON object")
        return SettingsChanged(tuple(record["changes"].items()))
    if kind == "answer":
        return LabAnswer(record["lab"], record["question"], record["given"], record["answer"], record["right"])
    return StartedFromCheckpoint(record["sha256"])


def _decode_pixels(text) -> bytes:
    if not isinstance(text, str) or len(text) > 2 * INPUTS:
        raise ValueError("an image event's image must be base64 text of 784 bytes")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as error:
        raise ValueError(f"an image event's image is not valid base64 ({error})") from None


def settings_to_dict(settings) -> dict:
    """A run's settings as a JSON-able dict."""
    return asdict(settings)


def settings_from_dict(record) -> Settings:
    """Settings from settings_to_dict()'s form; ValueError for missing, extra, mistyped or out-of-range values."""
    names = {field.name for field in fields(Settings)}
    if not isinstance(record, dict) or set(record) != names:
        raise ValueError(f"run settings must have exactly the fields {', '.join(sorted(names))}")
    settings = Settings(**{name: _setting(name, value) for name, value in record.items()})
    errors = validation_errors(settings)
    if errors:
        raise Refusal("events.invalid_run_settings", errors=errors)
    return settings


# --- snapshots -----------------------------------------------------------------------------------


def snapshot_bytes(trainer) -> bytes:
    """The trainer's whole state (parameters, position, history, weight trajectory) as a checkpoint's bytes."""
    return save_checkpoint(trainer)


def trainer_from_snapshot(content: bytes, train_images, train_labels, test_images, test_labels):
    """A trainer in a snapshot's exact state, checked like an upload (CheckpointError if it is not sound)."""
    return load_checkpoint(content, train_images, train_labels, test_images, test_labels)


def _setting(name, value):
    """A setting's value with the type its default has (a whole number is a valid float); ValueError otherwise."""
    wanted = type(getattr(DEFAULTS, name))
    if isinstance(value, bool) or not (isinstance(value, wanted) or wanted is float and isinstance(value, int)):
        raise ValueError(f"the setting {name} has the wrong type: {str(value)[:40]!r}")
    return wanted(value)


def _is_whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
