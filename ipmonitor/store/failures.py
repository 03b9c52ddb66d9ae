"""SQL of failed imports: files that were read but could not be imported, with their reason.

A failed file is not an import (cli.md: it is not remembered, so it can be retried — the SHA-256
check never looks here); this log only lets the quality page list it beside the imported ones.
"""

from __future__ import annotations

from sqlite_utils import Database

from .db import _statements, migrations

migrations(name="import_failures")(_statements(
    """CREATE TABLE import_failures (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                 -- filings | registry
        file TEXT NOT NULL,                 -- base name
        sha256 TEXT,
        error TEXT NOT NULL,                -- the reason, as the officer was told it
        failed_at TEXT NOT NULL)            -- UTC, ISO 8601
    """,
))


def note(db: Database, kind: str, file: str, sha256: str | None, error: str, at: str) -> None:
    db.conn.execute("INSERT INTO import_failures (kind, file, sha256, error, failed_at) VALUES (?, ?, ?, ?, ?)",
                    (kind, file, sha256, error, at))


def listed(db: Database) -> list[dict]:
    """Every failed attempt, oldest first."""
    cur = db.conn.execute("SELECT id, kind, file, sha256, error, failed_at FROM import_failures ORDER BY id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]
