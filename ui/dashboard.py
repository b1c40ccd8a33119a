"""The teacher's dashboard: one row per student, refreshed every few seconds, a class summary, a CSV.

It reads the class's progress rows (runs/store.py: one small row per student, which each student's
session writes as they train, lab/classroom.py) and never a run, so a refresh costs one query of N
rows and a table, whatever the students have trained. Clicking a student's row opens their run on
every screen, read-only. Names are shown as typed and whole: in the table (ui/class_table.py, an
HTML table whose pinned first column wraps a long name) as plain text, elsewhere through
class_views.literal(); in the CSV a name that a spreadsheet would run as a formula gets a leading '.

The table's columns are named by identifiers ("Student", "Accuracy"), shown under labels in the
session's language; the CSV keeps English snake_case headers and numbers with dots
in every language: it is a file for software (a spreadsheet's import, a script), not a screen.
"""

import datetime
import functools
import io
import statistics
import time

import numpy as np
import pandas as pd
import streamlit as st
from babel.dates import format_timedelta

import locales
from core.classwork.labs import GUIDED_PATH
from core.classwork.tasks import TASKS, known
from locales import _, number, percent
from locales.task_words import task_explanation, task_short, task_title
from locales.words import said
from locales.lab_words import utc_moment
from runs.errors import StoreError
from lab import classroom, progress_writer
from ui import chart_kit, class_table, class_views, lab_views, session
from ui.class_views import literal

REFRESH_SECONDS = 5
TABLE_KEY = "class_table"
ACTIVE_SECONDS = 60  # "active": clicked in the last minute
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def teacher_dashboard(state, info) -> None:
    """The class's dashboard, for a session that has shown the teacher's key."""
    st.title(_("Teach: {name}").format(name=literal(info.name)))
    if info.is_open():
        st.caption(_("Open until {end}. The table refreshes itself every {seconds} s; select a student's row to open "
                     "their run read-only.").format(end=utc_moment(info.ends), seconds=REFRESH_SECONDS))
    else:
        st.warning(_("This class ended on {end}: it is read-only (no joins, no training in its runs). Its runs are "
                     "kept for 30 days after its end.").format(end=utc_moment(info.ends)), icon=":material/lock:")
    links(state, info)
    live_panel(info.id)
    row = st.container(horizontal=True)
    with row:
        if info.is_open():
            end_class(state, info)
        sign_out(state, info)


def sign_out(state, info) -> None:
    """Forget the teacher key in this browser (a shared or borrowed computer): the teacher link opens it again."""
    if st.button(_("Sign out of this class"), key="class_sign_out", icon=":material/logout:",
                 help=_("This browser forgets the teacher key: the dashboard opens here again only from the teacher "
                        "link. Keep that link first.")):
        state.classroom.teaching.pop(info.id, None)
        state.classroom.signed_out.add(info.id)
        state.classroom.notices.append(_("Signed out of the class {name} on this browser: its dashboard opens here "
                                         "again only from the teacher link.").format(name=literal(info.name)))
        st.switch_page("pages/teach.py")


def links(state, info) -> None:
    """The students' join link, plain to see; the teacher's own link folded away (a projector shows the screen)."""
    st.markdown(_("**Join link for the students**: they open it and type their name."))
    st.code(class_views.join_link(info.id), language=None, wrap_lines=True)
    just_created = info.id in state.classroom.created
    with st.expander(_("Your teacher link: keep it private"), expanded=just_created,
                     icon=":material/key:"):
        st.code(class_views.teacher_link(info.id, state.classroom.teaching[info.id]), language=None, wrap_lines=True)
        st.warning(_("This link is the only key to this dashboard. Backprop Lab keeps only a hash of it, so it "
                     "cannot be shown to anyone else or recovered: **losing it means creating a new class**. Save it "
                     "now."), icon=":material/warning:")
    state.classroom.created.discard(info.id)


@st.fragment(run_every=REFRESH_SECONDS)
def live_panel(class_id: str) -> None:
    """The table, the summary and the CSV; reruns alone every REFRESH_SECONDS."""
    state = session.current()
    try:
        info = classroom.taught_class(state, class_id)
        members = [] if info is None else state.run.handle.get().class_members(class_id)
    except (StoreError, AttributeError) as error:
        st.warning(_("The class's progress cannot be read now ({reason}); the table comes back when the store "
                     "does.").format(reason=said(error).rstrip('.')), icon=":material/cloud_off:")
        return
    if info is None:
        st.error(_("This session no longer holds the class's teacher key."), icon=":material/lock:")
        return
    chosen = known(info.lesson.tasks)
    if not members:
        st.info(_("No student has joined yet: show them the join link above."), icon=":material/hourglass_empty:")
        return
    class_table.show(table_payload(members, chosen, GUIDED_PATH in info.lesson.tasks), TABLE_KEY,
                     functools.partial(open_student, class_id))
    if state.classroom.viewing is not None:  # a row was just clicked
        st.switch_page("pages/train.py")
    summary(members, chosen)
    st.download_button(_("Download the table (CSV)"), csv_text(members, chosen), file_name=f"class-{class_id[:8]}.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:", key="class_csv")


