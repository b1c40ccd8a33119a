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

Run as a script it is a smoke check: one learner opens the Train page and clicks Step a few times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import struct
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM_PATH = "/_stcore/stream"
REPLICA_HEADER = "X-Replica"
HOST_HEADER = "X-Host"  # the front proxy of several machines (deploy/topology.py) names the machine
RECONNECT_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend offers as its XSRF token when it has none

# Element types whose text a reader sees on screen, and the field holding it.
_TEXT_FIELDS = {
    "markdown": "body",
    "text": "body",
    "heading": "body",
    "alert": "body",
    "code": "code_text",
    "progress": "text",
}
# The Train panel's buttons by the name its words carry them under, and the event each sends
# (static/step_panel.js); its texts a reader sees, by field.
PANEL_ACTIONS = {"step": {"kind": "step", "n": 1}, "step_10": {"kind": "step", "n": 10},
                 "step_100": {"kind": "step", "n": 100}, "epoch": {"kind": "epoch"}, "reset": {"kind": "reset"},
                 "stop": {"kind": "stop"}, "now": {"kind": "now"}}
PANEL_COMPONENT = "backprop_step_panel"  # ui/step_panel.py's component (the Weights player sends bytes too)
PANEL_TEXTS = ("position", "viewing", "notice", "window_text", "dW1_caption", "silent_caption")
# The run ends with one of these; FINISHED_EARLY_FOR_RERUN means another run follows.
_FINAL_STATUSES = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


class LearnerError(RuntimeError):
    """The app or the connection did something a learner cannot go on from."""


@dataclass(frozen=True)
class Element:
    """One element on the learner's screen, as the last run that touched it sent it."""

    path: tuple[int, ...]
    kind: str
    fragment_id: str
    proto: Any
    run: int
    fields: dict | None = None  # a Train panel's fields, merged from every blob it was sent

    @property
    def payload(self) -> Any:
        """The element's own message (Button, Markdown, ...); for a block, the Block."""
        return self.proto if self.kind == "block" else getattr(self.proto, self.kind)

    @property
    def label(self) -> str:
        return getattr(self.payload, "label", "")

    @property
    def widget_id(self) -> str:
        return getattr(self.payload, "id", "")

    @property
    def text(self) -> str:
        if self.fields is not None:
            return "\n".join(self.fields[name] for name in PANEL_TEXTS if self.fields.get(name))
        field_name = _TEXT_FIELDS.get(self.kind)
        return getattr(self.payload, field_name) if field_name else ""


def blob_header(blob: bytes) -> dict:
    """The JSON header of a Train panel blob (ui/step_payload.py): a 4-byte length, then the header."""
    length = struct.unpack_from("<I", blob)[0]
    return json.loads(blob[4:4 + length])


@dataclass(frozen=True)
class Run:
    """What one request to the server (open, switch page, click) took and how it ended."""

    action: str
    seconds: float
    status: str
    fragment: bool


