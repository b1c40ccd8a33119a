"""Gradients: what backpropagation computed for the last sample, and whether it is right."""

import numpy as np
import pandas as pd
import streamlit as st

from core import gradient_check, network
from ui import figures, session, shell, timeline_panel, widgets

shell.require()
st.title("Gradients")
st.markdown(
    "Backpropagation gives, for every weight, how much the loss on this one sample would change if "
    "the weight moved: dW1, db1, dW2, db2. The update is −α times these. Below, the gradients of "
    "the last training step, their size over training, and a check of each gradient rule "
    "against finite differences, which is where the design document's first erratum shows.")

state = session.current()
timeline_panel.viewing_banner(state)
view = state.viewed()  # a past step opened on the Train screen's timeline, or None for now
trainer = state.shown_trainer()
record = trainer.last_record if view is None else view.record
if record is None:
    if view is not None:
        st.info(f"Step {timeline_panel.shown_step(state):,} has no gradients to show: it is the start of the run or "
                "a step refused for overflow.", icon=":material/history:")
    elif trainer.step_count == 0:
        st.info("No step has been trained yet: press **Step** on the Train screen, then come back.",
                icon=":material/touch_app:")
    else:  # after a load, a stopped run or a run of many steps: the model is trained, its last step not kept
        st.info(f"The model is at step {trainer.step_count:,}, but the last step's details (its image, forward "
                f"values and gradients) are not kept after loading a checkpoint or a run of many steps. Press "
                f"**Step** on the Train screen to train on the next image, then come back to see its gradients.",
                icon=":material/touch_app:")
    st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
    widgets.weight_templates(trainer, trainer.dead_units())
    shell.next_screen_link(__file__)
    st.stop()

hidden = trainer.params.hidden
units = figures.unit_labels(hidden)
silent = trainer.dead_units()
step = record.step if view is None else timeline_panel.shown_step(state)
sample = f"training image #{record.index:,}" if record.index is not None else "your drawing"
st.caption(f"Step {step:,}: {sample}, label {record.label}, rule `{record.rule}`, loss {record.loss_before:.4f}.")

dW1, db1, dW2, db2 = record.gradients
off = record.forward.Z1 <= 0  # off for this image: dZ1 = 0, so the unit's whole dW1 column is 0
zero = ~dW1.any(axis=0)
titles = figures.unit_labels(hidden, silent)  # units off for this image are greyed, and the caption names them
st.plotly_chart(figures.image_grid(
    dW1.T.reshape(-1, 28, 28), titles,
    "dW1 = x·dZ1ᵀ: each unit's gradient is the image times dZ1ₖ",
    "dL/dW1: all exactly 0" if zero.all() else "dL/dW1", columns=5 if hidden <= 10 else 6, greyed=zero,
    hover_name="unit", gap=6),
    key="gradients_dw1")
if zero.all():
    st.warning(f"dW1 is exactly 0 for all {hidden} units: every unit was off (Z1 ≤ 0) for this image, so this step "
               "changed no first-layer weight. The colour scale above has nothing to show.", icon=":material/block:")
elif zero.any():
    names = ", ".join(str(k + 1) for k in np.flatnonzero(zero))
    st.caption(f"Greyed, dW1 exactly 0: unit{'s' if zero.sum() > 1 else ''} {names} had Z1 ≤ 0 for this image, so "
               "dZ1 = 0 there and the step leaves their weights unchanged. The colour scale is set by the other units.")
if silent.any():
    st.caption(f"“· silent”: Z1 ≤ 0 on all of the first 1,000 test images with the current weights "
               f"({int(silent.sum())} of {hidden} units).")
left, middle, right = st.columns([1, 1.4, 1])
with left:
    st.plotly_chart(figures.bars(db1, units, "db1 = dZ1<br>= (W2·dZ2) ⊙ 1[Z1 > 0]", "hidden unit", "dL/db1",
                                 height=300, text_format=".3f", silent=off), key="gradients_db1")
    st.caption("Grey hatched: off for this image (Z1 ≤ 0), so 1[Z1 > 0] = 0.")
with middle:
    st.plotly_chart(figures.heatmap(dW2, "dW2 = A1·dZ2ᵀ (values on hover)", "digit (output)", "hidden unit",
                                    x_labels=figures.DIGITS, y_labels=units, colorbar_title="dL/dW2", height=300,
                                    annotate=False), key="gradients_dw2")
with right:
    st.plotly_chart(figures.bars(db2, figures.DIGITS, "db2 = dZ2", "digit", "dL/db2", height=300,
                                 true_label=record.label, text_format=".3f"), key="gradients_db2")

st.subheader("Three rules for dZ2 on this sample")
y = network.one_hot(record.label)
rules = {name: rule(record.forward.A2, y) for name, rule in network.GRADIENT_RULES.items()}
left, right = st.columns([1.6, 1])
with left:
    st.plotly_chart(figures.dZ2_rules_figure(rules, record.label, height=320), key="gradients_rules")
