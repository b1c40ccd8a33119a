"""Forward pass: one image through the current network, every intermediate value beside its equation."""

import numpy as np
import streamlit as st

from core import network
from ui import figures, session, shell

shell.require()
st.title("Forward pass")
st.markdown(
    "Pick an image and follow it through the network as it is now. Each layer is a matrix "
    "product plus a bias, followed by an activation: ReLU in the hidden layer, softmax at the "
    "output, whose 10 values are the network's probabilities for the digits 0 to 9.")

mnist = session.dataset()
trainer = session.trainer()
params = trainer.params
selection = session.current().take_forward_selection()  # an image opened from Evaluate's or Data's gallery
if selection is not None:
    st.session_state.update(forward_split=selection[0], forward_digit="any", forward_position=selection[1])

controls = st.columns([1, 1, 1, 1])
split = controls[0].segmented_control("Set", ["training", "test"], default="test", key="forward_split") or "test"
images = mnist.train_images if split == "training" else mnist.test_images
labels = mnist.train_labels if split == "training" else mnist.test_labels
digit = controls[1].selectbox("Only this digit", ["any"] + list(range(10)), key="forward_digit")
pool = np.arange(len(labels)) if digit == "any" else np.flatnonzero(labels == digit)
if controls[3].button("Random image", icon=":material/casino:"):
    st.session_state.forward_position = int(np.random.default_rng().integers(len(pool)))
position = controls[2].number_input(f"Image number (0 to {len(pool) - 1:,})", min_value=0,
                                    max_value=len(pool) - 1, step=1, key="forward_position")
index = int(pool[min(position, len(pool) - 1)])
label = int(labels[index])
x = network.pixels(images[index])
values = network.forward(params, x)
prediction = int(np.argmax(values.A2))
mse = float(network.mse_loss(values.A2, label))
cross_entropy = float(network.cross_entropy_loss(values.A2, label))
units = [f"h{k}" for k in range(params.hidden)]

st.caption(f"Model at step {trainer.step_count:,} (rule `{trainer.settings.rule}`). Step it on the Train screen.")
left, middle, right = st.columns([1, 1.3, 1.3])
with left:
    st.plotly_chart(figures.digit_image(np.asarray(images[index]), f"x: {split} image #{index:,}, label {label}",
                                        height=300), key="forward_x")
    st.latex(r"x = p / 255 \in [0,1]^{784}")
with middle:
    st.plotly_chart(figures.grouped_bars({"Z1 (before ReLU)": values.Z1, "A1 = ReLU(Z1)": values.A1}, units,
                                         "Hidden layer", "hidden unit", "value"), key="forward_hidden")
    st.latex(r"Z_1 = W_1^{T}x + b_1,\qquad A_1 = \max(0, Z_1)")
    dead = int(np.sum(values.Z1 <= 0))
    st.caption(f"{dead} of {params.hidden} hidden units are off (Z1 ≤ 0) for this image: they pass nothing on "
               "and get no gradient from it.")
with right:
    st.plotly_chart(figures.bars(values.Z2, figures.DIGITS, "Output scores Z2 (logits)", "digit", "Z2",
                                 highlight=prediction, height=300), key="forward_z2")
    st.latex(r"Z_2 = W_2^{T}A_1 + b_2")

left, right = st.columns([1.3, 1])
with left:
    st.plotly_chart(figures.bars(values.A2, figures.DIGITS, "Probabilities A2 = softmax(Z2)", "digit",
                                 "probability", highlight=prediction, height=300, y_range=[0, 1.15]),
                    key="forward_a2")
with right:
    st.latex(r"A_{2,k} = \frac{e^{Z_{2,k} - \max Z_2}}{\sum_j e^{Z_{2,j} - \max Z_2}}")
    verdict = "correct" if prediction == label else f"wrong (the label is {label})"
    st.metric("Prediction  argmax A2", prediction, verdict, delta_color="normal" if prediction == label else "inverse")
    st.latex(rf"\mathcal{{L}} = \sum_k (A_{{2,k}} - y_k)^2 = {mse:.4f}")
    st.latex(rf"-\log A_{{2,y}} = {cross_entropy:.4f}")
    st.caption(f"y is one-hot: 1 at the label {label}, 0 elsewhere (the document writes μ; it is 1).")

shell.next_screen_link(__file__)
