"""SQL for imports, filings, the registry, rejects and warnings."""

from __future__ import annotations

import json

import polars as pl
from sqlite_utils import Database

from ..filings import COLUMNS as FILING_COLUMNS
from ..filings import FIELDS as FILING_FIELDS
from ..collate import pinyin_key
from ..filings import GENERATED, STORED
from ..merge import merge
from . import corrections
from .db import frame, migrations


def _fill_name_keys(db: Database) -> None:
    db.execute("CREATE TABLE name_pinyin (name TEXT PRIMARY KEY, key TEXT NOT NULL)")
    save_name_keys(db, [r[0] for r in db.execute("SELECT name FROM entities UNION SELECT township FROM entities "
                                                  "WHERE township IS NOT NULL").fetchall()])


# The pinyin sort key of each registered name and township (collate.pinyin_key, a pure function of
# the text), worked out when the registry is imported: sorting 5,000 names by pinyin at every read
# cost a second.
migrations(name="name_pinyin")(_fill_name_keys)

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


def _stored(db: Database, table: str, key: str, fields, keys: pl.Series, schema) -> pl.DataFrame:
    """The stored versions of `keys` (one JSON parameter, joined in SQLite: no temp table)."""
    return frame(db, f"SELECT t.{key}, {', '.join(f't.{f}' for f in fields)} FROM json_each(?) j "
                     f"JOIN {table} t ON t.{key} = j.value",
                 (json.dumps(keys.to_list(), ensure_ascii=False),), schema=schema)


def _insert(db: Database, table: str, df: pl.DataFrame, extra: dict | None = None) -> None:
    extra = extra or {}
    cols = [*df.columns, *extra]
    db.conn.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        df.with_columns(pl.lit(v).alias(k) for k, v in extra.items()).iter_rows())


def _update(db: Database, table: str, key: str, df: pl.DataFrame, extra: dict) -> None:
    cols = [c for c in df.columns if c != key]
    sets = ", ".join(f"{c} = ?" for c in [*cols, *extra])
    db.conn.executemany(
        f"UPDATE {table} SET {sets} WHERE {key} = ?",
        df.with_columns(pl.lit(v).alias(k) for k, v in extra.items()).select(*cols, *extra, key).iter_rows())


def save_rows(db: Database, table: str, import_id: int, df: pl.DataFrame) -> None:
    """Rejects or warnings of one import: columns line, application_no, reason|code, message."""
    _insert(db, table, df, {"import_id": import_id})


def _stored_form(df: pl.DataFrame) -> pl.DataFrame:
    """Filings as the table stores them (migration compact_filings): first_applicant is generated
    from applicants, first_applicant_key stored only where it differs from the name."""
    key, first = pl.col("first_applicant_key"), pl.col("first_applicant")
    rest = [c for c in df.columns if c not in FILING_COLUMNS]
    return df.with_columns(first_key_stored=pl.when(key != first).then(key)).select(*STORED, *rest)


def _new_rows(new: pl.DataFrame, import_id: int) -> pl.DataFrame:
    """New filings with their import and their provenance (the line and extra cells of their row)."""
    ids_ = pl.lit(import_id, pl.Int64)
    return _stored_form(new).rename({"line": "first_line", "extra": "first_extra"}).with_columns(
        first_import_id=ids_, last_import_id=ids_)


def _later_sources(incoming: pl.DataFrame, new: pl.DataFrame, import_id: int) -> pl.DataFrame:
    """The provenance rows of the filings already stored (updated or unchanged by this import)."""
    return (incoming.select("application_no", "line", "extra")
            .join(new.select("application_no"), on="application_no", how="anti")
            .with_columns(import_id=pl.lit(import_id, pl.Int64)))


def save_filings(db: Database, import_id: int, filings: pl.DataFrame) -> tuple[int, int]:
    """Merge one file's filings (unique numbers) into the store; returns (new, updated).

    The trigger `filings_keep_history` keeps the values an update replaces.
    """
    incoming = filings.select(*FILING_COLUMNS, "line", "extra")
    stored = _stored(db, "filings", "application_no", FILING_FIELDS, incoming["application_no"],
                     incoming.select(FILING_COLUMNS).schema)
    m = merge(incoming, stored, "application_no", list(FILING_FIELDS))
    _insert(db, "filings", _new_rows(m.new, import_id))
    _update(db, "filings", "application_no", _stored_form(m.updated.drop("line", "extra")),
            {"last_import_id": import_id})
    if stored.height:
        _insert(db, "later_sources", _later_sources(incoming, m.new, import_id))
    return m.new.height, m.updated.height


# --- the same writes through ADBC (store/bulk.py): Arrow columns bound directly, no Python rows ---

def find_import_bulk(b, kind: str, sha256: str) -> bool:
    return b.scalar("SELECT count(*) FROM imports WHERE kind = ? AND sha256 = ?", (kind, sha256)) > 0


