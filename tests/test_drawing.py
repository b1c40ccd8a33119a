"""core/model/drawing.py: real MNIST digits, enlarged and moved as if drawn, come back as MNIST digits."""

import numpy as np
import pytest
from PIL import Image

from core.model import network
from core.model.drawing import InkBox, contribution_maps, prepare_drawing
from core.training.settings import Settings
from core.training.trainer import Trainer

CANVAS = 280
DRAWN_DIGITS = 1000


def mass_centre(image):
    """(row, col) centre of mass computed directly from pixel coordinates (independent of core)."""
    rows, columns = np.indices(image.shape)
    weights = image.astype(np.float64)
    return (rows * weights).sum() / weights.sum(), (columns * weights).sum() / weights.sum()


def nonzero_box(image):
    """(height, width) of the smallest box holding every nonzero pixel."""
    rows, columns = np.nonzero(image)
    return rows.max() - rows.min() + 1, columns.max() - columns.min() + 1


def as_drawn(image, scale, rng, transparent):
    """An MNIST digit drawn on the 280x280 RGBA canvas: enlarged `scale` times, placed at random.

    The canvas is either opaque black with white strokes, or transparent with blue strokes whose
    alpha carries the ink, the two forms a canvas widget sends.
    """
    enlarged = np.asarray(
        Image.fromarray(image).resize((28 * scale, 28 * scale), Image.Resampling.BICUBIC)
    )
    rows, columns = np.nonzero(enlarged)
    ink = enlarged[rows.min():rows.max() + 1, columns.min():columns.max() + 1]
    top = rng.integers(0, CANVAS - ink.shape[0] + 1)
    left = rng.integers(0, CANVAS - ink.shape[1] + 1)
    grey = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    grey[top:top + ink.shape[0], left:left + ink.shape[1]] = ink
    canvas = np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8)
    if transparent:
        canvas[..., :3] = (30, 144, 255)
        canvas[..., 3] = grey
    else:
        canvas[..., :3] = grey[..., None]
        canvas[..., 3] = 255
    return canvas


@pytest.fixture(scope="module")
def trained(mnist):
    """The document's network after one epoch with the default settings."""
    trainer = Trainer(
        Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels
    )
    trainer.run_epoch()
    return trainer.params


@pytest.fixture(scope="module")
def drawn(mnist):
    """1,000 test digits drawn off-centre at 5x to 10x size, and their pipeline results."""
    rng = np.random.default_rng(2024)
    images = mnist.test_images[:DRAWN_DIGITS]
    results = [
        prepare_drawing(as_drawn(image, int(rng.integers(5, 11)), rng, transparent=index % 2 == 1))
        for index, image in enumerate(images)
    ]
    return images, mnist.test_labels[:DRAWN_DIGITS], results


def test_drawn_digits_are_classified_as_well_as_the_originals(trained, drawn):
    images, labels, results = drawn
    original = (network.predict(trained, network.pixels(images)) == labels).mean()
    prepared = np.stack([result.x for result in results])
    through_pipeline = (network.predict(trained, prepared) == labels).mean()
    assert original > 0.8, "one epoch of the document's training should reach well above 80 %"
    assert abs(through_pipeline - original) <= 0.03, (original, through_pipeline)


def test_centre_of_mass_lands_on_14_14_and_the_longer_side_is_20(drawn):
    _, _, results = drawn
    for result in results:
        row, column = mass_centre(result.centred)
        assert abs(row - 14) <= 0.5 and abs(column - 14) <= 0.5
        assert max(result.scaled.shape) == 20
        assert max(nonzero_box(result.centred)) == 20
        height, width = result.box.height, result.box.width
        expected_short = max(1, round(min(height, width) * 20 / max(height, width)))
        assert min(result.scaled.shape) == expected_short


def test_stages_are_consistent(drawn):
    _, _, results = drawn
    result = results[0]
    assert result.grey.shape == (CANVAS, CANVAS) and result.grey.dtype == np.uint8
    box = result.box
    np.testing.assert_array_equal(result.cropped, result.grey[box.top:box.bottom, box.left:box.right])
    assert result.centred.shape == (28, 28) and result.centred.dtype == np.uint8
    assert result.x.shape == (784,)
    np.testing.assert_array_equal(result.x, result.centred.reshape(784) / 255.0)
    top, left = result.offset
    height, width = result.scaled.shape
    np.testing.assert_array_equal(result.centred[top:top + height, left:left + width], result.scaled)
    assert abs(result.centre_of_mass[0] + top - 14) <= 0.5
    assert abs(result.centre_of_mass[1] + left - 14) <= 0.5
    with pytest.raises(ValueError):
        result.x[0] = 1.0


