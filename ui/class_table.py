"""The teacher's table of students: an HTML table drawn by a small component (static/class_table.js and .css).

st.dataframe draws its cells on a canvas and cuts a name at its column's edge (on a phone, a
40-character name at about its 23rd character). Here the names column is pinned at the left and wraps a long name onto more
lines, whole; the other columns scroll sideways inside the table's own box when the screen is
narrower than the table, so a name stays beside its row. Every text goes in as text, never HTML.

The table is sent as words and numbers (payload()): each cell its shown text, in the session's
language, and the value it sorts by; a click on a row comes back as the student's id. The script
and its styles are served from static/ (ui/static_component.py): the dashboard redraws the table
every few seconds, and only the rows travel.
"""

from typing import Callable

import streamlit as st

import locales
from locales import _
from ui import static_component

# In the page itself, not a shadow root: the table takes the page's font, and a browser test measures its cells.
_component = static_component.component("backprop_class_table", "class_table.js")


def column(key: str, label: str, kind: str, help_text: str) -> dict:
    """A column: its key (the cells' and the tests'), its label and help in the session's language, and its kind:
    name (pinned, wrapped), number, percent, lab, active (a click's time, shown as "2 minutes ago"), loss (a small
    line), list (wrapped text)."""
    return {"key": key, "label": label, "kind": kind, "help": help_text}


def cell(text: str, sort, **more) -> dict:
    """A cell: the text shown and the value its column sorts by (None sorts last), plus what its kind needs."""
    return {"text": text, "sort": sort, **more}


def payload(columns: list, rows: list) -> dict:
    """What the component draws: `rows` are (student id, {column key: cell})."""
    return {"columns": columns, "rows": [{"id": student, "cells": cells} for student, cells in rows],
            "language": locales.language(),
            "text": {"caption": _("The students of the class"),
                     "open": _("Open {name}'s run, read-only"),
                     "more": _("→ The table scrolls sideways to its other columns; the names stay in place.")}}


def show(data: dict, key: str, on_open: Callable[[str], None]) -> None:
    """Draw the table; `on_open(student id)` runs when the teacher clicks a row, before the rerun."""
    def opened() -> None:
        student = st.session_state[key].get("open")
        if isinstance(student, str):
            on_open(student)

    _component(data=data, key=key, on_open_change=opened)

