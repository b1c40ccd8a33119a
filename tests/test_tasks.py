"""Tasks that check themselves, each on real trained runs of real MNIST: done when the run's state says so,
not done a step before; and the facts they read (core/classwork/progress.py) against independent computations."""

import numpy as np
import pytest

from core.record.events import SettingsChanged, StepOnImage, TrainSamples, apply_events
from core.classwork.progress import LogTally, Measured, log_facts, loss_sparkline, run_facts
from core.training.settings import Settings
from core.classwork.tasks import CATALOGUE, TASKS, known, tasks_done
from core.training.trainer import Trainer
from locales.task_words import task_explanation, task_short, task_title


@pytest.fixture(scope="module")
def data(mnist):
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


def trained(data, settings=Settings(), events=()):
    """A real run: `events` applied to a fresh trainer (the same replay a stored run gets), and its facts."""
    trainer = apply_events(Trainer(settings, *data), list(events))
    return trainer, run_facts(trainer, log_facts(settings, list(events), branched=False))


def done(task_id, facts) -> bool:
    return task_id in tasks_done(facts, [task_id])


def test_the_catalogue_has_at_least_eight_tasks_each_saying_what_counts_as_done():
    assert len(CATALOGUE) >= 8 and len(TASKS) == len(CATALOGUE)
    for task in CATALOGUE:
        title, short, done_when = task_title(task.id), task_short(task.id), task_explanation(task)
        assert title and short and len(short) <= 12 and done_when.endswith(".")
    assert known(["branch", "retired_task", "decay"]) == ("branch", "decay")


def test_a_whole_epoch_is_done_at_60000_samples_not_one_before(data):
    trainer, facts = trained(data, events=[TrainSamples(59_999)])
    assert not done("first_epoch", facts)
    trainer.train(1)
    assert done("first_epoch", run_facts(trainer, facts.log))


def test_accuracy_tasks_follow_the_test_set_measured_now_or_at_an_epoch_end(data):
    untrained, facts = trained(data)
    assert facts.accuracy.accuracy == untrained.evaluate() < 0.5 and not done("accuracy_90", facts)
    document, facts = trained(data, events=[TrainSamples(120_000)])  # two epochs of the document's settings
    ends = [accuracy for _, _, accuracy in document.history.test_accuracy]
    assert facts.best_accuracy == max(ends) and done("accuracy_90", facts) == (max(ends) >= 0.90)
    assert done("accuracy_90", facts) and not done("accuracy_93", facts)
    wide = Settings(hidden=64, rule="cross-entropy", learning_rate=0.02, init="he")
    trainer, facts = trained(data, wide, [TrainSamples(30_000)])
    assert facts.accuracy == Measured(30_000, trainer.evaluate()) and trainer.evaluate() >= 0.93
    assert done("accuracy_93", facts)
    # a measurement handed in is used as it is (the dashboard measures only now and then)
    stale = run_facts(trainer, facts.log, accuracy=Measured(100, 0.5))
    assert stale.accuracy == Measured(100, 0.5) and not done("accuracy_90", stale)


def test_silencing_every_hidden_unit_needs_a_large_alpha(data):
    _, calm = trained(data, events=[TrainSamples(200)])
    trainer, wild = trained(data, Settings(learning_rate=50.0), [TrainSamples(200)])
    assert trainer.dead_units().all() and wild.silent_units == wild.hidden == 10
    assert done("silence_all", wild) and not done("silence_all", calm) and calm.silent_units < calm.hidden


def test_own_drawing_is_done_when_the_model_reads_the_drawing_as_its_label(data):
    drawing = data[2][1]  # a test image as the learner's "drawing": a 2
    _, before = trained(data, events=[TrainSamples(300)])
    assert not done("own_drawing", before)  # no drawing in the log
    label = 5  # not what it shows, so it takes several steps
    events = [TrainSamples(300)] + [StepOnImage.of(drawing, label)]
    trainer, facts = trained(data, events=events)
    assert done("own_drawing", facts) == (trainer.evaluate(drawing[None], [label]) == 1.0)
    steps = 1
    while not done("own_drawing", facts):
        events.append(StepOnImage.of(drawing, label))
        trainer, facts = trained(data, events=events)
        steps += 1
        assert steps < 200
    assert trainer.evaluate(drawing[None], [label]) == 1.0  # independently: the network reads it as a 5
    assert facts.log.last_drawing == StepOnImage.of(drawing, label)


def test_branch_is_done_for_a_run_that_has_a_parent(data):
    _, root = trained(data, events=[TrainSamples(50)])
    branch_log = log_facts(Settings(), [TrainSamples(50), SettingsChanged.of(learning_rate=0.02)], branched=True)
    assert not done("branch", root) and done("branch", run_facts(Trainer(Settings(), *data), branch_log))


def test_the_mse_epoch_counts_updates_trained_with_the_exact_rule_across_settings_changes(data):
    half = [TrainSamples(30_000), SettingsChanged.of(rule="mse"), TrainSamples(30_000)]
    _, facts = trained(data, events=half)
    assert facts.log.samples_with("mse") == 30_000 and facts.log.samples_with("document") == 30_000
    assert not done("mse_epoch", facts)
    _, facts = trained(data, events=half + [TrainSamples(30_000)])
    assert done("mse_epoch", facts)
    _, facts = trained(data, Settings(rule="mse"), [TrainSamples(60_000)])
    assert done("mse_epoch", facts)


def test_three_rules_needs_a_thousand_updates_with_each(data):
    log = [TrainSamples(1000), SettingsChanged.of(rule="mse"), TrainSamples(1000),
           SettingsChanged.of(rule="cross-entropy"), TrainSamples(999)]
    _, short = trained(data, events=log)
    assert not done("three_rules", short)
    _, enough = trained(data, events=log + [StepOnImage.of(data[2][0], 7)])  # a drawing is an update too
    assert done("three_rules", enough)


def test_decay_is_done_once_alpha_fell_below_its_start(data):
    trainer, facts = trained(data, Settings(decay_period=1), [TrainSamples(60_000)])
    assert trainer.learning_rate == 0.005 and done("decay", facts)
    _, flat = trained(data, Settings(decay_period=1, decay_factor=1.0), [TrainSamples(60_000)])
    assert not done("decay", flat) and done("first_epoch", flat)


def test_the_tally_counts_a_log_in_pieces_as_it_counts_it_whole(data):
    log = [TrainSamples(10), SettingsChanged.of(rule="mse"), StepOnImage.of(data[2][0], 7), TrainSamples(5),
           SettingsChanged.of(rule="cross-entropy", learning_rate=0.02), TrainSamples(3)]
    tally = LogTally(Settings())
    for start in range(0, len(log), 2):
        tally.add(log[start:start + 2])
    assert tally.facts(True) == log_facts(Settings(), log, True)
    assert dict(tally.facts(True).samples_by_rule) == {"document": 10, "mse": 6, "cross-entropy": 3}


def test_the_loss_sparkline_is_the_mean_loss_of_equal_stretches_of_steps(data):
    trainer = Trainer(Settings(), *data)
    losses = [trainer.step().loss_before for _ in range(240)]
    line = loss_sparkline(trainer.history, points=24)
    expected = np.asarray(losses).reshape(24, 10).mean(axis=1)
    np.testing.assert_allclose(line, expected, atol=1e-4)
    assert loss_sparkline(Trainer(Settings(), *data).history) == ()
