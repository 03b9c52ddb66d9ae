"""The HTML progress pages (pages.md): gather the numbers, render Jinja2 templates, publish atomically.

`build_pages` is the one entry point (the CLI's `report`, the demo and the
scheduler's report job call it). Every number comes from `app.progress`, the
store, or the pure functions of `pagedata`; this module only arranges them.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import dataclasses
from dataclasses import dataclass, field

import jinja2

from . import agencies, app, charts, clock, files, inforce, ledger, pagedata, publish, subsidies, words, workbook
from .errors import ReportFailed
from .filters import FILTERS, datetime_zh, local_time, status_zh
from .progress import year_window
from .signals import find_signals
from .store import corrections, failures, records

TEMPLATES = pathlib.Path(__file__).resolve().parent / "templates"
PAGES = ("index.html", "enterprises.html", "enterprise.html", "quality.html", "archive.html", "patents.html")
CREDIT_CODE = re.compile(r"[0-9A-Z]{18}")



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


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(FILTERS)
    return env


def subsidy_context(home: app.Home, year: int) -> dict:
    """The subsidy slot of the pages (subsidies.pages_context): the year's summary, claims by entity."""
    return subsidies.pages_context(home.db, home.settings, year)


def _nav(year: int, subsidies: bool) -> tuple:
    pages = [("index", "index.html"), ("enterprises", "enterprises.html"), ("patents", "patents.html"),
             ("quality", "quality.html"), ("archive", "archive/index.html")]
    if subsidies:
        pages.append(("subsidies", "subsidies.html"))
    pages += [("json", "progress.json"), ("csv", f"exports/filings-{year}.csv"),
              ("xlsx", f"exports/progress-{year}.xlsx")]
    return tuple((key, href, words.say("nav." + key, year=year)) for key, href in pages)


def document_title(district: str, year: int) -> str:
    """The title a reviewer files the printed overview under (pages.md)."""
    return f"{district} {year} 年省知识产权试点区专利工作进度"


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
        "invention_cum": charts.cumulative("c-invention", year=year, as_of=as_of, label=words.say("label.invention_filings"),
                                           points=[(w["end"], w["invention_cumulative"]) for w in weekly],
                                           goal=i["goal"], projected=i["projected"]),
        "weekly": charts.weekly_bars("c-weekly", weekly),
        "by_type": charts.hbars("c-type", by_type, styles=["hatch", "solid", "dots"],
                                title=words.say("label.by_type") + pieces(by_type)),
        "by_township": charts.hbars("c-town", towns, part_word=words.say("label.invention"), goals=town_goals,
                                    title=words.say("label.by_township") + pieces(towns)),
    }


def build_pages(home: app.Home, *, year: int, as_of: dt.date, out: pathlib.Path,
                show_progress: bool = False) -> pathlib.Path:
    """Build every page for `year` as of `as_of` and publish them in `out`; returns index.html's path.

    The pages are written into a temporary folder beside `out` and swapped in; on any failure
    `ReportFailed` is raised and the pages already in `out` stay as they were.
    """
    from .progressbar import bar
    out = pathlib.Path(out).resolve()
    with (bar(4, words.say("progress.pages"), show_progress) as b, words.speaking("zh-CN"),   # pages.md: Chinese
          publish.Build(out) as build):
        pages = Pages(home, year, as_of, build.tmp)
        b.total += pages.entities.height
        pages.data_files()
        b.update()
        pages.overview(build.carry_archive)
        b.update()
        pages.entity_pages(b.update)
        pages.patents_page()
        b.update()
        pages.quality_page()
        b.update()
        build.commit()
    return out / "index.html"


