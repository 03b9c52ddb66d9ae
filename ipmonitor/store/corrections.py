"""SQL of the officer's corrections (filings.md §4, §7, §8): reject states and dismissals,
attribution overrides, taking an import back, and the agencies that send files.

Reject states are derived when read, never stored: a reject is `dismissed` when a dismissal
row names it, else `resolved` when a later import stored a filing with its canonical number
(that import's provenance row), else `open`. Reverting an import removes its provenance, so
the rejects it resolved are open again without anything to undo.
"""

from __future__ import annotations

import json

import polars as pl
from sqlite_utils import Database

from .db import _statements, frame, migrations

HISTORY_FIELDS = ("type", "filing_date", "applicants", "first_applicant", "title", "status",
                  "credit_code", "agency", "inventors", "grant_date")
ENTITY_FIELDS = ("name", "name_key", "township", "aliases", "high_tech", "above_scale")
APPEND_ONLY = ("import_reverts", "reject_dismissals", "attribution_overrides")

# the history trigger (made again by compact_filings, which drops it to change the table)
KEEP_HISTORY = """CREATE TRIGGER filings_keep_history BEFORE UPDATE ON filings
       WHEN NEW.last_import_id >= OLD.last_import_id BEGIN
        INSERT INTO filing_history (application_no, type, filing_date, applicants, first_applicant,
            title, status, credit_code, agency, inventors, grant_date, from_import_id,
            replaced_by_import_id)
        VALUES (OLD.application_no, OLD.type, OLD.filing_date, OLD.applicants, OLD.first_applicant,
            OLD.title, OLD.status, OLD.credit_code, OLD.agency, OLD.inventors, OLD.grant_date,
            OLD.last_import_id, NEW.last_import_id);
    END"""

migrations(name="corrections_agencies")(_statements(
    "ALTER TABLE imports ADD COLUMN agency TEXT",
    "ALTER TABLE imports ADD COLUMN newest_filing_date TEXT",   # over the rows the file stored
    "ALTER TABLE imports ADD COLUMN import_day TEXT",           # the district's date of the import
    "ALTER TABLE imports ADD COLUMN original_sha256 TEXT",      # kept here once a revert frees sha256
    """UPDATE imports SET newest_filing_date = (
        SELECT max(f.filing_date) FROM filing_sources s JOIN filings f USING (application_no)
        WHERE s.import_id = imports.id) WHERE kind = 'filings'""",
    """CREATE TABLE import_reverts (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id),
        reverted_at TEXT NOT NULL, reverted_by TEXT NOT NULL, why TEXT NOT NULL,
        removed INTEGER NOT NULL, restored INTEGER NOT NULL)""",
    "ALTER TABLE rejects ADD COLUMN canonical_no TEXT",
    "CREATE INDEX rejects_by_import ON rejects (import_id)",
    "CREATE INDEX rejects_by_canonical ON rejects (canonical_no)",
    "CREATE INDEX warnings_by_import ON warnings (import_id)",
    "CREATE INDEX filing_sources_by_no ON filing_sources (application_no, import_id)",
    "CREATE INDEX filing_sources_by_import ON filing_sources (import_id)",
    "CREATE INDEX filing_history_by_replacer ON filing_history (replaced_by_import_id)",
    "CREATE INDEX filings_by_first_import ON filings (first_import_id)",
    """CREATE TABLE reject_dismissals (
        id INTEGER PRIMARY KEY,
        reject_id INTEGER NOT NULL,          -- no foreign key: a reverted import's rejects go
        dismissed_at TEXT NOT NULL, dismissed_by TEXT NOT NULL, why TEXT NOT NULL)""",
    "CREATE INDEX reject_dismissals_by_reject ON reject_dismissals (reject_id)",
    """CREATE TABLE attribution_overrides (
        id INTEGER PRIMARY KEY,
        application_no TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('to', 'none', 'clear')),
        credit_code TEXT,                    -- for 'to'
        made_at TEXT NOT NULL, made_by TEXT NOT NULL, why TEXT NOT NULL)""",
    "CREATE INDEX attribution_overrides_by_no ON attribution_overrides (application_no, id)",
    *(f"""CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} BEGIN
        SELECT RAISE(ABORT, '{t} is append-only');
    END""" for t in APPEND_ONLY for op in ("UPDATE", "DELETE")),
    # A restore (a revert putting back older values) lowers last_import_id: it is recorded in
    # import_reverts, not as a new version of the filing.
    "DROP TRIGGER filings_keep_history",
    KEEP_HISTORY,
    # the registry keeps its versions too, so a registry import can be taken back
    "ALTER TABLE entities ADD COLUMN first_import_id INTEGER",
    "UPDATE entities SET first_import_id = import_id",
    "ALTER TABLE entity_aliases ADD COLUMN import_id INTEGER",
    """CREATE TABLE entity_history (
        id INTEGER PRIMARY KEY,
        credit_code TEXT NOT NULL,
        name TEXT, name_key TEXT, township TEXT, aliases TEXT, high_tech INTEGER, above_scale INTEGER,
        from_import_id INTEGER, replaced_by_import_id INTEGER)""",
    "CREATE INDEX entity_history_by_replacer ON entity_history (replaced_by_import_id)",
    """CREATE TRIGGER entities_keep_history BEFORE UPDATE ON entities
       WHEN NEW.import_id >= OLD.import_id BEGIN
        INSERT INTO entity_history (credit_code, name, name_key, township, aliases, high_tech,
            above_scale, from_import_id, replaced_by_import_id)
        VALUES (OLD.credit_code, OLD.name, OLD.name_key, OLD.township, OLD.aliases, OLD.high_tech,
            OLD.above_scale, OLD.import_id, NEW.import_id);
    END""",
    """CREATE TABLE entity_alias_history (   -- aliases a registry import replaced
        credit_code TEXT NOT NULL, alias TEXT NOT NULL, alias_key TEXT NOT NULL,
        from_import_id INTEGER, replaced_by_import_id INTEGER NOT NULL)""",
    "CREATE INDEX entity_alias_history_by_replacer ON entity_alias_history (replaced_by_import_id)",
))

