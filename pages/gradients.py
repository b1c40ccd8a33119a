"""Gradients: what backpropagation computed for the last sample, and whether it is right."""

import numpy as np
import pandas as pd
import streamlit as st

from core.model import gradient_check

from core.model import network
import locales
from locales import _, ngettext, number
from locales.words import loss_name, rule_name, rule_title, said
from ui import chart_heatmap, chart_kit, explaining, figures, session, shell, timeline_panel, widgets

shell.require()
st.title(_("Gradients"))
st.markdown(_(
    "Backpropagation gives, for every weight, how much the loss on this one sample would change if "
    "the weight moved: dW1, db1, dW2, db2. The update is −α times these. Below, the gradients of "
    "the last training step, their size over training, and a check of each gradient rule "
    "against finite differences, which is where the design document's first erratum shows."))

state = session.current()
timeline_panel.viewing_banner(state)
explaining.open_from_link(state)  # ?explain=dW1_407_3&step=…: a value of that step, opened
view = state.viewed()  # a past step opened on the Train screen's timeline, or None for now
trainer = state.shown_trainer()
record = trainer.last_record if view is None else view.record
if record is None:
    if view is not None:
        st.info(_("Step {step} has no gradients to show: it is the start of the run or a step refused for "
                  "overflow.").format(step=number(timeline_panel.shown_step(state))), icon=":material/history:")
    elif trainer.sgd_steps == 0:
        st.info(_("No step has been trained yet: press **Step** on the Train screen, then come back."),
                icon=":material/touch_app:")
    else:  # after a load, a stopped run or a run of many steps: the model is trained, its last step not kept
        st.info(_("The model is at step {step}, but the last step's details (its image, forward "
                  "values and gradients) are not kept after loading a checkpoint or a run of many steps. Press "
                  "**Step** on the Train screen to train on the next image, then come back to see its "
                  "gradients.").format(step=number(trainer.sgd_steps)), icon=":material/touch_app:")
    st.page_link("pages/train.py", label=_("Go to Train"), icon=":material/model_training:")
    widgets.weight_templates(trainer, trainer.dead_units())
    shell.next_screen_link(__file__)
    st.stop()

hidden = trainer.params.hidden
units = figures.unit_labels(hidden)
silent = trainer.dead_units()
step = record.step if view is None else timeline_panel.shown_step(state)
sample = (_("training image #{index}").format(index=number(record.index)) if record.index is not None
          else _("your drawing"))
st.caption(_("Step {step}: {sample}, label {label}, the {rule} rule, loss {loss}.").format(
    step=number(step), sample=sample, label=record.label, rule=rule_name(record.rule),
    loss=number(record.loss_before, ".4f")))

dW1, db1, dW2, db2 = record.gradients
off = record.forward.Z1 <= 0  # off for this image: dZ1 = 0, so the unit's whole dW1 column is 0
zero = ~dW1.any(axis=0)
titles = figures.unit_labels(hidden, silent)  # units off for this image are greyed, and the caption names them


def dW1_chart():
    """dW1 as one image per unit; each inked pixel of each unit a way into dW1[i, k] = x_i·dZ1_k."""
    hover = figures.fill(_("{unit} %{customdata[1]}, pixel %{customdata[0]}: %{customdata[2]:.4g}"), unit=_("unit"))
    hover = hover.replace("%{customdata[1]}", "{tile}").replace("%{customdata[0]}", "{pixel}").replace(
        "%{customdata[2]:.4g}", "{value}")
    return chart_kit.tiles(dW1.T.reshape(-1, 28, 28), titles,
                           _("dW1 = x·dZ1ᵀ: each unit's gradient is the image times dZ1ₖ"),
                           _("dL/dW1: all exactly 0") if zero.all() else "dL/dW1", hover,
                           columns=5 if hidden <= 10 else 6, greyed=zero)


def dW1_clicked(unit: int, pixel: int) -> str | None:
    """A click on pixel i of unit k's map opens dW1[i, k]; only an inked pixel (elsewhere x_i = 0, so dW1 is 0)."""
    return f"dW1_{pixel + 1}_{unit + 1}" if record.x[pixel] > 0 else None


chart_kit.show(dW1_chart(), "gradients_dw1", explaining.kit_click(dW1_clicked))
if zero.all():
    st.warning(_("dW1 is exactly 0 for all {hidden} units: every unit was off (Z1 ≤ 0) for this image, so this step "
                 "changed no first-layer weight. The colour scale above has nothing to show.").format(hidden=hidden),
               icon=":material/block:")
