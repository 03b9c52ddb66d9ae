"""The pages' contexts: one documented dataclass per page, built from the year's frames. Pure.

Each dataclass lists what its template may use (render passes its fields as
the template's variables); the builders take the frames of `year.Year`, the
progress document and `year.PageReads`, and touch neither the store nor files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field, fields

import polars as pl

from . import charts, inforce, pagedata, pagehtml, words
from .filters import local_time, status_zh
from .pagehtml import Rows


@dataclass(frozen=True)
class Site:
    """What every page states and how it reaches the others (`root`: the way back to the top)."""
    district: str
    year: int
    as_of: dt.date
    generated_at: str
    last_import_at: str | None
    tz: str
    root: str = ""
    css: str = "style.css"
    subsidies_page: bool = False
    nav: tuple = field(default=())
    bureau: str | None = None      # the issuing body, printed above the document title

    @property
    def title(self) -> str:
        return document_title(self.district, self.year)

    def at(self, root: str, css: str | None = None) -> Site:
        return dataclasses.replace(self, root=root, css=css if css is not None else root + "style.css")


def document_title(district: str, year: int) -> str:
    """The title a reviewer files the printed overview under (pages.md)."""
    return f"{district} {year} 年省知识产权试点区专利工作进度"


def variables(context) -> dict:
    """A context's fields as template variables (shallow: the frames and lists are not copied)."""
    return {f.name: getattr(context, f.name) for f in fields(context)}


@dataclass(frozen=True)
class IndexPage:
    """index.html and its frozen copy in archive/<week>/: the year at a glance."""
    site: Site
    doc: dict                 # the document of `progress --json`
    weekly: list[dict]        # pagedata.weekly_rows: the weekly series with cumulative counts and targets
    charts: dict              # name → SVG markup (overview_charts)
    week: dict                # {"start", "end", "filings": recent filings, "changes": recent status changes}
    subsidy: dict             # subsidies.pages_context: {"summary", "claims_by_entity"}
    snapshot: dict | None     # None on the live page; {"week": "2013-W26", "subsidy_head": …} archived
    page: str = "index"


@dataclass(frozen=True)
class SubsidiesPage:
    """subsidies.html: the subsidy log of the year in full."""
    site: Site
    doc: dict
    subsidy: dict
    subsidy_rejects: list[dict]   # rejected rows of `subsidy import`, every state
    subsidy_reasons: dict         # reason code → words
    page: str = "subsidies"


@dataclass(frozen=True)
class ArchivePage:
    """archive/index.html: one row per archived week (newest first)."""
    site: Site
    weeks: list[dict]         # {"week", "as_of", "filings", "invention", "exists"} from each week's folder
    page: str = "archive"


@dataclass(frozen=True)
class EnterprisesPage:
    """enterprises.html: every registered entity with its counts; those without a filing apart."""
    site: Site
    rows: list[dict]          # pagedata.enterprise_rows, in the order of progress["by_enterprise"]
    active: int               # entities with a filing this year
    idle: list[dict]          # the rows without a filing, by township (blanks last), then name
    page: str = "enterprises"


@dataclass(frozen=True)
class EnterprisePage:
    """enterprise/<credit code>.html: one entity's filings, status changes, co-applications, claims."""
    site: Site
    e: dict                   # its row of enterprise_rows
    # The four tables are pagehtml.Rows: the rows' escaped HTML made in polars (len() = rows),
    # printed as markup; an entity's page may hold thousands of rows.
    filings: Rows             # pagedata.filings_by_entity: FILING_COLUMNS, newest first
    changes: Rows             # pagedata.changes_by_entity: CHANGE_COLUMNS, newest first
    co: Rows                  # pagedata.co_applications: CO_COLUMNS, newest first
    subsidy: dict
    timeline: Rows            # pagehtml.timeline_rows: its patents' legal-status events, newest first
    signals: list[dict]       # its signals (year.signals_of), strongest first
    signal_kinds: dict        # signal kind → words
    page: str = "enterprise"


@dataclass(frozen=True)
class PatentsPage:
    """patents.html: in force by type, the per-10k figure, the month-end series, grants, lapses,
    pledges, fees due by enterprise, unmatched events."""
    site: Site
    p: dict                   # inforce.page
    chart: str                # the in-force series as SVG ("" without a series)
    kind_zh: dict             # event kind → words
    type_words: dict          # filing type → words (the type_zh filter's, looked up once: many rows)
    fee_rows: list[Rows]      # pagehtml.fee_rows: the rows of each table of p["fees_by_entity"]
    page: str = "patents"