# Filings written compactly (issue 12: a million-row import stores less per row), for homes made
# before and after. `first_applicant` and `first_applicant_key` are no longer stored: they are
# generated columns, the first name of `applicants` and its compared form, which is stored
# (`first_key_stored`) only where it differs from the name itself. The provenance of a filing's
# first import is its row (`first_line`, `first_extra`); only the later imports that carried
# it have a row in `later_sources`. `filing_sources` is the view of both, as the table was.
_FIRST_APPLICANT = ("CASE WHEN instr(applicants, '; ') > 0 THEN substr(applicants, 1, instr(applicants, '; ') - 1) "
                    "ELSE applicants END")

migrations(name="compact_filings")(_statements(
    "DROP TRIGGER filings_keep_history",           # it names first_applicant; made again below
    "ALTER TABLE filings ADD COLUMN first_line INTEGER",   # the row's line in the first import
    "ALTER TABLE filings ADD COLUMN first_extra TEXT",     # that row's unrecognised columns, JSON
    # the compared form of the first applicant where it is not the name itself
    "ALTER TABLE filings ADD COLUMN first_key_stored TEXT",
    "UPDATE filings SET first_key_stored = first_applicant_key WHERE first_applicant_key IS NOT first_applicant",
    """UPDATE filings SET (first_line, first_extra) = (
        SELECT s.line, s.extra FROM filing_sources s
        WHERE s.application_no = filings.application_no AND s.import_id = filings.first_import_id
        ORDER BY s.rowid LIMIT 1)""",
    """CREATE TABLE later_sources (          -- provenance after a filing's first import
        application_no TEXT NOT NULL,
        import_id INTEGER NOT NULL REFERENCES imports(id),
        line INTEGER NOT NULL,
        extra TEXT)""",
    """INSERT INTO later_sources (application_no, import_id, line, extra)
        SELECT s.application_no, s.import_id, s.line, s.extra FROM filing_sources s
        WHERE NOT EXISTS (SELECT 1 FROM filings f WHERE f.application_no = s.application_no
                          AND f.first_import_id = s.import_id AND f.first_line = s.line)
        ORDER BY s.rowid""",
    "DROP TABLE filing_sources",
    "CREATE INDEX later_sources_by_no ON later_sources (application_no, import_id)",
    "CREATE INDEX later_sources_by_import ON later_sources (import_id)",
    """CREATE VIEW filing_sources (application_no, import_id, line, extra) AS
        SELECT application_no, first_import_id, first_line, first_extra FROM filings
        WHERE first_line IS NOT NULL
        UNION ALL SELECT application_no, import_id, line, extra FROM later_sources""",
    "ALTER TABLE filings DROP COLUMN first_applicant",
    "ALTER TABLE filings DROP COLUMN first_applicant_key",
    f"ALTER TABLE filings ADD COLUMN first_applicant TEXT GENERATED ALWAYS AS ({_FIRST_APPLICANT}) VIRTUAL",
    "ALTER TABLE filings ADD COLUMN first_applicant_key TEXT "
    "GENERATED ALWAYS AS (coalesce(first_key_stored, first_applicant)) VIRTUAL",
    KEEP_HISTORY,
))

