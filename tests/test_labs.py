"""The guided path and the answers kept in a run's log: replay passes over them, the path reads them back."""

import numpy as np
import pytest

from core.record.events import LabAnswer, TrainSamples, apply_events, event_from_dict, event_to_dict
from core.classwork.labs import LABS, PATH, answers, current_lab, done_labs, score, unanswered
from core.classwork.progress import log_facts, run_facts
from core.training.settings import Settings
from core.record.timeline import Keyframe, Timeline
from core.training.trainer import Trainer


@pytest.fixture(scope="module")
def data(mnist):
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


def answer(lab, question, right=True):
    return LabAnswer(lab, question, "up", "up" if right else "down", right)


def test_the_path_is_eight_labs_in_the_documents_order_each_with_one_to_three_questions():
    assert [lab.id for lab in PATH] == ["forward_pass", "loss", "one_step", "many_steps", "weights",
                                        "gradient_check", "learning_rate", "own_digit"]
    assert all(1 <= len(lab.questions) <= 3 and lab.screens for lab in PATH)


def test_an_answer_event_round_trips_and_a_hand_edited_one_is_refused():
    event = LabAnswer("one_step", "true_direction", "up", "down", False)
    assert event_from_dict(event_to_dict(event)) == event
    record = event_to_dict(event)
    for field, bad in (("right", "yes"), ("lab", "One Step"), ("given", "x" * 41), ("question", ""), ("answer", "a\nb")):
        with pytest.raises(ValueError):
            event_from_dict({**record, field: bad})
    with pytest.raises(ValueError):
        event_from_dict({**record, "extra": 1})


def test_answers_in_the_log_change_no_parameter_and_replay_passes_over_them(data):
    plain = apply_events(Trainer(Settings(), *data), [TrainSamples(300), TrainSamples(5)])
    events = [TrainSamples(300), answer("forward_pass", "relu"), answer("forward_pass", "prediction", False),
              TrainSamples(5), answer("loss", "loss")]
    with_answers = apply_events(Trainer(Settings(), *data), events)
    for a, b in zip(plain.params.as_tuple(), with_answers.params.as_tuple()):
        assert np.array_equal(a, b)
    # The timeline (time travel) walks over them too: every step is the step that ran.
    timeline = Timeline(Keyframe.of(Trainer(Settings(), *data), 0, 0), events, data)
    assert timeline.length == 305
    fresh = Trainer(Settings(), *data)
    fresh.train(300)
    ran = fresh.step()
    view = timeline.step(301)
    assert view.record.index == ran.index and np.array_equal(view.record.gradients.dW1, ran.gradients.dW1)
    assert np.array_equal(timeline.parameters(305).W1, plain.params.W1)


def test_a_lab_is_done_when_its_questions_are_answered_and_its_task_is_done(data):
    trainer = Trainer(Settings(), *data)
    facts = run_facts(trainer, log_facts(Settings(), [], branched=False))
    log = [answer("forward_pass", "relu"), answer("forward_pass", "prediction", right=False)]
    found = answers(log)
    assert unanswered(LABS["forward_pass"], found) == () and unanswered(LABS["loss"], found) == ("loss", "largest_term")
    assert done_labs(found, facts) == {"forward_pass"} and current_lab(done_labs(found, facts)) == 1
    assert score(found) == (1, 2)
    # Many steps asks for the first epoch too (the class task's check): answered alone it is not done.
    log += [answer("loss", "loss"), answer("loss", "largest_term"), answer("one_step", "dz2_sign"),
            answer("one_step", "dz2_value"), answer("one_step", "true_direction"), answer("many_steps", "accuracy")]
    assert "many_steps" not in done_labs(answers(log), facts) and current_lab(done_labs(answers(log), facts)) == 3
    trainer.train(60_000)
    facts = run_facts(trainer, log_facts(Settings(), [TrainSamples(60_000)], branched=False))
    assert current_lab(done_labs(answers(log), facts)) == 4
    # A later answer to the same question replaces the earlier one; an unknown lab is ignored.
    found = answers(log + [answer("loss", "loss", right=False), answer("retired_lab", "x")])
    assert found[("loss", "loss")].right is False and ("retired_lab", "x") not in found


def test_the_log_tally_counts_lab_answers_and_the_row_marks_the_labs_done(data):
    from core.classwork.labs import GUIDED_PATH, guided_lesson, lab_marks, lab_on
    from core.classwork.lesson import lesson_from_dict, lesson_to_dict
    from core.classwork.progress import LogTally

    tally = LogTally(Settings())
    log = [TrainSamples(2), answer("forward_pass", "relu"), answer("forward_pass", "prediction", False),
           answer("loss", "loss")]
    tally.add(log)
    facts = run_facts(apply_events(Trainer(Settings(), *data), log), tally.facts(branched=False))
    assert facts.log.lab_answers == {("forward_pass", "relu"), ("forward_pass", "prediction"), ("loss", "loss")}
    assert lab_marks(facts) == {"lab_forward_pass"} and lab_on(lab_marks(facts)) == 1
    assert lab_on(frozenset()) == 0 and lab_on({f"lab_{lab.id}" for lab in PATH}) == len(PATH)
    lesson = guided_lesson()
    assert GUIDED_PATH in lesson.tasks and lesson_from_dict(lesson_to_dict(lesson)) == lesson
