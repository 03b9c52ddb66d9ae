"""One year, read once: the registry, the year's attributed filings and what the measures need beside them.

`load_year(db, settings, year, as_of, columns)` is the one place that reads
filings for measuring. The columns are chosen once, here (COUNT_COLUMNS for
`progress`, SIGNAL_COLUMNS for `signals`, PAGE_COLUMNS for the pages), and
every frame is read at most once and only when first asked for; progress,
the quality indicators, the signals and every page take the same frames.
`progress_doc` and `signals_of` are the documents of `progress --json` and
`signals --json`; `page_reads` is what the pages read besides the year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import polars as pl
from sqlite_utils import Database

from . import agencies, inforce, lifecycle, pagedata, subsidies
from .config import Settings
from .filings import COLUMNS
from .indicators import grant_day, indicators
from .pace import add_later_keys
from .progress import attribute, measure, year_window
from .signals import find_signals
from .store import corrections, failures, records
from .store import events as events_store

# The columns that counting needs (reading fewer columns is most of the speed of a big year), those
# the signals compare, and those the pages show (all but the inventors); all picked from filings.COLUMNS.
COUNT_COLUMNS = ("application_no", "type", "filing_date", "credit_code", "first_applicant_key")
SIGNAL_COLUMNS = (*COUNT_COLUMNS, "title", "first_applicant")
PAGE_COLUMNS = tuple(c for c in COLUMNS if c != "inventors")
# the columns of a grant (Year.grants), before grant_day adds `granted_on`
GRANT_COLUMNS = ("application_no", "type", "filing_date", "status", "grant_date", "credit_code",
                 "first_applicant_key", "first_seen_granted", "seen_newest", "seen_day", "entity", "excluded")
NO_GRANTS = pl.DataFrame(schema={"type": pl.String, "granted_on": pl.Date, "status": pl.String})


class Year:
    """The frames of one year as of a date, each read and attributed once, on first use.

    stored    every stored filing (progress, pages): counting, the lifecycle and the grants come from it
    filings   the filings dated in [start, end] (the effective as-of date), with `entity`
    earlier   the filings dated before the year (all earlier years; COUNT_COLUMNS), with `entity`
    before    the filings of the two years before the year (SIGNAL_COLUMNS), with `entity` (the signals' history)
    granted   every attributed filing some stored version shows granted, with `granted_on`
    """

    def __init__(self, db: Database, settings: Settings, year: int, as_of: dt.date, columns=COUNT_COLUMNS):
        self.db, self.settings, self.year, self.as_of = db, settings, year, as_of
        self.columns = tuple(columns)
        self.start, self.end = year_window(year, as_of)

    @cached_property
    def entities(self) -> pl.DataFrame:
        return records.entities(self.db)

    @cached_property
    def aliases(self) -> pl.DataFrame:
        return records.entity_aliases(self.db)

    @cached_property
    def overrides(self) -> pl.DataFrame:
        """The officer's attribution overrides (`ipmonitor attribute`), applied to every frame."""
        return corrections.overrides(self.db)

    @cached_property
    def _window(self) -> pl.DataFrame:
        """The signals alone (SIGNAL_COLUMNS): the year and the two before it, in one read by date."""
        found = records.filings_between(self.db, self._two_before.isoformat(), self.end.isoformat(), SIGNAL_COLUMNS)
        return attribute(found, self.entities, self.aliases, self.overrides)

    @property
    def _two_before(self) -> dt.date:
        return self.start.replace(year=self.start.year - 2)

    @cached_property
    def stored(self) -> pl.DataFrame:
        """Every stored filing, attributed, in one pass over the table: the year's columns, those
        the lifecycle keeps (inforce.FILING_COLUMNS, with the pages' columns) and the current
        status version's (inforce.VERSION_COLUMNS). Counting, the lifecycle and the grants take
        their rows from it."""
        lifecycle_cols = inforce.FILING_COLUMNS if self.columns != COUNT_COLUMNS else ()
        cols = dict.fromkeys((*self.columns, *COUNT_COLUMNS, *lifecycle_cols, "status", "grant_date"))
        return attribute(records.every_filing(self.db, cols), self.entities, self.aliases, self.overrides)

    def _dated(self, start: dt.date, end: dt.date, columns) -> pl.DataFrame:
        """The stored filings dated in [start, end], in (filing date, number) order: `columns` and
        the attribution's."""
        return (self.stored.filter(pl.col("filing_date").is_between(pl.lit(start.isoformat()),
                                                                     pl.lit(end.isoformat())))
                .select(*columns, "entity", "excluded").sort("filing_date", "application_no"))

    @cached_property
    def filings(self) -> pl.DataFrame:
        if self.columns == SIGNAL_COLUMNS:
            return self._window.filter(pl.col("filing_date") >= self.start.isoformat())
        if self.columns == COUNT_COLUMNS:   # counting only: no order needed
            return (self.stored.filter(pl.col("filing_date").is_between(pl.lit(self.start.isoformat()),
                                                                         pl.lit(self.end.isoformat())))
                    .select(*COUNT_COLUMNS, "entity", "excluded"))
        return self._dated(self.start, self.end, self.columns)

    @cached_property
    def earlier(self) -> pl.DataFrame:
        """Only counted: in no particular order."""
        return (self.stored.filter(pl.col("filing_date") < self.start.isoformat())
                .select(*COUNT_COLUMNS, "entity", "excluded"))

    @cached_property
    def before(self) -> pl.DataFrame:
        if self.columns == SIGNAL_COLUMNS:
            return self._window.filter(pl.col("filing_date") < self.start.isoformat())
        return self._dated(self._two_before, self.start - dt.timedelta(days=1), SIGNAL_COLUMNS)

    @cached_property
    def _versions(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        return events_store.history_versions(self.db), events_store.import_facts(self.db)

    @cached_property
    def grants(self) -> pl.DataFrame:
        """Every filing ever seen granted, attributed, with `granted_on` (filings.md §4): the one
        source of every grant figure (overview, entity pages, `progress --json`)."""
        found = lifecycle.ever_granted(self.stored, *self._versions).select(GRANT_COLUMNS)
        return grant_day(found, self.settings.timezone)

    @cached_property
    def granted(self) -> pl.DataFrame:
        return self.grants.filter(pl.col("entity").is_not_null())

    @cached_property
    def rejected(self) -> int:
        return corrections.open_reject_count(self.db)

    def holdings(self, every_filing: bool = False) -> inforce.Holdings:
        """The lifecycle's frames (legal-status events): of every filing (the pages), or only of the
        filings with an event (enough for progress); each made once from `stored`."""
        cache = self.__dict__.setdefault("_holdings", {})
        if every_filing not in cache:
            cache[every_filing] = inforce.load(self.db, self.settings, self.entities, self.aliases,
                                               every_filing=every_filing, stored=self.stored,
                                               overrides=self.overrides, versions=self._versions)
        return cache[every_filing]


def load_year(db: Database, settings: Settings, year: int, as_of: dt.date, columns=COUNT_COLUMNS) -> Year:
    return Year(db, settings, year, as_of, columns)


def grants(db: Database, settings: Settings) -> pl.DataFrame:
    return Year(db, settings, 1900, dt.date(1900, 1, 1)).grants


def holdings(db: Database, settings: Settings, every_filing: bool = True) -> inforce.Holdings:
    """The lifecycle's frames on their own (`patents`), with the registry read here."""
    return inforce.load(db, settings, records.entities(db), records.entity_aliases(db), every_filing=every_filing)


def progress_doc(y: Year, held: inforce.Holdings | None = None) -> dict:
    """The document of `progress --json`, with the `quality` indicators of signals.md (valid
    inventions and the per-10k figure from the lifecycle: `held`, else read here) and the subsidy
    log's head."""
    s = y.settings
    doc = measure(year=y.year, as_of=y.as_of, district=s.district, goals=s.goals, filings=y.filings,
                  entities=y.entities, rejected=y.rejected)
    counted = y.filings.filter(pl.col("entity").is_not_null() & (pl.col("filing_date") >= y.start.isoformat()))
    add_later_keys(doc, s.goals.get(y.year), y.earlier)
    # grants, valid inventions and the per-10k figure come from the lifecycle below: the stored
    # ever-granted pass (`y.granted`) is not read for them (before the year its grants are zero
    # either way), unless a caller has read it already
    granted = y.__dict__.get("granted", NO_GRANTS)
    doc["quality"] = indicators(
        year=y.year, as_of=y.as_of, population=s.population, counted=counted, entities=y.entities,
        granted=granted, earlier=y.earlier.filter(pl.col("entity").is_not_null()))
    h = (held or y.holdings(every_filing=False)).figures(dt.date.fromisoformat(doc["as_of"]))
    doc["quality"]["valid_inventions"] = h["in_force"]["invention"]
    doc["quality"]["invention_per_10k"] = h["invention_per_10k"]
    # grants of the year from the same lifecycle: legal-status lists first, else the grant date,
    # else the import's file day (filings.md §4) — the figure patents.html shows too
    if dt.date.fromisoformat(doc["as_of"]) >= dt.date(y.year, 1, 1):
        doc["quality"]["grants"] = h["granted_in_year"]
    doc["subsidy_head"] = subsidies.anchor(y.db)   # {"events", "head"} of the subsidy log, or None
    return doc


def signals_of(y: Year) -> list[dict]:
    """The signals of signals.md for the year up to as-of (history: the two years before)."""
    if y.end < y.start:
        return []
    return find_signals(year_filings=y.filings.select(*SIGNAL_COLUMNS, "entity"), before=y.before,
                        claims=records.claim_numbers(y.db), start=y.start, end=y.end)


@dataclass(frozen=True)
class PageReads:
    """What the pages read from the store besides the year's filings (render.py reads nothing itself)."""
    last_import_at: str | None     # UTC ISO
    history: pl.DataFrame          # records.history of the year's filings
    week_changes: pl.DataFrame     # records.history_changed_between for the week before as-of
    rejects: list[dict]            # of agency exports, every state (corrections.rejects)
    registry_rejects: list[dict]   # open ones
    subsidy_rejects: list[dict]    # every state
    warnings: list[dict]           # of agency exports, then of the registry
    imports: list[dict]            # corrections.imports
    failed: list[dict]             # failures.listed: files read but not imported
    overrides: list[dict]          # corrections.override_log
    agencies: list[dict]           # agencies.deliveries
    grants: pl.DataFrame           # attributed grants of the year up to as-of (pagedata.grants_in)
    subsidy: dict                  # subsidies.pages_context


def page_reads(y: Year, week_window: tuple[str, str]) -> PageReads:
    db = y.db
    return PageReads(
        last_import_at=records.last_import_at(db),
        history=records.history(db, y.start.isoformat(), y.end.isoformat()),
        week_changes=records.history_changed_between(db, *week_window),
        rejects=corrections.rejects(db, "filings", states=None),
        registry_rejects=corrections.rejects(db, "registry"),
        subsidy_rejects=corrections.rejects(db, "subsidy", states=None),
        warnings=records.warnings(db, "filings") + records.warnings(db, "registry"),
        imports=corrections.imports(db), failed=failures.listed(db), overrides=corrections.override_log(db),
        agencies=agencies.deliveries(db, y.settings), grants=pagedata.grants_in(y.grants, y.start, y.end),
        subsidy=subsidies.pages_context(db, y.settings, y.year))
