"""The drop folder: which files in inbox/ are ready, importing them oldest first, filing them away.

Files are moved with `files.place` (safe names, never overwriting).
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from . import app, clock
from .files import fsync_dir, place, write_new

INBOX, ARCHIVE, REJECTED = "inbox", "archive", "rejected"
QUIET_SECONDS = 5.0        # a file changed more recently than this is still being written


@dataclass(frozen=True)
class Seen:
    path: Path
    size: int
    mtime_ns: int


def ready_files(inbox: Path, quiet: float = QUIET_SECONDS, now: float | None = None) -> tuple[list[Seen], int]:
    """(files ready to import, oldest mtime first; how many are still being written).

    Only regular files count; dot-files (temporary downloads), folders and
    symbolic links are left alone.
    """
    now = clock.file_time() if now is None else now
    ready, waiting = [], 0
    try:
        entries = list(os.scandir(inbox))
    except FileNotFoundError:
        return [], 0
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if now - max(st.st_mtime, st.st_ctime) < quiet:
            waiting += 1
            continue
        ready.append(Seen(Path(entry.path), st.st_size, st.st_mtime_ns))
    ready.sort(key=lambda s: (s.mtime_ns, s.path.name))
    return ready, waiting


def _unchanged(seen: Seen) -> bool:
    try:
        st = os.stat(seen.path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (st.st_size, st.st_mtime_ns) == (seen.size, seen.mtime_ns)


def _why(result: dict, when: dt.datetime) -> str:
    return (f"file: {result['file']}\nsha256: {result['sha256'] or '-'}\n"
            f"when: {when.isoformat(timespec='seconds')}\nwhy: {result['error']}\n"
            "Fix the file and drop it into inbox/ again; nothing from it was stored.\n")


def file_away(home: app.Home, path: Path, result: dict) -> Path:
    """Imported or skipped → archive/<YYYY-MM>/; failed → rejected/ with <name>.why.txt beside it."""
    settings = home.settings
    now = clock.now(settings.tz)
    if result["status"] == "failed":
        folder = settings.path(REJECTED)
        dest = place(path, folder, path.name, companion=".why.txt")
        write_new(folder, dest.name + ".why.txt", _why(result, now))
    else:
        folder = settings.path(ARCHIVE) / now.strftime("%Y-%m")
        dest = place(path, folder, path.name)
    fsync_dir(folder)
    return dest


def process(home: app.Home, quiet: float = QUIET_SECONDS, stop: threading.Event | None = None) -> list[dict]:
    """Import the ready files of inbox/, oldest first, and file each away.

    Each result is an import result (cli.md) plus `moved_to`, relative to the
    home. A file that changes between the scan and its import waits for the
    next run. An exception (the database, a shutdown interrupting the
    transaction) leaves the file where it is, to be retried.
    """
    inbox = home.settings.path(INBOX)
    ready, _ = ready_files(inbox, quiet)
    results = []
    for seen in ready:
        if stop is not None and stop.is_set():
            break
        if not _unchanged(seen):
            continue
        (result,) = app.import_files(home, [seen.path], "auto")
        if result["status"] == "failed" and not seen.path.exists():
            continue                    # taken away meanwhile: nothing to file
        dest = file_away(home, seen.path, result)
        results.append({**result, "moved_to": str(dest.relative_to(home.settings.home))})
    return results


def summary(results: list[dict]) -> tuple[str, int, str]:
    """(outcome, items, message) of one inbox run: failed when a file was rejected whole."""
    if not results:
        return "ok", 0, "nothing new in inbox/"
    parts = []
    for r in results:
        if r["status"] == "imported":
            parts.append(f"{r['file']}: imported {r['rows']} rows ({r['new']} new, "
                         f"{r['rejected']} rejected) → {r['moved_to']}")
        elif r["status"] == "skipped":
            parts.append(f"{r['file']}: already imported → {r['moved_to']}")
        else:
            parts.append(f"{r['file']}: FAILED: {r['error']} → {r['moved_to']}")
    outcome = "failed" if any(r["status"] == "failed" for r in results) else "ok"
    return outcome, len(results), "; ".join(parts)