elif zero.any():
    names = ", ".join(str(k + 1) for k in np.flatnonzero(zero))
    st.caption(ngettext(
        "Greyed, dW1 exactly 0: unit {names} had Z1 ≤ 0 for this image, so dZ1 = 0 there and the step leaves "
        "their weights unchanged. The colour scale is set by the other units.",
        "Greyed, dW1 exactly 0: units {names} had Z1 ≤ 0 for this image, so dZ1 = 0 there and the step leaves "
        "their weights unchanged. The colour scale is set by the other units.", int(zero.sum())).format(names=names))
if silent.any():
    st.caption(_("“· silent”: Z1 ≤ 0 on all of the first {images} test images with the current weights "
                 "({silent} of {hidden} units).").format(
                   images=number(1000), silent=int(silent.sum()), hidden=hidden))
# Two charts a row: three in a row left db1's ten bars about 180 px at 1024x700, too narrow to label every unit.
left, right = st.columns(2)
with left:
    chart_kit.show(chart_kit.bars(db1, units, "db1 = dZ1 = (W2·dZ2) ⊙ 1[Z1 > 0]", _("hidden unit"), "dL/db1",
                                  height=300, text_format=".3f", hatched=off), "gradients_db1",
                   explaining.kit_click(lambda _series, unit: f"db1_{unit + 1}"))
    st.caption(_("Grey hatched: off for this image (Z1 ≤ 0), so 1[Z1 > 0] = 0."))
with right:
    rows, columns = np.divmod(np.arange(hidden * 10), 10)
    digit = _("digit")
    chart_kit.show(chart_heatmap.signed(
        dW2, _("dW2 = A1·dZ2ᵀ (values on hover)"), _("digit (output)"), _("hidden unit"), figures.DIGITS, units,
        "dL/dW2", [f"{units[k]}, {digit} {j}: {number(dW2[k, j], '.4f')}" for k, j in zip(rows, columns)], height=300),
        "gradients_dw2", explaining.kit_click(lambda _series, cell: f"dW2_{cell // 10 + 1}_{cell % 10}"))
with st.columns(2)[0]:
    chart_kit.show(chart_kit.bars(db2, figures.DIGITS, "db2 = dZ2", _("digit"), "dL/db2", height=300,
                                  true_label=record.label, text_format=".3f"), "gradients_db2",
                   explaining.kit_click(lambda _series, digit: f"db2_{digit}"))
st.caption(_("Click a bar, a cell or an inked pixel to see the sum that made it, and follow it down."))

st.subheader(_("Three rules for dZ2 on this sample"))
y = network.one_hot(record.label)
rules = {name: rule(record.forward.A2, y) for name, rule in network.GRADIENT_RULES.items()}
left, right = st.columns([1.6, 1])
with left:
    chart_kit.show(chart_kit.dZ2_rules(rules, record.label, height=320), "gradients_rules",
                   explaining.kit_click(lambda _series, digit: f"dZ2_{digit}"))
    st.caption(_("A click on a digit's bars opens dZ2 under this step's rule, the {rule} rule, with the other rules' "
                 "values at that number.").format(rule=rule_name(record.rule)))
with right:
    st.latex(rf"\text{{{rule_title('document')}: }} dZ_2 = 2(A_2 - y)")
    st.latex(rf"\text{{{rule_title('mse')}: }} dZ_2 = J\,2(A_2 - y),")
    st.latex(r"J = \mathrm{diag}(A_2) - A_2A_2^{T}")
    st.latex(rf"\text{{{rule_title('cross-entropy')}: }} dZ_2 = A_2 - y")
    st.caption(_("The document's rule is exactly twice the cross-entropy rule: it skips the softmax's "
                 "Jacobian J, so it is not the gradient of the squared error the document names."))

st.subheader(_("Gradient size over training"))
steps, rms = state.trainer.history.gradient_rms_curve()  # the whole run's, now
if len(steps) > 1:
    chart_kit.show(chart_kit.lines(steps, {f"d{name}": values for name, values in rms.items()},
                                   _("Root mean square per weight of each layer's gradient"), _("step"),
                                   _("RMS(dP) (log scale)"), log_y=True, height=300), "gradients_rms")
    st.caption(_("RMS per weight, not the total norm: a total norm makes the {weights}-weight W1 look strong only "
                 "because it is big.").format(weights=number(7840)))
else:
    st.caption(_("Train a few steps to see how the gradients' size changes."))

st.subheader(_("Gradient check: finite differences against each rule"))
st.markdown(_(
    "Nudge one weight by ±ε, measure the loss again, and (L(P+ε) − L(P−ε)) / 2ε is the true "
    "derivative of that loss. A rule that computes the gradient of a loss agrees with it to about "
    "1e-9 (relative error); one that does not is far off. The check uses the current weights and "
    "the last sample (every entry of b1, W2, b2 and 200 entries of W1 at inked pixels)."))
