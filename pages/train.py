"""Train: the only screen that changes the model. Step one sample at a time and watch it learn."""

import inspect
import time

import numpy as np
import streamlit as st

from core.model import network
from core.model.network import GRADIENT_RULES, INITIALISATIONS
from core.training.settings import NUMERIC_RANGES, Settings, learning_rate_at
from core.training.step_record import StepRecord
from locales import _, ngettext, number
from ui import class_views, explaining, figures, session, shell, step_numbers, take_home, timeline_panel, widgets

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


def choice_setting(column, key: str, label: str, choices, help: str):
    """A select box of the allowed values, starting at the current one."""
    choices = list(choices)
    locked = class_views.locked_help(state, key)
    return column.selectbox(label, choices, choices.index(getattr(trainer.settings, key)), key=f"setting_{key}",
                            help=locked or help, disabled=locked is not None)


def settings_form() -> None:
    """The run's settings; they take effect on Reset and are written into the URL."""
    if state.classroom.read_only_reason():
        return
    with st.expander(_("Settings: applied on Reset, saved in the page's URL so a link reproduces the run")):
        with st.form("settings"):
            columns = st.columns(4)
            learning_rate = number_setting(columns[0], "lr", _("learning rate α"), format="%.5f", step=0.001)
            decay_period = number_setting(columns[1], "decay", _("halve α every … epochs"))
            decay_factor = number_setting(columns[2], "factor", _("decay factor"), step=0.05)
            rule = choice_setting(columns[3], "rule", _("gradient rule"), GRADIENT_RULES,
                                  _("document: dZ2 = 2(A2 − y) (the design document's); mse: the exact gradient of "
                                    "Σ(A2 − y)² through the softmax; cross-entropy: A2 − y"))
            hidden = number_setting(columns[0], "hidden", _("hidden units"))
            init = choice_setting(columns[1], "init", _("initialisation"), INITIALISATIONS,
                                  _("uniform: U[−0.5, 0.5), the document's; he: N(0, 2/fan_in)"))
            seed = number_setting(columns[2], "seed", _("random seed"))
            if st.form_submit_button(_("Reset with these settings"), icon=":material/restart_alt:"):
                state.reset(Settings(learning_rate=float(learning_rate), decay_period=int(decay_period),
                                     decay_factor=float(decay_factor), rule=rule, hidden=int(hidden),
                                     init=init, seed=int(seed)))
                st.rerun()


def control_buttons():
    """Step, Step ×10, Step ×100, Run to end of epoch, Reset; returns how many steps were asked for."""
    if class_views.read_only_notice(state):
        return 0
    row = st.container(horizontal=True)
    asked = 0
    if row.button(_("Step"), type="primary", key="step_1"):
        asked = 1
    if row.button(_("Step ×10"), key="step_10"):
        asked = 10
    if row.button(_("Step ×100"), key="step_100"):
        asked = 100
    if row.button(_("Run to end of epoch"), key="run_epoch", icon=":material/play_arrow:"):
        state.start_running()
    if row.button(_("Reset"), key="reset", icon=":material/restart_alt:"):
        state.reset(trainer.settings)
        st.rerun()
    return asked


def run_slice() -> None:
    """Train the epoch for a fifth of a second, then let the panel draw and rerun: Stop lands in between."""
    if st.button(_("Stop"), key="stop", icon=":material/stop:"):
        state.stop_running()
        st.rerun(scope="fragment")  # redraw without the Stop button
    deadline = time.perf_counter() + RUN_SLICE_SECONDS
    state.train(trainer.steps_to_epoch_end, should_stop=lambda: time.perf_counter() > deadline)
    st.progress(trainer.index / trainer.training_size or 1.0,
                text=_("Running epoch {epoch}: {done} of {total} samples").format(
                    epoch=trainer.epoch + (trainer.index > 0), done=number(trainer.index or trainer.training_size),
                    total=number(trainer.training_size)))


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


def sample_picture(record: StepRecord, step: int) -> None:
    """The image the step trained on: a training image, or the learner's drawing."""
    if record.index is None:
        image = np.rint(record.x.reshape(28, 28) * 255).astype(np.uint8)
        what = _("your drawing, labelled {label}").format(label=record.label)
    else:
        image = mnist.train_images[record.index]
        what = _("training image #{index}, label {label}").format(index=number(record.index), label=record.label)
    widgets.picture(figures.png(figures.grey_image(image, scale=4)), output_format="PNG",
                    alt=_("{what}, 28×28 pixels").format(what=f"{what[0].upper()}{what[1:]}"),
                    caption=_("step {step}: {what}").format(step=number(step), what=what))


