"""What the Train screen's panel sends the browser per click: only what changed, as one binary blob.

The browser (static/panel_kit.js) keeps what it was sent and merges each new blob into it, so a
Step sends the new step's numbers and the curves' new bins, not the whole screen again. Plain
Python and numpy (no streamlit), so it is tested without a browser.

The blob: a 4-byte little-endian length, a JSON header of that length, zero padding to a multiple
of 8, then the arrays' bytes. The header holds
- serial, base: this blob's number and the one it builds on (null: a full blob, built on nothing);
  the browser asks for a full one (the "resync" event) when its last blob is not `base`;
- fields: every JSON value that changed since `base` (null: removed);
- blocks: {name: [offset, dtype, count]} of the arrays that changed (dtype uint8, int32, float32 or float64);
- bins: the history's bins from index `from` on, at `width` steps a bin (see curve_bins), `columns` a row.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field

import numpy as np

DTYPES = {np.dtype(np.uint8): "uint8", np.dtype(np.int32): "int32", np.dtype(np.float32): "float32",
          np.dtype(np.float64): "float64"}


def encode(header: dict, blocks: dict[str, np.ndarray]) -> bytes:
    """The blob: header length, header (with each block's place), padding, the blocks 8-byte aligned."""
    places, parts, offset = {}, [], 0
    for name, array in blocks.items():
        data = np.ascontiguousarray(array).tobytes()
        places[name] = [offset, DTYPES[array.dtype], int(array.size)]
        padded = data + bytes(-len(data) % 8)
        parts.append(padded)
        offset += len(padded)
    text = json.dumps({**header, "blocks": places}, ensure_ascii=False, separators=(",", ":")).encode()
    text += b" " * (-(4 + len(text)) % 8)  # JSON ignores trailing spaces: the arrays start 8-byte aligned
    return struct.pack("<I", len(text)) + text + b"".join(parts)


def decode(blob: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """The header and the arrays of a blob (what the browser reads; for tests and the protocol learners)."""
    length = struct.unpack_from("<I", blob)[0]
    header = json.loads(blob[4:4 + length])
    start = 4 + length
    arrays = {name: np.frombuffer(blob, dtype=dtype, count=count, offset=start + offset)
              for name, (offset, dtype, count) in header["blocks"].items()}
    return header, arrays


def curve_bins(bins, loss_column: int, correct_column: int) -> tuple[int, np.ndarray]:
    """The history's filled bins as rows (loss sum, correct sum, steps) and their width.

    Up to the last filled bin, empty ones included, so a bin's row is its index: the browser takes
    the trailing means and the points exactly as figures.training_curves does.
    """
    last = int(np.flatnonzero(bins.counts)[-1]) + 1 if bins.counts.any() else 0
    rows = np.column_stack([bins.sums[:last, loss_column], bins.sums[:last, correct_column],
                            bins.counts[:last].astype(np.float64)])
    return int(bins.width), rows


@dataclass
class Sent:
    """What the browser holds of this panel: the last blob's serial, fields, arrays and bins."""

    serial: int = 0
    fields: dict = field(default_factory=dict)
    blocks: dict = field(default_factory=dict)
    width: int = 0
    bins: int = 0  # rows of bins the browser holds, at `width`
    history: int = 0  # which history they are bins of (a Reset or another tab's run starts another)


class PanelMemory:
    """One session's memory of what its panel was sent, so the next blob carries only the changes.

    forget() makes the next blob a full one: a page run mounts the panel anew, or the browser asks
    (it missed a blob, or was reloaded) with the resync event.
    """

    def __init__(self) -> None:
        self.sent: Sent | None = None
        self.serial = 0

    def forget(self) -> None:
        self.sent = None

    def blob(self, fields: dict, blocks: dict[str, np.ndarray], width: int, bins: np.ndarray, history: int = 0) -> bytes:
        """The changes since the last blob (everything, after forget()), and remember them as sent."""
        self.serial += 1
        before = self.sent or Sent()
        full = self.sent is None
        changed = {key: value for key, value in fields.items() if full or before.fields.get(key, ...) != value}
        changed.update({key: None for key in before.fields if key not in fields})
        arrays = {name: array for name, array in blocks.items()
                  if full or name not in before.blocks or not np.array_equal(before.blocks[name], array)}
        removed = [name for name in before.blocks if name not in blocks]
        start = self._first_changed_bin(before, width, full or history != before.history)
        start = start if start <= len(bins) else 0
        header = {"serial": self.serial, "base": None if full else before.serial, "fields": changed,
                  "removed": removed, "bins": {"from": start, "width": width, "count": len(bins),
                                                               "columns": int(bins.shape[1])}}
        arrays["bins"] = np.ascontiguousarray(bins[start:], dtype=np.float64)
        self.sent = Sent(self.serial, dict(fields), {name: np.array(array) for name, array in blocks.items()},
                         width, len(bins), history)
        return encode(header, arrays)

    @staticmethod
    def _first_changed_bin(before: Sent, width: int, full: bool) -> int:
        """The first bin that may differ from the browser's, after it merges its bins up to `width`.

        Finished bins never change until they merge in pairs, which the browser repeats exactly;
        the last one it holds may have grown (or merged with the one after it), so it is sent again.
        """
        if full or before.width == 0 or width < before.width or width % before.width:
            return 0
        merged = -(-before.bins // (width // before.width))
        return max(0, merged - 1)
