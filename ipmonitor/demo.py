"""The demo: a fresh home built from the bundled seeds — registry, agency exports, progress (and pages)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from . import app, ledger
from .config import CONFIG_NAME, DB_NAME
from .errors import UsageError

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
    newest = home.db.conn.execute("SELECT max(filing_date) FROM filings").fetchone()[0]
    return dt.date.fromisoformat(newest) if newest else home.today()


def build(seeds: Path, home_dir: Path) -> tuple[app.Home, list[dict], dict]:
    """Import the seeds into a fresh home; returns (home, import results, progress)."""
    home = fresh_home(seeds, home_dir)
    results = app.import_files(home, [seeds / "enterprises.csv"], "registry")
    agency_files = sorted(p for p in (seeds / "agencies").iterdir() if p.is_file())
    results += app.import_files(home, agency_files, "filings")
    results += ledger.apply_seed_decisions(home, seeds / "subsidies")
    as_of = data_as_of(home)
    return home, results, app.progress(home, as_of.year, as_of)
