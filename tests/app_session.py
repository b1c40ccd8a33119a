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
    train_click(app, steps)
    assert trainer_of(app).step_count == steps
    return app


def panel_element(app, name: str = "backprop_step_panel"):
    """The Train panel's component element (ui/step_panel.py) on the current screen, or None; or the panel `name`."""
    for node in app._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(proto, "component_name", "").endswith(name):
            return node
    return None


def compare_panel_blob(app) -> tuple[dict, dict]:
    """The Compare panel's last blob (ui/compare_panel.py), decoded: an AppTest run is a page run, so the whole of it."""
    from ui.step_payload import decode
    element = panel_element(app, "backprop_compare_panel")
    assert element is not None, "no Compare panel on this screen"
    header, arrays = decode(element.proto.bytes)
    assert header["base"] is None
    return header["fields"], arrays


def compare_panel_text(app) -> str:
    """Every text the Compare panel shows, its table as the markdown table it replaces, one text per line."""
    fields, _arrays = compare_panel_blob(app)
    table = fields["table"]
    lines = ["| " + " | ".join(table["headers"]) + " |"]
    for _colour, name, stopped, *cells, link_text, link in table["rows"]:
        status = f" · **{stopped}**" if stopped else ""
        link = f"[{link_text}]({link})" if link else link_text
        lines.append(f"| ■■ **{name}**{status} | " + " | ".join(cells) + f" | {link} |")
    lines += [(fields.get("note") or {}).get("text"), fields.get("curves_caption")]
    if fields.get("reading"):
        lines += [f"**{fields['text']['reading']}**", *(f"- {sentence}" for sentence in fields["reading"])]
    weights = fields.get("weights")
    if weights:
        labels = [run["label"] for run in fields["runs"]]
        lines += [f"■■ **{label}**: {run['title']}" for label, run in zip(labels, weights["runs"])]
        lines.append(weights["caption"])
    return "\n".join(line for line in lines if line)


def panel_fields(app) -> dict:
    """What the Train panel was sent in the last run: an AppTest run is a page run, so the whole of it."""
    from ui.step_payload import decode
    element = panel_element(app)
    assert element is not None, "no Train panel on this screen"
    header, _arrays = decode(element.proto.bytes)
    assert header["base"] is None
    return header["fields"]


def panel_event(app, event: str, value) -> AppTest:
    """Send one of the Train panel's events (static/step_panel.js sends them in the browser) and run."""
    import json

    from streamlit.proto.WidgetStates_pb2 import WidgetState
    element = panel_element(app)
    assert element is not None, "no Train panel on this screen"
    states = app._tree.get_widget_states()
    states.widgets.append(WidgetState(id=f"$$STREAMLIT_INTERNAL_KEY_{element.proto.id}__events",
                                      json_trigger_value=json.dumps([{"event": event, "value": value}])))
    return app._run(states)


def train_click(app, steps: int = 1) -> AppTest:
    """Click Step (1), Step ×10 or Step ×100 in the Train panel."""
    return panel_event(app, "action", {"kind": "step", "n": steps})


def panel_text(app) -> str:
    """Every text the Train panel shows (its position line as the "####" heading it replaces), one per line."""
    fields = panel_fields(app)
    texts = [f"#### {fields['position']}"]
    texts += [fields.get(name) for name in ("viewing", "notice", "timeline_error", "sample_caption", "bars_title",
                                            "window_text", "dW1_caption", "silent_caption")]
    if fields.get("loss_before") is not None:
        words = fields["text"]
        texts += [f"{words['loss_before']} {fields['loss_before']}",
                  f"{words['loss_after']} {fields['loss_after']} {fields['loss_delta']}"]
    if fields.get("timeline"):
        texts.append(fields["timeline"]["marks"])
    if fields.get("progress"):
        texts.append(fields["progress"]["text"])
    return "\n".join(text for text in texts if text)


def open_past_step(app, step: int) -> AppTest:
    """Open a step of the run on the panel's timeline (its slider or step box) and run."""
    return panel_event(app, "action", {"kind": "goto", "step": step})


def charts(app) -> dict:
    """The chart kit's charts (ui/chart_kit.py) on the current screen, by key: (fields, arrays) as the browser gets them."""
    from ui.step_payload import decode
    found = {}
    for node in app._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(proto, "component_name", "") == "backprop_chart_kit":
            header, arrays = decode(proto.bytes)
            found[header["fields"]["key"]] = (header["fields"], arrays)
    return found


def surface_views(app) -> dict:
    """Each Loss surface component (ui/surface_panel.py) on the current screen, by key: (fields, arrays) of its blob."""
    from ui.step_payload import decode
    views = {}
    for node in app._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(proto, "component_name", "").endswith("backprop_surface"):
            header, arrays = decode(proto.bytes)
            views[node.key if hasattr(node, "key") else proto.id] = (header["fields"], arrays)
    return views


def chart_click(app, key: str, series, index) -> AppTest:
    """Click value `index` of series `series` of the chart `key` (static/chart_kit.js sends [series, index]) and run."""
    import json

    from streamlit.proto.WidgetStates_pb2 import WidgetState
    element = next(node for node in app._tree if getattr(getattr(node, "proto", None), "component_name", "")
                   == "backprop_chart_kit" and node.proto.id.endswith(f"-{key}"))
    states = app._tree.get_widget_states()
    states.widgets.append(WidgetState(id=f"$$STREAMLIT_INTERNAL_KEY_{element.proto.id}__events",
                                      json_trigger_value=json.dumps([{"event": "click", "value": [series, index]}])))
    return app._run(states)
