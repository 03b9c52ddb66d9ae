"""The scheduled server's pure helpers and core pieces, without a server: names, quiet files, backoff,
triggers and catch-up, the run record, backups, status, the report job."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from zoneinfo import ZoneInfo

import pytest
from _jobs_support import ROWS, csv_bytes

from ipmonitor import app, backup, files, inbox, sources
from ipmonitor.config import Job, load_settings, parse_every
from ipmonitor.errors import ConfigError
from ipmonitor.store import runs
from jobs import schedule
from jobs.context import Context, Result
from jobs.runner import record

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("10m", 600), ("2h", 7200), ("1d", 86400), (" 1s ", 1)])
def test_interval_parsing(text, seconds):
    assert parse_every(text, "jobs.inbox.every") == seconds


@pytest.mark.parametrize("text", ["0s", "10", "1w", "-1m", "1.5h", ""])
def test_bad_intervals_name_the_key(text):
    with pytest.raises(ConfigError, match="jobs.inbox.every"):
        parse_every(text, "jobs.inbox.every")


@pytest.mark.parametrize("name, safe", [
    ("a.csv", "a.csv"), ("../../etc/passwd", "passwd"), ("..", "file"), (".", "file"),
    ("..\\..\\boot.ini", "boot.ini"), ("dir/sub/x.xlsx", "x.xlsx"), (".hidden.csv", "hidden.csv"),
    ("a\x00b\nc.csv", "abc.csv"), ("", "file"), ("报表 2013.csv", "报表 2013.csv"),
])
def test_safe_name(name, safe):
    assert files.safe_name(name) == safe


def test_safe_name_keeps_long_names_under_the_limit_with_their_extension():
    name = files.safe_name("专" * 300 + ".csv")
    assert name.endswith(".csv") and len(name.encode()) <= files.MAX_NAME_BYTES


def test_place_never_overwrites_and_never_leaves_its_folder(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a.csv").write_text("old")
    (folder / "a-1.csv.why.txt").write_text("taken companion")
    srcs = []
    for i in range(3):
        src = tmp_path / f"src{i}"
        src.write_text(f"new{i}")
        srcs.append(src)
    first = files.place(srcs[0], folder, "../a.csv")
    second = files.place(srcs[1], folder, "a.csv", companion=".why.txt")
    third = files.place(srcs[2], folder, "..")
    assert (first.name, second.name, third.name) == ("a-1.csv", "a-2.csv", "file")
    assert (folder / "a.csv").read_text() == "old"
    assert first.read_text() == "new0" and not srcs[0].exists()
    assert all(p.parent == folder for p in (first, second, third))


def test_ready_files_wait_for_quiet_and_skip_dot_files_links_and_folders(tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    for name in ("old.csv", "new.csv", ".part.csv"):
        (box / name).write_bytes(b"x")
    (box / "sub").mkdir()
    (box / "link.csv").symlink_to(box / "old.csv")
    past = time.time() - 60
    os.utime(box / "old.csv", (past, past))
    ready, waiting = inbox.ready_files(box, quiet=30)
    assert [s.path.name for s in ready] == [] and waiting == 2      # ctime is recent for both
    ready, waiting = inbox.ready_files(box, quiet=30, now=time.time() + 60)
    assert [s.path.name for s in ready] == ["old.csv", "new.csv"] and waiting == 0   # oldest mtime first


def test_backoff_schedule_and_retry_after():
    r = sources.Retry()
    assert r.schedule() == [1.0, 3.0, 9.0]
    assert r.delay(4) is None
    assert r.delay(1, retry_after=5) == 5 and r.delay(2, retry_after=0) == 3.0
    assert r.delay(1, retry_after=121) is None
    assert sources.Retry(attempts=8, max_delay=30).schedule()[-1] == 30
    now = dt.datetime(2013, 6, 30, 0, 0, tzinfo=dt.timezone.utc)
    assert sources.parse_retry_after("7") == 7
    assert sources.parse_retry_after("Sun, 30 Jun 2013 00:00:42 GMT", now) == 42
    assert sources.parse_retry_after("soon") is None and sources.parse_retry_after(None) is None


@pytest.mark.parametrize("url, ctype, head, ext", [
    ("https://a/x/export.csv", None, b"", ".csv"), ("https://a/x/export.XLSX?k=1", "text/csv", b"", ".xlsx"),
    ("https://a/export", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"", ".xlsx"),
    ("https://a/export", "text/csv; charset=utf-8", b"", ".csv"), ("https://a/export", None, b"PK\x03\x04", ".xlsx"),
])
def test_download_extension(url, ctype, head, ext):
    assert sources.extension(url, ctype, head) == ext


def test_download_name_is_source_and_utc_time():
    t = dt.datetime(2013, 6, 30, 8, 0, 1, tzinfo=TZ)
    assert sources.file_name("zhixing", t, ".csv") == "zhixing-20130630T000001Z.csv"


def test_triggers_run_in_the_district_time_zone_with_day_names():
    now = dt.datetime(2013, 6, 30, 9, 0, tzinfo=TZ)          # a Sunday
    monday_8 = schedule.next_run(Job("report", cron="0 8 * * mon"), TZ, None, now)
    assert monday_8 == dt.datetime(2013, 7, 1, 8, 0, tzinfo=TZ) and monday_8.utcoffset() == dt.timedelta(hours=8)
    every = Job("inbox", every_seconds=600)
    assert schedule.next_run(every, TZ, None, now) == now
    assert schedule.next_run(every, TZ, now - dt.timedelta(minutes=4), now) == now + dt.timedelta(minutes=6)
    assert schedule.describe_job(every) == "every 10m"
    assert schedule.describe_job(Job("x", every_seconds=90)) == "every 90s"


def test_catch_up_only_when_a_fire_time_passed_since_the_last_success():
    trigger = schedule.make_trigger(Job("report", cron="0 8 * * mon"), TZ)
    now = dt.datetime(2013, 7, 3, 12, 0, tzinfo=TZ)            # Wednesday
    assert schedule.missed_since(trigger, None, now) is not None                       # never ran
    assert schedule.missed_since(trigger, dt.datetime(2013, 6, 10, 8, 0, tzinfo=TZ), now) == \
        dt.datetime(2013, 6, 17, 8, 0, tzinfo=TZ)                                    # three missed: one run
    assert schedule.missed_since(trigger, dt.datetime(2013, 7, 1, 8, 0, 2, tzinfo=TZ), now) is None


def test_first_runs(home):
    (home / "ipmonitor.toml").write_text('[jobs.inbox]\nevery = "30s"\n[jobs.report]\ncron = "0 8 * * mon"\n'
                                        '[jobs.backup]\ncron = "30 2 * * *"\n', encoding="utf-8")
    settings = load_settings(home)
    now = dt.datetime(2013, 7, 3, 12, 0, tzinfo=TZ)
    first = schedule.first_runs(settings, {"backup": now - dt.timedelta(hours=1)}, now)
    assert set(first) == {"inbox", "report"}                  # backup ran after 02:30 today; fetch has no catch-up
    assert all(now < t <= now + dt.timedelta(seconds=3) for t, _ in first.values())
    assert first["report"][1].startswith("catch-up")


def test_run_record_orphans_and_fetch_state(home):
    h = app.open_home(home)
    try:
        run_id, result = record(h, "inbox", "scheduled", lambda hm, c: Result("ok", 3, "three\nfiles"), Context())
        assert runs.last_run(h.db, "inbox")["message"] == "three files"
        record(h, "inbox", "scheduled", lambda hm, c: 1 / 0, Context())
        last = runs.last_run(h.db, "inbox")
        assert (last["outcome"], last["message"]) == ("failed", "ZeroDivisionError: division by zero")
        assert runs.last_run(h.db, "inbox", ("ok",))["id"] == run_id
        dangling = runs.start_run(h.db, "backup", "scheduled")
        assert runs.close_orphans(h.db, alive=lambda pid: False) == 1
        assert runs.last_run(h.db, "backup")["id"] == dangling and runs.last_run(h.db, "backup")["outcome"] == "failed"
        runs.save_fetch_state(h.db, "a", etag='"v1"', last_modified=None, sha256="ab", file="a.csv", fetched=True)
        runs.save_fetch_state(h.db, "a", etag=None, last_modified=None, fetched=False)
        assert runs.fetch_state(h.db, "a")["etag"] == '"v1"'
        assert runs.fetch_state(h.db, "zz")["etag"] is None
    finally:
        h.close()


def test_status_without_a_server(home, cli):
    doc = cli.json("status")
    assert doc["server"] == {"running": False, "pid": None}
    assert set(doc["jobs"]) == {"inbox", "fetch", "report", "backup"}
    # no server: no next run is promised
    assert doc["jobs"]["report"]["last_run"] is None and doc["jobs"]["report"]["next_run"] is None
    assert doc["counts"] == {"filings": 0, "rejects": 0, "claims": 0}
    assert not (home / "ipmonitor.db").exists()        # status only reads: it never creates one
    assert "服务：未运行" in cli("status").output


def test_backup_verifies_keeps_the_newest_and_restores(home, cli):
    (home / "a.csv").write_bytes(csv_bytes(ROWS))
    cli("import", home / "a.csv")
    h = app.open_home(home)
    try:
        t0 = dt.datetime(2013, 6, 30, tzinfo=dt.timezone.utc)
        made = [backup.make_backup(h.db, h.settings, keep=2, now=t0 + dt.timedelta(days=i))[0] for i in range(3)]
        same_second = backup.make_backup(h.db, h.settings, keep=2, now=t0 + dt.timedelta(days=2))[0]
    finally:
        h.close()
    assert same_second.name == "ipmonitor-20130702T000000Z-1.db"
    assert [p.name for p in backup.backups(home / "backups")] == [made[2].name, same_second.name]
    assert not made[0].exists() and not list((home / "backups").glob(".*"))
    assert backup.verify(same_second) == "ok"
    restored = home.parent / "restored"
    restored.mkdir()
    (restored / "ipmonitor.db").write_bytes(same_second.read_bytes())
    conn = sqlite3.connect(restored / "ipmonitor.db")
    assert conn.execute("SELECT count(*) FROM filings").fetchone()[0] == 3
    conn.close()
    bad = home / "backups" / "broken.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    assert backup.verify(bad) != "ok"


def test_report_job_builds_the_pages(home, cli, monkeypatch):
    from jobs import report
    (home / "a.csv").write_bytes(csv_bytes(ROWS))
    cli("import", home / "a.csv")
    monkeypatch.setenv("IPMONITOR_TODAY", "2013-06-30")      # a Sunday: the last day of ISO week 26
    h = app.open_home(home)
    try:
        run_id, result = record(h, "report", "manual", report.run, Context())
    finally:
        h.close()
    assert result.outcome == "ok", result.message
    assert (home / "reports" / "index.html").is_file() and (home / "reports" / "progress.json").is_file()
    assert result.message.startswith("pages for 2013 as of 2013-06-30")
    assert (home / "reports" / "archive" / "2013-W26" / "index.html").is_file()
