"""The one place where shared and per-session state is created.

The dataset is loaded once per server process and shared read-only by every session
(st.cache_resource); each browser session gets its own Trainer in st.session_state, so every
screen of one learner shows the same model and two learners never share one.
"""

import ctypes

import streamlit as st

import data
from core import loss_surface
from core.settings import parse_bounded_number, settings_from_query, settings_to_query
from core.training import Trainer
from data.cache import cache_is_complete, default_cache_dir


@st.cache_resource(show_spinner=False)
def dataset() -> data.MNIST:
    """All 70,000 images, memory-mapped read-only, shared by every session of this process."""
    return data.load_mnist()


def dataset_or_stop() -> data.MNIST:
    """The dataset, fetched with a progress bar the first time; a clear message if it cannot be had."""
    try:
        if not cache_is_complete(default_cache_dir()):
            bar = st.progress(0.0, text="Fetching MNIST…")
            data.fetch(lambda stage, done, total: bar.progress(done / total if total else 0.0, text=stage))
            bar.empty()
        return dataset()
    except data.MNISTUnavailable as error:
        st.error(f"**MNIST is not available.**\n\n{error}")
        st.stop()


def release_freed_memory() -> None:
    """Give the memory of sessions that have ended back to the system.

    Their trainers are freed when Streamlit drops them, but glibc keeps freed heap memory for
    reuse, so without this the server's resident size would stay at its classroom peak.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def new_trainer(settings) -> Trainer:
    release_freed_memory()  # a new session is when earlier ones have been dropped
    mnist = dataset()
    return Trainer(settings, mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)


def trainer() -> Trainer:
    """This session's trainer, created on first use with the settings in the URL (checked)."""
    if "trainer" not in st.session_state:
        query = st.query_params.to_dict()
        settings, notices = settings_from_query(query)
        surface, surface_notices = surface_settings_from_query(query)
        st.session_state.trainer = new_trainer(settings)
        st.session_state.surface_settings = surface
        st.session_state.setting_notices = notices + surface_notices
    return st.session_state.trainer


def reset(settings) -> None:
    """Start over with new settings, and write them into the URL so a link reproduces the run."""
    trainer().reset(settings)
    st.query_params.update(settings_to_query(settings))


# URL query key -> (lowest, highest, default) for the loss-surface screen's numeric settings.
SURFACE_QUERY = {
    "grid": (*loss_surface.GRID_RANGE, loss_surface.GRID_DEFAULT),
    "samples": (*loss_surface.SAMPLES_RANGE, loss_surface.SAMPLES_DEFAULT),
    "span": (*loss_surface.SPAN_RANGE, loss_surface.SPAN_DEFAULT),
    "dseed": (0, 2**31 - 1, 0),
}


def surface_settings_from_query(params) -> tuple[dict, list[str]]:
    """The loss-surface settings in the URL, each checked; bad ones fall back with a notice."""
    chosen, notices = {"directions": "random", "loss": "mse"}, []
    for key, (low, high, default) in SURFACE_QUERY.items():
        value, notice = (default, None) if key not in params else parse_bounded_number(
            key, params[key], low, high, default)
        chosen[key], notices = value, notices + [notice] * bool(notice)
    for key, allowed in (("directions", loss_surface.DIRECTIONS), ("loss", loss_surface.LOSS_NAMES)):
        if key in params and params[key] in allowed:
            chosen[key] = params[key]
        elif key in params:
            notices.append(f"{key}={params[key]} is not one of {', '.join(allowed)}; using {chosen[key]}")
    chosen["seed"] = chosen.pop("dseed")
    return chosen, notices


def surface_settings() -> dict:
    """The loss-surface screen's starting settings for this session (read from the URL once)."""
    if "surface_settings" not in st.session_state:
        st.session_state.surface_settings = surface_settings_from_query(st.query_params.to_dict())[0]
    return st.session_state.surface_settings

