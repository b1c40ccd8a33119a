"""ui/weight_frames.py: which frames the Weights player gets, what each measures, and how compactly they travel."""

import numpy as np
import pytest

from core.model.network import forward, init_parameters
from core.model.pixel_cache import float32_pixels
from core.training.settings import Settings
from core.training.trajectory import TrajectoryPoints
from core.model import batched
from core.model.batched import PROBE_IMAGES, FrameMeasures
from core.training.trainer import Trainer
from tests.weight_payload import decode, decoded_W1
from ui import weight_frames
from ui.weight_frames import frame_limit, merge_frames, payload, thin_evenly

TRAINING_SIZE = 60_000


def frames_at(steps, seed=0):
    """One small (step, parameters) frame per step, each with its own parameters."""
    return [(step, init_parameters(3, "uniform", seed + index)) for index, step in enumerate(steps)]


def no_measures(count, hidden):
    return [FrameMeasures(0.5, np.zeros(hidden, dtype=bool))] * count


def test_two_sources_merge_in_step_order_one_frame_a_step_and_the_second_source_wins_a_tie():
    trajectory = frames_at([0, 13, 29, 100, 250])
    keyframes = frames_at([0, 100, 200], seed=50)
    merged = merge_frames(trajectory, keyframes)
    assert [step for step, _ in merged] == [0, 13, 29, 100, 200, 250]
    by_step = dict(merged)
    assert by_step[0] is keyframes[0][1] and by_step[100] is keyframes[1][1]  # the exact keyframe, not the trajectory point
    assert by_step[13] is trajectory[1][1]


def test_thinning_keeps_the_first_and_last_frame_and_spreads_the_rest_evenly_in_step():
    log_spaced = [0]  # where training takes its trajectory points over a 10-epoch run (core/training/trajectory.py)
    while log_spaced[-1] < 600_000:
        log_spaced.append(min(600_000, TrajectoryPoints(init_parameters(3)).due_after(log_spaced[-1])))
    even = list(range(0, 600_001, 5_000))
    merged = merge_frames(frames_at(log_spaced), frames_at(even, seed=100), limit=100)
    steps = [step for step, _ in merged]
    assert len(steps) == 100 and steps[0] == 0 and steps[-1] == 600_000
    assert steps == sorted(set(steps))
    gaps = np.diff(steps)
    assert gaps.max() <= 2 * steps[-1] / 99  # no hole much wider than an even spacing would leave


def test_thinning_an_even_run_leaves_even_gaps():
    steps = [step for step, _ in thin_evenly([(step, None) for step in range(1000)], 11)]
    assert len(steps) == 11 and steps[0] == 0 and steps[-1] == 999
    assert np.diff(steps).min() >= 999 / 10 / 2 and np.diff(steps).max() <= 2 * 999 / 10


def test_fewer_frames_than_the_limit_are_all_kept():
    frames = frames_at([0, 5, 9])
    assert merge_frames(frames) == frames


def test_the_frame_count_shrinks_for_wide_layers_so_the_payload_stays_bounded():
    assert frame_limit(10) == weight_frames.MAX_FRAMES
    assert frame_limit(64) * 784 * 64 <= weight_frames.W1_BUDGET < (frame_limit(64) + 1) * 784 * 64


def test_150_frames_of_ten_units_travel_in_under_one_and_a_half_megabytes():
    frames = [(step, init_parameters(10, "uniform", step)) for step in range(150)]
    size = len(payload(frames, no_measures(150, 10), TRAINING_SIZE))
    assert size < 1_500_000, size


@pytest.fixture(scope="module")
def trained(mnist):
    trainer = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer.train(3000)
    return trainer


def test_decoded_weights_are_within_one_quantisation_step_of_the_frames(trained):
    frames = weight_frames.frames(trained)
    header, arrays = decode(payload(frames, no_measures(len(frames), 10), TRAINING_SIZE))
    W1 = np.stack([params.W1.T for _, params in frames]).astype(np.float64)
    quantum = np.array(header["quantum"])
    assert header["steps"] == [step for step, _ in trained.trajectory()]
    error = np.abs(decoded_W1(header, arrays) - W1).max(axis=(1, 2))
    assert (error <= quantum + 1e-6).all(), error / quantum
    assert (quantum[1:] > 0).all() and quantum[0] == 0  # frame 0 is the start itself: no change to quantise
    for name in ("W2", "b1", "b2"):
        np.testing.assert_array_equal(arrays[name], np.stack([getattr(params, name) for _, params in frames]).astype(np.float32))


