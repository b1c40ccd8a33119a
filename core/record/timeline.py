"""A run's timeline: position t is the state after t SGD updates, and any t is recomputed exactly.

An update is one sgd_step: a training sample (a train event trains n of them) or a drawing (an image
event, one). The log (core/record/events.py) is the truth; the parameters after t updates are a pure
function of it. A Keyframe is an exact copy of what replay needs to go on from one position (the
parameters in float64, the position in the data, the settings in force), and the timeline keeps
some of them within a byte budget:

- keyframes spread over the whole run: taken while training and while replaying, thinned by
  dropping the one whose neighbours are closest, so any jump replays at most a few thousand steps;
- near copies, taken every few hundred steps of the last long replay, so one step back is cheap;
- the cursor: the state just shown, so one step forward is a single update.

Opening update u replays from the latest of these before it with the same Trainer methods live
training uses (train, step_on, change_settings), so a replayed step is bit for bit the step that ran.

Left out on purpose: where the log and keyframes are stored (runs/) and how a screen shows a step (ui/).
"""

import io
import json
import zipfile
from dataclasses import dataclass

import numpy as np

from core.record.events import (
    LabAnswer,
    SettingsChanged,
    StartedFromCheckpoint,
    StepOnImage,
    TrainSamples,
    settings_from_dict,
    settings_to_dict,
)
from core.model.network import PARAMETER_NAMES, Parameters
from core.record.npz_reading import NpzError, read_npz
from core.training.settings import Settings
from core.training.step_record import StepRecord
from core.training.trainer import Trainer

KEYFRAME_BYTES = 15 * 2**19  # keyframes over the whole run; with the near copies and the cursor within 10 MB
NEAR_COPIES = 8  # near copies over the last long replay (and one just before the step opened)
MIN_NEAR_SPACING = 64
MIN_KEYFRAME_SPACING = 1000  # updates between keyframes taken while training or replaying


@dataclass(frozen=True, eq=False)  # compared by identity: two keyframes are never "equal" copies
class Keyframe:
    """The trainer's state after `position` updates: enough to replay on from there exactly."""

    position: int  # updates applied
    events_done: int  # events of the log applied in full
    into: int  # updates of the next event already applied (a train event cut short)
    settings: Settings
    params: Parameters  # float64 copies, never changed
    epoch: int
    index: int
    step_count: int
    stopped_reason: str | None
    drawings: int = 0  # steps on drawn digits before this position (since the run's very first step)

    @property
    def sgd_steps(self) -> int:
        """The step count a learner sees at this keyframe: training samples and drawings."""
        return self.step_count + self.drawings

    @classmethod
    def of(cls, trainer, position, events_done, into=0) -> "Keyframe":
        """A copy of `trainer`'s state, which sits `into` updates into event `events_done` of the log."""
        return cls(position, events_done, into, trainer.settings, trainer.params.copy(), trainer.epoch,
                   trainer.index, trainer.step_count, trainer.stopped_reason, trainer.drawings)

    def trainer(self, data) -> Trainer:
        """A trainer in this state (its own copy of the parameters; its history holds only what it trains next)."""
        return Trainer.resumed(self.settings, self.params.copy(), self.epoch, self.index, self.step_count,
                               self.drawings, self.stopped_reason, *data)

    def nbytes(self) -> int:
        return sum(array.nbytes for array in self.params.as_tuple())


@dataclass
class Cursor:
    """A trainer walking the log: it has applied `position` updates, `into` of them inside event `events_done`."""

    trainer: Trainer
    position: int
    events_done: int
    into: int = 0

    def keyframe(self) -> Keyframe:
        return Keyframe.of(self.trainer, self.position, self.events_done, self.into)


@dataclass(frozen=True)
class StepView:
    """Update `position` of the run as it happened; `record` is None for a step refused for overflow."""

    position: int
    record: StepRecord | None
    trainer: Trainer  # the state after this update (a view: train it and it is no longer this step)
    drawing: bool  # the update was a step on a drawn image, not a training sample


