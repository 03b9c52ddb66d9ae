"""File helpers shared by the inbox, the fetcher, the backups and the pages: safe names, moves that
never overwrite, exclusive writes, temporary files, fsync.

Names from outside (a file's name, a source's name) only ever become the last
component of a path inside the folder they are meant for, and nothing is
ever overwritten: a taken name gets a `-1`, `-2`, … suffix.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
from pathlib import Path

MAX_NAME_BYTES = 200       # leaves room for a suffix and ".why.txt" under the usual 255


def safe_name(name: str) -> str:
    """The last component of `name`, without separators, control characters or leading dots.

    Bytes that were not UTF-8 (surrogate-escaped) are kept: the file keeps its
    original name on disk; only what a person reads is escaped (`shown.shown`)."""
    base = re.split(r"[/\\]", str(name))[-1]
    base = "".join(c for c in base if c.isprintable() or _is_raw_byte(c)).strip().lstrip(".").strip()
    if len(_fs_bytes(base)) > MAX_NAME_BYTES:
        stem, ext = os.path.splitext(base)
        ext = ext if len(_fs_bytes(ext)) <= 16 else ""
        while len(_fs_bytes(stem + ext)) > MAX_NAME_BYTES:
            stem = stem[:-1]
        base = stem + ext
    return base or "file"


def _is_raw_byte(c: str) -> bool:
    return "\udc80" <= c <= "\udcff"


def _fs_bytes(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def private_dirs(folder: Path) -> None:
    """Make `folder` and its missing parents readable by their owner only (0700)."""
    folder = Path(folder)
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for d in reversed(missing):
        d.mkdir(mode=0o700, exist_ok=True)


def candidates(name: str):
    """`name`, then `stem-1.ext`, `stem-2.ext`, …"""
    stem, ext = os.path.splitext(name)
    yield name
    for n in itertools.count(1):
        yield f"{stem}-{n}{ext}"


def place(src: Path, folder: Path, name: str, companion: str | None = None) -> Path:
    """Move `src` into `folder` as safe_name(name), never overwriting; with `companion`
    (a suffix such as ".why.txt"), the companion's name must be free too."""
    private_dirs(folder)
    for candidate in candidates(safe_name(name)):
        dest = folder / candidate
        if companion and os.path.lexists(folder / (candidate + companion)):
            continue
        try:
            os.link(src, dest)          # fails if dest exists: no check-then-act race
        except FileExistsError:
            continue
        except OSError:                 # no hard links here: fall back to a checked rename
            if os.path.lexists(dest):
                continue
            os.rename(src, dest)
            return dest
        os.unlink(src)
        return dest
    raise AssertionError("unreachable")


def write_new(folder: Path, name: str, text: str) -> Path:
    """Write a small text file under a name that is not taken yet (exclusive create, owner-only)."""
    for candidate in candidates(safe_name(name)):
        try:
            fd = os.open(folder / candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            return folder / candidate
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


def write_copy(data: bytes, folder: Path, name: str, companion: str | None = None) -> Path:
    """Write `data` as a new file (owner-only, fsynced) under safe_name(name) or a free variant."""
    private_dirs(folder)
    for candidate in candidates(safe_name(name)):
        dest = folder / candidate
        if companion and os.path.lexists(folder / (candidate + companion)):
            continue
        try:
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        return dest
    raise AssertionError("unreachable")


def write_text(path: Path, text: str) -> None:
    """UTF-8 text into a file of a build folder (the folder as a whole is swapped in atomically)."""
    Path(path).write_text(text, encoding="utf-8")


def temp_file(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """(open fd, path) of a new temporary file in `folder`: dot-named, so the inbox never picks it up."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    return fd, Path(name)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new name in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