def test_mnist_test_digits_come_back_unchanged(mnist):
    # MNIST's digits are already boxed to 20 px and mass-centred, so the preprocessing must give each
    # back pixel for pixel, faint edges included. The few exceptions are MNIST's own: digits cut by
    # the field's border (box under 20 px) and a centre of mass exactly between two pixels.
    images = mnist.test_images
    unchanged = sum(np.array_equal(prepare_drawing(image).centred, image) for image in images)
    assert unchanged >= 0.999 * len(images), f"{len(images) - unchanged} of {len(images)} digits changed"


def test_a_faint_speck_away_from_the_stroke_does_not_stretch_the_box():
    grey = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    grey[60:220, 120:140] = 255
    grey[60:220, 119] = grey[60:220, 140] = 3  # the stroke's anti-aliased edge belongs to the ink
    stroke = prepare_drawing(grey)
    assert stroke.box == InkBox(60, 220, 119, 141)
    grey[5, 270] = 1
    np.testing.assert_array_equal(prepare_drawing(grey).centred, stroke.centred)


def test_white_on_black_grey_and_black_on_white_agree():
    grey = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    grey[60:220, 120:140] = 255
    grey[60:80, 80:200] = 200
    from_grey = prepare_drawing(grey)
    rgba_light = np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8)
    rgba_light[..., :3] = (255 - grey)[..., None]
    rgba_light[..., 3] = 255
    from_light = prepare_drawing(rgba_light)
    from_rgb = prepare_drawing(np.repeat(grey[..., None], 3, axis=2))
    for other in (from_light, from_rgb):
        np.testing.assert_array_equal(other.centred, from_grey.centred)
    assert from_grey.box == InkBox(60, 220, 80, 200)


@pytest.mark.parametrize(
    "canvas",
    [
        np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8),
        np.dstack([np.zeros((CANVAS, CANVAS, 3), np.uint8), np.full((CANVAS, CANVAS), 255, np.uint8)]),
        np.full((CANVAS, CANVAS, 4), 255, dtype=np.uint8),
        np.zeros((CANVAS, CANVAS), dtype=np.uint8),
        None,
    ],
    ids=["transparent", "opaque black", "opaque white", "grey zeros", "no image yet"],
)
def test_empty_canvas_gives_none(canvas):
    assert prepare_drawing(canvas) is None


def test_a_few_faint_pixels_are_noise():
    canvas = np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8)
    canvas[[10, 100, 250], [30, 140, 270], :] = 12
    assert prepare_drawing(canvas) is None


def test_faint_specks_that_vanish_when_scaled_give_none():
    grey = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    grey[0, 0] = grey[279, 279] = 30
    assert prepare_drawing(grey) is None


@pytest.mark.parametrize("radius", [0, 3, 12])
def test_single_dot(radius):
    rows, columns = np.indices((CANVAS, CANVAS))
    grey = (((rows - 37) ** 2 + (columns - 251) ** 2) <= radius**2).astype(np.uint8) * 255
    result = prepare_drawing(grey)
    assert result.scaled.shape == (20, 20)
    row, column = mass_centre(result.centred)
    assert abs(row - 14) <= 0.5 and abs(column - 14) <= 0.5


def test_drawing_touching_every_border():
    grey = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    grey[0:12, :] = 255
    grey[:, CANVAS - 12:] = 255
    grey[CANVAS - 3:, 0:40] = 180
    result = prepare_drawing(grey)
    assert result.box == InkBox(0, CANVAS, 0, CANVAS)
    assert result.scaled.shape == (20, 20)
    assert result.centred.shape == (28, 28)


@pytest.mark.parametrize("vertical", [True, False])
def test_one_pixel_line_of_extreme_aspect_ratio(vertical):
    grey = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    if vertical:
        grey[40:240, 100] = 255
    else:
        grey[100, 40:240] = 255
    result = prepare_drawing(grey)
    assert result.scaled.shape == ((20, 1) if vertical else (1, 20))
    assert max(nonzero_box(result.centred)) == 20
    row, column = mass_centre(result.centred)
    assert abs(row - 14) <= 0.5 and abs(column - 14) <= 0.5


def test_ink_pushed_off_the_field_by_centring_is_cut_without_error():
    # A blob in one corner and a speck in the other: centring the blob pushes the speck off.
    grey = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    grey[0:30, 0:30] = 255
    grey[199, 199] = 255
    result = prepare_drawing(grey)
    assert result.scaled.shape == (20, 20)
    assert result.centred.shape == (28, 28)
    assert result.centred.astype(np.int64).sum() < result.scaled.astype(np.int64).sum()


def test_contribution_maps_sum_to_Z1(trained, drawn):
    _, _, results = drawn
    x = results[3].x
    maps = contribution_maps(trained, x)
    assert maps.shape == (trained.hidden, 28, 28)
    Z1 = network.forward(trained, x).Z1
    np.testing.assert_allclose(maps.sum(axis=(1, 2)) + trained.b1, Z1, rtol=1e-12, atol=1e-12)
    for k in range(trained.hidden):
        np.testing.assert_array_equal(maps[k], x.reshape(28, 28) * trained.W1[:, k].reshape(28, 28))
