"""Streamlit and figure code the screens share: the session kept in Streamlit and the URL (session.py), the shell
and sidebar, widgets, the timeline panel, the figure builders (figures/, compare_figures.py), the Compare
screen's reading, the class views and the teacher's dashboard. What a session does is lab/'s."""