class Keyframes:
    """Exact states at some positions, sorted, within a byte budget; the start (position 0) is always kept."""

    def __init__(self, budget_bytes=KEYFRAME_BYTES):
        self.budget_bytes = budget_bytes
        self.frames: list[Keyframe] = []

    def add(self, keyframe: Keyframe) -> None:
        """Keep `keyframe` (replacing one at its position); over budget, drop the one leaving the smallest gap."""
        self.frames = [frame for frame in self.frames if frame.position != keyframe.position]
        self.frames.append(keyframe)
        self.frames.sort(key=lambda frame: frame.position)
        while len(self.frames) > 2 and self.nbytes() > self.budget_bytes:
            positions = np.array([frame.position for frame in self.frames])
            gaps = positions[2:] - positions[:-2]  # the gap dropping each interior keyframe would leave
            del self.frames[1 + int(np.argmin(gaps))]

    def latest_at_or_before(self, position) -> Keyframe | None:
        earlier = [frame for frame in self.frames if frame.position <= position]
        return earlier[-1] if earlier else None

    def truncate(self, position) -> None:
        """Forget keyframes past `position` (the log was cut back there)."""
        self.frames = [frame for frame in self.frames if frame.position <= position]

    def nbytes(self) -> int:
        return sum(frame.nbytes() for frame in self.frames)

    def __len__(self):
        return len(self.frames)


def updates_in(event) -> int:
    """How many SGD updates an event makes: n for a train event, 1 for a drawing, none otherwise."""
    if isinstance(event, TrainSamples):
        return event.n
    return int(isinstance(event, StepOnImage))


