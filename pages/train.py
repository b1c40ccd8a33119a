"""Train: the only screen that changes the model. Step one sample at a time and watch it learn."""

import inspect
import time

import numpy as np
import streamlit as st

from core.model import network

from core.training.step_record import StepRecord
from core.model.network import GRADIENT_RULES, INITIALISATIONS
from core.training.settings import NUMERIC_RANGES, Settings, learning_rate_at
from locales import _, ngettext, number
from locales.words import init_name, rule_name, rule_title
from ui import (chart_epochs, chart_kit, class_views, explaining, figures, session, shell, step_numbers, step_panel,
                take_home, timeline_panel, widgets)

RUN_SLICE_SECONDS = 0.2  # training per rerun while running an epoch: the page redraws and Stop is heard between slices

shell.require()
st.title(_("Train"))
st.markdown(_(
    "Each step takes the next training image (in the dataset's order, as the document does), runs "
    "it forward, computes the gradient of every weight and moves each weight a little against it: "
    "**P ← P − α·dP**. Step once and look at what changed; step many times and watch the loss fall."))

state = session.current()
explaining.open_from_link(state)  # ?explain=A2_7&step=…: that step opened on the timeline, the value explained
trainer = state.trainer
mnist = session.dataset()


def number_setting(column, key: str, label: str, **options):
    """A number input bounded by the range the URL check uses too (core/training/settings.py); fixed where a class locks it."""
    field, low, high = NUMERIC_RANGES[key]
    locked = class_views.locked_help(state, field)
    return column.number_input(label, low, high, getattr(trainer.settings, field), key=f"setting_{key}",
                               disabled=locked is not None, help=locked, **options)


def choice_setting(column, key: str, label: str, names: dict, help: str):
    """A select box of the allowed values ({value: its name on screen}), starting at the current one."""
    choices = list(names)
    locked = class_views.locked_help(state, key)
    return column.selectbox(label, choices, choices.index(getattr(trainer.settings, key)), key=f"setting_{key}",
                            format_func=names.get, help=locked or help, disabled=locked is not None)


def settings_form() -> None:
    """The run's settings; they take effect on Reset and are written into the URL."""
    if state.classroom.read_only_reason():
        return
    with st.expander(_("Settings: applied on Reset, saved in the page's URL so a link reproduces the run")):
        with st.form("settings"):
            columns = st.columns(4)
            learning_rate = number_setting(columns[0], "lr", _("learning rate α"), format="%g", step=0.001)
            decay_period = number_setting(columns[1], "decay", _("halve α every … epochs"))
            decay_factor = number_setting(columns[2], "factor", _("decay factor"), format="%g", step=0.05)
            rule_titles = {rule: rule_title(rule) for rule in GRADIENT_RULES}
            rule = choice_setting(columns[3], "rule", _("gradient rule"), rule_titles,
                                  _("{document}: dZ2 = 2(A2 − y); {mse}: the exact gradient of Σ(A2 − y)² through the "
                                    "softmax; {cross_entropy}: A2 − y").format(
                                      document=rule_titles["document"], mse=rule_titles["mse"],
                                      cross_entropy=rule_titles["cross-entropy"]))
            hidden = number_setting(columns[0], "hidden", _("hidden units"))
            init_names = {init: init_name(init) for init in INITIALISATIONS}
            init = choice_setting(columns[1], "init", _("initialisation"), init_names,
                                  _("{uniform}: U[−0.5, 0.5), the document's; {he}: N(0, 2/fan_in)").format(
                                      uniform=init_names["uniform"], he=init_names["he"]))
            seed = number_setting(columns[2], "seed", _("random seed"))
            if st.form_submit_button(_("Reset with these settings"), icon=":material/restart_alt:"):
                state.reset(Settings(learning_rate=float(learning_rate), decay_period=int(decay_period),
                                     decay_factor=float(decay_factor), rule=rule, hidden=int(hidden),
                                     init=init, seed=int(seed)))
                st.rerun()


def panel_action(action: dict) -> None:
    """A click in the panel, handled before the panel reruns: train, run or stop an epoch, reset, open a step."""
    kind = action.get("kind")
    training_allowed = state.viewing is None and not state.classroom.read_only_reason()
    if kind == "step" and training_allowed and action.get("n") in (1, 10, 100):
        state.train(int(action["n"]))
    elif kind == "epoch" and training_allowed:
        state.start_running()
    elif kind == "stop":
        state.stop_running()
    elif kind == "reset" and training_allowed:
        state.reset(state.trainer.settings)
    elif kind == "goto" and isinstance(action.get("step"), int):
        timeline_panel.go_to(state, action["step"])
    elif kind == "now":
        state.view(None)


