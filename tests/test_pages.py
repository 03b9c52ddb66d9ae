"""The HTML pages without a browser: every page written, escaping, the CSV, progress.json, atomic
publication, the weekly archive, and the small filters and pure functions behind them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import jinja2
import polars as pl
import pytest
from _pages_data import AS_OF, ENTITIES, FORMULA, UNATTRIBUTED, XSS_IMG, XSS_SCRIPT, YEAR, credit_code, make_home
from click.testing import CliRunner

from ipmonitor import app, charts, filters, pagedata, render, subsidies
from ipmonitor.cli import main
from ipmonitor.errors import IpmonitorError, ReportFailed

HOSTILE = (XSS_SCRIPT, XSS_IMG, "<script", "<img", "onerror=alert(1)>")

# Worked out from tests/_pages_data.py: 48 rows of 2013 in agency A, 7 of every 8 attributed (42) plus
# the row without a check digit = 43 filings; every 4th row an invention = 12. As of 30 June (day 181 of
# 365): expected 60·181/365 = 29.75 → 29.8 and 30·181/365 = 14.88 → 14.9; projected 43·365/181 = 86.7
# and 12·365/181 = 24.2; 43 ≥ 29.75 is on track, 12 < 0.9 × 14.88 is behind.
# gap = count − expected; needed_per_week = (goal − count) · 7 / the 184 days left after 30 June
FILINGS = {"count": 43, "goal": 60, "expected": 29.8, "projected": 86.7, "status": "on_track",
           "gap": 13.2, "needed_per_week": 0.6}          # 43 − 29.75; 17 · 7 / 184 = 0.65
INVENTION = {"count": 12, "goal": 30, "expected": 14.9, "projected": 24.2, "status": "behind",
             "gap": -2.9, "needed_per_week": 0.7}        # 12 − 14.88; 18 · 7 / 184 = 0.68


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exit_code == code, (result.output, result.stderr)
    return result


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A home with data and its pages built once by `ipmonitor report` into the default folder."""
    home = make_home(tmp_path_factory.mktemp("pages") / "home")
    out = run("--home", home, "report", "--as-of", AS_OF.isoformat(), "--out", home / "reports").stdout.strip()
    assert out == str(home / "reports" / "index.html")
    return home


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def test_every_page_is_written(site):
    r = site / "reports"
    for name in ("index.html", "enterprises.html", "quality.html", "archive/index.html",
                 "archive/2013-W26/index.html", "progress.json", f"exports/filings-{YEAR}.csv", "style.css"):
        assert (r / name).is_file(), name
    for i in range(1, len(ENTITIES) + 1):
        assert (r / "enterprise" / f"{credit_code(i)}.html").is_file()
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".reports.") and p.is_dir()]
    assert leftovers == []


def test_every_page_states_the_facts_and_links_to_the_others(site):
    for page in html_files(site / "reports"):
        text = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in text
        for fact in ("宿豫区", "2013 年", "2013年6月30日", "页面生成于", "数据最近导入于", "2013年6月28日 10:00"):
            assert fact in text, (page, fact)
        for link in ("index.html", "enterprises.html", "quality.html", "archive/index.html", "progress.json",
                     f"exports/filings-{YEAR}.csv"):
            assert f'{link}"' in text, (page, link)


def test_nothing_is_fetched_from_elsewhere(site):
    for page in [*html_files(site / "reports"), site / "reports" / "style.css"]:
        text = page.read_text(encoding="utf-8")
        refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text) + re.findall(r"url\(([^)]*)\)", text)
        for ref in refs:
            assert not re.match(r"^\s*(https?:)?//", ref), (page, ref)
            assert ref.startswith("data:") or re.fullmatch(r"[\w./#-]+", ref), (page, ref)
        assert "<script" not in text and "@import" not in text