class Timeline:
    """Every update of one run, reachable exactly: the log after the start, and cached states along it."""

    def __init__(self, start: Keyframe, events=(), data=None, budget_bytes=KEYFRAME_BYTES):
        if start.position != 0 or start.events_done != 0 or start.into != 0:
            raise ValueError("a timeline starts from the state at position 0, before any event of its log")
        self.data = data  # (training images, labels, test images, labels)
        self.events: list = []
        self.ends: list[int] = []  # updates done after each event of the log
        self.keyframes = Keyframes(budget_bytes)
        self.keyframes.add(start)
        self.near: list[Keyframe] = []
        self.cursor: Cursor | None = None
        self.extend(events)

    # --- the log -----------------------------------------------------------------------------

    @property
    def length(self) -> int:
        """Updates in the whole log: the run's current position."""
        return self.ends[-1] if self.ends else 0

    def extend(self, events, trainer=None) -> None:
        """Append events the run has done (live training, a drawing, a settings change).

        `trainer` is the live trainer after them, kept as a keyframe if the last one is far enough back.
        """
        for event in events:
            if isinstance(event, StartedFromCheckpoint):
                raise ValueError("a checkpoint starts a run; it cannot be part of a timeline's log")
            self.events.append(event)
            self.ends.append(self.length + updates_in(event))
        if trainer is not None:
            self.capture(trainer, self.length, len(self.events))

    def admits(self, keyframe: Keyframe) -> bool:
        """Whether `keyframe`'s place in the log is one this log has (a stored keyframe is checked before use)."""
        if keyframe.events_done > len(self.events):
            return False
        before = self.ends[keyframe.events_done - 1] if keyframe.events_done else 0
        if keyframe.into == 0:
            return keyframe.position == before
        event = self.events[keyframe.events_done] if keyframe.events_done < len(self.events) else None
        return (isinstance(event, TrainSamples) and keyframe.into <= event.n
                and keyframe.position == before + keyframe.into)

    def branch_position(self, segment) -> int:
        """Updates before a branch's own settings change: where the segment's run left its parent."""
        index = segment.start
        while index < len(self.events) and not isinstance(self.events[index], SettingsChanged):
            index += 1
        return self.ends[index - 1] if index else 0

    def position_after_samples(self, samples) -> int:
        """The position right after the run's `samples`-th training sample (counted from its start): drawings before it count too."""
        drawings = 0
        for position in self.drawing_positions():
            if position - 1 - drawings >= samples:  # samples trained before this drawing
                break
            drawings += 1
        return samples + drawings

    def drawing_positions(self) -> list[int]:
        """The positions (1-based updates) that were steps on a drawn image."""
        return [end for event, end in zip(self.events, self.ends) if isinstance(event, StepOnImage)]

    def settings_changes(self) -> list[tuple[int, SettingsChanged]]:
        """(updates done before it, event) for each settings change in the log."""
        return [(end, event) for event, end in zip(self.events, self.ends) if isinstance(event, SettingsChanged)]

    def locate(self, position) -> tuple[int, int]:
        """(events_done, into) just after update `position` (0 ≤ position ≤ length)."""
        if not 0 <= position <= self.length:
            raise ValueError(f"position {position} is outside the run (0 … {self.length})")
        events_done = int(np.searchsorted(self.ends, position, side="left")) if self.ends else 0
        # The event holding update `position` ends at or after it; position 0 (or an event's end) means none is cut.
        if events_done < len(self.ends) and self.ends[events_done] > position:
            before = self.ends[events_done - 1] if events_done else 0
            return events_done, position - before
        while events_done < len(self.ends) and self.ends[events_done] == position and updates_in(self.events[events_done]):
            events_done += 1
        return events_done, 0

    # --- caching states ------------------------------------------------------------------------

    def keyframe_spacing(self) -> int:
        """Updates between keyframes so that the budget spreads them over the whole run."""
        start = self.keyframes.frames[0]
        capacity = max(2, self.keyframes.budget_bytes // max(1, start.nbytes()))
        return max(MIN_KEYFRAME_SPACING, self.length // capacity)

    def capture(self, trainer, position, events_done, into=0) -> None:
        """Keep a keyframe of `trainer` (at this place in the log) if the last one is far enough back."""
        latest = self.keyframes.frames[-1].position
        if position - latest >= self.keyframe_spacing() or position < latest:
            self.keyframes.add(Keyframe.of(trainer, position, events_done, into))

    def capture_live(self, trainer, trained) -> None:
        """While a train event of the live run is under way: `trained` of its updates are done (not yet in the log)."""
        self.capture(trainer, self.length + trained, len(self.events), trained)

    def nbytes(self) -> int:
        """Bytes held in keyframes, near copies and the cursor."""
        cursor = 0 if self.cursor is None else sum(a.nbytes for a in self.cursor.trainer.params.as_tuple())
        return self.keyframes.nbytes() + sum(frame.nbytes() for frame in self.near) + cursor

    # --- reaching a position ---------------------------------------------------------------------

    def step(self, position) -> StepView:
        """Update `position` (1 … length) exactly as it ran: its record, and the state after it."""
        if not 1 <= position <= self.length:
            raise ValueError(f"there is no step {position}: this run has steps 1 … {self.length}")
        cursor = self._cursor_before(position)
        event = self.events[cursor.events_done]
        if isinstance(event, TrainSamples):
            record = cursor.trainer.step()
            cursor.into += 1
            if cursor.into == event.n:
                cursor.events_done, cursor.into = cursor.events_done + 1, 0
        else:
            record = cursor.trainer.step_on(event.image, event.label)
            cursor.events_done += 1
        cursor.position += 1
        self.cursor = cursor
        return StepView(position, record, cursor.trainer, isinstance(event, StepOnImage))

    def parameters(self, position) -> Parameters:
        """The parameters after `position` updates (a copy)."""
        if position == 0:
            return self.keyframes.frames[0].params.copy()
        return self.step(position).trainer.params.copy()

    def _cursor_before(self, position) -> Cursor:
        """A cursor after position − 1 updates, with every event before update `position` applied."""
        target = position - 1
        cursor = self._latest_state(target)
        self.cursor = None  # it is walked forward now; it becomes the cursor again once it stands on a step
        if cursor.position < target:
            distance = target - cursor.position
            cached = any(frame.position == cursor.position for frame in self.near)
            long_walk = not cached and distance > NEAR_COPIES * MIN_NEAR_SPACING
            near_every = max(MIN_NEAR_SPACING, distance // NEAR_COPIES) if long_walk else None
            self._walk(cursor, target - 1, near_every)
            # keep the state one step before too: "one step back" starts there
            self.near = [*self.near[-NEAR_COPIES:], cursor.keyframe()]
        self._walk(cursor, target)
        return cursor

    def _latest_state(self, target) -> Cursor:
        """The cursor if it stands at or before `target` past every cached state; else a cursor from the latest one."""
        candidates = [frame for frame in (*self.near, self.keyframes.latest_at_or_before(target))
                      if frame is not None and frame.position <= target]
        best = max(candidates, key=lambda frame: frame.position)
        if self.cursor is not None and best.position <= self.cursor.position <= target:
            return self.cursor
        cursor = Cursor(best.trainer(self.data), best.position, best.events_done, best.into)
        event = self.events[cursor.events_done] if cursor.events_done < len(self.events) else None
        if cursor.into and isinstance(event, TrainSamples) and cursor.into == event.n:
            cursor.events_done, cursor.into = cursor.events_done + 1, 0  # taken as a click ended: the event is done
        return cursor

    def _walk(self, cursor, target, near_every=None) -> None:
        """Apply the log until `target` updates are done and the next event is an update (or the log ends)."""
        near = []
        spacing = self.keyframe_spacing()
        while cursor.events_done < len(self.events):
            event = self.events[cursor.events_done]
            if isinstance(event, SettingsChanged):
                cursor.trainer.change_settings(event.applied_to(cursor.trainer.settings))
                cursor.events_done += 1
                continue
            if isinstance(event, LabAnswer):  # a prediction kept with the run: it changes nothing
                cursor.events_done += 1
                continue
            if cursor.position == target:
                break
            if isinstance(event, StepOnImage):
                cursor.trainer.step_on(event.image, event.label)
                cursor.events_done, cursor.position = cursor.events_done + 1, cursor.position + 1
            else:
                stops = [target - cursor.position, event.n - cursor.into, spacing - cursor.position % spacing]
                if near_every:
                    stops.append(near_every - cursor.position % near_every)
                count = min(stops)
                cursor.trainer.train(count)
                cursor.position, cursor.into = cursor.position + count, cursor.into + count
                if cursor.into == event.n:
                    cursor.events_done, cursor.into = cursor.events_done + 1, 0
            if cursor.position % spacing == 0:
                self.capture(cursor.trainer, cursor.position, cursor.events_done, cursor.into)
            if near_every and cursor.position % near_every == 0 and cursor.position < target:
                near.append(cursor.keyframe())
        if near_every:
            self.near = near[-NEAR_COPIES:]


# --- keyframes as bytes (the store keeps a few, so a reopened run need not replay from its start) ----

KEYFRAME_FIELDS = ("position", "events_done", "into", "epoch", "index", "step_count", "drawings")
MAX_KEYFRAME_BYTES = 2 * 2**20  # 784 x 64 hidden units in float64 is 0.4 MB


def keyframe_bytes(keyframe: Keyframe) -> bytes:
    """A keyframe as a compressed .npz of plain arrays: the parameters, its place in the log, its settings."""
    arrays = {name: array for name, array in zip(PARAMETER_NAMES, keyframe.params.as_tuple())}
    arrays.update({name: np.int64(getattr(keyframe, name)) for name in KEYFRAME_FIELDS})
    arrays["settings"] = np.array(json.dumps(settings_to_dict(keyframe.settings)))
    arrays["stopped_reason"] = np.array(keyframe.stopped_reason or "")
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def keyframe_from_bytes(content: bytes, start: Keyframe, training_size: int) -> Keyframe:
    """The keyframe keyframe_bytes() wrote, for a run whose start is `start`; ValueError if it is not sound."""
    try:
        arrays = read_npz(content, max_members=len(KEYFRAME_FIELDS) + 8, max_bytes=MAX_KEYFRAME_BYTES)
    except (NpzError, zipfile.BadZipFile) as error:
        raise ValueError(f"a stored keyframe is not readable ({error})") from None
    if "drawings" not in arrays:  # kept before drawings were counted: they are the updates that were not samples
        arrays["drawings"] = _drawings_implied(arrays, start)
    expected = {*PARAMETER_NAMES, *KEYFRAME_FIELDS, "settings", "stopped_reason"}
    if set(arrays) != expected:
        raise ValueError("a stored keyframe does not hold the arrays a keyframe has")
    params = Parameters(*(arrays[name] for name in PARAMETER_NAMES))
    for name, array, reference in zip(PARAMETER_NAMES, params.as_tuple(), start.params.as_tuple()):
        if array.shape != reference.shape or array.dtype != np.float64 or not np.isfinite(array).all():
            raise ValueError(f"a stored keyframe's {name} is not a finite float64 array of shape {reference.shape}")
    numbers = {name: arrays[name] for name in KEYFRAME_FIELDS}
    if any(value.shape != () or value.dtype.kind != "i" or value < 0 for value in numbers.values()):
        raise ValueError("a stored keyframe's position is not a set of whole numbers")
    numbers = {name: int(value) for name, value in numbers.items()}
    if numbers["step_count"] != numbers["epoch"] * training_size + numbers["index"] or numbers["index"] >= training_size:
        raise ValueError("a stored keyframe's place in the data is impossible")
    try:
        settings = settings_from_dict(json.loads(str(arrays["settings"])))
    except (json.JSONDecodeError, TypeError) as error:
        raise ValueError(f"a stored keyframe's settings are not readable ({error})") from None
    reason = str(arrays["stopped_reason"]) or None
    if reason is not None and not reason.startswith("Training stopped"):
        raise ValueError("a stored keyframe's note on why training stopped is not one Backprop Lab writes")
    return Keyframe(settings=settings, params=params, stopped_reason=reason, **numbers)


def _drawings_implied(arrays, start: Keyframe) -> np.int64:
    """A keyframe's drawings from its place: its updates since the start that were not samples (nor a refused step)."""
    try:
        samples = int(arrays["step_count"]) - start.step_count
        refused = bool(str(arrays["stopped_reason"])) and start.stopped_reason is None
        return np.int64(start.drawings + int(arrays["position"]) - samples - refused)
    except (KeyError, ValueError, TypeError):
        return np.int64(-1)  # refused below as not a set of whole numbers
