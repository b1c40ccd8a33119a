"""Weights: W1 as ten 28x28 templates, W2 as a 10x10 heatmap, the biases, and their history."""

import streamlit as st

from core import network
from core.training import PROBE_IMAGES
from ui import figures, session, shell

shell.require()
st.title("Weights")
st.markdown(
    "Column k of W1 holds the 784 weights from pixels 1…784 into hidden unit k (units count from 1, "
    "as in the design document): drawn as a 28×28 image it is the pattern that unit looks for (red "
    "pixels push its value up, blue pull it down). W2 connects the hidden units to the ten digits 0…9. Use the slider to replay how they "
    "evolved from their random start.")

trainer = session.trainer()
snapshots = trainer.trajectory()
labels = [f"step {step:,}" for step, _ in snapshots]
choice = st.select_slider("Replay: parameters at", options=range(len(snapshots)), value=len(snapshots) - 1,
                          format_func=lambda i: labels[i] + (" (now)" if i == len(snapshots) - 1 else ""),
                          key=f"weights_snapshot_{len(snapshots)}") if len(snapshots) > 1 else 0
step, params = snapshots[choice]
if len(snapshots) == 1:
    st.caption("Only the initial weights so far: train on the Train screen to record snapshots.")

W1 = params.W1
probe = network.pixels(session.dataset().test_images[:PROBE_IMAGES])
silent = (network.forward(params, probe).Z1 <= 0).all(axis=0)  # these parameters, not only the current ones
units = figures.unit_labels(params.hidden)
st.plotly_chart(figures.image_grid(
    W1.T.reshape(-1, 28, 28), figures.unit_labels(params.hidden, silent),
    f"W1 at step {step:,}: each hidden unit's 784 input weights as a 28×28 image", "weight",
    columns=5 if params.hidden <= 10 else 6, greyed=silent, hover_name="unit", gap=6),
    key="weights_w1")
if silent.any():
    st.caption(f"Greyed, “· silent”: {int(silent.sum())} of {params.hidden} units have Z1 ≤ 0 on all of the first "
               f"{PROBE_IMAGES:,} test images with these weights, so those images give them no gradient.")

left, right = st.columns([1.2, 1])
with left:
    st.plotly_chart(figures.heatmap(params.W2, f"W2 at step {step:,}: hidden unit → digit",
                                    "digit (output)", "hidden unit", x_labels=figures.DIGITS, y_labels=units,
                                    colorbar_title="weight", height=420), key="weights_w2")
with right:
    st.plotly_chart(figures.bars(params.b1, units, "b1: hidden-unit biases",
                                 "hidden unit", "bias", height=205, silent=silent, text_format=".2f"), key="weights_b1")
    st.plotly_chart(figures.bars(params.b2, figures.DIGITS, "b2: output biases", "digit", "bias", height=205),
                    key="weights_b2")
kept = f"{len(snapshots)} snapshots are" if len(snapshots) > 1 else "1 snapshot is"
st.caption(f"{kept} kept: often early on, then thinned, so memory stays bounded however long you train.")

shell.next_screen_link(__file__)
