"""A lesson preset: locked settings stay as the teacher set them, whatever a form or a link says; what the
store reads back is checked; names are kept as typed unless they cannot be shown as typed."""

import json

import pytest

from core.classwork.lesson import Lesson, check_name, lesson_from_dict, lesson_to_dict
from core.training.settings import Settings
from tests.saying import raises_saying
from locales.words import said

LESSON = Lesson(Settings(learning_rate=0.05, rule="mse", hidden=16), frozenset({"learning_rate", "hidden"}),
                ("loss_surface", "errata"), ("accuracy_90", "branch"))


def test_a_lesson_round_trips_through_json():
    assert lesson_from_dict(json.loads(json.dumps(lesson_to_dict(LESSON)))) == LESSON


def test_locked_settings_are_forced_and_suggested_ones_left_to_the_student():
    wanted = Settings(learning_rate=2.0, rule="cross-entropy", hidden=64, seed=7)
    assert LESSON.enforce(wanted) == Settings(learning_rate=0.05, rule="cross-entropy", hidden=16, seed=7)
    assert LESSON.refused_changes({"learning_rate": 0.5, "rule": "document"}) == ["learning_rate"]
    assert LESSON.refused_changes({"learning_rate": 0.05}) == []  # the locked value itself is no change


def test_a_link_that_tries_to_change_a_locked_setting_gets_a_notice_naming_it():
    notices = LESSON.url_notices({"lr": "50", "rule": "document", "hidden": "16", "seed": "3"})
    assert list(map(said, notices)) == ["lr=50 in the link is ignored: your class locks the learning rate α at 0.05."]
    assert LESSON.url_notices({"lr": "0.05", "run": "x"}) == []
    assert "hidden=abc" in said(LESSON.url_notices({"hidden": "abc"})[0])  # unreadable: the default 10, not 16


@pytest.mark.parametrize("record, message", [
    ({}, "exactly the fields"),
    ({**lesson_to_dict(LESSON), "locked": ["learning_rate", "password"]}, "can lock only"),
    ({**lesson_to_dict(LESSON), "tasks": ["<script>"]}, "lower-case names"),
    ({**lesson_to_dict(LESSON), "hidden_screens": "errata"}, "must be a list"),
    ({**lesson_to_dict(LESSON), "tasks": ["branch"] * 2}, "different names"),
    ({**lesson_to_dict(LESSON), "settings": {**lesson_to_dict(LESSON)["settings"], "learning_rate": 1e9}}, "invalid"),
])
def test_a_damaged_lesson_is_refused_saying_what_is_wrong(record, message):
    with raises_saying(ValueError, message):
        lesson_from_dict(record)


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "**bold**", "Zoë O'Brien", "李雷", "👩‍💻 Ada"])
def test_names_are_kept_as_typed(name):
    assert check_name(name) == name
    assert check_name(f"  {name} ") == name  # only the spaces around it go


@pytest.mark.parametrize("name, message", [("", "Type a name"), (" \t ", "control character|Type a name"),
                                           ("x" * 41, "at most 40"), ("a\nb", "control character"),
                                           ("abc\u202edcba", "control character"), ("a\u0000b", "control character"),
                                           (None, "must be text")])
def test_names_that_cannot_be_shown_as_typed_are_refused(name, message):
    with raises_saying(ValueError, message):
        check_name(name)
