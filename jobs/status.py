"""`ipmonitor status`: each job's last run and next run, the counts, and whether a server runs."""

from __future__ import annotations

import datetime as dt

from ipmonitor import agencies, app, clock
from ipmonitor.diskfull import LOW_BYTES, free_bytes
from ipmonitor.store import corrections, records, runs

from .schedule import describe_job, next_run, parse_time, server_pid


def _local(text: str | None, tz) -> str | None:
    t = parse_time(text)
    return None if t is None else t.astimezone(tz).isoformat(timespec="seconds")


def status(home: app.Home, now: dt.datetime | None = None) -> dict:
    settings = home.settings
    tz = settings.tz
    now = (now or clock.now(tz)).astimezone(tz)
    pid = server_pid(settings.home)
    jobs = {}
    for name, job in settings.jobs.items():
        last = runs.last_run(home.db, name)
        nxt = next_run(job, tz, parse_time(last and last["started_at"]), now)
        if nxt is None and name == "mail" and "report" in jobs:     # a mail after each report run
            nxt = parse_time(jobs["report"]["next_run"])
        jobs[name] = {
            "schedule": describe_job(job),
            "last_run": _local(last and last["started_at"], tz),
            "last_end": _local(last and last["ended_at"], tz),
            "outcome": None if last is None else (last["outcome"] or "running"),
            "items": None if last is None else last["items"],
            "message": None if last is None else last["message"],
            # a next run happens only while a server runs: none is promised without one
            "next_run": None if nxt is None or pid is None else nxt.isoformat(timespec="seconds"),
        }
    counts = records.counts(home.db)
    free = free_bytes(settings.home)
    overdue = [a for a in agencies.deliveries(home.db, settings, now) if a["overdue"]]
    return {
        "home": str(settings.home),
        "now": now.isoformat(timespec="seconds"),
        "server": {"running": pid is not None, "pid": pid if pid and pid > 0 else None},
        "jobs": jobs,
        "disk": {"free_mb": None if free is None else free // 2**20,
                 "full": free is not None and free < LOW_BYTES},
        "counts": {"filings": counts["filings"], "rejects": corrections.open_reject_count(home.db),
                   "claims": runs.claim_count(home.db)},
        "last_import_at": _local(records.last_import_at(home.db), tz),
        "agencies_overdue": [{"agency": a["agency"], "last_at": a["last_at"], "last_file": a["last_file"]}
                             for a in overdue],
        "sources": [{"source": s["source"], "file": s["file"], "etag": s["etag"],
                     "last_modified": s["last_modified"],
                     "fetched_at": _local(s["fetched_at"], tz), "checked_at": _local(s["checked_at"], tz)}
                    for s in runs.fetch_states(home.db)],
    }
