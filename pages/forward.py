"""Forward pass: one image through the current network, every intermediate value beside its equation."""

import numpy as np
import streamlit as st

from core.model import network
from core.model.batched import PROBE_IMAGES
from locales import N_, _, ngettext, number
from locales.words import rule_name
from ui import chart_kit, explaining, figures, session, shell, timeline_panel
from ui.explain_words import fixed, signed, words

SPLITS = {"training": N_("training"), "test": N_("test")}
IMAGE_TITLE = {"training": N_("x: training image #{index}, label {label}"),
               "test": N_("x: test image #{index}, label {label}")}

shell.require()
st.title(_("Forward pass"))
st.markdown(_(
    "Pick an image and follow it through the network, with the weights of the step named below it. Each layer is a matrix "
    "product plus a bias, followed by an activation: ReLU in the hidden layer, softmax at the "
    "output. Numbering follows the design document: pixels 1…784 and hidden units 1…h count from 1; "
    "the ten outputs are named by the digit they stand for, 0…9 (the document's y₁…y₁₀, so y₁ is "
    "digit 0 and y₁₀ is digit 9)."))

mnist = session.dataset()
state = session.current()
timeline_panel.viewing_banner(state)
explaining.open_from_link(state, image_screen=True)  # ?explain=Z1_3&step=…&image=test_42: opens that image too
trainer = state.shown_trainer()  # the step opened on the Train screen's timeline, or now
params = trainer.params
hidden = params.hidden
selection = state.take_forward_selection()  # an image opened from Evaluate's or Data's gallery
if selection is not None:
    st.session_state.update(forward_split=selection[0], forward_digit="any", forward_position=selection[1])

# Display names translated now, in this run's language: a format_func may be called later, outside it (AppTest).
split_names = {name: _(label) for name, label in SPLITS.items()}
digit_names = {"any": _("any"), **{digit: str(digit) for digit in range(10)}}
controls = st.columns([1.1, 1, 1.2, 1.1])
split = controls[0].segmented_control(_("Set"), list(SPLITS), format_func=split_names.get, default="test",
                                      key="forward_split") or "test"
images = mnist.train_images if split == "training" else mnist.test_images
labels = mnist.train_labels if split == "training" else mnist.test_labels
digit = controls[1].selectbox(_("Only this digit"), ["any"] + list(range(10)), key="forward_digit",
                              format_func=digit_names.get)
pool = np.arange(len(labels)) if digit == "any" else np.flatnonzero(labels == digit)
if controls[3].button(_("Random image"), icon=":material/casino:"):
    st.session_state.forward_position = int(np.random.default_rng().integers(len(pool)))
position = controls[2].number_input(_("Image number (0 to {last})").format(last=number(len(pool) - 1)), min_value=0,
                                    max_value=len(pool) - 1, step=1, key="forward_position")
index = int(pool[min(position, len(pool) - 1)])
label = int(labels[index])
x = network.pixels(images[index])
values = network.forward(params, x)
prediction = int(np.argmax(values.A2))
mse = float(network.mse_loss(values.A2, label))
cross_entropy = float(network.cross_entropy_loss(values.A2, label))
off_here = values.Z1 <= 0
silent = trainer.dead_units()
here = explaining.image_context(split, index)  # what a click on a value of this screen explains


def image_chart():
    """x as a 28×28 image, each pixel a way into x_i = p_i / 255."""
    title = _(IMAGE_TITLE[split]).format(index=number(index), label=label)
    return chart_kit.image(np.asarray(images[index]), title, height=440)


if state.viewing is None:
    st.caption(_("Model at step {step} (the {rule} rule). Step it on the Train screen.").format(
        step=number(trainer.sgd_steps), rule=rule_name(trainer.settings.rule)))
else:
    st.caption(_("Model as it was after step {step} (the {rule} rule).").format(
        step=number(timeline_panel.shown_step(state)), rule=rule_name(trainer.settings.rule)))
left, right = st.columns([1.1, 1.5])
with left:
    chart_kit.show(image_chart(), "forward_x", explaining.kit_click(lambda _series, pixel: f"x_{pixel + 1}", here))
    st.latex(r"x_i = p_i / 255 \in [0,1],\quad i = 1,\dots,784")
