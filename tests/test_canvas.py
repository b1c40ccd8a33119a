"""ui/canvas.py: the canvas's PNG is decoded only at a size a canvas can send."""

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from ui.canvas import BadDrawing, decode_drawing


def png_bytes(array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_canvas_drawing_is_decoded_as_it_was_drawn():
    drawing = np.zeros((280, 280, 4), dtype=np.uint8)
    drawing[100:180, 130:150] = 255
    np.testing.assert_array_equal(decode_drawing(png_bytes(drawing)), drawing)


def test_a_png_declaring_a_huge_size_is_refused_without_decoding_it():
    """A 10,000×10,000 black PNG is a few hundred kB but decodes to 400 MB of RGBA (PIL only warns below 179 M pixels)."""
    script = (
        "import io, resource, sys, zlib, struct\n"
        "from ui.canvas import BadDrawing, decode_drawing\n"
        "def chunk(kind, data):\n"
        "    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))\n"
        "side = 10_000\n"
        "rows = zlib.compress(bytes(side * 4 + 1) * side, 9)\n"
        "png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', side, side, 8, 6, 0, 0, 0))\n"
        "png += chunk(b'IDAT', rows) + chunk(b'IEND', b'')\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    decode_drawing(png)\n"
        "except BadDrawing as error:\n"
        "    print(len(png), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, error)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    size, grown_kb, message = result.stdout.split(" ", 2)
    assert int(size) < 5_000_000
    assert "10000×10000" in message and "at most 1120×1120" in message
    assert int(grown_kb) < 50_000  # the header was read, the 400 MB of pixels never were


@pytest.mark.parametrize("content", [b"", b"not a png", png_bytes(np.zeros((4, 4), dtype=np.uint8))[:30]])
def test_damaged_bytes_get_a_clear_message(content):
    with pytest.raises(BadDrawing, match="could not be read"):
        decode_drawing(content)