def run_slice() -> None:
    """Train the epoch for a fifth of a second, then let the panel draw and rerun: Stop lands in between."""
    deadline = time.perf_counter() + RUN_SLICE_SECONDS
    state.train(trainer.steps_to_epoch_end, should_stop=lambda: time.perf_counter() > deadline)


OVERSHOOT_LOSS = 1.5  # a mean Σ(A2 − y)² above this: most images wrong with near certainty (guessing gives 0.9)


def running_curves() -> figures.TrainingCurves:
    history = trainer.history
    return figures.training_curves(history.bins, history.SERIES.index("loss"), history.SERIES.index("correct"),
                                   history.test_accuracy)


def overshooting(curves: figures.TrainingCurves) -> bool:
    """The recent mean loss says most images are confidently wrong: each step overshoots."""
    return trainer.step_count >= figures.MIN_WINDOW and bool(curves.loss.size) and curves.loss[-1] > OVERSHOOT_LOSS


def overshoot_warning(curves: figures.TrainingCurves, record: StepRecord | None) -> None:
    """Say loudly that the loss is not falling because α is too large, and what to do."""
    this_step = (_(" Here: this image's loss went {before} → {after}, yet the next image starts near 2 again.").format(
        before=number(record.loss_before, ".4f"), after=number(record.loss_after, ".4f")) if record is not None else "")
    st.warning(_(
        "**The loss is not falling: each step overshoots.** Over the last {window} steps the mean loss is "
        "{loss} (a loss near 2 means A2 puts almost all its probability on a wrong digit; "
        "guessing 1/10 for every digit gives 0.9). With α = {alpha} each update is so large "
        "that it makes the current image's answer certain and throws away what the other images taught, so the "
        "next image, of another digit, is wrong with certainty.{this_step} Lower α (the document uses 0.01) "
        "in Settings and Reset.").format(window=number(curves.window), loss=number(curves.loss[-1], ".2f"),
                                         alpha=number(trainer.learning_rate, ".4g"), this_step=this_step),
        icon=":material/swap_vert:")


def unit_list(mask: np.ndarray, most: int = 12) -> str:
    """"units 2, 5, 7", numbered from 1; past `most` units only how many."""
    units = np.flatnonzero(mask) + 1
    if len(units) > most:
        return ngettext("{n} of {total} unit", "{n} of {total} units", len(mask)).format(
            n=number(len(units)), total=number(len(mask)))
    return ngettext("unit {units}", "units {units}", len(units)).format(units=", ".join(map(str, units)))


def parameters_notice() -> str:
    """No step in memory: what is missing and how to get it (the current W1 templates follow the panel)."""
    if trainer.sgd_steps == 0:
        return _("Press **Step** to train on the first image. Below: the initial weights W1, one 28×28 template "
                 "per hidden unit.")
    if state.running:
        return _("An epoch is running: the step-by-step details appear when it ends or you press Stop and "
                 "then Step.")
    return _("The model is at step {step}. The last step's details (its image, A2, the loss "
             "before and after, ΔW1) are not kept after loading a checkpoint, a stopped run or a run of many "
             "steps. Press **Step** to train on the next image and see them.").format(step=number(trainer.sgd_steps))


def curves_caption(curves: figures.TrainingCurves) -> str | None:
    """What a point of the curves averages; why the loss curve shows one point at step 1."""
    if not trainer.step_count:
        return None
    text = figures.window_text(curves) + (_(" ◆: test accuracy at the end of each epoch.") if curves.test_steps else "")
    if curves.steps.size == 1:
        text += " " + _("After one step each curve is a single point, the mean over that one step; the lines grow "
                        "from the next step on.")
    return text


def step_fields(record: StepRecord, step: int, silent: np.ndarray, oscillating: bool) -> tuple[dict, dict]:
    """One step's anatomy for the panel: the sample, A2, the loss before and after, ΔW1."""
    return step_panel.record_fields(record, step, mnist.train_images, silent, oscillating, unit_list)