@dataclass(frozen=True)
class QualityPage:
    """quality.html: unattributed filings, rejected rows, warnings, the imports."""
    site: Site
    doc: dict
    unattributed: list[dict]  # pagedata.unattributed
    rejects: list[dict]       # open rejects of agency exports (corrections.rejects)
    settled: list[dict]       # the resolved and dismissed ones
    registry_rejects: list[dict]
    reject_rows: list[Rows]   # pagehtml.reject_rows of rejects and of registry_rejects (the tables' rows)
    reasons: dict             # reason code → words (agency exports)
    registry_reasons: dict
    warnings: list[dict]
    warning_words: dict       # warning code → words
    imports: list[dict]       # import_log: imported files and failed attempts, newest first
    kinds: dict               # import kind → words
    signals: list[dict]       # the year's signals (year.signals_of)
    signal_kinds: dict        # signal kind → words
    overrides: list[dict]     # the attribution overrides (corrections.override_log)
    agencies: list[dict]      # agencies.deliveries
    page: str = "quality"


def nav(year: int, subsidies: bool) -> tuple:
    pages = [("index", "index.html"), ("enterprises", "enterprises.html"), ("patents", "patents.html"),
             ("quality", "quality.html"), ("archive", "archive/index.html")]
    if subsidies:
        pages.append(("subsidies", "subsidies.html"))
    pages += [("json", "progress.json"), ("csv", f"exports/filings-{year}.csv"),
              ("xlsx", f"exports/progress-{year}.xlsx")]
    return tuple((key, href, words.say("nav." + key, year=year)) for key, href in pages)


def site(doc: dict, year: int, tz: str, generated_at: str, last_import_at: str | None,
         bureau: str | None = None) -> Site:
    """The top-level Site of a build; `as_of` is the effective date (an as-of after the year: 31 Dec)."""
    return Site(doc["district"], year, dt.date.fromisoformat(doc["as_of"]), generated_at,
                None if last_import_at is None else local_time(last_import_at, tz), tz,
                subsidies_page=True, nav=nav(year, True), bureau=bureau)


def week_window(eff: dt.date, tz) -> tuple[dt.date, list[str]]:
    """The week before the effective as-of date: its first day and [start, end) as UTC ISO times."""
    week_start = eff - dt.timedelta(days=6)
    window = [dt.datetime.combine(d, dt.time(), tz).astimezone(dt.timezone.utc).isoformat(timespec="seconds")
              for d in (week_start, eff + dt.timedelta(days=1))]
    return week_start, window


def overview_charts(doc: dict, weekly: list[dict], year: int, as_of: dt.date) -> dict:
    f, i = doc["filings"], doc["invention"]
    types = words.table("type")
    by_type = [(types[k], v, None) for k, v in doc["by_type"].items()]
    towns = [(t["township"] or words.say("label.no_township"), t["filings"], t["invention"])
             for t in doc["by_township"]]
    pieces = lambda rows: words.say("label.list_sep").join(  # noqa: E731
        words.say("label.pieces", name=k, count=v) for k, v, _ in rows)
    town_goals = None
    if any("goal" in t for t in doc["by_township"]):   # [goals.YEAR.townships]
        town_goals = [(t["goal"], status_zh(t["status"]) if t["goal"] is not None else "")
                      for t in doc["by_township"]]
    return {
        "filings_cum": charts.cumulative("c-filings", year=year, as_of=as_of, label=words.say("label.all_filings"),
                                         points=[(w["end"], w["cumulative"]) for w in weekly],
                                         goal=f["goal"], projected=f["projected"]),
        "invention_cum": charts.cumulative("c-invention", year=year, as_of=as_of,
                                           label=words.say("label.invention_filings"),
                                           points=[(w["end"], w["invention_cumulative"]) for w in weekly],
                                           goal=i["goal"], projected=i["projected"]),
        "weekly": charts.weekly_bars("c-weekly", weekly),
        "by_type": charts.hbars("c-type", by_type, styles=["hatch", "solid", "dots"],
                                title=words.say("label.by_type") + pieces(by_type)),
        "by_township": charts.hbars("c-town", towns, part_word=words.say("label.invention"), goals=town_goals,
                                    title=words.say("label.by_township") + pieces(towns)),
    }


def index_page(site: Site, doc: dict, y, reads, goals, week_start: dt.date, tz: str) -> IndexPage:
    eff = site.as_of
    weekly = pagedata.weekly_rows(doc["weekly"], y.year, eff, goals)
    week = {"start": week_start, "end": eff,
            "filings": pagedata.recent(y.filings, y.entities, week_start, eff),
            "changes": pagedata.changes_in(reads.week_changes, y.entities, y.aliases, tz, week_start, eff)}
    return IndexPage(site=site, doc=doc, weekly=weekly, charts=overview_charts(doc, weekly, y.year, eff),
                     week=week, subsidy=reads.subsidy, snapshot=None)


