"""A class through the app (AppTest) on a real SQLite store: a teacher creates it, students join with the link,
train and finish tasks, the dashboard shows them, and the locks and the teacher's key hold.

Each AppTest is one browser session. The students' progress rows are written by the process's
ProgressWriter thread; a test flushes it to read what the dashboard would read next.
"""

import json
import os
import re
import time

import pandas as pd
import pytest

import locales
from core.classwork.lesson import Lesson
from core.training.settings import Settings
from runs.store import RunStore
from tests.app_session import charts, fresh_app, session_of, trainer_of, train_click
from tests.saying import raises_saying
from lab import classroom, progress_writer
from ui.class_views import literal
from ui.dashboard import active_text, csv_text

LESSON = Lesson(Settings(learning_rate=0.05, rule="mse"), frozenset({"learning_rate"}), ("loss_surface",),
                ("silence_all", "first_epoch", "branch"))
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def store():
    opened = RunStore(os.environ["BACKPROP_STORE"])
    yield opened
    opened.close()


def new_class(store, lesson=LESSON, name="Lab 3"):
    return store.create_class(name, lesson, time.time() + 86400)


def texts(app) -> str:
    return " ".join(element.value for kind in ("title", "subheader", "markdown", "caption", "info", "success",
                                              "warning", "error") for element in getattr(app, kind))


def joined(class_id, name, query=None):
    """A new browser session that opened the join link and joined as `name`."""
    app = fresh_app({"join": class_id, **(query or {})})
    app.switch_page("pages/teach.py").run()
    app.text_input[0].input(name)
    next(button for button in app.button if button.label.startswith("Join")).click().run()
    return app


def flush(app, later=0.0):
    """Write the pending progress rows now (`later` seconds on, so a deferred accuracy is due)."""
    state = session_of(app)
    progress_writer.progress_writer(state.run.handle, state.run.data).flush(time.time() + later)


def student_table(app, shown=False) -> pd.DataFrame:
    """The dashboard's table of students as the component gets it (ui/class_table.py): by column key, each cell's
    value (a list's items, a curve's values), or with `shown` the text it shows."""
    [table] = [element for element in app.get("bidi_component") if element.proto.component_name == "backprop_class_table"]
    rows = json.loads(table.proto.json)["rows"]
    return pd.DataFrame([{key: cell["text"] if shown else cell.get("values", cell["sort"])
                          for key, cell in row["cells"].items()} for row in rows])


def teacher(class_id, secret):
    app = fresh_app({"class": class_id, "key": secret})
    app.switch_page("pages/teach.py").run()
    return app


def test_a_teacher_creates_a_class_and_is_given_both_links(store):
    app = fresh_app()
    app.switch_page("pages/teach.py").run()
    app.text_input[0].input("Lab **4**")
    app.number_input(key="lesson_learning_rate").set_value(0.02)
    app.checkbox(key="lesson_lock_learning_rate").check()
    app.multiselect[0].unselect("loss_surface")
    app.button[0].click().run()
    class_id = app.query_params["class"][0] if isinstance(app.query_params["class"], list) else app.query_params["class"]
    info = store.class_info(class_id)
    assert info.name == "Lab **4**" and info.lesson.locked == {"learning_rate"}
    assert info.lesson.settings.learning_rate == 0.02 and info.lesson.hidden_screens == ("loss_surface",)
    codes = [code.value for code in app.code]
    assert f"/teach?join={class_id}" in codes
    teacher_link = next(code for code in codes if "key=" in code)
    secret = teacher_link.split("key=")[1]
    assert store.teacher_class(class_id, secret) == info
    assert "key" not in app.query_params  # out of the address bar
    assert "losing it means creating a new class" in texts(app)
    assert "Lab \\*\\*4\\*\\*" in texts(app)  # the name shown as typed, not in bold
    assert "No student has joined yet" in texts(app)


def test_a_student_joins_with_a_name_shown_exactly_as_typed_and_gets_their_run_link(store):
    class_id, _ = new_class(store)
    app = joined(class_id, HOSTILE)
    state = session_of(app)
    seat = state.classroom.seat
    assert not app.exception and seat is not None and seat.name == HOSTILE
    assert "join" not in app.query_params and app.query_params["run"] in (seat.run_id, [seat.run_id])
    assert [member.name for member in store.class_members(class_id)] == [HOSTILE]
    assert store.member_of_run(state.run.run_id).name == HOSTILE
    assert literal(HOSTILE) in texts(app) and "Your class" in texts(app)
    assert any(code.value.endswith(f"train?run={seat.run_id}") for code in app.code)
    assert trainer_of(app).settings == Settings(learning_rate=0.05, rule="mse")  # the lesson's settings
    assert "not yet" in texts(app)


