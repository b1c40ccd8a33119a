"""AppTest helpers shared by the page tests: one browser session of app.py, run in-process."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.session import SESSION_KEY

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def fresh_app(query=None) -> AppTest:
    """A new session that has run app.py once, with these URL query parameters."""
    app = AppTest.from_file(APP, default_timeout=60)
    if query:
        app.query_params.update(query)
    return app.run()


def session_of(app):
    """The app's Session object for this browser session (ui/session.py)."""
    return app.session_state[SESSION_KEY]


def trainer_of(app):
    return session_of(app).trainer


def trained_app(steps: int = 100, query=None) -> AppTest:
    """A new session after one click of Step ×`steps` (1, 10 or 100) on the Train screen."""
    app = fresh_app(query)
    app.switch_page("pages/train.py").run()
    app.button(key=f"step_{steps}").click().run()
    assert trainer_of(app).step_count == steps
    return app
