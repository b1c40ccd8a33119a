"""Weights: W1 as one 28x28 template per hidden unit, W2 and the biases, played through the run."""

import streamlit as st

from core.model.batched import PROBE_IMAGES
from locales import _, number
from ui import session, shell, timeline_panel
from ui.weight_player import weight_player

shell.require()
st.title(_("Weights"))
st.markdown(_(
    "Column k of W1 holds the 784 weights from the pixels into hidden unit k (units count from 1, as in "
    "the design document); drawn as a 28×28 image it is the pattern that unit looks for. **Red** pixels "
    "raise the unit's value Z1 when they are inked, **blue** ones lower it, **white** ones do not matter. "
    "W2 connects the hidden units to the ten digits in the same colours. Press **Play** to watch them grow "
    "from their random start; the track under the buttons is the step number, with the test accuracy of "
    "every frame drawn along it. **W1 − W1 at step 0** hides the random start and shows only what "
    "training has added."))

state = session.current()
timeline_panel.viewing_banner(state)
frames = weight_player(state)
if len(frames) == 1:
    st.caption(_("Only the initial weights so far: train on the Train screen, then come back to play their history."))
else:
    st.caption(_("{frames} frames from step 0 to now: the snapshots training takes (most often at the start, "
                 "where the weights change fastest) and the exact copies the run keeps spread over its steps. "
                 "Each frame's test accuracy is measured on all {test} test images; a unit is “silent” in a frame "
                 "when its Z1 ≤ 0 on all of the first {probe} test images with that frame's weights, so those images "
                 "give it no gradient.").format(frames=number(len(frames)), test=number(len(state.trainer.data[3])),
                                                probe=number(PROBE_IMAGES)))

shell.next_screen_link(__file__)
