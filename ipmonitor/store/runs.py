"""SQL of the scheduled server: the record of job runs and each source's fetch state."""

from __future__ import annotations

import os

from sqlite_utils import Database

from .. import clock
from .db import _statements, migrations, transaction, utc_now

OUTCOMES = ("ok", "failed", "skipped")
RUN_FIELDS = ("id", "job", "trigger", "started_at", "ended_at", "outcome", "message", "items", "pid")
STATE_FIELDS = ("source", "etag", "last_modified", "sha256", "file", "fetched_at", "checked_at")

migrations(name="0003_job_runs")(_statements(
    """CREATE TABLE job_runs (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL,                  -- inbox | fetch | report | backup
        trigger TEXT NOT NULL,              -- scheduled | catch-up | manual | missed
        started_at TEXT NOT NULL,           -- UTC, ISO 8601 with milliseconds
        ended_at TEXT,                      -- NULL while running (or if the process died)
        outcome TEXT CHECK (outcome IN ('ok', 'failed', 'skipped')),
        message TEXT,
        items INTEGER NOT NULL DEFAULT 0,   -- files imported, files fetched, pages built, backups
        pid INTEGER)""",
    "CREATE INDEX job_runs_by_job ON job_runs (job, started_at)",
    """CREATE TABLE fetch_state (            -- per [[sources]] name, from the last successful fetch
        source TEXT PRIMARY KEY,
        etag TEXT,                          -- sent back as If-None-Match
        last_modified TEXT,                 -- sent back as If-Modified-Since
        sha256 TEXT,                        -- of the last body dropped into inbox/
        file TEXT,                          -- the name it was dropped under
        fetched_at TEXT,                    -- UTC: last 200 with a complete body
        checked_at TEXT)                    -- UTC: last answer (200 or 304)""",
))


def _now() -> str:
    """UTC now with milliseconds: run times must order runs started within the same second."""
    return clock.utc_now().isoformat(timespec="milliseconds")


def start_run(db: Database, job: str, trigger: str, started_at: str | None = None) -> int:
    with transaction(db):
        return db.conn.execute(
            "INSERT INTO job_runs (job, trigger, started_at, pid) VALUES (?, ?, ?, ?)",
            (job, trigger, started_at or _now(), os.getpid())).lastrowid


def finish_run(db: Database, run_id: int, outcome: str, message: str, items: int) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    with transaction(db):
        db.conn.execute("UPDATE job_runs SET ended_at = ?, outcome = ?, message = ?, items = ? "
                        "WHERE id = ?", (_now(), outcome, message, items, run_id))


def record_run(db: Database, job: str, trigger: str, outcome: str, message: str,
               at: str | None = None) -> int:
    """A run that never ran (a missed fire time): one row, already finished."""
    at = at or _now()
    with transaction(db):
        return db.conn.execute(
            "INSERT INTO job_runs (job, trigger, started_at, ended_at, outcome, message, items, pid) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, ?)", (job, trigger, at, at, outcome, message, os.getpid())
        ).lastrowid


def close_orphans(db: Database, alive) -> int:
    """Mark runs left open by a process that died (`alive(pid)` false) as failed."""
    rows = db.conn.execute("SELECT id, pid FROM job_runs WHERE ended_at IS NULL").fetchall()
    dead = [run_id for run_id, pid in rows if pid is None or not alive(pid)]
    if dead:
        with transaction(db):
            db.conn.executemany(
                "UPDATE job_runs SET ended_at = started_at, outcome = 'failed', "
                "message = 'the process stopped before the run ended' WHERE id = ?",
                [(i,) for i in dead])
    return len(dead)


def _run(row) -> dict | None:
    return None if row is None else dict(zip(RUN_FIELDS, row))


def last_run(db: Database, job: str, outcomes=None) -> dict | None:
    """The most recent run of `job` (that ran: missed fire times are not runs), optionally
    only with one of `outcomes`."""
    sql = f"SELECT {', '.join(RUN_FIELDS)} FROM job_runs WHERE job = ? AND trigger != 'missed'"
    params: list = [job]
    if outcomes:
        sql += f" AND outcome IN ({', '.join('?' * len(outcomes))})"
        params += list(outcomes)
    return _run(db.conn.execute(sql + " ORDER BY started_at DESC, id DESC LIMIT 1", params).fetchone())


def runs(db: Database, job: str | None = None, limit: int = 100) -> list[dict]:
    """Runs, newest first."""
    where, params = ("WHERE job = ?", [job]) if job else ("", [])
    cur = db.conn.execute(f"SELECT {', '.join(RUN_FIELDS)} FROM job_runs {where} "
                          "ORDER BY id DESC LIMIT ?", (*params, limit))
    return [_run(r) for r in cur.fetchall()]


# --- fetch state -----------------------------------------------------------------------------------

def fetch_state(db: Database, source: str) -> dict:
    row = db.conn.execute(f"SELECT {', '.join(STATE_FIELDS)} FROM fetch_state WHERE source = ?",
                          (source,)).fetchone()
    return dict(zip(STATE_FIELDS, row)) if row else dict.fromkeys(STATE_FIELDS) | {"source": source}


def fetch_states(db: Database) -> list[dict]:
    cur = db.conn.execute(f"SELECT {', '.join(STATE_FIELDS)} FROM fetch_state ORDER BY source")
    return [dict(zip(STATE_FIELDS, r)) for r in cur.fetchall()]


def save_fetch_state(db: Database, source: str, *, etag: str | None, last_modified: str | None,
                     sha256: str | None = None, file: str | None = None, fetched: bool = False) -> None:
    """Remember the validators of the last success; a 304 (fetched=False) only updates checked_at."""
    now = utc_now()
    with transaction(db):
        if fetched:
            db.conn.execute(
                "INSERT INTO fetch_state (source, etag, last_modified, sha256, file, fetched_at, checked_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET etag = excluded.etag, "
                "last_modified = excluded.last_modified, sha256 = excluded.sha256, "
                "file = coalesce(excluded.file, fetch_state.file), fetched_at = excluded.fetched_at, "
                "checked_at = excluded.checked_at",
                (source, etag, last_modified, sha256, file, now, now))
        else:
            db.conn.execute(
                "INSERT INTO fetch_state (source, checked_at) VALUES (?, ?) "
                "ON CONFLICT (source) DO UPDATE SET checked_at = excluded.checked_at", (source, now))


# --- counts for `status` -------------------------------------------------------------------------

def claim_count(db: Database) -> int:
    """Subsidy claims recorded."""
    return db.conn.execute("SELECT count(*) FROM subsidy_claims").fetchone()[0]
