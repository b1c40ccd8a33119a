"""The Train panel's events reach Python (ui/step_panel.py): an action before the panel reruns, `explain` to its callback.

A small script mounts the real panel with a real trainer's step; the events are sent as the
browser sends them (tests/app_session.panel_event).
"""

from streamlit.testing.v1 import AppTest

from tests.app_session import panel_event, panel_fields


def panel_script():
    """One step of a real trainer in the panel; its actions and explained names kept in the session."""
    import streamlit as st

    import data
    from core.training.settings import Settings
    from core.training.trainer import Trainer
    from ui import step_panel

    mnist = data.load_mnist()
    if "trainer" not in st.session_state:
        st.session_state.trainer = Trainer(Settings(), mnist.train_images, mnist.train_labels, mnist.test_images,
                                           mnist.test_labels)
        st.session_state.trainer.step()
        st.session_state.heard = []
    trainer = st.session_state.trainer
    record = trainer.last_record
    fields, blocks = step_panel.record_fields(record, record.step, mnist.train_images, trainer.dead_units(), False,
                                              lambda mask: "")
    fields.update(position=f"Step {trainer.step_count}", mode="now", controls=True)
    explain = st.session_state.heard.append if st.query_params.get("explain") else None
    step_panel.show(fields, blocks, trainer, on_action=st.session_state.heard.append, on_explain=explain)


def test_an_action_reaches_its_callback_before_the_panel_draws():
    app = AppTest.from_function(panel_script, default_timeout=60).run()
    panel_event(app, "action", {"kind": "step", "n": 10})
    assert app.session_state.heard == [{"kind": "step", "n": 10}]
    assert panel_fields(app)["explain"] is False  # no callback: the browser sends no explain event


def test_explain_passes_the_value_name_to_its_callback():
    app = AppTest.from_function(panel_script, default_timeout=60)
    app.query_params["explain"] = "1"
    app.run()
    assert panel_fields(app)["explain"] is True
    panel_event(app, "explain", "A2_7")
    assert app.session_state.heard == ["A2_7"]


def test_a_value_clicked_in_the_train_panel_opens_its_explanation(mnist):
    """The Train screen passes the panel's explain event to Explain this number (ui/explaining.py)."""
    from tests.app_session import trained_app
    from ui.explaining import PATH_KEY
    app = trained_app(10)
    assert panel_fields(app)["explain"] is True
    panel_event(app, "explain", "A2_7")
    assert app.session_state[PATH_KEY] == ["A2_7"] and not app.exception