def test_hostile_names_and_titles_are_escaped_everywhere(site):
    pages = html_files(site / "reports")
    joined = "".join(p.read_text(encoding="utf-8") for p in pages)
    for raw in HOSTILE:
        assert raw not in joined, raw
    entity = (site / "reports" / "enterprise" / f"{credit_code(1)}.html").read_text(encoding="utf-8")
    assert "宿迁&lt;script&gt;alert(1)&lt;/script&gt;科技有限公司" in entity           # name
    assert "一种&lt;script&gt;alert(1)&lt;/script&gt;装置" in entity                # title
    assert "旧名&lt;img src=x onerror=alert(1)&gt;" in entity                      # alias
    formula = (site / "reports" / "enterprise" / f"{credit_code(2)}.html").read_text(encoding="utf-8")
    assert "=cmd|&#39; /C calc&#39;!A0" in formula
    quality = (site / "reports" / "quality.html").read_text(encoding="utf-8")
    assert "张三&lt;script&gt;alert(1)&lt;/script&gt;" in quality                   # applicant


def test_csv_has_a_bom_and_neutralised_formula_cells(site):
    data = (site / "reports" / "exports" / f"filings-{YEAR}.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["申请号", "申请日", "专利类型", "专利名称"]
    assert len(body) == FILINGS["count"]                # the year's attributed filings, one row each
    cells = [c for r in body for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'" + FORMULA in cells                       # a title and the entity's name
    assert "'-1+1 计算器" in cells and "'@SUM(A1) 包装盒" in cells and "'+检测系统" in cells
    assert any(c.startswith("'=cmd; ") for c in cells)  # the applicants cell of the formula entity
    assert UNATTRIBUTED not in data.decode("utf-8-sig")  # only attributed filings


def test_progress_json_is_the_progress_command(site):
    cli_doc = json.loads(run("--home", site, "progress", "--year", YEAR, "--as-of", AS_OF.isoformat(),
                             "--json").stdout)
    assert (cli_doc["filings"], cli_doc["invention"], cli_doc["unattributed"]) == (FILINGS, INVENTION, 6)
    assert json.loads((site / "reports" / "progress.json").read_text(encoding="utf-8")) == cli_doc
    assert json.loads((site / "reports" / "archive" / "2013-W26" / "progress.json").read_text()) == cli_doc


def test_overview_shows_the_goals_and_this_weeks_changes(site):
    text = (site / "reports" / "index.html").read_text(encoding="utf-8")
    # The fixture's 48 filings of agency A up to 2013-05-25: every eighth has an unregistered first
    # applicant → 42 counted, 12 of them inventions (every fourth), and the utility model without a
    # check digit (kept with a warning) → 43. 2013-06-30 is day 181 of 365.
    # Filings: goal 60, expected 60·181/365 = 29.75 → 30 on the page, projected 43·365/181 = 86.7 → 87,
    # gap +13.2 → 超前 13 件, needed 17·7/184 = 0.65 → 0.6 a week.
    # Inventions: goal 30, expected 14.88 → 15, projected 24.2 → 24, gap −2.9 → 落后 3 件, needed 0.7.
    card = lambda label: text[text.index(f'aria-label="{label}"'):].split("</article>")[0]
    f, i = card("全部专利申请"), card("其中发明专利申请")
    assert ">43<small> / 目标 60 件" in f and ">12<small> / 目标 30 件" in i
    assert 'data-key="expected">30 件' in f and 'data-key="projected">87 件' in f
    assert 'data-key="expected">15 件' in i and 'data-key="projected">24 件' in i
    assert 'data-key="gap">超前 13 件' in f and 'data-key="gap">落后时间进度 3 件' in i
    assert 'data-key="needed">0.6 件' in f and 'data-key="needed">0.7 件' in i
    # 2012 holds one filing (20 December): none by 30 June 2012
    assert 'data-key="previous">0 件' in f
    assert "29.8" not in text and "86.7" not in text        # counts of filings are whole on pages
    assert "进度正常" in text and "滞后" in text and "▼" in text and "●" in text
    assert text.count("<svg") == 5 and text.count("<title id=") == 5
    assert "法律状态变化：6 件" in text        # agency B's import on 2013-06-28 granted six filings
    assert "授权" in text


def test_entities_without_filings_are_listed(site):
    text = (site / "reports" / "enterprises.html").read_text(encoding="utf-8")
    idle = text[text.index('id="idle"'):]
    assert "宿豫区零专利企业有限公司" in idle
    assert f"enterprise/{credit_code(4)}.html" in text
    page = (site / "reports" / "enterprise" / f"{credit_code(4)}.html").read_text(encoding="utf-8")
    assert "本年尚无归属到该单位的申请" in page


def test_entity_page_shows_filings_history_and_co_applications(site):
    page = (site / "reports" / "enterprise" / f"{credit_code(3)}.html").read_text(encoding="utf-8")
    assert "本年申请（" in page and "共同申请人" in page and "第一申请人" in page
    first = (site / "reports" / "enterprise" / f"{credit_code(1)}.html").read_text(encoding="utf-8")
    assert "法律状态变化" in first and "agency_b.csv" in first


def test_subsidy_slot_shows_what_the_ledger_gives(site, tmp_path, monkeypatch):
    claim = {"id": "2013-0001", "application_no": "201310000101.4", "stage": "grant", "stage_zh": XSS_SCRIPT,
             "state": "paid", "claimed": 4000, "approved": 4000, "paid": 4000}
    context = {"summary": {"year": YEAR, "budget": 150000, "claims": 1, "claimed": 4000, "approved": 4000,
                           "paid": 4000, "remaining": 146000, "overrun": 0, "head": "ab" * 32,
                           "rates": None, "by_state": [], "by_enterprise": [], "items": [], "events": 1,
                           "chain": {"ok": True, "events": 1, "head": "ab" * 32, "first_bad": None}},
               "claims_by_entity": {credit_code(1): [claim]}}
    monkeypatch.setattr(subsidies, "pages_context", lambda *a: context)
    home, out = _fresh(site, tmp_path)
    try:
        render.build_pages(home, year=YEAR, as_of=AS_OF, out=out)
    finally:
        home.close()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="subsidy-summary"' in index and "146,000 元" in index and "ab" * 32 in index
    first = (out / "enterprise" / f"{credit_code(1)}.html").read_text(encoding="utf-8")
    assert "2013-0001" in first and "&lt;script&gt;" in first and XSS_SCRIPT not in first
    other = (out / "enterprise" / f"{credit_code(3)}.html").read_text(encoding="utf-8")
    assert "该单位没有资助申请记录" in other


def test_quality_page_words(site):
    text = (site / "reports" / "quality.html").read_text(encoding="utf-8")
    assert "申请号校验位错误" in text and "agency_a.csv" in text and ">51<" in text
    assert "统一社会信用代码校验位错误或格式不对" in text and "registry.csv" in text
    assert "曾用名" in text and "加入名录" in text
    assert "申请号缺少校验位" in text


def test_report_respects_out_and_rejects_a_file_as_out(site, tmp_path):
    out = tmp_path / "elsewhere"
    printed = run("--home", site, "report", "--year", YEAR, "--as-of", "2013-05-31", "--out", out).stdout.strip()
    assert printed == str(out / "index.html")
    assert (out / "archive" / "2013-W22" / "index.html").is_file()
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    run("--home", site, "report", "--as-of", "2013-05-31", "--out", blocker, code=2)
    home = app.open_home(site)
    try:
        with pytest.raises(ReportFailed, match="不是文件夹"):
            render.build_pages(home, year=YEAR, as_of=AS_OF, out=blocker)
    finally:
        home.close()
    assert blocker.read_text() == "x"


def _fresh(site: Path, tmp_path: Path) -> tuple[app.Home, Path]:
    home_dir = tmp_path / "home"
    shutil.copytree(site, home_dir, ignore=shutil.ignore_patterns("reports", ".reports*"))
    return app.open_home(home_dir), home_dir / "reports"


def test_a_failed_build_leaves_the_previous_pages(site, tmp_path, monkeypatch):
    home, out = _fresh(site, tmp_path)
    try:
        render.build_pages(home, year=YEAR, as_of=AS_OF, out=out)
        before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        original = jinja2.Template.render

        def failing(self, *a, **kw):
            if self.name == "quality.html":
                raise RuntimeError("disk on fire")
            return original(self, *a, **kw)

        monkeypatch.setattr(jinja2.Template, "render", failing)
        with pytest.raises(ReportFailed, match="disk on fire") as e:
            render.build_pages(home, year=YEAR, as_of=dt.date(2013, 7, 8), out=out)
        assert isinstance(e.value, IpmonitorError)
        after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert after == before
        assert [p for p in out.parent.iterdir() if p.name.startswith(".reports.") and p.is_dir()] == []
    finally:
        home.close()


def test_archive_keeps_older_weeks_and_replaces_the_same_week(site, tmp_path):
    home, out = _fresh(site, tmp_path)
    try:
        render.build_pages(home, year=YEAR, as_of=dt.date(2013, 6, 30), out=out)   # 2013-W26
        w26 = (out / "archive" / "2013-W26" / "index.html").read_bytes()
        render.build_pages(home, year=YEAR, as_of=dt.date(2013, 7, 2), out=out)    # 2013-W27
        render.build_pages(home, year=YEAR, as_of=dt.date(2013, 7, 5), out=out)    # 2013-W27 again
        weeks = sorted(p.name for p in (out / "archive").iterdir() if p.is_dir())
        assert weeks == ["2013-W26", "2013-W27"]
        assert (out / "archive" / "2013-W26" / "index.html").read_bytes() == w26
        w27 = json.loads((out / "archive" / "2013-W27" / "progress.json").read_text(encoding="utf-8"))
        assert w27["as_of"] == "2013-07-05"
        index = (out / "archive" / "index.html").read_text(encoding="utf-8")
        assert index.index("2013-W27") < index.index("2013-W26")
        snapshot = (out / "archive" / "2013-W27" / "index.html").read_text(encoding="utf-8")
        assert "存档副本" in snapshot and 'href="style.css"' in snapshot and 'href="../../quality.html"' in snapshot
        assert (out / "archive" / "2013-W27" / "style.css").is_file()
    finally:
        home.close()


def test_environment_escapes_and_is_strict():
    env = render.environment()
    assert env.autoescape is True and env.undefined is jinja2.StrictUndefined
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    assert all(n.endswith(".html") for n in env.list_templates() if not n.endswith(".css"))


@pytest.mark.parametrize("value, text", [(0, "0"), (999, "999"), (1234567, "1,234,567"), (-1200, "-1,200"),
                                         (1234.5, "1,234.5"), (None, "—")])
def test_thousands(value, text):
    assert filters.thousands(value) == text


@pytest.mark.parametrize("part, whole, text", [(171, 400, "42.8%"), (0, 50, "0.0%"), (60, 50, "120.0%"),
                                               (3, None, "—"), (3, 0, "—"), (None, 5, "—"), (1, 3, "33.3%")])
def test_percent(part, whole, text):
    assert filters.percent(part, whole) == text


def test_decimals_dates_and_times():
    assert filters.one_decimal(29.75) == "29.8" and filters.one_decimal(30) == "30.0"
    assert filters.one_decimal(1234.5) == "1,234.5" and filters.one_decimal(None) == "—"
    assert filters.date_zh("2013-06-30") == "2013年6月30日" and filters.date_zh(dt.date(2013, 1, 5)) == "2013年1月5日"
    assert filters.date_zh(None) == "—" and filters.month_day("2013-06-03") == "6月3日"
    assert filters.local_time("2013-06-28T02:00:00+00:00", "Asia/Shanghai") == "2013年6月28日 10:00"
    assert filters.local_time("2013-12-31T20:30:00", "Asia/Shanghai") == "2014年1月1日 04:30"
    assert filters.week_zh("2013-W26") == "第26周（6月24日—6月30日）"
    assert filters.week_zh("2013-W01", with_year=True) == "2013年第1周（12月31日—1月6日）"
    assert filters.gap_zh(-34.5) == "落后时间进度 35 件" and filters.gap_zh(12.2) == "超前 12 件"
    assert filters.gap_zh(0.4) == "与时间进度持平" and filters.whole_number(196.2) == "196"
    assert filters.local_time(None, "Asia/Shanghai") == "—"
    assert filters.status_zh("behind") == "▼ 滞后" and filters.status_zh(None) == "未设目标"
    assert [filters.status_zh(s)[2:] for s in ("met", "on_track", "at_risk")] == ["已完成", "进度正常", "有风险"]
    assert filters.type_zh("utility_model") == "实用新型" and filters.yes_no(0) == "否"


def test_status_changes_follow_each_version():
    history = pl.DataFrame({
        "id": [1, 2, 3, 4], "application_no": ["A", "A", "A", "B"],
        "old_status": [None, "受理", "受理", "公开"], "current_status": ["授权", "授权", "授权", "公开"],
        "changed_at": ["2013-01-01T00:00:00+00:00", "2013-02-01T00:00:00+00:00",
                       "2013-06-27T17:00:00+00:00", "2013-06-01T00:00:00+00:00"],
        "file": ["a", "b", "c", "d"]}, schema_overrides={"id": pl.Int64})
    changes = pagedata.status_changes(history, "Asia/Shanghai")
    assert changes.select("application_no", "old_status", "new_status", "changed_date").rows() == [
        ("A", None, "受理", "2013-01-01"), ("A", "受理", "授权", "2013-06-28")]
    assert pagedata.status_changes(history.clear(), "Asia/Shanghai").is_empty()


def test_grouped_rows_keep_groups_whole_across_chunks():
    df = pl.DataFrame({"k": ["b", "a", "b", "c", "a", "c", "c"], "v": [1, 2, 3, 4, 5, 6, 7]})
    for chunk in (1, 2, 3, 100):
        assert list(pagedata.grouped_rows(df, "k", ["v"], chunk=chunk)) == [
            ("a", [(2,), (5,)]), ("b", [(1,), (3,)]), ("c", [(4,), (6,), (7,)])]


def test_export_neutralises_every_formula_start():
    filings = pl.DataFrame({
        "application_no": ["1"] * 6, "filing_date": ["2013-01-01"] * 6, "type": ["design"] * 6,
        "title": ["=1+1", "+1", "-1", "@x", "\tx", "ok=1"], "applicants": ["a"] * 6, "status": [None] * 6,
        "grant_date": [None] * 6, "agency": [None] * 6, "entity": ["C"] * 6},
        schema_overrides=dict.fromkeys(("status", "grant_date", "agency"), pl.String))
    entities = pl.DataFrame({"credit_code": ["C"], "name": ["@名"], "township": [None]},
                            schema_overrides={"township": pl.String})
    out = pagedata.export_frame(filings, entities)
    assert out["专利名称"].to_list() == ["'=1+1", "'+1", "'-1", "'@x", "'\tx", "ok=1"]
    assert out["归属单位"].to_list() == ["'@名"] * 6


def test_charts_carry_a_title_and_escape_labels():
    svg = charts.hbars("t", [("<b>镇</b>", 3, 1)], title="按镇街 <x>", part_word="发明")
    assert "<title id=\"t-t\">按镇街 &lt;x&gt;</title>" in svg and "&lt;b&gt;镇&lt;/b&gt;" in svg
    cum = charts.cumulative("c", year=2013, as_of=AS_OF, points=[(dt.date(2013, 6, 30), 43)], goal=60,
                            projected=86.7, label="全部申请")
    assert "<title" in cum and "目标 60" in cum and "预计 87" in cum and "stroke-dasharray" in cum
    assert charts.nice_max(45.15) == (60, 20) and charts.nice_max(400) == (400, 100)
    assert charts.nice_max(0) == (4, 1)


def test_demo_writes_the_pages(tmp_path, monkeypatch):
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    if not (seeds / "enterprises.csv").is_file():
        pytest.skip("no seeds/ in this checkout")
    monkeypatch.chdir(tmp_path)
    lines = run("demo", "--out", "pages").stdout.strip().splitlines()
    assert lines[-1] == str(tmp_path / "pages" / "index.html")
    assert (tmp_path / "pages" / "quality.html").is_file()


def _index_year(folder: Path) -> int:
    return json.loads((folder / "progress.json").read_text(encoding="utf-8"))["year"]


def test_past_years_never_touch_this_years_pages(site, tmp_path):
    home_dir = tmp_path / "home"
    shutil.copytree(site, home_dir, ignore=shutil.ignore_patterns("reports", ".reports*"))
    reports, this_year = home_dir / "reports", dt.date.today().year   # the clock is the real one
    assert run("--home", home_dir, "report").stdout.strip() == str(reports / "index.html")
    before = {p.relative_to(reports): p.read_bytes() for p in reports.rglob("*") if p.is_file()}
    this_week = sorted(p.name for p in (reports / "archive").iterdir() if p.is_dir())
    printed = run("--home", home_dir, "report", "--year", YEAR, "--as-of", "2013-06-30").stdout.strip()
    assert printed == str(reports / "2013" / "index.html")
    after = {p.relative_to(reports): p.read_bytes() for p in reports.rglob("*")
             if p.is_file() and p.relative_to(reports).parts[0] != "2013"}
    assert after == before                                   # nothing of this year's pages changed
    assert _index_year(reports) == this_year and _index_year(reports / "2013") == YEAR
    assert sorted(p.name for p in (reports / "2013" / "archive").iterdir() if p.is_dir()) == ["2013-W26"]
    run("--home", home_dir, "report", "--year", YEAR, "--as-of", "2013-07-02")
    # this year's build again: the 2013 pages and their archive survive the swap of reports/
    run("--home", home_dir, "report")
    assert sorted(p.name for p in (reports / "2013" / "archive").iterdir() if p.is_dir()) == ["2013-W26", "2013-W27"]
    assert sorted(p.name for p in (reports / "archive").iterdir() if p.is_dir()) == this_week
    assert _index_year(reports) == this_year


def test_an_output_folders_archive_holds_only_its_own_year(site, tmp_path):
    out = tmp_path / "out"
    run("--home", site, "report", "--year", YEAR, "--as-of", "2013-06-30", "--out", out)
    run("--home", site, "report", "--year", 2012, "--out", out)        # 2012 read as of 2012-12-31
    # 31 December 2012 lies in ISO week 2013-W01; the 2013 snapshot of W26 is not carried
    assert sorted(p.name for p in (out / "archive").iterdir() if p.is_dir()) == ["2013-W01"]
    assert _index_year(out / "archive" / "2013-W01") == 2012


def test_every_link_of_every_page_leads_to_a_file_that_exists(site):
    reports = site / "reports"
    broken = []
    for page in html_files(reports):
        for href in re.findall(r'href="([^"#]+)', page.read_text(encoding="utf-8")):
            if href.startswith(("http:", "https:", "data:", "mailto:")):
                continue
            if not (page.parent / href).resolve().exists():
                broken.append((str(page.relative_to(reports)), href))
    assert broken == []
