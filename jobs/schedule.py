"""`ipmonitor serve`: the APScheduler 3 scheduler built from Settings, one server per home, clean stops.

Rules (docs/operations.md):
- every job runs in a worker thread with its own database connection; a
  failing job is recorded and the others go on;
- `every` jobs first run a second or two after start, then every interval;
- `cron` jobs run at their times in the district's time zone; `report` and
  `backup` also run once soon after start when a fire time passed since their
  last successful run (coalesced: once, however many were missed);
- the home is locked with flock on `ipmonitor.lock`: a second server exits 2;
- SIGTERM/SIGINT: no new runs; running jobs get `stop_grace` seconds, then
  their SQL is interrupted (rolled back); the process exits 0 within 10 s.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import logging
import os
import signal
import threading
import time
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ipmonitor import clock, store
from ipmonitor.config import Job, Settings, load_settings
from ipmonitor.diskfull import DISK_FULL, is_disk_full
from ipmonitor.errors import AlreadyRunning, WebUnavailable
from ipmonitor.inbox import ARCHIVE, INBOX, QUIET_SECONDS, REJECTED
from ipmonitor.store import runs
from ipmonitor.words import say

from .context import Context
from .runner import Runner, mails_after_report, setup_logging

LOCK_NAME = "ipmonitor.lock"
CATCH_UP = ("report", "backup")
JOB_DEFAULTS = {"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1}
FIRST_RUN_DELAY = 1.0         # seconds after start for `every` jobs and catch-up runs
STOP_GRACE = 8.0              # seconds a running job may take after SIGTERM before it is interrupted
STOP_LIMIT = 9.0              # seconds after SIGTERM when the process leaves, whatever is running
CATCH_UP_HORIZON = dt.timedelta(days=400)


def make_trigger(job: Job, tz):
    if job.cron:
        return CronTrigger.from_crontab(job.cron, timezone=tz)
    return IntervalTrigger(seconds=job.every_seconds, timezone=tz)


def describe_job(job: Job) -> str:
    if not (job.cron or job.every_seconds):
        return "after report"
    return f"cron {job.cron}" if job.cron else f"every {_interval(job.every_seconds)}"


def scheduled(settings: Settings) -> list[str]:
    """The jobs with a trigger of their own, in order (a mail without one follows the report)."""
    return [name for name, job in settings.jobs.items() if job.cron or job.every_seconds]


def _interval(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def missed_since(trigger, last: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """The first fire time of a cron trigger in (last, now] (with no last run: in the horizon
    before now), or None when nothing was missed."""
    start = (last + dt.timedelta(microseconds=1)) if last else now - CATCH_UP_HORIZON
    fire = trigger.get_next_fire_time(None, start)
    return fire if fire is not None and fire <= now else None


def next_run(job: Job, tz, last_start: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """When the job runs next by its configured trigger (an `every` job: one interval after its
    last start, or now when that has passed)."""
    if job.cron:
        return make_trigger(job, tz).get_next_fire_time(None, now)
    if not job.every_seconds:
        return None
    if last_start is None:
        return now
    return max(now, last_start + dt.timedelta(seconds=job.every_seconds)).astimezone(tz)


def parse_time(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def first_runs(settings: Settings, last_ok: dict, now: dt.datetime) -> dict[str, tuple[dt.datetime, str]]:
    """{job: (first run time, why)} for the jobs that run soon after start."""
    out = {}
    for i, name in enumerate(scheduled(settings)):
        job = settings.jobs[name]
        soon = now + dt.timedelta(seconds=FIRST_RUN_DELAY + 0.25 * i)
        if job.every_seconds:
            out[name] = (soon, "start")
        elif name in CATCH_UP:
            last = last_ok.get(name)
            missed = missed_since(make_trigger(job, settings.tz), last, now)
            if missed is not None:
                out[name] = (soon, f"catch-up: missed {missed.isoformat(timespec='seconds')}" if last
                             else "catch-up: no successful run recorded")
    return out


def build_scheduler(settings: Settings, runner: Runner, first: dict) -> BackgroundScheduler:
    tz = settings.tz
    sched = BackgroundScheduler(timezone=tz, job_defaults=dict(JOB_DEFAULTS),
                                executors={"default": ThreadPoolExecutor(len(settings.jobs))})
    for name in scheduled(settings):
        extra = {"next_run_time": first[name][0]} if name in first else {}
        sched.add_job(runner.run, make_trigger(settings.jobs[name], tz), args=(name,), id=name,
                      name=name, **extra)

    def on_event(ev):
        if ev.code == EVENT_JOB_MISSED:
            runner.log.warning(f"job={ev.job_id} run=- outcome=skipped items=0 "
                               f"message=missed its time {ev.scheduled_run_time.isoformat()}")
            runner.record_missed(ev.job_id, ev.scheduled_run_time)
        elif ev.code == EVENT_JOB_MAX_INSTANCES:
            runner.log.info(f"job={ev.job_id} still running; this fire time is skipped")
        else:
            runner.log.error(f"job={ev.job_id} run=- outcome=failed items=0 "
                             f"message={type(ev.exception).__name__}: {ev.exception}")
    sched.add_listener(on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    return sched


# --- one server per home ----------------------------------------------------------------------------

def acquire_lock(home: Path, tries: int = 10) -> int:
    """An exclusive flock on home/ipmonitor.lock, held for the life of the process (the fd)."""
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    for _ in range(tries):          # a `status` probing the lock holds it for microseconds
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            time.sleep(0.1)
    else:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").split()
        os.close(fd)
        raise AlreadyRunning(f"another ipmonitor serve is already running on {home}"
                             f"{f' (pid {pid[0]})' if pid else ''}; stop it first")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError:                 # a full disk: the lock holds all the same, only the pid is not shown
        pass
    return fd


def server_pid(home: Path) -> int | None:
    """The pid of the server holding this home's lock, or None when no server runs."""
    try:
        fd = os.open(home / LOCK_NAME, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").split()
            return int(text[0]) if text and text[0].isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- serve ------------------------------------------------------------------------------------------

def serve(home_path: Path, *, inbox_quiet: float = QUIET_SECONDS, stop_grace: float = STOP_GRACE) -> int:
    """Run the scheduler until SIGTERM or SIGINT; returns the exit code (0)."""
    settings = load_settings(home_path)
    lock_fd = acquire_lock(home_path)
    try:
        return _serve(settings, inbox_quiet, min(stop_grace, STOP_LIMIT))
    finally:
        os.close(lock_fd)


def _serve(settings: Settings, inbox_quiet: float, stop_grace: float) -> int:
    home = settings.home
    log = setup_logging(settings.tz)
    closed, last_ok = 0, {}
    try:
        for folder in (INBOX, ARCHIVE, REJECTED, "backups"):
            settings.path(folder).mkdir(mode=0o700, exist_ok=True)
        db = store.connect(settings.db_path)      # migrate once, before any job thread opens its own
        try:
            last_ok = {name: parse_time((runs.last_run(db, name, ("ok",)) or {}).get("started_at"))
                       for name in settings.jobs}
            closed = runs.close_orphans(db, _alive)
        finally:
            db.conn.close()
    except Exception as e:                    # a full disk: start anyway; each job run says so
        if not is_disk_full(e):
            raise
        log.error(f"server starting on a full disk: {DISK_FULL}")

    web = start_web(settings, log)            # before anything else starts: a taken port stops here
    stop = threading.Event()
    signalled: list[float] = []

    def on_signal(signum, frame):
        if not signalled:
            signalled.append(time.monotonic())
        stop.set()
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}

    now = clock.now(settings.tz)
    first = first_runs(settings, last_ok, now)
    catch_up = [n for n, (_, why) in first.items() if why != "start"]
    runner = Runner(home, Context(stop=stop, inbox_quiet=inbox_quiet), log, catch_up)
    sched = build_scheduler(settings, runner, first)
    try:
        sched.start()
        log.info(f"server started pid={os.getpid()} home={home} timezone={settings.timezone}"
                 + (f" closed_orphan_runs={closed}" if closed else ""))
        for job in sched.get_jobs():
            why = first.get(job.id, (None, "schedule"))[1]
            log.info(f"job={job.id} schedule=\"{describe_job(settings.jobs[job.id])}\" "
                     f"next={job.next_run_time.isoformat(timespec='seconds')} ({why})")
        if mails_after_report(settings):
            log.info('job=mail schedule="after report" next=after each successful report run')
        while not stop.wait(0.5):
            pass
        t0 = signalled[0] if signalled else time.monotonic()
        log.info(f"stopping: no new runs; {runner.busy()} job(s) running")
        sched.shutdown(wait=False)
        if web is not None:
            web.close(timeout=1.0)
            web = None
        return _drain(runner, log, t0, stop_grace)
    finally:
        if web is not None:
            web.close(timeout=1.0)
        for s, handler in previous.items():
            signal.signal(s, handler)


