"""The scheduled server as a real process (`python -m ipmonitor --home H serve`) with second-level
intervals and a real agency server on 127.0.0.1: imports, fetches, failures, catch-up, one server per
home, SIGTERM in the middle of an import, the CLI beside the server."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import time
from zoneinfo import ZoneInfo

import pytest
from _jobs_support import (
    ROWS,
    TOKEN,
    Agency,
    Serve,
    app_no,
    assert_no_token,
    big_csv,
    count,
    csv_bytes,
    files_under,
    query,
    run_cli,
    seed_ok_runs,
    wait_for,
)

from ipmonitor.backup import verify

TZ = ZoneInfo("Asia/Shanghai")
FAR = "0 3 1 1 *"          # a cron time that does not come during a test
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00 (INFO|WARNING|ERROR) ", re.M)


def configure(home, sources="", **jobs):
    text = (home / "ipmonitor.toml").read_text(encoding="utf-8")
    for name, value in jobs.items():
        key = "every" if re.fullmatch(r"\d+[smhd]", value) else "cron"
        text += f'\n[jobs.{name}]\n{key} = "{value}"\n'
    (home / "ipmonitor.toml").write_text(text + sources, encoding="utf-8")


def month_folder(home):
    return home / "archive" / dt.datetime.now(TZ).strftime("%Y-%m")


def runs_of(home, job):
    return query(home, "SELECT trigger, outcome, items, message FROM job_runs WHERE job = ? "
                       "AND coalesce(message, '') != 'seeded by the test' ORDER BY id", (job,))


def test_serve_imports_fetches_files_away_and_keeps_going_when_a_job_fails(home):
    extra = [f"{app_no('201320000001')},2013-05-02,宿迁远航电子有限公司",
             f"{app_no('201330000002')},2013-05-03,宿迁远航电子有限公司"]
    flaky = big_csv(home.parent / "flaky.csv", 1000, first=5000).read_bytes()
    with Agency() as agency:
        agency.routes["/export.csv"] = [("status", 500, {}), ("ok", csv_bytes(extra), '"v1"')]
        agency.routes["/denied.csv"] = [("ok", csv_bytes(ROWS), None)]
        agency.routes["/flaky.csv"] = [("cut", flaky), ("ok", flaky, '"f1"')]
        configure(home, inbox="1s", fetch="1s", report=FAR, backup=FAR, sources="".join(
            f'\n[[sources]]\nname = "{name}"\nurl = "{agency.url(path)}"\ntoken_env = "{var}"\n'
            for name, path, var in [("agency", "/export.csv", "AGENCY_TOKEN"),
                                    ("denied", "/denied.csv", "OTHER_TOKEN"),
                                    ("flaky", "/flaky.csv", "AGENCY_TOKEN")]))
        seed_ok_runs(home, "backup")              # the report runs once at start (catch-up)
        inbox = home / "inbox"
        inbox.mkdir()
        (inbox / "good.csv").write_bytes(csv_bytes(ROWS))
        (inbox / "bad.csv").write_bytes(b"\x00\x01not a table\x00")
        (inbox / ".hidden.csv").write_bytes(csv_bytes(ROWS))
        env = {"AGENCY_TOKEN": TOKEN, "OTHER_TOKEN": "wrong-token"}
        with Serve(home, "--inbox-quiet", "0.5", env=env) as server:
            wait_for(lambda: count(home, "filings") == 1005, 30, "the dropped and the fetched filings")
            wait_for(lambda: 304 in agency.statuses("/export.csv") and 304 in agency.statuses("/flaky.csv"),
                     15, "a 304 for the second fetch")
            wait_for(lambda: (home / "rejected" / "bad.csv.why.txt").exists(), 10, "the why.txt")

            second = run_cli(home, "serve", timeout=30)
            assert second.returncode == 2
            assert "already running" in second.stderr and second.stderr.strip().count("\n") == 0

            status = run_cli(home, "status", "--json")
            assert status.returncode == 0, status.stderr
            doc = json.loads(status.stdout)
            assert doc["server"] == {"running": True, "pid": server.proc.pid}
            assert doc["counts"]["filings"] == 1005 and doc["counts"]["claims"] == 0
            assert doc["jobs"]["inbox"]["outcome"] in ("ok", "running")
            assert doc["jobs"]["fetch"]["next_run"].endswith("+08:00")
            assert doc["jobs"]["report"]["next_run"].endswith("01-01T03:00:00+08:00")

            code, took = server.stop()
            log = server.log()
            stdout = server.proc.stdout.read().decode()
        assert code == 0 and took < 10, log

    assert agency.statuses("/export.csv")[:3] == [500, 200, 304]
    assert agency.statuses("/flaky.csv")[:3] == [200, 200, 304]     # cut off, retried, then not modified
    assert sorted(r[0] for r in query(home, "SELECT rows FROM imports")) == [2, 3, 1000]  # never a partial file
    denied = agency.statuses("/denied.csv")
    fetch_runs = runs_of(home, "fetch")
    assert set(denied) == {401} and len(denied) <= len(fetch_runs)      # never retried
    assert all(r[1] == "failed" and "denied：失败：HTTP 401" in r[3] for r in fetch_runs)
    inbox_runs = runs_of(home, "inbox")
    assert len(inbox_runs) > len([r for r in inbox_runs if r[2]]) >= 1  # ran on after its files were done
    assert [r[:2] for r in runs_of(home, "report")] == [("catch-up", "ok")] and runs_of(home, "backup") == []
    assert (home / "reports" / "index.html").is_file()            # pages too are checked for the token

    assert files_under(inbox) == [".hidden.csv"]
    archived = files_under(month_folder(home))
    assert "good.csv" in archived and len(archived) == 3
    assert all(re.fullmatch(r"(agency|flaky)-\d{8}T\d{6}Z\.csv", n) for n in archived if n != "good.csv")
    assert files_under(home / "rejected") == ["bad.csv", "bad.csv.why.txt"]
    why = (home / "rejected" / "bad.csv.why.txt").read_text(encoding="utf-8")
    assert "二进制" in why and "原因：" in why

    assert re.search(r"^\S+ INFO job=inbox run=\d+ outcome=ok items=\d+ seconds=[\d.]+ message=", log, re.M)
    assert re.search(r"^\S+ ERROR job=fetch run=\d+ outcome=failed items=\d+ .*HTTP 401", log, re.M)
    assert all(LINE.match(line) for line in log.splitlines()), log
    assert "Traceback" not in log
    assert_no_token(home, log, stdout, status.stdout, second.stderr)
    assert json.loads(run_cli(home, "status", "--json").stdout)["server"]["running"] is False


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    return big_csv(tmp_path_factory.mktemp("big") / "big.csv", 300_000)


@pytest.mark.parametrize("grace", ["8", "0"])
def test_sigterm_during_an_import_exits_0_with_the_whole_file_or_none(home, big_file, grace):
    configure(home, inbox="1s", report=FAR, backup=FAR)
    seed_ok_runs(home, "report", "backup")
    (home / "inbox").mkdir()
    shutil.copy(big_file, home / "inbox" / "big.csv")
    with Serve(home, "--inbox-quiet", "0", "--stop-grace", grace) as server:
        server.wait_log(r"job=inbox run=\d+ trigger=scheduled started")
        time.sleep(1.0)                            # reading, checking or storing the 300,000 rows
        code, took = server.stop()
        log = server.log()
    # the grace, then at most a rollback and the exit (a loaded 2-core machine takes a few seconds)
    assert code == 0 and took < float(grace) + 7, log
    n = count(home, "filings")
    imports = query(home, "SELECT rows, new FROM imports")
    if n:
        assert n == 300_000 and imports == [(300_000, 300_000)]
        assert files_under(month_folder(home)) == ["big.csv"] and files_under(home / "inbox") == []
    else:
        assert imports == [] and count(home, "filing_sources") == 0
        assert files_under(home / "inbox") == ["big.csv"]       # left for the next start
    assert not (home / "rejected").exists() or files_under(home / "rejected") == []
    if "interrupting" in log:
        assert n == 0 and "rolled back" in log
    assert "server stopped" in log


@pytest.mark.parametrize("prior", ["none", "three days ago"])
def test_missed_report_and_backup_run_once_soon_after_start(home, cli, prior):
    earlier = dt.datetime.now(TZ) - dt.timedelta(hours=2)
    daily = f"{earlier.minute} {earlier.hour} * * *"
    configure(home, inbox="1h", report=daily, backup=daily)
    (home / "a.csv").write_bytes(csv_bytes(ROWS))
    cli("import", home / "a.csv")
    if prior != "none":
        at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)).isoformat(timespec="milliseconds")
        seed_ok_runs(home, "report", "backup", at=at)
    with Serve(home) as server:
        server.wait_log(r"job=report run=\d+ outcome=ok", 30)
        server.wait_log(r"job=backup run=\d+ outcome=ok", 30)
        time.sleep(2.0)                            # a second catch-up run would have started by now
        code, took = server.stop(signal.SIGINT if prior == "none" else signal.SIGTERM)
        log = server.log()
    assert code == 0 and took < 10 and "server stopped" in log and "Traceback" not in log
    assert [r[:3] for r in runs_of(home, "report")] == [("catch-up", "ok", 1)]
    assert [r[:3] for r in runs_of(home, "backup")] == [("catch-up", "ok", 1)]
    assert json.loads((home / "reports" / "progress.json").read_text(encoding="utf-8"))
    (made,) = [home / "backups" / n for n in files_under(home / "backups")]
    assert re.fullmatch(r"ipmonitor-\d{8}T\d{6}Z\.db", made.name) and verify(made) == "ok"


@pytest.mark.parametrize("first", ["cli", "job"])
def test_cli_import_beside_the_inbox_job_imports_once_and_is_never_locked_out(home, tmp_path, first):
    same = big_csv(tmp_path / "same.csv", 100_000)
    configure(home, inbox="1s", report=FAR, backup=FAR)
    seed_ok_runs(home, "report", "backup")
    (home / "inbox").mkdir()
    shutil.copy(same, home / "inbox" / "same.csv")
    os.utime(home / "inbox" / "same.csv", (time.time() - 60, time.time() - 60))
    with Serve(home, "--inbox-quiet", "0") as server:
        # "cli": the command starts before the job's first run (1 s after start) and holds the write
        # lock while the job waits; "job": the job is reading the file when the command starts.
        server.wait_log("server started" if first == "cli" else r"job=inbox run=\d+ trigger=scheduled started")
        by_hand = run_cli(home, "import", same, "--json")
        status = run_cli(home, "status")
        server.wait_log(r"job=inbox run=\d+ outcome=ok items=1 ", 30)
        code, _ = server.stop()
        log = server.log()
    assert code == 0
    assert by_hand.returncode == 0, by_hand.stderr
    assert status.returncode == 0 and "服务：运行中" in status.stdout
    (result,) = json.loads(by_hand.stdout)["files"]
    assert result["status"] in ("imported", "skipped")
    for text in (by_hand.stderr, status.stderr, log):
        assert "locked" not in text
    assert query(home, "SELECT count(*) FROM imports") == [(1,)] and count(home, "filings") == 100_000
    assert files_under(month_folder(home)) == ["same.csv"]


def test_serve_with_a_bad_schedule_exits_2_with_one_line(home):
    configure(home, inbox="soon")
    (home / "ipmonitor.toml").write_text((home / "ipmonitor.toml").read_text(encoding="utf-8")
                                         .replace('cron = "soon"', 'every = "soon"'), encoding="utf-8")
    r = run_cli(home, "serve", timeout=30)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "jobs.inbox.every" in r.stderr
    assert not (home / "ipmonitor.lock").exists()
