"""Teach: a teacher opens a class, students join it with a link, and the teacher watches every run live.

The screen has four faces, chosen by the link: ?join=<class> is a student's join form; ?class=<class>
(with the teacher's &key= the first time) is the teacher's dashboard; a student in a class sees
their tasks and their run link; anyone else can create a class.
"""

import datetime
import zoneinfo

import streamlit as st

from core.classwork.labs import GUIDED_PATH
from core.classwork.lesson import MAX_STUDENT_NAME, Lesson, check_name
from core.classwork.tasks import CATALOGUE, known
from core.model.network import GRADIENT_RULES, INITIALISATIONS
from core.training.settings import NUMERIC_RANGES, Settings
from locales import _, number
from locales.task_words import task_explanation, task_title
from locales.words import SETTING_LABELS, init_name, rule_title, said, setting_text
from locales.lab_words import utc_moment
from runs.errors import MalformedClassId, StoreError, UnknownClass, WrongTeacherKey
from lab import classroom
from ui import browser_memory, class_views, dashboard, session, shell
from ui.class_views import literal

shell.require()
state = session.current()
query = st.query_params
DEFAULT_DAYS = 7
HIDEABLE = {page.url_path: page.title for section in shell.screens().values() for page in section
            if page.url_path not in classroom.ALWAYS_SHOWN}  # url path -> its title in this run's language


def store_or_stop():
    store = state.run.handle.get()
    if store is None:
        st.error(_("Classes live in the run store, which cannot be reached now (or is switched off): try again in a "
                   "moment."), icon=":material/cloud_off:")
        st.stop()
    return store


