"""What a browser remembers across a reload, a closed tab and a restart: three kinds of cookie, written from the page.

- `backprop_teach_<class>`: the class's teacher key, so the teacher's dashboard opens again from the
  class's plain address (?class=…, no key in the address bar or on a projector) until they sign out.
- `backprop_seat_<class>`: the run of this browser's student in that class, so reopening the join link
  offers "Continue as …" instead of a second student with the same name.
- `backprop_run`: this browser's latest run, so the bare address offers it before a fresh one.

Each value is a secret that already proves what the cookie is used for: the teacher key is the key
link's, and a run id is the run link's (the link is the run: anyone holding it continues the run).
A name typed into a form proves nothing and is never used to find a run.

Why cookies written by a script: Streamlit hands a session the cookies of the request that opened
its connection (st.context.cookies, read-only) but has no way to send a Set-Cookie header, and a
script cannot make a cookie HttpOnly. So a tiny component (no iframe, nothing drawn) writes them
with document.cookie: SameSite=Strict (never sent by another site's page), Secure over https, and
read by the server at the next session's start. localStorage would survive as long, but reaches the
server only after a round trip through a component: a cookie is there at the session's first run.
The values never appear in a URL, so no access log can hold them (nginx's format logs the path only).

Each full run draws the component with what the browser should hold now; the script compares it
with document.cookie and writes only what differs, so nothing is written twice and no write is lost
to a rerun that came before the browser drew it.
"""

import re

import streamlit as st

TEACHER_PREFIX = "backprop_teach_"
SEAT_PREFIX = "backprop_seat_"
RUN_COOKIE = "backprop_run"
# Browsers keep a cookie at most 400 days; a class lasts at most 366 and is kept 30 after.
CLASS_MAX_AGE = 400 * 86400
RUN_MAX_AGE = 30 * 86400  # as long as an untouched run is kept (runs/store.py's retention)
SECRET = re.compile(r"[A-Za-z0-9_-]{16,64}")  # a run id (22 characters) or a teacher key (43)

JS = """
export default function(component) {
  const { data } = component;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  const held = Object.fromEntries(document.cookie.split("; ").filter(Boolean)
    .map(pair => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
  for (const [name, value, age] of data.keep)
    if (held[name] !== value) document.cookie = `${name}=${value}; Max-Age=${age}; Path=/; SameSite=Strict${secure}`;
  for (const name of data.forget)
    if (name in held) document.cookie = `${name}=; Max-Age=0; Path=/; SameSite=Strict${secure}`;
}
"""  # i18n: not text (JavaScript)

_component = st.components.v2.component("backprop_browser_memory", js=JS)


def cookies() -> dict:
    """The cookies this session's browser sent when it connected ({} where there is no browser: a test harness)."""
    try:
        return dict(st.context.cookies)
    except Exception:  # noqa: BLE001 - no browser behind this run
        return {}


def _secret(name: str) -> str | None:
    value = cookies().get(name)
    return value if isinstance(value, str) and SECRET.fullmatch(value) else None


def teacher_key(class_id: str) -> str | None:
    """The teacher key this browser keeps for the class, if any (checked by the store before it opens anything)."""
    return _secret(TEACHER_PREFIX + class_id)


def taught_classes() -> list[str]:
    """The ids of the classes whose teacher key this browser keeps."""
    return [name[len(TEACHER_PREFIX):] for name in cookies() if name.startswith(TEACHER_PREFIX)]


def seat_run(class_id: str) -> str | None:
    """A run of this browser's student in the class, if this browser joined it."""
    return _secret(SEAT_PREFIX + class_id)


def remembered_run() -> str | None:
    """This browser's latest run, if it has one."""
    return _secret(RUN_COOKIE)


def keep(state) -> None:
    """Draw the component with what this browser should hold now (a full run of any screen)."""
    classroom = state.classroom
    keep = [[TEACHER_PREFIX + class_id, secret, CLASS_MAX_AGE] for class_id, secret in classroom.teaching.items()]
    forget = [TEACHER_PREFIX + class_id for class_id in classroom.signed_out if class_id not in classroom.teaching]
    if classroom.viewing is None:  # a student's run opened read-only is not this browser's
        if classroom.seat is not None:
            keep.append([SEAT_PREFIX + classroom.seat.info.id, classroom.seat.run_id, CLASS_MAX_AGE])
        if state.run.run_id is not None:
            keep.append([RUN_COOKIE, state.run.run_id, RUN_MAX_AGE])
    _component(data={"keep": keep, "forget": forget}, key="backprop_browser_memory")