# The filings an import created are found by a scan when it is taken back (a revert, once, reads a
# million rows in a fraction of a second); kept as an index, every import of a million filings
# paid 0.4 s to write it.
migrations(name="drop_first_import_index")(_statements("DROP INDEX IF EXISTS filings_by_first_import"))

# --- rejects --------------------------------------------------------------------------------------

# the import that resolved a reject: the first later one that carried its number. The two halves of
# filing_sources are asked apart — through the view, SQLite builds the whole view for the query
# (a million rows) before it looks one number up
_RESOLVER = """(SELECT min(v) FROM (
                  SELECT f.first_import_id AS v FROM filings f WHERE f.application_no = r.canonical_no
                         AND f.first_line IS NOT NULL AND f.first_import_id > r.import_id
                  UNION ALL SELECT s.import_id FROM later_sources s
                  WHERE s.application_no = r.canonical_no AND s.import_id > r.import_id))"""
_DISMISSAL = "(SELECT max(d.id) FROM reject_dismissals d WHERE d.reject_id = r.id)"
REJECT_COLUMNS = ("id", "file", "line", "application_no", "reason", "message", "state", "imported_at",
                  "import_id", "kind", "resolved_by_import_id", "resolved_by_file", "dismissed_at",
                  "dismissed_by", "why")


def _rejects_sql(where: str) -> str:
    return f"""
        SELECT * FROM (
          SELECT r.id, i.file, r.line, r.application_no, r.reason, r.message,
                 CASE WHEN x.dismissal IS NOT NULL THEN 'dismissed'
                      WHEN x.resolver IS NOT NULL THEN 'resolved' ELSE 'open' END AS state,
                 i.imported_at, r.import_id, i.kind, x.resolver AS resolved_by_import_id,
                 ri.file AS resolved_by_file, d.dismissed_at, d.dismissed_by, d.why
          FROM rejects r JOIN imports i ON i.id = r.import_id
          JOIN (SELECT r.id, {_RESOLVER} AS resolver, {_DISMISSAL} AS dismissal FROM rejects r) x
               ON x.id = r.id
          LEFT JOIN imports ri ON ri.id = x.resolver
          LEFT JOIN reject_dismissals d ON d.id = x.dismissal
          WHERE i.kind = ?) t
        {where} ORDER BY id"""


def rejects(db: Database, kind: str = "filings", *, states=("open",), file: str | None = None) -> list[dict]:
    """Rejects of one kind of import in the given states (None: every state), oldest first."""
    where, params = [], [kind]
    if states is not None:
        where.append(f"state IN ({', '.join('?' * len(states))})")
        params.extend(states)
    if file is not None:
        where.append("file = ?")
        params.append(file)
    cur = db.conn.execute(_rejects_sql("WHERE " + " AND ".join(where) if where else ""), params)
    return [dict(zip(REJECT_COLUMNS, r)) for r in cur.fetchall()]


