"""A full disk, however it shows (SQLite's "database or disk is full", ENOSPC, EDQUOT), as one line.

Writing can fail for want of space anywhere: the database, its WAL, a page, a
backup, a copy in archive/. The operator needs to hear what to do, not the
exception; nothing half-written is kept (every write is a transaction or a
temporary file renamed only when complete).
"""

from __future__ import annotations

import errno
import os
import sqlite3

DISK_FULL = ("存放工作目录的磁盘已满：这一步什么也没有保存。"
             "请腾出空间（例如删去旧的 backups/、archive/ 文件）后再运行一次")
_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


LOW_BYTES = 2**20     # less free than this: the disk counts as full


def is_disk_full(e: BaseException | None, where=None) -> bool:
    """True when `e`, or an exception it was raised from, means the disk (or quota) is full.
    SQLite says only "disk I/O error" when it cannot make its -shm file on a full disk: with
    `where` (a folder on that disk), such an error counts when the disk has no room left."""
    seen = 0
    while e is not None and seen < 10:
        if str(e) == DISK_FULL:         # already said (the store's DatabaseError)
            return True
        if isinstance(e, sqlite3.OperationalError) and "full" in str(e):
            return True
        if (where is not None and isinstance(e, sqlite3.DatabaseError) and "I/O error" in str(e)
                and (free_bytes(where) or 0) < LOW_BYTES):
            return True
        if isinstance(e, sqlite3.DatabaseError) and getattr(e, "sqlite_errorcode", None) == 13:   # SQLITE_FULL
            return True
        if isinstance(e, OSError) and e.errno in _ERRNOS:
            return True
        if _from_adbc(e) and ("database or disk is full" in str(e) or getattr(e, "vendor_code", None) == 13
                              or (where is not None and "I/O error" in str(e)
                                  and (free_bytes(where) or 0) < LOW_BYTES)):
            return True                 # SQLite's words through the ADBC driver (store/bulk.py)
        e = e.__cause__ or e.__context__
        seen += 1
    return False


def _from_adbc(e: BaseException) -> bool:
    return type(e).__module__.startswith("adbc_driver_manager")


def disk_full_message(e: BaseException, where=None) -> str | None:
    return DISK_FULL if is_disk_full(e, where) else None


def free_bytes(path) -> int | None:
    """Bytes an unprivileged writer may still use on the file system of `path`."""
    try:
        st = os.statvfs(path)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize
