"""Import one file: read → normalise (pure) → store in one transaction. Used by the CLI and the jobs.

Every result is a dict in the shape of `import --json` (cli.md): the file's
base name, SHA-256, status (imported | skipped | failed), the row accounting
rows = new + updated + unchanged + duplicate + rejected, and the error.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from pathlib import Path

import polars as pl

from . import agencies, clock, filings, registry, store, words
from .corrections import reject_numbers
from .config import Settings
from .errors import FileFailed
from .progressbar import Quiet
from .readwords import failed
from .shown import shown
from .store import corrections, records
from .tabular import alias_table, read_table, sha256_of

KINDS = ("filings", "registry")


def result(name: str, sha: str | None, status: str, error: str | None = None, **counts) -> dict:
    """One file's entry of `import --json` (also used by `subsidy import`)."""
    out = {"file": name, "sha256": sha, "status": status}
    out.update({k: counts.get(k, 0) for k in records.COUNT_KEYS})
    out["error"] = error
    out["import_id"] = counts.get("import_id")
    out["agency"] = counts.get("agency")
    return out


def language(settings: Settings | None) -> str:
    return getattr(settings, "language", "zh-CN") if settings is not None else "zh-CN"


def load_bytes(path: Path, max_mb: int = 500) -> bytes:
    """A file's bytes, or FileFailed: missing, a folder, unreadable, or over `max_mb` (checked
    before reading)."""
    try:
        if path.is_dir():
            raise failed("directory", path=shown(path))
        size = path.stat().st_size
        if size > max_mb * 2**20:
            raise failed("too_big", mb=f"{size / 2**20:.0f}", limit=max_mb)
        return path.read_bytes()
    except FileNotFoundError:
        raise failed("not_found", path=shown(path)) from None
    except IsADirectoryError:
        raise failed("directory", path=shown(path)) from None
    except OSError as e:
        raise failed("unreadable", path=shown(path), why=e.strerror or type(e).__name__) from None


def read_input(db, kind: str, path: Path, settings: Settings | None = None
               ) -> tuple[bytes | None, str | None, dict | None]:
    """(bytes, sha256, None), or a finished result: the file failed to read, or is already imported."""
    path = Path(path)
    name = shown(path.name)
    try:
        data = load_bytes(path, getattr(settings, "max_file_mb", 500))
    except FileFailed as e:
        return None, None, result(name, None, "failed", e.text(language(settings)))
    sha = sha256_of(data)
    if records.find_import(db, kind, sha):
        return None, sha, result(name, sha, "skipped")
    return data, sha, None


def read_file(settings: Settings, data: bytes, name: str, kind: str, today: dt.date, bar=None, pieces=False):
    """(table, batch) of one file's bytes, or FileFailed: reading and normalising, storing nothing.
    `pieces` (filings): the batch as an iterator of pieces (filings.parts), worked out as they
    are taken."""
    if kind == "filings":
        table = read_table(data, name, filings.matcher(settings.extra_aliases()), filings.REQUIRED)
        if bar is not None:
            bar.update()
            bar.set_description(f"{name}: {words.say('progress.check')}")
        return table, (filings.parts(table, today) if pieces else filings.normalise(table, today))
    table = read_table(data, name, alias_table(registry.ALIASES), registry.REQUIRED)
    return table, registry.normalise(table)


def import_file(db, settings: Settings, path: Path, kind: str = "filings",
                today: dt.date | None = None, bulk=None, bar=None, agency: str | None = None) -> dict:
    """Import one agency export (kind 'filings') or registry file (kind 'registry'). The entry also
    names the .xlsx sheet that was read (`sheet`, null for CSV and files not read).

    `agency`: who sent the file when the command or its place says so (filings.md §8); else
    the file's 代理机构 column may name it.

    `bulk`, when given, is a callable opening a `store.bulk.session` for the filings' store (the
    caller guarantees no sqlite3 connection to the file is open meanwhile: see store/bulk.py).
    `bar` (progressbar.bar) advances by one after reading, after checking and after storing.
    """
    bar = bar or Quiet()
    bar.set_description(f"{shown(Path(path).name)}: {words.say('progress.read')}")
    data, sha, done = read_input(db, kind, Path(path), settings)
    if done:
        bar.update(3)
        return {**done, "sheet": None}
    return import_data(db, settings, shown(Path(path).name), data, kind, today, sha, bulk=bulk, bar=bar,
                       agency=agency)


def import_data(db, settings: Settings, name: str, data: bytes, kind: str = "filings",
                today: dt.date | None = None, sha: str | None = None, bulk=None, bar=None,
                agency: str | None = None) -> dict:
    """Import the bytes of one file named `name` (already escaped for showing): exactly these
    bytes are hashed, parsed and stored, whatever happens to the file on disk meanwhile.
    `bulk` and `bar` as for `import_file`."""
    out, sheet = _import_data(db, settings, name, data, kind, today, sha, bulk, bar or Quiet(), agency)
    return {**out, "sheet": sheet}


