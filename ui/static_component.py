"""Components whose scripts Streamlit serves from static/, and the memory of what a panel was sent.

A component's inline script (`st.components.v2.component(js=...)`) travels to the browser again with
every rerun that draws it. The components here send instead a few lines that import their script
from static/ (Streamlit's static file serving, .streamlit/config.toml), under the server's base path:
the browser fetches it once and caches it. Streamlit sends static files with no Cache-Control, so
every address carries `?v=` and a hash of all of static/: after an upgrade each file has a new
address, and the modules a script imports take the same `?v=` (static/panel_kit.js says how).

A panel that sends only what changed (ui/step_payload.py) keeps a PanelMemory in the session: memory().
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.step_payload import PanelMemory

STATIC = Path(__file__).resolve().parent.parent / "static"

# The few lines sent with each rerun. The inline script runs from a blob: URL, so the script's address
# is written out whole; its default function gets the component and returns what the script returns.
LOADER = ("const script = window.location.origin + ADDRESS;\n"  # i18n: not text
          "export default async function (component) {\n"  # i18n: not text
          "  return (await import(script)).default(component);\n}\n")  # i18n: not text


def version() -> str:
    """A hash of every file in static/: whatever a script imports or links, a change to it changes the version."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def address(name: str) -> str:
    """The address of static/`name` at this version, under the server's base path (without the origin)."""
    base = "/".join(part for part in (st.get_option("server.baseUrlPath") or "").split("/") if part)
    root = f"/{base}/app/static/" if base else "/app/static/"
    return f"{root}{name}?v={version()}"


def component(name: str, script: str, isolate_styles: bool = False, html: str | None = None):
    """Declare component `name` whose script is static/`script` (it links its own stylesheet from static/).

    isolate_styles=False: drawn in the page itself, not a shadow root, so it takes the page's font.
    html: what stands in the component's place until its script draws (the chart kit's "not drawn yet" mark).
    """
    loader = LOADER.replace("ADDRESS", json.dumps(address(script)))
    return st.components.v2.component(name, js=loader, html=html, isolate_styles=isolate_styles)


def memory(key: str) -> PanelMemory:
    """This session's memory (under `key`) of what its panel was sent; a run of the whole page mounts the panel anew."""
    held = st.session_state.get(key)
    if held is None:
        held = st.session_state[key] = PanelMemory()
    context = get_script_run_ctx()
    if context is not None and not context.fragment_ids_this_run:
        held.forget()  # a page run, not the panel's own rerun: the browser may hold nothing
    return held
