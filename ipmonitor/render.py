"""The HTML progress pages (pages.md): read the year once, build each page's context, render, publish.

`build_pages` is the one entry point (the CLI's `report`, the demo and the
scheduler's report job call it). The numbers come from `year` (the store
reads) and the pure builders of `pagecontext`; this module only renders the
templates with them and writes the files, in a folder swapped in atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import secrets

import jinja2

from . import clock, files, ledger, pagecontext, pagedata, pagehtml, publish, words, workbook, year
from .app import Home
from .errors import ReportFailed
from .filters import FILTERS, datetime_zh

TEMPLATES = pathlib.Path(__file__).resolve().parent / "templates"
CREDIT_CODE = re.compile(r"[0-9A-Z]{18}")


def blank_none(value):
    """`{{ value }}` of a missing value prints nothing (Jinja alone would print `None` to the reader)."""
    return "" if value is None else value


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             finalize=blank_none)
    env.filters.update(FILTERS)
    return env


def build_pages(home: Home, *, year: int, as_of: dt.date, out: pathlib.Path,
                show_progress: bool = False) -> pathlib.Path:
    """Build every page for `year` as of `as_of` and publish them in `out`; returns index.html's path.

    The pages are written into a temporary folder beside `out` and swapped in; on any failure
    `ReportFailed` is raised and the pages already in `out` stay as they were.
    """
    from .progressbar import bar
    out = pathlib.Path(out).resolve()
    with (bar(4, words.say("progress.pages"), show_progress) as b, words.speaking("zh-CN"),   # pages.md: Chinese
          publish.Build(out) as build):
        pages = Pages(home, year, as_of, build)
        b.total += pages.y.entities.height
        pages.write_all(b.update)
        build.commit()
    return out / "index.html"


class Pages:
    """One build: the year read once, the contexts built from it, each page rendered and written."""

    def __init__(self, home: Home, year_: int, as_of: dt.date, build: publish.Build):
        settings = home.settings
        self.build, self.tmp, self.as_of = build, build.tmp, as_of
        self.env = environment()
        self.y = year.load_year(home.db, settings, year_, as_of, year.PAGE_COLUMNS)
        self.held = self.y.holdings(every_filing=True)       # the lifecycle of every filing, read once
        self.doc = year.progress_doc(self.y, self.held)
        eff = dt.date.fromisoformat(self.doc["as_of"])       # an as-of after the year reads as 31 Dec
        self.week_start, window = pagecontext.week_window(eff, settings.tz)
        self.reads = year.page_reads(self.y, window)
        self.anchor = self.doc["subsidy_head"]   # the subsidy log's head, kept outside the database
        self.signals = year.signals_of(self.y)     # on the quality page and each entity's page
        self.site = pagecontext.site(self.doc, year_, settings.timezone, datetime_zh(clock.now(settings.tz)),
                                     self.reads.last_import_at, settings.bureau)
        self.goals, self.tz = settings.goals, settings.timezone

    def write(self, rel: str, template: str, context) -> None:
        path = self.tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        files.write_text(path, self.env.get_template(template).render(**pagecontext.variables(context)))

    def write_all(self, done=lambda: None) -> None:
        """Every page; `done()` after each step and after each entity's page (a progress bar)."""
        self.data_files()
        done()
        self.overview()
        done()
        self.entity_pages(done)
        self.write("patents.html", "patents.html", pagecontext.patents_page(self.site, self.held, self.y.year))
        done()
        self.write("quality.html", "quality.html",
                   pagecontext.quality_page(self.site, self.doc, self.y, self.reads, self.signals))
        done()

    def data_files(self) -> None:
        """style.css, progress.json (the document of `progress --json`) and the CSV export."""
        files.write_text(self.tmp / "style.css", (TEMPLATES / "style.css").read_text(encoding="utf-8"))
        files.write_text(self.tmp / "progress.json", progress_json(self.doc))
        (self.tmp / "exports").mkdir()
        rows = pagecontext.export_rows(self.y)
        pagedata.csv_safe(rows).write_csv(self.tmp / "exports" / f"filings-{self.y.year}.csv", include_bom=True)
        workbook.write_progress_workbook(self.tmp / "exports" / f"progress-{self.y.year}.xlsx", self.doc, rows,
                                         title=self.site.title, generated_at=self.site.generated_at)

    def overview(self) -> None:
        """index.html, subsidies.html, the frozen copy for the ISO week of the as-of date (with the subsidy
        log's head beside it), archive/index.html."""
        index = pagecontext.index_page(self.site, self.doc, self.y, self.reads, self.goals, self.week_start, self.tz)
        self.write("index.html", "index.html", index)
        self.write("subsidies.html", "subsidies.html",
                   pagecontext.SubsidiesPage(site=self.site, doc=self.doc, subsidy=self.reads.subsidy,
                                             subsidy_rejects=self.reads.subsidy_rejects,
                                             subsidy_reasons=words.table("reason.subsidy")))
        label = "{}-W{:02d}".format(*self.site.as_of.isocalendar()[:2])
        weeks = sorted([*self.build.carry_archive(exclude=label, keep=lambda d: _snapshot_year(d) == self.y.year),
                        label], reverse=True)
        snapshot = pagecontext.IndexPage(**{**pagecontext.variables(index),
                                            "site": self.site.at("../../", css="style.css"),
                                            "snapshot": {"week": label, "subsidy_head": self.anchor}})
        self.write(f"archive/{label}/index.html", "index.html", snapshot)
        files.write_text(self.tmp / "archive" / label / "style.css",
                         (self.tmp / "style.css").read_text(encoding="utf-8"))
        files.write_text(self.tmp / "archive" / label / "progress.json", progress_json(self.doc))
        if self.anchor:
            files.write_text(self.tmp / "archive" / label / "subsidy-head.txt",
                             f"{ledger.anchor_line(self.anchor)}\n{self.anchor['head']}\n")
        self.write("archive/index.html", "archive.html",
                   pagecontext.ArchivePage(site=self.site.at("../"),
                                           weeks=[_week_summary(self.tmp / "archive", w) for w in weeks]))

    def entity_pages(self, done=lambda: None) -> None:
        """enterprises.html and one page per registered entity (those without a filing too)."""
        listing, pages = pagecontext.enterprise_pages(self.site, self.doc, self.y, self.reads, self.tz, self.held,
                                                      self.signals)
        self.write("enterprises.html", "enterprises.html", listing)
        (self.tmp / "enterprise").mkdir()
        template = self.env.get_template("enterprise.html")
        for page in pages:
            code = page.e["credit_code"]
            if not CREDIT_CODE.fullmatch(code):
                raise ReportFailed(f"credit code {code!r} in the registry cannot name a page")
            (self.tmp / "enterprise" / f"{code}.html").write_bytes(render_spliced(template, page))
            done()


