"""Loss surface: the loss on a plane through the current weights, the path training took, the line from θ0."""

import numpy as np
import pandas as pd
import streamlit as st

from core.surface import loss_surface
from core.surface.settings import default_loss
from core.training.settings import SEED_RANGE
import locales
from locales import N_, _, number, percent
from locales.words import loss_name, rule_name, said
from ui import session, shell, surface_panel, widgets

DIRECTION_NAMES = {"random": N_("random"), "pca": "pca"}  # pca is the method's name, in every language

shell.require()
st.title(_("Loss surface"))
st.markdown(_(
    "The network has thousands of weights, so its loss lives in thousands of dimensions. We can "
    "still look at a slice: a plane through the current weights θ, spanned by two directions d1 "
    "and d2, with the loss computed on a grid of points θ + a·d1 + b·d2. The training path is "
    "projected onto the plane; how far it lies off the plane is shown too, because a projection "
    "can make a path look closer to the surface than it is."))


def honesty_chart(result, mean_loss: str) -> bytes:
    """The true loss at each snapshot beside the surface's value under it, as one line chart's blob."""
    steps = result.trajectory_steps
    curves = {_("true loss at the snapshot"): result.trajectory_loss,
              _("surface's value at its projection"): result.trajectory_surface_loss}
    series = [{"name": name, "values": values, "markers": True, "texts": surface_panel.point_texts(name, steps, values)}
              for name, values in curves.items()]
    alt = _("The true loss at each of the {count} snapshots, from {first} to {last}, beside the surface's value at its "
            "projection, from {surface_first} to {surface_last}").format(
                count=number(len(steps)), first=number(result.trajectory_loss[0], ".4g"),
                last=number(result.trajectory_loss[-1], ".4g"), surface_first=number(result.trajectory_surface_loss[0], ".4g"),
                surface_last=number(result.trajectory_surface_loss[-1], ".4g"))
    return surface_panel.lines_blob(steps, series, _("Trajectory: true loss against what the surface shows"), _("step"),
                                    mean_loss, alt=alt)


def line_chart(along, losses, accuracies, loss_label: str, mean_loss: str) -> bytes:
    """The loss and accuracy along θ(t) = θ0 + t(θ − θ0), as one line chart's blob (t, not α: α is the learning rate)."""
    loss_name_shown, accuracy = _("loss {loss_label}").format(loss_label=loss_label), _("accuracy")
    series = [{"name": loss_name_shown, "values": losses,
               "texts": surface_panel.point_texts(loss_name_shown, along, losses, x_spec=".2f")},
              {"name": accuracy, "values": accuracies, "right": True,
               "texts": surface_panel.point_texts(accuracy, along, accuracies, spec=".2%", x_spec=".2f")}]
    at_start, at_end = int(np.argmin(np.abs(along))), int(np.argmin(np.abs(along - 1)))
    alt = _("The loss along the straight line from the initial weights θ0 (t = 0, loss {start}) to the current weights "
            "(t = 1, loss {end}), t from {low} to {high}; the accuracy on the right axis, from {accuracy_start} to "
            "{accuracy_end}").format(start=number(losses[at_start], ".4g"), end=number(losses[at_end], ".4g"),
                                     low=number(along[0], "g"), high=number(along[-1], "g"),
                                     accuracy_start=percent(accuracies[at_start]), accuracy_end=percent(accuracies[at_end]))
    return surface_panel.lines_blob(along, series, _("Loss along θ(t) = θ0 + t(θ − θ0)") + "<br>(Goodfellow et al. 2015)",
                                    _("t (0: initial weights, 1: current weights)"), mean_loss, right_title=accuracy,
                                    alt=alt)

state = session.current()
trainer = state.trainer
mnist = session.dataset()
chosen = state.surface_settings

# Two rows of three: in one row of six, "pca" and the loss's name are cut on a laptop.
controls = [*st.columns(3), *st.columns(3)]
# Display names translated now, in this run's language: a format_func may be called later, outside it (AppTest).
direction_names = {name: _(label) for name, label in DIRECTION_NAMES.items()}
directions = controls[0].segmented_control(
    _("directions"), loss_surface.DIRECTIONS, default=chosen["directions"], key="surface_directions",
    format_func=direction_names.get,
    help=_("random: two random directions, filter-normalised (Li et al. 2018); pca: the two directions along "
           "which the saved training trajectory's weights vary most (a centred PCA, biases left out, as in "
           "Li et al.'s code)")) or chosen["directions"]