def open_student(class_id: str, member_id: str) -> None:
    """The row clicked in the table: open that student's run read-only."""
    classroom.open_read_only(session.current(), class_id, member_id)


def shown_names(members) -> list[str]:
    """Each member's name as typed; a second (third, …) student of the same name, in the order they joined, gets
    " (2)" (" (3)", …), so two rows of "Maria K." are two people, told apart."""
    seen, names = {}, []
    for member in members:
        count = seen[member.name.casefold()] = seen.get(member.name.casefold(), 0) + 1
        names.append(member.name if count == 1 else f"{member.name} ({count})")
    return names


def table_payload(members, chosen, guided: bool, now: float | None = None) -> dict:
    """One row per student, as the dashboard's table shows it (ui/class_table.py), the Lab column on the guided path
    (`now`: the time the "Active" column counts back from)."""
    now = time.time() if now is None else now
    columns = table_columns(chosen)
    if guided:
        columns.insert(1, lab_views.lab_column())
    rows = []
    for member, name in zip(members, shown_names(members)):
        progress = member.progress
        done = [task_short(task) for task in chosen if task in progress.tasks]
        losses = [float(loss) for loss in progress.losses]
        count = sum(task in progress.tasks for task in chosen)
        cells = {
            "Student": class_table.cell(name, name),
            "Step": class_table.cell(number(progress.step), progress.step),
            "Epoch": class_table.cell(number(progress.epoch + 1), progress.epoch + 1),
            "Accuracy": class_table.cell("–" if progress.accuracy is None else percent(progress.accuracy),
                                         progress.accuracy),
            "Silent": class_table.cell(number(progress.silent), progress.silent),
            "Tasks": class_table.cell(_("{done} of {total}").format(done=count, total=len(chosen)), count),
            "Active": class_table.cell(active_text(now - progress.active), progress.active),
            "Loss": class_table.cell(" → ".join(number(loss, ".3f") for loss in losses[:1] + losses[1:][-1:]),
                                     losses[-1] if losses else None, values=losses),  # its first and last loss
            "Done": class_table.cell(", ".join(done), len(done), values=done),
        }
        if guided:
            cells["Lab"] = lab_views.lab_cell(progress.tasks)
        rows.append((member.id, cells))
    return class_table.payload(columns, rows)


def active_text(seconds: float) -> str:
    """How long ago a student's last click was, in this thread's language: "3 minutes ago", Greek «πριν από 3 λεπτά».

    Babel's CLDR data word it (Streamlit's own "distance" format is English only); the panel reruns every
    REFRESH_SECONDS, so the words stay current. A click this very second is "1 second ago", never "in 0 seconds".
    """
    return format_timedelta(datetime.timedelta(seconds=-max(seconds, 1)), add_direction=True,
                            locale=locales.language())


def table_columns(chosen) -> list:
    """The names, then narrow columns of numbers, their meaning in the header's help, the list of tasks last. The labels
    are in the session's language; the keys stay."""
    column = class_table.column
    return [
        column("Student", _("Student"), "name", _("The name as the student typed it")),
        column("Step", _("Step"), "number", _("Samples trained")),
        column("Epoch", _("Epoch"), "number", _("The epoch in progress (1 until the first 60,000 samples)")),
        column("Accuracy", _("Accuracy"), "percent",
               _("Test accuracy: the share of the 10,000 test images read right, measured on the student's run at "
                 "most every {seconds} s while they train (so it may trail the step by a few seconds)")
               .format(seconds=number(progress_writer.ACCURACY_SECONDS, ".0f"))),
        column("Silent", _("Silent"), "number", _("Silent hidden units: off on all of the first 1,000 test images")),
        column("Tasks", _("Tasks"), "number", _("Tasks done: the run's state satisfies them")),
        column("Active", _("Active"), "active", _("The student's last click")),
        column("Loss", _("Loss"), "loss", _("Mean loss Σ(A2 − y)² over the run, oldest first")),
        column("Done", _("Done"), "list", _("The tasks done")),
    ]


