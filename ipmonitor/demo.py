"""The demo: a fresh home built from the bundled seeds — registry, agency exports, progress (and pages)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from pathlib import Path

from . import app, subsidies, subsidy_import
from .config import CONFIG_NAME, DB_NAME
from .errors import UsageError
from .store import records

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seeds_dir() -> Path:
    path = Path(os.environ.get("IPMONITOR_SEEDS", SEEDS))
    if not (path / "enterprises.csv").is_file():
        raise UsageError(f"no seeds found in {path} (set IPMONITOR_SEEDS to the seeds folder)")
    return path


def fresh_home(seeds: Path, home: Path) -> app.Home:
    """A new demo home: the seeds' config and an empty database of its own."""
    home.mkdir(parents=True, exist_ok=True)
    for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
        (home / name).unlink(missing_ok=True)
    shutil.copyfile(seeds / CONFIG_NAME, home / CONFIG_NAME)
    return app.open_home(home)


def data_as_of(home: app.Home) -> dt.date:
    """The demo reads the data as of its newest filing date (the seeds describe 2013)."""
    newest = records.newest_filing_date(home.db)
    return dt.date.fromisoformat(newest) if newest else home.today()


def build(seeds: Path, home_dir: Path) -> tuple[app.Home, list[dict], dict]:
    """Import the seeds into a fresh home; returns (home, import results, progress)."""
    home = fresh_home(seeds, home_dir)
    results = app.import_files(home, [seeds / "enterprises.csv"], "registry")
    agency_files = sorted(p for p in (seeds / "agencies").iterdir() if p.is_file())
    results += app.import_files(home, agency_files, "filings")
    events_dir = seeds / "events"           # the legal-status list (seeds/generate_events.py)
    if events_dir.is_dir():
        results += app.import_files(home, sorted(events_dir.glob("*.csv")), "events")
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
