"""One rule for a percentage: every screen writes an accuracy with locales.percent, and a task is judged on
exactly that figure. The reproduction: the document's settings, one epoch; Train, Evaluate and the task list
must agree (the test set's accuracy, not a rounded neighbour, and a task that says how far it is)."""

import pytest

import locales
from core.record.events import TrainSamples, apply_events
from core.model.metrics import shown_percent
from core.classwork.progress import log_facts, run_facts
from core.training.settings import Settings
from core.classwork.tasks import TASKS, tasks_done
from core.training.trainer import Trainer
from ui import class_views, step_panel


@pytest.fixture(autouse=True)
def english():
    locales.activate("en")
    yield
    locales.activate("en")


def test_a_percentage_has_two_decimals_in_each_languages_signs():
    assert locales.percent(0.8998) == "89.98%"
    assert locales.percent(0.93) == "93.00%"
    assert locales.percent(0.9, 0) == "90%"
    locales.activate("el")
    assert locales.percent(0.8998) == "89,98%"
    assert locales.percent(1.0) == "100,00%"


def test_the_figure_a_task_judges_is_the_figure_written_for_every_test_set_accuracy():
    # An accuracy over the 10,000 test images is k / 10,000: each one is written exactly, and judged as written.
    for correct in range(10_001):
        fraction = correct / 10_000
        written = locales.percent(fraction)
        assert float(written[:-1]) == shown_percent(fraction) == correct / 100, written


def test_a_fraction_between_two_shown_figures_is_judged_as_it_is_shown():
    facts = run_facts_with(0.899996)  # written "90.00%": it is 90% on every screen, so the task is done
    assert locales.percent(0.899996) == "90.00%" and "accuracy_90" in tasks_done(facts, ["accuracy_90"])
    facts = run_facts_with(0.89984)  # written "89.98%"
    assert "accuracy_90" not in tasks_done(facts, ["accuracy_90"])
    assert TASKS["accuracy_90"].to_go(facts) == (89.98, 0.02)


def run_facts_with(best):
    from core.classwork.progress import LogFacts, Measured, RunFacts
    return RunFacts(step=1, epoch=0, sample=1, hidden=10, learning_rate=0.01, starting_rate=0.01,
                    accuracy=Measured(1, best), best_accuracy=best, silent_units=0, drawing_read=False, stopped=False,
                    log=LogFacts())


def test_one_epoch_of_the_document_reads_the_same_on_train_evaluate_and_the_task_list(mnist):
    data = (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)
    trainer = apply_events(Trainer(Settings(), *data), [TrainSamples(60_000)])
    facts = run_facts(trainer, log_facts(Settings(), [TrainSamples(60_000)], branched=False))
    evaluate = locales.percent(trainer.evaluate())  # the Evaluate screen's metric
    train_marks = step_panel.curve_fields(trainer, None, None)["tests"]  # the Train panel's epoch-end marks
    assert [label for _step, _accuracy, label in train_marks] == [figures_test_label(evaluate)]
    done = "accuracy_90" in tasks_done(facts, ["accuracy_90"])
    assert done == (float(evaluate[:-1]) >= 90.0)
    status = class_views.task_status(TASKS["accuracy_90"], done, facts)
    if done:
        assert status == "done"
    else:  # says how far, in the figure the screens show
        points = locales.number(round(90.0 - float(evaluate[:-1]), 2), ".2f")
        assert status == f"not yet: best test accuracy {evaluate}, {points} points to go"


def figures_test_label(accuracy: str) -> str:
    return locales._("test {accuracy}").format(accuracy=accuracy)
