"""Reliability of the drop folder: hostile names, one bad file, files that change while imported."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from _jobs_support import big_csv, csv_bytes

from ipmonitor import app, inbox
from ipmonitor.shown import excerpt, shown

pytestmark = pytest.mark.reliability

ROW = "201310699744.2,2013-03-05,宿迁华宇机械有限公司"


def _put(folder: Path, name: bytes, data: bytes) -> None:
    folder.mkdir(exist_ok=True)
    with open(os.path.join(os.fsencode(folder), name), "wb") as f:
        f.write(data)


def _imports(home: Path):
    conn = sqlite3.connect(home / "ipmonitor.db")
    try:
        return conn.execute("SELECT file, sha256, rows, new, unchanged FROM imports ORDER BY id").fetchall()
    finally:
        conn.close()


def _filings(home: Path) -> int:
    conn = sqlite3.connect(home / "ipmonitor.db")
    try:
        return conn.execute("SELECT count(*) FROM filings").fetchone()[0]
    finally:
        conn.close()


def test_shown_escapes_bytes_that_are_not_utf8_and_invisible_characters():
    gbk = os.fsdecode(b"\xd6\xd0\xce\xc4.csv")          # 中文 in GBK
    assert shown(gbk) == "\\xd6\\xd0\\xce\\xc4.csv"
    assert shown("a\nb\x1b[31m\u202ec.csv") == "a\\nb\\x1b[31m\\u202ec.csv"
    assert shown("专利 申请.csv") == "专利 申请.csv"
    assert excerpt("x" * 100, 5) == "xxxxx…"


def test_names_that_are_not_utf8_or_hold_control_characters_never_break_a_run(home):
    folder = home / "inbox"
    _put(folder, b"\xd6\xd0\xce\xc4.csv", csv_bytes([ROW]))
    _put(folder, b"evil\x1b[31m\nname.csv", csv_bytes(["201220687633.0,2012-11-20,宿迁绿源食品有限公司"]))
    _put(folder, b"plain.csv", csv_bytes(["201710601862.3,2017-08-01,宿迁市新宇科技有限公司"]))
    h = app.open_home(home)
    try:
        results = inbox.process(h, quiet=0)
        outcome, items, message = inbox.summary(results)
    finally:
        h.close()
    assert [r["status"] for r in results] == ["imported"] * 3
    assert sorted(r[0] for r in _imports(home)) == ["\\xd6\\xd0\\xce\\xc4.csv", "evil\\x1b[31m\\nname.csv",
                                                    "plain.csv"]
    assert outcome == "ok" and items == 3
    assert "\n" not in message and "\x1b" not in message and "\\xd6\\xd0\\xce\\xc4.csv" in message
    assert os.listdir(folder) == []
    (month,) = os.listdir(home / "archive")
    kept = set(os.listdir(os.fsencode(home / "archive" / month)))
    assert b"\xd6\xd0\xce\xc4.csv" in kept and b"plain.csv" in kept   # the original name, byte for byte
    assert b"evil[31mname.csv" in kept                                # control characters dropped


def test_one_file_that_breaks_never_blocks_the_others(home, monkeypatch):
    folder = home / "inbox"
    _put(folder, b"a-first.csv", csv_bytes([ROW]))
    _put(folder, b"b-second.csv", csv_bytes(["201220687633.0,2012-11-20,宿迁绿源食品有限公司"]))
    os.utime(folder / "a-first.csv", (1_000_000, 1_000_000))     # oldest: handled first
    real = app.import_data

    def breaks_on_the_first(h, name, data, kind="filings", **kw):
        if name == "a-first.csv":
            raise sqlite3.OperationalError("database or disk is full")
        return real(h, name, data, kind, **kw)
    monkeypatch.setattr(app, "import_data", breaks_on_the_first)
    h = app.open_home(home)
    try:
        results = inbox.process(h, quiet=0)
        outcome, _, message = inbox.summary(results)
    finally:
        h.close()
    assert [(r["file"], r["status"]) for r in results] == [("a-first.csv", "failed"), ("b-second.csv", "imported")]
    assert results[0]["error"].startswith("存放工作目录的磁盘已满")
    assert outcome == "failed" and "留在 inbox/" in message
    assert os.listdir(folder) == ["a-first.csv"]          # kept for the next run, not rejected


def test_a_file_that_grows_while_imported_loses_no_rows(home, tmp_path, monkeypatch):
    (home / "inbox").mkdir()
    path = big_csv(home / "inbox" / "growing.csv", 300)
    tail = big_csv(tmp_path / "tail.csv", 200, first=300).read_text(encoding="utf-8").split("\n", 1)[1]
    real = app.import_data

    def writer_appends_meanwhile(h, name, data, kind="filings", **kw):
        with open(path, "a", encoding="utf-8") as f:      # the agency's copy goes on writing
            f.write(tail)
        return real(h, name, data, kind, **kw)
    monkeypatch.setattr(app, "import_data", writer_appends_meanwhile)
    h = app.open_home(home)
    try:
        first = inbox.process(h, quiet=0)
        monkeypatch.setattr(app, "import_data", real)
        second = inbox.process(h, quiet=0)
    finally:
        h.close()
    assert [(r["status"], r["rows"]) for r in first] == [("imported", 300)]
    archived = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (home / "archive").rglob("*.csv")}
    # each archived copy is exactly what was imported: the first 300 rows, then the whole file
    assert archived == {"growing.csv": first[0]["sha256"], "growing-1.csv": second[0]["sha256"]}
    assert [(r["status"], r["rows"], r["new"], r["unchanged"]) for r in second] == [("imported", 500, 200, 300)]
    assert _filings(home) == 500
    assert not path.exists()


def test_a_file_changed_between_the_scan_and_the_read_waits(home):
    path = home / "inbox" / "late.csv"
    _put(home / "inbox", b"late.csv", csv_bytes([ROW]))
    (seen,), _ = inbox.ready_files(home / "inbox", quiet=0)
    with open(path, "ab") as f:
        f.write(b"201220687633.0,2012-11-20,x\n")
    assert inbox.read_steady(seen) is None
    (again,), _ = inbox.ready_files(home / "inbox", quiet=0)
    data, _ = inbox.read_steady(again)
    assert data == path.read_bytes()


def test_a_file_past_max_file_mb_is_rejected_unread(home):
    (home / "ipmonitor.toml").write_text((home / "ipmonitor.toml").read_text(encoding="utf-8")
                                         + "[import]\nmax_file_mb = 1\n", encoding="utf-8")
    (home / "inbox").mkdir()
    with open(home / "inbox" / "huge.csv", "wb") as f:
        f.truncate(2 * 2**20)
    h = app.open_home(home)
    try:
        (r,) = inbox.process(h, quiet=0)
    finally:
        h.close()
    assert r["status"] == "failed" and "max_file_mb = 1 MB" in r["error"]
    assert sorted(os.listdir(home / "rejected")) == ["huge.csv", "huge.csv.why.txt"]


def test_a_claim_of_ten_to_the_30_yuan_is_refused_in_one_line(home):
    from conftest import run_process
    proc = run_process("subsidy", "claim", "--application-no", "201310699744.2", "--claimant",
                       "91321311MA1WXYZ12K", "--stage", "grant", "--amount", str(10**30), home=home)
    assert proc.returncode in (1, 2) and proc.stderr.count("\n") == 1
    assert "internal error" not in proc.stderr