with right:
    chart_kit.show(chart_kit.hidden_layer(
        values.Z1, values.A1, off_here, silent, _("Hidden layer: Z1 and A1 for units 1…{hidden}").format(hidden=hidden),
        height=400), "forward_hidden", explaining.kit_click(lambda series, unit: f"{('Z1', 'A1')[series]}_{unit + 1}", here))
    st.latex(rf"Z_{{1,k}} = \sum_{{i=1}}^{{784}} W_{{1,ik}}\,x_i + b_{{1,k}},\qquad k = 1,\dots,{hidden}")
    st.latex(r"A_{1,k} = \max(0, Z_{1,k})")
    off_count = int(off_here.sum())
    note = ngettext("{off} of {hidden} hidden units are off (Z1 ≤ 0, grey hatched bars) for this image: "
                    "they pass nothing on and get no gradient from it.",
                    "{off} of {hidden} hidden units are off (Z1 ≤ 0, grey hatched bars) for this image: "
                    "they pass nothing on and get no gradient from it.", off_count).format(off=off_count, hidden=hidden)
    note += " " + _("Each unit's number is written once: on its A1 bar when it is on (A1 = Z1), on its Z1 bar when "
                    "it is off (A1 = 0).")
    if silent.any():
        names = ", ".join(str(k + 1) for k in np.flatnonzero(silent))
        note += " " + ngettext("Silent on all of the first {probe} test images (marked “· silent”): unit {names}.",
                               "Silent on all of the first {probe} test images (marked “· silent”): units {names}.",
                               int(silent.sum())).format(probe=number(PROBE_IMAGES), names=names)
    st.caption(note)

left, right = st.columns(2)
with left:
    chart_kit.show(chart_kit.bars(
        values.Z2, figures.DIGITS, _("Output scores Z2 (logits), one per digit"), _("digit"), "Z2", highlight=prediction,
        true_label=label, height=320, hover_name=_("digit") + " "), "forward_z2",
        explaining.kit_click(lambda _series, digit: f"Z2_{digit}", here))
    st.latex(r"Z_{2,j} = \sum_{k=1}^{h} W_{2,kj}\,A_{1,k} + b_{2,j},\qquad j = 0,\dots,9")
with right:
    chart_kit.show(chart_kit.bars(
        values.A2, figures.DIGITS, _("Probabilities A2 = softmax(Z2)"), _("digit"), _("probability"),
        highlight=prediction, true_label=label, height=320, y_range=[0, 1.2], hover_name=_("digit") + " "),
        "forward_a2", explaining.kit_click(lambda _series, digit: f"A2_{digit}", here))
    st.latex(r"A_{2,j} = \frac{e^{Z_{2,j}}}{\sum_{d=0}^{9} e^{Z_{2,d}}}")
st.caption(_("Vermillion: the predicted digit {prediction}. Black outline and “label”: the true digit {label}.")
           .format(prediction=prediction, label=label) + " " + _("Click any bar or pixel to see the sum that made it."))


def hidden_unit_equation(k: int) -> list:
    """LaTeX lines for Z1_k and A1_k of unit k (0-based), with this image's numbers."""
    ink = np.flatnonzero(x > 0)
    terms = x[ink] * params.W1[ink, k]
    shown = ink[np.argsort(-np.abs(terms))[:3]]
    listed = " + ".join(rf"{signed(params.W1[i, k], 3)}\cdot{fixed(x[i], 2)}" for i in shown)
    ink_sum = float(terms.sum())
    n = k + 1
    inked, largest_first, off = words(_("inked pixels")), words(_(", largest terms first")), words(_("(off for this image)"))
    return [
        r"\begin{aligned}"
        rf"Z_{{1,{n}}} &= \sum_{{i=1}}^{{784}} W_{{1,i\,{n}}}\,x_i + b_{{1,{n}}} \\"
        rf" &= \underbrace{{{listed} + \cdots}}_{{{len(ink)}\ \text{{{inked} }} (x_i > 0)"
        rf"\text{{{largest_first}}}}}"
        rf" + b_{{1,{n}}} \\"
        rf" &= {signed(ink_sum)} + {signed(params.b1[k])} = {fixed(values.Z1[k])}"
        r"\end{aligned}",
        rf"A_{{1,{n}}} = \max(0, Z_{{1,{n}}}) = \max(0, {signed(values.Z1[k])}) = {fixed(values.A1[k])}"
        + (rf"\quad\text{{{off}}}" if off_here[k] else ""),
    ]