# The marker a pagehtml.Rows prints as while its page renders: random, so no text of a page holds it.
SLOT = f"\x00ipmonitor-rows-{secrets.token_hex(8)}-"
SLOTS = re.compile(re.escape(SLOT) + "([0-9]+)\x00")


class _Slot:
    """Stands in for a pagehtml.Rows while a page renders: measures as the rows, prints a marker."""
    __slots__ = ("count", "i")

    def __init__(self, i: int, rows: pagehtml.Rows):
        self.i, self.count = i, len(rows)

    def __len__(self) -> int:
        return self.count

    def __html__(self) -> str:
        return f"{SLOT}{self.i}\x00"


def render_spliced(template: jinja2.Template, context) -> bytes:
    """The page of `context` as UTF-8, each of its pagehtml.Rows fields spliced in as the bytes polars
    made (an entity's tables may be megabytes: never decoded into Python text and encoded again)."""
    variables, rows = pagecontext.variables(context), []
    for name, value in variables.items():
        if isinstance(value, pagehtml.Rows):
            variables[name] = _Slot(len(rows), value)
            rows.append(value.data)
    parts = SLOTS.split(template.render(**variables))
    return b"".join(rows[int(part)] if k % 2 else part.encode("utf-8") for k, part in enumerate(parts))


def progress_json(doc: dict) -> str:
    """The document as `ipmonitor progress --json` prints it."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def default_out(home: Home, year: int) -> pathlib.Path:
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


__all__ = ["build_pages", "default_out", "environment"]
