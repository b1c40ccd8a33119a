"""Errors from core say codes and values; these helpers check the words a person reads (locales/words.py)."""

import re
from contextlib import contextmanager

import pytest

from locales.words import said


@contextmanager
def raises_saying(kind, match: str):
    """pytest.raises(kind, match=match), matched against the error's words rather than its codes."""
    with pytest.raises(kind) as caught:
        yield caught
    words = said(caught.value)
    assert re.search(match, words), f"{match!r} not in {words!r}"