def start_web(settings: Settings, log: logging.Logger):
    """The pages over HTTP when `[web] listen` is set; a port that cannot be had stops `serve` (exit 2)."""
    w = settings.web
    if not w.host:
        return None
    from ipmonitor.web import PagesApp, WebServer

    app = PagesApp(settings.path("reports"), w.users, getattr(settings, "language", "zh-CN"))
    try:
        server = WebServer(app, w.host, w.port, log=log)
    except OSError as e:
        lang = getattr(settings, "language", "zh-CN")
        key = {errno.EADDRINUSE: "web.port_taken", errno.EACCES: "web.port_denied",
               errno.EADDRNOTAVAIL: "web.no_address"}.get(e.errno)
        why = say(key, lang) if key else (e.strerror or str(e))
        raise WebUnavailable(say("web.unavailable", lang, where=f"{w.host}:{w.port}", why=why)) from None
    server.start()
    log.info(f"web listening on http://{w.host}:{server.port}/ folder={settings.path('reports')}"
             f" users={len(w.users)}")
    return server


def _drain(runner: Runner, log: logging.Logger, t0: float, stop_grace: float) -> int:
    """Let running jobs finish; past the grace period interrupt their SQL; leave by STOP_LIMIT."""
    if not runner.wait_idle(t0 + stop_grace - time.monotonic()):
        log.warning("a job is still running after the grace period: interrupting its database work")
        while not runner.wait_idle(0.1) and time.monotonic() < t0 + STOP_LIMIT:
            runner.interrupt()
    if runner.busy():
        log.error("a job did not stop in time; leaving anyway (its temporary files are cleaned up later)")
        logging.shutdown()
        os._exit(0)
    log.info("server stopped")
    return 0
