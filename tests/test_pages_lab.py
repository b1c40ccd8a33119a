"""The Lab screen in AppTest: a learner predicts, steps and is checked; answers stay with the run; Greek too."""

import re

import numpy as np

from core.record.events import LabAnswer
from tests.app_session import fresh_app, session_of, trainer_of

NUMBER = r"(−?-?\d+[.,]\d+)"


def lab_app(query=None):
    app = fresh_app(query)
    app.switch_page("pages/lab.py").run()
    assert not app.exception, [error.value for error in app.exception]
    return app


def question_text(app) -> str:
    """The open question: the form's first markdown block."""
    return next(block.value for block in app.markdown if block.value.endswith("?"))


def numbers_in(text) -> list[float]:
    return [float(value.replace("−", "-").replace(",", ".")) for value in re.findall(NUMBER, text)]


def submit(app):
    next(button for button in app.button if button.proto.is_form_submitter).click().run()
    assert not app.exception, [error.value for error in app.exception]


def logged_answers(app) -> list:
    state = session_of(app)
    return [event for event in state.run.handle.get().events_since(state.run.run_id, 0) if isinstance(event, LabAnswer)]


def test_a_learner_completes_the_first_lab_with_a_right_and_a_wrong_prediction():
    app = lab_app()
    assert "1 · The network and one forward pass" in app.subheader[0].value
    # Question 1: A1 = ReLU(Z1) for the unit it names. The learner works it out from the number shown.
    text = question_text(app)
    z1 = numbers_in(text.split("Z1 =")[1])[0]
    app.number_input[0].set_value(max(0.0, z1))
    submit(app)
    assert trainer_of(app).step_count == 1
    assert app.success and app.success[0].value.startswith("Right.") and "ReLU" in app.success[0].value
    # Question 2: the predicted digit. The learner picks a digit whose Z2 is not the largest: wrong on purpose.
    text = question_text(app)
    z2 = np.array(numbers_in(text.split("Z2 is")[1])[:10])
    wrong = int(np.argmin(z2))
    app.radio(key="lab_given_prediction").set_value(str(wrong))
    submit(app)
    assert trainer_of(app).step_count == 2
    warning = app.warning[0].value
    assert warning.startswith(f"Not this time: you said {wrong}, the run gave {int(np.argmax(z2))}.")
    assert f"digit {int(np.argmax(z2))} has the largest Z2" in warning
    assert [(a.lab, a.question, a.right) for a in logged_answers(app)] == [
        ("forward_pass", "relu", True), ("forward_pass", "prediction", False)]
    assert any("Lab done." in block.value for block in app.success)
    assert "1 of 8 labs done · 1 of 2 predictions right" in app.get("progress")[0].proto.text
    # On to the next lab.
    next(button for button in app.button if button.label.startswith("Next lab")).click().run()
    assert "2 · The loss" in app.subheader[0].value


def test_no_step_without_a_prediction():
    app = lab_app()
    submit(app)
    assert trainer_of(app).step_count == 0 and "Make your prediction first" in app.warning[0].value
    assert logged_answers(app) == []


def test_a_reopened_run_resumes_the_path_where_it_was():
    app = lab_app()
    app.number_input[0].set_value(12.0)  # a wrong A1, most likely; either way it is answered
    submit(app)
    app.radio(key="lab_given_prediction").set_value("3")
    submit(app)
    run_id = session_of(app).run.run_id
    again = lab_app({"run": run_id})
    assert session_of(again).run.run_id == run_id and trainer_of(again).step_count == 2
    assert "2 · The loss" in again.subheader[0].value  # the first lab not done
    assert "1 of 8 labs done" in again.get("progress")[0].proto.text
    picker = next(box for box in again.selectbox if box.label == "Lab")
    picker.set_value(picker.options[0]).run()
    kept = [block.value for block in again.markdown if block.value.startswith(":material/")]
    assert len(kept) == 2 and "Question 2: you said 3" in kept[1]


def test_in_greek():
    app = lab_app({"lang": "el"})
    assert app.title[0].value == "Εργαστήριο"
    assert "Το δίκτυο και ένα forward propagation" in app.subheader[0].value
    app.number_input[0].set_value(-5.0)  # A1 is never negative: wrong
    submit(app)
    warning = app.warning[0].value
    assert warning.startswith("Όχι αυτή τη φορά") and "ReLU" in warning
    assert re.search(r"\d,\d{3}", warning)  # numbers with the Greek decimal comma


def test_a_lab_with_its_questions_answered_names_the_task_left():
    """Lab 4 asks one question, then waits for its task (a whole epoch): the screen says which, in words."""
    app = lab_app()
    picker = next(box for box in app.selectbox if box.label == "Lab")
    picker.set_value(picker.options[3]).run()
    app.radio(key="lab_given_accuracy").set_value(app.radio(key="lab_given_accuracy").options[0])
    submit(app)
    assert trainer_of(app).step_count == 1000
    assert any(block.value.startswith("To finish this lab: Train a whole epoch. All 60,000 training images")
               for block in app.info), [block.value for block in app.info]
