"""What a class shows outside its own screen: names as typed, links, a read-only banner, the student's tasks.

Names come from people, so they are always shown through literal(): every ASCII punctuation
character is escaped for Streamlit's Markdown, which then shows `**bold**`, `<img …>`, `:red[…]`
or `$x$` exactly as typed instead of formatting or running them.
"""

import re
from urllib.parse import urlencode, urlsplit

import streamlit as st

from core.classwork.progress import run_facts
from core.classwork.tasks import TASKS, known, tasks_done
from locales.task_words import task_explanation, task_title
from locales.words import said
from lab import classroom
from locales import _, number, percent

TEACH_PAGE = "pages/teach.py"


def literal(text: str) -> str:
    """`text` for st.markdown (and captions, alerts, titles) that shows exactly these characters."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", str(text))


def app_address() -> str:
    """The app's address as the browser sees it ("http://host:8501/"), or "/" where it is unknown (tests)."""
    parts = urlsplit(st.context.url or "")
    if not parts.scheme:
        return "/"
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}/"


def link(page: str, **query) -> str:
    """The full address of a screen (its url path) with a query."""
    return f"{app_address()}{page}?{urlencode(query)}"


def join_link(class_id: str) -> str:
    return link("teach", join=class_id)


def teacher_link(class_id: str, secret: str) -> str:
    return link("teach", **{"class": class_id, "key": secret})


def run_link(run_id: str) -> str:
    return link("train", run=run_id)


def banner(state) -> None:
    """On every screen: a student's run opened read-only by the teacher, with the ways back; a class's status line."""
    seat, viewing = state.classroom.seat, state.classroom.viewing
    if viewing is not None:
        st.info(_("**{name}**'s run, read-only (class {class_name}), at step {step}: the same screens the student "
                  "sees, with training switched off.").format(name=literal(viewing.member.name),
                                                              class_name=literal(viewing.info.name),
                                                              step=number(state.trainer.sgd_steps, ",")),
                icon=":material/visibility:")
        row = st.container(horizontal=True)
        back = row.button(_("Back to the dashboard"), key="class_view_back", icon=":material/groups:", type="primary")
        latest = row.button(_("Their latest steps"), key="class_view_refresh", icon=":material/refresh:",
                            help=_("Open the student's run again as it is stored now"))
        if back:
            classroom.close_read_only(state)
            st.switch_page(TEACH_PAGE, query_params={"class": viewing.info.id})
        if latest:
            classroom.open_read_only(state, viewing.info.id, viewing.member.id)
            st.rerun()
    elif seat is not None:
        with st.sidebar:
            done = len(seat.done & set(seat.info.lesson.tasks))
            st.caption(_("**Class** {class_name} · you are {name} · tasks done: {done} of {total} (see Your class)")
                       .format(class_name=literal(seat.info.name), name=literal(seat.name), done=done,
                               total=len(known(seat.info.lesson.tasks))))
            reason = state.classroom.read_only_reason()
            if reason:
                st.warning(said(reason), icon=":material/lock:")


def read_only_notice(state) -> bool:
    """Where a screen would train: say why it may not, and return True; False when training is allowed."""
    reason = state.classroom.read_only_reason()
    if reason is None:
        return False
    reason = said(reason)
    if state.classroom.viewing is not None:  # the banner above names the student
        reason = _("This run is open read-only from the class dashboard.")
    st.info(_("{reason} Training is switched off here.").format(reason=reason), icon=":material/lock:")
    return True


def locked_help(state, setting: str) -> str | None:
    """The help text of a locked setting's widget (None when it is not locked)."""
    if not state.classroom.locked(setting):
        return None
    return _("Your class locks this setting: the teacher chose it for every student.")


def student_tasks(state) -> tuple[frozenset, object]:
    """The student's tasks done (those stored, and those the run's state satisfies now, written if new), and the
    run's facts they were judged on."""
    seat = state.classroom.seat
    chosen = known(seat.info.lesson.tasks)
    facts = run_facts(state.trainer, state.classroom.log_facts(state))
    done = seat.done | tasks_done(facts, chosen)
    if done != seat.done and seat.info.is_open():
        seat.done = done
        state.classroom.after_click(state)
    return done, facts


def task_status(task, finished: bool, facts) -> str:
    """"done", or "not yet", with how far for a task that asks for a test accuracy ("89.98%, 0.02 points to go")."""
    if finished:
        return _("done")
    distance = task.to_go(facts) if facts is not None else None
    if distance is None:
        return _("not yet")
    return _("not yet: best test accuracy {accuracy}, {points} points to go").format(
        accuracy=percent(facts.best_accuracy), points=number(distance[1], ".2f"))


def task_list(state, done: frozenset, facts=None) -> None:
    """Each of the class's tasks: done or not yet (and how far), and what counts as done."""
    for task_id in known(state.classroom.seat.info.lesson.tasks):
        task = TASKS[task_id]
        finished = task_id in done
        icon = ":material/check_circle:" if finished else ":material/radio_button_unchecked:"
        st.markdown(f"{icon} **{task_title(task.id)}** · {task_status(task, finished, facts)}")
        st.caption(task_explanation(task))