controls = st.columns(3)
# Names made now, in this run's language: a format_func may be called later, outside it (AppTest).
rule_titles = {name: rule_title(name) for name in network.GRADIENT_RULES}
loss_names = {name: loss_name(name) for name in network.LOSSES}
rule = controls[0].selectbox(_("gradient rule"), list(rule_titles), key="gradients_rule", format_func=rule_titles.get)
loss = controls[1].selectbox(_("loss it should be the gradient of"), list(loss_names), key="gradients_loss",
                             format_func=loss_names.get)
scale = controls[2].selectbox(_("times"), [1.0, 2.0], key="gradients_scale", format_func=lambda value: number(value),
                              help=_("2 × cross-entropy is the loss the document's rule really minimises"))

# The tables' columns: identifiers as the tables' keys, shown by name in the session's language.
SHOWN = {"layer": _("layer"), "error": _("relative error"), "verdict": _("verdict"),
         "rule_norm": _("‖rule's gradient‖"), "numeric_norm": _("‖finite differences‖"), "entries": _("entries"),
         "rule": _("rule"), "loss": _("loss"), "worst": _("worst relative error")}
FORMATS = {"error": ".2e", "rule_norm": ".4g", "numeric_norm": ".4g"}


def check_table(rule: str, loss: str, scale: float) -> pd.DataFrame:
    """The gradient check as a table, remembered in this session until the model steps again."""
    def compute() -> pd.DataFrame:
        report = gradient_check.gradient_check(trainer.params, record.x, record.label, rule, loss, scale=scale)
        return pd.DataFrame(
            [(name, check.relative_error, said(gradient_check.verdict(check.relative_error)), check.analytic_norm,
              check.numeric_norm, check.entries_checked) for name, check in report.items()],
            columns=["layer", "error", "verdict", "rule_norm", "numeric_norm", "entries"])
    return state.remembered(("gradient check", locales.language(), state.viewing, rule, loss, scale), compute)  # i18n: not text


def shown_table(table: pd.DataFrame, formats: dict, **dataframe) -> None:
    """st.dataframe of `table` with its columns named in the language and its numbers ({column: format spec}) in its signs."""
    specs = {SHOWN[column]: spec for column, spec in formats.items()}
    st.dataframe(widgets.in_language(table.rename(columns=SHOWN), specs), column_config=widgets.number_columns(specs),
                 **dataframe)


table = check_table(rule, loss, scale)
worst = table["error"].max()
if worst < gradient_check.MATCHES:
    st.success(_("The {rule} rule **is** the gradient of {scale} × {loss} (worst relative error {error}).").format(
        rule=rule_name(rule), scale=number(scale, "g"), loss=loss_name(loss), error=number(worst, ".1e")))
else:
    # Not a failure: a rule checked against a loss it does not minimise is meant to differ (erratum 1).
    verdict = _("The {rule} rule is **not** the gradient of {scale} × {loss} (relative error up to {error}).").format(
        rule=rule_name(rule), scale=number(scale, "g"), loss=loss_name(loss), error=number(worst, ".2f"))
    if (rule, loss, scale) == ("document", "mse", 1.0):
        verdict += " " + _("This is the expected finding, the design document's first erratum: its rule leaves out "
                           "the softmax's Jacobian.")
    st.info(verdict, icon=":material/info:")
shown_table(table, FORMATS, hide_index=True)

with st.expander(_("Erratum 1 in one table: every rule against every loss"), expanded=True):
    combinations = [("document", "mse", 1.0), ("document", "cross-entropy", 2.0), ("mse", "mse", 1.0),
                    ("cross-entropy", "cross-entropy", 1.0)]
    summary = pd.DataFrame([
        (rule_title(rule_checked), f"{number(factor, 'g')} × {loss_name(loss_checked)}",
         worst_error := check_table(rule_checked, loss_checked, factor)["error"].max(),
         said(gradient_check.verdict(worst_error)))
        for rule_checked, loss_checked, factor in combinations],
        columns=["rule", "loss", "worst", "verdict"])
    shown_table(summary, {"worst": ".2e"}, hide_index=True)
    st.markdown(_(
        "The document writes the loss as the squared error Σ(A2 − y)² but trains with "
        "dZ2 = 2(A2 − y). That expression leaves out the softmax's Jacobian; it is the gradient of "
        "2 × the cross-entropy −log A2_y. So the network the document trains minimises cross-entropy, "
        "while the loss it reports is the squared error. The {mse} rule puts the Jacobian back.").format(
            mse=rule_name("mse")))
    st.page_link("pages/errata.py", label=_("Errata: the softmax Jacobian explained, and the other four"),
                 icon=":material/rule:")

explaining.chooser("gradients_explain", explaining.STEP_KINDS)
shell.next_screen_link(__file__)
explaining.show_if_open()
