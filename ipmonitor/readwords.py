"""The reader's failures in the officer's words: a FileFailed worded from words.py ("file.*") in
both languages, and the fields as the officer names them ("field.*")."""

from __future__ import annotations

from . import words
from .errors import FileFailed


def failed(code: str, **params) -> FileFailed:
    """The FileFailed for `code` (a key of the "file" family), worded in Chinese and English."""
    return FileFailed(words.say(f"file.{code}", **params), code, words.say(f"file.{code}", "en", **params))


def field_word(field: str, language: str = "zh-CN") -> str:
    key = f"field.{field}"
    return words.say(key, language) if key in words.WORDS else field
