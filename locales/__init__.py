"""Greek and English: the translation function all text a person reads goes through, and numbers per language.

The catalogs are gettext files, locales/<language>/LC_MESSAGES/messages.po, compiled to .mo by
`make locales` (Babel's pybabel; the .mo files are not committed). English is the source text,
so the English catalog maps every message to itself.

The language is chosen for each run of a screen (ui/language.py calls activate) and held per
thread: Streamlit runs each browser session's script in a thread of its own, so two learners in
two languages never see each other's. Code outside a screen (a benchmark, a test of core) reads
English. This module imports neither streamlit nor numpy, so core can mark its messages too.
"""

import functools
import gettext
import io
import threading
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = {"en": "English", "el": "Ελληνικά"}
DEFAULT = "en"
FOLDER = Path(__file__).resolve().parent
DOMAIN = "messages"

_this_thread = threading.local()
_fallback = None  # a function naming the language when this thread has none (a fragment's rerun)


@functools.cache
def catalog(language: str) -> gettext.GNUTranslations:
    """The catalog of `language` (en or el), read once per process.

    `make locales` compiles the .po files; a process started some other way (a test run by hand,
    a catalog edited since) compiles its .po in memory instead of showing stale or no text.
    """
    source = FOLDER / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    compiled = source.with_suffix(".mo")
    if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
        return gettext.GNUTranslations(io.BytesIO(compiled.read_bytes()))
    buffer = io.BytesIO()
    with source.open("rb") as file:
        write_mo(buffer, read_po(file, locale=language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def activate(language: str) -> None:
    """Translate into `language` from now on, in this thread (one session's run of a screen)."""
    _this_thread.language = language if language in LANGUAGES else DEFAULT


def follow(fallback) -> None:
    """Ask fallback() for the language of a thread that was not activated (a fragment rerun's new thread)."""
    global _fallback
    _fallback = fallback


def language() -> str:
    """The language text is translated into in this thread."""
    chosen = getattr(_this_thread, "language", None)
    if chosen is None and _fallback is not None:
        chosen = _fallback()
        if chosen in LANGUAGES:
            _this_thread.language = chosen
    return chosen if chosen in LANGUAGES else DEFAULT


def _(message: str) -> str:
    """`message` in this thread's language."""
    return catalog(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or the plural of a message, as `count` asks in this thread's language."""
    return catalog(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (a constant translated where shown)."""
    return message


@functools.cache
def symbols(language: str) -> tuple[str, str]:
    """The decimal sign and the thousands separator of `language`, from Babel's CLDR data (el: "," and ".")."""
    latin = Locale.parse(language).number_symbols["latn"]
    return latin["decimal"], latin["group"]


def number(value, spec: str = ",") -> str:
    """`value` formatted by a Python format spec (",", ".4f", ",.2f", ".3g", ".1%"), in this thread's language's signs.

    Python formats the digits, with the document's rounding; Babel's locale data give the signs,
    so 12,345.5 reads 12.345,5 in Greek. URLs and inputs never go through here: they keep dots.
    """
    text = format(value, spec)
    if text.startswith("-"):  # a true minus sign, as the browser's charts write one (static/panel_kit.js)
        text = "−" + text[1:]
    decimal, group = symbols(language())
    if (decimal, group) == (".", ","):
        return text
    return text.translate({ord("."): decimal, ord(","): group})


def latex_number(value, spec: str = "g") -> str:
    """`value` inside LaTeX: its sign as "-" (math mode draws it as a minus) and a decimal comma as {,}, so KaTeX
    adds no space after it."""
    return number(value, spec).replace("−", "-").replace(",", "{,}")


# An accuracy over the 10,000 test images is a whole number of images in 10,000: two decimals of a
# percentage show it exactly, so no screen shows "90.0%" for 89.98% and no task judges a hidden digit.
PERCENT_DIGITS = 2


def percent(fraction, digits: int = PERCENT_DIGITS) -> str:
    """A fraction as a percentage, the one way the app writes an accuracy: 0.8998 → "89.98%" (Greek "89,98%").

    Python rounds the digits (format spec ".2%"), as core.model.metrics.shown_percent() does when a task
    is judged, so a task is judged on exactly the figure the screens show. `digits` = 0 is for a
    threshold a person picked ("90%"), not for a measurement.
    """
    return number(fraction, f".{digits}%")


def number_separators() -> str:
    """The number signs the browser's charts write with, in this thread's language: its decimal sign, then its
    thousands separator (static/panel_kit.js's count and fixed read them)."""
    decimal, group = symbols(language())
    return decimal + group