def test_reopening_the_join_link_offers_a_new_run_never_someone_elses(store):
    class_id, _ = new_class(store)
    first = joined(class_id, "Ann")
    first.switch_page("pages/train.py").run()
    train_click(first, 10)
    again = joined(class_id, "ann")  # the same name, in a new browser: asked first, nobody joined yet
    assert "**ann** is already in this class" in " ".join(block.value for block in again.warning)
    assert [member.name for member in store.class_members(class_id)] == ["Ann"]
    again.button(key="join_second_person").click().run()  # a second person of that name
    assert session_of(again).run.run_id != session_of(first).run.run_id
    assert trainer_of(again).step_count == 0 and trainer_of(first).step_count == 10
    members = store.class_members(class_id)
    assert [member.name for member in members] == ["Ann", "ann"] and len({m.run_id for m in members}) == 2


def test_a_locked_setting_cannot_be_changed_through_the_link_or_the_forms(store):
    class_id, _ = new_class(store)
    app = joined(class_id, "Bo")
    run_id = session_of(app).run.run_id
    # the link: a reload with another learning rate in the URL opens the run as it is, and says why
    reloaded = fresh_app({"run": run_id, "lr": "50", "rule": "document"})
    assert trainer_of(reloaded).settings.learning_rate == 0.05
    assert "lr=50 in the link is ignored: your class locks the learning rate α at 0.05" in texts(reloaded)
    reloaded.switch_page("pages/train.py").run()
    rate = reloaded.number_input(key="setting_lr")
    assert rate.disabled and rate.value == 0.05 and not reloaded.selectbox(key="setting_rule").disabled
    # the form: the suggested rule changes on Reset, the locked α cannot be touched
    reloaded.selectbox(key="setting_rule").set_value("cross-entropy")
    next(button for button in reloaded.button if button.label.startswith("Reset with")).click().run()
    assert trainer_of(reloaded).settings == Settings(learning_rate=0.05, rule="cross-entropy")
    new_run = session_of(reloaded).run.run_id
    assert new_run != run_id and store.member_of_run(new_run).name == "Bo"  # still the same student
    # the branch form: a changed α is refused, the run unchanged
    reloaded.run()  # AppTest finishes the form's rerun on the next run; a browser does it at once
    train_click(reloaded, 10)
    session_of(reloaded).view(5)
    reloaded.run()
    assert reloaded.number_input(key="branch_lr").disabled
    with raises_saying(ValueError, "your class locks learning rate α, so it stays"):
        session_of(reloaded).branch({"learning_rate": 0.5})
    session_of(reloaded).branch({"decay_period": 2})  # a suggested setting may change
    assert trainer_of(reloaded).settings.decay_period == 2 and trainer_of(reloaded).settings.learning_rate == 0.05
    # a client that sent the disabled α anyway (no browser can) still gets the lesson's
    session_of(reloaded).reset(Settings(learning_rate=3.0, rule="cross-entropy"))
    assert trainer_of(reloaded).settings == Settings(learning_rate=0.05, rule="cross-entropy")


def test_the_dashboard_shows_every_student_and_their_task_and_exports_csv(store):
    lesson = Lesson(Settings(learning_rate=50.0), frozenset(), (), ("silence_all", "first_epoch"))
    class_id, secret = new_class(store, lesson, "Lab 5")
    students = {name: joined(class_id, name) for name in ("Ann", "**bold**", "=cmd()")}
    steps = {"Ann": 100, "**bold**": 10, "=cmd()": None}
    for name, app in students.items():
        app.switch_page("pages/train.py").run()
        if steps[name]:
            train_click(app, steps[name])
    flush(students["Ann"])
    app = teacher(class_id, secret)
    table = student_table(app).set_index("Student")
    assert set(table.index) == set(students)
    assert table.loc["Ann", "Step"] == 100 and table.loc["**bold**", "Step"] == 10 and table.loc["=cmd()", "Step"] == 0
    assert table.loc["Ann", "Tasks"] == 1 and table.loc["Ann", "Done"] == ["all silent"]  # α = 50 silences all
    assert table.loc["=cmd()", "Tasks"] == 0 and 0 <= table.loc["Ann", "Accuracy"] <= 1
    chart, arrays = charts(app)["class_accuracy"]  # drawn by the chart kit: the dashboard loads no plotly (issue 24)
    assert not app.get("plotly_chart") and chart["title"] == "Test accuracy of the students' runs"
    assert chart["x_title"] == "test accuracy" and chart["y_title"] == "students"
    assert arrays["values"].sum() == table["Accuracy"].notna().sum()  # every student with a test accuracy, once
    assert chart["series"][0]["text"] == [f"{count:.0f}" for count in arrays["values"]]
    tasks = app.dataframe[0].value.set_index("Task")
    assert tasks.loc["Silence every hidden unit", "Done by"] == 1 and tasks.loc["Train a whole epoch", "Done by"] == 0
    # the student sees it done on their own screen too
    students["Ann"].switch_page("pages/teach.py").run()
    assert "**Silence every hidden unit** · done" in texts(students["Ann"])
    assert "**Train a whole epoch** · not yet" in texts(students["Ann"])
    csv = csv_text(store.class_members(class_id), lesson.tasks)
    assert "'=cmd()" in csv and "**bold**" in csv and "silence_all" in csv


