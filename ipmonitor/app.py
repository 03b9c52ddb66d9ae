"""The operations the CLI and the scheduled jobs share: open a home, import, measure.

Each is a few lines over the pure modules and the store, so a command and a
job can never compute the same thing two ways.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlite_utils import Database

from . import store
from .config import Settings, load_settings
from .errors import UsageError
from .filings import GRANTED_WORDS
from .importer import import_file
from .indicators import grant_day, indicators
from .progress import attribute, measure, year_window
from .signals import find_signals
from .store import records
from .store.records import claim_numbers


@dataclass
class Home:
    settings: Settings
    db: Database

    def today(self) -> dt.date:
        return dt.datetime.now(self.settings.tz).date()

    def close(self) -> None:
        self.db.conn.close()


def open_home(path: Path) -> Home:
    settings = load_settings(path)
    return Home(settings, store.connect(settings.db_path))


def import_files(home: Home, paths, kind: str = "filings") -> list[dict]:
    return [import_file(home.db, home.settings, Path(p), kind, home.today()) for p in paths]


def resolve_period(home: Home, year: int | None, as_of: dt.date | None) -> tuple[int, dt.date]:
    """--year defaults to the year of --as-of, else this year; --as-of defaults to today."""
    today = home.today()
    if year is not None and not 1900 <= year <= 2999:
        raise UsageError(f"--year {year} is not a plausible year")
    return (year if year is not None else (as_of or today).year), (as_of or today)


def attributed_filings(home: Home, start: dt.date, end: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(filings dated in [start, end] with their `entity`, the registry)."""
    entities = records.entities(home.db)
    filings = attribute(records.filings_between(home.db, start.isoformat(), end.isoformat()),
                        entities, records.entity_aliases(home.db))
    return filings, entities


def progress(home: Home, year: int, as_of: dt.date) -> dict:
    start, end = year_window(year, as_of)
    filings, entities = attributed_filings(home, start, end)
    doc = measure(year=year, as_of=as_of, district=home.settings.district,
                  goals=home.settings.goals, filings=filings, entities=entities,
                  rejected=records.reject_count(home.db))
    doc["quality"] = quality(home, year, as_of)
    return doc


def _earlier(home: Home, start: dt.date, years: int | None = None) -> pl.DataFrame:
    """Attributed filings dated before `start` (all of them, or the last `years` years)."""
    first = dt.date(1900, 1, 1) if years is None else start.replace(year=start.year - years)
    filings, _ = attributed_filings(home, first, start - dt.timedelta(days=1))
    return filings


def quality(home: Home, year: int, as_of: dt.date) -> dict:
    """The `quality` indicators of signals.md for the year up to as-of."""
    start, end = year_window(year, as_of)
    filings, entities = attributed_filings(home, start, end)
    granted = attribute(records.ever_granted(home.db, GRANTED_WORDS), entities,
                        records.entity_aliases(home.db))
    return indicators(year=year, as_of=as_of, population=home.settings.population,
                      counted=filings.filter(pl.col("entity").is_not_null()), entities=entities,
                      granted=grant_day(granted.filter(pl.col("entity").is_not_null()), home.settings.timezone),
                      earlier=_earlier(home, start).filter(pl.col("entity").is_not_null()))


def signals(home: Home, year: int, as_of: dt.date) -> list[dict]:
    start, end = year_window(year, as_of)
    if end < start:
        return []
    filings, _ = attributed_filings(home, start, end)
    return find_signals(year_filings=filings, before=_earlier(home, start, years=2),
                        claims=claim_numbers(home.db), start=start, end=end)
