"""Which language a session reads: the URL's ?lang=, the sidebar switch, else the browser's language.

The choice is kept in the session (a page switch clears the URL, the session remembers) and written
back into the URL with the run's other settings, so a link carries it. Switching only re-renders:
the run, its position and the past step being viewed stay as they were.
"""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import locales
from locales import LANGUAGES, _
from ui import session

SWITCH_KEY = "language_switch"


def browser_language() -> str:
    """The browser's language (st.context.locale, e.g. "el-GR") if the app speaks it, else English."""
    try:
        locale = st.context.locale or ""
    except Exception:  # noqa: BLE001 - no browser behind this run (a script run by a test harness)
        locale = ""
    primary = locale.replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else locales.DEFAULT


def requested(state) -> str:
    """The URL's language if it names one, else the session's earlier choice, else the browser's."""
    asked = st.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    if state is not None and state.language is not None:
        return state.language
    return browser_language()


def _session_language():
    """The session's language in a thread no run has activated (a fragment's rerun); None outside any session's run."""
    if get_script_run_ctx(suppress_warning=True) is None:  # a background thread (the class's progress writer)
        return None
    state = session.existing()
    return None if state is None else state.language


locales.follow(_session_language)  # once per process: a thread no run has activated asks its session


def start_run() -> None:
    """Translate this run of a screen into the session's language."""
    locales.activate(requested(session.existing()))


def keep(state) -> None:
    """Remember the language of this run in the session (the URL is rewritten from it)."""
    state.choose_language(locales.language())


def _switched() -> None:
    state = session.current()
    state.choose_language(st.session_state[SWITCH_KEY])
    st.query_params["lang"] = state.language
    locales.activate(state.language)


def switch(state) -> None:
    """The sidebar's language switch; the run and its position are untouched by it."""
    st.session_state[SWITCH_KEY] = state.language
    st.radio(_("Language"), list(LANGUAGES), format_func=LANGUAGES.get, key=SWITCH_KEY, horizontal=True,
             on_change=_switched, label_visibility="collapsed")
