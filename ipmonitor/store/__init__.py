"""The SQLite database: all SQL of ipmonitor lives in this package.

db.py opens the database, holds the first migration, transactions and `frame`
(a query into a polars frame); the query modules, one per kind of record, add
their own migrations when imported, in this order:
records.py (imports, filings, registry, rejects, warnings), claims.py (the
subsidy log), runs.py (job runs, fetch state), events.py (legal-status events), corrections.py
(reject states, overrides, reverts, agencies), failures.py (files that failed to import).
"""

# isort: off
from .db import (BUSY_TIMEOUT_MS, connect, connect_readonly, connect_snapshot, copy_to, frame, integrity,
                 migrations, rollback_open, transaction, utc_now)
from . import records, claims, runs, events, corrections, failures  # registers the migrations, in this order
# isort: on

__all__ = ["BUSY_TIMEOUT_MS", "connect", "connect_readonly", "connect_snapshot", "copy_to", "frame", "integrity",
           "migrations", "rollback_open", "transaction", "utc_now", "records", "claims", "runs", "events",
           "corrections", "failures"]
