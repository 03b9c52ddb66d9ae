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
from click.testing import CliRunner

from _pages_data import AS_OF, YEAR, make_home
from ipmonitor.cli import main
from ipmonitor import words

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
    """(reports folder, the progress document of `ipmonitor progress --json`) for one home."""
    home = make_home(tmp_path_factory.mktemp("browser") / "home")
    cli("--home", home, "report", "--year", YEAR, "--as-of", AS_OF.isoformat())
    doc = json.loads(cli("--home", home, "progress", "--year", YEAR, "--as-of", AS_OF.isoformat(), "--json"))
    return home / "reports", doc


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
    reports, _ = built
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


def test_headline_numbers_are_visible(built, browser):
    reports, doc = built
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    try:
        page = w.open(reports / "index.html")
        cards = page.locator("article.goal")
        assert cards.count() == 2
        for card, g in zip(cards.all(), (doc["filings"], doc["invention"])):
            assert card.is_visible()
            text = card.inner_text()
            assert card.locator("[data-key=count]").inner_text().startswith(f"{g['count']:,}")
            assert f"目标 {g['goal']:,}" in text
            assert f"{g['expected']:.1f}" in card.locator("[data-key=expected]").inner_text()
            assert f"{g['projected']:.1f}" in card.locator("[data-key=projected]").inner_text()
            assert words.say("status." + g["status"]) in card.locator(".status").inner_text()
        body = page.locator("main").inner_text()
        assert f"{doc['unattributed']:,} 件" in body
        for t in doc["by_township"]:
            assert page.get_by_role("cell", name=t["township"], exact=True).first.is_visible()
        w.check()
    finally:
        w.close()


def test_a4_print(built, browser):
    reports, _ = built
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
