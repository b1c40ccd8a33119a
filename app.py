"""Backprop Lab: the entry point. Declares every screen, loads MNIST once, shows the status bar.

Whatever runs here before `navigation.run()` runs for every screen of every rerun, so it is kept
to what each screen needs: the shared dataset, this session's trainer and the sidebar.
"""

import streamlit as st

from ui import session, widgets

st.set_page_config(page_title="Backprop Lab", page_icon=":material/neurology:", layout="wide")

PAGES = {
    "Start": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/dataset.py", title="Data", icon=":material/grid_on:"),
    ],
    "The network": [
        st.Page("pages/forward.py", title="Forward pass", icon=":material/arrow_forward:"),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/weights.py", title="Weights", icon=":material/grid_view:"),
        st.Page("pages/gradients.py", title="Gradients", icon=":material/trending_down:"),
        st.Page("pages/loss_surface.py", title="Loss surface", icon=":material/landscape:"),
    ],
    "Try it": [
        st.Page("pages/draw.py", title="Draw", icon=":material/draw:"),
        st.Page("pages/evaluate.py", title="Evaluate", icon=":material/fact_check:"),
        st.Page("pages/checkpoint.py", title="Save & load", icon=":material/save:"),
    ],
}

navigation = st.navigation(PAGES)
mnist = session.dataset_or_stop()
trainer = session.trainer()
widgets.sidebar(mnist, trainer)
navigation.run()
