"""SQL for imports, filings, the registry, rejects and warnings."""

from __future__ import annotations

import polars as pl
from sqlite_utils import Database

from . import frame

FILING_FIELDS = ("type", "filing_date", "applicants", "first_applicant", "first_applicant_key",
                 "title", "status", "credit_code", "agency", "inventors", "grant_date")
ENTITY_FIELDS = ("name", "name_key", "township", "aliases", "high_tech", "above_scale")
COUNT_KEYS = ("rows", "new", "updated", "unchanged", "duplicate", "rejected", "warnings")


def find_import(db: Database, kind: str, sha256: str) -> dict | None:
    row = db.conn.execute("SELECT id, file, imported_at FROM imports WHERE kind = ? AND sha256 = ?",
                          (kind, sha256)).fetchone()
    return None if row is None else {"id": row[0], "file": row[1], "imported_at": row[2]}


def start_import(db: Database, kind: str, file: str, sha256: str, now: str) -> int:
    return db.conn.execute("INSERT INTO imports (kind, file, sha256, imported_at) VALUES (?, ?, ?, ?)",
                           (kind, file, sha256, now)).lastrowid


def finish_import(db: Database, import_id: int, counts: dict) -> None:
    db.conn.execute(
        f"UPDATE imports SET {', '.join(f'{k} = ?' for k in COUNT_KEYS)} WHERE id = ?",
        (*[counts[k] for k in COUNT_KEYS], import_id))


def _stage(db: Database, name: str, df: pl.DataFrame, key: str) -> None:
    cols = df.columns
    db.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
    db.conn.execute(f"CREATE TEMP TABLE {name} ({', '.join(cols)}, PRIMARY KEY ({key}))")
    db.conn.executemany(f"INSERT INTO temp.{name} VALUES ({', '.join('?' * len(cols))})",
                        df.iter_rows())


def _differs(fields, new: str, old: str) -> str:
    return " OR ".join(f"({new}.{f} IS NOT NULL AND {new}.{f} IS NOT {old}.{f})" for f in fields)


def _merge_counts(db: Database, table: str, key: str, fields) -> tuple[int, int]:
    new = db.conn.execute(
        f"SELECT count(*) FROM temp.staging s LEFT JOIN {table} t USING ({key}) "
        f"WHERE t.{key} IS NULL").fetchone()[0]
    updated = db.conn.execute(
        f"SELECT count(*) FROM temp.staging s JOIN {table} t USING ({key}) "
        f"WHERE {_differs(fields, 's', 't')}").fetchone()[0]
    return new, updated


def save_rows(db: Database, table: str, import_id: int, df: pl.DataFrame) -> None:
    """Rejects or warnings of one import: columns line, application_no, reason|code, message."""
    cols = ["import_id", *df.columns]
    db.conn.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        df.with_columns(pl.lit(import_id).alias("import_id")).select(cols).iter_rows())


def save_filings(db: Database, import_id: int, filings: pl.DataFrame) -> tuple[int, int]:
    """Merge one file's filings (unique numbers) into the store; returns (new, updated).

    A field the file does not carry, or an empty cell, keeps its stored value;
    the trigger `filings_keep_history` keeps the values an update replaces.
    """
    cols = ["application_no", *FILING_FIELDS, "line", "extra"]
    _stage(db, "staging", filings.select(cols), "application_no")
    new, updated = _merge_counts(db, "filings", "application_no", FILING_FIELDS)
    sets = ", ".join(f"{f} = coalesce(excluded.{f}, filings.{f})" for f in FILING_FIELDS)
    db.conn.execute(
        f"""INSERT INTO filings (application_no, {', '.join(FILING_FIELDS)}, first_import_id, last_import_id)
            SELECT application_no, {', '.join(FILING_FIELDS)}, :imp, :imp FROM temp.staging WHERE true
            ON CONFLICT (application_no) DO UPDATE SET {sets}, last_import_id = excluded.last_import_id
            WHERE {_differs(FILING_FIELDS, 'excluded', 'filings')}""", {"imp": import_id})
    db.conn.execute(
        "INSERT OR REPLACE INTO filing_sources (application_no, import_id, line, extra) "
        "SELECT application_no, ?, line, extra FROM temp.staging", (import_id,))
    db.conn.execute("DROP TABLE temp.staging")
    return new, updated


