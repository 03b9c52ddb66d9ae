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

from . import agencies, app, clock, words
from .files import fsync_dir, place, write_copy, write_new
from .shown import shown

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
    for sub in [e for e in entries if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)]:
        try:   # one folder level: inbox/<agency>/file (filings.md §8)
            entries += [e for e in os.scandir(sub.path) if not e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
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


def read_steady(seen: Seen) -> tuple[bytes, os.stat_result] | None:
    """The file's bytes, read once, or None when it changed since the scan or while being read
    (it is still being written: it waits for the next run) or went away."""
    try:
        fd = os.open(seen.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as f:
        before = os.fstat(fd)
        if (before.st_size, before.st_mtime_ns) != (seen.size, seen.mtime_ns):
            return None
        data = f.read()
        after = os.fstat(fd)
    if (len(data), after.st_size, after.st_mtime_ns) != (before.st_size, before.st_size, before.st_mtime_ns):
        return None
    return data, after


def _same_file(path: Path, st: os.stat_result) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (now.st_ino, now.st_dev, now.st_size, now.st_mtime_ns) == (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns)


def _why(result: dict, when: dt.datetime) -> str:
    t = when
    return words.say("inbox.why", file=result["file"], sha256=result["sha256"] or "-",
                     when=words.say("label.date", year=t.year, month=t.month, day=t.day) + f" {t:%H:%M:%S}",
                     why=result["error"])


def file_away(home: app.Home, path: Path, result: dict, data: bytes | None = None,
              st: os.stat_result | None = None) -> Path | None:
    """Imported or skipped → archive/<YYYY-MM>/; failed → rejected/ with <name>.why.txt beside it.

    With `data` (the bytes that were imported) the archived file is a copy of exactly
    those bytes; the file in inbox/ is removed only if it is still the file that was
    read (`st`) — one that changed after being read stays, to be imported again."""
    settings = home.settings
    now = clock.now(settings.tz)
    failed = result["status"] == "failed"
    folder = settings.path(REJECTED) if failed else settings.path(ARCHIVE) / now.strftime("%Y-%m")
    companion = ".why.txt" if failed else None
    if data is None:
        dest = place(path, folder, path.name, companion=companion)
    else:
        dest = write_copy(data, folder, path.name, companion=companion)
        if st is not None and _same_file(path, st):
            path.unlink()
    if failed:
        write_new(folder, dest.name + ".why.txt", _why(result, now))
    fsync_dir(folder)
    fsync_dir(path.parent)
    return dest


def _too_big(home: app.Home, seen: Seen) -> dict:
    """A file past [import] max_file_mb is not read: it goes to rejected/ with the reason."""
    from .importer import result
    mb = home.settings.max_file_mb
    r = result(shown(seen.path.name), None, "failed",
               f"the file is larger than [import] max_file_mb = {mb} MB ({seen.size / 2**20:.0f} MB); not read")
    dest = file_away(home, seen.path, r)
    return {**r, "moved_to": str(dest.relative_to(home.settings.home))}


def _failure(seen: Seen, e: BaseException) -> dict:
    """An inbox file whose handling raised: recorded as failed, left in inbox/ for the next run."""
    from .importer import result
    return {**result(shown(seen.path.name), None, "failed", describe_error(e)), "moved_to": None}


def describe_error(e: BaseException) -> str:
    """One line for an unexpected error while handling a file (a full disk in the officer's words)."""
    from .diskfull import disk_full_message
    return disk_full_message(e) or shown(f"{type(e).__name__}: {e}")


def process(home: app.Home, quiet: float = QUIET_SECONDS, stop: threading.Event | None = None) -> list[dict]:
    """Import the ready files of inbox/, oldest first, and file each away.

    Each result is an import result (cli.md) plus `moved_to`, relative to the
    home. A file is read once; exactly those bytes are hashed, imported and
    archived. A file that changes between the scan and the end of its read
    waits for the next run. Each file is handled on its own: an exception (the
    database, a full disk) is recorded as that file's failure and leaves the file
    where it is, to be retried; the other files go on.
    """
    inbox = home.settings.path(INBOX)
    ready, _ = ready_files(inbox, quiet)
    results = []
    for seen in ready:
        if stop is not None and stop.is_set():
            break
        try:
            if seen.size > home.settings.max_file_mb * 2**20:
                results.append(_too_big(home, seen))
                continue
            got = read_steady(seen)
            if got is None:
                continue
            data, st = got
            agency = agencies.from_path(seen.path, inbox, [s.name for s in home.settings.sources])
            result = app.import_data(home, shown(seen.path.name), data, "auto", agency=agency)
            dest = file_away(home, seen.path, result, data, st)
            results.append({**result, "moved_to": str(dest.relative_to(home.settings.home))})
        except Exception as e:          # noqa: BLE001 — one bad file never blocks the others
            if home.db.conn.in_transaction:
                home.db.conn.execute("ROLLBACK")
            if is_interrupt(e):
                raise
            results.append(_failure(seen, e))
    return results


def is_interrupt(e: BaseException) -> bool:
    """A shutdown interrupting the database work: the run as a whole stops (and is rolled back).
    An interrupt that lands while SQLite builds a table-valued function (`json_each`) reads
    "vtable constructor failed: json_each" instead of "interrupted"."""
    import sqlite3
    return isinstance(e, sqlite3.OperationalError) and (
        "interrupt" in str(e) or getattr(e, "sqlite_errorname", "") == "SQLITE_INTERRUPT"
        or str(e).startswith("vtable constructor failed"))


def summary(results: list[dict]) -> tuple[str, int, str]:
    """(outcome, items, message) of one inbox run: failed when a file was rejected whole."""
    if not results:
        return "ok", 0, words.say("inbox.nothing")
    parts = []
    for r in results:
        if r["status"] == "imported":
            parts.append(words.say("inbox.imported", file=r["file"], rows=r["rows"], new=r["new"],
                                   rejected=r["rejected"], to=r["moved_to"]))
        elif r["status"] == "skipped":
            parts.append(words.say("inbox.skipped", file=r["file"], to=r["moved_to"]))
        else:
            parts.append(words.say("inbox.failed", file=r["file"], error=r["error"],
                                   to=r["moved_to"] or words.say("inbox.left")))
    outcome = "failed" if any(r["status"] == "failed" for r in results) else "ok"
    return outcome, len(results), words.say("label.parts_sep").join(parts)
