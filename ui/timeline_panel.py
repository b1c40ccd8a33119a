"""The timeline: open any past step of the run exactly, show it on every screen, and branch a new run from it.

The Train screen's panel (ui/step_panel.py) draws the controls from the steps and marks here and,
while a past step is open, the Train screen draws the branch form; Forward pass, Weights and
Gradients draw viewing_banner() so a learner always knows whether they see now or the past. Steps are counted as the run counts them (a run started from a checkpoint
goes on from the checkpoint's step); a step on a drawing counts as one step too.
"""

import streamlit as st

from core.model.network import GRADIENT_RULES
from core.training.settings import NUMERIC_RANGES
from locales import N_, _, number
from locales.words import rule_title, said
from runs.errors import StoreError
from lab.session import Session

# How a branch's lineage names the settings it changed (α and the rule are symbols; the others are words).
CHANGED_NAMES = {"learning_rate": "α", "decay_period": N_("halving every"), "decay_factor": N_("decay factor"),
                 "rule": N_("rule")}
LIST_SEPARATOR = ", "  # between numbers in a list: a comma and a space in both languages (Greek decimals have no space)


def offset(state: Session) -> int:
    """The step the run's timeline starts at (0, or an uploaded checkpoint's step)."""
    return state.timeline().keyframes.frames[0].sgd_steps


def now(state: Session) -> int:
    return offset(state) + state.timeline().length


def shown_step(state: Session) -> int:
    """The step the screens show: the viewed one, or now."""
    return now(state) if state.viewing is None else offset(state) + state.viewing


def go_to(state: Session, step: int) -> None:
    """Open `step` (as the run counts), or now when it is the current one."""
    state.view(min(max(int(step), offset(state)), now(state)) - offset(state))


def epoch_ends(state: Session) -> list[tuple[int, int]]:
    """(epoch, the step it ended at) for each epoch the timeline finished; drawings before its end count as steps."""
    first, size = state.timeline().keyframes.frames[0], state.trainer.training_size
    ended = range(first.step_count // size + 1, state.trainer.step_count // size + 1)
    return [(epoch, first.sgd_steps + state.timeline().position_after_samples(epoch * size - first.step_count))
            for epoch in ended]


def epoch_and_drawing_marks(state: Session) -> str:
    """Where the epochs begin and which steps were drawings, in one line under the slider."""
    timeline, start = state.timeline(), offset(state)
    ends = epoch_ends(state)
    epochs = [number(step) for _epoch, step in ends]
    drawings = [number(start + position) for position in timeline.drawing_positions()]
    parts = []
    if epochs:
        parts.append(_("epoch {epoch} began after step {step}").format(epoch=ends[0][0] + 1, step=epochs[0])
                     if len(epochs) == 1 else _("epochs began after steps {steps}").format(
                         steps=LIST_SEPARATOR.join(epochs[:8]) + (" …" if len(epochs) > 8 else "")))
    if drawings:
        parts.append(_("steps on your drawings: {steps}").format(steps=LIST_SEPARATOR.join(drawings[-8:])))
    # Between clauses: a semicolon in English; in Greek ";" is the question mark, the ano teleia "·" does this.
    return _("Timeline: {marks}.").format(marks=_("; ").join(parts)) if parts else ""


def viewing_banner(state: Session) -> None:
    """On a screen that shows the model: say that a past step is open, with a way back to now."""
    if state.viewing is None:
        return
    row = st.container(horizontal=True, vertical_alignment="center")
    with row.container(width="stretch"):
        st.info(_("Viewing **step {step}** of {now}: this screen shows the model as it was "
                  "then. Training goes on only from now.").format(step=number(shown_step(state)), now=number(now(state))),
                icon=":material/history:")
    row.button(_("Back to now"), key="banner_now", icon=":material/fast_forward:", on_click=lambda: state.view(None))


def branch_form(state: Session) -> None:
    """From the open past step: new settings, and a new run that shares this run's log up to here."""
    if state.classroom.read_only_reason():
        return
    trainer = state.shown_trainer()
    settings, step = trainer.settings, shown_step(state)
    locked = state.classroom.locked
    st.markdown(_("**Branch from step {step}**: to try other settings from here, make a new run that shares this "
                  "run's first {step} steps and trains on with the settings below. This run stays as it is, behind "
                  "its own link.").format(step=number(step)))
    with st.form("branch"):
        columns = st.columns(4)
        rate = columns[0].number_input(_("learning rate α"), *NUMERIC_RANGES["lr"][1:], settings.learning_rate,
                                       format="%g", step=0.001, key="branch_lr", disabled=locked("learning_rate"))
        period = columns[1].number_input(_("halve α every … epochs"), *NUMERIC_RANGES["decay"][1:],
                                         settings.decay_period, key="branch_decay", disabled=locked("decay_period"))
        factor = columns[2].number_input(_("decay factor"), *NUMERIC_RANGES["factor"][1:], settings.decay_factor,
                                         format="%g", step=0.05, key="branch_factor", disabled=locked("decay_factor"))
        rules = {rule: rule_title(rule) for rule in GRADIENT_RULES}  # names made now: format_func may run later
        rule = columns[3].selectbox(_("gradient rule"), list(rules), list(rules).index(settings.rule),
                                    key="branch_rule", format_func=rules.get, disabled=locked("rule"))
        pressed = st.form_submit_button(_("Branch from step {step}").format(step=number(step)),
                                        icon=":material/call_split:")
    if not pressed:
        return
    wanted = {"learning_rate": float(rate), "decay_period": int(period), "decay_factor": float(factor), "rule": rule}
    changes = {name: value for name, value in wanted.items() if value != getattr(settings, name)}
    if not changes:
        st.warning(_("These are the settings the run had at this step: change at least one to branch (or go back "
                     "to now to go on with this run)."))
        return
    try:
        with st.spinner(_("Replaying the run's log up to step {step} for the new run…").format(step=number(step))):
            state.branch(changes)
    except (StoreError, ValueError) as error:
        st.error(_("No branch was made: {reason}. This run is unchanged.").format(reason=said(error).rstrip(".")))
        return
    st.rerun()


def lineage_text(state: Session) -> str | None:
    """"Branched from run … at step k with α 0.005", for a run that is a branch."""
    if state.run.parent is None:
        return None
    try:
        lineage = state.run.lineage(state.trainer)
    except (StoreError, ValueError):
        return _("Branched from [run `{short}…`](?run={run}).").format(short=state.run.parent[:8], run=state.run.parent)
    if lineage is None:
        return None
    changes = LIST_SEPARATOR.join(
        f"{_(CHANGED_NAMES[name])} {number(value, 'g') if isinstance(value, float) else value}"
        for name, value in lineage.changes)
    if changes:
        return _("Branched from [run `{short}…`](?run={run}) at step {step} with {changes}.").format(
            short=lineage.parent[:8], run=lineage.parent, step=number(lineage.step), changes=changes)
    return _("Branched from [run `{short}…`](?run={run}) at step {step}.").format(
        short=lineage.parent[:8], run=lineage.parent, step=number(lineage.step))
