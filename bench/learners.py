"""Protocol-level learners: Streamlit browser sessions simulated without a browser.

A `Learner` speaks Streamlit's own wire protocol over the WebSocket at /_stcore/stream, the way
the browser's frontend does: it asks for a page with a `rerun_script` BackMsg, reads the
ForwardMsgs of the run (new elements, navigation, `script_finished`) and clicks a button by
sending that button's WidgetState with `trigger_value = True` (and the fragment's id when the
button sits in an st.fragment, so only the fragment reruns). The Train screen's panel is one custom
component (ui/step_panel.py) whose buttons are drawn by its script: the learner reads the blobs it
is sent as the script does (merging each one's changed fields into what it holds) and clicks one
of its buttons by sending the component's event, as the script's setTriggerValue does. Like the browser, every request carries
the address bar's query string, which follows what the script writes into st.query_params; text
typed with type_text() goes with the next click (a form's fields with its submit button). A learner costs the machine a tiny
fraction of a Chromium tab, so a benchmark can seat a classroom of them.

    async with Learner("http://127.0.0.1:8501") as learner:
        await learner.open(page="train")
        run = await learner.click("Step")       # run.seconds: click to script_finished
        learner.texts, learner.errors

Behind the nginx proxy of deploy/ the learner first GETs "/" like a browser, keeps the route
cookie the proxy hands back and sends it with the WebSocket handshake, so both land on the same
replica (`learner.replica` is the proxy's X-Replica header).

What it leaves out on purpose: it draws nothing, sends only the clicked widget's state (Streamlit
keeps the last value of every widget a rerun does not mention), and fetches no static files.
Classes come from the streamlit package's generated protobuf modules, so the wire format is the
installed server's.

The connection itself is bench/wire_session.py's, what the server's messages put on screen
bench/learner_screen.py's; this module is what a learner reads and does.

Run as a script it is a smoke check: one learner opens the Train page and clicks Step a few times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.learner_screen import Element  # noqa: E402
from bench.wire_session import LearnerError, Run, WireSession  # noqa: E402

# The Train panel's buttons by the name its words carry them under, and the event each sends
# (static/step_panel.js).
PANEL_ACTIONS = {"step": {"kind": "step", "n": 1}, "step_10": {"kind": "step", "n": 10},
                 "step_100": {"kind": "step", "n": 100}, "epoch": {"kind": "epoch"}, "reset": {"kind": "reset"},
                 "stop": {"kind": "stop"}, "now": {"kind": "now"}}


class Learner(WireSession):
    """One simulated browser session of a Streamlit app (see the module docstring)."""

    def __init__(self, url: str, *, timeout: float = 120.0, name: str = "") -> None:
        super().__init__(url, timeout=timeout, name=name)
        self._typed: list[WidgetState] = []  # text typed into inputs, sent with the next click

    # -- what the learner sees ----------------------------------------------------------------

    @property
    def elements(self) -> list[Element]:
        """The elements on screen in page order."""
        return [self._state.elements[path] for path in sorted(self._state.elements)]

    @property
    def texts(self) -> list[str]:
        """Every text on screen (markdown, text, headings, alerts, code, progress), in order."""
        return [element.text for element in self.elements if element.text]

    def find_text(self, pattern: str) -> re.Match | None:
        """The first match of a regular expression in the texts on screen."""
        regex = re.compile(pattern)
        for text in self.texts:
            match = regex.search(text)
            if match:
                return match
        return None

    def button(self, label: str) -> Element:
        """The button with exactly this label (LearnerError if there is none)."""
        for element in self.elements:
            if element.kind in ("button", "download_button") and element.label == label:
                return element
        labels = [e.label for e in self.elements if e.kind == "button"]
        labels += [word for _element, word in self._panel_buttons()]
        raise LearnerError(f"no button {label!r} on the page; buttons: {labels}; "
                           f"errors: {self.errors or 'none'}")

    # -- what the learner does ----------------------------------------------------------------

    async def open(self, page: str = "", query_string: str = "") -> Run:
        """Show a page: its url pathname or title ("train", "Loss surface"); "" is the default.

        The first call asks by name like a freshly loaded URL does; later calls switch page by
        the page's script hash like a click in the navigation does, keeping the session.
        """
        page_hash = self.pages.get(page.lower(), "") if page else ""
        if page and not page_hash and self.pages:
            raise LearnerError(f"no page {page!r}; pages: {sorted(self.pages)}")
        self.query_string = query_string
        state = ClientState(query_string=query_string, page_script_hash=page_hash)
        if not page_hash:
            state.page_name = page
        return await self._request(state, action=f"open {page or '(default)'}")

    def _panel_buttons(self) -> list[tuple[Element, str]]:
        """The Train panel's buttons on screen: (the panel, the button's words)."""
        found = []
        for element in self.elements:
            fields = element.fields or {}
            shown = {"stop": fields.get("mode") == "running", "now": fields.get("mode") == "past"}
            for name in PANEL_ACTIONS:
                if shown.get(name, fields.get("controls")) and name in fields.get("text", {}):
                    found.append((element, fields["text"][name]))
        return found

    async def click(self, label: str) -> Run:
        """Click the button with this label and wait until the rerun it causes has finished.

        Text typed with type_text() goes with it, as a form's submit button sends its form's fields.
        """
        for panel, word in self._panel_buttons():
            if word == label:
                name = next(name for name in PANEL_ACTIONS if panel.fields["text"][name] == label)
                return await self.panel_event(panel, "action", PANEL_ACTIONS[name], action=f"click {label}")
        button = self.button(label)
        state = ClientState(page_script_hash=self.page_hash, fragment_id=button.fragment_id,
                            query_string=self.query_string)
        state.widget_states.widgets.extend(self._typed)
        self._typed = []
        state.widget_states.widgets.append(WidgetState(id=button.widget_id, trigger_value=True))
        return await self._request(state, action=f"click {label}", fragment=button.fragment_id)

    async def panel_event(self, panel: Element, event: str, value: Any, action: str = "") -> Run:
        """Send one of the Train panel's events (its script's setTriggerValue) and wait for the rerun."""
        state = ClientState(page_script_hash=self.page_hash, fragment_id=panel.fragment_id,
                            query_string=self.query_string)
        trigger = json.dumps([{"event": event, "value": value}])
        state.widget_states.widgets.append(
            WidgetState(id=f"$$STREAMLIT_INTERNAL_KEY_{panel.widget_id}__events", json_trigger_value=trigger))
        return await self._request(state, action=action or f"{event} {value}", fragment=panel.fragment_id)

    def type_text(self, label: str, text: str) -> None:
        """Type into the text input with this label; sent with the next click."""
        field_ = next((element for element in self.elements
                       if element.kind == "text_input" and element.label == label), None)
        if field_ is None:
            raise LearnerError(f"no text input {label!r} on the page")
        self._typed.append(WidgetState(id=field_.widget_id, string_value=text))

    async def rerun_fragment(self) -> Run:
        """Rerun the page's self-refreshing fragment now, as its timer would (st.fragment(run_every=...))."""
        if not self._state.auto_reruns:
            raise LearnerError("no fragment on this page refreshes itself")
        fragment_id = next(iter(self._state.auto_reruns))
        state = ClientState(page_script_hash=self.page_hash, fragment_id=fragment_id, is_auto_rerun=True,
                            query_string=self.query_string)
        return await self._request(state, action="refresh", fragment=fragment_id)


