"""Fetch against hostile servers on 127.0.0.1: endless bodies, gzip bombs, trickles, HTML in disguise,
a token echoed in a validator. Each is cut or refused, with nothing half-written in inbox/."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import threading
import time

import pytest
from _jobs_support import ROWS, TOKEN, csv_bytes

from ipmonitor import app, sources
from ipmonitor.store import runs

pytestmark = pytest.mark.reliability
FAST = sources.Retry(attempts=2, first_delay=0.05)
MB = 2**20


class Hostile:
    """A real HTTP server in a thread; `routes[path] = callable(handler)` answers a GET."""

    def __init__(self):
        self.routes = {}
        hostile = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                try:
                    hostile.routes[self.path](self)
                except (BrokenPipeError, ConnectionResetError):
                    pass
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Hostile()
    yield s
    s.close()


def configure(home, server, path, extra=""):
    text = (home / "ipmonitor.toml").read_text(encoding="utf-8")
    text += f'\n[import]\nmax_file_mb = 1\n[jobs.fetch]\ncron = "0 7 * * *"\ndeadline = 2\n{extra}'
    text += f'\n[[sources]]\nname = "s0"\nurl = "{server.url(path)}"\ntoken_env = "AGENCY_TOKEN"\n'
    (home / "ipmonitor.toml").write_text(text, encoding="utf-8")


def fetch(home):
    h = app.open_home(home)
    try:
        (r,) = sources.fetch_all(h, retry=FAST)
        return r, runs.fetch_state(h.db, "s0")
    finally:
        h.close()


def inbox_names(home):
    return sorted(os.listdir(home / "inbox")) if (home / "inbox").exists() else []


def _head(h, ctype="text/csv", length=None, extra=()):
    h.send_response(200)
    h.send_header("Content-Type", ctype)
    if length is not None:
        h.send_header("Content-Length", str(length))
    for k, v in extra:
        h.send_header(k, v)
    h.end_headers()


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("AGENCY_TOKEN", TOKEN)


def test_an_endless_body_is_cut_at_max_file_mb(home, server):
    def endless(h):
        _head(h)
        block = b"201310699744.2,2013-03-05,x\n" * 4096
        while True:
            h.wfile.write(block)
    server.routes["/endless.csv"] = endless
    configure(home, server, "/endless.csv")
    t0 = time.monotonic()
    r, state = fetch(home)
    assert r["status"] == "failed" and "max_file_mb = 1 MB" in r["error"] and r["attempts"] == 1
    assert time.monotonic() - t0 < 2
    assert inbox_names(home) == [] and state["sha256"] is None


def test_a_gzip_bomb_is_counted_at_its_real_size(home, server):
    bomb = gzip.compress(b"0" * (8 * MB), 9)          # 8 KiB on the wire, 8 MiB once undone
    def gzipped(h):
        _head(h, length=len(bomb), extra=[("Content-Encoding", "gzip")])
        h.wfile.write(bomb)
    server.routes["/bomb.csv"] = gzipped
    configure(home, server, "/bomb.csv")
    r, _ = fetch(home)
    assert len(bomb) < 64 * 1024
    assert r["status"] == "failed" and "max_file_mb" in r["error"]
    assert inbox_names(home) == []


def test_a_trickling_server_is_cut_at_the_deadline(home, server):
    def trickle(h):
        _head(h, length=10_000)
        for _ in range(10_000):
            h.wfile.write(b"2")
            h.wfile.flush()
            time.sleep(0.4)
    server.routes["/slow.csv"] = trickle
    configure(home, server, "/slow.csv")
    t0 = time.monotonic()
    r, _ = fetch(home)
    took = time.monotonic() - t0
    assert r["status"] == "failed" and "deadline = 2 s" in r["error"]
    assert 1.9 < took < 3.5
    assert inbox_names(home) == []


def test_a_silent_server_is_cut_at_the_deadline_not_at_each_read_timeout(home, server):
    def silent(h):
        _head(h, length=100)
        time.sleep(10)
    server.routes["/silent.csv"] = silent
    configure(home, server, "/silent.csv")
    t0 = time.monotonic()
    r, _ = fetch(home)
    assert r["status"] == "failed" and "deadline" in r["error"] and time.monotonic() - t0 < 3.5


@pytest.mark.parametrize("ctype, body", [
    ("text/csv", b"<!DOCTYPE html><html><body>login</body></html>"),
    ("text/csv", b"\xef\xbb\xbf\n  <HTML><head><title>x</title></head></html>"),
    ("application/octet-stream", b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>'),
    ("application/xhtml+xml", b"anything"),
    ("text/html; charset=utf-8", csv_bytes(ROWS)),
    ("text/csv", b"<html>" + b" " * 5000),
])
def test_an_html_page_is_refused_by_type_and_by_content(home, server, ctype, body):
    def page(h):
        _head(h, ctype, len(body))
        h.wfile.write(body)
    server.routes["/a.csv"] = page
    configure(home, server, "/a.csv")
    r, _ = fetch(home)
    assert r["status"] == "failed" and "HTML page" in r["error"]
    assert inbox_names(home) == []


def test_validators_that_echo_the_token_are_not_stored(home, server):
    body = csv_bytes(ROWS)
    def echo(h):
        _head(h, length=len(body), extra=[("ETag", f'"{h.headers["Authorization"]}"'),
                                          ("Last-Modified", f'{TOKEN}, 01 Jan 2013 00:00:00 GMT')])
        h.wfile.write(body)
    server.routes["/a.csv"] = echo
    configure(home, server, "/a.csv")
    r, state = fetch(home)
    assert r["status"] == "new"
    assert state["etag"] is None and state["last_modified"] is None
    h = app.open_home(home)
    h.close()
    from jobs.status import status
    h = app.open_home(home)
    try:
        assert TOKEN not in json.dumps(status(h))
    finally:
        h.close()
    for p in home.rglob("*"):
        if p.is_file():
            assert TOKEN.encode() not in p.read_bytes(), p


def test_an_honest_file_within_the_limits_still_arrives(home, server):
    body = csv_bytes(ROWS)
    def ok(h):
        _head(h, length=len(body), extra=[("ETag", '"v1"')])
        h.wfile.write(body)
    server.routes["/a.csv"] = ok
    configure(home, server, "/a.csv")
    r, state = fetch(home)
    assert r["status"] == "new" and state["etag"] == '"v1"'
    (name,) = inbox_names(home)
    assert (home / "inbox" / name).read_bytes() == body
    assert (home / "inbox" / name).stat().st_mode & 0o077 == 0