@pytest.mark.parametrize("key, message", [("wrong-key", "teacher key in this link is wrong"),
                                          (None, "holds no teacher key")])
def test_a_wrong_or_missing_teacher_key_is_refused(store, key, message):
    class_id, _ = new_class(store)
    joined(class_id, "Ann")
    app = fresh_app({"class": class_id, **({"key": key} if key else {})})
    app.switch_page("pages/teach.py").run()
    assert message in texts(app) and not app.dataframe
    assert "Ann" not in texts(app)
    with pytest.raises(PermissionError):
        classroom.open_read_only(session_of(app), class_id, store.class_members(class_id)[0].id)


def test_the_teacher_opens_a_students_run_read_only_and_goes_back(store):
    class_id, secret = new_class(store)
    student = joined(class_id, "Cy")
    student.switch_page("pages/train.py").run()
    train_click(student, 100)
    app = teacher(class_id, secret)
    own_run = session_of(app).run.run_id
    member = store.class_members(class_id)[0]
    classroom.open_read_only(session_of(app), class_id, member.id)
    app.switch_page("pages/train.py").run()
    assert trainer_of(app).step_count == 100 and not app.exception
    assert "Cy" in texts(app) and "read-only" in texts(app)
    assert not [button for button in app.button if button.label == "Step"]
    assert "run" not in app.query_params or app.query_params["run"] not in (member.run_id, [member.run_id])
    with raises_saying(RuntimeError, "read-only"):
        session_of(app).train(1)
    next(button for button in app.button if button.label == "Back to the dashboard").click().run()
    assert session_of(app).run.run_id == own_run and session_of(app).classroom.viewing is None
    assert store.run_info(member.run_id).length == 1  # the student's run: only the student's own click


def test_a_class_past_its_end_is_read_only_for_its_students(store):
    class_id, secret = new_class(store)
    student = joined(class_id, "Di")
    store.end_class(class_id, secret)
    reopened = fresh_app({"run": session_of(student).run.run_id})
    reopened.switch_page("pages/train.py").run()
    assert not [button for button in reopened.button if button.label == "Step"]
    assert "Your class ended" in texts(reopened)
    late = fresh_app({"join": class_id})
    late.switch_page("pages/teach.py").run()
    assert "takes no new students" in texts(late) and not late.text_input


def test_a_students_navigation_leaves_out_what_the_class_hides(store):
    class_id, _ = new_class(store)
    app = joined(class_id, "Ed")
    with pytest.raises(ValueError, match="Could not find a navigation page") as refused:
        app.switch_page("pages/loss_surface.py")
    assert "loss_surface.py" not in str(refused.value).split("Known pages")[1] and "weights.py" in str(refused.value)
    app.switch_page("pages/weights.py").run()
    assert not app.exception
    outsider = fresh_app()
    outsider.switch_page("pages/loss_surface.py").run()  # a learner in no class sees every screen
    assert not outsider.exception


def test_an_ended_classs_run_cannot_be_trained_through_compare_either(store):
    class_id, secret = new_class(store)
    student = joined(class_id, "Flo")
    other = store.create_run(LESSON.settings)
    store.end_class(class_id, secret)
    app = fresh_app({"compare": f"{session_of(student).run.run_id},{other}"})
    app.switch_page("pages/compare.py").run()
    errors = " ".join(error.value for error in app.error)
    assert "belongs to a class that has ended, so it is read-only" in errors
    assert session_of(app).comparison is None