with right:
    st.latex(r"\text{document: } dZ_2 = 2(A_2 - y)")
    st.latex(r"\text{mse: } dZ_2 = J\,2(A_2 - y),")
    st.latex(r"J = \mathrm{diag}(A_2) - A_2A_2^{T}")
    st.latex(r"\text{cross-entropy: } dZ_2 = A_2 - y")
    st.caption("The document's rule is exactly twice the cross-entropy rule: it skips the softmax's "
               "Jacobian J, so it is not the gradient of the squared error the document names.")

st.subheader("Gradient size over training")
steps, rms = state.trainer.history.gradient_rms_curve()  # the whole run's, now
if len(steps) > 1:
    st.plotly_chart(figures.lines(steps, {f"d{name}": values for name, values in rms.items()},
                                  "Root mean square per weight of each layer's gradient", "step",
                                  "RMS(dP) (log scale)", log_y=True, height=300), key="gradients_rms")
    st.caption("RMS per weight, not the total norm: a total norm makes the 7,840-weight W1 look strong only "
               "because it is big.")
else:
    st.caption("Train a few steps to see how the gradients' size changes.")

st.subheader("Gradient check: finite differences against each rule")
st.markdown(
    "Nudge one weight by ±ε, measure the loss again, and (L(P+ε) − L(P−ε)) / 2ε is the true "
    "derivative of that loss. A rule that computes the gradient of a loss agrees with it to about "
    "1e-9 (relative error); one that does not is far off. The check uses the current weights and "
    "the last sample (every entry of b1, W2, b2 and 200 entries of W1 at inked pixels).")
controls = st.columns(3)
rule = controls[0].selectbox("gradient rule", list(network.GRADIENT_RULES), key="gradients_rule")
loss = controls[1].selectbox("loss it should be the gradient of", list(network.LOSSES), key="gradients_loss")
scale = controls[2].selectbox("times", [1.0, 2.0], key="gradients_scale",
                              help="2 × cross-entropy is the loss the document's rule really minimises")


def check_table(rule: str, loss: str, scale: float) -> pd.DataFrame:
    """The gradient check as a table, remembered in this session until the model steps again."""
    def compute() -> pd.DataFrame:
        report = gradient_check.gradient_check(trainer.params, record.x, record.label, rule, loss, scale=scale)
        return pd.DataFrame(
            [(name, check.relative_error, gradient_check.verdict(check.relative_error), check.analytic_norm,
              check.numeric_norm, check.entries_checked) for name, check in report.items()],
            columns=["layer", "relative error", "verdict", "‖rule's gradient‖", "‖finite differences‖", "entries"])
    return state.remembered(("gradient check", state.viewing, rule, loss, scale), compute)


table = check_table(rule, loss, scale)
worst = table["relative error"].max()
if worst < gradient_check.MATCHES:
    st.success(f"The `{rule}` rule **is** the gradient of {scale:g} × {loss} (worst relative error {worst:.1e}).")
else:
    st.error(f"The `{rule}` rule is **not** the gradient of {scale:g} × {loss} (relative error up to {worst:.2f}).")
st.dataframe(table, hide_index=True, column_config={
    "relative error": st.column_config.NumberColumn(format="%.2e"),
    "‖rule's gradient‖": st.column_config.NumberColumn(format="%.4g"),
    "‖finite differences‖": st.column_config.NumberColumn(format="%.4g")})

with st.expander("Erratum 1 in one table: every rule against every loss", expanded=True):
    combinations = [("document", "mse", 1.0), ("document", "cross-entropy", 2.0), ("mse", "mse", 1.0),
                    ("cross-entropy", "cross-entropy", 1.0)]
    summary = pd.DataFrame([
        (rule_name, f"{factor:g} × {loss_name}", worst_error := check_table(rule_name, loss_name, factor)[
            "relative error"].max(), gradient_check.verdict(worst_error))
        for rule_name, loss_name, factor in combinations],
        columns=["rule", "loss", "worst relative error", "verdict"])
    st.dataframe(summary, hide_index=True,
                 column_config={"worst relative error": st.column_config.NumberColumn(format="%.2e")})
    st.markdown(
        "The document writes the loss as the squared error Σ(A2 − y)² but trains with "
        "dZ2 = 2(A2 − y). That expression leaves out the softmax's Jacobian; it is the gradient of "
        "2 × the cross-entropy −log A2_y. So the network the document trains minimises cross-entropy, "
        "while the loss it reports is the squared error. The `mse` rule puts the Jacobian back.")
    st.page_link("pages/errata.py", label="Errata: the softmax Jacobian explained, and the other four", icon=":material/rule:")

shell.next_screen_link(__file__)
