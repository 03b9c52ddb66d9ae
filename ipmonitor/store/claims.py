"""SQL of the subsidy claims log: its append-only tables (migration 0002) and every query on them.

Rows come and go as plain dicts with the field names of `ledger` (CLAIM_FIELDS,
EVENT_FIELDS + hash); the rules, states and hashes are `ledger`'s business.
"""

from __future__ import annotations

import json

import polars as pl
from sqlite_utils import Database

from .db import frame, migrations

TABLES = ("subsidy_claims", "subsidy_events")
# event field (ledger) → column
EVENT_COLUMNS = {"event": "seq", "claim_id": "claim_id", "type": "type", "by": "recorded_by",
                 "at": "recorded_at", "amount": "amount", "reason": "reason", "paid_on": "paid_on",
                 "voucher": "voucher", "field": "field", "old": "old_value", "new": "new_value",
                 "source": "source", "prev_hash": "prev_hash", "hash": "hash"}
CLAIM_COLUMNS = {"id": "id", "application_no": "application_no", "claimant": "claimant",
                 "stage": "stage", "amount": "amount", "submitted_on": "submitted_on", "note": "note"}
APPEND_ONLY_TRIGGERS = tuple(f"{t}_no_{op.lower()}" for t in TABLES for op in ("UPDATE", "DELETE"))

_SCHEMA = (
    """CREATE TABLE subsidy_claims (
        id TEXT PRIMARY KEY,                -- '2013-0042': the submitted date's year, then its number
        year INTEGER NOT NULL,
        number INTEGER NOT NULL,
        application_no TEXT NOT NULL,       -- canonical
        claimant TEXT NOT NULL,             -- credit code
        stage TEXT NOT NULL CHECK (stage IN ('application', 'grant', 'pct', 'maintenance')),
        amount INTEGER NOT NULL CHECK (amount > 0),   -- yuan claimed (corrections are events)
        submitted_on TEXT NOT NULL,         -- YYYY-MM-DD
        note TEXT,
        UNIQUE (year, number))""",
    """CREATE TABLE subsidy_events (
        seq INTEGER PRIMARY KEY,            -- the event's number: the order of the hash chain
        claim_id TEXT NOT NULL REFERENCES subsidy_claims(id),
        type TEXT NOT NULL CHECK (type IN ('submitted', 'approved', 'rejected', 'paid', 'corrected')),
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,          -- UTC, ISO 8601
        amount INTEGER,                     -- approved: yuan approved
        reason TEXT,                        -- rejected: why; corrected: why
        paid_on TEXT, voucher TEXT,         -- paid
        field TEXT, old_value TEXT, new_value TEXT,   -- corrected
        source TEXT,                        -- submitted: 'file:line' of an import
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE)""",
    "CREATE INDEX subsidy_events_by_claim ON subsidy_events (claim_id, seq)",
    "CREATE INDEX subsidy_claims_by_no ON subsidy_claims (application_no, stage)",
    "CREATE INDEX subsidy_claims_by_claimant ON subsidy_claims (claimant)",
    *(f"""CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} BEGIN
        SELECT RAISE(ABORT, 'the subsidy log is append-only: {t} rows cannot be {op.lower()}d');
    END""" for t in TABLES for op in ("UPDATE", "DELETE")),
)


@migrations(name="0002_subsidy_claims")
def _create(db: Database) -> None:
    for statement in _SCHEMA:
        db.execute(statement)


_EVENT_SELECT = ", ".join(f"{c} AS {k}" if c != k else c for k, c in EVENT_COLUMNS.items())
_CLAIM_SELECT = ", ".join(CLAIM_COLUMNS.values())


def _dicts(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


# --- writing (inside the caller's store.transaction) ---------------------------------------------

def next_number(db: Database, year: int) -> int:
    return db.conn.execute("SELECT coalesce(max(number), 0) + 1 FROM subsidy_claims WHERE year = ?",
                           (year,)).fetchone()[0]


def insert_claim(db: Database, claim: dict, year: int, number: int) -> None:
    db.conn.execute(f"INSERT INTO subsidy_claims (year, number, {_CLAIM_SELECT}) "
                    f"VALUES (?, ?, {', '.join('?' * len(CLAIM_COLUMNS))})",
                    (year, number, *(claim[k] for k in CLAIM_COLUMNS)))


def insert_event(db: Database, event: dict) -> None:
    db.conn.execute(f"INSERT INTO subsidy_events ({', '.join(EVENT_COLUMNS.values())}) "
                    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
                    tuple(event[k] for k in EVENT_COLUMNS))


# --- reading ---------------------------------------------------------------------------------------

def head(db: Database) -> tuple[int, str] | None:
    """(number, hash) of the last event, or None for an empty log."""
    row = db.conn.execute("SELECT seq, hash FROM subsidy_events ORDER BY seq DESC LIMIT 1").fetchone()
    return None if row is None else (row[0], row[1])


def all_events(db: Database) -> list[dict]:
    return _dicts(db.conn.execute(f"SELECT {_EVENT_SELECT} FROM subsidy_events ORDER BY seq"))


def all_claims(db: Database) -> dict[str, dict]:
    return {c["id"]: c for c in _dicts(db.conn.execute(f"SELECT {_CLAIM_SELECT} FROM subsidy_claims"))}


def claims_with_events(db: Database, *, claim_id: str | None = None, year: int | None = None,
                       claimant: str | None = None, application_no: str | None = None,
                       stage: str | None = None) -> list[tuple[dict, list[dict]]]:
    """(claim, its events in order) for the claims matching every given filter, by id."""
    where = {"id": claim_id, "year": year, "claimant": claimant, "application_no": application_no,
             "stage": stage}
    used = {k: v for k, v in where.items() if v is not None}
    sql = f"SELECT {_CLAIM_SELECT} FROM subsidy_claims"
    if used:
        sql += " WHERE " + " AND ".join(f"{k} = ?" for k in used)
    claims = _dicts(db.conn.execute(sql + " ORDER BY year, number", tuple(used.values())))
    if not claims:
        return []
    ids = json.dumps([c["id"] for c in claims])
    events: dict[str, list[dict]] = {}
    for e in _dicts(db.conn.execute(f"SELECT {_EVENT_SELECT} FROM subsidy_events "
                                    "WHERE claim_id IN (SELECT value FROM json_each(?)) ORDER BY seq", (ids,))):
        events.setdefault(e["claim_id"], []).append(e)
    return [(c, events.get(c["id"], [])) for c in claims]


def triggers_missing(db: Database) -> list[str]:
    present = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return [t for t in APPEND_ONLY_TRIGGERS if t not in present]


def filings_by_numbers(db: Database, numbers: list[str]) -> pl.DataFrame:
    """The stored filings with these (canonical) numbers, with the fields attribution needs."""
    return frame(db, "SELECT f.application_no, f.type, f.filing_date, f.status, f.grant_date, "
                     "f.credit_code, f.first_applicant, f.first_applicant_key FROM json_each(?) j "
                     "JOIN filings f ON f.application_no = j.value",
                 (json.dumps(sorted(set(numbers)), ensure_ascii=False),))


def codes_named(db: Database, key: str) -> list[str]:
    """The credit codes of the entities whose compared name or alias is `key`."""
    return [r[0] for r in db.conn.execute(
        "SELECT credit_code FROM entities WHERE name_key = ? UNION "
        "SELECT credit_code FROM entity_aliases WHERE alias_key = ? ORDER BY 1", (key, key))]


def entity_names(db: Database) -> dict[str, str]:
    return dict(db.conn.execute("SELECT credit_code, name FROM entities").fetchall())
