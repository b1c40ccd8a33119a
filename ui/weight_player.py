"""The Weights screen's player: a small component that plays the weights' history in the browser.

The page sends every frame at once (ui/weight_frames.py builds the bytes); the script here and its
styles (weight_player.js, weight_player.css beside this file) play, scrub and recolour them without
asking the server again, so playback is as smooth as the browser can draw.
"""

from pathlib import Path

import streamlit as st

from ui import weight_frames
from ui.session import Session

HERE = Path(__file__).resolve().parent
_component = st.components.v2.component("backprop_weight_player", js=(HERE / "weight_player.js").read_text(),
                                        css=(HERE / "weight_player.css").read_text())


def weight_player(state: Session, keyframes=()) -> list[tuple[int, object]]:
    """Mount the player with this session's frames (the trajectory, and `keyframes` if any); returns the frames."""
    trainer = state.trainer
    frames = weight_frames.frames(trainer, keyframes)
    _, _, test_images, test_labels = trainer.data
    measures = weight_frames.measured(frames, test_images, test_labels, state.frame_measures)
    _component(data=weight_frames.payload(frames, measures, trainer.training_size), key="weights_player")
    return frames
