"""Opening the SQLite database, the first migration (filings, registry, imports), transactions, frames."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path

import polars as pl
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .. import clock, words
from ..diskfull import DISK_FULL, is_disk_full
from ..errors import DatabaseError

BUSY_TIMEOUT_MS = 120_000
PAGE_SIZE = 16_384
migrations = Migrations("ipmonitor")


def _statements(*sql: str):
    def apply(db: Database) -> None:
        for statement in sql:
            db.execute(statement)
    return apply


migrations(name="0001_filings")(_statements(
    """CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                 -- filings | registry | subsidy
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'imported',
        rows INTEGER NOT NULL DEFAULT 0, new INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,
        duplicate INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0,
        imported_at TEXT NOT NULL,          -- UTC, ISO 8601
        UNIQUE (kind, sha256))""",
    """CREATE TABLE entities (
        credit_code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        township TEXT,
        aliases TEXT,                       -- '; '-joined former names / aliases
        high_tech INTEGER,
        above_scale INTEGER,
        import_id INTEGER REFERENCES imports(id))""",
    """CREATE TABLE entity_aliases (
        credit_code TEXT NOT NULL REFERENCES entities(credit_code) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        alias_key TEXT NOT NULL,
        PRIMARY KEY (credit_code, alias_key))""",
    """CREATE TABLE filings (
        application_no TEXT PRIMARY KEY,    -- canonical: digits '.' check
        type TEXT NOT NULL CHECK (type IN ('invention', 'utility_model', 'design')),
        filing_date TEXT NOT NULL,          -- YYYY-MM-DD
        applicants TEXT NOT NULL,           -- '; '-joined, in order
        first_applicant TEXT NOT NULL,
        first_applicant_key TEXT NOT NULL,  -- compared form (NFKC, no spaces, case-folded)
        title TEXT, status TEXT, credit_code TEXT, agency TEXT, inventors TEXT, grant_date TEXT,
        first_import_id INTEGER NOT NULL REFERENCES imports(id),
        last_import_id INTEGER NOT NULL REFERENCES imports(id))""",
    """CREATE TABLE filing_history (        -- the values a filing had before an import changed them
        id INTEGER PRIMARY KEY,
        application_no TEXT NOT NULL,
        type TEXT, filing_date TEXT, applicants TEXT, first_applicant TEXT, title TEXT,
        status TEXT, credit_code TEXT, agency TEXT, inventors TEXT, grant_date TEXT,
        from_import_id INTEGER REFERENCES imports(id),     -- where the old values came from
        replaced_by_import_id INTEGER REFERENCES imports(id))""",
    "CREATE INDEX filing_history_by_no ON filing_history (application_no)",
    """CREATE TRIGGER filings_keep_history BEFORE UPDATE ON filings BEGIN
        INSERT INTO filing_history (application_no, type, filing_date, applicants, first_applicant,
            title, status, credit_code, agency, inventors, grant_date, from_import_id,
            replaced_by_import_id)
        VALUES (OLD.application_no, OLD.type, OLD.filing_date, OLD.applicants, OLD.first_applicant,
            OLD.title, OLD.status, OLD.credit_code, OLD.agency, OLD.inventors, OLD.grant_date,
            OLD.last_import_id, NEW.last_import_id);
    END""",
    """CREATE TABLE filing_sources (         -- provenance: which file and line each filing came from
        application_no TEXT NOT NULL,
        import_id INTEGER NOT NULL REFERENCES imports(id),
        line INTEGER NOT NULL,
        extra TEXT)                         -- the row's unrecognised columns, JSON
    """,
    """CREATE TABLE rejects (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id),
        line INTEGER, application_no TEXT, reason TEXT NOT NULL, message TEXT)""",
    """CREATE TABLE warnings (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id),
        line INTEGER, application_no TEXT, code TEXT NOT NULL, message TEXT)""",
))


def _wal(conn: sqlite3.Connection, seconds: float = 30) -> None:
    """Switch to WAL. The switch needs an exclusive lock and SQLite does not wait for it with the
    busy handler, so two processes creating the database at once retry here (bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() == "wal":
                return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("could not switch the database to WAL mode")
        time.sleep(0.05)


def _owner_only(path: Path) -> None:
    """A new database file is made 0600 (SQLite gives its -wal and -shm the same mode); an
    existing one readable by others is tightened."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        try:
            if os.stat(path).st_mode & 0o077 and os.stat(path).st_uid == os.geteuid():
                for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    if p.exists():
                        os.chmod(p, 0o600)
        except OSError:
            pass
    except OSError:
        pass            # a read-only folder, a full disk: connect says what is wrong


def connect_snapshot(path: Path) -> Database:
    """The database opened read-only as it is on disk, for `status` when the disk is too full for
    SQLite to make its -shm file (what is still only in the WAL is not seen)."""
    from urllib.parse import quote
    conn = sqlite3.connect(f"file:{quote(str(path))}?immutable=1", uri=True, isolation_level=None)
    return Database(conn)


def connect(path: Path, create: bool = True) -> Database:
    """Open (creating if needed) the database: WAL, busy timeout, foreign keys, migrated.
    Readable by its owner only (0600).

    With `create` false a missing database is not made: an empty one in memory answers instead
    (a command that only reads never creates a database)."""
    if not create and not Path(path).exists():
        db = Database(sqlite3.connect(":memory:", isolation_level=None))
        migrations.apply(db)
        return db
    _owner_only(path)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # a new database: 16 KiB pages (SQLite's 4 KiB make a million-row import's b-trees a
        # quarter deeper and slower to write: 2.0 → 1.5 s); an existing one keeps its own
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        _wal(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as e:
        raise DatabaseError(DISK_FULL if is_disk_full(e, path.parent)
                            else f"cannot open database {path}: {e}") from None
    db = Database(conn)
    try:
        if migrations.pending(db):
            with transaction(db):  # one process migrates; the others wait, then find nothing pending
                migrations.apply(db)
                # the schema version, for tools that read user_version (a write: only when it changes)
                conn.execute(f"PRAGMA user_version = {len(migrations.applied(db))}")
    except sqlite3.DatabaseError as e:
        conn.close()
        raise DatabaseError(DISK_FULL if is_disk_full(e, path.parent)
                            else f"database {path} is not usable: {e}") from None
    return db


def connect_readonly(path: Path) -> Database | None:
    """The database opened read-only (never created, never migrated, no WAL switch); None when
    there is none yet."""
    if not Path(path).is_file():
        return None
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as e:
        raise DatabaseError(words.say("error.database", path=path, why=e)) from None
    return Database(conn)


@contextlib.contextmanager
def transaction(db: Database):
    """BEGIN IMMEDIATE … COMMIT: takes the write lock first, so checks inside see the final state."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:   # also when COMMIT itself failed (interrupted, disk full)
            conn.execute("ROLLBACK")
        raise


def frame(db: Database, sql: str, params=(), schema: dict | None = None) -> pl.DataFrame:
    """Run a query and return its rows as a polars frame (columns named by the query); through
    Arrow when `db` is a `bulk.Bulk` session (no Python rows)."""
    if not isinstance(db, Database):
        return db.frame(sql, params, schema)
    cur = db.conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if schema is None:
        schema = dict.fromkeys(names, pl.String)
    return pl.DataFrame(rows, schema={n: schema.get(n, pl.String) for n in names}, orient="row")


def utc_now() -> str:
    return clock.utc_now().isoformat(timespec="seconds")


def rollback_open(db: Database) -> None:
    """Roll back a transaction left open (a failed COMMIT can leave one)."""
    if db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def copy_to(db: Database, path: Path) -> None:
    """An online copy of the open database into `path` (SQLite's backup API), switched to a
    rollback journal so that it is one self-contained file."""
    target = sqlite3.connect(path)
    try:
        db.conn.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()


def integrity(path: Path) -> str:
    """`PRAGMA integrity_check` of a database file, opened read-only: "ok" or the first problems."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as e:
        return str(e)
    finally:
        conn.close()
    return "ok" if rows == [("ok",)] else "; ".join(r[0] for r in rows[:3])
