"""Small pictures sent as images, far cheaper for the browser than a chart: RGB tiles and mosaics of the
weights, the Draw screen's stages, unit tiles with their labels (PIL), colour legends, and the network as SVG."""

import functools
import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from locales import _
from ui.figures.style import DIGITS, symmetric_limit, unit_tile_labels
from ui.figures.charts import mosaic


def network_diagram(hidden: int, width: int = 640, height: int = 420) -> str:
    """784 inputs (collapsed to a few), the hidden ReLU units and the 10 softmax outputs, as SVG.

    An SVG image rather than a chart: the Home screen is the first one a learner opens, and a
    plotly chart there would make its first draw wait for the plotly library.
    """
    inputs = ["p1", "p2", "p3", "⋮", "p783", "p784"]
    units = [f"H{k}" for k in range(1, hidden + 1)] if hidden <= 12 else [f"H{k}" for k in range(1, 11)] + ["⋮", f"H{hidden}"]
    layers = [(90, inputs), (width / 2, units), (width - 90, DIGITS)]
    top, bottom = 70, height - 50

    def heights(count):
        return [top + (bottom - top) * i / max(count - 1, 1) for i in range(count)] if count > 1 else [(top + bottom) / 2]

    placed = [(x, list(zip(heights(len(names)), names))) for x, names in layers]
    lines = [f'<line x1="{x0}" y1="{y0:.1f}" x2="{x1}" y2="{y1:.1f}" stroke="#c5cdd8" stroke-width="0.7"/>'
             for (x0, nodes0), (x1, nodes1) in zip(placed, placed[1:])
             for y0, name in nodes0 if name != "⋮" for y1, _ in nodes1]
    colours = ["#fdd0a2", "#9ecae1", "#a1d99b"]
    nodes = []
    for (x, column), colour in zip(placed, colours):
        for y, name in column:
            if name != "⋮":
                nodes.append(f'<circle cx="{x}" cy="{y:.1f}" r="13" fill="{colour}" stroke="#555"/>')
            nodes.append(f'<text x="{x}" y="{y + 4:.1f}" font-size="11" text-anchor="middle">{name}</text>')
    captions = [(90, 22, _("input x = p / 255")), (90, 40, _("784 pixels")),
                (width / 2, 22, _("hidden A1 = ReLU(Z1)")), (width / 2, 40, _("units 1…{hidden}").format(hidden=hidden)),
                (width - 90, 22, _("output A2 = softmax(Z2)")), (width - 90, 40, _("digits 0…9 (y₁…y₁₀)")),
                ((90 + width / 2) / 2, height - 12, "W1 (784×h), b1"),
                ((width / 2 + width - 90) / 2, height - 12, "W2 (h×10), b2")]
    texts = [f'<text x="{x}" y="{y}" font-size="13" text-anchor="middle">{text}</text>' for x, y, text in captions]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif">' + "".join(lines + nodes + texts) + "</svg>")


# --- small RGB images (st.image): a few ms to send, far cheaper for the browser than a chart ---

def diverging_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """Map values to RGB uint8: blue for negative, white at 0, red for positive, ±limit saturated."""
    limit = limit or symmetric_limit(values)
    t = np.clip(np.nan_to_num(values) / limit, -1.0, 1.0)[..., None]
    white, red, blue = np.array([255, 255, 255.0]), np.array([178, 24, 43.0]), np.array([33, 102, 172.0])  # POSITIVE, NEGATIVE
    rgb = np.where(t >= 0, white + t * (red - white), white - t * (blue - white))
    return rgb.astype(np.uint8)


def rgb_mosaic(images: np.ndarray, columns: int, scale: int = 3, limit: float | None = None) -> np.ndarray:
    """Tile (k, 28, 28) signed images into one diverging RGB image, enlarged scale times."""
    tiled = mosaic(images, columns, gutter=2)
    rgb = diverging_rgb(tiled, limit)
    rgb[np.isnan(tiled)] = 240
    return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)


def grey_image(image: np.ndarray, scale: int = 4) -> np.ndarray:
    """A uint8 grey image enlarged by pixel repetition (stays crisp, unlike browser smoothing)."""
    return np.repeat(np.repeat(np.asarray(image, dtype=np.uint8), scale, axis=0), scale, axis=1)


