"""The progress rows of a class's students (lab/classroom.py's ProgressWriter) on a real store and real runs:
the test accuracy is measured off the click's path, at most every few seconds per student, and the last
state of a student who stopped clicking is measured in the end; tasks done stay done."""

import time

import pytest

from core.classwork.lesson import Lesson
from core.classwork.progress import LogFacts, loss_sparkline
from core.model.batched import PROBE_IMAGES, hidden_sums, silent_units
from core.model.pixel_cache import float32_pixels
from core.training.settings import Settings
from core.training.trainer import Trainer
from lab.classroom import Seat
from lab.progress_writer import ACCURACY_SECONDS, ProgressCopy, ProgressWriter
from lab.stored_runs import StoreHandle


@pytest.fixture
def seated(tmp_path, mnist):
    """A store with a class of one student, that student's trainer, a writer that only writes when flushed, the key."""
    handle = StoreHandle(str(tmp_path / "runs.sqlite3"))
    store = handle.get()
    class_id, secret = store.create_class("Lab", Lesson(tasks=("silence_all", "first_epoch")), time.time() + 86400)
    run_id = store.create_run(Settings())
    member_id = store.join_class(class_id, "Ann", run_id)
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    seat = Seat(member_id, "Ann", store.class_info(class_id), run_id)
    yield store, seat, Trainer(Settings(), *data), ProgressWriter(handle, data, background=False), secret
    store.close()


def snapshot(seat, trainer, at) -> ProgressCopy:
    return ProgressCopy(seat, seat.run_id, trainer.settings, trainer.params.copy(), trainer.epoch, trainer.index,
                    trainer.step_count, trainer.drawings, trainer.stopped_reason, trainer.history.test_accuracy,
                    loss_sparkline(trainer.history), LogFacts(), at)


def test_accuracy_is_measured_at_most_every_few_seconds_and_the_last_state_in_the_end(seated):
    store, seat, trainer, writer, _ = seated
    start = time.time()
    trainer.train(100)
    writer.submit(snapshot(seat, trainer, start))
    assert writer.flush(start) == 1
    row = store.member(seat.member_id).progress
    assert (row.step, row.accuracy_step, row.accuracy) == (100, 100, trainer.evaluate())
    measured_at_100 = trainer.evaluate()
    trainer.train(100)
    writer.submit(snapshot(seat, trainer, start + 1))
    writer.flush(start + 1)  # too soon to measure again: the step moves, the accuracy waits
    row = store.member(seat.member_id).progress
    assert (row.step, row.accuracy_step, row.accuracy) == (200, 100, measured_at_100)
    assert row.active == start + 1 and len(row.losses) == 24
    assert writer.flush(start + 2) == 0  # nothing new, and not due yet
    assert writer.flush(start + ACCURACY_SECONDS + 0.5) == 1  # the last click's state, measured once due
    row = store.member(seat.member_id).progress
    assert (row.step, row.accuracy_step, row.accuracy) == (200, 200, trainer.evaluate())
    assert writer.flush(start + 3 * ACCURACY_SECONDS) == 0


def test_a_task_done_stays_done_though_a_later_state_undoes_it(seated, mnist):
    store, seat, trainer, writer, _ = seated
    trainer.change_settings(Settings(learning_rate=50.0))
    trainer.train(100)  # α = 50 silences every unit
    writer.submit(snapshot(seat, trainer, time.time()))
    writer.flush()
    assert store.member(seat.member_id).progress.tasks == ("silence_all",) and seat.done == {"silence_all"}
    fresh = Trainer(Settings(), *trainer.data)
    fresh.train(10)  # a new run (a reset) with working units
    writer.submit(snapshot(seat, fresh, time.time()))
    writer.flush(time.time() + ACCURACY_SECONDS)
    progress = store.member(seat.member_id).progress
    assert progress.silent < 10 and progress.tasks == ("silence_all",)


def test_each_rows_silent_units_are_those_of_its_parameters_as_units_fall_silent(seated):
    """The writer keeps each student's silent-unit probe from row to row: every row still counts in full."""
    store, seat, trainer, writer, _ = seated
    trainer.change_settings(Settings(learning_rate=0.1))  # units fall silent, and some come back
    probe = float32_pixels(trainer.data[2])[:PROBE_IMAGES]
    counts = []
    for click in range(8):
        trainer.train(400)
        writer.submit(snapshot(seat, trainer, time.time()))
        writer.flush()
        counts.append(store.member(seat.member_id).progress.silent)
        assert counts[-1] == silent_units(hidden_sums(trainer.params, probe)).sum()
    assert len(set(counts)) > 1


def test_a_class_its_teacher_ends_becomes_read_only_for_a_student_at_their_next_row(seated):
    store, seat, trainer, writer, secret = seated
    assert seat.info.is_open()
    store.end_class(seat.info.id, secret)  # the teacher, in another session or on another replica
    trainer.train(10)
    writer.submit(snapshot(seat, trainer, time.time()))
    writer.flush()
    assert not seat.info.is_open() and store.member(seat.member_id).progress.step == 0  # nothing written after
