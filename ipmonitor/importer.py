"""Import one file: read → normalise (pure) → store in one transaction. Used by the CLI and the jobs.

Every result is a dict in the shape of `import --json` (cli.md): the file's
base name, SHA-256, status (imported | skipped | failed), the row accounting
rows = new + updated + unchanged + duplicate + rejected, and the error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import clock, filings, registry, store
from .config import Settings
from .errors import FileFailed
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
                today: dt.date | None = None) -> dict:
    """Import one agency export (kind 'filings') or registry file (kind 'registry')."""
    data, sha, done = read_input(db, kind, Path(path))
    if done:
        return done
    return import_data(db, settings, shown(Path(path).name), data, kind, today, sha)


def import_data(db, settings: Settings, name: str, data: bytes, kind: str = "filings",
                today: dt.date | None = None, sha: str | None = None) -> dict:
    """Import the bytes of one file named `name` (already escaped for showing): exactly these
    bytes are hashed, parsed and stored, whatever happens to the file on disk meanwhile."""
    sha = sha or sha256_of(data)
    if records.find_import(db, kind, sha):
        return result(name, sha, "skipped")
    today = today or clock.today(settings.tz)
    try:
        if kind == "filings":
            table = read_table(data, name, alias_table(filings.ALIASES, settings.extra_aliases()),
                               filings.REQUIRED)
            batch = filings.normalise(table, today)
        else:
            table = read_table(data, name, alias_table(registry.ALIASES), registry.REQUIRED)
            batch = registry.normalise(table)
    except FileFailed as e:
        return result(name, sha, "failed", str(e))

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
        counts = {"rows": batch.rows, "new": new, "updated": updated,
                  "unchanged": stored - new - updated, "duplicate": batch.duplicate,
                  "rejected": batch.rejects.height, "warnings": batch.warnings.height}
        if sum(counts[k] for k in ("new", "updated", "unchanged", "duplicate", "rejected")) != counts["rows"]:
            raise AssertionError(f"accounting does not add up for {name}: {counts}")
        records.finish_import(db, import_id, counts)
    return result(name, sha, "imported", **counts)
