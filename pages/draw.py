"""Draw: a digit drawn by hand, made MNIST-like step by step, then read by the current model."""

import numpy as np
import pandas as pd
import streamlit as st

from core.model import drawing

from core.model import network
from locales import _, number
from locales.words import rule_name
from ui import chart_kit, class_views, figures, session, shell, timeline_panel, widgets
from ui.canvas import CANVAS_SIDE, BadDrawing, decode_drawing

shell.require()
st.title(_("Draw"))
st.markdown(_(
    "Draw a digit and the current model reads it. The network only knows images made the way MNIST's "
    "were, so the drawing goes through the same steps first: the ink is cropped to its bounding box, "
    "scaled so its longer side is 20 pixels (keeping its shape), and pasted into a 28×28 field so "
    "that its centre of mass sits at the centre. Below the prediction, each hidden unit's "
    "**contribution map x ⊙ W1[:, k]** shows which pixels pushed its value Z1ₖ up (red) or down (blue), "
    "and its row of W2 shows how much it adds to the predicted digit's score. Units are numbered from 1, "
    "as in the design document."))

state = session.current()
trainer = state.trainer
if trainer.sgd_steps == 0:
    st.info(_("The model is untrained (step 0): its weights are random, so its answers are guesses. "
              "Train on the Train screen first, then come back."), icon=":material/school:")


def canvas_image():
    """The canvas's pixels, or None while nothing has been drawn (and under AppTest).

    The canvas sends a PNG made in the browser; decode_drawing reads its size before its pixels
    and raises BadDrawing for anything a canvas could not have sent.
    """
    from streamlit_drawable_canvas import st_canvas  # raises outside a running app, so imported here

    result = st_canvas(stroke_width=20, stroke_color="#FFFFFF", background_color="#000000", height=CANVAS_SIDE,
                       width=CANVAS_SIDE, drawing_mode="freedraw", return_image_data=True, key="draw_canvas")
    png = None if result is None else result.image_bytes
    return None if png is None else decode_drawing(png)


