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


def timeline_frames(state: Session, timeline) -> list:
    """(step, parameters) the run's timeline keeps exactly: its keyframes, spread over the run, and the step viewed."""
    start = timeline.keyframes.frames[0].step_count
    frames = [(start + keyframe.position, keyframe.params) for keyframe in timeline.keyframes.frames]
    view = state.viewed()
    if view is not None:
        frames.append((start + view.position, view.trainer.params))
    return frames


def weight_player(state: Session) -> list:
    """Mount the player with this session's frames, opened at the step being viewed (else now); returns the frames.

    Steps are counted as the timeline counts them (a step on a drawing is a step too), so the player
    and the "Viewing step k" banner agree; without a readable past, as the trainer counts samples.
    """
    trainer = state.trainer
    try:
        timeline = state.timeline()
    except (StoreError, ValueError):
        timeline = None  # the snapshots alone (the store is down, or the run's log cannot be read)
    if timeline is None:
        frames, opened = weight_frames.frames(trainer), trainer.step_count
    else:
        start = timeline.keyframes.frames[0].step_count
        snapshots = [(start + timeline.position_after_samples(step - start) if step >= start else step, params)
                     for step, params in trainer.trajectory()]  # before `start`: a checkpoint's own past
        frames = weight_frames.merge_frames(snapshots, timeline_frames(state, timeline),
                                            limit=weight_frames.frame_limit(trainer.params.hidden))
        opened = start + (timeline.length if state.viewing is None else state.viewing)
    _, _, test_images, test_labels = trainer.data
    measures = weight_frames.measured(frames, test_images, test_labels, state.frame_measures)
    _component(data=weight_frames.payload(frames, measures, trainer.training_size, opened), key="weights_player")
    return frames
