"""Train: the only screen that changes the model. Step one sample at a time and watch it learn."""

import inspect
import time

import numpy as np
import streamlit as st

from core import network, training
from core.network import GRADIENT_RULES, INITIALISATIONS
from core.settings import NUMERIC_RANGES, Settings, learning_rate_at
from ui import figures, session, shell, widgets

RUN_SLICE_SECONDS = 0.2  # training per rerun while running an epoch: the page redraws and Stop is heard between slices

shell.require()
st.title("Train")
st.markdown(
    "Each step takes the next training image (in the dataset's order, as the document does), runs "
    "it forward, computes the gradient of every weight and moves each weight a little against it: "
    "**P ← P − α·dP**. Step once and look at what changed; step many times and watch the loss fall.")

state = session.current()
trainer = state.trainer
mnist = session.dataset()


def number_setting(column, key: str, label: str, **options):
    """A number input bounded by the range the URL check uses too (core/settings.py)."""
    field, low, high = NUMERIC_RANGES[key]
    return column.number_input(label, low, high, getattr(trainer.settings, field), key=f"setting_{key}", **options)


def choice_setting(column, key: str, label: str, choices, help: str):
    """A select box of the allowed values, starting at the current one."""
    choices = list(choices)
    return column.selectbox(label, choices, choices.index(getattr(trainer.settings, key)), key=f"setting_{key}",
                            help=help)


def settings_form() -> None:
    """The run's settings; they take effect on Reset and are written into the URL."""
    with st.expander("Settings: applied on Reset, saved in the page's URL so a link reproduces the run"):
        with st.form("settings"):
            columns = st.columns(4)
            learning_rate = number_setting(columns[0], "lr", "learning rate α", format="%.5f", step=0.001)
            decay_period = number_setting(columns[1], "decay", "halve α every … epochs")
            decay_factor = number_setting(columns[2], "factor", "decay factor", step=0.05)
            rule = choice_setting(columns[3], "rule", "gradient rule", GRADIENT_RULES,
                                  "document: dZ2 = 2(A2 − y) (the design document's); mse: the exact gradient of "
                                  "Σ(A2 − y)² through the softmax; cross-entropy: A2 − y")
            hidden = number_setting(columns[0], "hidden", "hidden units")
            init = choice_setting(columns[1], "init", "initialisation", INITIALISATIONS,
                                  "uniform: U[−0.5, 0.5), the document's; he: N(0, 2/fan_in)")
            seed = number_setting(columns[2], "seed", "random seed")
            if st.form_submit_button("Reset with these settings", icon=":material/restart_alt:"):
                state.reset(Settings(learning_rate=float(learning_rate), decay_period=int(decay_period),
                                     decay_factor=float(decay_factor), rule=rule, hidden=int(hidden),
                                     init=init, seed=int(seed)))
                st.rerun()


def control_buttons():
    """Step, Step ×10, Step ×100, Run to end of epoch, Reset; returns how many steps were asked for."""
    row = st.container(horizontal=True)
    asked = 0
    if row.button("Step", type="primary", key="step_1"):
        asked = 1
    if row.button("Step ×10", key="step_10"):
        asked = 10
    if row.button("Step ×100", key="step_100"):
        asked = 100
    if row.button("Run to end of epoch", key="run_epoch", icon=":material/play_arrow:"):
        state.running = True
    if row.button("Reset", key="reset", icon=":material/restart_alt:"):
        state.reset(trainer.settings)
        st.rerun()
    return asked


def run_slice() -> None:
    """Train the epoch for a fifth of a second, then let the panel draw and rerun: Stop lands in between."""
    if st.button("Stop", key="stop", icon=":material/stop:"):
        state.running = False
        st.rerun(scope="fragment")  # redraw without the Stop button
    deadline = time.perf_counter() + RUN_SLICE_SECONDS
    state.train(trainer.steps_to_epoch_end, should_stop=lambda: time.perf_counter() > deadline)
    st.progress(trainer.index / trainer.training_size or 1.0,
                text=f"Running epoch {trainer.epoch + (trainer.index > 0)}: "
                     f"{trainer.index or trainer.training_size:,} of {trainer.training_size:,} samples")


