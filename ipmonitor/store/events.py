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


def history_versions(db: Database) -> pl.DataFrame:
    """The replaced versions (`filing_history`) that carry a status or a grant date: with the
    import that brought each (`import_id`) and the one that replaced it (`replaced_by`). The
    current versions are in the filings frame the caller has read already (`last_import_id`)."""
    return frame(db, "SELECT application_no, status, grant_date, from_import_id AS import_id, "
                     "replaced_by_import_id AS replaced_by FROM filing_history "
                     "WHERE status IS NOT NULL OR grant_date IS NOT NULL",
                 schema={"import_id": pl.Int64, "replaced_by": pl.Int64})


def import_facts(db: Database) -> pl.DataFrame:
    """Every import: its id, time (`imported_at`, UTC), `newest` (the newest filing date among the
    rows it stored), `day` (the district's date of the import, null for imports made before it
    was kept) and whether it was taken back (`reverted`, 1 or 0)."""
    return frame(db, "SELECT id AS import_id, imported_at, newest_filing_date AS newest, import_day AS day, "
                     "status = 'reverted' AS reverted FROM imports",
                 schema={"import_id": pl.Int64, "reverted": pl.Int64})