def last_fired(silent: np.ndarray) -> str:
    """When the silent units last fired on a training image (history.last_active), in one sentence."""
    last = trainer.history.last_active[silent]
    units = np.flatnonzero(silent) + 1
    if not last.any():
        return _("None of them has fired on a training image in this run.")
    if len(units) > 12:
        never = int((last == 0).sum())
        if never:
            return ngettext("The last of them fired on a training image at step {step}; {never} never did in this run.",
                            "The last of them fired on a training image at step {step}; {never} never did in this run.",
                            never).format(step=number(last.max()), never=number(never))
        return _("The last of them fired on a training image at step {step}.").format(step=number(last.max()))
    return _("Last fired on a training image: {units}.").format(units=", ".join(
        _("unit {unit} at step {step}").format(unit=unit, step=number(step)) if step
        else _("unit {unit} never").format(unit=unit) for unit, step in zip(units, last)))


def silent_units_report(silent: np.ndarray) -> None:
    """A warning with the count and when it rose while any hidden unit is silent; a caption otherwise."""
    hidden = trainer.params.hidden
    rose = state.note_silent_units(int(silent.sum()))
    measured = _("Z1 ≤ 0 on all of the first 1,000 test images")
    if not silent.any():
        st.caption(_("Silent hidden units ({measured}): **0 of {hidden}**. A high α can silence most of them.").format(
            measured=measured, hidden=hidden))
        return
    when = (_(" Their number last rose between step {first} and step {second}.").format(
        first=number(rose[0]), second=number(rose[1])) if rose and rose[1] else "")
    working = int(hidden - silent.sum())
    st.warning(
        ngettext("**{silent} of {hidden} hidden units are silent** ({measured}).",
                 "**{silent} of {hidden} hidden units are silent** ({measured}).", int(silent.sum())).format(
            silent=int(silent.sum()), hidden=hidden, measured=measured)
        + when + " " + last_fired(silent) + " "
        + ngettext("A silent unit passes nothing on (A1 = 0) and gets no gradient from those images, so the network "
                   "is left with {working} working unit; it learns again only if some image makes its Z1 positive. "
                   "The usual cause is a large α: one big step pushes a unit's weights so far down that no image "
                   "turns it on. Lower α (the document uses 0.01) in Settings and Reset.",
                   "A silent unit passes nothing on (A1 = 0) and gets no gradient from those images, so the network "
                   "is left with {working} working units; it learns again only if some image makes its Z1 positive. "
                   "The usual cause is a large α: one big step pushes a unit's weights so far down that no image "
                   "turns it on. Lower α (the document uses 0.01) in Settings and Reset.", working).format(
            working=working),
        icon=":material/power_off:")


def past_step_extras(view, step: int) -> None:
    """Below the panel, for a past step: the numbers of its step and W1 then (or why there is no step)."""
    if view.record is None:
        if view.position == 0:
            widgets.weight_templates(view.trainer, view.trainer.dead_units(),
                                     title=_("W1 at step {step}, the start").format(step=number(step)))
        else:
            st.error(widgets.shown_stop_reason(view.trainer.stopped_reason) or _("This step was refused."),
                     icon=":material/warning:")
    else:
        step_numbers.step_numbers(view.record)
        widgets.weight_templates(view.trainer, view.trainer.dead_units(),
                                 title=_("W1 after step {step}").format(step=number(step)))
    timeline_panel.branch_form(state)


def past_header(view, step: int) -> str:
    """The heading of a past step: where it was in the run, α and the rule."""
    record = view.record
    if record is None:
        return (_("Step {step}: the weights before any training of this run") if view.position == 0
                else _("Step {step}: refused")).format(step=number(step))
    where = (_("a step on your drawing") if view.drawing else
             _("epoch {epoch} · sample {sample} of {total}").format(
                 epoch=record.epoch + 1, sample=number(record.index + 1), total=number(trainer.training_size)))
    return _("Step {step} · {where} · α = {alpha} · {rule} rule").format(
        step=number(step), where=where, alpha=number(record.learning_rate, ".4g"), rule=rule_name(record.rule))


def newly_changed() -> bool:
    """An epoch ended or training stopped since the panel last drew: the rest of the page must redraw too."""
    seen = (trainer.epoch, trainer.stopped_reason)
    changed = st.session_state.get("train_panel_seen", seen) != seen
    st.session_state["train_panel_seen"] = seen
    return changed


