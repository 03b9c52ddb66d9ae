"""`events import`: one legal-status file read → normalised (pure) → stored in one transaction.

The result has the shape of `import --json` (cli.md) plus `unmatched`: the events of this file
whose filing no import has stored (kept, and applied when the filing arrives).
Accounting per file: rows = new + duplicate + rejected.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import events, store
from .config import Settings
from .errors import FileFailed
from .importer import read_input, result
from .shown import shown
from .store import events as events_store
from .store import records
from .tabular import read_table, sha256_of

KIND = "events"


def is_events_path(path: Path) -> bool:
    """A legal-status list, told by its header (see events.looks_like_events)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read((1 << 16) + 1)   # one byte more: the reader then knows it is cut
        if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            head = Path(path).read_bytes()
    except OSError:
        return False
    return events.is_events_file(head)


def import_events(db, settings: Settings, path: Path, today: dt.date | None = None) -> dict:
    path = Path(path)
    data, sha, done = read_input(db, KIND, path)
    if done:
        return {**done, "unmatched": 0}
    return import_events_data(db, settings, shown(path.name), data, today, sha)


def import_events_data(db, settings: Settings, name: str, data: bytes, today: dt.date | None = None,
                       sha: str | None = None) -> dict:
    """Import the bytes of one legal-status list named `name` (escaped for showing)."""
    sha = sha or sha256_of(data)
    if records.find_import(db, KIND, sha):
        return {**result(name, sha, "skipped"), "unmatched": 0}
    try:
        table = read_table(data, name, events.header_map(), events.REQUIRED)
        batch = events.normalise(table)
    except FileFailed as e:
        return {**result(name, sha, "failed", str(e)), "unmatched": 0}
    with store.transaction(db):
        if records.find_import(db, KIND, sha):
            return {**result(name, sha, "skipped"), "unmatched": 0}
        import_id = records.start_import(db, KIND, name, sha, store.utc_now())
        new = events_store.save_events(db, import_id, batch.events)
        records.save_rows(db, "rejects", import_id,
                          batch.rejects.select("line", "application_no", "reason", "message"))
        records.save_rows(db, "warnings", import_id,
                          batch.warnings.select("line", "application_no", "code", "message"))
        counts = {"rows": batch.rows, "new": new, "updated": 0, "unchanged": 0,
                  "duplicate": batch.duplicate + batch.events.height - new,
                  "rejected": batch.rejects.height, "warnings": batch.warnings.height}
        if counts["new"] + counts["duplicate"] + counts["rejected"] != counts["rows"]:
            raise AssertionError(f"accounting does not add up for {name}: {counts}")
        records.finish_import(db, import_id, counts)
        unmatched = events_store.count_unmatched(db, batch.events)
    return {**result(name, sha, "imported", import_id=import_id, **counts), "unmatched": unmatched}
