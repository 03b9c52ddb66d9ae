"""SQL of legal-status events (status.md): storing a file's events, reading them and the status
versions of agency exports back for the lifecycle."""

from __future__ import annotations

import json

import polars as pl
from sqlite_utils import Database

from .db import _statements, frame, migrations

migrations(name="legal_events")(_statements(
    """CREATE TABLE legal_events (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id),
        line INTEGER,
        application_no TEXT NOT NULL,       -- canonical; need not be a stored filing (unmatched)
        event_date TEXT NOT NULL,           -- YYYY-MM-DD
        words TEXT NOT NULL,                -- the event words as written (NFKC, trimmed)
        word_key TEXT NOT NULL,             -- compared form: NFKC, no spaces
        kind TEXT NOT NULL,                 -- restored | invalidated | lapsed | … | other
        detail TEXT,
        UNIQUE (application_no, event_date, word_key))""",
    "CREATE INDEX legal_events_by_import ON legal_events (import_id)",
))

EVENT_COLUMNS = ("application_no", "event_date", "words", "word_key", "kind", "detail", "line")


def save_events(db: Database, import_id: int, events: pl.DataFrame) -> int:
    """Store a file's events (unique identities); returns how many were new (the rest were stored)."""
    if events.is_empty():
        return 0
    stored = frame(db, "SELECT e.application_no, e.event_date, e.word_key FROM json_each(?) j "
                       "JOIN legal_events e ON e.application_no = j.value ->> 0 "
                       "AND e.event_date = j.value ->> 1 AND e.word_key = j.value ->> 2",
                   (json.dumps(events.select("application_no", "event_date", "word_key").rows(),
                               ensure_ascii=False),))
    new = events.join(stored, on=["application_no", "event_date", "word_key"], how="anti")
    cols = [*EVENT_COLUMNS, "import_id"]
    db.conn.executemany(
        f"INSERT INTO legal_events ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        new.select(*EVENT_COLUMNS).with_columns(pl.lit(import_id).alias("import_id")).iter_rows())
    return new.height


def count_unmatched(db: Database, events: pl.DataFrame) -> int:
    """How many of these events (unique identities) have no stored filing."""
    if events.is_empty():
        return 0
    numbers = json.dumps(events["application_no"].to_list(), ensure_ascii=False)
    return db.conn.execute("SELECT count(*) FROM json_each(?) j WHERE NOT EXISTS "
                           "(SELECT 1 FROM filings f WHERE f.application_no = j.value)",
                           (numbers,)).fetchone()[0]


def events(db: Database) -> pl.DataFrame:
    """Every stored event, in the order it happened (date, then as stored)."""
    return frame(db, "SELECT e.id, e.application_no, e.event_date, e.words, e.kind, e.detail "
                     "FROM legal_events e JOIN imports i ON i.id = e.import_id WHERE i.status != 'reverted' "
                     "ORDER BY e.application_no, e.event_date, e.id", schema={"id": pl.Int64})


def unmatched_events(db: Database) -> pl.DataFrame:
    """The stored events whose number no import has stored as a filing, oldest first."""
    return frame(db, "SELECT e.application_no, e.event_date, e.words, i.file FROM legal_events e "
                     "JOIN imports i ON i.id = e.import_id WHERE i.status != 'reverted' AND NOT EXISTS "
                     "(SELECT 1 FROM filings f WHERE f.application_no = e.application_no) "
                     "ORDER BY e.event_date, e.application_no, e.id")


def status_versions(db: Database) -> pl.DataFrame:
    """Every stored version of every filing's status and grant date (`filing_history` and the
    current row) that an import still in force brought, with that import: its id, `newest` (the
    newest filing date among the rows it stored) and `day` (the district's date of the import,
    null for imports made before it was kept; `imported_at`, UTC, stands in)."""
    return frame(db, """
        SELECT v.application_no, v.status, v.grant_date, v.import_id, i.imported_at,
               i.newest_filing_date AS newest, i.import_day AS day
        FROM (SELECT application_no, status, grant_date, from_import_id AS import_id FROM filing_history
              UNION ALL SELECT application_no, status, grant_date, last_import_id FROM filings) v
        JOIN imports i ON i.id = v.import_id
        WHERE (v.status IS NOT NULL OR v.grant_date IS NOT NULL) AND i.status != 'reverted'""",
                 schema={"import_id": pl.Int64})


FILING_COLUMNS = "application_no, type, filing_date, first_applicant, first_applicant_key, credit_code, title"


def all_filings(db: Database) -> pl.DataFrame:
    """The columns attribution and the lifecycle need, for every stored filing."""
    return frame(db, f"SELECT {FILING_COLUMNS} FROM filings")


def filings_of(db: Database, numbers: pl.Series) -> pl.DataFrame:
    """The same columns for the stored filings among `numbers`."""
    return frame(db, f"SELECT {', '.join('f.' + c for c in FILING_COLUMNS.split(', '))} FROM json_each(?) j "
                     "JOIN filings f ON f.application_no = j.value",
                 (json.dumps(numbers.to_list(), ensure_ascii=False),))
