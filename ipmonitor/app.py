"""The operations the CLI and the scheduled jobs share: open a home, import, measure.

Each is a few lines over the pure modules and the store, so a command and a
job can never compute the same thing two ways.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlite_utils import Database

from . import clock, store, subsidies, words
from .config import Settings, load_settings
from .errors import UsageError
from .filings import COLUMNS, GRANTED_WORDS
from .importer import import_data as _import_data, import_file
from .indicators import grant_day, indicators
from .progress import attribute, measure, year_window
from .pace import add_later_keys
from .signals import find_signals
from .store import corrections, failures, records
from .store.records import claim_numbers


@dataclass
class Home:
    settings: Settings
    db: Database

    def today(self) -> dt.date:
        return clock.today(self.settings.tz)

    def close(self) -> None:
        self.db.conn.close()

    @contextlib.contextmanager
    def arrow(self):
        """For one command alone in its process (the CLI, not the scheduler): within the block the
        database is read and bulk-written through ADBC (`self.db` is that session), the sqlite3
        connection closed meanwhile (store/bulk.py says why)."""
        from .store import bulk
        if not self.settings.db_path.exists():   # a home without a database, read only: stays in memory
            yield self.db
            return
        self.db.conn.close()
        session = bulk.Bulk(self.settings.db_path)
        self.db = session
        try:
            yield session
        finally:
            session.close()
            self.db = store.connect(self.settings.db_path)


def open_home(path: Path, create: bool = True) -> Home:
    """The home's settings and database; with `create` false a missing database is not made."""
    settings = load_settings(path)
    return Home(settings, store.connect(settings.db_path, create=create))


def import_files(home: Home, paths, kind: str = "filings", exclusive: bool = False,
                 show_progress: bool = False, agency: str | None = None) -> list[dict]:
    """kind "filings" | "registry" | "events", or "auto": a legal-status list by its columns, else filings.

    `exclusive`: this process has no other connection to the database (the `import` command), so
    filings are stored through ADBC, the home's own sqlite3 connection closed meanwhile
    (store/bulk.py says why). `show_progress`: a bar on a terminal (progressbar.py). `agency`: who
    sent agency files (filings.md §8)."""
    from .event_import import import_events, is_events_path
    from .progressbar import bar
    bulk = home.arrow if exclusive else None
    out = []
    with bar(3 * len(paths), words.say("progress.import"), show_progress) as b:
        for p in map(Path, paths):
            if kind == "events" or (kind == "auto" and is_events_path(p)):
                r, k = import_events(home.db, home.settings, p, home.today()), "events"
                b.update(3)
            else:
                k = "filings" if kind == "auto" else kind
                r = import_file(home.db, home.settings, p, k, home.today(), bulk=bulk, bar=b, agency=agency)
            if r["status"] == "failed" and r["sha256"] is not None:   # read but not imported: for the quality page
                failures.note(home.db, k, r["file"], r["sha256"], r["error"], store.utc_now())
            out.append(r)
    return out


def holdings(home: Home, reg: tuple[pl.DataFrame, pl.DataFrame] | None = None, every_filing: bool = True):
    """The lifecycle's frames (inforce.Holdings), read once."""
    from . import inforce
    return inforce.load(home.db, home.settings, *(reg or registry(home)), every_filing=every_filing)


def patents(home: Home, as_of: dt.date) -> dict:
    """The document of `patents --json` (status.md)."""
    return holdings(home, every_filing=False).document(as_of)


def import_data(home: Home, name: str, data: bytes, kind: str = "filings", agency: str | None = None) -> dict:
    """Import bytes already read (the inbox reads a file once, imports and archives those bytes);
    kind as for import_files ("auto": a legal-status list by its columns, else filings)."""
    from .event_import import import_events_data
    from .events import is_events_file
    head = data if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) else data[:(1 << 16) + 1]
    if kind == "events" or (kind == "auto" and is_events_file(head)):
        return import_events_data(home.db, home.settings, name, data, home.today())
    return _import_data(home.db, home.settings, name, data, "filings" if kind == "auto" else kind,
                        home.today(), agency=agency)