def output_equation(j: int) -> list:
    """LaTeX lines for Z2_j and A2_j of digit j, the h terms listed when h ≤ 10."""
    active = np.flatnonzero(values.A1 > 0)
    listed = range(hidden) if hidden <= 10 else active if len(active) <= 10 else None
    if listed is not None:
        products = [rf"{signed(params.W2[k, j], 3)}\cdot{fixed(values.A1[k], 3)}" for k in listed]
        rows = [" + ".join(products[start:start + 4]) for start in range(0, len(products), 4)] or ["0"]
        terms = r" \\ &\quad + ".join(rows)
        if hidden > 10:
            units_with, others = words(_("(the {count} units with").format(count=len(active))), words(_("; the others add 0)"))
            terms += rf"\quad\text{{{units_with} }} A_{{1,k}} > 0\text{{{others}}}"
    else:
        over = words(_("over the {count} units with").format(count=len(active)))
        terms = rf"\textstyle\sum \text{{ {over} }} A_{{1,k}} > 0 = {signed(float(values.A1 @ params.W2[:, j]))}"
    shifted = values.Z2 - values.Z2.max()
    total = float(np.exp(shifted).sum())
    return [
        r"\begin{aligned}"
        rf"Z_{{2,{j}}} &= \sum_{{k=1}}^{{{hidden}}} W_{{2,k\,{j}}}\,A_{{1,k}} + b_{{2,{j}}} \\ &= {terms}"
        rf" \\ &\quad + {signed(params.b2[j])} = {fixed(values.Z2[j])}"
        r"\end{aligned}",
        rf"A_{{2,{j}}} = \frac{{e^{{Z_{{2,{j}}}}}}}{{\sum_{{d=0}}^{{9}} e^{{Z_{{2,d}}}}}}"
        rf" = \frac{{e^{{{signed(values.Z2[j], 3)} - {signed(values.Z2.max(), 3)}}}}}"
        rf"{{\sum_{{d=0}}^{{9}} e^{{Z_{{2,d}} - {signed(values.Z2.max(), 3)}}}}}"
        rf" = \frac{{{fixed(np.exp(shifted[j]))}}}{{{fixed(total)}}} = {fixed(values.A2[j])}",
    ]


st.subheader(_("The equations with this image's numbers"))
left, right = st.columns([1, 4])
unit_names = {k: (_("unit {k} · silent") if silent[k - 1] else _("unit {k}")).format(k=k)
              for k in range(1, hidden + 1)}
unit = left.selectbox(_("Hidden unit (1 to {hidden})").format(hidden=hidden), list(range(1, hidden + 1)),
                      key=f"forward_unit_{hidden}",
                      format_func=unit_names.get)
left.caption(_("Softmax is computed with max Z2 subtracted first (the same value, without overflow)."))
with right:
    for line in hidden_unit_equation(unit - 1):
        st.latex(line)
    st.markdown(_("**The predicted digit, {prediction}:**").format(prediction=prediction))
    for line in output_equation(prediction):
        st.latex(line)

left, right = st.columns([1, 2])
with left:
    verdict = _("correct") if prediction == label else _("wrong: the label is {label}").format(label=label)
    st.metric(_("Prediction: argmax A2"), prediction, verdict,
              delta_color="normal" if prediction == label else "inverse", delta_arrow="off")
with right:
    st.latex(rf"\mathcal{{L}} = \sum_{{d=0}}^{{9}} (A_{{2,d}} - y_d)^2 = {fixed(mse)},\qquad"
             rf"-\log A_{{2,{label}}} = {fixed(cross_entropy)}")
    st.caption(_("y is one-hot: 1 at the label {label}, 0 elsewhere (the document writes μ; it is 1). The document "
                 "sums i = 1…10 over y₁…y₁₀; here the same ten terms are indexed by their digit d = 0…9.")
               .format(label=label))

explaining.chooser("forward_explain", explaining.FORWARD_KINDS, here)
shell.next_screen_link(__file__)
explaining.show_if_open()