def summary(members, chosen) -> None:
    """How many finished each task, and how the test accuracies spread."""
    now = time.time()
    accuracies = [member.progress.accuracy for member in members if member.progress.accuracy is not None]
    every = sum(all(task in member.progress.tasks for task in chosen) for member in members) if chosen else 0
    # Each figure as wide as its words, on as many lines as the screen needs: four equal columns cut the Greek
    # «Ενεργοί το τελευταίο λεπτό» at 1024 px, and stacked one under another on a phone.
    cells = st.container(horizontal=True, gap="medium")
    cells.metric(_("Students"), len(members), width="content")
    cells.metric(_("Active in the last minute"),
                 sum(now - member.progress.active < ACTIVE_SECONDS for member in members), width="content")
    cells.metric(_("Median test accuracy"), percent(statistics.median(accuracies)) if accuracies else "–",
                 width="content")
    cells.metric(_("Every task done"), _("{done} of {total}").format(done=every, total=len(members)),
                 width="content")
    left, right = st.columns([1.3, 1])
    with left:
        if chosen:
            st.markdown(_("**Tasks**: how many students have done each"))
            st.dataframe(task_table(members, chosen), hide_index=True, column_config={
                "Task": st.column_config.TextColumn(_("Task"), width=190),
                "Done by": st.column_config.ProgressColumn(_("Done by"),  # i18n: not text (the key; its label)
                                                           format=_("%d of {total}").format(total=len(members)),
                                                           min_value=0, max_value=len(members), width=140)})
            with st.expander(_("What counts as done")):
                for task in chosen:
                    st.markdown(f"**{task_title(task)}**: {task_explanation(TASKS[task])}")
    with right:
        counts, labels = accuracy_histogram(accuracies)
        # drawn by the chart kit (its title wraps by itself): the dashboard never loads plotly (issue 24)
        chart_kit.show(chart_kit.bars(counts, labels, _("Test accuracy of the students' runs"), _("test accuracy"),
                                      _("students"), text_format=".0f", height=280), key="class_accuracy")


def task_table(members, chosen) -> pd.DataFrame:
    """One row per task: its title in this session's language, and how many students have done it."""
    return pd.DataFrame([{"Task": task_title(task),
                          "Done by": sum(task in member.progress.tasks for member in members)}  # i18n: not text
                         for task in chosen])


def accuracy_histogram(accuracies) -> tuple[list, list]:
    """Students per tenth of test accuracy (below 50% in one bar: an untrained net reads about 10%)."""
    edges = [0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 1.0001]
    counts, _edges = np.histogram(accuracies, bins=edges)
    labels = [f"<{percent(edges[1], 0)}"] + [f"{percent(low, 0)}–{percent(high, 0)}" if high <= 1
                                             else f"≥{percent(low, 0)}" for low, high in zip(edges[1:-1], edges[2:])]
    return counts.tolist(), labels


def csv_text(members, chosen) -> str:
    """The table as CSV, with the times in UTC and the task ids; formula-like names defused with a leading '."""
    frame = pd.DataFrame([{
        "student": "'" + name if name.startswith(FORMULA_STARTS) else name,
        "joined_utc": datetime.datetime.fromtimestamp(member.joined, datetime.timezone.utc).isoformat(timespec="seconds"),
        "step": member.progress.step, "epoch": member.progress.epoch + 1, "sample": member.progress.sample,
        "test_accuracy": member.progress.accuracy, "accuracy_at_step": member.progress.accuracy_step,
        "silent_units": member.progress.silent, "hidden_units": member.progress.hidden,
        "tasks_done": " ".join(task for task in chosen if task in member.progress.tasks),
        "last_active_utc": datetime.datetime.fromtimestamp(member.progress.active,
                                                           datetime.timezone.utc).isoformat(timespec="seconds"),
    } for member, name in zip(members, shown_names(members))])
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def end_class(state, info) -> None:
    """End the class now, after a second click: from then on it is read-only."""
    with st.popover(_("End the class now"), icon=":material/stop_circle:"):
        st.markdown(_("Students can no longer join or train in the class's runs; the dashboard stays readable. "
                      "This cannot be undone."))
        if st.button(_("End the class"), key="class_end", type="primary"):
            try:
                state.run.handle.get().end_class(info.id, state.classroom.teaching[info.id])
            except StoreError as error:
                st.error(_("The class was not ended: {reason}.").format(reason=said(error).rstrip('.')))
                return
            st.rerun()