def png(image: np.ndarray) -> bytes:
    """A uint8 image as PNG bytes, fast compression: crisp edges, unlike st.image's default JPEG."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


# --- the Draw screen's preprocessing stages ---

MARK = np.array([255, 176, 0], dtype=np.uint8)  # amber: stands out on black paper and white ink alike
PADDING = 96  # mid-dark grey around a stage image, so the image's own black edge stays visible


def marked_stage(image: np.ndarray, scale: int = 1, box=None, cross=None, display: int = 150) -> np.ndarray:
    """A grey uint8 stage image as RGB, enlarged scale times, padded square, with marks in amber.

    box: (top, bottom, left, right), half-open in the image's pixels, drawn as an outline;
    cross: (row, column) with pixel centres at whole numbers (a centre of mass), drawn as a small +.
    Marks are about 2 screen pixels thick when the result is shown `display` pixels wide.
    """
    grey = grey_image(image, scale)
    height, width = grey.shape
    side = max(height, width)
    thickness = max(1, round(2 * side / display))
    rgb = np.full((side, side, 3), PADDING, dtype=np.uint8)
    top, left = (side - height) // 2, (side - width) // 2
    rgb[top:top + height, left:left + width] = grey[..., None]
    if box is not None:
        row0, row1 = top + box[0] * scale, top + box[1] * scale
        column0, column1 = left + box[2] * scale, left + box[3] * scale
        for rows, columns in (((row0, row0 + thickness), (column0, column1)),
                              ((row1 - thickness, row1), (column0, column1)),
                              ((row0, row1), (column0, column0 + thickness)),
                              ((row0, row1), (column1 - thickness, column1))):
            rgb[max(rows[0], 0):rows[1], max(columns[0], 0):columns[1]] = MARK
    if cross is not None:
        row = top + int((cross[0] + 0.5) * scale)
        column = left + int((cross[1] + 0.5) * scale)
        arm, half = max(3 * thickness, int(1.5 * scale)), thickness // 2 + thickness % 2
        rgb[max(row - arm, 0):row + arm + 1, max(column - half + 1, 0):column + half] = MARK
        rgb[max(row - half + 1, 0):row + half, max(column - arm, 0):column + arm + 1] = MARK
    return rgb


def unit_mosaic(images: np.ndarray, labels: list[tuple[str, str]], greyed: np.ndarray, columns: int = 10,
                scale: int = 3, limit: float | None = None) -> np.ndarray:
    """One RGB image of (k, 28, 28) signed images in a diverging scale, each under a two-line label.

    Greyed images are drawn flat grey (e.g. a unit whose update is exactly zero), so "no change"
    never passes for "a change too small to see".
    """
    size = images.shape[1] * scale
    tiles = np.repeat(np.repeat(diverging_rgb(images, limit), scale, axis=1), scale, axis=2)
    tiles[greyed] = GREYED
    rows = -(-len(images) // columns)
    gutter = 2 * scale
    picture = np.full((rows * (LABEL_HEIGHT + size + gutter), columns * (size + gutter) - gutter, 3), 255, np.uint8)
    for index, tile in enumerate(tiles):
        row, column = divmod(index, columns)
        top, left = row * (LABEL_HEIGHT + size + gutter) + LABEL_HEIGHT, column * (size + gutter)
        picture[top:top + size, left:left + size] = tile
        picture[top - LABEL_HEIGHT:top, left:left + size] = _label(labels[index], size)
    return picture


GREYED = np.array([200, 200, 200], dtype=np.uint8)
LABEL_HEIGHT = 30


@functools.lru_cache(maxsize=256)
def _label(lines: tuple[str, str], width: int) -> np.ndarray:
    """Two short lines of dark text on white, `width` pixels wide, drawn once per text."""
    image = Image.new("RGB", (width, LABEL_HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(lines):
        draw.text((1, 1 + 14 * row), text, fill=(40, 40, 40), font=label_font(text))
    return np.asarray(image)


@functools.lru_cache(maxsize=1)
def _font():
    return ImageFont.load_default(size=12)


# Pillow's own font (Aileron) has Latin letters only: Greek would come out as empty boxes. Text beyond
# ASCII is drawn with a system font that has Greek (Debian's fonts-dejavu-core: DejaVu Sans), narrow
# first, as a tile is 84 pixels wide; English keeps Pillow's font.
WIDE_FONTS = ("DejaVuSansCondensed.ttf", "DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf")


@functools.lru_cache(maxsize=4)
def _wide_font(size: int):
    for name in WIDE_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def label_font(text: str, size: int = 12):
    """The font to draw `text` with in a picture: Pillow's for ASCII, one with Greek letters otherwise."""
    if text.isascii():
        return _font() if size == 12 else ImageFont.load_default(size=size)
    return _wide_font(size)


def weight_template_image(W1: np.ndarray, silent: np.ndarray) -> tuple[np.ndarray, float]:
    """W1's columns as 28×28 tiles, 10 per row, silent units labelled, with the colour strip; and its ±limit."""
    limit = symmetric_limit(W1)
    tiles = unit_mosaic(W1.T.reshape(-1, 28, 28), unit_tile_labels(silent), np.zeros(W1.shape[1], bool), limit=limit)
    return with_colour_strip(tiles, limit), limit


def with_colour_strip(image: np.ndarray, limit: float, height: int = 12, gap: int = 8) -> np.ndarray:
    """An RGB image with the colour bar of diverging_rgb under it: −limit left, 0 white, +limit right.

    Drawn into the same image so the screen sends one picture, not two.
    """
    width = image.shape[1]
    strip = np.repeat(diverging_rgb(np.linspace(-limit, limit, width // 3), limit)[None], height, axis=0)
    below = np.full((gap + height, width, 3), 255, dtype=np.uint8)
    below[gap:, : strip.shape[1]] = strip
    return np.concatenate([image, below])


def signed_tile(values: np.ndarray, limit: float, scale: int = 6) -> np.ndarray:
    """A signed 28x28 map as a crisp diverging RGB image (±limit saturated), framed in grey so white edges show."""
    rgb = np.repeat(np.repeat(diverging_rgb(values, limit), scale, axis=0), scale, axis=1)
    return np.pad(rgb, ((2, 2), (2, 2), (0, 0)), constant_values=170)


def colour_legend(limit: float, width: int = 256, height: int = 14) -> np.ndarray:
    """The diverging colour scale of signed_tile as a strip: −limit at the left, 0 white, +limit at the right."""
    return np.repeat(diverging_rgb(np.linspace(-limit, limit, width), limit)[None], height, axis=0)