def step_panel(record: StepRecord, curves: figures.TrainingCurves, silent: np.ndarray,
               oscillating: bool, step: int | None = None) -> None:
    """The anatomy of one step: the sample, the prediction, the loss before and after, ΔW1."""
    # the loss metrics sit under the image so the chart keeps the width its titles need on a laptop
    left, middle = st.columns([1.3, 4])
    with left:
        sample_picture(record, record.step if step is None else step)
        st.metric(_("Loss before"), number(record.loss_before, ".4f"), help=_("Σₖ (A2ₖ − yₖ)² on this sample"))
        # A drop on this image is no improvement when the next image's loss jumps back: then no green.
        st.metric(_("Loss after"), number(record.loss_after, ".4f"),
                  number(record.loss_after - record.loss_before, "+.4f"),
                  delta_color="off" if oscillating else "inverse",
                  help=_("the same sample's loss after the update, with the new weights"))
    with middle:
        st.plotly_chart(figures.probabilities_and_curves(
            record.forward.A2, record.prediction, _("correct") if record.correct else _("wrong"), curves,
            stacked=widgets.on_a_phone()), key="train_probabilities", config={"displayModeBar": False})
        st.caption(figures.window_text(curves) + (_(" ◆: test accuracy at the end of each epoch.")
                                                  if curves.test_steps else ""))
    update = record.updates.dW1
    off = record.forward.Z1 <= 0  # ReLU off: dZ1 = 0, so this unit's column of ΔW1 is exactly zero
    unchanged = off | ~update.any(axis=0)
    hidden = trainer.params.hidden
    st.markdown(_("**The update ΔW1 = −α·dW1** for each hidden unit's 28×28 template: only this image's ink "
                  "moves weights, and only for units that were on"))
    mosaic = figures.unit_mosaic(update.T.reshape(-1, 28, 28), figures.unit_tile_labels(silent, unchanged), unchanged,
                                 limit=figures.symmetric_limit(update))
    if unchanged.all():
        widgets.picture(figures.png(mosaic), output_format="PNG",
                        alt=_("The update ΔW1 of the {hidden} hidden units: all grey, no change at this step").format(
                            hidden=hidden),
                        caption=_("No change to W1 at this step: all {hidden} hidden units were off (Z1 ≤ 0) for this "
                                  "image, so dW1 = x·dZ1ᵀ is exactly zero and every template stays as it was.").format(
                            hidden=hidden))
        return
    limit = figures.symmetric_limit(update)
    caption = _("Units 1–{hidden}, 10 per row. Colour scale under them: −{limit} (blue) · 0 (white) · "
                "+{limit} (red).").format(hidden=hidden, limit=number(limit, ".2g"))
    if unchanged.any():
        caption += _(" Grey, \"off\": no change, the unit was off (Z1 ≤ 0) for this image, so its column of "
                     "dW1 = x·dZ1ᵀ is exactly zero ({units}).").format(units=unit_list(unchanged))
    if silent.any():
        caption += _(" \"silent\": off on all of the first 1,000 test images.")
    widgets.picture(figures.png(figures.with_colour_strip(mosaic, limit)), output_format="PNG", caption=caption,
                    alt=_("The update ΔW1 of each of the {hidden} hidden units as a 28×28 image, blue for negative "
                          "and red for positive, from −{limit} to +{limit}").format(
                        hidden=hidden, limit=number(limit, ".2g")))


def parameters_panel(curves: figures.TrainingCurves, silent: np.ndarray) -> None:
    """No step in memory: the current W1 templates, and what is missing and how to get it."""
    if trainer.step_count == 0:
        st.info(_("Press **Step** to train on the first image. Below: the initial weights W1, one 28×28 template "
                  "per hidden unit."), icon=":material/touch_app:")
    elif state.running:
        st.caption(_("An epoch is running: the step-by-step details appear when it ends or you press Stop and "
                     "then Step."))
    else:
        st.info(_("The model is at step {step}. The last step's details (its image, A2, the loss "
                  "before and after, ΔW1) are not kept after loading a checkpoint, a stopped run or a run of many "
                  "steps. Press **Step** to train on the next image and see them.").format(
                    step=number(trainer.step_count)), icon=":material/touch_app:")
    if trainer.step_count:
        st.plotly_chart(figures.curves_figure(curves), key="train_curves")
        st.caption(figures.window_text(curves))
    if state.running:
        return
    widgets.weight_templates(trainer, silent)


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