def start_import_bulk(b, kind: str, file: str, sha256: str, now: str) -> int:
    return b.scalar("INSERT INTO imports (kind, file, sha256, imported_at) VALUES (?, ?, ?, ?) RETURNING id",
                    (kind, file, sha256, now))


def finish_import_bulk(b, import_id: int, counts: dict) -> None:
    b.run(f"UPDATE imports SET {', '.join(f'{k} = ?' for k in COUNT_KEYS)} WHERE id = ?",
              (*[counts[k] for k in COUNT_KEYS], import_id))


def save_rows_bulk(b, table: str, import_id: int, df: pl.DataFrame) -> None:
    b.ingest(table, df.with_columns(import_id=pl.lit(import_id, pl.Int64)))


def any_filing_bulk(b) -> bool:
    return bool(b.scalar("SELECT EXISTS (SELECT 1 FROM filings)"))


def save_filings_bulk(b, import_id: int, filings: pl.DataFrame, stored_before: bool | None = None
                      ) -> tuple[int, int]:
    """`save_filings` through ADBC: the stored versions of the incoming numbers are read by a join
    with a temporary table of those numbers; new rows are appended in key order. `stored_before`:
    whether the table held filings before this import began (asked here when not given: a
    piece of an import does not look up the numbers of its own earlier pieces)."""
    incoming = filings.select(*FILING_COLUMNS, "line", "extra")
    if any_filing_bulk(b) if stored_before is None else stored_before:
        b.run("CREATE TEMP TABLE IF NOT EXISTS incoming (application_no TEXT PRIMARY KEY)")
        b.run("DELETE FROM temp.incoming")
        b.run("INSERT INTO temp.incoming (application_no) VALUES (?)", incoming.select("application_no"))
        stored = b.frame(f"SELECT f.application_no, {', '.join(f'f.{c}' for c in FILING_FIELDS)} "
                         "FROM temp.incoming i JOIN filings f USING (application_no)")
        b.run("DELETE FROM temp.incoming")
    else:
        stored = incoming.select(FILING_COLUMNS).clear()
    m = merge(incoming, stored, "application_no", list(FILING_FIELDS))
    b.ingest("filings", _new_rows(m.new, import_id))
    if m.updated.height:
        updated = _stored_form(m.updated.drop("line", "extra"))
        fields = [c for c in updated.columns if c != "application_no"]
        b.run(f"UPDATE filings SET {', '.join(f'{c} = ?' for c in fields)}, last_import_id = ? "
              "WHERE application_no = ?",
              updated.select(*fields, pl.lit(import_id, pl.Int64).alias("last_import_id"), "application_no"))
    if stored.height:
        b.ingest("later_sources", _later_sources(incoming, m.new, import_id))
    return m.new.height, m.updated.height


def preview_filings(db: Database | None, filings: pl.DataFrame) -> tuple[int, int]:
    """(new, updated) that `save_filings` would count, without writing (db None: nothing stored)."""
    if db is None or not db.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'filings'").fetchone():
        return filings.height, 0
    incoming = filings.select("application_no", *FILING_FIELDS)
    stored = _stored(db, "filings", "application_no", FILING_FIELDS, incoming["application_no"],
                     incoming.schema)
    m = merge(incoming, stored, "application_no", list(FILING_FIELDS))
    return m.new.height, m.updated.height


def imported_before(db: Database | None, kind: str, sha256: str) -> dict | None:
    """find_import on a database that may not exist yet (read-only callers)."""
    if db is None or not db.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'imports'").fetchone():
        return None
    return find_import(db, kind, sha256)


def save_entities(db: Database, import_id: int, entities: pl.DataFrame,
                  aliases: pl.DataFrame) -> tuple[int, int]:
    """Upsert registry rows by credit code; an entity's aliases are replaced when the file gives some."""
    incoming = entities.select("credit_code", *ENTITY_FIELDS)
    stored = _stored(db, "entities", "credit_code", ENTITY_FIELDS, incoming["credit_code"], incoming.schema)
    m = merge(incoming, stored, "credit_code", list(ENTITY_FIELDS))
    _insert(db, "entities", m.new, {"import_id": import_id, "first_import_id": import_id})
    _update(db, "entities", "credit_code", m.updated, {"import_id": import_id})
    replaced = aliases["credit_code"].unique().sort()
    corrections.save_alias_history(db, import_id, replaced.to_list())
    db.conn.executemany("DELETE FROM entity_aliases WHERE credit_code = ?",
                        ((c,) for c in replaced.to_list()))
    _insert(db, "entity_aliases", aliases.select("credit_code", "alias", "alias_key"),
            {"import_id": import_id})
    save_name_keys(db, pl.concat([incoming["name"], incoming["township"]]).drop_nulls().unique().to_list())
    return m.new.height, m.updated.height


