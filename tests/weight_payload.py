"""Reading the Weights player's payload in Python, written from its format (ui/weight_frames.py's
docstring) rather than from the code that writes it, so a test of one checks the other."""

import json

import numpy as np


def decode(payload: bytes) -> tuple[dict, dict]:
    """(header, arrays): the JSON header and every array it locates, by name."""
    length = int.from_bytes(payload[:4], "little")
    header = json.loads(payload[4:4 + length].decode())
    body = payload[4 + length:]
    arrays = {}
    for name, block in header["blocks"].items():
        dtype = np.dtype(block["dtype"]).newbyteorder("<")
        count = int(np.prod(block["shape"]))
        arrays[name] = np.frombuffer(body, dtype=dtype, count=count, offset=block["offset"]).reshape(block["shape"])
    return header, arrays


def decoded_W1(header: dict, arrays: dict) -> np.ndarray:
    """W1 as the browser rebuilds it, (frames, h, 784): W1 at the first frame plus each frame's change."""
    quantum = np.array(header["quantum"], dtype=np.float64)[:, None, None]
    return arrays["W1_start"][None].astype(np.float64) + quantum * arrays["W1_change"]