def enterprise_pages(site: Site, doc: dict, y, reads, tz: str, held, signals: list[dict]):
    """(EnterprisesPage, iterator of EnterprisePage): entities with filings first, in credit-code
    order of their filings, then those without a filing this year."""
    rows = pagedata.enterprise_rows(doc["by_enterprise"], y.filings, y.entities, reads.grants)
    idle = sorted((r for r in rows if not r["filings"]),
                  key=lambda r: (r["township"] or "\uffff", r["name"]))   # by township, blanks last
    listing = EnterprisesPage(site=site, rows=rows, active=len(rows) - len(idle), idle=idle)

    def pages():
        changes = pagedata.changes_by_entity(pagedata.status_changes(reads.history, tz), y.filings)
        co = pagedata.co_applications(y.filings, y.entities, y.aliases)
        inner = site.at("../")
        timelines = pagehtml.timeline_rows(held, site.as_of, inforce.SOURCE_ZH)
        kinds = words.table("signal_kind")
        by_entity: dict[str, list[dict]] = {}
        for sig in signals:
            if sig["credit_code"]:
                by_entity.setdefault(sig["credit_code"], []).append(sig)
        by_code = {e["credit_code"]: e for e in rows}
        filings = pagedata.filings_by_entity(y.filings)
        # the entities with a filing in credit-code order, then those without a filing this year
        order = [*sorted(filings), *(c for c in by_code if c not in filings)]
        for code in order:
            yield EnterprisePage(site=inner, e=by_code[code], filings=filings.get(code, pagehtml.EMPTY),
                                 changes=changes.get(code, pagehtml.EMPTY), co=co.get(code, pagehtml.EMPTY),
                                 subsidy=reads.subsidy, timeline=timelines.get(code, pagehtml.EMPTY),
                                 signals=by_entity.get(code, []), signal_kinds=kinds)
    return listing, pages()


def patents_page(site: Site, held, year: int) -> PatentsPage:
    p = inforce.page(held, year, site.as_of)
    days = [dt.date.fromisoformat(r["date"]) for r in p["series"]]
    rows = [(words.say("label.month_day", month=d.month, day=d.day), r["invention"], None)
            for d, r in zip(days, p["series"])]
    title = words.say("label.in_force_series") + words.say("label.list_sep").join(
        words.say("label.pieces", name=k, count=n) for k, n, _ in rows)
    chart = charts.hbars("c-in-force", rows, title=title) if rows else ""
    types = words.table("type")
    return PatentsPage(site=site, p=p, chart=chart, kind_zh=inforce.KIND_ZH, type_words=types,
                       fee_rows=pagehtml.fee_rows(p["fees_by_entity"], types))


def quality_page(site: Site, doc: dict, y, reads, signals: list[dict]) -> QualityPage:
    rejects = [r for r in reads.rejects if r["state"] == "open"]
    reasons, registry_reasons = words.table("reason.filings"), words.table("reason.registry")
    return QualityPage(
        site=site, doc=doc, unattributed=pagedata.unattributed(y.filings), rejects=rejects,
        settled=[r for r in reads.rejects if r["state"] != "open"], registry_rejects=reads.registry_rejects,
        reject_rows=[pagehtml.reject_rows(rejects, reasons),
                     pagehtml.reject_rows(reads.registry_rejects, registry_reasons)],
        reasons=reasons, registry_reasons=registry_reasons,
        warnings=reads.warnings,
        warning_words={**words.table("warning.filings"), **words.table("warning.registry")},
        imports=import_log(reads.imports, reads.failed), kinds=words.table("import_kind"),
        signals=signals, signal_kinds=words.table("signal_kind"), overrides=reads.overrides,
        agencies=reads.agencies)


def import_log(imports: list[dict], failed: list[dict]) -> list[dict]:
    """Imported files and failed attempts in one list, newest first (`at`: UTC ISO; `error`: the
    reason of a failed one, None for an imported one)."""
    rows = [{**i, "at": i["imported_at"], "error": None, "_k": (i["imported_at"], 0, i["id"])} for i in imports]
    rows += [{**f, "at": f["failed_at"], "_k": (f["failed_at"], 1, f["id"])} for f in failed]
    # within one second (the times' precision) a failure is taken as the later one
    return sorted(rows, key=lambda r: r["_k"], reverse=True)


def export_rows(y) -> pl.DataFrame:
    """The year's attributed filings as the exports show them (Chinese headers; pagedata.export_rows)."""
    return pagedata.export_rows(y.filings, y.entities)
