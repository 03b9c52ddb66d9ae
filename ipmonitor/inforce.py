"""Patents in force for a home: read the filings, the events and the status versions once, attribute,
and hand the frames to the pure `lifecycle` functions (the `patents` command, `progress`'s quality
figures, patents.html and the entity pages' timelines all come from here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from . import lifecycle, words
from .events import KIND_ZH
from .progress import attribute
from .store import corrections as corrections_store
from .store import events as events_store
from .store import records as records_store

__all__ = ["Holdings", "KIND_ZH", "load", "page"]

SOURCE_ZH = words.table("event_source")


@dataclass
class Holdings:
    filings: pl.DataFrame     # every stored filing with `entity` and `name` (the entity's name)
    events: pl.DataFrame      # lifecycle.combine's frame
    unmatched: pl.DataFrame   # events whose number is not a stored filing
    population: int | None
    fee_alert_days: int

    def document(self, as_of: dt.date) -> dict:
        return lifecycle.document(filings=self.filings, events=self.events, as_of=as_of,
                                  population=self.population, fee_alert_days=self.fee_alert_days,
                                  unmatched=self.unmatched.height)


    def figures(self, as_of: dt.date) -> dict:
        """The document's counts only (lifecycle.figures)."""
        return lifecycle.figures(filings=self.filings, events=self.events, as_of=as_of,
                                 population=self.population)


# what the lifecycle keeps of each filing (attribution's columns, and those its lists show), and
# what its status versions are made of
FILING_COLUMNS = ("application_no", "type", "filing_date", "first_applicant_key", "credit_code", "title")
COUNTED = FILING_COLUMNS[:-1]     # what the counts and lists of `patents` need (no title)
VERSION_COLUMNS = ("status", "grant_date", "last_import_id")


def load(db, settings, entities: pl.DataFrame, aliases: pl.DataFrame, every_filing: bool = True,
         stored: pl.DataFrame | None = None, overrides: pl.DataFrame | None = None,
         versions: tuple[pl.DataFrame, pl.DataFrame] | None = None) -> Holdings:
    """Everything the lifecycle needs, read once. `entities`/`aliases`: the registry. `stored`:
    every stored filing, attributed (`entity`, `excluded`), with the columns the caller needs and
    VERSION_COLUMNS (year.Year.stored, with FILING_COLUMNS for the timelines); read here with
    COUNTED when not given (the `patents` document shows no titles). Without
    `every_filing` the frame keeps only the filings with an event (enough for the counts and
    lists; the entity pages' timelines need every filing). `versions`: the replaced status
    versions and the imports' facts (store.events.history_versions, import_facts), read here when
    not given."""
    if overrides is None:
        overrides = corrections_store.overrides(db)
    if stored is None:
        stored = attribute(records_store.every_filing(db, (*COUNTED, *VERSION_COLUMNS[:2])),
                           entities, aliases, overrides)
    names = entities.select(pl.col("credit_code").alias("entity"), "name")
    listed = lifecycle.list_events(events_store.events(db))
    history, imports = versions or (events_store.history_versions(db), events_store.import_facts(db))
    # only attributed filings count, are listed or get a timeline: the status events of the others
    # are never asked for
    mine = stored.filter(pl.col("entity").is_not_null())
    by_status = lifecycle.status_events(lifecycle.status_versions(mine, history, imports), settings.timezone)
    events = lifecycle.combine(listed, by_status)
    if not every_filing:
        stored = stored.join(events.select("application_no").unique(), on="application_no", how="semi")
    keep = [c for c in (*FILING_COLUMNS, "entity", "excluded") if c in stored.columns]
    return Holdings(stored.select(keep).join(names, on="entity", how="left"), events,
                    events_store.unmatched_events(db), settings.population,
                    getattr(settings, "fee_alert_days", lifecycle.FEE_ALERT_DAYS))


def page(h: Holdings, year: int, as_of: dt.date) -> dict:
    """What patents.html shows: the document, the month-end series, fees due by enterprise."""
    doc = h.document(as_of)
    rows = lifecycle.series(h.filings, h.events, lifecycle.month_ends(year, as_of), h.population)
    by_entity: dict[str, dict] = {}
    for f in doc["fees_due"]:
        e = by_entity.setdefault(f["credit_code"], {"credit_code": f["credit_code"], "name": f["name"],
                                                    "fees": []})
        e["fees"].append(f)
    fees = sorted(by_entity.values(), key=lambda e: (e["fees"][0]["due"], e["name"] or ""))
    return {"doc": doc, "series": rows, "fees_by_entity": fees,
            "unmatched": h.unmatched.to_dicts(), "population": h.population,
            "fee_alert_days": h.fee_alert_days}
