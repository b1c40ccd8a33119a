"""The numbers of one step, Z1, A1, dZ1 per hidden unit and Z2, A2, y, dZ2 per digit, each a way into its explanation.

The Train screen shows them under a past step's anatomy; a click on a number opens the sum that
made it (ui/explaining.py).
"""

import pandas as pd
import streamlit as st

from core.model import network
from core.training.trainer import StepRecord
from locales import _, number
from locales.words import rule_name
from ui import explaining, figures, widgets


def step_numbers(record: StepRecord) -> None:
    """Every value of the step's forward pass and of its gradients, to read beside the document."""
    with st.expander(_("The numbers of this step: Z1, A1, dZ1 per hidden unit; Z2, A2, y, dZ2 per digit")):
        hidden, outputs = st.columns([1, 1.1])
        numbers_table(hidden, {_("unit"): figures.unit_labels(len(record.forward.Z1)), "Z1": record.forward.Z1,
                               "A1": record.forward.A1, "dZ1 = db1": record.gradients.db1}, "train_numbers_units", 1)
        numbers_table(outputs, {_("digit"): figures.DIGITS, "Z2": record.forward.Z2, "A2": record.forward.A2,
                                "y": network.one_hot(record.label), "dZ2 = db2": record.gradients.db2},
                      "train_numbers_digits", 0)
        st.caption(_("Click a number in these tables to see the sum that made it."))
        st.caption(_("Learning rate α = {alpha}, the {rule} rule; cross-entropy −log A2_label "
                     "{before} → {after}; predicted {predicted} before the update and {predicted_after} after.").format(
            alpha=number(record.learning_rate, ".4g"), rule=rule_name(record.rule),
            before=number(record.cross_entropy_before, ".4f"), after=number(record.cross_entropy_after, ".4f"),
            predicted=record.prediction, predicted_after=record.prediction_after))


FOUR_DECIMALS = ("Z1", "A1", "dZ1 = db1", "Z2", "A2", "dZ2 = db2")
EXPLAINED = {"Z1": "Z1", "A1": "A1", "dZ1 = db1": "dZ1", "Z2": "Z2", "A2": "A2", "dZ2 = db2": "dZ2"}  # column: value


def numbers_table(where, columns: dict, key: str, first: int) -> None:
    """A table of the step's numbers, four decimals in the language's signs; a click on one opens its explanation.

    Row r holds unit r + 1 (first = 1) or digit r (first = 0).
    """
    specs = {name: ".4f" for name in columns if name in FOUR_DECIMALS}
    base, key = key, explaining.chart_key(key)

    def clicked() -> None:
        cells = st.session_state[key]["selection"]["cells"]
        if cells and cells[0][1] in EXPLAINED:
            explaining.request(f"{EXPLAINED[cells[0][1]]}_{cells[0][0] + first}", source=base)

    where.dataframe(widgets.in_language(pd.DataFrame(columns), specs), hide_index=True, key=key, on_select=clicked,
                    selection_mode="single-cell", column_config=widgets.number_columns(specs))
