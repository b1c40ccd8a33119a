"""Weights: W1 as ten 28x28 templates, W2 as a 10x10 heatmap, the biases, and their history."""

import streamlit as st

from ui import figures, session, shell

shell.require()
st.title("Weights")
st.markdown(
    "Column k of W1 holds the 784 weights from the pixels into hidden unit k: drawn as a 28×28 "
    "image it is the pattern that unit looks for (red pixels push its value up, blue pull it "
    "down). W2 connects the hidden units to the ten digits. Use the slider to replay how they "
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
st.plotly_chart(figures.image_grid(
    W1.T.reshape(-1, 28, 28), [f"unit {k}" for k in range(params.hidden)],
    f"W1 at step {step:,}: each hidden unit's 784 input weights as a 28×28 image", "weight",
    columns=min(params.hidden, 10) if params.hidden <= 10 else 8, height=260 if params.hidden <= 10 else 520),
    key="weights_w1")

left, right = st.columns([1.2, 1])
with left:
    st.plotly_chart(figures.heatmap(params.W2, f"W2 at step {step:,}: hidden unit → digit",
                                    "digit (output)", "hidden unit", x_labels=figures.DIGITS,
                                    colorbar_title="weight", height=420), key="weights_w2")
with right:
    st.plotly_chart(figures.bars(params.b1, [f"h{k}" for k in range(params.hidden)], "b1: hidden-unit biases",
                                 "hidden unit", "bias", height=205), key="weights_b1")
    st.plotly_chart(figures.bars(params.b2, figures.DIGITS, "b2: output biases", "digit", "bias", height=205),
                    key="weights_b2")
kept = f"{len(snapshots)} snapshots are" if len(snapshots) > 1 else "1 snapshot is"
st.caption(f"{kept} kept: often early on, then thinned, so memory stays bounded however long you train.")

shell.next_screen_link(__file__)
