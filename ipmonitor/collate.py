"""Chinese names in the order an officer looks them up: by pinyin (pypinyin), tone, then the text.

Latin letters and digits sort as themselves (lower-cased) among the syllables; a blank sorts last.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

LAST = "\uffff"


@lru_cache(maxsize=65536)
def pinyin_key(text: str | None) -> str:
    """'下相街道' → 'xia4 xiang1 jie1 dao4\\x00下相街道' (the text itself breaks ties between homophones)."""
    if text is None or text == "":
        return LAST
    from pypinyin import Style, lazy_pinyin     # its dictionaries take 0.2 s to load: only when sorting
    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    return " ".join(s.lower() for s in syllables) + "\x00" + text


def sort_names(values, key=None) -> list:
    """Items sorted by the pinyin of `key(item)` (default: the item itself)."""
    k = key or (lambda v: v)
    return sorted(values, key=lambda v: pinyin_key(k(v)))


def pinyin_column(col: pl.Series, known: pl.Series | None = None) -> pl.Series:
    """The pinyin key of each value of a text column, computed once per distinct value; `known`:
    the keys worked out already (store.records.entities' `name_pinyin`), null where not."""
    todo = col if known is None else col.filter(known.is_null())
    distinct = todo.unique().to_list()
    keys = col.replace_strict(distinct, [pinyin_key(v) for v in distinct], default=None, return_dtype=pl.String)
    return keys if known is None else known.fill_null(keys)
