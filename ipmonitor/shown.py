"""Text from outside (file names, cell values) as a person may safely see it: one line, escaped.

A file name that is not valid UTF-8 (a GBK name from a Windows share or a zip
file) reaches Python with its bad bytes as lone surrogates; they cannot be
written to SQLite, a log or a terminal. `shown` spells them `\\xd6\\xd0` and every
control or formatting character (newline, ESC, bidi overrides) the same way,
so a name can neither break a run nor forge a log line.
"""

from __future__ import annotations

import unicodedata

EXCERPT = 60        # characters of a file's content a message or log line may quote

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _escape(c: str) -> str:
    if c in _NAMED:
        return _NAMED[c]
    n = ord(c)
    if 0xDC80 <= n <= 0xDCFF:          # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def shown(text) -> str:
    """`text` with every byte that was not UTF-8 and every invisible character escaped."""
    s = str(text)
    if s.isascii() and s.isprintable():
        return s
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in s)


def excerpt(text, limit: int = EXCERPT) -> str:
    """At most `limit` characters of `text`, escaped, with … when cut."""
    s = str(text)
    return shown(s[:limit]) + ("…" if len(s) > limit else "")


def is_clean(name: str) -> bool:
    """True when `name` needs no escaping (valid UTF-8, nothing invisible)."""
    return shown(name) == name
