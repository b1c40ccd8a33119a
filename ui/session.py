"""The one place where shared and per-session state is created.

The dataset is loaded once per server process and shared read-only by every session
(st.cache_resource); each browser session gets one Session object (lab/session.py) under one
st.session_state key, holding its own Trainer and whatever else the screens keep between reruns, so
every screen of one learner shows the same model and two learners never share one. Here the Session
is made from the URL, and the URL follows the run whenever the Session says its model changed.
"""

import ctypes
import threading

import streamlit as st

import data
from core.training.settings import settings_from_query
from core.surface.settings import surface_settings_from_query
from core.training.trainer import Trainer
from lab.live_run import LiveRun
from lab.stored_runs import StoreHandle
from lab.session import Session
from locales import _, number


@st.cache_resource(show_spinner=False)
def dataset() -> data.MNIST:
    """All 70,000 images, memory-mapped read-only, shared by every session of this process."""
    return data.load_mnist()


_DATASET_LOADED = threading.Event()  # set once this process holds the dataset: the cache need not be checked again


def dataset_or_stop() -> data.MNIST:
    """The dataset, fetched with a progress bar the first time; a clear message if it cannot be had.

    The cache is checked until the process has loaded the dataset, not on every run of every screen:
    the check opens each file's header, and numpy reads a header with ast.literal_eval, which on
    Python 3.11.7 races with another thread's (CPython gh-106905: a SystemError now and then when
    a class of students opens screens at once).
    """
    try:
        if not _DATASET_LOADED.is_set() and not data.cache_is_complete(data.default_cache_dir()):
            bar = st.progress(0.0, text=_("Fetching MNIST…"))
            data.fetch(lambda stage, done, total: bar.progress(done / total if total else 0.0, text=stage))
            bar.empty()
        mnist = dataset()
        _DATASET_LOADED.set()
        return mnist
    except data.MNISTUnavailable as error:
        st.error(_("**MNIST is not available.**") + f"\n\n{error}")
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


@st.cache_resource(show_spinner=False)
def run_store() -> StoreHandle:
    """The store of runs (BACKPROP_STORE, else a SQLite file under .cache/), shared by every session of this process."""
    return StoreHandle()


def data_arrays() -> tuple:
    mnist = dataset()
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


SESSION_KEY = "backprop_lab"


def existing() -> Session | None:
    """This browser session's Session, if it has one yet."""
    return st.session_state.get(SESSION_KEY)


def connection_moved() -> bool:
    """This new session is a browser reconnecting from a session this process does not hold.

    A browser whose WebSocket dropped reconnects offering its session's id (the third entry of
    Sec-WebSocket-Protocol); the process holding that session resumes it, so a new session under
    such an id means another process had it: the replica or machine went away and the proxy moved
    the browser here. A first visit or a reload offers none.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    offered = (st.context.headers.get("Sec-Websocket-Protocol") or "").split(",")
    previous = offered[2].strip() if len(offered) > 2 else ""
    context = get_script_run_ctx()
    return bool(previous) and context is not None and previous != context.session_id


def current() -> Session:
    """This browser session's Session, created on first use with the settings in the URL (checked)."""
    if SESSION_KEY not in st.session_state:
        release_freed_memory()  # a new session is when earlier ones have been dropped
        query = st.query_params.to_dict()
        settings, notices = settings_from_query(query)
        surface, surface_notices = surface_settings_from_query(query)
        run = LiveRun(run_store(), data_arrays())
        trainer = run.open(query.get("run"), settings)
        if query.get("run") and run.run_id == query.get("run") and connection_moved():
            notices.append(_("The connection moved to another server, and nothing was lost: this run goes on from "
                             "step {step}, its last saved click.").format(step=number(trainer.sgd_steps)))
        state = Session(run, trainer, surface, notices + surface_notices, on_model_changed=keep_in_url,
                        unlinked_run=None if query.get("run") else run.run_id)
        st.session_state[SESSION_KEY] = state
    return st.session_state[SESSION_KEY]


def keep_in_url(state: Session) -> None:
    """Write the run's id and settings back into the URL wherever they differ (a page switch clears them).

    Only what differs is written, so a rerun adds no browser history entry.
    """
    for key, value in state.query().items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def trainer() -> Trainer:
    """This session's trainer."""
    return current().trainer