def stages(prepared: drawing.PreparedDrawing) -> None:
    """The four preprocessing steps side by side, each captioned with what it did."""
    box, (row, column) = prepared.box, prepared.centre_of_mass
    height, width = prepared.scaled.shape
    shown = [
        (figures.marked_stage(prepared.grey, 1, box=box),
         _("1 · the ink on the {height}×{width} canvas, its bounding box in amber").format(
             height=prepared.grey.shape[0], width=prepared.grey.shape[1])),
        (figures.marked_stage(prepared.cropped, 1),
         _("2 · cropped to the box: {height}×{width} px").format(height=box.height, width=box.width)),
        (figures.marked_stage(prepared.scaled, 140 // max(height, width), cross=prepared.centre_of_mass),
         _("3 · longer side scaled to {side} px: {height}×{width}; its centre of mass (amber) "
           "at row {row}, column {column}").format(side=drawing.BOX, height=height, width=width,
                                                   row=number(row, ".1f"), column=number(column, ".1f"))),
        (figures.marked_stage(prepared.centred, 5, cross=drawing.CENTRE),
         _("4 · placed at row {row}, column {column} of a 28×28 field so the "
           "centre of mass lands on (14, 14) (amber): the network's input x").format(
             row=prepared.offset[0], column=prepared.offset[1])),
    ]
    for slot, (image, caption) in zip(st.columns(4), shown):
        with slot:
            widgets.picture(image, alt=_("Your drawing, stage {caption}").format(caption=caption), caption=caption,
                            width="stretch", output_format="PNG")


def prediction(values: network.Forward) -> None:
    """The prediction in large type and the ten probabilities A2, the predicted digit in vermillion."""
    predicted = int(values.A2.argmax())
    st.metric(_("Prediction"), str(predicted),
              _("probability {probability}").format(probability=number(values.A2[predicted], ".1%")),
              delta_color="off", delta_arrow="off")
    chart_kit.show(chart_kit.bars(values.A2, figures.DIGITS,
                                  _("A2 = softmax(Z2): the model reads a {digit}").format(digit=predicted),
                                  _("digit"), _("probability"), highlight=predicted, height=280, y_range=[0, 1.2]),
                   key="draw_probabilities")


def hidden_layer(values: network.Forward, x, silent) -> None:
    """A1 as bars, and what each unit adds to the predicted digit's score: W2[k, d]·A1ₖ."""
    names, digit = figures.unit_labels(len(silent), silent), int(values.A2.argmax())
    W2, b2 = trainer.params.W2, trainer.params.b2
    shares = W2[:, digit] * values.A1 + 0.0  # + 0.0: an off unit adds 0, not a printed "-0.00"
    left, right = st.columns(2)
    with left:
        chart_kit.show(chart_kit.bars(values.A1, names, _("Hidden activations A1ₖ = ReLU(Z1ₖ)"), _("hidden unit"), "A1",
                                      muted=silent, text_format=".1f", height=330), key="draw_hidden")
        st.caption(_("A unit is **on** when Z1ₖ > 0 and passes A1ₖ = Z1ₖ to the output layer; **off** units "
                     "(Z1ₖ ≤ 0) pass nothing. *Silent* (grey) marks a unit that is off for every one of the first "
                     "{count} test images: it has gone quiet, as measured on those images.").format(
                         count=number(1000)))
    with right:
        chart_kit.show(chart_kit.bars(shares, names, _("To digit {digit}'s score: W2[k, {digit}]·A1ₖ").format(digit=digit),
                                      _("hidden unit"), f"W2[k, {digit}]·A1ₖ", muted=silent, height=330),
                       key="draw_to_output")
        st.caption(_("Unit k reaches the output through its row k of W2, one weight per digit. For digit {digit}: "
                     "Z2 = Σₖ W2[k, {digit}]·A1ₖ + b2 = {sum} + ({bias}) = {z2}. "
                     "An off unit adds 0, whatever its weight.").format(
                         digit=digit, sum=number(shares.sum(), ".2f"), bias=number(b2[digit], ".2f"),
                         z2=number(values.Z2[digit], ".2f")))
    with st.expander(_("The numbers: each unit's row of W2 and its share of digit {digit}'s score").format(digit=digit)):
        table = pd.DataFrame({_("unit"): names, "Z1ₖ": values.Z1, "A1ₖ": values.A1,
                              f"W2[k, {digit}]": W2[:, digit], f"W2[k, {digit}]·A1ₖ": shares})
        rows = pd.DataFrame(W2, columns=[f"W2[k, {d}]" for d in range(W2.shape[1])])
        shown = pd.concat([table, rows.drop(columns=f"W2[k, {digit}]")], axis=1)
        specs = dict.fromkeys(shown.columns[1:], ".3f")
        st.dataframe(widgets.in_language(shown, specs), hide_index=True, column_config=widgets.number_columns(specs))
    contribution_maps(values, x, silent)


def contribution_maps(values: network.Forward, x, silent) -> None:
    """Each unit's contribution map x ⊙ W1[:, k], as large as its column, all on one stated colour scale."""
    maps = drawing.contribution_maps(trainer.params, x)
    limit = figures.symmetric_limit(maps)
    st.markdown(_("**Contribution maps x ⊙ W1[:, k]**: unit k's pixels, whose sum plus b1ₖ is Z1ₖ"))
    legend, note = st.columns([1, 2], vertical_alignment="center")
    shown_limit = number(limit, ".3f")
    with legend:
        widgets.picture(figures.colour_legend(limit), caption=f"−{shown_limit}   ·   0   ·   +{shown_limit}",
                        width="stretch",
                        alt=_("Colour legend: blue −{limit}, white 0, red +{limit}").format(limit=shown_limit))
    note.caption(_("Red pixels raise the unit's Z1ₖ, blue ones lower it. Every map uses the same colour scale, "
                   "±{limit} (the largest |xᵢ·W1ᵢₖ| of any unit), so colours compare across units; pixels "
                   "without ink are 0 and contribute nothing.").format(limit=shown_limit))
    columns = 5 if len(maps) <= 10 else 8
    names = figures.unit_labels(len(silent), silent)
    titles = [(_("{unit}: Z1 {z} · on") if z > 0 else _("{unit}: Z1 {z} · off")).format(unit=name, z=number(z, "+.2f"))
              for name, z in zip(names, values.Z1)]
    for first in range(0, len(maps), columns):
        for slot, tile, title in zip(st.columns(columns, gap="xsmall"), maps[first:first + columns],
                                     titles[first:first + columns]):
            with slot:
                widgets.picture(figures.signed_tile(tile, limit), caption=title, width="stretch", output_format="PNG",
                                alt=_("Contribution map of {title}, 28×28 pixels, on the scale ±{limit}").format(
                                    title=title, limit=shown_limit))


def teach(prepared: drawing.PreparedDrawing) -> None:
    """One SGD step on this drawing with the label the learner picks, recorded in the run like any step."""
    st.subheader(_("Teach it this digit"))
    if state.viewing is not None:
        timeline_panel.viewing_banner(state)
        st.caption(_("Training happens only at now: go back to now to train on your drawing."))
        return
    if trainer.stopped_reason:
        st.caption(_("Training has stopped (see the sidebar), so the model cannot learn from the drawing."))
        return
    if class_views.read_only_notice(state):
        return
    row = st.container(horizontal=True, vertical_alignment="bottom")
    label = row.segmented_control(_("What digit did you draw?"), list(range(10)), key="draw_label",
                                  help=_("The true label: the step moves the weights towards reading it"))
    pressed = row.button(_("Train on this drawing"), key="draw_train", icon=":material/school:",
                         disabled=label is None, type="primary")
    st.caption(_("One step of the same P ← P − α·dP as on the Train screen, on this 28×28 image and your label, "
                 "with α = {rate} and the {rule} rule. It is kept in the run (the timeline marks it), so "
                 "replaying the run gives the same weights. Press again for another step.").format(
                     rate=number(trainer.learning_rate, ".4g"), rule=rule_name(trainer.settings.rule)))
    if pressed:
        state.train_on_drawing(prepared.centred, int(label))
        st.rerun()  # the prediction above now reads the drawing with the new weights
    lesson = state.drawing_lesson
    if lesson is not None and np.array_equal(lesson[0].x, prepared.x):
        lesson_panel(*lesson)


def lesson_panel(record, after) -> None:
    """The probabilities before and after the step on the drawing, and the update as ten ΔW1 images."""
    st.markdown(_("**The last step on this drawing** (label {label}): loss Σ(A2 − y)² {before} → {after}").format(
        label=record.label, before=number(record.loss_before, ".4f"), after=number(record.loss_after, ".4f")))
    # One above the other: side by side in the results column each was about 180 px at 1024x700, its
    # title cut and every other digit unlabelled.
    titles = {"before": _("A2 before the step: reads a {digit} ({probability} on {label})"),
              "after": _("A2 after the step: reads a {digit} ({probability} on {label})")}
    for values, when in ((record.forward.A2, "before"), (after, "after")):
        predicted = int(values.argmax())
        title = titles[when].format(digit=predicted, probability=number(values[record.label], ".1%"),
                                    label=record.label)
        chart_kit.show(chart_kit.bars(values, figures.DIGITS, title, _("digit"), _("probability"),
                                      highlight=predicted, height=220, y_range=[0, 1.2]),
                       key=f"draw_lesson_{when}")
    update = record.updates.dW1
    unchanged = (record.forward.Z1 <= 0) | ~update.any(axis=0)
    limit = figures.symmetric_limit(update)
    mosaic = figures.unit_mosaic(update.T.reshape(-1, 28, 28), figures.unit_tile_labels(np.zeros(len(unchanged), bool),
                                 unchanged), unchanged, limit=limit)
    widgets.picture(figures.png(figures.with_colour_strip(mosaic, limit) if limit else mosaic), output_format="PNG",
                    caption=_("The update ΔW1 = −α·dW1 of each hidden unit: your drawing's ink, times −α·dZ1ₖ. "
                              "−{limit} (blue) · 0 (white) · +{limit} (red); grey: the unit was off (Z1 ≤ 0) "
                              "for the drawing, so its template did not change.").format(limit=number(limit, ".2g")),
                    alt=_("The update ΔW1 of the {count} hidden units from the step on your drawing, blue "
                          "negative and red positive, from −{limit} to +{limit}").format(
                              count=len(unchanged), limit=number(limit, ".2g")))


# The canvas is 280 px wide whatever its column: a container of exactly that width keeps it whole and square
# (a third of the laptop's column was 217 px and hid its right quarter); the results wrap below it on a phone.
row = st.container(horizontal=True, gap="medium")
canvas_column, result_column = row.container(width=CANVAS_SIDE), row.container(width="stretch")
with canvas_column:
    st.caption(_("Draw one digit, large, in the middle of the square. Point at the square for its "
                 "toolbar: undo, redo, clear."))
    st.space("small")  # room for that toolbar, which floats just above the canvas
    try:
        prepared = drawing.prepare_drawing(canvas_image())
    except BadDrawing as error:
        st.error(str(error), icon=":material/broken_image:")
        prepared = None
with result_column:
    if prepared is None:
        st.info(_("Draw a digit on the black square… the prediction appears here as soon as you lift the pen."),
                icon=":material/draw:")
    else:
        forward_values = network.forward(trainer.params, prepared.x)
        prediction(forward_values)
        teach(prepared)

if prepared is not None:
    st.subheader(_("From drawing to MNIST-like input"))
    stages(prepared)
    st.subheader(_("Inside the hidden layer"))
    hidden_layer(forward_values, prepared.x, trainer.dead_units())

shell.next_screen_link(__file__)
