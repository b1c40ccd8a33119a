"""The weights' history as frames for the Weights screen's player, and their compact form for the browser.

A frame is (step, parameters): the trainer's log-spaced trajectory points and the parameters now, merged by
step with a second source (the run timeline's exact keyframes, spread evenly over the run, and a
past step being viewed: ui/weight_player.py), thinned evenly in step to at most MAX_FRAMES.
Each frame is measured once on the server (its test accuracy, its silent units) and every frame
is sent to the browser at once, so playing never waits for the server (ui/weight_player.py).

The payload is bytes: a 4-byte little-endian length, a JSON header of that many bytes, then the
arrays the header locates. W1 is sent as W1 at the first frame, step 0 (float32), plus, per frame,
the change since then, W1 − W1₀, as int8 at that frame's own quantisation step (its largest
|W1 − W1₀| / 127), so early frames, where training has changed little, lose nothing to a step sized
for late ones. W2, b1 and b2 are small and go as float32. About 784·h bytes a frame: 150 frames of
h = 10 are 1.3 MB.
"""

import hashlib
import json

import numpy as np

from core.model.batched import PROBE_IMAGES, FrameMeasures, compact, measure_together
from core.model.network import Parameters
from core.model.pixel_cache import float32_pixels
from ui import figures

MAX_FRAMES = 150
W1_BUDGET = 3_000_000  # bytes of int8 W1 changes at most: fewer frames for h > 25 (59 for h = 64)
PERCENTILE = 99.9  # W1's colour scale: ±this percentile of |W1|, so a few extreme pixels do not wash out the rest
QUANT_LEVELS = 127  # int8 codes −127..127
PAYLOAD_FORMAT = "backprop-lab-weight-frames-1"


# --- which frames --------------------------------------------------------------------------------

