"""A lesson: the settings a teacher's class starts from, what a student may change, and what is asked of them.

A lesson preset holds the settings every student's run starts with, each either suggested (the
student may change it) or locked (no widget, branch or link changes it), the screens the students
do not see, and the tasks (core/classwork/tasks.py) the class works on. It is kept as JSON in the store,
which may have been edited by hand, so lesson_from_dict() checks every field and raises
ValueError saying what is wrong, like core/record/events.py does for a run's log.

Names (a class's, a student's) are shown exactly as typed wherever they appear; check_name()
refuses only what cannot be shown as typed: nothing but spaces, control characters, characters
that reverse the direction of the text around them, and more than a fixed length.

Left out on purpose: where a lesson is kept (runs/) and how a screen shows or enforces it (ui/).
"""

import unicodedata
from dataclasses import dataclass, fields, replace
from typing import Mapping

from core.record.events import settings_from_dict, settings_to_dict
from core.training.settings import CHOICES, DEFAULTS, NUMERIC_RANGES, Settings, settings_from_query
from core.reasons import Reason, Refusal

SETTING_NAMES = tuple(field.name for field in fields(Settings))
# Query key of each setting (core/training/settings.py's URL form), so a notice can name what the link said.
QUERY_KEYS = {name: key for key, (name, *_bounds) in {**NUMERIC_RANGES, **CHOICES}.items()}
MAX_STUDENT_NAME = 40  # characters of a student's display name
MAX_CLASS_NAME = 80
MAX_SLUG = 40  # a screen's or task's id: lower-case letters, digits and "_"
MAX_LIST = 40  # screens or tasks in one lesson
# Unicode's explicit direction controls: in a table of names they could reorder what follows them.
DIRECTION_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


@dataclass(frozen=True)
class Lesson:
    """What a class starts its students with: settings (some locked), hidden screens, chosen tasks."""

    settings: Settings = DEFAULTS
    locked: frozenset = frozenset()  # names of Settings fields the students cannot change
    hidden_screens: tuple = ()  # url paths of the screens left out of the students' navigation
    tasks: tuple = ()  # ids from core/classwork/tasks.py's catalogue, in the teacher's order

    def __post_init__(self):
        unknown = set(self.locked) - set(SETTING_NAMES)
        if unknown:
            raise ValueError(f"a lesson can lock only {', '.join(SETTING_NAMES)}, not {', '.join(sorted(map(str, unknown)))}")
        object.__setattr__(self, "locked", frozenset(self.locked))
        object.__setattr__(self, "hidden_screens", _slugs(self.hidden_screens, "hidden screens"))
        object.__setattr__(self, "tasks", _slugs(self.tasks, "tasks"))

    def enforce(self, settings: Settings) -> Settings:
        """`settings` with every locked setting at the lesson's value."""
        return replace(settings, **{name: getattr(self.settings, name) for name in self.locked})

    def refused_changes(self, changes: Mapping) -> list[str]:
        """The names among `changes` (setting name -> new value) that the lesson locks at another value."""
        return [name for name, value in changes.items()
                if name in self.locked and value != getattr(self.settings, name)]

    def url_notices(self, query: Mapping) -> list[Reason]:
        """One notice for each locked setting that a link's query (core/training/settings.py's form) tries to change."""
        asked = {key: value for key, value in query.items() if key in QUERY_KEYS.values()}
        wanted = settings_from_query(asked)[0]
        notices = []
        for name in sorted(self.locked):
            key = QUERY_KEYS[name]
            if key in query and getattr(wanted, name) != getattr(self.settings, name):
                notices.append(Reason("lesson.locked_in_link", assignment=f"{key}={str(query[key])[:40]}", name=name,
                                      value=getattr(self.settings, name)))
        return notices


def lesson_to_dict(lesson: Lesson) -> dict:
    return {"settings": settings_to_dict(lesson.settings), "locked": sorted(lesson.locked),
            "hidden_screens": list(lesson.hidden_screens), "tasks": list(lesson.tasks)}


def lesson_from_dict(record) -> Lesson:
    """The lesson lesson_to_dict() described; ValueError saying what is wrong with anything else."""
    expected = {"settings", "locked", "hidden_screens", "tasks"}
    if not isinstance(record, dict) or set(record) != expected:
        raise ValueError(f"a lesson must have exactly the fields {', '.join(sorted(expected))}")
    for name in ("locked", "hidden_screens", "tasks"):
        if not isinstance(record[name], list) or len(record[name]) > MAX_LIST:
            raise ValueError(f"a lesson's {name} must be a list of at most {MAX_LIST} names")
    return Lesson(settings_from_dict(record["settings"]), frozenset(record["locked"]),
                  tuple(record["hidden_screens"]), tuple(record["tasks"]))


def check_name(text, most: int = MAX_STUDENT_NAME, what: str = "name") -> str:
    """The name as typed, less surrounding spaces; a Refusal (one sentence, where shown) if it cannot be shown as typed.

    `what` is "name" or "class name": the sentence names it in the reader's language.
    """
    if not isinstance(text, str):
        raise ValueError(f"a {what} must be text")
    text = text.strip()
    if not text:
        raise Refusal("lesson.type_a", what=what)
    if len(text) > most:
        raise Refusal("lesson.too_long", what=what, most=most, length=len(text))
    if any(unicodedata.category(character) in ("Cc", "Cs", "Co") or character in DIRECTION_CONTROLS
           for character in text):
        raise Refusal("lesson.control_character", what=what)
    return text


def _slugs(values, what) -> tuple:
    values = tuple(values)
    if len(values) > MAX_LIST or len(set(values)) != len(values):
        raise ValueError(f"a lesson's {what} must be at most {MAX_LIST} different names")
    for value in values:
        if not (isinstance(value, str) and 0 < len(value) <= MAX_SLUG
                and all(character in "abcdefghijklmnopqrstuvwxyz0123456789_" for character in value)):
            raise ValueError(f"a lesson's {what} are lower-case names of at most {MAX_SLUG} letters, "
                             f"digits and '_', not {str(value)[:40]!r}")
    return values
