"""Streamlit and figure code the screens share: the session kept in Streamlit and the URL (session.py), the shell
and sidebar, widgets, the timeline panel, what the figures share (figures/), Compare's shared plane as blobs (compare_figures.py), the Compare
screen's reading, the class views and the teacher's dashboard. What a session does is lab/'s."""
