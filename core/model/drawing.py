"""A drawing on the canvas becomes an MNIST-like 28x28 image, the way MNIST itself was made.

LeCun, Cortes and Burges: "the images were size normalized to fit in a 20x20 pixel box while
preserving their aspect ratio ... centered in a 28x28 image by computing the center of mass of the
pixels, and translating the image so as to position this point at the center of the 28x28 field."
The steps here, in order, each kept in the result so a screen can show it:

1. grey    the ink level of every canvas pixel, 0 (no ink) to 255 (full ink), as in MNIST;
2. cropped the bounding box of the ink: every pixel of clear ink (at or above INK_THRESHOLD) and
           any fainter ink within INK_REACH px of it, such as a stroke's anti-aliased edge; a faint
           speck far from the strokes is left out (see ink_box);
3. scaled  the longer side resized to 20 px, the aspect ratio kept, anti-aliased (Lanczos);
4. centred pasted into 28x28 so that its centre of mass lands on pixel (14, 14), shifted by whole
           pixels (the centre of mass is rounded to the nearest pixel, so it ends within 0.5 px of
           (14, 14) on each axis, as in MNIST); anything falling outside the 28x28 field is cut;
5. x       the 784-vector of pixel/255 that network.forward takes.

Coordinates are (row, column) with pixel centres at whole numbers: in MNIST the mean centre of mass
of the training digits is (14.00, 14.01) on that convention.

What counts as ink (the canvas sends RGBA): when some pixels are transparent, the canvas background
is transparent and the ink is the alpha channel (strokes of any colour). When every pixel is opaque,
the ink is the luminance's contrast with the background: the luminance itself on a dark background
(white strokes on black, like MNIST), 255 − luminance on a light one. A 2-D array is taken as the
ink level already (0..255, white on black).

Nothing here raises on an empty canvas: no ink gives None. Pure numpy and Pillow; no streamlit.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image

from core.model import network

FIELD = 28
BOX = 20
CENTRE = (14.0, 14.0)
INK_THRESHOLD = 26
"""Grey level (of 255, about 10 %) of clear ink: the box starts from it, then takes in fainter ink near it."""
INK_REACH = 4
"""Fainter ink up to this many pixels beyond the box joins it (the gap MNIST's boxes bridge; see ink_box)."""

# ITU-R BT.601 luma weights: the ones Pillow uses to convert RGB to "L".
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


class InkBox(NamedTuple):
    """The ink's bounding box on the canvas, half-open like a slice: grey[top:bottom, left:right]."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left


@dataclass(frozen=True)
class PreparedDrawing:
    """Every stage from canvas to network input (all arrays read-only).

    grey            (H, W) uint8   ink level of the canvas, 0..255
    box             InkBox         bounding box of the ink on the canvas
    cropped         (h, w) uint8   grey[box]
    scaled          (h', w') uint8 cropped with its longer side resized to 20 px (aspect kept)
    centre_of_mass  (row, col)     of `scaled`, in its own pixel coordinates, before shifting
    offset          (row, col)     where scaled's top-left pixel lands in the 28x28 field
    centred         (28, 28) uint8 the MNIST-like image
    x               (784,) float64 centred / 255, ready for network.forward
    """

    grey: np.ndarray
    box: InkBox
    cropped: np.ndarray
    scaled: np.ndarray
    centre_of_mass: tuple[float, float]
    offset: tuple[int, int]
    centred: np.ndarray
    x: np.ndarray


def prepare_drawing(image, threshold: int = INK_THRESHOLD) -> PreparedDrawing | None:
    """Canvas image (RGBA (H, W, 4), RGB, or grey (H, W)) → PreparedDrawing, or None without ink."""
    if image is None:
        return None
    grey = ink_level(image)
    box = ink_box(grey, threshold)
    if box is None:
        return None
    cropped = grey[box.top:box.bottom, box.left:box.right]
    scaled = scale_into_box(cropped, BOX)
    if not scaled.any():
        # Faint specks spread over a large box can average out to nothing at 20x20.
        return None
    centre = centre_of_mass(scaled)
    offset = (_round_half_up(CENTRE[0] - centre[0]), _round_half_up(CENTRE[1] - centre[1]))
    centred = paste(scaled, offset, FIELD)
    return PreparedDrawing(
        grey=_read_only(grey),
        box=box,
        cropped=_read_only(cropped),
        scaled=_read_only(scaled),
        centre_of_mass=centre,
        offset=offset,
        centred=_read_only(centred),
        x=_read_only(network.pixels(centred)),
    )


def contribution_maps(params, x: np.ndarray) -> np.ndarray:
    """C_k = x ⊙ W1[:, k] as (h, 28, 28): the pixels' shares of Z1_k, with Σ C_k + b1_k = Z1_k."""
    x = np.asarray(x, dtype=np.float64).reshape(FIELD * FIELD)
    return (x[:, None] * params.W1).T.reshape(params.W1.shape[1], FIELD, FIELD)


def ink_level(image) -> np.ndarray:
    """The ink at every pixel as uint8 0..255 (see the module docstring for what counts as ink)."""
    array = np.asarray(image)
    if array.ndim == 2:
        level = array.astype(np.float64)
    elif array.ndim == 3 and array.shape[2] in (3, 4):
        channels = array.astype(np.float64)
        if array.shape[2] == 4 and (channels[..., 3] < 255).any():
            level = channels[..., 3]
        else:
            luminance = channels[..., :3] @ LUMA_WEIGHTS
            dark_background = np.median(luminance) < 128
            level = luminance if dark_background else 255.0 - luminance
    else:
        raise ValueError(
            f"a drawing is an (H, W) grey or (H, W, 3|4) colour array, not shape {array.shape}"
        )
    level = np.nan_to_num(level, nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(np.rint(level), 0, 255).astype(np.uint8)


def ink_box(grey: np.ndarray, threshold: int = INK_THRESHOLD) -> InkBox | None:
    """The box of the clear ink (≥ threshold), grown while fainter ink (> 0) lies within INK_REACH px.

    A stroke's faint anti-aliased edge is taken in, as MNIST's boxes take in every inked pixel (MNIST
    digits have faint pixels up to 4 px from the rest); a faint speck far from the strokes is not,
    so it cannot stretch the box. None when there is no clear ink.
    """
    clear = grey >= threshold
    rows = np.flatnonzero(clear.any(axis=1))
    if rows.size == 0:
        return None
    columns = np.flatnonzero(clear.any(axis=0))
    box = (int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1)
    ink = grey > 0
    while (grown := _grown_to_nearby_ink(ink, *box)) != box:
        box = grown
    return InkBox(*box)


def _grown_to_nearby_ink(ink, top, bottom, left, right, reach=INK_REACH):
    """The box with each side moved out to the farthest ink within `reach` pixels beyond it."""
    height, width = ink.shape
    rows = slice(max(top - reach, 0), min(bottom + reach, height))
    columns = slice(max(left - reach, 0), min(right + reach, width))
    above = np.flatnonzero(ink[max(top - reach, 0):top, columns].any(axis=1))
    below = np.flatnonzero(ink[bottom:bottom + reach, columns].any(axis=1))
    before = np.flatnonzero(ink[rows, max(left - reach, 0):left].any(axis=0))
    after = np.flatnonzero(ink[rows, right:right + reach].any(axis=0))
    return (
        max(top - reach, 0) + int(above[0]) if above.size else top,
        bottom + int(below[-1]) + 1 if below.size else bottom,
        max(left - reach, 0) + int(before[0]) if before.size else left,
        right + int(after[-1]) + 1 if after.size else right,
    )


def scale_into_box(cropped: np.ndarray, side: int = BOX) -> np.ndarray:
    """Resize so the longer side is `side` px, the shorter in proportion (≥ 1 px), Lanczos."""
    height, width = cropped.shape
    factor = side / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    # Resample in float ("F" mode) so Lanczos's overshoot is clipped once, at the end.
    resized = Image.fromarray(cropped.astype(np.float32)).resize(size, Image.Resampling.LANCZOS)
    return np.clip(np.rint(np.asarray(resized)), 0, 255).astype(np.uint8)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, col) = Σ position · intensity / Σ intensity, pixel centres at whole numbers."""
    weights = image.astype(np.float64)
    total = weights.sum()
    rows = np.arange(image.shape[0]) @ weights.sum(axis=1) / total
    columns = np.arange(image.shape[1]) @ weights.sum(axis=0) / total
    return float(rows), float(columns)


def paste(image: np.ndarray, offset: tuple[int, int], side: int = FIELD) -> np.ndarray:
    """A side x side black field with `image`'s top-left at `offset`; what falls outside is cut."""
    field = np.zeros((side, side), dtype=image.dtype)
    top, left = offset
    height, width = image.shape
    row_start, row_stop = max(0, top), min(side, top + height)
    column_start, column_stop = max(0, left), min(side, left + width)
    if row_start < row_stop and column_start < column_stop:
        field[row_start:row_stop, column_start:column_stop] = image[
            row_start - top:row_stop - top, column_start - left:column_stop - left
        ]
    return field


def _round_half_up(value: float) -> int:
    return int(np.floor(value + 0.5))


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array)
    array.flags.writeable = False
    return array
