"""The drawing canvas's picture, decoded only when it is the size a canvas can send.

The canvas component hands back a PNG made in the browser, so its bytes are untrusted: a small
PNG can declare a huge size and cost gigabytes once decoded. Its size is read from the header first.
"""

import io

import numpy as np
from PIL import Image

from locales import _

CANVAS_SIDE = 280
MAX_PIXEL_RATIO = 4  # a high-density screen sends the 280-px canvas at up to 4 device pixels per px


class BadDrawing(ValueError):
    """The canvas sent something that is not a drawing this page can read; the message says why."""


def decode_drawing(png: bytes) -> np.ndarray:
    """The canvas PNG as an array (height, width, channels), refused unless it is at most the canvas's largest size."""
    try:
        image = Image.open(io.BytesIO(png))  # reads the header only
        width, height = image.size
        if max(width, height) > CANVAS_SIDE * MAX_PIXEL_RATIO:
            raise BadDrawing(_("The drawing arrived as a {width}×{height} image; a canvas sends at most "
                               "{most}×{most}, so it was not read.").format(
                width=width, height=height, most=CANVAS_SIDE * MAX_PIXEL_RATIO))
        return np.asarray(image)
    except BadDrawing:
        raise
    except Exception as error:  # untrusted bytes: any decoding failure means a damaged picture
        raise BadDrawing(_("The drawing could not be read ({error}); please draw it again.").format(
            error=type(error).__name__)) from error
