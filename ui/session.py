"""The one place where shared and per-session state is created.

The dataset is loaded once per server process and shared read-only by every session
(st.cache_resource); each browser session gets its own Trainer in st.session_state, so every
screen of one learner shows the same model and two learners never share one.
"""

import streamlit as st

import data
from core.settings import settings_from_query, settings_to_query
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


def new_trainer(settings) -> Trainer:
    mnist = dataset()
    return Trainer(settings, mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels)


def trainer() -> Trainer:
    """This session's trainer, created on first use with the settings in the URL (checked)."""
    if "trainer" not in st.session_state:
        settings, notices = settings_from_query(st.query_params.to_dict())
        st.session_state.trainer = new_trainer(settings)
        st.session_state.setting_notices = notices
    return st.session_state.trainer


def reset(settings) -> None:
    """Start over with new settings, and write them into the URL so a link reproduces the run."""
    trainer().reset(settings)
    st.query_params.update(settings_to_query(settings))
