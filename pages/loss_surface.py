"""Loss surface: the loss on a plane through the current weights, the path training took, the line from θ0."""

import numpy as np
import pandas as pd
import streamlit as st

from core import loss_surface
from core.settings import SEED_RANGE
from ui import figures, session, shell

shell.require()
st.title("Loss surface")
st.markdown(
    "The network has thousands of weights, so its loss lives in thousands of dimensions. We can "
    "still look at a slice: a plane through the current weights θ, spanned by two directions d1 "
    "and d2, with the loss computed on a grid of points θ + a·d1 + b·d2. The training path is "
    "projected onto the plane; how far it lies off the plane is shown too, because a projection "
    "can make a path look closer to the surface than it is.")

state = session.current()
trainer = state.trainer
mnist = session.dataset()
chosen = state.surface_settings

controls = st.columns([2, 1, 1, 1, 1, 1])
directions = controls[0].segmented_control(
    "directions", loss_surface.DIRECTIONS, default=chosen["directions"], key="surface_directions",
    help="random: two random directions, filter-normalised (Li et al. 2018); pca: the two directions along "
         "which the saved training trajectory's weights vary most (a centred PCA, biases left out, as in "
         "Li et al.'s code)") or chosen["directions"]
loss = controls[1].selectbox("loss", loss_surface.LOSS_NAMES, loss_surface.LOSS_NAMES.index(chosen["loss"]),
                             key="surface_loss")
grid = controls[2].slider("grid points per side", *loss_surface.GRID_RANGE, chosen["grid"], step=2,
                          key="surface_grid")
span = controls[3].number_input("span (± along each direction)", *loss_surface.SPAN_RANGE, chosen["span"],
                                step=0.25, key="surface_span")
samples = controls[4].number_input("test images used", *loss_surface.SAMPLES_RANGE, chosen["samples"], step=500,
                                   key="surface_samples")
seed = controls[5].number_input("direction seed", *SEED_RANGE, chosen["seed"], key="surface_seed",
                                disabled=directions != "random")


@st.cache_resource(max_entries=3, show_spinner=False)
def evaluation_set(samples: int):
    """The first `samples` test images as pixels and labels, shared by every session."""
    return loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, samples)


def computed(kind: str, compute):
    """A result remembered in this session until the model or a setting changes."""
    return state.remembered(("surface", kind, directions, loss, grid, span, samples, seed), compute)


X, labels = evaluation_set(int(samples))
try:
    with st.spinner("Computing the loss on the grid…"):
        result = computed("surface", lambda: loss_surface.surface(
            trainer.params, trainer.trajectory(), X, labels, directions=directions, span=float(span),
            grid=int(grid), loss=loss, seed=int(seed)))
except ValueError as error:
    st.info(f"{error}. The principal directions need a trajectory: train some steps on the Train screen, "
            "or pick random directions.", icon=":material/info:")
    st.stop()

loss_label = "Σ(A2 − y)²" if loss == "mse" else "−log A2_y"
left, right = st.columns(2)
with left:
    st.plotly_chart(figures.loss_surface_3d(result, f"mean loss {loss_label}"), key="surface_3d")
with right:
    st.plotly_chart(figures.loss_contour(result, f"mean loss {loss_label}"), key="surface_contour")

direction_note = (f"d1 and d2 explain {result.explained_variance_ratio[0]:.0%} and "
                  f"{result.explained_variance_ratio[1]:.0%} of the variance of the trajectory's weights "
                  "(centred PCA of the weights, biases left out, as in Li et al.'s code)"
                  if result.explained_variance_ratio is not None else
                  f"random filter-normalised directions (cosine between them {result.direction_cosine:+.3f})")
st.caption(f"Current weights at (0, 0): loss {result.current_loss:.4f}, accuracy {result.current_accuracy:.1%} on "
           f"{result.samples:,} test images. One grid unit is ‖d1‖ = {result.direction_norms[0]:.3g}, "
           f"‖d2‖ = {result.direction_norms[1]:.3g} in weight space; {direction_note}.")

st.subheader("How far the path lies off this plane")
if len(result.trajectory_steps) > 1:
    off_plane = result.trajectory_distance / np.maximum(result.trajectory_displacement, 1e-12)
    worst = int(np.argmax(result.trajectory_distance))
    st.markdown(
        f"The snapshot at step {result.trajectory_steps[worst]:,} lies **{result.trajectory_distance[worst]:.3g}** "
        f"off the plane ({off_plane[worst]:.0%} of its distance from the current weights). Where the true loss "
        "and the surface's value under a snapshot differ, the drawn path is a shadow, not the path itself.")
    readout = pd.DataFrame({
        "step": result.trajectory_steps, "a": result.trajectory_a, "b": result.trajectory_b,
        "distance off the plane": result.trajectory_distance,
        "distance from current θ": result.trajectory_displacement,
        "true loss": result.trajectory_loss, "surface loss under it": result.trajectory_surface_loss})
    left, right = st.columns([1.2, 1])
    with left:
        st.plotly_chart(figures.lines(result.trajectory_steps, {"true loss at the snapshot": result.trajectory_loss,
                                                                "surface's value at its projection":
                                                                    result.trajectory_surface_loss},
                                      "Trajectory: true loss against what the surface shows", "step",
                                      f"mean loss {loss_label}", markers=True, height=300), key="surface_honesty")
    with right:
        st.dataframe(readout, hide_index=True, height=300, column_config={
            name: st.column_config.NumberColumn(format="%.4g") for name in readout.columns if name != "step"})
else:
    st.caption("Train some steps to draw the trajectory on the plane.")

st.subheader("The straight line from the initial weights θ0 to the current θ")
alphas, line_losses, line_accuracies = computed("line", lambda: loss_surface.interpolation_line(
    trainer.initial_params, trainer.params, X, labels, loss=loss))
st.plotly_chart(figures.lines(alphas, {f"loss {loss_label}": line_losses},
                              "Loss along θ(α) = θ0 + α(θ − θ0) (Goodfellow et al. 2015)",
                              "α (0: initial weights, 1: current weights)", f"mean loss {loss_label}",
                              secondary={"accuracy": line_accuracies}, secondary_title="accuracy",
                              secondary_format=".0%", height=300), key="surface_line")
st.caption("A loss that falls smoothly along the line says that, in hindsight, a straight path from the start "
           "would have worked; bumps show what training had to go around.")