def resolve_period(home: Home, year: int | None, as_of: dt.date | None) -> tuple[int, dt.date]:
    """--year defaults to the year of --as-of, else this year; --as-of defaults to today."""
    today = home.today()
    if year is not None and not 1900 <= year <= 2999:
        raise UsageError(words.say("error.year", year=year))
    return (year if year is not None else (as_of or today).year), (as_of or today)


# The columns that counting needs (reading fewer columns is most of the speed of a big year), and
# those the pages show (all but the inventors); both picked from filings.COLUMNS.
COUNT_COLUMNS = ("application_no", "type", "filing_date", "credit_code", "first_applicant_key")
PAGE_COLUMNS = tuple(c for c in COLUMNS if c != "inventors")


def registry(home: Home) -> tuple[pl.DataFrame, pl.DataFrame]:
    return records.entities(home.db), records.entity_aliases(home.db)


def attributed_filings(home: Home, start: dt.date, end: dt.date, columns=None,
                       reg: tuple[pl.DataFrame, pl.DataFrame] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(filings dated in [start, end] with their `entity`, the registry)."""
    entities, aliases = reg or registry(home)
    filings = records.filings_between(home.db, start.isoformat(), end.isoformat(), columns)
    return attribute(filings, entities, aliases, corrections.overrides(home.db)), entities


def progress(home: Home, year: int, as_of: dt.date, held=None) -> dict:
    """The document of `progress --json`, with the `quality` indicators of signals.md; `held`: the
    lifecycle's frames when the caller has them already (the pages)."""
    reg = registry(home)
    start, end = year_window(year, as_of)
    # the year and the years before it in one pass over the table
    everything, entities = attributed_filings(home, dt.date(1900, 1, 1), end, COUNT_COLUMNS, reg)
    filings = everything.filter(pl.col("filing_date") >= start.isoformat())
    earlier = everything.filter(pl.col("filing_date") < start.isoformat())
    doc = measure(year=year, as_of=as_of, district=home.settings.district,
                  goals=home.settings.goals, filings=filings, entities=entities,
                  rejected=corrections.open_reject_count(home.db))
    counted = filings.filter(pl.col("entity").is_not_null() & (pl.col("filing_date") >= start.isoformat()))
    add_later_keys(doc, home.settings.goals.get(year), earlier)
    granted = grants(home, reg)
    doc["quality"] = indicators(
        year=year, as_of=as_of, population=home.settings.population, counted=counted, entities=entities,
        granted=granted.filter(pl.col("entity").is_not_null()),
        earlier=earlier.filter(pl.col("entity").is_not_null()))
    held = (held or holdings(home, reg, every_filing=False)).document(dt.date.fromisoformat(doc["as_of"]))
    doc["quality"]["valid_inventions"] = held["in_force"]["invention"]
    doc["quality"]["invention_per_10k"] = held["invention_per_10k"]
    # grants of the year from the same lifecycle: legal-status lists first, else the grant date,
    # else the import's file day (filings.md §4) — the figure patents.html shows too
    if dt.date.fromisoformat(doc["as_of"]) >= dt.date(year, 1, 1):
        doc["quality"]["grants"] = held["granted_in_year"]
    doc["subsidy_head"] = subsidies.anchor(home.db)   # {"events", "head"} of the subsidy log, or None
    return doc


def grants(home: Home, reg: tuple[pl.DataFrame, pl.DataFrame] | None = None) -> pl.DataFrame:
    """Every filing ever seen granted, attributed, with `granted_on` (filings.md §4): the one
    source of every grant figure (overview, entity pages, `progress --json`)."""
    entities, aliases = reg or registry(home)
    granted = attribute(records.ever_granted(home.db, GRANTED_WORDS), entities, aliases,
                        corrections.overrides(home.db))
    return grant_day(granted, home.settings.timezone)


def signals(home: Home, year: int, as_of: dt.date) -> list[dict]:
    """The signals of signals.md for the year up to as-of (history: the two years before)."""
    start, end = year_window(year, as_of)
    if end < start:
        return []
    reg = registry(home)
    cols = (*COUNT_COLUMNS, "title", "first_applicant")
    filings, _ = attributed_filings(home, start, end, cols, reg)
    before, _ = attributed_filings(home, start.replace(year=start.year - 2), start - dt.timedelta(days=1),
                                   cols, reg)
    return find_signals(year_filings=filings, before=before, claims=claim_numbers(home.db),
                        start=start, end=end)
