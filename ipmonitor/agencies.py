"""Agencies and their deliveries (filings.md §8): which agency sent a file, and who is overdue.

Which agency sent a file, first rule that gives a name: `import --agency NAME`; the `[[sources]]`
name of a fetched file; the first folder level under `inbox/`; the file's 代理机构 column when one
value holds for more than half of the rows it stored; else none.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from . import clock


def from_column(filings: pl.DataFrame) -> str | None:
    """The agency column's value when one value holds for more than half of the stored rows."""
    if filings.is_empty() or "agency" not in filings.columns:
        return None
    top = (filings.select(pl.col("agency").str.strip_chars()).drop_nulls()
           .filter(pl.col("agency") != "").group_by("agency").len()
           .sort(["len", "agency"], descending=[True, False]).head(1))
    if top.is_empty() or top["len"][0] * 2 <= filings.height:
        return None
    return top["agency"][0]


def from_path(path: Path, inbox: Path, source_names) -> str | None:
    """The agency a file's place names: `inbox/<agency>/file`, or a fetched `<source>-<UTC time>.ext`."""
    try:
        rel = Path(path).resolve().relative_to(Path(inbox).resolve())
    except ValueError:
        return None
    if len(rel.parts) > 1:
        return rel.parts[0]
    for name in source_names:
        if re.fullmatch(re.escape(name) + r"-\d{8}T\d{6}Z(?:-\d+)?(?:\.\w+)?", rel.name):
            return name
    return None


def report(imports: pl.DataFrame, *, expected, every_seconds: int | None, now: dt.datetime,
           tz, year: int) -> list[dict]:
    """One entry per agency (every expected one, and every one that sent a file), overdue first.

    `imports`: the agency-file imports not taken back (agency, file, imported_at UTC ISO, rows,
    new, updated, rejected).
    """
    df = imports.filter(pl.col("agency").is_not_null()).with_columns(
        at=pl.col("imported_at").str.to_datetime(time_zone="UTC"))
    df = df.with_columns(local_year=pl.col("at").dt.convert_time_zone(str(tz)).dt.year())
    per = (df.sort("id").group_by("agency").agg(
        pl.len().alias("files"), pl.col("file").last().alias("last_file"),
        pl.col("at").last().alias("last_at"),
        pl.col("new").filter(pl.col("local_year") == year).sum().alias("new"),
        pl.col("updated").filter(pl.col("local_year") == year).sum().alias("updated"),
        pl.col("rows").sum().alias("rows"), pl.col("rejected").sum().alias("rejected")))
    rows = {r["agency"]: r for r in per.to_dicts()}
    out = []
    for name in sorted({*expected, *rows}):
        r = rows.get(name)
        last = None if r is None else r["last_at"]
        is_expected = name in expected
        overdue = bool(is_expected and every_seconds is not None
                       and (last is None or (now - last).total_seconds() > every_seconds))
        out.append({
            "agency": name, "expected": is_expected,
            "files": 0 if r is None else r["files"],
            "last_file": None if r is None else r["last_file"],
            "last_at": None if last is None else last.astimezone(tz).isoformat(timespec="seconds"),
            "new": 0 if r is None else r["new"], "updated": 0 if r is None else r["updated"],
            "rows": 0 if r is None else r["rows"], "rejected": 0 if r is None else r["rejected"],
            "rejected_share": None if r is None or not r["rows"] else round(r["rejected"] / r["rows"], 4),
            "overdue": overdue,
            "days_since": None if last is None else (now - last).days,
        })
    out.sort(key=lambda a: (not a["overdue"], not a["expected"], a["agency"]))
    return out


def deliveries(db, settings, now: dt.datetime | None = None) -> list[dict]:
    """`ipmonitor agencies --json`: every agency's deliveries, overdue ones first."""
    from .store.corrections import agency_imports
    now = (now or clock.now(settings.tz)).astimezone(settings.tz)
    return report(agency_imports(db), expected=settings.agencies.expected,
                  every_seconds=settings.agencies.every_seconds, now=now, tz=settings.tz, year=now.year)
