"""Running one job: its own database connection in its thread, a `job_runs` record, a log line.

The runner also knows which connections are busy, so that a shutdown can wait
for them and, past its grace period, abort their SQL (SQLite then rolls the
open transaction back). `conn.interrupt()` alone is not enough: it only stops
the statement running at that instant, and an import runs many short ones; so
each job connection also gets a progress handler that aborts once asked to.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import sys
import threading
import time
from pathlib import Path

from ipmonitor import app, store
from ipmonitor.diskfull import DISK_FULL, is_disk_full
from ipmonitor.inbox import is_interrupt
from ipmonitor.errors import IpmonitorError
from ipmonitor.shown import shown
from ipmonitor.store import runs

from . import backup, fetch, inbox, mail, report
from .context import Context, Result

JOBS = {"inbox": inbox.run, "fetch": fetch.run, "report": report.run, "backup": backup.run, "mail": mail.run}
LOGGER = "ipmonitor.serve"
PROGRESS_OPS = 1000           # SQLite VM steps between two checks of the abort flag


class LineFormatter(logging.Formatter):
    """`2013-06-30T08:00:01+08:00 INFO job=inbox run=12 outcome=ok items=3 message=…`: one line each."""

    def __init__(self, tz):
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.tz = tz

    def formatTime(self, record, datefmt=None):
        return dt.datetime.fromtimestamp(record.created, self.tz).isoformat(timespec="seconds")

    def format(self, record):
        return one_line(super().format(record))


def setup_logging(tz, stream=None) -> logging.Logger:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(LineFormatter(tz))
    log = logging.getLogger(LOGGER)
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    # The scheduler's own messages (errors only; missed runs arrive as events) in the same format.
    aps = logging.getLogger("apscheduler")
    aps.handlers[:] = [handler]
    aps.setLevel(logging.ERROR)
    aps.propagate = False
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log


def one_line(text: str) -> str:
    """One log line: whitespace runs become one space, every other invisible character is escaped."""
    return shown(" ".join(str(text).split()))


def describe(e: BaseException) -> str:
    """An exception as the one-line message of a failed run."""
    if isinstance(e, IpmonitorError):
        return one_line(str(e))
    if is_interrupt(e):
        return "interrupted by shutdown; the database work was rolled back"
    if is_disk_full(e):
        return DISK_FULL
    return one_line(f"{type(e).__name__}: {e}")


def record(home: app.Home, name: str, trigger: str, body, ctx: Context,
           log: logging.Logger | None = None, on_start=None, on_end=None) -> tuple[int, Result]:
    """Run `body(home, ctx)` as a recorded run of job `name`; a raising body is a failed run."""
    run_id = runs.start_run(home.db, name, trigger)
    t0 = time.monotonic()
    if log:
        log.info(f"job={name} run={run_id} trigger={trigger} started")
    if on_start:
        on_start(run_id)
    try:
        result = body(home, ctx)
    except Exception as e:      # noqa: BLE001 — a failing job is recorded, never fatal
        result = Result("failed", 0, describe(e))
    finally:
        if on_end:
            on_end(run_id)
    store.rollback_open(home.db)      # defensive: a failed COMMIT can leave one open
    message = one_line(result.message)
    runs.finish_run(home.db, run_id, result.outcome, message, result.items)
    if log:
        level = logging.INFO if result.outcome != "failed" else logging.ERROR
        log.log(level, f"job={name} run={run_id} outcome={result.outcome} items={result.items} "
                       f"seconds={time.monotonic() - t0:.2f} message={message}")
    return run_id, result


def mails_after_report(settings) -> bool:
    """`[mail]` without its own `[jobs.mail]` schedule: the mail follows each successful report run."""
    job = settings.jobs.get("mail")
    return job is not None and not (job.cron or job.every_seconds)


class Runner:
    """Called by the scheduler (in its worker threads) with a job's name."""

    def __init__(self, home_path: Path, ctx: Context, log: logging.Logger, catch_up=()):
        self.home_path = home_path
        self.ctx = ctx
        self.log = log
        self._catch_up = set(catch_up)      # the first run of these is labelled catch-up
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._running = 0
        self._active: dict[int, sqlite3.Connection] = {}
        self._abort = threading.Event()

    def run(self, name: str) -> None:
        with self._lock:
            if self.ctx.stop.is_set():      # submitted just before the shutdown: not started
                return
            self._running += 1
            trigger = "catch-up" if name in self._catch_up else "scheduled"
            self._catch_up.discard(name)
        try:
            self._run(name, trigger)
        finally:
            with self._lock:
                self._running -= 1
                self._idle.notify_all()

    def _run(self, name: str, trigger: str) -> None:
        try:
            home = app.open_home(self.home_path)
        except Exception as e:              # noqa: BLE001
            self.log.error(f"job={name} run=- outcome=failed items=0 message=cannot open the home: {describe(e)}")
            return
        conn = home.db.conn

        def start(run_id):
            conn.set_progress_handler(self._abort.is_set, PROGRESS_OPS)
            with self._lock:
                self._active[run_id] = conn

        def end(run_id):
            with self._lock:                # after this, no interrupt can reach the bookkeeping
                self._active.pop(run_id, None)
            conn.set_progress_handler(None, 0)
        try:
            _, result = record(home, name, trigger, JOBS[name], self.ctx, self.log, start, end)
            if name == "report" and result.outcome == "ok" and mails_after_report(home.settings) \
                    and not self.ctx.stop.is_set():
                record(home, "mail", "after-report", JOBS["mail"], self.ctx, self.log, start, end)
        except Exception as e:              # noqa: BLE001 — the record itself failed
            self.log.error(f"job={name} run=- outcome=failed items=0 message=cannot record the run: {describe(e)}")
        finally:
            home.close()

    def record_missed(self, name: str, when: dt.datetime) -> None:
        """A fire time the scheduler could not honour in time: a `skipped` row, in a thread of its own."""
        def write():
            try:
                home = app.open_home(self.home_path)
                try:
                    runs.record_run(home.db, name, "missed", "skipped",
                                    f"missed its time {when.isoformat(timespec='seconds')}")
                finally:
                    home.close()
            except Exception as e:          # noqa: BLE001
                self.log.error(f"job={name} run=- message=cannot record a missed run: {describe(e)}")
        threading.Thread(target=write, name=f"missed-{name}", daemon=True).start()

    def busy(self) -> int:
        with self._lock:
            return self._running

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            while self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
            return True

    def interrupt(self) -> int:
        """Abort the SQL of the running jobs, now and from now on; SQLite rolls their transaction back."""
        self._abort.set()
        with self._lock:
            for conn in self._active.values():
                conn.interrupt()
            return len(self._active)
