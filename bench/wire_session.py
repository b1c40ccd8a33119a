"""A Streamlit session over its WebSocket, spoken as the browser's frontend speaks it (bench/learners.py).

It GETs "/" (keeping the proxy's cookies), opens the WebSocket, sends one rerun request at a time and
waits for the run it starts to finish, reads the server's messages, reruns self-refreshing fragments on
their timer, and reconnects as a browser does. What the messages put on screen is
bench/learner_screen.py's; what a learner reads and clicks, bench/learners.py's.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.learner_screen import Connection

STREAM_PATH = "/_stcore/stream"
REPLICA_HEADER = "X-Replica"
HOST_HEADER = "X-Host"  # the front proxy of several machines (deploy/topology.py) names the machine
RECONNECT_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend offers as its XSRF token when it has none


class LearnerError(RuntimeError):
    """The app or the connection did something a learner cannot go on from."""


@dataclass(frozen=True)
class Run:
    """What one request to the server (open, switch page, click) took and how it ended."""

    action: str
    seconds: float
    status: str
    fragment: bool


class WireSession:
    """One browser session's connection to a Streamlit app; Learner (bench/learners.py) acts through it."""

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
        self.query_string = ""  # the address bar's query, sent with every request as the browser does
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._state = Connection()
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> WireSession:
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
        headers = {"Origin": self.url, **self._cookie_header()}
        offered = ["streamlit", RECONNECT_TOKEN, previous_session] if previous_session else ["streamlit"]
        self._socket = await connect(
            ws_url,
            subprotocols=[Subprotocol(protocol) for protocol in offered],
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
            # The browser sends no pings of its own (Streamlit's frontend only answers the server's), so it
            # notices a silent dead server only when a proxy gives up on the socket; the websockets
            # package's default pings would notice it sooner than any learner could.
            ping_interval=None,
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
        self._state, self.session_id = Connection(), ""
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

    def _fetch_index(self) -> None:
        # A reconnecting browser sends its route cookies with the page too, so the proxies keep its replica.
        headers = {"User-Agent": "learner", **self._cookie_header()}
        request = urllib.request.Request(self.url + "/", headers=headers)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()
            self.replica = response.headers.get(REPLICA_HEADER, "")
            # nginx lists every upstream it tried ("a:8501, b:8501" when a was down): the last answered.
            self.host = response.headers.get(HOST_HEADER, "").split(",")[-1].strip()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

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
            try:
                await self._socket.send(message.SerializeToString())
            except ConnectionClosed as closed:
                # The socket closed before the reader noticed: let it notice, so `connected` says so, and
                # say the click was never sent (it cannot be in the store).
                await asyncio.wait({self._reader}, timeout=self.timeout)
                self.errors.append(f"{action}: not sent, connection closed: {closed}")
                raise LearnerError(self.errors[-1]) from None
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
        message = state.resolve(message, self.errors)
        if message is None:
            return

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
            state.apply_delta(message, self.errors)
        elif kind == "script_finished":
            state.finish_run(message.script_finished)
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
