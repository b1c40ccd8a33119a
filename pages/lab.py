"""Lab: the guided path for a learner alone; eight short labs, each a prediction about their own run, then the step."""

import streamlit as st

from core.model import drawing

from core.classwork import predictions
from core.classwork.labs import PATH, unanswered
from core.classwork.tasks import TASKS
from locales import N_, _, number
from locales.task_words import task_explanation, task_title
from locales.words import said
from ui import class_views, lab_texts, session, shell, timeline_panel
from ui.canvas import BadDrawing, decode_drawing

shell.require()
st.title(_("Lab"))
st.markdown(_(
    "A path through the design document in eight short labs, in its order. Each lab asks you to **predict** a "
    "number of your own run before it steps, then steps and checks: a wrong prediction gets its reason, with "
    "the step's numbers. Your answers are kept with the run, so its link brings you back here."))

state = session.current()
guided = state.guided
CHOSEN = "lab_chosen"  # the lab open on this screen, by its index in the path
PICKS = "lab_picks"  # how many times a button opened another lab: the picker's key, so that it starts there
NOTICE = "lab_notice"


def screen_links(lab) -> None:
    """Links to the screens the lab uses, as the navigation names them; the run's link goes along."""
    pages = {page.url_path: page for section in shell.shown_screens().values() for page in section}
    row = st.container(horizontal=True)
    for url_path in lab.screens:
        if url_path in pages:
            row.page_link(pages[url_path], label=_("Open {screen}").format(screen=pages[url_path].title),
                          icon=":material/open_in_new:")


def answered_list(lab, progress) -> None:
    """The lab's questions answered so far: what was said, what the run gave."""
    for number_in_lab, kind in enumerate(lab.questions, start=1):
        answer = progress.answered.get((lab.id, kind))
        if answer is None:
            continue
        st.markdown((":material/check_circle: " if answer.right else ":material/cancel: ") + _(
            "Question {n}: you said {given}, the run gave {answer}.").format(
            n=number_in_lab, given=lab_texts.given_text(kind, answer.given),
            answer=lab_texts.given_text(kind, answer.answer)))


def drawn_digit():
    """(image, label) of a digit drawn on this screen's canvas, or None while there is none."""
    from streamlit_drawable_canvas import st_canvas  # raises outside a running app, so imported here

    st.caption(_("Draw one digit, large, in the middle of the square."))
    result = st_canvas(stroke_width=20, stroke_color="#FFFFFF", background_color="#000000", height=280, width=280,
                       drawing_mode="freedraw", return_image_data=True, key="lab_canvas")
    try:
        png = None if result is None else result.image_bytes
        prepared = drawing.prepare_drawing(None if png is None else decode_drawing(png))
    except BadDrawing as error:
        st.error(str(error))
        return None
    label = st.segmented_control(_("What digit did you draw?"), list(range(10)), key="lab_draw_label")
    if prepared is None or label is None:
        return None
    return prepared.centred, int(label)


def ask(lab, kind) -> None:
    """The question, the learner's prediction and the button that steps and checks."""
    drawn = drawn_digit() if predictions.QUESTIONS[kind][2] == predictions.DRAW else None
    if predictions.QUESTIONS[kind][2] == predictions.DRAW and drawn is None:
        st.info(_("Draw a digit and pick its label: the question is about your drawing."))
        return
    question = guided.question(state, lab.id, kind, drawn)
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.warning(_(notice))
    with st.form(f"lab_{lab.id}_{kind}_{question.position}_{state.model_version}", border=True):
        st.markdown(lab_texts.question_text(question))
        if question.choices:
            st.radio(_("Your prediction"), question.choices, index=None, horizontal=True,
                             format_func=lambda code: lab_texts.given_text(kind, code), key=f"lab_given_{kind}")
        else:
            st.number_input(_("Your prediction"), value=None, format="%.4f", step=0.01,
                                    key=f"lab_given_{kind}")
        label = {predictions.STEP: _("Step once and check"),
                 predictions.TRAIN: _("Train {n} images and check").format(n=number(predictions.TRAIN_SAMPLES)),
                 predictions.DRAW: _("Train on this drawing and check")}[question.action]
        st.form_submit_button(label, type="primary", icon=":material/play_arrow:", on_click=check,
                              args=(lab.id, kind, drawn))