def save_entities(db: Database, import_id: int, entities: pl.DataFrame,
                  aliases: pl.DataFrame) -> tuple[int, int]:
    """Upsert registry rows by credit code; an entity's aliases are replaced when the file gives some."""
    cols = ["credit_code", *ENTITY_FIELDS]
    _stage(db, "staging", entities.select(cols), "credit_code")
    new, updated = _merge_counts(db, "entities", "credit_code", ENTITY_FIELDS)
    sets = ", ".join(f"{f} = coalesce(excluded.{f}, entities.{f})" for f in ENTITY_FIELDS)
    db.conn.execute(
        f"""INSERT INTO entities (credit_code, {', '.join(ENTITY_FIELDS)}, import_id)
            SELECT credit_code, {', '.join(ENTITY_FIELDS)}, :imp FROM temp.staging WHERE true
            ON CONFLICT (credit_code) DO UPDATE SET {sets}, import_id = excluded.import_id
            WHERE {_differs(ENTITY_FIELDS, 'excluded', 'entities')}""", {"imp": import_id})
    db.conn.execute("DELETE FROM entity_aliases WHERE credit_code IN "
                    "(SELECT credit_code FROM temp.staging WHERE aliases IS NOT NULL)")
    db.conn.executemany("INSERT OR IGNORE INTO entity_aliases (credit_code, alias, alias_key) VALUES (?, ?, ?)",
                        aliases.select("credit_code", "alias", "alias_key").iter_rows())
    db.conn.execute("DROP TABLE temp.staging")
    return new, updated


# --- reading -------------------------------------------------------------------------------------

def rejects(db: Database, kind: str = "filings") -> list[dict]:
    cur = db.conn.execute(
        "SELECT i.file, r.line, r.application_no, r.reason, r.message, i.imported_at "
        "FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.kind = ? ORDER BY r.id", (kind,))
    return [dict(zip(("file", "line", "application_no", "reason", "message", "imported_at"), r))
            for r in cur.fetchall()]


def warnings(db: Database, kind: str = "filings") -> list[dict]:
    cur = db.conn.execute(
        "SELECT i.file, w.line, w.application_no, w.code, w.message "
        "FROM warnings w JOIN imports i ON i.id = w.import_id WHERE i.kind = ? ORDER BY w.id", (kind,))
    return [dict(zip(("file", "line", "application_no", "code", "message"), r)) for r in cur.fetchall()]


def reject_count(db: Database, kind: str = "filings") -> int:
    return db.conn.execute("SELECT count(*) FROM rejects r JOIN imports i ON i.id = r.import_id "
                           "WHERE i.kind = ?", (kind,)).fetchone()[0]


def last_import_at(db: Database) -> str | None:
    return db.conn.execute("SELECT max(imported_at) FROM imports").fetchone()[0]


def imports_list(db: Database) -> list[dict]:
    cur = db.conn.execute(f"SELECT id, kind, file, sha256, imported_at, {', '.join(COUNT_KEYS)} "
                          "FROM imports ORDER BY id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def filings_between(db: Database, start: str, end: str) -> pl.DataFrame:
    """Filings with a filing date in [start, end] (ISO dates), every stored field."""
    return frame(db, "SELECT application_no, type, filing_date, applicants, first_applicant, "
                     "first_applicant_key, title, status, credit_code, agency, grant_date "
                     "FROM filings WHERE filing_date BETWEEN ? AND ? ORDER BY filing_date, application_no",
                 (start, end))


def entities(db: Database) -> pl.DataFrame:
    return frame(db, "SELECT credit_code, name, name_key, township, aliases, high_tech, above_scale "
                     "FROM entities ORDER BY credit_code",
                 schema={"high_tech": pl.Int64, "above_scale": pl.Int64})


def entity_aliases(db: Database) -> pl.DataFrame:
    return frame(db, "SELECT credit_code, alias, alias_key FROM entity_aliases ORDER BY credit_code")


def history(db: Database, start: str, end: str) -> pl.DataFrame:
    """Every replaced version of the filings dated in [start, end], oldest first, with the
    filing's current status and the import (file, time) that replaced the version."""
    return frame(db, """
        SELECT h.id, h.application_no, h.status AS old_status, f.status AS current_status,
               i.imported_at AS changed_at, i.file AS file
        FROM filing_history h JOIN filings f USING (application_no)
        JOIN imports i ON i.id = h.replaced_by_import_id
        WHERE f.filing_date BETWEEN ? AND ?
        ORDER BY h.application_no, h.id""", (start, end), schema={"id": pl.Int64})


def provenance(db: Database, application_no: str) -> list[dict]:
    cur = db.conn.execute("SELECT i.file, s.line, i.imported_at FROM filing_sources s "
                          "JOIN imports i ON i.id = s.import_id WHERE s.application_no = ? ORDER BY i.id",
                          (application_no,))
    return [dict(zip(("file", "line", "imported_at"), r)) for r in cur.fetchall()]


def counts(db: Database) -> dict:
    one = lambda sql: db.conn.execute(sql).fetchone()[0]
    return {"filings": one("SELECT count(*) FROM filings"),
            "entities": one("SELECT count(*) FROM entities"),
            "rejects": reject_count(db),
            "imports": one("SELECT count(*) FROM imports")}