@st.fragment
def training_panel() -> None:
    """Reruns alone on every click; one component draws it, from what changed since its last draw."""
    if state.trainer is not trainer:  # a Reset, or another tab had moved this run on: show it as stored
        st.rerun()
    widgets.store_notice_in_fragment(state)
    running = state.running and not trainer.stopped_reason and state.viewing is None
    widgets.refresh_position(state)
    view = state.viewed() if not running else None
    read_only = state.classroom.read_only_reason()
    curves = running_curves()
    silent = trainer.dead_units()
    fields = {"mode": "running" if running else "past" if view is not None else "now",
              "controls": read_only is None and view is None, "progress": step_panel.running_progress(trainer)
              if running else None, "notice": None, "viewing": None, "timeline": None, "timeline_error": None}
    blocks = {}
    if view is not None:
        step = timeline_panel.shown_step(state)
        fields["viewing"] = _("Viewing step **{step}** of {now}, recomputed exactly from the run's log. The training "
                              "buttons come back at now; to train from here, branch (below).").format(
            step=number(step), now=number(timeline_panel.now(state)))
        fields["position"] = past_header(view, step)
        record, oscillating, viewed = view.record, False, view.trainer.step_count
        silent = view.trainer.dead_units()
    else:
        fields["position"] = widgets.position_text(trainer)
        record, oscillating, viewed, step = trainer.last_record, overshooting(curves), None, None
        if record is None or running:  # one step's anatomy would only flicker past while an epoch runs
            record, fields["notice"] = None, parameters_notice()
    if not running:
        fields["timeline"], fields["timeline_error"] = step_panel.timeline_of(state)
    if record is not None:
        more, blocks = step_fields(record, record.step if step is None else step, silent, oscillating)
        fields.update(more)
    fields.update(step_panel.curve_fields(trainer, viewed, curves_caption(curves)))
    fields["silent_caption"] = None if silent.any() or view is not None else step_panel.silent_caption(
        trainer.params.hidden)
    # a value clicked in the panel opens its explanation (the dialog is drawn from this rerun of the panel)
    step_panel.show(fields, blocks, trainer, panel_action, on_explain=explaining.request)
    explaining.show_if_open()
    if read_only is not None:
        class_views.read_only_notice(state)
    if trainer.stopped_reason:
        st.error(widgets.shown_stop_reason(trainer.stopped_reason), icon=":material/warning:")
    if view is not None:
        past_step_extras(view, step)
        return
    if oscillating:
        overshoot_warning(curves, trainer.last_record)
    if silent.any():
        silent_units_report(silent)
    if record is None and not running:
        widgets.weight_templates(trainer, silent)
    if running:
        # Train after drawing: a rerun drops what Streamlit has not yet sent, and the slice gives it time to go.
        run_slice()
    if newly_changed():
        state.stop_running()
        st.rerun()  # refresh what lies outside this fragment: test accuracy, the sidebar's warning
    if state.running:
        widgets.rerun_panel()


def epoch_charts() -> None:
    """Test accuracy at each epoch end and the learning-rate schedule α(epoch)."""
    left, right = st.columns(2)
    with left:
        epochs = [entry[0] + 1 for entry in trainer.history.test_accuracy]
        accuracy = [entry[2] for entry in trainer.history.test_accuracy]
        if epochs:
            chart_kit.show(chart_epochs.epoch_accuracy(epochs, accuracy), key="train_test_accuracy")
        else:
            st.caption(_("Test accuracy is measured on all 10,000 test images at the end of each epoch."))
    with right:
        schedule = np.arange(1, max(trainer.epoch + 2, 2 * trainer.settings.decay_period + 1))
        rates = [learning_rate_at(trainer.settings, epoch - 1) for epoch in schedule]
        chart_kit.show(chart_epochs.schedule(schedule, rates), key="train_schedule")


settings_form()
training_panel()
explaining.chooser("train_explain", explaining.STEP_KINDS)  # beside the step panel, outside it: a Step costs no more
epoch_charts()
# A toggle, not an expander: an expander's code is sent and highlighted even while closed, and the
# highlighter is a 1.5 MB script each browser tab would fetch and compile on its first opening of Train.
if st.toggle(_("The numpy lines that just ran: the core's own source"), key="train_source"):
    st.caption(_("One training step, as it runs for every sample (core/model/network.py): the forward pass, the "
                 "backward pass with the chosen gradient rule, and P ← P − α·dP in place."))
    st.code(inspect.getsource(network.sgd_step), language="python")
    st.caption(_("The backward pass it calls, whose gradients the screens show:"))
    st.code(inspect.getsource(network.backward), language="python")
with st.popover(_("Take the run home"), icon=":material/download:"):
    take_home.downloads(state, "train")

shell.next_screen_link(__file__)
explaining.show_if_open()
