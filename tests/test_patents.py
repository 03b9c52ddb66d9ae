"""`ipmonitor patents`, progress's quality figures, patents.html and the entity timelines, the inbox
recognising legal-status files, and the demo's legal-status list — on real homes."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
HUAYU, LVYUAN = "91110000600037341L", "91350100M000100Y43"
LVYUAN_NAME = '宿迁"绿源"<食品>有限公司'
INV, UM, DES, OLD = "201310699744.2", "201220687633.0", "201330123456.3", "201110215306.5"
CONFIG = """\
[district]
name = "宿豫区"
timezone = "Asia/Shanghai"
population = 620000
"""


def csv_text(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.fixture
def district(home, cli):
    """Two registered firms, an individual's design, and a legal-status list."""
    (home / "ipmonitor.toml").write_text(CONFIG, encoding="utf-8")
    write(home / "r.csv", csv_text([["统一社会信用代码", "企业名称"], [HUAYU, "宿迁华宇机械有限公司"],
                                    [LVYUAN, LVYUAN_NAME]]))
    cli("enterprises", "import", home / "r.csv")
    write(home / "f.csv", csv_text([
        ["申请号", "申请日", "申请人", "发明名称", "专利类型", "法律状态"],
        [INV, "2013-03-05", "宿迁华宇机械有限公司", "一种切割装置", "发明", "实质审查"],
        [UM, "2012-11-20", LVYUAN_NAME, "一种<保鲜>方法", "实用新型", "授权"],
        [DES, "2013-04-01", "张伟", "包装盒", "外观设计", "授权"]]))
    cli("import", home / "f.csv")
    write(home / "ev.csv", csv_text([
        ["申请号", "法律状态公告日", "法律状态", "法律状态信息"],
        [INV, "2014-05-01", "授权", "发明专利权授予"],
        [UM, "2013-06-10", "授权", ""],
        [UM, "2014-10-10", "未缴年费专利权终止", "未缴纳第3年度年费"],
        [UM, "2014-12-01", "权利的恢复", ""],
        [DES, "2013-09-01", "授权", ""],
        [INV, "2014-06-01", "专利权质押合同登记的生效", ""],
        [OLD, "2013-02-27", "授权", ""]]))
    cli("events", "import", home / "ev.csv")
    return home


def test_patents_json_at_year_end(district, cli):
    assert cli.json("patents", "--as-of", "2014-12-31") == {
        "as_of": "2014-12-31",
        "in_force": {"invention": 1, "utility_model": 1, "design": 0},   # the design is an individual's
        "invention_per_10k": 0.02,                                       # 1 ÷ 620,000 × 10,000 = 0.0161…
        "granted_in_year": {"invention": 1, "utility_model": 0, "design": 0},
        "lapsed_in_year": [{"application_no": UM, "credit_code": LVYUAN, "name": LVYUAN_NAME,
                            "type": "utility_model", "date": "2014-10-10", "kind": "lapsed",
                            "words": "未缴年费专利权终止"}],
        "pledged_in_year": 1,
        "fees_due": [],
        "unmatched_events": 1,
    }


def test_patents_during_the_lapse_and_fees_due(district, cli):
    d = cli.json("patents", "--as-of", "2014-11-01")
    assert d["in_force"] == {"invention": 1, "utility_model": 0, "design": 0}
    d = cli.json("patents", "--as-of", "2015-01-10")
    assert d["fees_due"] == [{"application_no": INV, "credit_code": HUAYU, "name": "宿迁华宇机械有限公司",
                              "type": "invention", "due": "2015-03-05", "patent_year": 3}]
    assert (d["granted_in_year"], d["lapsed_in_year"], d["pledged_in_year"]) == (
        {"invention": 0, "utility_model": 0, "design": 0}, [], 0)


def test_fee_alert_days_from_the_config(district, cli):
    (district / "ipmonitor.toml").write_text(CONFIG + "\n[status]\nfee_alert_days = 30\n", encoding="utf-8")
    assert cli.json("patents", "--as-of", "2015-01-10")["fees_due"] == []       # 2015-03-05 is 54 days away
    assert [f["due"] for f in cli.json("patents", "--as-of", "2015-02-10")["fees_due"]] == ["2015-03-05"]


