"""The pages in headless Chromium over file://: no errors, no request leaves, the headline numbers
(from `ipmonitor progress --json`) visible, no sideways scrolling on a phone, and A4 print works.

Skipped where there is no chromium, except in CI (CI=true), where a missing browser fails.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from _pages_data import AS_OF, YEAR, make_home
from click.testing import CliRunner

from ipmonitor.cli import main

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if CHROMIUM is None or sync_playwright is None:
    why = "no chromium at /usr/bin/chromium or on PATH" if CHROMIUM is None else "playwright is not installed"
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {why}", pytrace=False)
    pytest.skip(why, allow_module_level=True)


def cli(*args) -> str:
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The reports folder of one home (tests/_pages_data.py)."""
    home = make_home(tmp_path_factory.mktemp("browser") / "home")
    cli("--home", home, "report", "--year", YEAR, "--as-of", AS_OF.isoformat(), "--out", home / "reports")
    return home / "reports"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watched:
    """A page that records console errors, page errors, failed requests and every requested URL."""

    def __init__(self, browser, viewport=PHONE):
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url} {r.failure}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: Path):
        self.page.goto(path.as_uri(), wait_until="load")
        return self.page

    def check(self) -> None:
        assert self.errors == []
        outside = [u for u in self.requests if not u.startswith(("file://", "data:"))]
        assert outside == []

    def close(self) -> None:
        self.context.close()


def all_pages(reports: Path) -> list[Path]:
    return sorted(reports.rglob("*.html"))


def test_every_page_loads_cleanly_and_fits_a_phone(built, browser):
    reports = built
    pages = all_pages(reports)
    assert len(pages) >= 10
    w = Watched(browser)
    try:
        for path in pages:
            page = w.open(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (path, width)
            assert page.locator("header.site dl.meta").is_visible(), path
        w.check()
    finally:
        w.close()


# The headline of the fixture (worked out in test_pages.test_overview_shows_the_goals…): count, goal,
# expected and projected whole, the gap in words, what each remaining week needs, last year, status.
HEADLINE = [("43", "目标 60", "30 件", "87 件", "超前 13 件", "0.6 件", "0 件", "进度正常"),
            ("12", "目标 30", "15 件", "24 件", "落后时间进度 3 件", "0.7 件", "0 件", "滞后")]


def test_headline_numbers_are_visible(built, browser):
    reports = built
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    try:
        page = w.open(reports / "index.html")
        cards = page.locator("article.goal")
        assert cards.count() == 2
        for card, want in zip(cards.all(), HEADLINE):
            count, goal, expected, projected, gap, needed, previous, status = want
            assert card.is_visible()
            assert card.locator("[data-key=count]").inner_text().startswith(count)
            assert goal in card.inner_text()
            got = [card.locator(f"[data-key={k}]").inner_text()
                   for k in ("expected", "projected", "gap", "needed", "previous")]
            assert got == [expected, projected, gap, needed, previous]
            assert status in card.locator(".status").inner_text()
        body = page.locator("main").inner_text()
        assert "6 件" in body                              # one applicant of the eight is unregistered
        for town in ("顺河街道", "洋河镇", "来龙镇", "豫新街道"):
            assert page.get_by_role("cell", name=town, exact=True).first.is_visible()
        w.check()
    finally:
        w.close()


def test_a4_print(built, browser):
    reports = built
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    try:
        page = w.open(reports / "index.html")
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        # the headline fits the first page: A4 minus the @page margins, at 96 px per inch
        page.set_viewport_size({"width": round((210 - 22) / 25.4 * 96), "height": 1000})
        page.emulate_media(media="print")
        bottom = page.evaluate("document.getElementById('goals').getBoundingClientRect().bottom")
        assert bottom <= (297 - 26) / 25.4 * 96, bottom
        w.check()
    finally:
        w.close()


SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.skipif(not (SEEDS / "enterprises.csv").is_file(), reason="no seeds/ in this checkout")
def test_demo_pages_with_real_seeds(tmp_path, browser):
    doc = json.loads(cli("demo", "--out", tmp_path / "reports", "--demo-home", tmp_path / "demo-home", "--json"))
    reports = tmp_path / "reports"
    biggest = sorted((reports / "enterprise").iterdir(), key=lambda p: p.stat().st_size)[-5:]
    w = Watched(browser)
    try:
        for path in [reports / "index.html", reports / "enterprises.html", reports / "quality.html",
                     reports / "archive" / "index.html", *biggest]:
            page = w.open(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        page = w.open(reports / "index.html")
        counts = page.locator("article.goal [data-key=count]").all_inner_texts()
        assert [c.split("/")[0].strip() for c in counts] == [f"{doc['filings']['count']:,}",
                                                             f"{doc['invention']['count']:,}"]
        w.check()
    finally:
        w.close()


CHART_TEXT_PX = """() => [...document.querySelectorAll('svg.chart text')].map(t => {
  const scale = t.ownerSVGElement.getScreenCTM().a;
  return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale];
})"""


def test_chart_text_is_at_least_11_px_on_a_phone(built, browser):
    reports = built
    w = Watched(browser)
    try:
        page = w.open(reports / "index.html")
        sizes = page.evaluate(CHART_TEXT_PX)
        assert len(sizes) > 50
        small = [(t, round(px, 2)) for t, px in sizes if px < 11 - 1e-6]
        assert small == []
        # and each chart scrolls inside its own box, never the page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        w.check()
    finally:
        w.close()


def test_wide_tables_show_number_title_and_entity_first_on_a_phone(built, browser):
    reports = built
    w = Watched(browser)
    try:
        entity = max((reports / "enterprise").iterdir(), key=lambda p: p.stat().st_size)
        page = w.open(entity)
        heads = page.locator("table.filings").first.locator("thead th").all_inner_texts()
        assert heads[:3] == ["申请号", "名称", "申请日"]      # the entity is the page's own
        page = w.open(reports / "index.html")
        table = page.locator("#this-week table.changes").first
        heads = table.locator("thead th").all_inner_texts()
        assert heads[:3] == ["申请号", "名称", "单位"]
        first = table.locator("tbody tr").first.locator("td").first.bounding_box()
        assert first["x"] >= 0 and first["x"] + first["width"] <= PHONE["width"]
        wrap = page.locator("#this-week .table-wrap").first
        # the other columns are reachable: the box scrolls sideways
        assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
        assert wrap.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        w.check()
    finally:
        w.close()


def test_printed_overview_has_the_issuing_body_title_and_page_numbers(built, browser):
    import io
    import re
    import unicodedata

    from pypdf import PdfReader
    reports = built
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    try:
        page = w.open(reports / "index.html")
        reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
        # the PDF's fonts map some characters to radicals: NFKC undoes the Kangxi ones (⼯ → 工),
        # and 页 comes out as the supplement radical ⻚, which has no decomposition
        texts = [unicodedata.normalize("NFKC", p.extract_text()).replace("⻚", "页") for p in reader.pages]
        n = len(texts)
        assert n >= 2
        for i, text in enumerate(texts, start=1):
            flat = re.sub(r"\s+", "", text)
            assert f"第{i}页,共{n}页" in flat, (i, text[-200:])     # NFKC: ，→ ,
            assert "宿豫区2013年省知识产权试点区专利工作进度" in flat
        first = re.sub(r"\s+", "", texts[0])
        assert "宿豫区科学技术局" in first
        everything = re.sub(r"\s+", "", "".join(texts))
        assert "查看每周数据表" not in everything and "进度数据（JSON）" not in everything
        w.check()
    finally:
        w.close()
