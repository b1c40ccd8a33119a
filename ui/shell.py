"""The app's shell: every screen in one navigation, page set-up, the shared dataset, the sidebar.

app.py calls start() and runs the chosen screen. Each screen's first line calls require(), which
does nothing when app.py has just run start(). It matters once per server start: a folder named
pages/ beside app.py makes Streamlit begin in its legacy multipage mode, which runs a screen's
file directly, without app.py, until some session reaches st.navigation. The first visitor after
a restart who follows a direct link (a shared /train?lr=… URL) would get the screen with no
navigation, page set-up or sidebar; require() gives it the shell instead, and its st.navigation
call ends the legacy mode for everyone.
"""

import streamlit as st

from ui import session, widgets
from ui.run_memory import keep_run_in_tab


def screens() -> dict:
    """Every screen of the app, by section, in the order a learner meets them."""
    return {
        "Start": [
            st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
            st.Page("pages/dataset.py", title="Data", icon=":material/grid_on:"),
        ],
        "The network": [
            st.Page("pages/forward.py", title="Forward pass", icon=":material/arrow_forward:"),
            st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
            st.Page("pages/weights.py", title="Weights", icon=":material/grid_view:"),
            st.Page("pages/gradients.py", title="Gradients", icon=":material/trending_down:"),
            st.Page("pages/errata.py", title="Errata", icon=":material/rule:"),
            st.Page("pages/loss_surface.py", title="Loss surface", icon=":material/landscape:"),
        ],
        "Try it": [
            st.Page("pages/draw.py", title="Draw", icon=":material/draw:"),
            st.Page("pages/evaluate.py", title="Evaluate", icon=":material/fact_check:"),
            st.Page("pages/checkpoint.py", title="Save & load", icon=":material/save:"),
        ],
    }


def start():
    """Set up the page, the navigation, the dataset, this session's trainer and the sidebar."""
    st.set_page_config(page_title="Backprop Lab", page_icon=":material/neurology:", layout="wide")
    navigation = st.navigation(screens())
    mnist = session.dataset_or_stop()
    state = session.current()
    session.keep_in_url(state)
    keep_run_in_tab(state)
    widgets.sidebar(mnist, state)
    state.shell_drawn = True
    return navigation


def require() -> None:
    """A screen's first call: the shell, unless app.py has just drawn it for this run."""
    state = session.existing()
    if state is None or not state.shell_drawn:
        start()  # stops the run with a message if MNIST cannot be had, before any trainer is made
    session.current().shell_drawn = False
