"""Files of the home readable by their owner only; logs and messages escape what a file holds."""

from __future__ import annotations

import os
import stat

import pytest
from _jobs_support import ROWS, csv_bytes
from conftest import run_process

from ipmonitor import app, inbox
from ipmonitor.backup import make_backup

pytestmark = pytest.mark.reliability


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_the_database_its_wal_backups_and_filed_copies_are_owner_only(home, tmp_path):
    data = tmp_path / "a.csv"
    data.write_bytes(csv_bytes(ROWS))
    assert run_process("import", data, home=home).returncode == 0
    assert _mode(home / "ipmonitor.db") == 0o600
    (home / "inbox").mkdir()
    (home / "inbox" / "b.csv").write_bytes(csv_bytes(ROWS[:1]) + b"x,y,z\n")
    (home / "inbox" / "c.csv").write_bytes(b"\x00\x01 not a table")
    h = app.open_home(home)
    try:
        for wal in (home / "ipmonitor.db-wal", home / "ipmonitor.db-shm"):
            assert _mode(wal) == 0o600
        inbox.process(h, quiet=0)
        backup, _ = make_backup(h.db, h.settings, keep=2)
    finally:
        h.close()
    assert _mode(backup) == 0o600 and _mode(home / "backups") == 0o700
    (month,) = (home / "archive").iterdir()
    assert _mode(home / "archive") == 0o700 and _mode(month) == 0o700
    assert [_mode(p) for p in month.iterdir()] == [0o600]
    assert sorted((p.name, _mode(p)) for p in (home / "rejected").iterdir()) == [
        ("c.csv", 0o600), ("c.csv.why.txt", 0o600)]


def test_an_existing_database_readable_by_others_is_tightened(home, tmp_path):
    data = tmp_path / "a.csv"
    data.write_bytes(csv_bytes(ROWS))
    assert run_process("import", data, home=home).returncode == 0
    os.chmod(home / "ipmonitor.db", 0o644)
    assert run_process("rejects", home=home).returncode == 0
    assert _mode(home / "ipmonitor.db") == 0o600


def test_log_lines_and_failures_quote_only_a_short_escaped_excerpt(home):
    from jobs.runner import one_line
    assert one_line("a\x1b[31m\nb\u202e") == "a\\x1b[31m b\\u202e"
    (home / "inbox").mkdir()
    (home / "inbox" / "wide.csv").write_bytes(("\x1b[2J" + "秘" * 5000 + "\n1,2\n").encode("utf-8"))
    h = app.open_home(home)
    try:
        (r,) = inbox.process(h, quiet=0)
        _, _, message = inbox.summary([r])
    finally:
        h.close()
    assert r["status"] == "failed" and "\x1b" not in r["error"] and "\\x1b[2J" in r["error"]
    assert len(r["error"]) < 300 and len(one_line(message)) < 400
