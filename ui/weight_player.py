"""The Weights screen's player: a small component that plays the weights' history in the browser.

The page sends every frame at once (ui/weight_frames.py builds the bytes); the script here and its
styles (weight_player.js, weight_player.css beside this file) play, scrub and recolour them without
asking the server again, so playback is as smooth as the browser can draw.
"""

from pathlib import Path

import streamlit as st

from runs.store import StoreError
from ui import weight_frames
from ui.session import Session

HERE = Path(__file__).resolve().parent
_component = st.components.v2.component("backprop_weight_player", js=(HERE / "weight_player.js").read_text(),
                                        css=(HERE / "weight_player.css").read_text())


def exact_frames(state: Session) -> list:
    """(step, parameters) the run's timeline keeps exactly: its keyframes, spread over the run, and the step
    being viewed. Steps count training samples, as the trainer's snapshots do; none when the past cannot be read."""
    try:
        frames = [(keyframe.step_count, keyframe.params) for keyframe in state.timeline().keyframes.frames]
    except (StoreError, ValueError):
        return []  # the snapshots alone (the store is down, or the run's log cannot be read)
    view = state.viewed()
    if view is not None:
        frames.append((view.trainer.step_count, view.trainer.params))
    return frames


def weight_player(state: Session) -> list:
    """Mount the player with this session's frames, opened at the step being viewed (else now); returns the frames."""
    trainer = state.trainer
    frames = weight_frames.frames(trainer, exact_frames(state))
    _, _, test_images, test_labels = trainer.data
    measures = weight_frames.measured(frames, test_images, test_labels, state.frame_measures)
    opened = state.shown_trainer().step_count
    _component(data=weight_frames.payload(frames, measures, trainer.training_size, opened), key="weights_player")
    return frames
