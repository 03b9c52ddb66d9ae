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
    """The last component of `name`, without separators, control characters or leading dots."""
    base = re.split(r"[/\\]", str(name))[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".").strip()
    if len(base.encode("utf-8")) > MAX_NAME_BYTES:
        stem, ext = os.path.splitext(base)
        ext = ext if len(ext.encode("utf-8")) <= 16 else ""
        while len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES:
            stem = stem[:-1]
        base = stem + ext
    return base or "file"


def candidates(name: str):
    """`name`, then `stem-1.ext`, `stem-2.ext`, …"""
    stem, ext = os.path.splitext(name)
    yield name
    for n in itertools.count(1):
        yield f"{stem}-{n}{ext}"


def place(src: Path, folder: Path, name: str, companion: str | None = None) -> Path:
    """Move `src` into `folder` as safe_name(name), never overwriting; with `companion`
    (a suffix such as ".why.txt"), the companion's name must be free too."""
    folder.mkdir(parents=True, exist_ok=True)
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
    """Write a small text file under a name that is not taken yet (exclusive create)."""
    for candidate in candidates(safe_name(name)):
        try:
            with open(folder / candidate, "x", encoding="utf-8") as f:
                f.write(text)
            return folder / candidate
        except FileExistsError:
            continue
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
