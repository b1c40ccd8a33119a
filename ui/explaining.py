"""Explain this number on the screens: a click on a value opens the sum that made it, one level down at a time.

A page makes its values ways in (kit_click for a bar, a pixel or a cell of the chart kit's charts,
ui/chart_kit.py; chooser for a picker; or a table's cell), and calls show_if_open() last: while an explanation is open, it draws the dialog
(ui/explain_view.py) with the path from the value first opened down to this one, each step of
the path a way back up and each dependency a way one level down. The open explanation stands in
the URL (?explain=Z1_3&step=120, and &image=test_42 on Forward pass) so that a link opens it for
someone else; open_from_link() reads one, and refuses a malformed one with a notice.

Nothing is computed until an explanation is open: the explanation itself (core/model/explain.py) reads
the step record the screens already hold. Its state is three keys of st.session_state: the path,
what it explains (the step the screens show, or an image through the model), and a counter that
gives the clickable charts fresh keys, so a bar clicked again after closing opens again.
"""

import re

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.model import network
from core.model.explain import KINDS, BadName, explain, parse
from core.model.explanation import Moment, name_of
from locales import _, number
from locales.words import rule_name
from runs.errors import StoreError
from ui import explain_view, explain_words, session, timeline_panel

PATH_KEY, CONTEXT_KEY, SCREEN_KEY = "explain_path", "explain_context", "explain_screen"
GENERATIONS_KEY, SOURCE_KEY, SEEN_KEY = "explain_generations", "explain_source", "explain_seen"
STEP = ("step",)  # the step the screens show: the live one, or the past one opened on the timeline
SPLITS = ("training", "test")
URL_KEYS = ("explain", "step", "image")
MAX_PATH = 12


def image_context(split: str, index: int) -> tuple:
    """An image of the data set through the model the screens show (Forward pass), no training."""
    return ("image", split, int(index))


def chart_key(base: str) -> str:
    """A clickable chart's (or table's) key: a new one once the explanation it opened is closed.

    A selection outlives the dialog; with a new key the chart comes back without it, so the same bar
    clicked again opens again. Only that chart is drawn anew, and only at closing, not at opening.
    """
    return f"{base}_{st.session_state.get(GENERATIONS_KEY, {}).get(base, 0)}"


def _screen() -> str | None:
    context = get_script_run_ctx()
    return None if context is None else context.page_script_hash


def request(name: str, context: tuple = STEP, source: str | None = None) -> None:
    """Open `name` at the next show_if_open() (for callbacks, which cannot draw); `source`: the chart clicked."""
    st.session_state[PATH_KEY] = [name]
    st.session_state[CONTEXT_KEY] = context
    st.session_state[SOURCE_KEY] = source
    st.session_state[SCREEN_KEY] = _screen()


def open_explanation(name: str, context: tuple = STEP) -> None:
    """Open the explanation of value `name` ("A2_7", "Z1_3", "dW1_407_3") of the step the screens show, now.

    For a click handled while a screen (or a fragment of it) runs, such as a component's "explain" event.
    """
    request(name, context)
    show_if_open()


def kit_click(name_of_value, context: tuple = STEP):
    """A chart kit's on_click (ui/chart_kit.show): value `index` of series `series` opens name_of_value(series, index)."""
    def clicked(series: int, index: int) -> None:
        name = name_of_value(series, index)
        if name is not None:
            request(name, context)
    return clicked


def show_if_open() -> None:
    """Draw the dialog when an explanation is open (once a run: a second dialog would be refused)."""
    if not st.session_state.get(PATH_KEY):
        return
    if st.session_state.get(SCREEN_KEY) not in (None, _screen()):  # opened on another screen, never closed there
        close()
        return
    context = get_script_run_ctx()
    if context is not None and getattr(context, "has_dialog_opened", False):
        return
    st.dialog(_("Explain this number"), width="large", on_dismiss=close)(_dialog)()


def close() -> None:
    """The dialog was dismissed: forget the path and take the explanation out of the URL."""
    st.session_state[PATH_KEY] = []
    st.session_state[SEEN_KEY] = None
    source = st.session_state.get(SOURCE_KEY)
    if source is not None:
        generations = st.session_state.setdefault(GENERATIONS_KEY, {})
        generations[source] = generations.get(source, 0) + 1
    for key in URL_KEYS:
        if key in st.query_params:
            del st.query_params[key]


def _descend(name: str) -> None:
    st.session_state[PATH_KEY] = [*st.session_state[PATH_KEY], name][-MAX_PATH:]


