"""Import one file: read → normalise (pure) → store in one transaction. Used by the CLI and the jobs.

Every result is a dict in the shape of `import --json` (cli.md): the file's
base name, SHA-256, status (imported | skipped | failed), the row accounting
rows = new + updated + unchanged + duplicate + rejected, and the error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import clock, filings, registry, store, words
from .config import Settings
from .errors import FileFailed
from .progressbar import Quiet
from .shown import shown
from .store import records
from .tabular import alias_table, read_table, sha256_of

KINDS = ("filings", "registry")


def result(name: str, sha: str | None, status: str, error: str | None = None, **counts) -> dict:
    """One file's entry of `import --json` (also used by `subsidy import`)."""
    out = {"file": name, "sha256": sha, "status": status}
    out.update({k: counts.get(k, 0) for k in records.COUNT_KEYS})
    out["error"] = error
    return out


def read_input(db, kind: str, path: Path) -> tuple[bytes | None, str | None, dict | None]:
    """(bytes, sha256, None), or a finished result: the file failed to read, or is already imported."""
    path = Path(path)
    name = shown(path.name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None, result(name, None, "failed", f"file not found: {shown(path)}")
    except OSError as e:
        return None, None, result(name, None, "failed", f"cannot read {shown(path)}: {e.strerror or e}")
    sha = sha256_of(data)
    if records.find_import(db, kind, sha):
        return None, sha, result(name, sha, "skipped")
    return data, sha, None


def import_file(db, settings: Settings, path: Path, kind: str = "filings",
                today: dt.date | None = None, bulk=None, bar=None) -> dict:
    """Import one agency export (kind 'filings') or registry file (kind 'registry').

    `bulk`, when given, is a callable opening a `store.bulk.session` for the filings' store (the
    caller guarantees no sqlite3 connection to the file is open meanwhile: see store/bulk.py).
    `bar` (progressbar.bar) advances by one after reading, after checking and after storing.
    """
    bar = bar or Quiet()
    bar.set_description(f"{shown(Path(path).name)}: {words.say('progress.read')}")
    data, sha, done = read_input(db, kind, Path(path))
    if done:
        bar.update(3)
        return done
    return import_data(db, settings, shown(Path(path).name), data, kind, today, sha, bulk=bulk, bar=bar)


def import_data(db, settings: Settings, name: str, data: bytes, kind: str = "filings",
                today: dt.date | None = None, sha: str | None = None, bulk=None, bar=None) -> dict:
    """Import the bytes of one file named `name` (already escaped for showing): exactly these
    bytes are hashed, parsed and stored, whatever happens to the file on disk meanwhile.
    `bulk` and `bar` as for `import_file`."""
    bar = bar or Quiet()
    sha = sha or sha256_of(data)
    if records.find_import(db, kind, sha):
        bar.update(3)
        return result(name, sha, "skipped")
    today = today or clock.today(settings.tz)
    try:
        if kind == "filings":
            table = read_table(data, name, alias_table(filings.ALIASES, settings.extra_aliases()),
                               filings.REQUIRED)
            bar.update()
            bar.set_description(f"{name}: {words.say('progress.check')}")
            batch = filings.normalise(table, today)
        else:
            table = read_table(data, name, alias_table(registry.ALIASES), registry.REQUIRED)
            batch = registry.normalise(table)
        del table
    except FileFailed as e:
        bar.update(3)
        return result(name, sha, "failed", str(e))
    bar.update(2 if kind != "filings" else 1)
    bar.set_description(f"{name}: {words.say('progress.store')}")
    if kind == "filings" and bulk is not None:
        with bulk() as b:
            done = _store_filings_bulk(b, name, sha, batch)
        bar.update()
        return done
    with store.transaction(db):
        if records.find_import(db, kind, sha):   # another process got there first
            return result(name, sha, "skipped")
        import_id = records.start_import(db, kind, name, sha, store.utc_now())
        if kind == "filings":
            new, updated = records.save_filings(db, import_id, batch.filings)
            stored = batch.filings.height
        else:
            new, updated = records.save_entities(db, import_id, batch.entities,
                                                 registry.alias_rows(batch.entities))
            stored = batch.entities.height
        records.save_rows(db, "rejects", import_id,
                          batch.rejects.select("line", "application_no", "reason", "message"))
        records.save_rows(db, "warnings", import_id,
                          batch.warnings.select("line", "application_no", "code", "message"))
        counts = _counts(name, batch, stored, new, updated)
        records.finish_import(db, import_id, counts)
    bar.update()
    return result(name, sha, "imported", **counts)


def _counts(name: str, batch, stored: int, new: int, updated: int) -> dict:
    counts = {"rows": batch.rows, "new": new, "updated": updated,
              "unchanged": stored - new - updated, "duplicate": batch.duplicate,
              "rejected": batch.rejects.height, "warnings": batch.warnings.height}
    if sum(counts[k] for k in ("new", "updated", "unchanged", "duplicate", "rejected")) != counts["rows"]:
        raise AssertionError(f"accounting does not add up for {name}: {counts}")
    return counts


def _store_filings_bulk(b, name: str, sha: str, batch) -> dict:
    """The filings' transaction of `import_file`, through ADBC."""
    with b.transaction():
        if records.find_import_bulk(b, "filings", sha):   # another process got there first
            return result(name, sha, "skipped")
        import_id = records.start_import_bulk(b, "filings", name, sha, store.utc_now())
        new, updated = records.save_filings_bulk(b, import_id, batch.filings)
        records.save_rows_bulk(b, "rejects", import_id,
                               batch.rejects.select("line", "application_no", "reason", "message"))
        records.save_rows_bulk(b, "warnings", import_id,
                               batch.warnings.select("line", "application_no", "code", "message"))
        counts = _counts(name, batch, batch.filings.height, new, updated)
        records.finish_import_bulk(b, import_id, counts)
    return result(name, sha, "imported", **counts)
