"""Atomic publication of the pages: build in a folder beside the output, then swap it in.

A reader (or a static server) sees either the old set of pages or the new one,
never a mix; a build that fails leaves the published pages untouched. The
weekly archive lives inside the output and is carried over into every build.
"""

from __future__ import annotations

import fcntl
import os
import pathlib
import re
import shutil
import tempfile

from .errors import ReportFailed

WEEK = re.compile(r"\d{4}-W\d{2}")


class Build:
    """`with Build(out) as b:` write into `b.tmp`, then `b.commit()`; leaving without commit discards it.

    A lock file beside `out` keeps two builds (the scheduler's and a hand-run `report`)
    from swapping at the same time. Any exception inside becomes `ReportFailed`.
    """

    def __init__(self, out: pathlib.Path):
        self.out = pathlib.Path(out)
        self.tmp: pathlib.Path | None = None
        self._lock = None
        self._done = False

    def __enter__(self) -> Build:
        try:
            if self.out.exists() and not self.out.is_dir():
                raise ReportFailed(f"{self.out} exists and is not a folder")
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.out.parent / f".{self.out.name}.lock", "a")
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            self._remove_leftovers()
            self.tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent))
            self.tmp.chmod(0o755)
        except OSError as e:
            self._unlock()
            raise ReportFailed(f"cannot prepare the pages in {self.out}: {e}") from e
        except BaseException:
            self._unlock()
            raise
        return self

    def _remove_leftovers(self) -> None:
        """Folders of builds that were killed half-way (we hold the lock: nobody else is building)."""
        for p in self.out.parent.glob(f".{self.out.name}.*-*"):
            if p.is_dir() and (p.name.startswith(f".{self.out.name}.new-")
                               or p.name.startswith(f".{self.out.name}.old-")):
                shutil.rmtree(p, ignore_errors=True)

    def carry_archive(self, exclude: str) -> list[str]:
        """Copy the published weeks of `archive/` (all but `exclude`) into the build; their names."""
        src, weeks = self.out / "archive", []
        if src.is_dir():
            for d in sorted(src.iterdir()):
                if d.is_dir() and WEEK.fullmatch(d.name) and d.name != exclude:
                    shutil.copytree(d, self.tmp / "archive" / d.name)
                    weeks.append(d.name)
        return weeks

    def commit(self) -> None:
        """Swap the build in: rename the old pages away, rename the new in, delete the old."""
        old = None
        if self.out.exists():
            old = pathlib.Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            os.rename(self.out, old / "pages")
        try:
            os.rename(self.tmp, self.out)
        except OSError:
            if old is not None:
                os.rename(old / "pages", self.out)
            raise
        self._done = True
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
        raise ReportFailed(f"the pages could not be built ({type(exc).__name__}: {exc}); "
                           f"the pages in {self.out} are unchanged") from exc
