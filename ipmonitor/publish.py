"""Atomic publication of the pages: build in a folder beside the output, then swap it in.

A reader (or a static server) sees either the old set of pages or the new one,
never a mix; a build that fails leaves the published pages untouched. The
weekly archive lives inside the output and is carried over into every build.

The swap exchanges the two folders in one step (Linux `renameat2(RENAME_EXCHANGE)`),
so `reports/` is a complete, real folder at every instant — a kill at any point
leaves the old pages or the new ones, each with the whole archive. Where the
exchange is not available, two renames are used, the old pages first moved to
`.reports.old-*/pages`; a build started after a kill between them puts those back
before anything else, and old pages are deleted only once `reports/` exists again.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import pathlib
import re
import shutil
import tempfile

from . import faults, words
from .diskfull import disk_full_message
from .errors import ReportFailed

WEEK = re.compile(r"\d{4}-W\d{2}")
YEAR = re.compile(r"\d{4}")   # reports/<year>/: another year's pages inside the output folder
HOME_FILES = ("ipmonitor.db", "ipmonitor.toml")   # a folder holding these is a home, never swapped
PAGE_FILES = ("index.html", "progress.json")      # a folder of pages holds these

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
try:
    _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
except (OSError, AttributeError):
    _renameat2 = None


def exchange(a: pathlib.Path, b: pathlib.Path) -> bool:
    """Swap two folders atomically; False when this system or file system cannot."""
    if _renameat2 is None or faults.disabled("exchange"):
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _link(src: str, dst: str) -> None:
    """Hard-link a file (same folder tree, instant); copy it where links are not possible."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


class Build:
    """`with Build(out) as b:` write into `b.tmp`, then `b.commit()`; leaving without commit discards it.

    A lock file beside `out` keeps two builds (the scheduler's and a hand-run `report`)
    from swapping at the same time. Any exception inside becomes `ReportFailed`.
    """

    def __init__(self, out: pathlib.Path):
        self.out = pathlib.Path(out)
        # another year's pages (reports/2012) share the lock of the pages they live in, so that a
        # swap of reports/ never runs while reports/2012 is being built inside it
        inner = YEAR.fullmatch(self.out.name) is not None
        self._lock_path = (self.out.parent.parent / f".{self.out.parent.name}.lock" if inner
                           else self.out.parent / f".{self.out.name}.lock")
        self.tmp: pathlib.Path | None = None
        self._lock = None
        self._done = False

    def __enter__(self) -> Build:
        try:
            if self.out.exists() and not self.out.is_dir():
                raise ReportFailed(words.say("error.pages.not_folder", out=self.out))
            if any((self.out / n).exists() for n in HOME_FILES):
                raise ReportFailed(words.say("error.pages.home", out=self.out))
            if (self.out.is_dir() and not any((self.out / n).exists() for n in PAGE_FILES)
                    and any(self.out.iterdir())):
                raise ReportFailed(words.say("error.pages.foreign", out=self.out))
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._lock = open(self._lock_path, "a")
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            self._repair()
            self._remove_leftovers()
            self.tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent))
            self.tmp.chmod(0o755)
        except OSError as e:
            self._unlock()
            raise ReportFailed(words.say("error.pages.prepare", out=self.out, why=e)) from e
        except BaseException:
            self._unlock()
            raise
        return self

    def _olds(self) -> list[pathlib.Path]:
        """Previous pages moved aside by a swap that was killed before it ended, newest first."""
        found = [p / "pages" for p in self.out.parent.glob(f".{self.out.name}.old-*") if (p / "pages").is_dir()]
        return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)

    def _repair(self) -> None:
        """After a kill between the two renames there is no output folder: put the old pages back."""
        if not os.path.lexists(self.out):
            olds = self._olds()
            if olds:
                os.rename(olds[0], self.out)

    def _remove_leftovers(self) -> None:
        """Folders of builds that were killed half-way (we hold the lock: nobody else is building).
        Old pages are removed only while the output folder exists: never the only copy."""
        if not self.out.is_dir():
            return
        for p in self.out.parent.glob(f".{self.out.name}.*-*"):
            if p.is_dir() and (p.name.startswith(f".{self.out.name}.new-")
                               or p.name.startswith(f".{self.out.name}.old-")):
                shutil.rmtree(p, ignore_errors=True)

    def carry_archive(self, exclude: str, keep=lambda week_dir: True) -> list[str]:
        """Copy the published weeks of `archive/` (all but `exclude`, and only those `keep` accepts)
        into the build; their names."""
        src, weeks = self.out / "archive", []
        if src.is_dir():
            for d in sorted(src.iterdir()):
                if d.is_dir() and WEEK.fullmatch(d.name) and d.name != exclude and keep(d):
                    shutil.copytree(d, self.tmp / "archive" / d.name)
                    weeks.append(d.name)
        return weeks

    def carry_years(self) -> list[str]:
        """Other years' pages inside the output (reports/2012/) go into the build as hard links, so
        the swap of reports/ keeps them and the published copy stays whole until the swap."""
        years = []
        if self.out.is_dir():
            for d in sorted(self.out.iterdir()):
                if d.is_dir() and YEAR.fullmatch(d.name) and not (self.tmp / d.name).exists():
                    shutil.copytree(d, self.tmp / d.name, copy_function=_link)
                    years.append(d.name)
        return years

    def commit(self) -> None:
        """Swap the build in (one exchange, else two renames), then delete the old pages."""
        self.carry_years()
        faults.point("publish:before-swap")
        if self.out.exists() and exchange(self.tmp, self.out):
            self._done = True
            faults.point("publish:after-exchange")
            shutil.rmtree(self.tmp, ignore_errors=True)     # now the old pages
            return
        old = None
        if self.out.exists():
            old = pathlib.Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            os.rename(self.out, old / "pages")
            faults.point("publish:between-renames")
        try:
            os.rename(self.tmp, self.out)
        except OSError:
            if old is not None:
                os.rename(old / "pages", self.out)
            raise
        self._done = True
        faults.point("publish:after-renames")
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _unlock(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def __exit__(self, exc_type, exc, tb):
        try:
            if not self._done and self.tmp is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
        finally:
            self._unlock()
        if exc is None or isinstance(exc, ReportFailed) or not isinstance(exc, Exception):
            return False
        why = disk_full_message(exc) or f"{type(exc).__name__}: {exc}"
        raise ReportFailed(words.say("error.pages.failed", what=why, out=self.out)) from exc