def frame_limit(hidden: int) -> int:
    """How many frames a run of h hidden units may send: MAX_FRAMES, fewer where W1 would pass W1_BUDGET."""
    return max(2, min(MAX_FRAMES, W1_BUDGET // (784 * hidden)))


def merge_frames(*sources, limit: int = MAX_FRAMES) -> list[tuple[int, Parameters]]:
    """The (step, parameters) of all sources in step order, one per step (a later source wins), thinned to `limit`."""
    by_step = {}
    for source in sources:
        for step, params in source:
            by_step[int(step)] = params
    return thin_evenly(sorted(by_step.items(), key=lambda frame: frame[0]), limit)


def thin_evenly(frames: list, limit: int) -> list:
    """At most `limit` frames, the first and last kept, dropping where frames sit closest in step.

    Each drop removes the inner frame whose neighbours are nearest each other, so what stays
    tends to even spacing in step (the player's axis).
    """
    frames = list(frames)
    while len(frames) > max(limit, 2):
        steps = np.array([step for step, _ in frames], dtype=np.int64)
        gaps = steps[2:] - steps[:-2]  # the gap left by dropping frame 1 .. len − 2
        del frames[1 + int(np.argmin(gaps))]
    return frames


def frames(trainer, keyframes=()) -> list[tuple[int, Parameters]]:
    """The frames to play: the trainer's trajectory (step 0 … now) merged with `keyframes` by step."""
    return merge_frames(trainer.trajectory(), keyframes, limit=frame_limit(trainer.params.hidden))


# --- what each frame measures --------------------------------------------------------------------

def fingerprint(params: Parameters) -> bytes:
    """A digest of the parameters' values: a frame's measures never change, whatever its step is called."""
    digest = hashlib.blake2b(digest_size=16)
    for array in compact(params):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.digest()


def measured(frames: list, test_images, test_labels, memory: dict) -> list[FrameMeasures]:
    """Each frame's measures, computed only for frames not in `memory` (kept to these frames afterwards)."""
    keys = [fingerprint(params) for _, params in frames]
    missing = {key: params for key, (_, params) in zip(keys, frames) if key not in memory}
    memory.update(zip(missing, measure_together(list(missing.values()), float32_pixels(test_images), test_labels)))
    for gone in set(memory) - set(keys):
        del memory[gone]
    return [memory[key] for key in keys]


# --- colour scales and quantisation --------------------------------------------------------------

def percentile_limit(values: np.ndarray, axis=None) -> np.ndarray | float:
    """±the PERCENTILE-th percentile of |values| (over `axis`), never 0, so a diverging scale has a width."""
    limit = np.percentile(np.abs(values), PERCENTILE, axis=axis)
    return np.where(limit > 0, limit, 1.0) if axis is not None else float(limit) or 1.0


def largest_limit(values: np.ndarray, axis=None) -> np.ndarray | float:
    """±max |values| (over `axis`), never 0."""
    limit = np.abs(values).max(axis=axis)
    return np.where(limit > 0, limit, 1.0) if axis is not None else float(limit) or 1.0


def quantise(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, step): int8 codes = round(v / step) per frame (first axis), step = that frame's max |v| / 127.

    Decoded values, codes · step, are within half a step of the originals.
    """
    flat = values.reshape(len(values), -1)
    largest = np.abs(flat).max(axis=1)
    step = largest / QUANT_LEVELS
    safe = np.where(step > 0, step, 1.0)[:, None]
    codes = np.rint(flat / safe).clip(-QUANT_LEVELS, QUANT_LEVELS).astype(np.int8)
    return codes.reshape(values.shape), step


def palette() -> list[int]:
    """The app's diverging colours (figures.diverging_rgb) at 255 levels, −limit … 0 (white, index 127) … +limit, flat RGB."""
    return figures.diverging_rgb(np.linspace(-1.0, 1.0, 2 * QUANT_LEVELS + 1), 1.0).ravel().tolist()


# --- the payload ---------------------------------------------------------------------------------

def payload(frames: list, measures: list[FrameMeasures], training_size: int, opened: int | None = None,
            text: dict | None = None, separators: str = ".,") -> bytes:
    """Every frame, its measures and colour scales, in the form static/weight_kit.js decodes; it opens at step `opened` (else the last).

    `text` holds the player's messages, translated (ui/weight_player.py's player_text), and
    `separators` the language's decimal sign and thousands separator for the numbers it writes.
    """
    steps = [step for step, _ in frames]
    with np.errstate(over="ignore", invalid="ignore"):
        W1 = np.stack([params.W1.T for _, params in frames]).astype(np.float64)  # (frames, h, 784): a unit's template is a row
        W2 = np.stack([params.W2 for _, params in frames]).astype(np.float32)
        b1 = np.stack([params.b1 for _, params in frames]).astype(np.float32)
        b2 = np.stack([params.b2 for _, params in frames]).astype(np.float32)
    change = W1 - W1[:1]
    codes, quantum = quantise(change)
    second_layer = np.concatenate([W2.reshape(len(frames), -1), b2], axis=1)
    arrays = {"W1_start": W1[0].astype(np.float32), "W1_change": codes, "W2": W2, "b1": b1, "b2": b2}
    header = {
        "format": PAYLOAD_FORMAT,
        "hidden": int(W1.shape[1]), "frames": len(frames), "steps": steps, "training_size": int(training_size),
        "opened": steps[-1] if opened is None else int(opened),
        "accuracy": [round(result.accuracy, 6) for result in measures],
        "silent": [np.flatnonzero(result.silent).tolist() for result in measures],
        "unit_labels": figures.unit_labels(W1.shape[1]), "digits": figures.DIGITS,
        "probe_images": PROBE_IMAGES, "percentile": PERCENTILE,
        "quantum": quantum.tolist(),
        "limits": {
            "W1": {"fixed": percentile_limit(W1), "frame": percentile_limit(W1, axis=(1, 2)).tolist(),
                   "largest": largest_limit(W1)},
            "W1_change": {"fixed": percentile_limit(change), "frame": percentile_limit(change, axis=(1, 2)).tolist(),
                          "largest": largest_limit(change)},
            "W2": {"fixed": largest_limit(second_layer), "frame": largest_limit(second_layer, axis=1).tolist()},
        },
        "palette": palette(),
        "text": text or {}, "separators": separators,
        "blocks": {},
    }
    body, offset = [], 0
    for name, array in arrays.items():
        data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
        header["blocks"][name] = {"offset": offset, "dtype": str(array.dtype), "shape": list(array.shape)}
        body.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()  # the browser's JSON has no NaN
    return len(text).to_bytes(4, "little") + text + b"".join(body)