rule = trainer.settings.rule
rule_loss = default_loss(rule)
# Keyed by the rule: after a reset with another rule the choice starts again at that rule's loss.
loss_names = {name: loss_name(name) for name in loss_surface.LOSS_NAMES}
loss = controls[1].selectbox(_("loss"), loss_surface.LOSS_NAMES,
                             loss_surface.LOSS_NAMES.index(chosen["loss"] or rule_loss), key=f"surface_loss_{rule}",
                             format_func=loss_names.get,
                             help=_("By default, the loss the training rule minimises: the surface training goes "
                                    "down."))
grid = controls[2].slider(_("grid points per side"), *loss_surface.GRID_RANGE, chosen["grid"], step=2,
                          key="surface_grid")
span = controls[3].number_input(_("span (± along each direction)"), *loss_surface.SPAN_RANGE, chosen["span"],
                                format="%g", step=0.25, key="surface_span")
samples = controls[4].number_input(_("test images used"), *loss_surface.SAMPLES_RANGE, chosen["samples"], step=500,
                                   key="surface_samples")
seed = controls[5].number_input(_("direction seed"), *SEED_RANGE, chosen["seed"], key="surface_seed",
                                disabled=directions != "random")


@st.cache_resource(max_entries=3, show_spinner=False)
def evaluation_set(samples: int):
    """The first `samples` test images as pixels and labels, shared by every session."""
    return loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, samples)


def computed(kind: str, compute):
    """A result remembered in this session until the model or a setting changes."""
    return state.remembered(("surface", locales.language(), kind, directions, loss, grid, span, samples, seed), compute)


X, labels = evaluation_set(int(samples))
try:
    with st.spinner(_("Computing the loss on the grid…")):
        result = computed("surface", lambda: loss_surface.surface(
            trainer.params, trainer.trajectory(), X, labels, directions=directions, span=float(span),
            grid=int(grid), loss=loss, seed=int(seed)))
except ValueError as error:  # the principal directions without a trajectory to find them in (core says so)
    st.info(said(error), icon=":material/info:")
    shell.next_screen_link(__file__)
    st.stop()

loss_label = "Σ(A2 − y)²" if loss == "mse" else "−log A2_y"
if loss != rule_loss:
    st.warning(_("This surface shows the {loss} loss, which the {rule} rule does not minimise (it minimises "
                 "{rule_loss}): training need not go downhill on it.").format(loss=loss_name(loss), rule=rule_name(rule),
                                                                           rule_loss=loss_name(rule_loss)),
               icon=":material/warning:")
elif rule == "document":
    st.caption(_("Shown: the cross-entropy −log A2_y. The document's rule dZ2 = 2(A2 − y) is not the gradient of its "
                 "loss Σ(A2 − y)² but twice the cross-entropy's (erratum 1), so training with it goes down the "
                 "cross-entropy surface."))
else:
    st.caption(_("Shown: the {loss} loss {loss_label}, the one the {rule} rule minimises.").format(
        loss=loss_name(loss), loss_label=loss_label, rule=rule_name(rule)))
mean_loss = _("mean loss {loss_label}").format(loss_label=loss_label)
# The 3-D view gets the whole width: in half of a laptop's it is too small to follow the path on it.
views = computed("views", lambda: (surface_panel.surface_blob(result, "3d", mean_loss),
                                   surface_panel.surface_blob(result, "map", mean_loss)))
surface_panel.show(views[0], key="surface_3d")
left, right = st.columns([3, 2], vertical_alignment="center")
with left:
    surface_panel.show(views[1], key="surface_contour")

direction_note = (_("d1 and d2 explain {first} and {second} of the variance of the trajectory's weights "
                    "(centred PCA of the weights, biases left out, as in Li et al.'s code)").format(
                        first=number(result.explained_variance_ratio[0], ".0%"),
                        second=number(result.explained_variance_ratio[1], ".0%"))
                  if result.explained_variance_ratio is not None else
                  _("random filter-normalised directions (cosine between them {cosine})").format(
                      cosine=number(result.direction_cosine, "+.3f")))
