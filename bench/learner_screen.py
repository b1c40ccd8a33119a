"""What a protocol-level learner (bench/learners.py) holds of its screen, and how the server's messages change it.

The elements each delta puts on screen, the Train panel's fields merged from its blobs, the cache of
messages the server may later send by hash, and the end of a run. Nothing here sends: the WebSocket and
the requests are bench/wire_session.py's, the clicks bench/learners.py's.
"""

from __future__ import annotations

import asyncio
import json
import struct
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# Element types whose text a reader sees on screen, and the field holding it.
_TEXT_FIELDS = {
    "markdown": "body",
    "text": "body",
    "heading": "body",
    "alert": "body",
    "code": "code_text",
    "progress": "text",
}
# The Train panel (its buttons are bench/learners.py's) and its texts a reader sees, by field.
PANEL_COMPONENT = "backprop_step_panel"  # ui/step_panel.py's component (the Weights player sends bytes too)
PANEL_TEXTS = ("position", "viewing", "notice", "window_text", "dW1_caption", "silent_caption")
# The run ends with one of these; FINISHED_EARLY_FOR_RERUN means another run follows.
FINAL_STATUSES = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


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


@dataclass
class Connection:
    """Per-WebSocket bookkeeping kept apart from the Learner's public surface, and how a message changes it."""

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

    def resolve(self, message: ForwardMsg, errors: list[str]) -> ForwardMsg | None:
        """The message, or the cached one it refers to by hash (None, with an error, when that is not cached).

        A cacheable message is kept for the runs that may refer to it later.
        """
        if message.HasField("ref_hash"):
            cached = self.cache.get(message.ref_hash)
            if cached is None:
                errors.append(f"server referred to uncached message {message.ref_hash}")
                return None
            self.cache[message.ref_hash] = (cached[0], self.run)
            resolved = ForwardMsg()
            resolved.CopyFrom(cached[0])
            resolved.metadata.CopyFrom(message.metadata)
            return resolved
        if message.metadata.cacheable and message.hash:
            self.cache[message.hash] = (message, self.run)
        return message

    def apply_delta(self, message: ForwardMsg, errors: list[str]) -> None:
        """Put a new element or block on screen where the delta says (a Train panel's fields merged)."""
        delta = message.delta
        path = tuple(message.metadata.delta_path)
        kind = delta.WhichOneof("type")
        if kind == "new_element":
            element_kind = delta.new_element.WhichOneof("type") or ""
            fields = None
            component = delta.new_element.bidi_component
            if element_kind == "bidi_component" and component.component_name.endswith(PANEL_COMPONENT):
                fields = self.merge_panel(path, component.bytes, errors)
            self.elements[path] = Element(
                path, element_kind, delta.fragment_id, delta.new_element, self.run, fields
            )
            if element_kind == "exception":
                failure = delta.new_element.exception
                errors.append(f"exception on screen: {failure.type}: {failure.message}")
        elif kind == "add_block":
            self.elements[path] = Element(path, "block", delta.fragment_id, delta.add_block, self.run)
            # A new block replaces whatever was at that path, children included.
            for old in [p for p in self.elements if p[: len(path)] == path and p != path]:
                if self.elements[old].run != self.run:
                    del self.elements[old]

    def merge_panel(self, path: tuple[int, ...], blob: bytes, errors: list[str]) -> dict:
        """A Train panel's fields after this blob: its changes on what the panel held (all of it when full).

        Kept by path apart from the elements: a fragment's rerun sends its block again, which clears
        the elements in it, but the browser keeps the panel (and what it holds) where it was.
        """
        header = blob_header(blob)
        before = self.panels.get(path, {})
        held = dict(before) if header["base"] is not None else {}
        if header["base"] is not None and before.get("__serial") != header["base"]:
            errors.append(f"a Train panel blob built on {header['base']} came to a panel without it")
        for name, value in header["fields"].items():
            if value is None:
                held.pop(name, None)
            else:
                held[name] = value
        held["__serial"] = header["serial"]
        self.panels[path] = held
        return held

    def finish_run(self, status: int) -> None:
        """A run ended: drop what it did not send again, age the cache, and wake the request waiting on it."""
        if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
            # Like the frontend: what a run did not send again is gone (for a fragment run,
            # only within the fragments that ran).
            fragment_run = status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
            for path, element in list(self.elements.items()):
                stale = element.run != self.run
                if stale and (not fragment_run or element.fragment_id in self.run_fragments):
                    del self.elements[path]
        for message_hash, (_, used) in list(self.cache.items()):
            if self.run - used > self.max_cache_age:
                del self.cache[message_hash]
        if status in FINAL_STATUSES:
            self.last_status = ForwardMsg.ScriptFinishedStatus.Name(status)
            self.finished.set()