def test_the_fixed_colour_scale_is_one_number_for_every_frame_and_the_per_frame_scales_are_each_frames_own(trained):
    frames = weight_frames.frames(trained)
    header, _ = decode(payload(frames, no_measures(len(frames), 10), TRAINING_SIZE))
    W1 = np.abs(np.stack([params.W1 for _, params in frames]).astype(np.float64))
    limits = header["limits"]["W1"]
    assert isinstance(limits["fixed"], float)
    assert limits["fixed"] == pytest.approx(np.percentile(W1, 99.9))
    assert limits["frame"] == pytest.approx([np.percentile(frame, 99.9) for frame in W1])
    assert limits["largest"] == pytest.approx(W1.max())
    change = np.abs(np.stack([params.W1 - frames[0][1].W1 for _, params in frames]).astype(np.float64))
    assert header["limits"]["W1_change"]["fixed"] == pytest.approx(np.percentile(change, 99.9))
    second_layer = [np.concatenate([params.W2.ravel(), params.b2]) for _, params in frames]
    assert header["limits"]["W2"]["fixed"] == pytest.approx(max(np.abs(values).max() for values in second_layer))


def test_a_frames_measures_are_its_test_accuracy_and_its_silent_units(trained, mnist):
    current = trained.trajectory()[-1][1]
    killed = current.copy()
    killed.W1[:, 3], killed.b1[3] = -1.0, -1.0  # unit 4 can never fire on pixels ≥ 0
    X = float32_pixels(mnist.test_images)
    now, dead = (batched.measure(params, X, mnist.test_labels) for params in (current, killed))
    assert now.accuracy == trained.evaluate()
    np.testing.assert_array_equal(now.silent, trained.dead_units())
    X = mnist.test_images[:PROBE_IMAGES].reshape(-1, 784) / 255.0
    expected = ((X @ killed.W1 + killed.b1) <= 0).all(axis=0)
    assert expected[3] and not expected.all()
    np.testing.assert_array_equal(dead.silent, expected)
    predictions = forward(killed, mnist.test_images.reshape(-1, 784) / 255.0).A2.argmax(axis=1)
    assert dead.accuracy == pytest.approx((predictions == mnist.test_labels).mean(), abs=2e-4)


def test_frames_measured_together_measure_as_each_alone(trained, mnist):
    frames = [params for _, params in weight_frames.frames(trained)]
    frames.append(frames[-1].copy())
    frames[-1].W1[:, 3], frames[-1].b1[3] = -1.0, -1.0
    X = float32_pixels(mnist.test_images)
    together = batched.measure_together(frames, X, mnist.test_labels)
    alone = [batched.measure(params, X, mnist.test_labels) for params in frames]
    assert len(frames) > batched.BATCH  # more than one batch
    for one, other in zip(together, alone):
        assert one.accuracy == pytest.approx(other.accuracy, abs=1 / 10_000)  # a tie broken otherwise, at most
        np.testing.assert_array_equal(one.silent, other.silent)
    assert together[-1].silent[3]


def test_measures_remembered_for_a_frame_are_reused_and_forgotten_once_the_frame_is_gone(trained, mnist):
    frames = weight_frames.frames(trained)
    memory = {}
    first = weight_frames.measured(frames, mnist.test_images, mnist.test_labels, memory)
    again = weight_frames.measured(frames, mnist.test_images, mnist.test_labels, memory)
    assert all(a is b for a, b in zip(first, again))  # not recomputed
    weight_frames.measured(frames[:2], mnist.test_images, mnist.test_labels, memory)
    assert len(memory) == 2


def test_the_palette_is_the_apps_diverging_one_white_at_zero():
    colours = np.array(weight_frames.palette()).reshape(-1, 3)
    assert len(colours) == 255
    assert colours[127].tolist() == [255, 255, 255]
    assert colours[0].tolist() == [33, 102, 172] and colours[-1].tolist() == [178, 24, 43]  # figures.NEGATIVE, POSITIVE
