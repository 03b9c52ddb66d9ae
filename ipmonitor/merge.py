"""How one file's rows meet what is stored (filings.md §4): new, updated or unchanged. Pure.

A field the file does not carry is null in every incoming row, and so is an
empty cell: both keep the stored value. A row is `updated` when some carried,
non-empty field differs from the stored value, else `unchanged`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass
class Merge:
    new: pl.DataFrame        # incoming rows whose key is not stored
    updated: pl.DataFrame    # merged values (incoming over stored) of rows that change
    unchanged: int


def merge(incoming: pl.DataFrame, stored: pl.DataFrame, key: str, fields: list[str]) -> Merge:
    """`incoming` has unique keys; `stored` holds the stored versions of (some of) those keys."""
    if stored.is_empty():       # all new, in their order (a first import)
        return Merge(incoming, incoming.clear(), 0)
    old = stored.select(key, *[pl.col(f).alias(f"{f}__old") for f in fields]).with_columns(
        __stored=pl.lit(True))
    joined = incoming.join(old, on=key, how="left")
    is_stored = pl.col("__stored").fill_null(False)
    differs = pl.any_horizontal(
        pl.col(f).is_not_null() & pl.col(f).ne_missing(pl.col(f"{f}__old")) for f in fields)
    joined = joined.with_columns(__new=~is_stored, __changed=is_stored & differs)
    new = joined.filter(pl.col("__new")).select(incoming.columns)
    updated = (joined.filter(pl.col("__changed"))
               .with_columns(pl.coalesce(f, f"{f}__old").alias(f) for f in fields)
               .select(incoming.columns))
    return Merge(new, updated, incoming.height - new.height - updated.height)