@dataclass
class _Connection:
    """Per-WebSocket bookkeeping kept apart from the Learner's public surface."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    # Large elements the server may later send only by hash, with the run they were last used in;
    # like the frontend, forget those unused for more than max_cache_age runs.
    cache: dict[str, tuple[ForwardMsg, int]] = field(default_factory=dict)
    max_cache_age: int = 2
    run: int = 0
    run_fragments: frozenset[str] = frozenset()
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    last_status: str = ""
    auto_reruns: dict[str, asyncio.Task] = field(default_factory=dict)
    panels: dict[tuple[int, ...], dict] = field(default_factory=dict)  # Train panels' fields, by path


class Learner:
    """One simulated browser session of a Streamlit app (see the module docstring)."""

    def __init__(self, url: str, *, timeout: float = 120.0, name: str = "") -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.name = name
        self.cookies: dict[str, str] = {}
        self.replica = ""
        self.host = ""  # the machine that served the page, behind deploy/topology.py's front proxy
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url pathname and title (lower case) -> page hash
        self.page_hash = ""
        self.errors: list[str] = []
        self.runs: list[Run] = []
        self._typed: list[WidgetState] = []  # text typed into inputs, sent with the next click
        self.query_string = ""  # the address bar's query, sent with every request as the browser does
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._state = _Connection()
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Learner:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        """The WebSocket is open (its reader still runs)."""
        return self._reader is not None and not self._reader.done()

    async def connect(self, previous_session: str = "") -> None:
        """GET "/" like a browser (keeping the proxy's cookies), then open the WebSocket.

        `previous_session`: the id of the session this browser had, offered as the frontend does when it
        reconnects (the third entry of the WebSocket's subprotocols).
        """
        await asyncio.to_thread(self._fetch_index)
        ws_url = "ws" + self.url[len("http"):] + STREAM_PATH
        headers = {"Origin": self.url}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        offered = ["streamlit", RECONNECT_TOKEN, previous_session] if previous_session else ["streamlit"]
        self._socket = await connect(
            ws_url,
            subprotocols=[Subprotocol(protocol) for protocol in offered],
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
        )
        handshake_replica = self._socket.response.headers.get(REPLICA_HEADER, "")
        self.replica = self.replica or handshake_replica
        if handshake_replica and handshake_replica != self.replica:
            self.errors.append(
                f"index came from {self.replica} but the WebSocket from {handshake_replica}"
            )
        self._reader = asyncio.create_task(self._read_forever(), name=f"learner-{self.name}")

    async def reconnect(self, timeout: float = 60.0) -> Run:
        """What the browser does when its WebSocket dropped: connect again to the same URL offering its old
        session (a process that holds it resumes it, any other starts a new one), and ask for the page it
        shows with the address bar's query. Tries until `timeout`: a proxy may answer 502 meanwhile."""
        previous, page = self.session_id, self.page_hash
        await self.close()
        self._state, self.session_id = _Connection(), ""
        deadline = time.monotonic() + timeout
        while True:
            try:
                await self.connect(previous_session=previous)
                break
            except (OSError, InvalidHandshake, TimeoutError) as error:  # URLError is an OSError
                if time.monotonic() > deadline:
                    raise LearnerError(f"{self.name}: no reconnection within {timeout:.0f} s: {error}") from None
                await asyncio.sleep(0.5)
        state = ClientState(query_string=self.query_string, page_script_hash=page)
        return await self._request(state, action="reconnect")

    async def close(self) -> None:
        """Close the WebSocket; the server keeps the session for server.disconnectedSessionTTL."""
        for task in self._state.auto_reruns.values():
            task.cancel()
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            try:
                await self._reader
            except asyncio.CancelledError:
                pass

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

    # -- protocol -----------------------------------------------------------------------------

    def _fetch_index(self) -> None:
        request = urllib.request.Request(self.url + "/", headers={"User-Agent": "learner"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()
            self.replica = response.headers.get(REPLICA_HEADER, "")
            # nginx lists every upstream it tried ("a:8501, b:8501" when a was down): the last answered.
            self.host = response.headers.get(HOST_HEADER, "").split(",")[-1].strip()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()

    async def _request(self, state: ClientState, *, action: str, fragment: str = "") -> Run:
        """Send one rerun request and wait for the run it starts to finish."""
        async with self._lock:
            if self._reader is None or self._reader.done():
                raise LearnerError(f"{self.name}: not connected")
            state.cached_message_hashes.extend(self._state.cache)
            message = BackMsg()
            message.rerun_script.CopyFrom(state)
            self._state.finished.clear()
            started = time.perf_counter()
            await self._socket.send(message.SerializeToString())
            try:
                await asyncio.wait_for(self._wait_finished(), self.timeout)
            except TimeoutError:
                self.errors.append(f"{action}: no script_finished within {self.timeout:.0f} s")
                raise LearnerError(self.errors[-1]) from None
            run = Run(action, time.perf_counter() - started, self._state.last_status, bool(fragment))
            self.runs.append(run)
            return run

    async def _wait_finished(self) -> None:
        reader_done = asyncio.ensure_future(asyncio.shield(self._reader))
        finished = asyncio.ensure_future(self._state.finished.wait())
        try:
            await asyncio.wait({reader_done, finished}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            reader_done.cancel()
            finished.cancel()
        if not self._state.finished.is_set():
            raise LearnerError(f"{self.name}: connection closed during a run ({self.errors[-1:]})")

    async def _read_forever(self) -> None:
        try:
            async for data in self._socket:
                message = ForwardMsg()
                message.ParseFromString(data)
                self._handle(message)
        except ConnectionClosed as closed:
            if closed.rcvd is None or closed.rcvd.code != 1000:
                self.errors.append(f"connection closed: {closed}")
        except Exception as error:  # a parse or handling bug must not hang waiting callers
            self.errors.append(f"reader failed: {error!r}")

    def _handle(self, message: ForwardMsg) -> None:
        state = self._state
        if message.HasField("ref_hash"):
            cached = state.cache.get(message.ref_hash)
            if cached is None:
                self.errors.append(f"server referred to uncached message {message.ref_hash}")
                return
            state.cache[message.ref_hash] = (cached[0], state.run)
            resolved = ForwardMsg()
            resolved.CopyFrom(cached[0])
            resolved.metadata.CopyFrom(message.metadata)
            message = resolved
        elif message.metadata.cacheable and message.hash:
            state.cache[message.hash] = (message, state.run)

        kind = message.WhichOneof("type")
        if kind == "new_session":  # a run starts: the whole page, or only fragments
            state.run += 1
            state.run_fragments = frozenset(message.metadata.run.fragment_ids)
            self.session_id = self.session_id or message.new_session.initialize.session_id
            self.page_hash = message.new_session.page_script_hash
            self._learn_pages(message.new_session.app_pages)
            state.max_cache_age = message.new_session.config.max_cached_message_age or 2
        elif kind == "page_info_changed":  # the script changed st.query_params: the address bar follows
            self.query_string = message.page_info_changed.query_string
        elif kind == "navigation":
            self.page_hash = message.navigation.page_script_hash or self.page_hash
            self._learn_pages(message.navigation.app_pages)
        elif kind == "delta":
            self._apply_delta(message)
        elif kind == "script_finished":
            self._finish_run(message.script_finished)
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "session_event" and message.session_event.HasField(
            "script_compilation_exception"
        ):
            failure = message.session_event.script_compilation_exception
            self.errors.append(f"compile error: {failure.type}: {failure.message}")
        elif kind == "auto_rerun":
            self._start_auto_rerun(message.auto_rerun.fragment_id, message.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in message.stop_auto_rerun.fragment_ids:
                task = state.auto_reruns.pop(fragment_id, None)
                if task is not None:
                    task.cancel()

    def _learn_pages(self, app_pages: Any) -> None:
        for page in app_pages:
            self.pages[page.url_pathname.lower()] = page.page_script_hash
            self.pages[page.page_name.lower()] = page.page_script_hash

    def _apply_delta(self, message: ForwardMsg) -> None:
        delta = message.delta
        path = tuple(message.metadata.delta_path)
        kind = delta.WhichOneof("type")
        state = self._state
        if kind == "new_element":
            element_kind = delta.new_element.WhichOneof("type") or ""
            fields = None
            component = delta.new_element.bidi_component
            if element_kind == "bidi_component" and component.component_name.endswith(PANEL_COMPONENT):
                fields = self._merge_panel(path, component.bytes)
            state.elements[path] = Element(
                path, element_kind, delta.fragment_id, delta.new_element, state.run, fields
            )
            if element_kind == "exception":
                failure = delta.new_element.exception
                self.errors.append(f"exception on screen: {failure.type}: {failure.message}")
        elif kind == "add_block":
            state.elements[path] = Element(path, "block", delta.fragment_id, delta.add_block, state.run)
            # A new block replaces whatever was at that path, children included.
            for old in [p for p in state.elements if p[: len(path)] == path and p != path]:
                if state.elements[old].run != state.run:
                    del state.elements[old]

    def _merge_panel(self, path: tuple[int, ...], blob: bytes) -> dict:
        """A Train panel's fields after this blob: its changes on what the panel held (all of it when full).

        Kept by path apart from the elements: a fragment's rerun sends its block again, which clears
        the elements in it, but the browser keeps the panel (and what it holds) where it was.
        """
        header = blob_header(blob)
        before = self._state.panels.get(path, {})
        held = dict(before) if header["base"] is not None else {}
        if header["base"] is not None and before.get("__serial") != header["base"]:
            self.errors.append(f"a Train panel blob built on {header['base']} came to a panel without it")
        for name, value in header["fields"].items():
            if value is None:
                held.pop(name, None)
            else:
                held[name] = value
        held["__serial"] = header["serial"]
        self._state.panels[path] = held
        return held

    def _finish_run(self, status: int) -> None:
        state = self._state
        if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
            # Like the frontend: what a run did not send again is gone (for a fragment run,
            # only within the fragments that ran).
            fragment_run = status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
            for path, element in list(state.elements.items()):
                stale = element.run != state.run
                if stale and (not fragment_run or element.fragment_id in state.run_fragments):
                    del state.elements[path]
        for message_hash, (_, used) in list(state.cache.items()):
            if state.run - used > state.max_cache_age:
                del state.cache[message_hash]
        if status in _FINAL_STATUSES:
            state.last_status = ForwardMsg.ScriptFinishedStatus.Name(status)
            state.finished.set()

    def _start_auto_rerun(self, fragment_id: str, interval: float) -> None:
        """st.fragment(run_every=...): the frontend reruns the fragment on a timer; so do we."""

        async def rerun_every() -> None:
            while True:
                await asyncio.sleep(interval)
                state = ClientState(
                    page_script_hash=self.page_hash, fragment_id=fragment_id, is_auto_rerun=True,
                    query_string=self.query_string,
                )
                try:
                    await self._request(state, action="auto rerun", fragment=fragment_id)
                except LearnerError:
                    return

        old = self._state.auto_reruns.pop(fragment_id, None)
        if old is not None:
            old.cancel()
        self._state.auto_reruns[fragment_id] = asyncio.create_task(rerun_every())


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
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from deploy.processes import StreamlitProcess

    with StreamlitProcess(args.app) as app:
        return asyncio.run(_smoke(app.url, args.clicks))


if __name__ == "__main__":
    sys.exit(main())
