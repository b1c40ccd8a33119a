"""x = p / 255 for a whole image set, as float32, computed once per process and shared read-only;
and the shapes an image set and its labels must have.

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


def as_image_rows(images, what):
    """The images as (n, 28, 28) or (n, 784) without copying them."""
    if images.shape[1:] in ((28, 28), (INPUTS,)):
        return images
    raise ValueError(f"{what} must have shape (n, 28, 28) or (n, 784), not {images.shape}")


def as_labels(labels, count, what):
    labels = np.asarray(labels)
    if labels.shape != (count,):
        raise ValueError(f"{what} must have shape ({count},), not {labels.shape}")
    return labels
