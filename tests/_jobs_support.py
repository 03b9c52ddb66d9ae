"""For the scheduled-server tests: a scripted agency HTTP server, a real `ipmonitor serve` process, CSVs."""

from __future__ import annotations

import http.server
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from ipmonitor import store
from ipmonitor.store import runs

TOKEN = "s3cr3t-Tok3n-9f1c"
HEADER = "申请号,申请日,申请人"
ROWS = ["201310699744.2,2013-03-05,宿迁华宇机械有限公司",
        "201220687633.0,2012-11-20,宿迁绿源食品有限公司",
        "201710601862.3,2017-08-01,宿迁市新宇科技有限公司"]
_W12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def csv_bytes(rows) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def app_no(digits: str) -> str:
    check = sum(int(c) * w for c, w in zip(digits, _W12)) % 11
    return f"{digits}.{'X' if check == 10 else check}"


def big_csv(path: Path, n: int, first: int = 0) -> Path:
    """n distinct valid filings (invention, utility model, design), all filed in 2013."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        for i in range(first, first + n):
            f.write(f"{app_no(f'2013{1 + i % 3}{i:07d}')},2013-0{1 + i % 9}-1{i % 9},宿迁测试{i % 500}有限公司\n")
    return path


def query(home: Path, sql: str, params=()):
    conn = sqlite3.connect(home / "ipmonitor.db", timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def count(home: Path, table: str) -> int:
    if not (home / "ipmonitor.db").exists():
        return 0
    return query(home, f"SELECT count(*) FROM {table}")[0][0]


def seed_ok_runs(home: Path, *jobs: str, at: str | None = None) -> None:
    """Record a successful run of each job (so that no catch-up run happens at start)."""
    db = store.connect(home / "ipmonitor.db")
    try:
        for job in jobs:
            runs.record_run(db, job, "scheduled", "ok", "seeded by the test", at=at)
    finally:
        db.conn.close()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# --- the server process -----------------------------------------------------------------------------

class Serve:
    """`python -m ipmonitor --home H serve …` as a real process; stderr goes to a file we can read."""

    def __init__(self, home: Path, *args: str, env: dict | None = None):
        self.home = home
        self.log_path = home.parent / f"serve-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")
        full_env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        full_env.update({"PYTHONUNBUFFERED": "1", **(env or {})})
        self.proc = subprocess.Popen([sys.executable, "-m", "ipmonitor", "--home", str(home), "serve", *args],
                                     stdout=subprocess.PIPE, stderr=self._log, env=full_env,
                                     cwd=home.parent)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_log(self, pattern: str, timeout: float = 20) -> re.Match:
        def found():
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited ({self.proc.returncode}) before '{pattern}':\n{self.log()}")
            return re.search(pattern, self.log(), re.M)
        return wait_for(found, timeout, f"'{pattern}' in the server log")

    def stop(self, sig=signal.SIGTERM, timeout: float = 10) -> tuple[int, float]:
        """Send `sig`; (exit code, seconds it took)."""
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        return code, time.monotonic() - t0

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def run_cli(home: Path, *args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    full_env.update({"PYTHONUNBUFFERED": "1", **(env or {})})
    return subprocess.run([sys.executable, "-m", "ipmonitor", "--home", str(home), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=full_env, cwd=home.parent)


# --- a scripted agency server ------------------------------------------------------------------------

class Agency:
    """A real HTTP server on 127.0.0.1 (ephemeral port) in a thread that demands a bearer token.

    `routes[path]` is a list of answers, used in order (the last one repeats):
      ("ok", body, etag)         200 with ETag, or 304 when If-None-Match matches
      ("status", code, headers)  that status, no body
      ("cut", body)              Content-Length of the whole body, half of it sent, then closed
    Every request is appended to `requests` as (path, authorised, if_none_match, answered status).
    """

    def __init__(self, token: str = TOKEN):
        self.token = token
        self.routes: dict[str, list] = {}
        self.requests: list[tuple] = []
        self._lock = threading.Lock()
        agency = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                agency._answer(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def statuses(self, path: str) -> list[int]:
        with self._lock:
            return [r[3] for r in self.requests if r[0] == path]

    def _answer(self, h) -> None:
        authorised = h.headers.get("Authorization") == f"Bearer {self.token}"
        inm = h.headers.get("If-None-Match")
        with self._lock:
            script = self.routes.get(h.path, [("status", 404, {})])
            answer = script.pop(0) if len(script) > 1 else script[0]
        if not authorised:
            answer = ("status", 401, {"WWW-Authenticate": "Bearer"})
        kind = answer[0]
        code = 304 if kind == "ok" and answer[2] and inm == answer[2] else 200 if kind in ("ok", "cut") \
            else answer[1]
        with self._lock:       # recorded before the answer goes out: the client may look as soon as it has it
            self.requests.append((h.path, authorised, inm, code))
        if code == 304:
            h.send_response(304)
            h.send_header("ETag", answer[2])
            h.end_headers()
        elif kind == "ok":
            body = answer[1]
            h.send_response(200)
            h.send_header("Content-Type", "text/csv; charset=utf-8")
            h.send_header("Content-Length", str(len(body)))
            if answer[2]:
                h.send_header("ETag", answer[2])
            h.end_headers()
            h.wfile.write(body)
        elif kind == "cut":
            body = answer[1]
            h.send_response(200)
            h.send_header("Content-Type", "text/csv")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
        else:
            h.send_response(code)
            for k, v in answer[2].items():
                h.send_header(k, v)
            h.send_header("Content-Length", "0")
            h.end_headers()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def assert_no_token(home: Path, *texts: str, token: str = TOKEN) -> None:
    """The token appears in no text given and in no file of the home (database and WAL included)."""
    for text in texts:
        assert token not in (text or "")
    for p in home.rglob("*"):
        if p.is_file():
            assert token.encode() not in p.read_bytes(), f"token found in {p}"
