"""Fetching from an agency (ipmonitor.sources and `ipmonitor fetch`) against a real HTTP server on
127.0.0.1: the token, conditional requests, retries, cut-off downloads, the same content twice."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from _jobs_support import ROWS, TOKEN, Agency, assert_no_token, csv_bytes, files_under, run_cli

from ipmonitor import app, sources
from ipmonitor.store import runs

FAST = sources.Retry(attempts=3, first_delay=0.05, factor=2)


def configure(home, agency, *paths, token_env="AGENCY_TOKEN"):
    text = (home / "ipmonitor.toml").read_text(encoding="utf-8")
    for i, path in enumerate(paths):
        text += f'\n[[sources]]\nname = "s{i}"\nurl = "{agency.url(path) if agency else path}"\n'
        if token_env:
            text += f'token_env = "{token_env}"\n'
    (home / "ipmonitor.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def agency():
    with Agency() as a:
        yield a


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("AGENCY_TOKEN", TOKEN)


def fetch(home, retry=FAST, client=None):
    h = app.open_home(home)
    try:
        return sources.fetch_all(h, client=client, retry=retry)
    finally:
        h.close()


def inbox_files(home):
    return files_under(home / "inbox") if (home / "inbox").exists() else []


def test_download_then_304_then_same_bytes_under_a_new_etag(home, agency, token):
    body = csv_bytes(ROWS)
    agency.routes["/export.csv"] = [("ok", body, '"v1"'), ("ok", body, '"v1"'), ("ok", body, '"v2"')]
    configure(home, agency, "/export.csv")
    (first,) = fetch(home)
    assert first["status"] == "new" and first["bytes"] == len(body) and first["attempts"] == 1
    assert inbox_files(home) == [first["file"]] and first["file"].startswith("s0-") and first["file"].endswith(".csv")
    assert (home / "inbox" / first["file"]).read_bytes() == body
    (second,) = fetch(home)
    assert second["status"] == "not_modified"
    (third,) = fetch(home)                         # new ETag, same bytes: not dropped again
    assert third["status"] == "unchanged" and inbox_files(home) == [first["file"]]
    assert [r[2] for r in agency.requests] == [None, '"v1"', '"v1"']
    assert all(r[1] for r in agency.requests)      # every request carried the bearer token
    h = app.open_home(home)
    try:
        assert runs.fetch_state(h.db, "s0")["etag"] == '"v2"'
    finally:
        h.close()
    assert_no_token(home, json.dumps([first, second, third]))


def test_content_already_imported_is_not_dropped(home, agency, token, cli):
    body = csv_bytes(ROWS)
    (home / "a.csv").write_bytes(body)
    cli("import", home / "a.csv")
    agency.routes["/export.csv"] = [("ok", body, None)]
    configure(home, agency, "/export.csv")
    assert fetch(home)[0]["status"] == "unchanged" and inbox_files(home) == []


def test_5xx_is_retried_with_backoff_honouring_retry_after(home, agency, token):
    agency.routes["/a.csv"] = [("status", 500, {}), ("ok", csv_bytes(ROWS[:1]), None)]
    agency.routes["/b.csv"] = [("status", 503, {"Retry-After": "1"}), ("ok", csv_bytes(ROWS[1:]), None)]
    configure(home, agency, "/a.csv", "/b.csv")
    t0 = time.monotonic()
    a, b = fetch(home)
    assert (a["status"], a["attempts"], b["status"], b["attempts"]) == ("new", 2, "new", 2)
    assert time.monotonic() - t0 >= 1.0
    assert agency.statuses("/a.csv") == [500, 200] and agency.statuses("/b.csv") == [503, 200]
    assert len(inbox_files(home)) == 2


def test_a_retry_after_beyond_the_cap_ends_the_tries(home, agency, token):
    agency.routes["/a.csv"] = [("status", 503, {"Retry-After": "3600"})]
    configure(home, agency, "/a.csv")
    (r,) = fetch(home)
    assert r["status"] == "failed" and r["attempts"] == 1 and "retry after 3600" in r["error"]


@pytest.mark.parametrize("code", [401, 403, 404])
def test_4xx_is_reported_not_retried(home, agency, token, code):
    agency.routes["/a.csv"] = [("status", code, {})]
    configure(home, agency, "/a.csv")
    (r,) = fetch(home)
    assert r["status"] == "failed" and f"HTTP {code}" in r["error"] and r["attempts"] == 1
    assert len(agency.requests) == 1 and inbox_files(home) == []


def test_a_cut_off_download_drops_nothing(home, agency, token):
    agency.routes["/big.csv"] = [("cut", csv_bytes(ROWS * 2000))]
    configure(home, agency, "/big.csv")
    (r,) = fetch(home)
    assert r["status"] == "failed" and r["attempts"] == FAST.attempts
    assert "RemoteProtocolError" in r["error"] or "incomplete" in r["error"]
    assert inbox_files(home) == []                 # no file, and no temporary part left either
    h = app.open_home(home)
    try:
        assert runs.fetch_state(h.db, "s0")["sha256"] is None
    finally:
        h.close()


def test_connection_errors_and_read_timeouts_are_retried(home, token):
    with socket.socket() as s:                     # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    silent = socket.socket()                       # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        configure(home, None, f"http://127.0.0.1:{port}/a.csv",
                  f"http://127.0.0.1:{silent.getsockname()[1]}/b.csv")
        with httpx.Client(timeout=httpx.Timeout(0.3)) as client:
            refused, timed_out = fetch(home, retry=sources.Retry(attempts=2, first_delay=0.05), client=client)
    finally:
        silent.close()
    assert refused["status"] == "failed" and "ConnectError" in refused["error"] and refused["attempts"] == 2
    assert timed_out["status"] == "failed" and "ReadTimeout" in timed_out["error"] and timed_out["attempts"] == 2


def test_a_missing_token_variable_fails_without_a_request(home, agency, monkeypatch):
    monkeypatch.delenv("AGENCY_TOKEN", raising=False)
    agency.routes["/a.csv"] = [("ok", csv_bytes(ROWS), None)]
    configure(home, agency, "/a.csv")
    (r,) = fetch(home)
    assert r["status"] == "failed" and "AGENCY_TOKEN" in r["error"] and agency.requests == []


def test_fetch_command_reports_401_with_exit_1_and_never_shows_the_token(home, agency):
    agency.routes["/a.csv"] = [("ok", csv_bytes(ROWS), '"v1"')]
    configure(home, agency, "/a.csv")
    wrong = run_cli(home, "fetch", "--json", env={"AGENCY_TOKEN": "not-the-token"})
    assert wrong.returncode == 1, wrong.stderr
    doc = json.loads(wrong.stdout)
    assert doc["outcome"] == "failed" and "HTTP 401" in doc["sources"][0]["error"]
    assert agency.statuses("/a.csv") == [401]      # not retried
    good = run_cli(home, "fetch", "s0", env={"AGENCY_TOKEN": TOKEN})
    assert good.returncode == 0 and "s0：新文件 inbox/s0-" in good.stdout
    again = run_cli(home, "fetch", env={"AGENCY_TOKEN": TOKEN})
    assert again.returncode == 0 and "自上次抓取以来没有变化" in again.stdout
    assert_no_token(home, wrong.stdout, wrong.stderr, good.stdout, good.stderr, again.stdout)
    status = run_cli(home, "status", "--json")
    assert json.loads(status.stdout)["jobs"]["fetch"]["outcome"] == "ok"
    unknown = run_cli(home, "fetch", "nosuch")
    assert unknown.returncode == 2 and unknown.stderr.strip().count("\n") == 0 and "nosuch" in unknown.stderr
