"""x = p / 255 for a whole image set, as float32, computed once per process and shared read-only.

Every learner's trainer evaluates the same 10,000 test images after each click; converting them
once per process, not once per click and learner, is what keeps that evaluation cheap.
"""

import threading

import numpy as np

from core.model.network import INPUTS

_CONVERTED: dict[int, tuple] = {}  # id(images) -> (images, float32 pixels)
_LOCK = threading.Lock()
MAX_IMAGE_SETS = 4


def float32_pixels(images) -> np.ndarray:
    """x = p / 255 as float32 rows (n, 784), converted on first use and then shared."""
    with _LOCK:
        entry = _CONVERTED.get(id(images))
        if entry is None or entry[0] is not images:  # the entry keeps `images` alive, so its id stays unique
            if len(_CONVERTED) >= MAX_IMAGE_SETS:
                _CONVERTED.pop(next(iter(_CONVERTED)))
            values = np.divide(np.asarray(images).reshape(len(images), INPUTS), np.float32(255), dtype=np.float32)
            values.setflags(write=False)
            entry = _CONVERTED[id(images)] = (images, values)
        return entry[1]