def reject_states(db: Database, kind: str = "filings") -> dict[str, int]:
    cur = db.conn.execute(f"SELECT state, count(*) FROM ({_rejects_sql('')}) GROUP BY state", (kind,))
    return {"open": 0, "resolved": 0, "dismissed": 0, **dict(cur.fetchall())}


def open_reject_count(db: Database, kind: str = "filings") -> int:
    return reject_states(db, kind)["open"]


def reject(db: Database, reject_id: int) -> dict | None:
    row = db.conn.execute("SELECT i.kind FROM rejects r JOIN imports i ON i.id = r.import_id "
                          "WHERE r.id = ?", (reject_id,)).fetchone()
    if row is None:
        return None
    cur = db.conn.execute(_rejects_sql("WHERE id = ?"), (row[0], reject_id))
    found = cur.fetchone()
    return None if found is None else dict(zip(REJECT_COLUMNS, found))


def dismiss(db: Database, reject_id: int, *, at: str, by: str, why: str) -> None:
    db.conn.execute("INSERT INTO reject_dismissals (reject_id, dismissed_at, dismissed_by, why) "
                    "VALUES (?, ?, ?, ?)", (reject_id, at, by, why))


# --- attribution overrides ------------------------------------------------------------------------

def add_override(db: Database, application_no: str, action: str, credit_code: str | None, *,
                 at: str, by: str, why: str) -> None:
    db.conn.execute("INSERT INTO attribution_overrides (application_no, action, credit_code, made_at, "
                    "made_by, why) VALUES (?, ?, ?, ?, ?, ?)",
                    (application_no, action, credit_code, at, by, why))


def overrides(db: Database) -> pl.DataFrame:
    """The override in force per filing (the latest row; a 'clear' row ends it):
    application_no, action ('to' | 'none'), credit_code, made_at, made_by, why."""
    return frame(db, """
        SELECT o.application_no, o.action, o.credit_code, o.made_at, o.made_by, o.why
        FROM attribution_overrides o
        WHERE o.id = (SELECT max(id) FROM attribution_overrides x WHERE x.application_no = o.application_no)
          AND o.action != 'clear'
        ORDER BY o.application_no""")