def test_without_population_per_10k_is_null(district, cli):
    (district / "ipmonitor.toml").write_text('[district]\nname = "宿豫区"\n', encoding="utf-8")
    assert cli.json("patents", "--as-of", "2014-12-31")["invention_per_10k"] is None


def test_progress_quality_is_the_same_computation(district, cli):
    q = cli.json("progress", "--year", "2014", "--as-of", "2014-12-31")["quality"]
    assert (q["valid_inventions"], q["invention_per_10k"]) == (1, 0.02)
    q = cli.json("progress", "--year", "2014", "--as-of", "2014-04-30")["quality"]
    assert (q["valid_inventions"], q["invention_per_10k"]) == (0, 0.0)


def test_patents_text_output_is_chinese(district, cli):
    out = cli("patents", "--as-of", "2014-12-31").output
    assert "有效发明专利" in out and "0.02" in out and "invention_per_10k" not in out


def test_bad_as_of_is_one_line(district, cli):
    result = cli("patents", "--as-of", "2014-13-01", code=2)
    assert "Traceback" not in result.output


def test_pages(district, cli, tmp_path):
    out = tmp_path / "site"
    cli("report", "--year", "2014", "--as-of", "2014-12-31", "--out", out)
    page = (out / "patents.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    assert "有效发明专利 1 件" in text
    assert "0.02 件／万人" in text
    assert "全区人口 620,000 人" in text
    assert "宿迁&#34;绿源&#34;&lt;食品&gt;有限公司" in page and LVYUAN_NAME not in page
    assert "未缴年费专利权终止" in page and "2014-10-10" in page
    assert "专利权质押合同登记 1 次" in text
    assert OLD in page                               # the unmatched event is listed
    assert "<svg" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    for name in ("index.html", "enterprises.html", "quality.html", f"enterprise/{HUAYU}.html"):
        assert 'patents.html"' in (out / name).read_text(encoding="utf-8"), name
    entity = (out / "enterprise" / f"{LVYUAN}.html").read_text(encoding="utf-8")
    assert UM in entity and "权利的恢复" in entity and "未缴年费专利权终止" in entity
    assert "一种&lt;保鲜&gt;方法" in entity
    overview = re.sub(r"<[^>]+>", "", (out / "index.html").read_text(encoding="utf-8"))
    assert "有效发明专利：1 件" in overview and "0.02" in overview


def test_page_fees_by_enterprise(district, cli, tmp_path):
    out = tmp_path / "site"
    cli("report", "--year", "2015", "--as-of", "2015-01-10", "--out", out)
    text = re.sub(r"<[^>]+>", "", (out / "patents.html").read_text(encoding="utf-8"))
    assert "宿迁华宇机械有限公司（1 件）" in text and "2015-03-05" in text and "第 3 年" in text


def test_inbox_imports_a_legal_status_list_as_events(district, cli):
    from ipmonitor import app, inbox
    (district / "inbox").mkdir()
    write(district / "inbox" / "status.csv", csv_text([
        ["申请号", "法律状态公告日", "法律状态"], [INV, "2016-03-01", "未缴年费专利权终止"]]))
    h = app.open_home(district)
    try:
        (r,) = inbox.process(h, quiet=0)
    finally:
        h.close()
    assert (r["status"], r["new"], r["unmatched"]) == ("imported", 1, 0)
    assert cli.json("patents", "--as-of", "2016-12-31")["in_force"]["invention"] == 0


def test_seed_legal_status_list_is_what_its_generator_writes(tmp_path):
    subprocess.run([sys.executable, str(SEEDS / "generate_events.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for rel in ("events/cnipa_legal_status_2013.csv", "events/README.md"):
        assert (tmp_path / rel).read_bytes() == (SEEDS / rel).read_bytes(), \
            f"seeds/{rel} differs: run `python seeds/generate_events.py`"


def test_demo_shows_patents_in_force(tmp_path, cli):
    from conftest import Cli
    demo_home = tmp_path / "demo-home"
    cli("demo", "--out", tmp_path / "site", "--demo-home", demo_home)
    d = Cli(demo_home).json("patents", "--as-of", "2013-06-28")
    assert d["in_force"]["invention"] > 0 and d["in_force"]["utility_model"] > 0
    assert d["invention_per_10k"] == round(d["in_force"]["invention"] * 10_000 / 620_000 + 1e-9, 2)
    assert d["unmatched_events"] == 2              # the two 2011 inventions no agency list holds
    assert d["pledged_in_year"] == 2               # 2013-01-09 and 2013-05-22; the release is not one
    assert [(r["kind"], r["date"]) for r in d["lapsed_in_year"]] == [
        ("lapsed", "2013-03-13"), ("lapsed", "2013-04-06"), ("lapsed", "2013-05-19"), ("lapsed", "2013-06-18")]
    assert d["fees_due"]
    assert all("2013-06-28" < f["due"] <= "2013-08-27" for f in d["fees_due"])
    assert (tmp_path / "site" / "patents.html").is_file()


def test_reading_only_the_filings_with_events_gives_the_same_document(district):
    import datetime as dt

    from ipmonitor import app
    h = app.open_home(district)
    try:
        for day in ("2013-12-31", "2014-11-01", "2015-01-10"):
            d = dt.date.fromisoformat(day)
            assert app.holdings(h, every_filing=False).document(d) == app.holdings(h).document(d)
    finally:
        h.close()


def test_quality_grants_are_the_lifecycle_grants(district, cli):
    q = cli.json("progress", "--year", "2014", "--as-of", "2014-12-31")["quality"]
    assert q["grants"] == {"invention": 1, "utility_model": 0, "design": 0}   # the design is an individual's
    q = cli.json("progress", "--year", "2013", "--as-of", "2013-12-31")["quality"]
    assert q["grants"] == {"invention": 0, "utility_model": 1, "design": 0}   # 2013-06-10 by the list


def test_undated_grant_of_an_export_is_dated_by_its_newest_filing(home, cli):
    write(home / "r.csv", csv_text([["统一社会信用代码", "企业名称"], [HUAYU, "宿迁华宇机械有限公司"]]))
    cli("enterprises", "import", home / "r.csv")
    write(home / "f.csv", csv_text([
        ["申请号", "申请日", "申请人", "专利类型", "法律状态"],
        [INV, "2013-03-05", "宿迁华宇机械有限公司", "发明", "授权"],
        [UM, "2013-04-01", "宿迁华宇机械有限公司", "实用新型", "受理"]]))
    cli("import", home / "f.csv")
    # no grant date, no legal-status list: granted on 2013-04-01, the file's newest filing date
    assert cli.json("progress", "--year", "2013", "--as-of", "2013-03-31")["quality"]["grants"]["invention"] == 0
    q = cli.json("progress", "--year", "2013", "--as-of", "2013-04-01")["quality"]
    assert (q["grants"]["invention"], q["valid_inventions"]) == (1, 1)
    assert cli.json("patents", "--as-of", "2013-04-01")["granted_in_year"]["invention"] == 1


def test_an_override_and_a_revert_reach_the_patents_in_force(district, cli):
    cli("attribute", INV, "--none", "--why", "外县同名企业")
    d = cli.json("patents", "--as-of", "2014-12-31")
    assert d["in_force"] == {"invention": 0, "utility_model": 1, "design": 0}
    cli("attribute", DES, "--to", HUAYU, "--why", "设计人为该企业员工，职务设计")
    assert cli.json("patents", "--as-of", "2014-12-31")["in_force"]["design"] == 1
    # an agency export that says 授权 for the invention, then taken back: its grant goes with it
    cli("attribute", INV, "--clear", "--why", "核实为本区企业")
    write(district / "g.csv", csv_text([["申请号", "申请日", "申请人", "法律状态"],
                                        ["201310000002.6", "2013-05-02", "宿迁华宇机械有限公司", "授权"]]))
    (f,) = cli.json("import", district / "g.csv")["files"]
    assert cli.json("patents", "--as-of", "2014-12-31")["in_force"]["invention"] == 2
    cli("imports", "revert", f["import_id"], "--why", "误导入")
    assert cli.json("patents", "--as-of", "2014-12-31")["in_force"]["invention"] == 1