def _climb(depth: int) -> None:
    st.session_state[PATH_KEY] = st.session_state[PATH_KEY][:depth + 1]


def _dialog() -> None:
    state = session.current()
    path = st.session_state[PATH_KEY]
    context = st.session_state.get(CONTEXT_KEY, STEP)
    moment, where = moment_for(state, context)
    if moment is None:
        st.info(where, icon=":material/info:")
        return
    try:
        explanation = explain(path[-1], moment)
    except BadName as error:
        st.warning(refusal(error), icon=":material/block:")
        return
    path_bar(path)
    st.markdown(f"#### {explain_words.shown_name(explanation.name)} = {number(explanation.value, '.6g')}")
    st.caption(where)
    explain_view.draw(explanation, moment.params.hidden)
    if explanation.dependencies:
        st.markdown(_("**One level down:** open what this value is made of."))
        row = st.container(horizontal=True)
        for dependency in explanation.dependencies[:MAX_PATH]:
            row.button(explain_words.shown_name(dependency), key=f"explain_open_{dependency}", on_click=_descend,
                       args=(dependency,), icon=":material/subdirectory_arrow_right:")
    else:
        st.caption(_("This is where the sums end: the weights and the pixels themselves."))
    link = keep_in_url(state, explanation.name, context)
    st.caption(_("A link to this explanation, for someone else (with this run and step):"))
    st.code(link, language=None)


def path_bar(path: list[str]) -> None:
    """A2₇ ← Z2₇ ← A1₃ ← Z1₃: where one is; each earlier value a button back up to it."""
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.caption(_("Path:"), width="content")
    for depth, name in enumerate(path):
        if depth:
            row.markdown("←", width="content")
        if depth == len(path) - 1:
            row.markdown(f"**{explain_words.shown_name(name)}**", width="content")
        else:
            row.button(explain_words.shown_name(name), key=f"explain_back_{depth}", type="tertiary",
                       on_click=_climb, args=(depth,), help=_("Back up to this value"))


def step_record(state):
    """The record of the step the screens show; at now after a reload (not kept) it is recomputed from the log."""
    view = state.viewed()
    if view is not None:
        return view.record
    record = state.trainer.last_record
    if record is None and state.trainer.sgd_steps > 0 and not state.running:
        try:
            timeline = state.timeline()
            if timeline.length:
                record = timeline.step(timeline.length).record
        except (StoreError, ValueError):
            return None
    return record


def moment_for(state, context: tuple) -> tuple[Moment | None, str]:
    """What to explain, and a line saying which step or image it is (or, without one, why not)."""
    step = number(timeline_panel.shown_step(state))
    if context[0] == "image":
        _kind, split, index = context
        mnist = session.dataset()
        images, labels = (mnist.train_images, mnist.train_labels) if split == "training" else (
            mnist.test_images, mnist.test_labels)
        where = (_("Training image #{index}, label {label}, through the model at step {step}") if split == "training"
                 else _("Test image #{index}, label {label}, through the model at step {step}")).format(
            index=number(index), label=int(labels[index]), step=step)
        return Moment.of_image(state.shown_trainer().params, network.pixels(images[index]), int(labels[index])), where
    record = step_record(state)
    if record is None:
        return None, _("Step {step} has no values to explain: no image was trained at it (the start of the run, or "
                       "a step refused for overflow). Press Step on the Train screen.").format(step=step)
    sample = (_("training image #{index}").format(index=number(record.index)) if record.index is not None
              else _("your drawing"))
    return Moment.of_step(record), _("Step {step}: {sample}, label {label}, the {rule} rule, α = {alpha}.").format(
        step=step, sample=sample, label=record.label, rule=rule_name(record.rule), alpha=number(record.learning_rate, ".4g"))


def keep_in_url(state, name: str, context: tuple) -> str:
    """Write the open explanation into the URL (only what differs); the query string that reopens it."""
    wanted = {"explain": name, "step": str(timeline_panel.shown_step(state))}
    if context[0] == "image":
        wanted["image"] = f"{context[1]}_{context[2]}"
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state[SEEN_KEY] = name
    query = {**state.query(), **wanted}
    return (st.context.url or "") + "?" + "&".join(f"{key}={value}" for key, value in query.items())