def past_step_panel() -> None:
    """A step of the past as it ran (recomputed exactly from the log), and the branch form."""
    view, step = state.viewed(), timeline_panel.shown_step(state)
    record = view.record
    if record is None:
        if view.position == 0:
            st.markdown("#### " + _("Step {step}: the weights before any training of this run").format(
                step=number(step)))
            widgets.weight_templates(view.trainer, view.trainer.dead_units(),
                                     title=_("W1 at step {step}, the start").format(step=number(step)))
        else:
            st.markdown("#### " + _("Step {step}: refused").format(step=number(step)))
            st.error(widgets.shown_stop_reason(view.trainer.stopped_reason) or _("This step was refused."),
                     icon=":material/warning:")
    else:
        where = (_("a step on your drawing") if view.drawing else
                 _("epoch {epoch} · sample {sample} of {total}").format(
                     epoch=record.epoch + 1, sample=number(record.index + 1), total=number(trainer.training_size)))
        st.markdown("#### " + _("Step {step} · {where} · α = {alpha} · rule `{rule}`").format(
            step=number(step), where=where, alpha=number(record.learning_rate, ".4g"), rule=record.rule))
        curves = running_curves()._replace(viewed=view.trainer.step_count)
        silent = view.trainer.dead_units()
        step_panel(record, curves, silent, False, step)
        step_numbers.step_numbers(record)
        explaining.show_if_open()  # a number clicked reruns this panel alone: the explanation opens from here
        widgets.weight_templates(view.trainer, silent, title=_("W1 after step {step}").format(step=number(step)))
    timeline_panel.branch_form(state)


@st.fragment
def training_panel() -> None:
    """Reruns alone on every click, so a Step redraws only what a step changes."""
    if state.viewing is not None and not state.running:  # a past step is open: no training from here
        widgets.refresh_position(state)
        st.info(_("Viewing step **{step}** of {now}, recomputed exactly from the run's log. The training buttons "
                  "come back at now; to train from here, branch (below).").format(
                    step=number(timeline_panel.shown_step(state)), now=number(timeline_panel.now(state))),
                icon=":material/history:")
        timeline_panel.timeline_controls(state)
        past_step_panel()
        return
    asked = control_buttons()
    epoch = trainer.epoch
    if asked:
        state.train(asked)
    if state.trainer is not trainer:  # another tab had moved this run on: show it as stored
        st.rerun()
    widgets.store_notice_in_fragment(state)
    running = state.running and not trainer.stopped_reason
    if running:
        run_slice()
    if trainer.stopped_reason:
        st.error(widgets.shown_stop_reason(trainer.stopped_reason), icon=":material/warning:")
    widgets.refresh_position(state)
    st.markdown(f"#### {widgets.position_text(trainer)}")
    if not running:
        timeline_panel.timeline_controls(state)
    record = trainer.last_record
    curves = running_curves()
    silent = trainer.dead_units()
    oscillating = overshooting(curves)
    if oscillating:
        overshoot_warning(curves, record)
    if silent.any():
        silent_units_report(silent)
    if record is None or running:  # one step's anatomy would only flicker past while an epoch runs
        parameters_panel(curves, silent)
    else:
        step_panel(record, curves, silent, oscillating)
    if not silent.any():
        silent_units_report(silent)
    if trainer.epoch != epoch or trainer.stopped_reason:
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
            st.plotly_chart(figures.epoch_accuracy(epochs, accuracy), key="train_test_accuracy")
        else:
            st.caption(_("Test accuracy is measured on all 10,000 test images at the end of each epoch."))
    with right:
        schedule = np.arange(1, max(trainer.epoch + 2, 2 * trainer.settings.decay_period + 1))
        rates = [learning_rate_at(trainer.settings, epoch - 1) for epoch in schedule]
        st.plotly_chart(figures.lines(schedule, {"α": rates}, _("Learning-rate schedule"), _("epoch"), "α",
                                      markers=True, steps=True, x_integers=True), key="train_schedule")


settings_form()
training_panel()
explaining.chooser("train_explain", explaining.STEP_KINDS)  # beside the step panel, outside it: a Step costs no more
epoch_charts()
with st.expander(_("The numpy lines that just ran: the core's own source")):
    st.caption(_("One training step, as it runs for every sample (core/model/network.py): the forward pass, the "
                 "backward pass with the chosen gradient rule, and P ← P − α·dP in place."))
    st.code(inspect.getsource(network.sgd_step), language="python")
    st.caption(_("The backward pass it calls, whose gradients the screens show:"))
    st.code(inspect.getsource(network.backward), language="python")
with st.popover(_("Take the run home"), icon=":material/download:"):
    take_home.downloads(state, "train")

shell.next_screen_link(__file__)
explaining.show_if_open()
