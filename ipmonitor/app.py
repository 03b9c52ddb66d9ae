"""The operations the CLI and the scheduled jobs share: open a home, import, measure.

Each is a few lines over the pure modules and the store, so a command and a
job can never compute the same thing two ways.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from . import clock, store, words
from . import year as years
from .config import Settings, load_settings
from .errors import UsageError
from .importer import import_data as _import_data
from .importer import import_file
from .store import failures


@dataclass
class Home:
    settings: Settings
    db: Database

    def today(self) -> dt.date:
        """Today in the district's time zone (clock.py)."""
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


def holdings(home: Home, every_filing: bool = True):
    """The lifecycle's frames (inforce.Holdings), read once (year.holdings)."""
    return years.holdings(home.db, home.settings, every_filing=every_filing)


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


def progress(home: Home, year: int, as_of: dt.date) -> dict:
    """The document of `progress --json` (year.progress_doc over the counted columns)."""
    return years.progress_doc(years.load_year(home.db, home.settings, year, as_of, years.COUNT_COLUMNS))


def grants(home: Home):
    """Every filing ever seen granted, attributed, with `granted_on` (year.Year.grants)."""
    return years.grants(home.db, home.settings)


def signals(home: Home, year: int, as_of: dt.date) -> list[dict]:
    """The signals of signals.md for the year up to as-of (year.signals_of)."""
    return years.signals_of(years.load_year(home.db, home.settings, year, as_of, years.SIGNAL_COLUMNS))
