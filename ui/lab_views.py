"""The guided path on the teacher's dashboard: which lab each student is on, from their progress row."""

from core.classwork.labs import PATH, lab_on
from locales import _
from ui import class_table, lab_texts


def lab_cell(done_marks) -> dict:
    """The lab a student is on, "3 · One step of gradient descent by hand", or a tick when the path is done; the
    column sorts by how far along the path the student is."""
    index = lab_on(done_marks)
    if index == len(PATH):
        return class_table.cell(_("✓ all {labs} labs").format(labs=len(PATH)), index)
    return class_table.cell(f"{index + 1} · {lab_texts.title(PATH[index].id)}", index)


def lab_column() -> dict:
    """The Lab column (the lab each student is on), put after the students' names."""
    return class_table.column("Lab", _("Lab"), "lab", _("The lab of the guided path the student is on: the first "
                                                        "one not done"))