right.caption(_("Current weights at (0, 0): loss {loss}, accuracy {accuracy} on {samples} test images. One grid unit "
                "is ‖d1‖ = {d1}, ‖d2‖ = {d2} in weight space; {directions}. In 3-D the white path (black-edged dots) "
                "is drawn just above the surface, at the surface's value under each snapshot.").format(
                    loss=number(result.current_loss, ".4f"), accuracy=percent(result.current_accuracy),
                    samples=number(result.samples), d1=number(result.direction_norms[0], ".3g"),
                    d2=number(result.direction_norms[1], ".3g"), directions=direction_note))

st.subheader(_("How far the path lies off this plane"))
if len(result.trajectory_steps) > 1:
    length, in_plane = computed("lengths", lambda: loss_surface.path_lengths(result, trainer.trajectory()))
    worst = int(np.argmax(result.trajectory_distance))
    st.markdown(_(
        "The training path is **{length}** long in weight space; only **{in_plane}** of it ({share}) lies in this "
        "plane. The snapshot farthest off it, at step {step}, lies {distance} away. Where the true loss and the "
        "surface's value under a snapshot differ, the drawn path is a shadow, not the path itself.").format(
            length=number(length, ".3g"), in_plane=number(in_plane, ".3g"),
            share=number(in_plane / max(length, 1e-12), ".0%"), step=number(result.trajectory_steps[worst]),
            distance=number(result.trajectory_distance[worst], ".3g")))
    if directions == "random":
        dimensions = trainer.params.W1.size + trainer.params.W2.size
        st.info(_("With random directions the path collapses onto (0, 0): in {dimensions} dimensions two random "
                  "directions are almost orthogonal to any given one (a typical cosine is about "
                  "1/√{dimensions} ≈ {cosine}), so almost none of the path lies along them. Choose **pca** above: "
                  "its directions are the ones the path moved along most.").format(
                      dimensions=number(dimensions), cosine=number(dimensions ** -0.5, ".2f")),
                icon=":material/lightbulb:")
    # (name shown, values, format, help): numbers written in the language's signs, as in the text above
    columns = [(_("step"), result.trajectory_steps, ",", None), ("a", result.trajectory_a, ".4g", None),
               ("b", result.trajectory_b, ".4g", None),
               (_("off the plane"), result.trajectory_distance, ".4g", _("‖θᵢ − θ(a, b)‖: distance to the plane")),
               (_("from current θ"), result.trajectory_displacement, ".4g",
                _("‖θᵢ − θ‖: distance from the current weights")),
               (_("true loss"), result.trajectory_loss, ".4g", None),
               (_("surface loss"), result.trajectory_surface_loss, ".4g",
                _("the surface's loss at the projection (a, b)"))]
    readout = pd.DataFrame({name: values for name, values, _spec, _help in columns})
    decimals = {name: spec for name, _values, spec, _help in columns if spec != ","}  # the step is a count: no format
    surface_panel.show(computed("honesty", lambda: honesty_chart(result, mean_loss)), key="surface_honesty")
    st.dataframe(widgets.in_language(readout, {name: spec for name, _values, spec, _help in columns}), hide_index=True,
                 height=250, column_config=widgets.number_columns(
                     decimals, help={name: help_text for name, _values, _spec, help_text in columns if help_text}))
else:
    st.caption(_("Train some steps to draw the trajectory on the plane."))

st.subheader(_("The straight line from the initial weights θ0 to the current θ"))
along, line_losses, line_accuracies = computed("line", lambda: loss_surface.interpolation_line(
    trainer.initial_params, trainer.params, X, labels, loss=loss))
surface_panel.show(computed("line_chart", lambda: line_chart(along, line_losses, line_accuracies, loss_label, mean_loss)),
                   key="surface_line")
st.caption(_("A loss that falls smoothly along the line says that, in hindsight, a straight path from the start "
             "would have worked; bumps show what training had to go around."))

shell.next_screen_link(__file__)
