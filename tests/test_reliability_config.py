"""Hostile values (config, dates) are usage errors naming what is wrong; a full disk is one line,
and `serve` starts on it and says so."""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from _jobs_support import ROWS, csv_bytes, wait_for
from conftest import CONFIG, run_process

from ipmonitor.config import load_settings
from ipmonitor.errors import ConfigError

pytestmark = pytest.mark.reliability


@pytest.mark.parametrize("extra, key", [
    ('[jobs.inbox]\nevery = "99999999999999d"\n', "jobs.inbox.every"),
    ('[jobs.inbox]\nevery = "367d"\n', "jobs.inbox.every"),
    ('[jobs.report]\ncron = "0 0 30 2 *"\n', "jobs.report.cron"),
    ('[jobs.backup]\ncron = "0 0 31 4 *"\n', "jobs.backup.cron"),
    ('[jobs.backup]\ncron = "30 2 * * *"\nkeep = 100000000\n', "jobs.backup.keep"),
    ('[jobs.fetch]\ncron = "0 7 * * *"\ndeadline = 0\n', "jobs.fetch.deadline"),
    ('[goals.2014]\nfilings = 100000000000000000000000000000000000000\n', None),   # TOML: too big to read
    ('[goals.2014]\nfilings = 10000001\n', "goals.2014.filings"),
    ('[goals.2014]\ninvention = -1\n', "goals.2014.invention"),
    ('[subsidy.2013]\nbudget = 99999999999999\n', "subsidy.2013.budget"),
    ('[import]\nmax_file_mb = 0\n', "import.max_file_mb"),
])
def test_hostile_config_values_are_refused_naming_the_key(tmp_path, extra, key):
    (tmp_path / "ipmonitor.toml").write_text(CONFIG + extra, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_settings(tmp_path)
    if key:
        assert str(e.value).startswith((key + ":", key + "："))


def test_a_goal_of_ten_to_the_38_is_exit_2_from_the_command_line(home):
    (home / "ipmonitor.toml").write_text(CONFIG.replace("filings = 400", "filings = 1e38"), encoding="utf-8")
    proc = run_process("report", home=home)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "goals.2013.filings" in proc.stderr


def test_a_cron_that_never_fires_stops_serve_at_start_with_exit_2(home):
    (home / "ipmonitor.toml").write_text(CONFIG + '[jobs.report]\ncron = "0 0 30 2 *"\n', encoding="utf-8")
    proc = run_process("serve", home=home, timeout=30)
    assert proc.returncode == 2 and "jobs.report.cron" in proc.stderr and "永远不会触发" in proc.stderr
    assert "internal error" not in proc.stderr


@pytest.mark.parametrize("args", [
    ("progress", "--as-of", "0001-01-01"), ("progress", "--as-of", "9999-12-31"),
    ("report", "--as-of", "1899-12-31"), ("progress", "--year", "99999"), ("signals", "--year", "0"),
    ("subsidy", "list", "--year", "3000"),
])
def test_dates_outside_1900_to_2999_are_usage_errors_in_one_line(home, args):
    proc = run_process(*args, home=home)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("ipmonitor: ")
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


@contextlib.contextmanager
def small_disk(size: str = "1m"):
    """A real, tiny file system (tmpfs) for a full disk; skips where mounting is not allowed."""
    where = Path(tempfile.mkdtemp(prefix="ipm-full-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
                             capture_output=True).returncode == 0 if shutil.which("mount") else False
    if not mounted:
        where.rmdir()
        pytest.skip("cannot mount a small tmpfs here (not root?)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


def _fill(folder: Path) -> None:
    with contextlib.suppress(OSError), open(folder / "filler", "wb", buffering=0) as f:
        while True:
            f.write(b"\0" * 4096)


def test_a_full_disk_is_one_line_and_serve_starts_and_reports_it(tmp_path):
    with small_disk("4m") as disk:          # room for a new database (16 KiB pages), then filled
        home = disk / "home"
        home.mkdir()
        (home / "ipmonitor.toml").write_text(CONFIG + '[jobs.inbox]\nevery = "1s"\n', encoding="utf-8")
        first = tmp_path / "first.csv"
        first.write_bytes(csv_bytes(ROWS[:1]))
        assert run_process("import", first, home=home).returncode == 0     # the database exists
        _fill(disk)
        data = tmp_path / "a.csv"
        data.write_bytes(csv_bytes(ROWS * 50))
        proc = run_process("import", data, home=home)
        assert proc.returncode == 1
        failed = proc.stdout + proc.stderr
        assert "存放工作目录的磁盘已满" in failed and "internal error" not in failed
        assert "Traceback" not in failed and "OperationalError" not in failed
        status = run_process("status", "--json", home=home)
        assert status.returncode == 0 and json.loads(status.stdout)["disk"]["full"] is True
        log = tmp_path / "serve.log"       # the log must not live on the full disk
        with open(log, "wb") as out:
            server = subprocess.Popen([sys.executable, "-m", "ipmonitor", "--home", str(home), "serve",
                                       "--inbox-quiet", "0"], stdout=out, stderr=out)
            try:
                said = lambda: log.read_text("utf-8", "replace")   # noqa: E731
                wait_for(lambda: ("server started" in said() and "job=inbox" in said()
                                  and "存放工作目录的磁盘已满" in said()) or server.poll() is not None,
                         30, "the server to start and report the full disk")
                assert server.poll() is None, log.read_text("utf-8", "replace")
                server.send_signal(signal.SIGTERM)
                assert server.wait(timeout=15) == 0
            finally:
                if server.poll() is None:
                    server.kill()
                    server.wait()
        text = log.read_text("utf-8", "replace")
        assert "server started" in text and "internal error" not in text and "Traceback" not in text


def test_a_disk_that_fills_while_an_import_is_stored_is_one_line(tmp_path):
    """The import stores through ADBC (store/bulk.py): SQLite's full disk in its words is the same line."""
    import polars as pl

    from ipmonitor.ids import app_check_expr
    with small_disk("4m") as disk:
        home = disk / "home"
        home.mkdir()
        (home / "ipmonitor.toml").write_text(CONFIG, encoding="utf-8")
        first = tmp_path / "first.csv"
        first.write_bytes(csv_bytes(ROWS[:1]))
        assert run_process("import", first, home=home).returncode == 0
        digits = pl.DataFrame({"d": [f"20131{i:07d}" for i in range(20_000)]})
        numbers = digits.select(pl.col("d") + "." + app_check_expr(pl.col("d")))["d"].to_list()
        rows = "".join(f"{n},2013-03-05,宿迁{i}号科技有限公司,一种{'很长的' * 20}装置,发明\n"
                       for i, n in enumerate(numbers))       # about 5 MB stored: more than the disk holds
        big = tmp_path / "big.csv"
        big.write_bytes(("申请号,申请日,申请人,发明名称,专利类型\n" + rows).encode("utf-8"))
        proc = run_process("import", big, home=home)
        said = proc.stdout + proc.stderr
        assert proc.returncode == 1, said
        assert "存放工作目录的磁盘已满" in said
        assert "OperationalError" not in said and "程序内部错误" not in said and "Traceback" not in said
        imports = run_process("imports", "--json", home=home)
        assert imports.returncode == 0 and len(json.loads(imports.stdout)) == 1   # nothing of it kept
