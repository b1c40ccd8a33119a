"""core/model/silent_probe.py on real MNIST: the kept silent-unit mask is the full float32 computation, every step.

The full computation is batched.silent_units(batched.hidden_sums(params, probe)) on the first
PROBE_IMAGES test images; Trainer.dead_units() answers from a SilentProbe that rechecks only changed
units. These tests ask both after every change of the parameters: steps at the document's α, at
α = 1 (every unit dies) and α = 0.1 (units die and revive), drawings, a reset, a checkpoint round
trip, jumps in the timeline, and parameters changed by hand (which a cache told only of steps would miss).
"""

import numpy as np
import pytest

from core.model.batched import PROBE_IMAGES, hidden_sums, silent_units
from core.model.pixel_cache import float32_pixels
from core.model.silent_probe import SilentProbe
from core.record.checkpoints import load_checkpoint, save_checkpoint
from core.record.events import StepOnImage, TrainSamples
from core.record.timeline import Keyframe, Timeline
from core.training.settings import Settings
from core.training.trainer import Trainer


@pytest.fixture(scope="module")
def data(mnist):
    return (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)


def full_mask(params, data) -> np.ndarray:
    """Z1 ≤ 0 on every probe image, computed in full as the screens did before the probe was kept."""
    return silent_units(hidden_sums(params, float32_pixels(data[2])[:PROBE_IMAGES]))


def masks_while_stepping(trainer, steps) -> list[np.ndarray]:
    """Step `steps` times, asserting after each that dead_units() is the full computation; the masks seen."""
    masks = []
    for _ in range(steps):
        trainer.step()
        mask = trainer.dead_units()
        np.testing.assert_array_equal(mask, full_mask(trainer.params, trainer.data), f"step {trainer.sgd_steps}")
        masks.append(mask)
    return masks


def test_at_the_documents_settings_the_mask_is_the_full_one_after_every_step_drawing_and_train_click(data, mnist):
    trainer = Trainer(Settings(), *data)
    np.testing.assert_array_equal(trainer.dead_units(), full_mask(trainer.params, data))
    for click in range(6):
        masks_while_stepping(trainer, 500)
        trainer.train(1 + 37 * click)
        np.testing.assert_array_equal(trainer.dead_units(), full_mask(trainer.params, data))
        trainer.step_on(mnist.test_images[click], int(mnist.test_labels[click]))  # a drawing
        np.testing.assert_array_equal(trainer.dead_units(), full_mask(trainer.params, data))
    assert trainer.sgd_steps > 3000


@pytest.mark.parametrize("alpha, revives", [(1.0, False), (0.1, True)])
def test_at_a_large_alpha_units_die_or_revive_and_the_mask_is_the_full_one_after_every_step(data, alpha, revives):
    """At α = 1 every unit falls silent within 3,000 steps; at α = 0.1 some fall silent and some come back."""
    trainer = Trainer(Settings(learning_rate=alpha), *data)
    masks = np.array(masks_while_stepping(trainer, 3000))
    died = masks[1:] & ~masks[:-1]
    revived = masks[:-1] & ~masks[1:]
    assert died.any() and revived.any() == revives
    assert masks[-1].all() or revives


def test_the_mask_follows_a_reset_to_other_parameters_and_to_another_hidden_size(data):
    trainer = Trainer(Settings(learning_rate=1.0), *data)
    masks_while_stepping(trainer, 300)
    trainer.reset(Settings(learning_rate=1.0, seed=5))
    np.testing.assert_array_equal(trainer.dead_units(), full_mask(trainer.params, data))
    masks_while_stepping(trainer, 300)
    trainer.reset(Settings(learning_rate=1.0, hidden=24))
    assert trainer.dead_units().shape == (24,)
    masks_while_stepping(trainer, 300)


def test_the_mask_follows_a_checkpoint_round_trip(data):
    trainer = Trainer(Settings(learning_rate=1.0), *data)
    masks_while_stepping(trainer, 400)
    loaded = load_checkpoint(save_checkpoint(trainer), *data)
    np.testing.assert_array_equal(loaded.dead_units(), trainer.dead_units())
    masks_while_stepping(loaded, 400)
    restored = Trainer.from_state(trainer.state_dict(), *data)
    assert np.array_equal(restored.dead_units(), trainer.dead_units())
    masks_while_stepping(restored, 100)


def test_the_mask_follows_jumps_in_the_timeline(data, mnist):
    trainer = Trainer(Settings(learning_rate=1.0), *data)
    timeline = Timeline(Keyframe.of(trainer, 0, 0), data=data)
    image = mnist.test_images[0].tobytes()
    for event in (TrainSamples(1500), StepOnImage(image, 3), TrainSamples(1500)):
        trainer.train(event.n) if isinstance(event, TrainSamples) else trainer.step_on(mnist.test_images[0], 3)
        timeline.extend([event], trainer)
    for position in (2900, 10, 1501, 1502, 1503, 2999, 3001, 400):  # back, forward, one by one, far back
        view = timeline.step(position).trainer
        np.testing.assert_array_equal(view.dead_units(), full_mask(view.params, data), f"position {position}")
    np.testing.assert_array_equal(trainer.dead_units(), full_mask(trainer.params, data))


def test_parameters_changed_by_hand_are_seen_at_once(data):
    """A cache updated only by training would miss these: the probe compares W1 and b1 themselves."""
    trainer = Trainer(Settings(), *data)
    trainer.train(200)
    assert not trainer.dead_units().any()
    saved = trainer.params.copy()
    trainer.params.W1[:, 3], trainer.params.b1[3] = -1.0, -0.1  # pixels are ≥ 0: unit 3 can never fire
    assert trainer.dead_units()[3]
    trainer.params.b1[3] = 1000.0  # Z1 = 1000 − Σx > 0 on every image (Σx ≤ 784): alive again
    assert not trainer.dead_units()[3]
    trainer.params = saved
    assert not trainer.dead_units().any()


def test_a_unit_whose_largest_z1_is_within_rounding_of_zero_gets_the_full_computations_answer(data):
    """Near zero the float32 sums may round either way: there the answer must be the full computation's."""
    trainer = Trainer(Settings(), *data)
    trainer.train(500)
    probe = SilentProbe(data[2])
    X = float32_pixels(data[2])[:PROBE_IMAGES].astype(np.float64)
    largest = (X @ trainer.params.W1.astype(np.float32).astype(np.float64)).max(axis=0)
    for nudge in np.linspace(-4e-6, 4e-6, 17):
        trainer.params.b1[:] = -largest + nudge  # every unit's largest Z1 is about `nudge`
        np.testing.assert_array_equal(probe.silent(trainer.params), full_mask(trainer.params, data), f"{nudge}")
        for unit in range(trainer.params.hidden):  # one unit changed at a time: the recheck path, not a fresh start
            trainer.params.b1[unit] += 1e-7
            np.testing.assert_array_equal(probe.silent(trainer.params), full_mask(trainer.params, data))