class Pages:
    """One build: the numbers read once, then each page kind rendered from one template object."""

    def __init__(self, home: app.Home, year: int, as_of: dt.date, tmp: pathlib.Path):
        self.home, self.year, self.as_of, self.tmp = home, year, as_of, tmp
        self.tz = home.settings.timezone
        self.env = environment()
        self.tpl = {name: self.env.get_template(name) for name in PAGES}
        reg = app.registry(home)
        self.held = app.holdings(home, reg)
        self.doc = app.progress(home, year, as_of, held=self.held)
        self.eff = dt.date.fromisoformat(self.doc["as_of"])   # an as-of after the year reads as 31 Dec
        self.start, self.end = year_window(year, as_of)
        self.filings, self.entities = app.attributed_filings(home, self.start, self.end,
                                                             app.PAGE_COLUMNS, reg)
        self.aliases = reg[1]
        # the signals of signals.md, on the quality page and each entity's page (the year read once)
        cols = (*app.COUNT_COLUMNS, "title", "first_applicant")
        before, _ = app.attributed_filings(home, self.start.replace(year=self.start.year - 2),
                                           self.start - dt.timedelta(days=1), cols, reg)
        self.signals = ([] if self.end < self.start else find_signals(
            year_filings=self.filings.select(*cols, "entity"), before=before,
            claims=records.claim_numbers(home.db), start=self.start, end=self.end))
        self.grants = pagedata.grants_in(app.grants(home, reg), self.start, self.end)
        self.subsidy = subsidy_context(home, year)
        self.anchor = self.doc["subsidy_head"]   # the subsidy log's head, kept outside the database
        with_page = True
        last = records.last_import_at(home.db)
        self.site = Site(self.doc["district"], year, self.eff,
                         datetime_zh(clock.now(home.settings.tz)),
                         None if last is None else local_time(last, self.tz), self.tz,
                         subsidies_page=with_page, nav=_nav(year, with_page), bureau=home.settings.bureau)

    def write(self, rel: str, template: str, **context) -> None:
        path = self.tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        files.write_text(path, self.tpl[template].render(**context))

    def data_files(self) -> None:
        """style.css, progress.json (the document of `progress --json`) and the CSV export."""
        files.write_text(self.tmp / "style.css", (TEMPLATES / "style.css").read_text(encoding="utf-8"))
        files.write_text(self.tmp / "progress.json", progress_json(self.doc))
        (self.tmp / "exports").mkdir()
        rows = pagedata.export_rows(self.filings, self.entities)
        pagedata.csv_safe(rows).write_csv(
            self.tmp / "exports" / f"filings-{self.year}.csv", include_bom=True)
        workbook.write_progress_workbook(self.tmp / "exports" / f"progress-{self.year}.xlsx", self.doc, rows,
                                         title=document_title(self.site.district, self.year),
                                         generated_at=self.site.generated_at)

    def overview(self, carry_archive) -> None:
        """index.html, its frozen copy for the ISO week of the as-of date, and archive/index.html."""
        eff, tz = self.eff, self.home.settings.tz
        week_start = eff - dt.timedelta(days=6)
        window = [dt.datetime.combine(d, dt.time(), tz).astimezone(dt.timezone.utc)
                  .isoformat(timespec="seconds") for d in (week_start, eff + dt.timedelta(days=1))]
        weekly = pagedata.weekly_rows(self.doc["weekly"], self.year, eff, self.home.settings.goals)
        context = {
            "doc": self.doc, "weekly": weekly, "charts": overview_charts(self.doc, weekly, self.year, eff),
            "week": {"start": week_start, "end": eff,
                     "filings": pagedata.recent(self.filings, self.entities, week_start, eff),
                     "changes": pagedata.changes_in(records.history_changed_between(self.home.db, *window),
                                                    self.entities, self.aliases, self.tz, week_start, eff)},
            "subsidy": self.subsidy, "page": "index",
        }
        self.write("index.html", "index.html", site=self.site, snapshot=None, **context)
        if self.site.subsidies_page:   # the subsidy log's own page
            files.write_text(self.tmp / "subsidies.html", self.env.get_template("subsidies.html").render(
                site=self.site, page="subsidies", doc=self.doc, subsidy=self.subsidy,
                subsidy_rejects=corrections.rejects(self.home.db, "subsidy", states=None),
                subsidy_reasons=words.table("reason.subsidy")))
        label = "{}-W{:02d}".format(*eff.isocalendar()[:2])
        weeks = sorted([*carry_archive(exclude=label, keep=lambda d: _snapshot_year(d) == self.year), label],
                       reverse=True)
        self.write(f"archive/{label}/index.html", "index.html", site=self.site.at("../../", css="style.css"),
                   snapshot={"week": label, "subsidy_head": self.anchor}, **context)
        files.write_text(self.tmp / "archive" / label / "style.css",
                           (self.tmp / "style.css").read_text(encoding="utf-8"))
        files.write_text(self.tmp / "archive" / label / "progress.json", progress_json(self.doc))
        if self.anchor:
            files.write_text(self.tmp / "archive" / label / "subsidy-head.txt",
                             f"{ledger.anchor_line(self.anchor)}\n{self.anchor['head']}\n")
        self.write("archive/index.html", "archive.html", site=self.site.at("../"), page="archive",
                   weeks=[_week_summary(self.tmp / "archive", w) for w in weeks])

    def entity_pages(self, done=lambda: None) -> None:
        """enterprises.html and one page per registered entity (those without a filing too);
        `done()` after each entity's page."""
        rows = pagedata.enterprise_rows(self.doc["by_enterprise"], self.filings, self.entities, self.grants)
        idle = sorted((r for r in rows if not r["filings"]),
                      key=lambda r: (r["township"] or "\uffff", r["name"]))   # by township, blanks last
        self.write("enterprises.html", "enterprises.html", site=self.site, page="enterprises", rows=rows,
                   active=len(rows) - len(idle), idle=idle)
        history = records.history(self.home.db, self.start.isoformat(), self.end.isoformat())
        changes = pagedata.changes_by_entity(pagedata.status_changes(history, self.tz), self.filings)
        co = pagedata.co_applications(self.filings, self.entities, self.aliases)
        (self.tmp / "enterprise").mkdir()
        site, page, claims = self.site.at("../"), self.tpl["enterprise.html"], self.subsidy
        timelines = inforce.timelines(self.held, self.eff)

        def entity_page(e: dict, own: list[tuple]) -> None:
            code = e["credit_code"]
            if not CREDIT_CODE.fullmatch(code):
                raise ReportFailed(f"credit code {code!r} in the registry cannot name a page")
            files.write_text(self.tmp / "enterprise" / f"{code}.html", page.render(
                site=site, page="enterprise", e=e, filings=own, changes=changes.get(code, []),
                co=co.get(code, []), subsidy=claims, timeline=timelines.get(code, []),
                signals=by_entity.get(code, []), signal_kinds=words.table("signal_kind")))
            done()

        by_entity: dict[str, list[dict]] = {}
        for sig in self.signals:
            if sig["credit_code"]:
                by_entity.setdefault(sig["credit_code"], []).append(sig)
        by_code = {e["credit_code"]: e for e in rows}
        for code, own in pagedata.filings_by_entity(self.filings):
            entity_page(by_code.pop(code), own)
        for e in by_code.values():   # the entities without a filing this year
            entity_page(e, [])

    def patents_page(self) -> None:
        """patents.html: in force by type, the per-10k figure, the month-end series, grants, lapses,
        pledges, fees due by enterprise, unmatched events."""
        p = inforce.page(self.held, self.year, self.eff)
        days = [dt.date.fromisoformat(r["date"]) for r in p["series"]]
        rows = [(words.say("label.month_day", month=d.month, day=d.day), r["invention"], None)
                for d, r in zip(days, p["series"])]
        chart = charts.hbars("c-in-force", rows, title=words.say("label.in_force_series") + words.say(
            "label.list_sep").join(words.say("label.pieces", name=k, count=n) for k, n, _ in rows)) if rows else ""
        self.write("patents.html", "patents.html", site=self.site, page="patents", p=p, chart=chart,
                   kind_zh=inforce.KIND_ZH)

    def quality_page(self) -> None:
        """quality.html: unattributed filings, rejected rows, warnings, the imports."""
        db = self.home.db
        every = corrections.rejects(db, "filings", states=None)
        self.write("quality.html", "quality.html",
                   site=self.site, page="quality", doc=self.doc,
                   unattributed=pagedata.unattributed(self.filings),
                   rejects=[r for r in every if r["state"] == "open"],
                   settled=[r for r in every if r["state"] != "open"],
                   registry_rejects=corrections.rejects(db, "registry"),
                   reasons=words.table("reason.filings"), registry_reasons=words.table("reason.registry"),
                   warnings=records.warnings(db, "filings") + records.warnings(db, "registry"),
                   warning_words={**words.table("warning.filings"), **words.table("warning.registry")},
                   imports=import_log(corrections.imports(db), failures.listed(db)), kinds=words.table("import_kind"),
                   signals=self.signals, signal_kinds=words.table("signal_kind"),
                   overrides=corrections.override_log(db),
                   agencies=agencies.deliveries(db, self.home.settings))