def save_name_keys(db: Database, names: list[str]) -> None:
    """The pinyin sort keys of these names, for those not kept yet (the table only grows: a key
    is a function of its name alone, so one never goes stale)."""
    known = {r[0] for r in db.conn.execute("SELECT name FROM name_pinyin").fetchall()}
    db.conn.executemany("INSERT INTO name_pinyin (name, key) VALUES (?, ?)",
                        ((n, pinyin_key(n)) for n in names if n not in known))


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


# what changes with every write to filings: each import adds a row to imports, each revert one to
# import_reverts (the split read of store/bulk.py compares it)
WRITTEN = "SELECT (SELECT max(id) FROM imports) AS i, (SELECT count(*) FROM import_reverts) AS r"


def _filing_columns(columns) -> tuple[list[str], list[str]]:
    """(what to select, the columns asked for) of filings.COLUMNS. The generated first_applicant
    and first_applicant_key are not selected: SQLite works a virtual column out row by row (half a
    second over a million rows); `_generated` derives them in polars, by the same rule."""
    cols = [c for c in columns if c in FILING_COLUMNS]
    sel = [c for c in cols if c not in GENERATED]
    if len(sel) < len(cols):
        sel += [c for c in ("applicants", "first_key_stored") if c not in sel]
    return sel, cols


def _generated(df: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """first_applicant (the text of `applicants` before its first '; ') and first_applicant_key
    (first_key_stored, else that name): corrections._FIRST_APPLICANT and the column's definition."""
    if not any(c in GENERATED for c in cols):
        return df
    first = pl.col("applicants").str.splitn("; ", 2).struct.field("field_0")
    df = df.with_columns(first_applicant=first).with_columns(
        first_applicant_key=pl.coalesce("first_key_stored", "first_applicant"))
    return df.select(*cols, *(c for c in df.columns if c not in STORED and c not in GENERATED))


def filings_between(db: Database, start: str, end: str, columns=None) -> pl.DataFrame:
    """Filings with a filing date in [start, end] (ISO dates): the given columns, else all."""
    sel, cols = _filing_columns(columns or FILING_COLUMNS)
    # sorted here rather than by SQLite: a sort of a million rows on an unindexed column costs
    # SQLite seconds, polars a tenth of one
    return _generated(frame(db, f"SELECT {', '.join(sel)} FROM filings WHERE filing_date BETWEEN ? AND ?",
                            (start, end)), cols).sort("filing_date", "application_no")


def every_filing(db: Database, columns) -> pl.DataFrame:
    """Every stored filing, in table order: the given columns of filings.COLUMNS and
    `last_import_id` (the import its current version came from)."""
    sel, cols = _filing_columns(columns)
    sql, schema = f"SELECT {', '.join(sel)}, last_import_id FROM filings", {"last_import_id": pl.Int64}
    if hasattr(db, "halves"):       # an ADBC session: both cores read
        return _generated(db.halves(sql + " {where}", WRITTEN, schema), cols)
    return _generated(frame(db, sql, schema=schema), cols)


def newest_filing_date(db: Database) -> str | None:
    return db.conn.execute("SELECT max(filing_date) FROM filings").fetchone()[0]


def entities(db: Database) -> pl.DataFrame:
    """The registry, by credit code, with the pinyin sort keys of each name and township
    (`name_pinyin`, `township_pinyin`; null where a key was never worked out)."""
    return frame(db, "SELECT e.credit_code, e.name, e.name_key, e.township, e.aliases, e.high_tech, "
                     "e.above_scale, p.key AS name_pinyin, t.key AS township_pinyin FROM entities e "
                     "LEFT JOIN name_pinyin p ON p.name = e.name LEFT JOIN name_pinyin t ON t.name = e.township "
                     "ORDER BY e.credit_code",
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
        WHERE f.filing_date BETWEEN ? AND ? AND i.status != 'reverted'
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


def history_changed_between(db: Database, start: str, end: str) -> pl.DataFrame:
    """Every replaced version (as in `history`) of the filings of any date that an import made in
    [start, end) (UTC ISO times) changed, with the fields attribution needs."""
    return frame(db, """
        SELECT h.id, h.application_no, h.status AS old_status, f.status AS current_status,
               i.imported_at AS changed_at, i.file AS file, f.filing_date, f.type, f.title,
               f.credit_code, f.first_applicant, f.first_applicant_key
        FROM filing_history h JOIN filings f USING (application_no)
        JOIN imports i ON i.id = h.replaced_by_import_id
        WHERE h.application_no IN (
            SELECT application_no FROM filing_history WHERE replaced_by_import_id IN (
                SELECT id FROM imports WHERE imported_at >= ? AND imported_at < ?
                AND status != 'reverted'))
          AND i.status != 'reverted'
        ORDER BY h.application_no, h.id""", (start, end), schema={"id": pl.Int64})


def claim_numbers(db: Database) -> pl.DataFrame:
    """(claim_id, application_no) of every subsidy claim."""
    return frame(db, "SELECT id AS claim_id, application_no FROM subsidy_claims")