def step_panel(record: training.StepRecord) -> None:
    """The anatomy of the last step: the sample, the prediction, the loss before and after, ΔW1."""
    left, middle, right = st.columns([1, 4.5, 1.2])
    with left:
        st.image(figures.png(figures.grey_image(mnist.train_images[record.index], scale=4)), output_format="PNG",
                 caption=f"step {record.step:,}: training image #{record.index:,}, label {record.label}")
    with middle:
        steps, loss = trainer.history.loss_curve()
        _, accuracy = trainer.history.accuracy_curve()
        st.plotly_chart(figures.probabilities_and_curves(
            record.forward.A2, record.prediction, "correct" if record.correct else "wrong", steps, loss, accuracy),
            key="train_probabilities")
    with right:
        st.metric("Loss before", f"{record.loss_before:.4f}", help="Σₖ (A2ₖ − yₖ)² on this sample")
        st.metric("after the update", f"{record.loss_after:.4f}",
                  f"{record.loss_after - record.loss_before:+.4f}", delta_color="inverse",
                  help="the same sample's loss with the updated weights")
    update = record.updates.dW1
    limit = figures.symmetric_limit(update)
    st.markdown("**The update ΔW1 = −α·dW1** for each hidden unit's 28×28 template: only this image's ink "
                "moves weights, and only for units that were on")
    mosaic = figures.rgb_mosaic(update.T.reshape(-1, 28, 28), columns=10, scale=3, limit=limit)
    st.image(figures.png(figures.with_colour_strip(mosaic, limit)), output_format="PNG",
             caption=f"hidden units 0, 1, 2, … left to right; colour scale below them: "
                     f"−{limit:.2g} (blue) · 0 (white) · +{limit:.2g} (red)")


def curves() -> None:
    """Running loss and training accuracy, binned so the curve stays small however long it runs."""
    steps, loss = trainer.history.loss_curve()
    _, accuracy = trainer.history.accuracy_curve()
    if len(steps) < 2:
        st.caption("The running loss and accuracy curves appear after a few steps.")
        return
    st.plotly_chart(figures.lines(steps, {"loss Σ(A2 − y)²": loss}, "Running loss and training accuracy",
                                  "step", "mean loss per bin", secondary={"training accuracy": accuracy},
                                  secondary_title="accuracy", secondary_format=".0%"), key="train_curves")


def silent_units_text() -> str:
    """Which hidden units are off (Z1 ≤ 0) on every probe image, and when each last fired on a training image."""
    silent = np.flatnonzero(trainer.dead_units())
    text = (f"Silent hidden units (Z1 ≤ 0 on all of the first 1,000 test images): "
            f"**{len(silent)} of {trainer.params.hidden}**")
    if len(silent):
        last = trainer.history.last_active
        text += " (" + "; ".join(
            f"unit {unit}: last fired on a training image at step {last[unit]:,}" if last[unit]
            else f"unit {unit}: not yet fired on a training image in this run" for unit in silent) + ")"
    return text + (". A silent unit gets no gradient from those images; it learns again only if some image "
                   "makes its Z1 positive. A high α can silence most of them.")


@st.fragment
def training_panel() -> None:
    """Reruns alone on every click, so a Step redraws only what a step changes."""
    asked = control_buttons()
    epoch = trainer.epoch
    if asked:
        state.train(asked)
    if state.trainer is not trainer:  # another tab had moved this run on: show it as stored
        st.rerun()
    running = state.running and not trainer.stopped_reason
    if running:
        run_slice()
    if trainer.stopped_reason:
        st.error(trainer.stopped_reason, icon=":material/warning:")
    widgets.refresh_position(state)
    st.markdown(f"#### {widgets.position_text(trainer)}")
    record = trainer.last_record
    if not running:  # one step's anatomy would only flicker past while an epoch runs
        if record is None:
            st.info("Press **Step** to train on the first image.", icon=":material/touch_app:")
        else:
            step_panel(record)
    st.caption(silent_units_text())
    if running or record is None:  # otherwise the step panel's figure holds the curves
        curves()
    if trainer.epoch != epoch or trainer.stopped_reason:
        state.running = False
        st.rerun()  # refresh what lies outside this fragment: test accuracy, the sidebar's warning
    if state.running:
        st.rerun(scope="fragment")


def epoch_charts() -> None:
    """Test accuracy at each epoch end and the learning-rate schedule α(epoch)."""
    left, right = st.columns(2)
    with left:
        epochs = [entry[0] + 1 for entry in trainer.history.test_accuracy]
        accuracy = [entry[2] for entry in trainer.history.test_accuracy]
        if epochs:
            st.plotly_chart(figures.lines(epochs, {"test accuracy": accuracy}, "Test accuracy after each epoch",
                                          "epoch", "accuracy on 10,000 test images", markers=True,
                                          y_range=[0, 1], x_integers=True), key="train_test_accuracy")
        else:
            st.caption("Test accuracy is measured on all 10,000 test images at the end of each epoch.")
    with right:
        schedule = np.arange(1, max(trainer.epoch + 2, 2 * trainer.settings.decay_period + 1))
        rates = [learning_rate_at(trainer.settings, epoch - 1) for epoch in schedule]
        st.plotly_chart(figures.lines(schedule, {"α": rates}, "Learning-rate schedule", "epoch", "α",
                                      markers=True, steps=True, x_integers=True), key="train_schedule")


settings_form()
training_panel()
epoch_charts()
with st.expander("The numpy lines that just ran: the core's own source"):
    st.caption("One training step, as it runs for every sample (core/network.py): the forward pass, the "
               "backward pass with the chosen gradient rule, and P ← P − α·dP in place.")
    st.code(inspect.getsource(network.sgd_step), language="python")
    st.caption("The backward pass it calls, whose gradients the screens show:")
    st.code(inspect.getsource(network.backward), language="python")
