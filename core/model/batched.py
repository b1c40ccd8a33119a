"""The forward pass over many images, and many parameter sets, at once: what is measured on every click or frame.

network.forward is the reference (float64). What a screen measures at each click or frame needs
less: the sign of Z1 on the probe images (which hidden units are silent) and the argmax of Z2 on
the test images (how many it gets right). In float32 the products read half the bytes, and one
product X·[W1 of several frames] reads X once for all of them. tests/test_weight_frames.py and
tests/test_comparison.py hold these to the float64 reference.

Left out on purpose: the loss surface's plane (core/surface/evaluation.py), whose Z1 is linear in
the plane's two coordinates and is computed from that, not from one parameter set at a time.
"""

from typing import NamedTuple

import numpy as np

from core.model.metrics import accuracy
from core.model.network import Parameters, forward

PROBE_IMAGES = 1000  # the first test images, on which a hidden unit must stay off to count as silent
BATCH = 16  # frames per product X·[W1 …]: wide enough to read X once for many, small enough to stay in cache
FLOAT32_MAX = float(np.finfo(np.float32).max)


class FrameMeasures(NamedTuple):
    """What a frame's parameters do on the test set: computed once per frame on the server."""

    accuracy: float  # fraction of the test images classified right
    silent: np.ndarray  # (h,) bool: Z1 ≤ 0 on every one of the first PROBE_IMAGES test images


def compact(params) -> tuple:
    """The parameters as float32 copies, or float64 ones if a value is beyond float32's range."""
    fits = all(np.abs(array).max() < FLOAT32_MAX for array in params.as_tuple())
    return tuple(array.astype(np.float32 if fits else np.float64) for array in params.as_tuple())


def hidden_sums(params, X) -> np.ndarray:
    """Z1 = X·W1 + b1 in float32, one row per image (X: float32 pixels)."""
    return X @ np.asarray(params.W1, dtype=np.float32) + np.asarray(params.b1, dtype=np.float32)


def silent_units(Z1) -> np.ndarray:
    """The mask (h,) of hidden units with Z1 ≤ 0 on every image (every row of Z1)."""
    return ~(Z1 > 0).any(axis=0)


def measure(params, test_pixels: np.ndarray, test_labels: np.ndarray) -> FrameMeasures:
    """One frame's test accuracy and silent units, by network.forward: the plain reference for measure_together()."""
    with np.errstate(over="ignore", invalid="ignore"):
        values = forward(Parameters(*compact(params)), test_pixels)
    return FrameMeasures(accuracy(values.A2.argmax(axis=1), test_labels), silent_units(values.Z1[:PROBE_IMAGES]))


def measure_together(frames: list, test_pixels: np.ndarray, test_labels: np.ndarray) -> list[FrameMeasures]:
    """measure() of many frames: one product X·[W1 of BATCH frames] reads the test images once per batch.

    The same maths as measure(), with A2's argmax taken on Z2 = W2ᵀA1 + b2 (the softmax keeps the
    order). A frame at a time, the products have only h columns and are bound by reading X.
    """
    results = []
    for first in range(0, len(frames), BATCH):
        batch = [Parameters(*(np.asarray(array, dtype=np.float32) for array in params.as_tuple()))
                 for params in frames[first:first + BATCH]]
        with np.errstate(over="ignore", invalid="ignore"):
            Z1 = test_pixels @ np.concatenate([params.W1 for params in batch], axis=1)
            for k, params in enumerate(batch):
                z1 = Z1[:, k * params.hidden:(k + 1) * params.hidden] + params.b1
                Z2 = np.maximum(z1, 0) @ params.W2 + params.b2
                results.append(FrameMeasures(accuracy(Z2.argmax(axis=1), test_labels), silent_units(z1[:PROBE_IMAGES])))
    return results