# -- Backprop Lab specifics ------------------------------------------------------------------

POSITION = r"Step ([\d,]+) · epoch ([\d,]+)(?: begins| · sample ([\d,]+) of ([\d,]+))"


def train_step(learner: Learner) -> int | None:
    """The step count in the Train page's position text ("Step 12 · epoch 1 · ..."), if shown."""
    match = learner.find_text(POSITION)
    return int(match.group(1).replace(",", "")) if match else None


async def _smoke(url: str, clicks: int) -> int:
    async with Learner(url, name="smoke") as learner:
        try:
            opened = await learner.open(page="train")
            print(f"opened Train in {opened.seconds * 1000:.0f} ms; replica {learner.replica or '-'}")
            for _ in range(clicks):
                run = await learner.click("Step")
                print(f"Step: {run.seconds * 1000:6.0f} ms  {run.status:36}  step {train_step(learner)}")
        except LearnerError as error:
            print(f"stopped: {error}")
        for text in learner.texts[:12]:
            print("  |", text[:100].replace("\n", " "))
        print("errors:", learner.errors or "none")
        return 1 if learner.errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running app; default: start app.py on a free port")
    parser.add_argument("--app", default="app.py", help="the app to start when --url is absent")
    parser.add_argument("--clicks", type=int, default=5)
    args = parser.parse_args()
    if args.url:
        return asyncio.run(_smoke(args.url, args.clicks))
    from deploy.processes import StreamlitProcess

    with StreamlitProcess(args.app) as app:
        return asyncio.run(_smoke(app.url, args.clicks))


if __name__ == "__main__":
    sys.exit(main())
