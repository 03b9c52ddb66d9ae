"""Two processes importing at once: no "database is locked", no file imported twice."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from ipmonitor.ids import application_check_char


def big_file(path, rows: int, year: int = 2013):
    lines = ["申请号,申请日,申请人,发明名称"]
    for i in range(rows):
        digits = f"{year}2{i:07d}"
        lines.append(f"{digits}.{application_check_char(digits) if i < 50 else 'X'},{year}-03-05,企业{i % 97},标题{i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_same_file_from_two_processes_imports_once(home):
    path = big_file(home / "big.csv", 40_000)
    cmd = [sys.executable, "-m", "ipmonitor", "--home", str(home), "import", str(path), "--json"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    statuses = sorted(json.loads(out)["files"][0]["status"] for out, _ in outs)
    assert statuses == ["imported", "skipped"]
    assert all("locked" not in err for _, err in outs)
    with sqlite3.connect(home / "ipmonitor.db") as conn:
        assert conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM filing_sources").fetchone()[0] + \
            conn.execute("SELECT count(*) FROM rejects").fetchone()[0] == 40_000


def test_readers_are_not_blocked_by_an_import(home):
    a = big_file(home / "a.csv", 60_000, 2013)
    b = big_file(home / "b.csv", 1_000, 2012)
    cmd = [sys.executable, "-m", "ipmonitor", "--home", str(home)]
    subprocess.run([*cmd, "import", str(b)], check=True, capture_output=True)
    writer = subprocess.Popen([*cmd, "import", str(a)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = subprocess.run([*cmd, "progress", "--json", "--as-of", "2012-12-31"], capture_output=True,
                            text=True, timeout=60)
    writer.communicate(timeout=120)
    assert reader.returncode == 0, reader.stderr
    assert writer.returncode == 0