def check(lab_id: str, kind: str, drawn) -> None:
    """The submit's callback, before the screen is drawn again: step with the prediction made, check it, keep it.

    It runs before the shell has chosen this run's language, so its notice is kept untranslated and shown with _().
    """
    given = st.session_state.get(f"lab_given_{kind}")
    if given is None:
        st.session_state[NOTICE] = N_("Make your prediction first: the step waits for it.")
        return
    try:
        checked = guided.check(state, lab_id, guided.question(state, lab_id, kind, drawn), given, drawn)
    except RuntimeError as error:  # a past step is viewed, or the run is read-only: said on the screen
        st.session_state[NOTICE] = said(error)
        return
    if checked is None:
        st.session_state[NOTICE] = N_("Nothing was trained (see the sidebar), so this prediction was not checked.")


def task_notice(lab) -> None:
    """What is left of a lab whose questions are answered: its task, checked like a class's."""
    task = TASKS[lab.task]
    st.info(_("To finish this lab: {task}. {what}").format(task=task_title(task.id), what=task_explanation(task)),
            icon=":material/flag:")


def choose(index: int) -> None:
    """Open lab `index` (the Next lab button): a new picker starts there."""
    st.session_state[CHOSEN] = index
    st.session_state[PICKS] = st.session_state.get(PICKS, 0) + 1


def lab_section(index: int, progress) -> None:
    lab = PATH[index]
    st.subheader(f"{index + 1} · {lab_texts.title(lab.id)}")
    st.markdown(lab_texts.goal(lab.id))
    screen_links(lab)
    last = guided.last
    if last is not None and last.lab == lab.id:
        text = lab_texts.verdict(last.question, last.truth, last.right, last.given)
        (st.success if last.right else st.warning)(text, icon=":material/check_circle:" if last.right else
                                                   ":material/lightbulb:")
    answered_list(lab, progress)
    left = unanswered(lab, progress.answered)
    if left:
        ask(lab, left[0])
    elif lab.id not in progress.done:
        task_notice(lab)
    else:
        st.success(_("Lab done."), icon=":material/task_alt:")
        if index + 1 < len(PATH):
            st.button(_("Next lab: {title}").format(title=lab_texts.title(PATH[index + 1].id)), key="lab_next",
                      on_click=choose, args=(index + 1,), icon=":material/arrow_forward:")


def path_picker(progress) -> int:
    """The path, one line a lab with its mark; the first lab not done is open until the learner picks another.

    The lines are made here, in the session's language, and hold each lab's mark, so the picker is drawn
    again (with the chosen lab) whenever a mark changes or the Next button opens another lab.
    """
    right, made = sum(answer.right for answer in progress.answered.values()), len(progress.answered)
    st.progress(len(progress.done) / len(PATH), text=_("{done} of {labs} labs done · {right} of {made} predictions "
                                                        "right").format(done=len(progress.done), labs=len(PATH),
                                                                        right=right, made=made))
    lines = []
    for index, lab in enumerate(PATH):
        mark = "✓" if lab.id in progress.done else "▸" if index == progress.current else "·"  # plain text: any font has them
        lines.append(f"{mark} {index + 1} · {lab_texts.title(lab.id)}")
    chosen = st.session_state.get(CHOSEN, min(progress.current, len(PATH) - 1))
    picked = st.selectbox(_("Lab"), lines, index=chosen, key=f"lab_pick_{st.session_state.get(PICKS, 0)}")
    st.session_state[CHOSEN] = lines.index(picked)
    return st.session_state[CHOSEN]


if state.viewing is not None:
    timeline_panel.viewing_banner(state)
    st.caption(_("The labs step the run at now: go back to now to go on."))
elif class_views.read_only_notice(state):
    pass
else:
    progress = guided.progress(state)
    if not progress.readable:
        st.warning(_("This run's log cannot be read now, so your answers so far are not shown; new ones are kept."))
    if state.trainer.stopped_reason:
        st.warning(_("Training has stopped (see the sidebar): reset on Train with a smaller α to go on."))
    lab_section(path_picker(progress), progress)

shell.next_screen_link(__file__)
