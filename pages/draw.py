"""Draw: a digit drawn by hand, made MNIST-like step by step, then read by the current model."""

import streamlit as st

from core import drawing, network
from ui import figures, session, shell, widgets

shell.require()
st.title("Draw")
st.markdown(
    "Draw a digit and the current model reads it. The network only knows images made the way MNIST's "
    "were, so the drawing goes through the same steps first: the ink is cropped to its bounding box, "
    "scaled so its longer side is 20 pixels (keeping its shape), and pasted into a 28×28 field so "
    "that its centre of mass sits at the centre. Below the prediction, each hidden unit's "
    "**contribution map x ⊙ W1[:, k]** shows which pixels pushed its value Z1ₖ up (red) or down (blue).")

trainer = session.trainer()
if trainer.step_count == 0:
    st.info("The model is untrained (step 0): its weights are random, so its answers are guesses. "
            "Train on the Train screen first, then come back.", icon=":material/school:")


def canvas_image():
    """The canvas's RGBA pixels, or None while nothing has been drawn (and under AppTest)."""
    from streamlit_drawable_canvas import st_canvas  # raises outside a running app, so imported here

    result = st_canvas(stroke_width=20, stroke_color="#FFFFFF", background_color="#000000", height=280,
                       width=280, drawing_mode="freedraw", return_image_data=True, key="draw_canvas")
    return None if result is None else result.image_data


def stages(prepared: drawing.PreparedDrawing) -> None:
    """The four preprocessing steps side by side, each captioned with what it did."""
    box, (row, column) = prepared.box, prepared.centre_of_mass
    height, width = prepared.scaled.shape
    shown = [
        (figures.marked_stage(prepared.grey, 1, box=box),
         f"1 · the ink on the {prepared.grey.shape[0]}×{prepared.grey.shape[1]} canvas, its bounding box in amber"),
        (figures.marked_stage(prepared.cropped, 1),
         f"2 · cropped to the box: {box.height}×{box.width} px"),
        (figures.marked_stage(prepared.scaled, 140 // max(height, width), cross=prepared.centre_of_mass),
         f"3 · longer side scaled to {drawing.BOX} px: {height}×{width}; its centre of mass (amber) "
         f"at row {row:.1f}, column {column:.1f}"),
        (figures.marked_stage(prepared.centred, 5, cross=drawing.CENTRE),
         f"4 · placed at row {prepared.offset[0]}, column {prepared.offset[1]} of a 28×28 field so the "
         "centre of mass lands on (14, 14) (amber): the network's input x"),
    ]
    for slot, (image, caption) in zip(st.columns(4), shown):
        with slot:
            widgets.picture(image, alt=f"Your drawing, stage {caption}", caption=caption, width=150,
                            output_format="PNG")


def prediction(values: network.Forward) -> None:
    """The prediction in large type and the ten probabilities A2, the predicted digit in red."""
    predicted = int(values.A2.argmax())
    st.metric("Prediction", str(predicted), f"probability {values.A2[predicted]:.1%}", delta_color="off",
              delta_arrow="off")
    st.plotly_chart(figures.bars(values.A2, figures.DIGITS, f"A2 = softmax(Z2): the model reads a {predicted}",
                                 "digit", "probability", highlight=predicted, height=280, y_range=[0, 1.2]),
                    key="draw_probabilities")


def hidden_layer(values: network.Forward, x) -> None:
    """A1 as bars, and each unit's contribution map x ⊙ W1[:, k] on one scale centred at 0."""
    hidden = trainer.params.hidden
    left, right = st.columns([1, 2])
    with left:
        st.plotly_chart(figures.bars(values.A1, [f"h{k}" for k in range(hidden)],
                                     "Hidden activations A1 = ReLU(Z1)", "hidden unit", "A1",
                                     height=330, text_format=".1f"), key="draw_hidden")
        st.caption("A unit is **on** when Z1ₖ > 0 and passes A1ₖ = Z1ₖ to the output layer; "
                   "**off** units (Z1ₖ ≤ 0) pass nothing.")
    with right:
        maps = drawing.contribution_maps(trainer.params, x)
        titles = [f"h{k}: Z1 {z:+.2f} · {'on' if z > 0 else 'off'}" for k, z in enumerate(values.Z1)]
        st.plotly_chart(figures.image_grid(maps, titles, "Contribution maps x ⊙ W1[:, k]: Σ pixels + b1ₖ = Z1ₖ",
                                           "xᵢ·W1ᵢₖ", columns=5 if hidden <= 10 else 8, gap=10,
                                           margin=dict(l=10, r=10, t=60, b=10)),
                        key="draw_contributions")
        st.caption("Red pixels raise the unit's Z1ₖ, blue ones lower it, all on one scale; pixels without "
                   "ink are 0 and contribute nothing.")


canvas_column, result_column = st.columns([1, 2])
with canvas_column:
    st.caption("Draw one digit, large, in the middle of the square. Point at the square for its "
               "toolbar: undo, redo, clear.")
    st.space("small")  # room for that toolbar, which floats just above the canvas
    prepared = drawing.prepare_drawing(canvas_image())
with result_column:
    if prepared is None:
        st.info("Draw a digit on the black square… the prediction appears here as soon as you lift the pen.",
                icon=":material/draw:")
    else:
        forward_values = network.forward(trainer.params, prepared.x)
        prediction(forward_values)

if prepared is not None:
    st.subheader("From drawing to MNIST-like input")
    stages(prepared)
    st.subheader("Inside the hidden layer")
    hidden_layer(forward_values, prepared.x)