def override_log(db: Database) -> list[dict]:
    cur = db.conn.execute("""SELECT o.id, o.application_no, o.action, o.credit_code, e.name, o.made_at,
        o.made_by, o.why, f.first_applicant FROM attribution_overrides o
        LEFT JOIN entities e ON e.credit_code = o.credit_code
        LEFT JOIN filings f ON f.application_no = o.application_no ORDER BY o.id DESC""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def filing_exists(db: Database, application_no: str) -> bool:
    return db.conn.execute("SELECT 1 FROM filings WHERE application_no = ?", (application_no,)).fetchone() is not None


def entity_exists(db: Database, credit_code: str) -> bool:
    return db.conn.execute("SELECT 1 FROM entities WHERE credit_code = ?", (credit_code,)).fetchone() is not None


# --- imports and reverts --------------------------------------------------------------------------

IMPORT_COLUMNS = ("id", "kind", "file", "agency", "sha256", "imported_at", "rows", "new", "updated",
                  "unchanged", "duplicate", "rejected", "warnings", "status", "reverted_at",
                  "reverted_by", "why")


def set_import_facts(db, import_id: int, *, agency: str | None, newest_filing_date: str | None,
                     import_day: str | None) -> None:
    """Who sent a filings import and the dates undated grants are dated by. `db`: the sqlite3
    store, or an ADBC session (store/bulk.py; typed parameters, so a null binds as text)."""
    sql = "UPDATE imports SET agency = ?, newest_filing_date = ?, import_day = ? WHERE id = ?"
    if hasattr(db, "ingest"):
        db.run(sql, pl.DataFrame({"a": [agency], "n": [newest_filing_date], "d": [import_day], "i": [import_id]},
                                 schema={"a": pl.String, "n": pl.String, "d": pl.String, "i": pl.Int64}))
    else:
        db.conn.execute(sql, (agency, newest_filing_date, import_day, import_id))


def imports(db: Database, import_id: int | None = None) -> list[dict]:
    """Every import, newest first, with its revert (who, when, why) when it was taken back."""
    cur = db.conn.execute(f"""
        SELECT i.id, i.kind, i.file, i.agency, coalesce(i.original_sha256, i.sha256), i.imported_at,
               i.rows, i.new, i.updated, i.unchanged, i.duplicate, i.rejected, i.warnings, i.status,
               r.reverted_at, r.reverted_by, r.why
        FROM imports i LEFT JOIN import_reverts r ON r.import_id = i.id
        {'' if import_id is None else 'WHERE i.id = ?'} ORDER BY i.id DESC""",
        () if import_id is None else (import_id,))
    return [dict(zip(IMPORT_COLUMNS, r)) for r in cur.fetchall()]


def later_touching(db: Database, import_id: int) -> dict | None:
    """The newest not-reverted later filings import that created or updated a filing this import
    created or updated (an update leaves a history row naming the import that made it)."""
    row = db.conn.execute("""
        WITH touched(application_no) AS (
            SELECT application_no FROM filings WHERE first_import_id = :i
            UNION SELECT application_no FROM filing_history WHERE replaced_by_import_id = :i)
        SELECT i.id, i.file, count(DISTINCT h.application_no) FROM filing_history h
        JOIN touched t USING (application_no) JOIN imports i ON i.id = h.replaced_by_import_id
        WHERE h.replaced_by_import_id > :i AND i.status != 'reverted'
        GROUP BY i.id ORDER BY i.id DESC LIMIT 1""", {"i": import_id}).fetchone()
    return None if row is None else {"id": row[0], "file": row[1], "filings": row[2]}


def later_registry_touching(db: Database, import_id: int) -> dict | None:
    """The newest not-reverted later registry import that changed an entity (or its aliases)
    this one added or changed."""
    row = db.conn.execute("""
        WITH touched(credit_code) AS (
            SELECT credit_code FROM entities WHERE first_import_id = :i
            UNION SELECT credit_code FROM entity_history WHERE replaced_by_import_id = :i
            UNION SELECT credit_code FROM entity_aliases WHERE import_id = :i
            UNION SELECT credit_code FROM entity_alias_history WHERE replaced_by_import_id = :i),
        later(id, credit_code) AS (
            SELECT replaced_by_import_id, credit_code FROM entity_history WHERE replaced_by_import_id > :i
            UNION SELECT replaced_by_import_id, credit_code FROM entity_alias_history
                  WHERE replaced_by_import_id > :i)
        SELECT i.id, i.file FROM later l JOIN touched t USING (credit_code)
        JOIN imports i ON i.id = l.id WHERE i.status != 'reverted' ORDER BY i.id DESC LIMIT 1""",
        {"i": import_id}).fetchone()
    return None if row is None else {"id": row[0], "file": row[1]}


def claims_on_created(db: Database, import_id: int) -> list[str]:
    """Subsidy claims resting on a filing this import created (none before the claims log exists)."""
    if not db.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'subsidy_claims'").fetchone():
        return []
    cur = db.conn.execute("SELECT c.id FROM subsidy_claims c JOIN filings f USING (application_no) "
                          "WHERE f.first_import_id = ? ORDER BY c.id", (import_id,))
    return [r[0] for r in cur.fetchall()]


def restore_versions(db: Database, import_id: int) -> pl.DataFrame:
    """The versions of the filings that this import updated, as they were before it
    (the filings it created are not among them)."""
    return frame(db, f"""
        SELECT h.application_no, {', '.join('h.' + f for f in HISTORY_FIELDS)}, h.from_import_id
        FROM filing_history h JOIN filings f USING (application_no)
        WHERE h.replaced_by_import_id = ? AND f.first_import_id != ?""", (import_id, import_id),
        schema={"from_import_id": pl.Int64})


def revert_filings(db: Database, import_id: int, restore: pl.DataFrame) -> int:
    """Remove the filings the import created and put back `restore` (with first_applicant_key);
    returns how many filings were removed. (first_applicant is generated from applicants, the key
    stored only where it differs from the name: see the migration compact_filings.)"""
    cols = [*(f for f in HISTORY_FIELDS if f != "first_applicant"), "first_key_stored"]
    restore = restore.with_columns(first_key_stored=pl.when(pl.col("first_applicant_key") != pl.col("first_applicant"))
                                   .then(pl.col("first_applicant_key")))
    db.conn.executemany(
        f"UPDATE filings SET {', '.join(f'{c} = ?' for c in cols)}, last_import_id = ? "
        "WHERE application_no = ?", restore.select(*cols, "from_import_id", "application_no").iter_rows())
    removed = db.conn.execute("DELETE FROM filings WHERE first_import_id = ?", (import_id,)).rowcount
    _forget_rows(db, import_id)
    db.conn.execute("DELETE FROM later_sources WHERE import_id = ?", (import_id,))
    return removed


def revert_registry(db: Database, import_id: int) -> tuple[int, int]:
    """Put the registry back as it was before the import: entities it changed get their earlier
    values, their replaced aliases come back, the entities it added go. Returns (removed, restored)."""
    conn = db.conn
    restore = conn.execute(f"""
        SELECT h.credit_code, {', '.join('h.' + f for f in ENTITY_FIELDS)}, h.from_import_id
        FROM entity_history h JOIN entities e USING (credit_code)
        WHERE h.replaced_by_import_id = ? AND e.first_import_id IS NOT ?""", (import_id, import_id)).fetchall()
    conn.executemany(f"UPDATE entities SET {', '.join(f'{c} = ?' for c in ENTITY_FIELDS)}, import_id = ? "
                     "WHERE credit_code = ?", [(*r[1:], r[0]) for r in restore])
    conn.execute("DELETE FROM entity_aliases WHERE import_id = ?", (import_id,))
    conn.execute("""INSERT OR IGNORE INTO entity_aliases (credit_code, alias, alias_key, import_id)
        SELECT credit_code, alias, alias_key, from_import_id FROM entity_alias_history
        WHERE replaced_by_import_id = ? AND credit_code IN (SELECT credit_code FROM entities)""",
                 (import_id,))
    removed = conn.execute("DELETE FROM entities WHERE first_import_id = ?", (import_id,)).rowcount
    _forget_rows(db, import_id)
    return removed, len(restore)


def _forget_rows(db: Database, import_id: int) -> None:
    db.conn.execute("DELETE FROM rejects WHERE import_id = ?", (import_id,))
    db.conn.execute("DELETE FROM warnings WHERE import_id = ?", (import_id,))


def mark_reverted(db: Database, import_id: int, *, at: str, by: str, why: str, removed: int,
                  restored: int) -> None:
    """Status `reverted`, the SHA-256 freed (moved to original_sha256), and the revert recorded."""
    db.conn.execute("UPDATE imports SET status = 'reverted', original_sha256 = sha256, "
                    "sha256 = 'reverted:' || id || ':' || sha256 WHERE id = ?", (import_id,))
    db.conn.execute("INSERT INTO import_reverts (import_id, reverted_at, reverted_by, why, removed, restored) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (import_id, at, by, why, removed, restored))


def save_alias_history(db: Database, import_id: int, codes: list[str]) -> None:
    """Before a registry import replaces the aliases of `codes`, keep the ones it replaces."""
    db.conn.execute("""INSERT INTO entity_alias_history (credit_code, alias, alias_key, from_import_id,
        replaced_by_import_id) SELECT a.credit_code, a.alias, a.alias_key, a.import_id, ?
        FROM entity_aliases a JOIN json_each(?) j ON a.credit_code = j.value""",
                    (import_id, json.dumps(codes, ensure_ascii=False)))


# --- agencies -------------------------------------------------------------------------------------

def agency_imports(db: Database) -> pl.DataFrame:
    """Every agency-file import that was not taken back: agency, file, imported_at, counts."""
    return frame(db, """SELECT id, agency, file, imported_at, rows, new, updated, rejected
        FROM imports WHERE kind = 'filings' AND status = 'imported' ORDER BY id""",
                 schema=dict.fromkeys(("id", "rows", "new", "updated", "rejected"), pl.Int64))
