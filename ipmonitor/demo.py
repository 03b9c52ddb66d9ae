"""The demo: a fresh home built from the bundled seeds — registry, agency exports, progress (and pages)."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import fcntl
import os
import shutil
from pathlib import Path

from . import app, corrections, subsidies, subsidy_import, words
from .config import CONFIG_NAME, DB_NAME
from .errors import UsageError
from .store import records

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
MARKER = ".ipmonitor-demo"      # a folder holding this file was made by `ipmonitor demo`
LOCK_NAME = "ipmonitor.lock"    # held by `ipmonitor serve` (jobs/schedule.py)


def seeds_dir() -> Path:
    path = Path(os.environ.get("IPMONITOR_SEEDS", SEEDS))
    if not (path / "enterprises.csv").is_file():
        raise UsageError(words.say("demo.no_seeds", path=path))
    return path


def is_real_home(folder: Path) -> bool:
    """A home someone made (`init`, a server, data): it holds a config or a database, and no demo marker."""
    return (not (folder / MARKER).exists()
            and any(os.path.lexists(folder / n) for n in (CONFIG_NAME, DB_NAME)))


def _server_holds(folder: Path) -> bool:
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except OSError as e:
        return e.errno in (errno.EAGAIN, errno.EACCES)
    finally:
        os.close(fd)


def check_demo_home(home: Path) -> None:
    """The demo rebuilds only a folder it made itself (marked) or a new, empty one."""
    if not home.exists():
        return
    if not home.is_dir():
        raise UsageError(words.say("demo.not_folder", home=home))
    if _server_holds(home):
        raise UsageError(words.say("demo.served", home=home))
    if (home / MARKER).is_file():
        return
    if is_real_home(home):
        raise UsageError(words.say("demo.real_home", home=home, config=CONFIG_NAME, db=DB_NAME))
    if any(home.iterdir()):
        raise UsageError(words.say("demo.not_empty", home=home))


def fresh_home(seeds: Path, home: Path) -> app.Home:
    """A new demo home: the seeds' config and an empty database of its own."""
    check_demo_home(home)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    (home / MARKER).write_text("made by `ipmonitor demo`; rebuilt on every run\n", encoding="utf-8")
    for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
        (home / name).unlink(missing_ok=True)
    shutil.copyfile(seeds / CONFIG_NAME, home / CONFIG_NAME)
    return app.open_home(home)


def pages_folder(out: str | None, cwd: Path, demo_home: Path) -> Path:
    """Where the demo writes its pages: `--out`, else reports/ of the current folder — unless the
    current folder is a real home, whose pages the demo never overwrites: then the demo home's
    reports/. An --out that is (or is inside a home as) a real home's reports/ is refused."""
    if out is None:
        return (demo_home if is_real_home(cwd) else cwd) / "reports"
    path = Path(out).resolve()
    if is_real_home(path) or (path.name == "reports" and is_real_home(path.parent)):
        raise UsageError(words.say("demo.real_pages", path=path))
    return path


def data_as_of(home: app.Home) -> dt.date:
    """The demo reads the data as of its newest filing date (the seeds describe 2013)."""
    newest = records.newest_filing_date(home.db)
    return dt.date.fromisoformat(newest) if newest else home.today()


def apply_overrides(home: app.Home, path: Path) -> int:
    """The seeds' attribution overrides (申请号, 操作 to|none|clear, 统一社会信用代码, 原因), as
    `ipmonitor attribute` makes them; none without the file."""
    if not path.is_file():
        return 0
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        action = r["操作"].strip()
        corrections.override(home.db, r["申请号"], to=r["统一社会信用代码"].strip() if action == "to" else None,
                             none=action == "none", clear=action == "clear", why=r["原因"], by="demo")
    return len(rows)


def build(seeds: Path, home_dir: Path) -> tuple[app.Home, list[dict], dict]:
    """Import the seeds into a fresh home; returns (home, import results, progress)."""
    home = fresh_home(seeds, home_dir)
    results = app.import_files(home, [seeds / "enterprises.csv"], "registry")
    agency_files = sorted(p for p in (seeds / "agencies").iterdir() if p.is_file())
    results += app.import_files(home, agency_files, "filings")
    events_dir = seeds / "events"           # the legal-status list (seeds/generate_events.py)
    if events_dir.is_dir():
        results += app.import_files(home, sorted(events_dir.glob("*.csv")), "events")
    apply_overrides(home, seeds / "overrides.csv")
    results += apply_seed_decisions(home, seeds / "subsidies")
    as_of = data_as_of(home)
    return home, results, app.progress(home, as_of.year, as_of)


SEED_BY = "demo"


def apply_seed_decisions(home: app.Home, folder: Path) -> list[dict]:
    """The demo's subsidy log from `folder` (seeds/subsidies): each `claims_<year>.csv` imported in
    year order, then that year's rows of `decisions.csv` (claim_id, action approve|reject|pay, amount,
    date, voucher, reason, by). Returns the import results (none without the folder); a decision the
    rules refuse raises RuleViolation."""
    folder = Path(folder)
    if not (folder / "decisions.csv").is_file():
        return []
    with open(folder / "decisions.csv", encoding="utf-8-sig", newline="") as fh:
        decisions = list(csv.DictReader(fh))
    db, settings, results = home.db, home.settings, []
    for path in sorted(folder.glob("claims_*.csv")):
        results.append(subsidy_import.import_claims(db, settings, path, by=SEED_BY))
        for d in (d for d in decisions if d["claim_id"].startswith(path.stem.rsplit("_", 1)[-1] + "-")):
            by = d.get("by") or SEED_BY
            if d["action"] == "approve":
                subsidies.approve(db, settings, d["claim_id"], int(d["amount"]), by=by)
            elif d["action"] == "reject":
                subsidies.reject(db, settings, d["claim_id"], d["reason"], by=by)
            elif d["action"] == "pay":
                subsidies.pay(db, settings, d["claim_id"], dt.date.fromisoformat(d["date"]), d["voucher"], by=by)
            else:
                raise ValueError(f"decisions.csv: unknown action {d['action']!r}")
    return results