def test_a_class_in_greek_the_join_form_the_tasks_and_the_dashboard(store):
    class_id, secret = new_class(store, Lesson(Settings(learning_rate=50.0), frozenset({"learning_rate"}), (),
                                               ("silence_all", "three_rules")), "Τμήμα Α")
    student = fresh_app({"join": class_id, "lang": "el"})
    student.switch_page("pages/teach.py").run()
    assert student.title[0].value == "Συμμετοχή σε τάξη"
    next(button for button in student.button if button.label == "Συμμετοχή στην τάξη").click().run()
    assert [error.value for error in student.error] == ["Η συμμετοχή δεν έγινε: Γράψτε ένα όνομα."]
    student.text_input[0].input("Άννα")
    next(button for button in student.button if button.label == "Συμμετοχή στην τάξη").click().run()
    assert not student.exception
    shown = texts(student)
    assert "Συμμετέχετε ως **Άννα**" in shown and "ρυθμός μάθησης α = 50,0" in shown  # α in Greek signs
    assert "τουλάχιστον 1.000 ανανεώσεις" in shown and "· όχι ακόμη" in shown
    flush(student)
    app = fresh_app({"class": class_id, "key": secret, "lang": "el"})
    app.switch_page("pages/teach.py").run()
    assert not app.exception and app.title[0].value == "Διδασκαλία: Τμήμα Α"
    assert "Ανοιχτή έως " in texts(app) and " UTC. Ο πίνακας ανανεώνεται" in texts(app)
    table = student_table(app, shown=True)
    assert table.loc[0, "Student"] == "Άννα"  # the columns keep their keys; their labels are Greek
    assert re.fullmatch(r"πριν από \d+ δευτερόλεπτ(ο|α)", table.loc[0, "Active"])  # not "… ago"
    assert [metric.label for metric in app.metric][0] == "Φοιτητές"
    assert "test_accuracy" in csv_text(store.class_members(class_id), ("silence_all",))  # the CSV stays English


def test_compare_cannot_walk_around_a_locked_setting(store):
    class_id, _ = new_class(store)  # α locked at 0.05, the rule a suggestion
    app = joined(class_id, "Cy")
    app.switch_page("pages/compare.py").run()
    assert app.button(key="compare_rates").disabled  # three learning rates would be three other αs
    assert not app.button(key="compare_rules").disabled
    app.checkbox(key="compare_erratum_pair").check().run()  # cross-entropy at 2α: α changed, refused
    app.button(key="compare_rules").click().run()
    assert session_of(app).comparison is None
    assert "your class locks learning rate α" in " ".join(element.value for element in app.error)
    app.checkbox(key="compare_erratum_pair").uncheck().run()
    app.button(key="compare_rules").click().run()  # the three rules at the lesson's α: allowed
    assert [trainer.settings.learning_rate for trainer in session_of(app).comparison.trainers] == [0.05] * 3


def test_the_guided_path_as_a_lesson_the_dashboard_shows_the_lab_each_student_is_on(store):
    from core.classwork.labs import GUIDED_PATH
    from tests.test_pages_lab import numbers_in, question_text, submit

    app = fresh_app()
    app.switch_page("pages/teach.py").run()
    app.text_input[0].input("Alone together")
    app.checkbox(key="lesson_guided").check()
    app.button[0].click().run()
    class_id = app.query_params["class"][0] if isinstance(app.query_params["class"], list) else app.query_params["class"]
    assert GUIDED_PATH in store.class_info(class_id).lesson.tasks
    student = joined(class_id, "Ada")
    assert any(link.proto.page == "lab" for link in student.get("page_link"))
    student.switch_page("pages/lab.py").run()
    student.number_input[0].set_value(max(0.0, numbers_in(question_text(student).split("Z1 =")[1])[0]))
    submit(student)
    student.radio(key="lab_given_prediction").set_value("0")
    submit(student)
    flush(student)
    table = student_table(app.switch_page("pages/teach.py").run(), shown=True).set_index("Student")
    assert table.loc["Ada", "Lab"] == "2 · The loss"
    assert "lab_forward_pass" in store.class_members(class_id)[0].progress.tasks


def test_the_dashboard_says_how_long_ago_in_the_language():
    try:
        locales.activate("el")
        assert [active_text(seconds) for seconds in (0, 180, 7200)] == [
            "πριν από 1 δευτερόλεπτο", "πριν από 3 λεπτά", "πριν από 2 ώρες"]
        locales.activate("en")
        assert active_text(180) == "3 minutes ago"
    finally:
        locales.activate("en")
