"""The backup job: an online, verified backup into backups/, keeping the newest `keep` (ipmonitor.backup)."""

from __future__ import annotations

from ipmonitor import app
from ipmonitor.backup import make_backup

from .context import Context, Result

DEFAULT_KEEP = 14


def run(home: app.Home, ctx: Context) -> Result:
    keep = home.settings.jobs["backup"].keep or DEFAULT_KEEP
    dest, removed = make_backup(home.db, home.settings, keep)
    size = dest.stat().st_size
    return Result("ok", 1, f"{dest.name} ({size} bytes, integrity ok); removed {len(removed)} old backup(s)")