def local_zone() -> datetime.tzinfo:
    """The browser's time zone (the end of a class is the end of a day there), else UTC."""
    try:
        return zoneinfo.ZoneInfo(st.context.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.timezone.utc


# --- a student's join form ----------------------------------------------------------------------------


def join_screen(class_id: str) -> None:
    st.title(_("Join a class"))
    try:
        info = store_or_stop().class_info(class_id)
    except MalformedClassId:
        st.error(_("This join link is not a class link: check that it was copied whole."), icon=":material/link_off:")
        return
    except UnknownClass:
        st.error(_("No class has this join link (it may have ended long ago and been removed)."),
                 icon=":material/link_off:")
        return
    except StoreError as error:
        st.error(_("The class cannot be opened now: {error}.").format(error=said(error).rstrip(".")), icon=":material/cloud_off:")
        return
    st.subheader(literal(info.name))
    seat = state.classroom.seat
    if seat is not None and seat.info.id == info.id:
        st.success(_("You are in this class as **{name}**, on the run below. Its link opens it in any browser.")
                   .format(name=literal(seat.name)), icon=":material/check_circle:")
        st.code(class_views.run_link(seat.run_id), language=None, wrap_lines=True)
    if not info.is_open():
        st.warning(_("This class ended on {end}: it is read-only and takes no new students.")
                   .format(end=utc_moment(info.ends)), icon=":material/lock:")
        return
    again = seat is not None and seat.info.id == info.id
    if not again:
        offer_to_continue(info)
    st.markdown(_("Type your name as your teacher should see it (at most {most} characters). Joining starts **a new "
                  "run of your own** with the lesson's settings, and your teacher sees its progress.")
                .format(most=MAX_STUDENT_NAME)
                + (" " + _("Joining again starts another new run; the one above stays behind its link.")
                   if again else ""))
    with st.form("join_class"):
        name = st.text_input(_("Your name"), max_chars=MAX_STUDENT_NAME, placeholder=_("as your teacher knows you"),
                             help=_("Shown exactly as you type it, up to {most} characters.").format(
                                 most=MAX_STUDENT_NAME))
        pressed = st.form_submit_button(_("Join again with a new run") if again else _("Join the class"),
                                        icon=":material/login:", type="primary")
    if pressed:
        st.session_state.pop(PENDING_NAME, None)
        try:
            name = check_name(name)
        except ValueError as error:
            st.error(_("You did not join: {reason}.").format(reason=said(error).rstrip('.')), icon=":material/error:")
            return
        if not again and name_taken(info, name):
            st.session_state[PENDING_NAME] = name
        else:
            join_as(info, name)
    if st.session_state.get(PENDING_NAME):
        second_person(info, st.session_state[PENDING_NAME])


PENDING_NAME = "join_pending_name"  # a name already in the class, waiting for "another person" or not


def offer_to_continue(info) -> None:
    """This browser joined the class before (it keeps that student's run): continue as them, first."""
    run_id = browser_memory.seat_run(info.id)
    if run_id is None:
        return
    try:
        member = classroom.member_of_run(state, run_id)
    except StoreError:
        return
    if member is None or member.class_id != info.id:
        return
    st.markdown(_("This browser joined this class before."))
    label = _("Continue as {name} (step {step})").format(name=literal(member.name), step=number(member.progress.step))
    if st.button(label, key="join_continue", type="primary", icon=":material/play_arrow:"):
        state.reopen(member.run_id)  # the shell finds its class and seat in the rerun
        del st.query_params["join"]
        st.rerun()
    st.caption(_("Not you? Join below with your own name: a shared computer keeps each student's run apart."))


def name_taken(info, name: str) -> bool:
    """Someone in the class already goes by this name (ignoring case)."""
    wanted = name.casefold()
    return any(member.name.casefold() == wanted for member in store_or_stop().class_members(info.id))


def second_person(info, name: str) -> None:
    """A name already in the class: a second person of that name, or the same student on another device?"""
    st.warning(_("**{name}** is already in this class. If that is you on another device, do not join again: open "
                 "your run's link on this device (your first device shows it on the Your class screen), and you go "
                 "on where you left off. If you are another person with the same name, join: your teacher sees you "
                 "as {name} (2).").format(name=literal(name)), icon=":material/group:")
    row = st.container(horizontal=True)
    if row.button(_("I am another person: join"), key="join_second_person", type="primary", icon=":material/person_add:"):
        st.session_state.pop(PENDING_NAME, None)
        join_as(info, name)
    if row.button(_("Cancel"), key="join_cancel"):
        st.session_state.pop(PENDING_NAME, None)
        st.rerun()


def join_as(info, name: str) -> None:
    try:
        classroom.join(state, info, name)
    except (ValueError, StoreError) as error:
        st.error(_("You did not join: {reason}.").format(reason=said(error).rstrip('.')), icon=":material/error:")
        return
    del st.query_params["join"]
    st.rerun()


# --- a student in a class ----------------------------------------------------------------------------


def student_screen() -> None:
    seat = state.classroom.seat
    info = seat.info
    st.title(_("Your class"))
    st.subheader(literal(info.name))
    st.markdown(_("You joined as **{name}**. Your teacher sees your run's step, test accuracy and tasks as you "
                  "train.").format(name=literal(seat.name)))
    st.markdown(_("**Your run's link**: it opens your run, where you left it, in any browser. Keep it (copy it "
                  "with the button at its right)."))
    st.code(class_views.run_link(seat.run_id), language=None, wrap_lines=True)
    if not info.is_open():
        st.warning(_("This class ended on {end}: its runs are read-only now.").format(end=utc_moment(info.ends)),
                   icon=":material/lock:")
    lesson = info.lesson
    if lesson.locked:
        locked = ", ".join(f"{_(SETTING_LABELS[name])} = {setting_text(getattr(lesson.settings, name), name)}"
                           for name in sorted(lesson.locked))
        st.caption(_("Locked by your class: {settings}.").format(settings=locked))
    if GUIDED_PATH in lesson.tasks:
        st.page_link("pages/lab.py", label=_("Your class follows the guided path: open the Lab"),
                     icon=":material/school:")
    chosen = known(lesson.tasks)
    if not chosen:
        st.caption(_("Your teacher chose no tasks for this class."))
        return
    with st.spinner(_("Checking your run…")):
        done, facts = class_views.student_tasks(state)
    st.subheader(_("Tasks: {done} of {total} done").format(done=len(done & set(chosen)), total=len(chosen)))
    st.caption(_("Each task checks itself from your run as it is (its position, weights, log and branches): "
                 "train, and the list follows."))
    class_views.task_list(state, done, facts)


# --- the teacher -----------------------------------------------------------------------------------------


def teacher_screen(class_id: str, key: str | None) -> None:
    store_or_stop()
    kept = False
    if key is None and class_id not in state.classroom.teaching and class_id not in state.classroom.signed_out:
        key = browser_memory.teacher_key(class_id)  # this browser opened the key link before
        kept = key is not None
    if key is not None:
        try:
            classroom.teacher_class(state, class_id, key)
        except MalformedClassId:
            refuse(_("This is not a class link: check that it was copied whole."))
            return
        except UnknownClass:
            refuse(_("No class has this link (it may have ended long ago and been removed)."))
            return
        except WrongTeacherKey:
            state.classroom.teaching.pop(class_id, None)
            if kept:  # a key this browser kept no longer opens the class: forget it
                state.classroom.signed_out.add(class_id)
            refuse(_("The teacher key in this link is wrong, so the class's dashboard stays closed. Open the "
                     "teacher link exactly as it was given when the class was created."))
            return
        except StoreError as error:
            st.error(_("The class cannot be opened now: {error}.").format(error=said(error).rstrip(".")), icon=":material/cloud_off:")
            return
        state.classroom.signed_out.discard(class_id)
        if "key" in st.query_params:  # out of the address bar, so it does not show on a projector; the browser keeps it
            del st.query_params["key"]
    try:
        info = classroom.taught_class(state, class_id)
    except StoreError as error:
        st.error(_("The class cannot be opened now: {error}.").format(error=said(error).rstrip(".")), icon=":material/cloud_off:")
        return
    if info is None:
        refuse(_("This browser holds no teacher key for this class. The dashboard opens from the teacher link given "
                 "when the class was created (the one with &key=… at its end), once on each browser or device; "
                 "students join with the join link."))
        return
    dashboard.teacher_dashboard(state, info)


def refuse(message: str) -> None:
    st.title(_("Teach"))
    st.error(message, icon=":material/lock:")
    st.caption(_("A lost teacher link cannot be recovered: Backprop Lab keeps only a hash of its key. Create a "
                 "new class instead."))
    st.page_link("pages/teach.py", label=_("Create a class"), icon=":material/add:")


# --- creating a class ---------------------------------------------------------------------------------------


def setting_input(column, name: str):
    """A widget for one of the lesson's settings, with the ranges the Train screen allows."""
    default = getattr(Settings(), name)
    label = _(SETTING_LABELS[name])
    if name == "rule":
        rules = {rule: rule_title(rule) for rule in GRADIENT_RULES}  # names made now: format_func may run later
        return column.selectbox(label, list(rules), key=f"lesson_{name}", format_func=rules.get)
    if name == "init":
        inits = {init: init_name(init) for init in INITIALISATIONS}
        return column.selectbox(label, list(inits), key=f"lesson_{name}", format_func=inits.get)
    low, high = next(bounds for field, *bounds in NUMERIC_RANGES.values() if field == name)
    # "%g": 0.01, not 0.01000 (Streamlit's number input takes printf formats only, so its decimal sign stays ".").
    options = {"format": "%g", "step": 0.001} if name == "learning_rate" else (
        {"format": "%g", "step": 0.05} if name == "decay_factor" else {})
    return column.number_input(label, low, high, default, key=f"lesson_{name}", **options)


def remember_taught_classes() -> None:
    """The classes whose teacher key this browser keeps (unless signed out), opened for this session; quietly."""
    for class_id in browser_memory.taught_classes():
        key = browser_memory.teacher_key(class_id)
        if key is None or class_id in state.classroom.teaching or class_id in state.classroom.signed_out:
            continue
        try:
            classroom.teacher_class(state, class_id, key)
        except (StoreError, ValueError):  # a class since removed, a key that no longer fits: not listed
            state.classroom.signed_out.add(class_id)


def create_screen() -> None:
    st.title(_("Teach"))
    st.markdown(_("Open a class for a lab session: choose the settings your students start with (and which of "
                  "them they may not change), the screens they see and the tasks they work on. You get two links: "
                  "one for the students to join, and one for your dashboard, which shows every student's run live."))
    remember_taught_classes()
    for class_id in list(state.classroom.teaching):
        info = classroom.taught_class(state, class_id)
        if info is not None:
            st.page_link("pages/teach.py", label=_("Dashboard of {name}").format(name=literal(info.name)),
                         icon=":material/groups:", query_params={"class": class_id})
    today = datetime.datetime.now(local_zone()).date()
    with st.form("create_class"):
        name = st.text_input(_("Class name"), max_chars=80, placeholder=_("Lab 3: backpropagation by hand"))
        st.markdown(_("**The settings every student's run starts with.** Tick *lock* to keep one as it is for "
                      "everybody; the others are suggestions a student may change."))
        values, locked = {}, set()
        columns = st.columns(4)
        names = ("learning_rate", "decay_period", "decay_factor", "rule", "hidden", "init", "seed")
        for number, setting in enumerate(names):
            column = columns[number % 4]
            values[setting] = setting_input(column, setting)
            if column.checkbox(_("lock"), key=f"lesson_lock_{setting}"):
                locked.add(setting)
        shown = st.multiselect(_("Screens the students see (Home, Train and the class's own screen are always "
                                 "there)"), list(HIDEABLE), default=list(HIDEABLE), format_func=HIDEABLE.get)
        tasks = st.multiselect(_("Tasks (each checks itself from the student's run)"),
                               [task.id for task in CATALOGUE], default=[task.id for task in CATALOGUE],
                               format_func=task_title)
        guided = st.checkbox(_("Follow the guided path: the Lab screen's eight labs, in the document's order, with "
                               "the dashboard showing which lab each student is on"), key="lesson_guided")
        with st.expander(_("What each task counts as done")):
            for task in CATALOGUE:
                st.markdown(f"**{task_title(task.id)}**: {task_explanation(task)}")
        end = st.date_input(_("The class is open until the end of"), today + datetime.timedelta(days=DEFAULT_DAYS),
                            min_value=today, max_value=today + datetime.timedelta(days=365), format=_("YYYY/MM/DD"),
                            help=_("After that day the class is read-only: no joins, no training in its runs. Its "
                                   "runs are kept for 30 days after it, then removed with the store's retention."))
        pressed = st.form_submit_button(_("Create the class"), icon=":material/add:", type="primary")
    if pressed:
        create(name, values, locked, shown, (GUIDED_PATH, *tasks) if guided else tasks, end)


def client_address() -> str | None:
    """Who is creating, for the store's limit of classes per client: the browser's address. Behind this app's nginx
    (a proxy on this machine, so Streamlit sees a local address) it is the address nginx saw, which nginx appends
    last to X-Forwarded-For (what comes before it is the client's own say). None for the server's own machine."""
    try:
        address = st.context.ip_address
        if address is None:
            address = (st.context.headers.get("X-Forwarded-For") or "").split(",")[-1].strip() or None
        return address
    except Exception:  # noqa: BLE001 - no browser behind this run (a test harness)
        return None


def create(name, values, locked, shown, tasks, end) -> None:
    try:
        name = check_name(name, 80, "class name")  # i18n: not text (which name: core/classwork/lesson.py)
        settings = Settings(learning_rate=float(values["learning_rate"]), decay_period=int(values["decay_period"]),
                            decay_factor=float(values["decay_factor"]), rule=values["rule"],
                            hidden=int(values["hidden"]), init=values["init"], seed=int(values["seed"]))
        lesson = Lesson(settings, frozenset(locked), tuple(path for path in HIDEABLE if path not in shown),
                        tuple(tasks))
        ends = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), local_zone()).timestamp()
        class_id, secret = store_or_stop().create_class(name, lesson, ends, client=client_address())
    except (ValueError, StoreError) as error:
        st.error(_("No class was created: {reason}.").format(reason=said(error).rstrip('.')), icon=":material/error:")
        return
    state.classroom.teaching[class_id] = secret
    state.classroom.created.add(class_id)
    st.switch_page("pages/teach.py", query_params={"class": class_id})


# --- which face --------------------------------------------------------------------------------------------------


if state.classroom.viewing is not None:  # the teacher came back from a student's run through the navigation
    viewed_class = state.classroom.viewing.info.id
    classroom.close_read_only(state)
    st.switch_page("pages/teach.py", query_params={"class": viewed_class})
if "join" in query:
    join_screen(query["join"])
    st.stop()  # no link away from the form: a student who joins stays on the screen that shows their run's link
elif "class" in query:
    teacher_screen(query["class"], query.get("key"))
elif state.classroom.seat is not None:
    student_screen()
else:
    create_screen()

shell.next_screen_link(__file__)