def refusal(error: BadName) -> str:
    """Why a value cannot be explained, in words; the asked name shown only as its safe characters."""
    shown = re.sub(r"[^A-Za-z0-9_]", "", error.name)[:40] or "?"
    if error.code == "no_step":
        return _("“{name}” is a gradient: it exists only for a training step. Open it from Train or Gradients.").format(
            name=shown)
    if error.code == "out_of_range":
        return _("“{name}” is out of range: hidden units are numbered 1 to h, digits 0 to 9, pixels 1 to 784.").format(
            name=shown)
    return _("“{name}” is not the name of a value (examples: Z1_3, A2_7, dZ2_7, dW1_407_3).").format(name=shown)


def open_from_link(state, image_screen: bool = False) -> None:
    """Open the explanation a link asks for (?explain=…&step=…[&image=…]); refuse a bad one with a notice."""
    asked = st.query_params.get("explain")
    if asked is None or asked == st.session_state.get(SEEN_KEY):
        return
    st.session_state[SEEN_KEY] = asked
    try:
        kind, indices = parse(asked, state.shown_trainer().params.hidden)
        if image_screen and KINDS[kind][1]:
            raise BadName("no_step", asked)
        step = _linked_step(state, st.query_params.get("step"))
        context = _linked_image(st.query_params.get("image")) if image_screen else STEP
    except BadName as error:
        _refuse_link(refusal(error))
        return
    except ValueError:
        _refuse_link(_("This link's step or image is not one of this run's: nothing was opened."))
        return
    if step is not None and step != timeline_panel.shown_step(state):
        timeline_panel.go_to(state, step)
    if context[0] == "image":
        state.open_in_forward(context[1], context[2])
    request(name_of(kind, *indices), context)


def _linked_step(state, text: str | None) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise ValueError(text)
    step = int(text)
    if not timeline_panel.offset(state) <= step <= timeline_panel.now(state):
        raise ValueError(text)
    return step


def _linked_image(text: str | None) -> tuple:
    found = re.fullmatch(r"(training|test)_([0-9]{1,5})", text or "")
    if found is None:
        raise ValueError(text)
    mnist = session.dataset()
    size = len(mnist.train_labels if found[1] == "training" else mnist.test_labels)
    if int(found[2]) >= size:
        raise ValueError(text)
    return image_context(found[1], int(found[2]))


def _refuse_link(message: str) -> None:
    st.warning(_("This link's explanation was not opened. {reason}").format(reason=message), icon=":material/link_off:")
    for key in URL_KEYS:
        if key in st.query_params:
            del st.query_params[key]
    st.session_state[SEEN_KEY] = None


FORWARD_KINDS = ("Z1", "A1", "Z2", "A2", "loss", "cross_entropy", "x")
STEP_KINDS = ("A2", "Z2", "A1", "Z1", "loss", "cross_entropy", "dZ2", "dZ1", "dW2", "db2", "dW1", "db1",
              "DeltaW1", "Deltab1", "DeltaW2", "Deltab2", "x")
KIND_SYMBOLS = {"Z1": "Z1ₖ", "A1": "A1ₖ", "Z2": "Z2ⱼ", "A2": "A2ⱼ", "loss": "L", "cross_entropy": "−log A2_y",
                "x": "xᵢ", "dZ2": "dZ2ⱼ", "dZ1": "dZ1ₖ", "dW2": "dW2[k, j]", "db2": "db2ⱼ", "dW1": "dW1[i, k]",
                "db1": "db1ₖ", "DeltaW1": "ΔW1[i, k]", "Deltab1": "Δb1ₖ", "DeltaW2": "ΔW2[k, j]", "Deltab2": "Δb2ⱼ"}


@st.fragment
def chooser(key: str, kinds: tuple, context: tuple = STEP) -> None:
    """"Explain a number": pick a value by its symbol and indices, and open it.

    A fragment of its own: picking reruns only the picker, never the screen around it.
    """
    hidden = session.current().shown_trainer().params.hidden
    with st.popover(_("Explain a number"), icon=":material/calculate:"):
        kind = st.selectbox(_("Value"), kinds, key=f"{key}_kind", format_func=KIND_SYMBOLS.get)
        labels = {"unit": (_("hidden unit k (1 to {last})").format(last=hidden), 1, hidden),
                  "digit": (_("digit j (0 to 9)"), 0, 9), "pixel": (_("pixel i (1 to 784)"), 1, 784)}
        indices = [st.number_input(labels[what][0], labels[what][1], labels[what][2], key=f"{key}_{what}")
                   for what in KINDS[kind][0]]
        if st.button(_("Open its sum"), key=f"{key}_open", type="primary"):
            open_explanation(name_of(kind, *indices), context)