def import_log(imports: list[dict], failed: list[dict]) -> list[dict]:
    """Imported files and failed attempts in one list, newest first (`at`: UTC ISO; `error`: the
    reason of a failed one, None for an imported one)."""
    rows = [{**i, "at": i["imported_at"], "error": None, "_k": (i["imported_at"], 0, i["id"])} for i in imports]
    rows += [{**f, "at": f["failed_at"], "_k": (f["failed_at"], 1, f["id"])} for f in failed]
    # within one second (the times' precision) a failure is taken as the later one
    return sorted(rows, key=lambda r: r["_k"], reverse=True)


def progress_json(doc: dict) -> str:
    """The document as `ipmonitor progress --json` prints it."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def default_out(home: app.Home, year: int) -> pathlib.Path:
    """reports/ for the current year (in the district's time zone), reports/<year>/ for any other."""
    reports = home.settings.path("reports")
    return reports if year == home.today().year else reports / str(year)


def _snapshot_year(week_dir: pathlib.Path) -> int:
    """The year whose numbers a weekly snapshot holds (its progress.json; else the week's year)."""
    try:
        return int(json.loads((week_dir / "progress.json").read_text(encoding="utf-8"))["year"])
    except (OSError, ValueError, KeyError, TypeError):
        return int(week_dir.name[:4])


def _week_summary(archive: pathlib.Path, week: str) -> dict:
    """One row of archive/index.html, from the progress.json kept beside the week's snapshot."""
    try:
        doc = json.loads((archive / week / "progress.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        doc = {}
    return {"week": week, "as_of": doc.get("as_of"), "filings": doc.get("filings"),
            "invention": doc.get("invention"), "exists": (archive / week / "index.html").is_file()}


__all__ = ["build_pages", "default_out", "environment", "subsidy_context"]
