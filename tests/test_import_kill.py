"""kill -9 in the middle of an import (the ADBC store of the `import` command): all or nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import polars as pl

from ipmonitor import ids


def big_file(path, rows: int):
    """`rows` valid filings (right check characters), made as a frame."""
    digits = pl.format("20132{}", pl.int_range(rows).cast(pl.String).str.zfill(7))
    df = pl.select(申请号=pl.format("{}.{}", digits, ids.app_check_expr(digits)), 申请日=pl.lit("2013-03-05"),
                   申请人=pl.format("企业{}", pl.int_range(rows) % 97),
                   发明名称=pl.format("标题{}", pl.int_range(rows)))
    df.write_csv(path)
    return path


def counts(db) -> tuple[int, int, int, int]:
    with sqlite3.connect(db) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("imports", "filings", "filing_sources", "rejects"))


def test_kill_during_the_store_leaves_nothing_and_a_retry_completes(home):
    rows = 200_000
    path = big_file(home / "big.csv", rows)
    cmd = [sys.executable, "-m", "ipmonitor", "--home", str(home), "import", str(path), "--json"]
    subprocess.run([sys.executable, "-m", "ipmonitor", "--home", str(home), "progress", "--json"],
                   check=True, capture_output=True)            # the database exists, migrated
    wal = home / "ipmonitor.db-wal"
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    killed = False
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 256 * 1024:   # the transaction is writing
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.005)
    proc.wait(timeout=60)
    done = counts(home / "ipmonitor.db")
    print("killed mid-store:", killed and proc.returncode == -signal.SIGKILL)
    if killed and proc.returncode == -signal.SIGKILL:
        assert done == (0, 0, 0, 0)                  # nothing of the file is stored
    retry = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert retry.returncode == 0, retry.stderr
    f = json.loads(retry.stdout)["files"][0]
    if killed and proc.returncode == -signal.SIGKILL:
        assert f["status"] == "imported"
    stored = counts(home / "ipmonitor.db")
    assert stored == (1, rows, rows, 0)
