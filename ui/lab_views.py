"""The guided path on the teacher's dashboard: which lab each student is on, from their progress row."""

import streamlit as st

from core.classwork.labs import PATH, lab_on
from locales import _
from ui import lab_texts


def lab_cell(done_marks) -> str:
    """The lab a student is on, "3 · One step of gradient descent by hand", or a tick when the path is done."""
    index = lab_on(done_marks)
    if index == len(PATH):
        return _("✓ all {labs} labs").format(labs=len(PATH))
    return f"{index + 1} · {lab_texts.title(PATH[index].id)}"


def add_lab_column(frame, config: dict, done_marks) -> None:
    """Put a Lab column (the lab each student is on) after the students' names; `done_marks` per row."""
    frame.insert(1, "Lab", [lab_cell(marks) for marks in done_marks])
    config["Lab"] = st.column_config.TextColumn(_("Lab"), width=200,
                                                help=_("The lab of the guided path the student is on: the first "
                                                       "one not done"))
