"""Online backups of the database into backups/: SQLite's backup API, verified, the newest `keep` kept.

A backup is written under a dot-name, checked with `PRAGMA integrity_check`,
switched to a rollback journal (one self-contained file, no -wal beside it),
fsynced and only then renamed to `ipmonitor-<UTC timestamp>.db`. Restoring is
copying one of them over `ipmonitor.db` while no server runs (docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from . import clock, store
from .config import Settings
from .diskfull import disk_full_message
from .errors import BackupFailed
from .files import fsync_dir, fsync_file, place, temp_file

BACKUPS = "backups"
NAME = re.compile(r"^ipmonitor-(\d{8}T\d{6}Z)(?:-(\d+))?\.db$")


def backup_name(now: dt.datetime) -> str:
    return f"ipmonitor-{now.astimezone(dt.timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.db"


def backups(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first (by the timestamp in the name, then the suffix)."""
    found = []
    for p in folder.glob("ipmonitor-*.db") if folder.is_dir() else ():
        m = NAME.match(p.name)
        if m and p.is_file():
            found.append((m.group(1), int(m.group(2) or 0), p))
    return [p for *_, p in sorted(found)]


def verify(path: Path) -> str:
    """The integrity check of a backup file: "ok" or the first problem."""
    return store.integrity(path)


def make_backup(db: Database, settings: Settings, keep: int,
                now: dt.datetime | None = None) -> tuple[Path, list[Path]]:
    """Back up the open database; returns (the new backup, the old backups removed)."""
    folder = settings.path(BACKUPS)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in folder.glob(".ipmonitor-*.tmp"):   # left by a process that was killed
        stale.unlink(missing_ok=True)
    fd, tmp = temp_file(folder, ".ipmonitor-", ".tmp")
    os.close(fd)
    try:
        store.copy_to(db, tmp)
        problem = verify(tmp)
        if problem != "ok":
            raise BackupFailed(f"the backup did not verify (integrity_check: {problem}); not kept")
        fsync_file(tmp)
        dest = place(tmp, folder, backup_name(now or clock.utc_now()))
        fsync_dir(folder)
    except sqlite3.Error as e:
        raise BackupFailed(disk_full_message(e, folder) or f"cannot back up the database: {e}") from None
    except OSError as e:
        raise BackupFailed(disk_full_message(e)
                           or f"cannot write the backup into {folder}: {e.strerror or e}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return dest, prune(folder, keep)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (only files named like ours)."""
    old = backups(folder)[:-keep] if keep > 0 else []
    for p in old:
        p.unlink(missing_ok=True)
    return old