def _import_data(db, settings, name, data, kind, today, sha, bulk, bar, agency=None):
    sha = sha or sha256_of(data)
    if records.find_import(db, kind, sha):
        bar.update(3)
        return result(name, sha, "skipped"), None
    today = today or clock.today(settings.tz)
    pieces = kind == "filings" and bulk is not None
    try:
        table, batch = read_file(settings, data, name, kind, today, bar, pieces=pieces)
        sheet = table.sheet
        del table
    except FileFailed as e:
        bar.update(3)
        return result(name, sha, "failed", e.text(language(settings))), None
    del data
    if pieces:
        with bulk() as b:
            done = _store_filings_bulk(b, name, sha, batch, agency, today, bar)
        return done, sheet
    bar.update(2 if kind != "filings" else 1)
    bar.set_description(f"{name}: {words.say('progress.store')}")
    with store.transaction(db):
        if records.find_import(db, kind, sha):   # another process got there first
            return result(name, sha, "skipped"), sheet
        import_id = records.start_import(db, kind, name, sha, store.utc_now())
        if kind == "filings":
            new, updated = records.save_filings(db, import_id, batch.filings)
            stored = batch.filings.height
        else:
            new, updated = records.save_entities(db, import_id, batch.entities,
                                                 registry.alias_rows(batch.entities))
            stored = batch.entities.height
        rejects = batch.rejects.select("line", "application_no", "reason", "message")
        if kind == "filings":
            rejects, agency = _agency_and_dates(db, import_id, batch, agency, today)
        records.save_rows(db, "rejects", import_id, rejects)
        records.save_rows(db, "warnings", import_id,
                          batch.warnings.select("line", "application_no", "code", "message"))
        counts = _counts(name, batch, stored, new, updated)
        records.finish_import(db, import_id, counts)
    bar.update()
    return result(name, sha, "imported", import_id=import_id, agency=agency if kind == "filings" else None,
                  **counts), sheet


def _agency_and_dates(db, import_id: int, batch, agency: str | None, today: dt.date):
    """What the corrections need of a filings import: who sent it (filings.md §8), the newest
    filing date it stored and its day (undated grants, §4), each reject's canonical number (§4).
    Returns (the rejects to save, the agency). `db`: the sqlite3 store or an ADBC session."""
    agency = agency or agencies.from_column(batch.filings)
    newest = batch.filings["filing_date"].max() if batch.filings.height else None
    corrections.set_import_facts(db, import_id, agency=agency, newest_filing_date=newest,
                                 import_day=today.isoformat())
    rejects = batch.rejects.select("line", "application_no", "reason", "message").with_columns(
        canonical_no=reject_numbers(pl.col("application_no")))
    return rejects, agency


def _counts(name: str, batch, stored: int, new: int, updated: int) -> dict:
    counts = {"rows": batch.rows, "new": new, "updated": updated,
              "unchanged": stored - new - updated, "duplicate": batch.duplicate,
              "rejected": batch.rejects.height, "warnings": batch.warnings.height}
    if sum(counts[k] for k in ("new", "updated", "unchanged", "duplicate", "rejected")) != counts["rows"]:
        raise AssertionError(f"accounting does not add up for {name}: {counts}")
    return counts


def _store_filings_bulk(b, name: str, sha: str, pieces, agency: str | None, today: dt.date, bar) -> dict:
    """The filings' transaction of `import_file`, through ADBC, the file in pieces (filings.parts):
    a second thread stores each piece while this one works out the next (the driver lets go of
    the GIL while SQLite writes, so the two cores share the work)."""
    with b.transaction():
        if records.find_import_bulk(b, "filings", sha):   # another process got there first
            return result(name, sha, "skipped")
        import_id = records.start_import_bulk(b, "filings", name, sha, store.utc_now())
        before = records.any_filing_bulk(b)
        batch, new, updated = _stored_pieces(
            pieces, lambda f: records.save_filings_bulk(b, import_id, f, stored_before=before))
        bar.update()
        bar.set_description(f"{name}: {words.say('progress.store')}")
        rejects, agency = _agency_and_dates(b, import_id, batch, agency, today)
        records.save_rows_bulk(b, "rejects", import_id, rejects)
        records.save_rows_bulk(b, "warnings", import_id,
                               batch.warnings.select("line", "application_no", "code", "message"))
        counts = _counts(name, batch, batch.filings.height, new, updated)
        records.finish_import_bulk(b, import_id, counts)
    bar.update()
    return result(name, sha, "imported", import_id=import_id, agency=agency, **counts)


def _stored_pieces(pieces, save) -> tuple[filings.Batch, int, int]:
    """Store each piece's filings with `save` (→ new, updated) on one worker thread, taking the next
    piece meanwhile; returns the pieces' sum — their rejects and warnings, the filings' agency
    and filing date (what the import's facts need), the counts — and new, updated."""
    new = updated = 0
    kept = []
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        pending = None
        for piece in pieces:                 # worked out while the piece before is stored
            if pending is not None:
                n, u = pending.result()
                new, updated = new + n, updated + u
            pending = worker.submit(save, piece.filings)
            kept.append(filings.Batch(piece.filings.select("agency", "filing_date"), piece.rejects,
                                      piece.warnings, piece.rows, piece.duplicate))
            del piece
        if pending is not None:
            n, u = pending.result()
            new, updated = new + n, updated + u
    if not kept:
        raise AssertionError("filings.parts gave no piece")
    total = filings.Batch(pl.concat([k.filings for k in kept]), pl.concat([k.rejects for k in kept]).sort("line"),
                          pl.concat([k.warnings for k in kept]).sort("line", "code"),
                          sum(k.rows for k in kept), sum(k.duplicate for k in kept))
    return total, new, updated
