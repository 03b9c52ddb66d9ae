"""Progress against the goals (filings.md §6): exact arithmetic, boundaries, leap years, weeks,
attribution — the pure functions, then the whole path through `ipmonitor progress --json`."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import write

from ipmonitor.progress import goal_status, week_label


@pytest.mark.parametrize("count, status", [
    (365, "met"), (400, "met"), (100, "on_track"), (364, "on_track"), (99, "at_risk"),
    (90, "at_risk"), (89, "behind"), (0, "behind"),
])
def test_status_boundaries_on_exact_values(count, status):
    # goal 365 in 2013: expected on day 100 (2013-04-10) is exactly 100, 0.9 × expected exactly 90
    g = goal_status(count, 365, 2013, dt.date(2013, 4, 10))
    assert (g["expected"], g["status"]) == (100.0, status)


def test_status_is_decided_before_rounding():
    # 2013-06-30 is day 181: expected = 400·181/365 = 198.356…, printed 198.4
    assert goal_status(198, 400, 2013, dt.date(2013, 6, 30))["status"] == "at_risk"
    assert goal_status(199, 400, 2013, dt.date(2013, 6, 30))["status"] == "on_track"
    # 0.9 × 198.356… = 178.52…: 179 is at risk, 178 behind
    assert goal_status(179, 400, 2013, dt.date(2013, 6, 30))["status"] == "at_risk"
    assert goal_status(178, 400, 2013, dt.date(2013, 6, 30))["status"] == "behind"


def test_the_cli_md_example_numbers():
    f = goal_status(171, 400, 2013, dt.date(2013, 6, 30))
    i = goal_status(23, 50, 2013, dt.date(2013, 6, 30))
    assert f == {"count": 171, "goal": 400, "expected": 198.4, "projected": 344.8, "status": "behind"}
    assert i == {"count": 23, "goal": 50, "expected": 24.8, "projected": 46.4, "status": "at_risk"}


def test_leap_year_uses_366_days():
    g = goal_status(60, 366, 2012, dt.date(2012, 2, 29))     # day 60 of 366
    assert (g["expected"], g["projected"], g["status"]) == (60.0, 366.0, "on_track")
    g = goal_status(10, 400, 2012, dt.date(2012, 12, 31))
    assert (g["expected"], g["projected"]) == (400.0, 10.0)


def test_rounding_is_half_up_to_one_decimal():
    # 1 filing by 20 January: projected = 365/20 = 18.25 exactly → 18.3
    assert goal_status(1, None, 2013, dt.date(2013, 1, 20))["projected"] == 18.3


def test_as_of_after_the_year_reads_as_31_december_and_before_gives_zero():
    after = goal_status(200, 400, 2013, dt.date(2014, 3, 1))
    assert (after["expected"], after["projected"], after["status"]) == (400.0, 200.0, "behind")
    before = goal_status(0, 400, 2013, dt.date(2012, 12, 31))
    assert (before["count"], before["expected"], before["projected"]) == (0, 0.0, None)


def test_no_goal_gives_nulls():
    g = goal_status(5, None, 2013, dt.date(2013, 6, 30))
    assert (g["goal"], g["expected"], g["status"]) == (None, None, None)


def test_iso_week_labels():
    assert week_label(dt.date(2013, 1, 1)) == "2013-W01"
    assert week_label(dt.date(2016, 1, 1)) == "2015-W53"
    assert week_label(dt.date(2012, 12, 31)) == "2013-W01"


REGISTRY = """统一社会信用代码,企业名称,所属镇街,曾用名,高新技术企业
91110000600037341L,宿迁华宇机械有限公司,顺河街道,宿迁华宇机械厂,是
91350100M000100Y43,宿迁（宿豫）绿源食品有限公司,豫新街道,,否
{third},宿迁安静纺织有限公司,来龙镇,,否
"""


@pytest.fixture
def third_code():
    from ipmonitor.ids import credit_check_char
    return "91321311MA1MXXXX0" + credit_check_char("91321311MA1MXXXX0")


FILINGS = """申请号,申请日,申请人,统一社会信用代码
201310699744.2,2013-01-01,宿迁华宇机械有限公司,
201320123456.8,2013-01-06,宿迁华宇机械厂,
201320123457,2013-01-07,某个名字不对的公司,91110000600037341L
201330123456.3,2013-01-15,宿迁(宿豫)绿源食品有限公司；江南大学,
201320123458,2013-02-01,江南大学；宿迁华宇机械有限公司,
201320123459,2013-02-02,张伟,
201310123456.2,2013-03-04,宿迁华宇机械有限公司,
201220687633.0,2012-11-20,宿迁华宇机械有限公司,
201320123460,2013-07-01,宿迁华宇机械有限公司,
"""


def test_progress_json_end_to_end(home, cli, third_code):
    cli.json("enterprises", "import", write(home / "reg.csv", REGISTRY.format(third=third_code)))
    cli.json("import", write(home / "f.csv", FILINGS))
    doc = cli.json("progress", "--as-of", "2013-03-04")
    assert (doc["year"], doc["as_of"], doc["district"]) == (2013, "2013-03-04", "宿豫区")
    # counted: 699744 (name), 123456.8 (former name), 123457 (credit code), 123456.3 (full-width
    # parentheses), 123456.2 (name); not: 123458 (first applicant a university), 123459 (person),
    # 2012 and July filings
    assert doc["filings"]["count"] == 5
    assert doc["invention"]["count"] == 2
    assert doc["by_type"] == {"invention": 2, "utility_model": 2, "design": 1}
    assert doc["unattributed"] == 2
    assert doc["rejected"] == 0
    ents = {e["name"]: (e["filings"], e["invention"], e["township"]) for e in doc["by_enterprise"]}
    assert ents == {"宿迁华宇机械有限公司": (4, 2, "顺河街道"), "宿迁（宿豫）绿源食品有限公司": (1, 0, "豫新街道"),
                    "宿迁安静纺织有限公司": (0, 0, "来龙镇")}
    towns = {t["township"]: (t["filings"], t["invention"]) for t in doc["by_township"]}
    assert towns == {"顺河街道": (4, 2), "豫新街道": (1, 0), "来龙镇": (0, 0)}
    assert [w["week"] for w in doc["weekly"]][:3] == ["2013-W01", "2013-W02", "2013-W03"]
    assert doc["weekly"][-1]["week"] == "2013-W10"
    assert [(w["new"], w["cumulative"], w["invention_new"]) for w in doc["weekly"]] == [
        (2, 2, 1), (1, 3, 0), (1, 4, 0), (0, 4, 0), (0, 4, 0), (0, 4, 0), (0, 4, 0), (0, 4, 0),
        (0, 4, 0), (1, 5, 1)]
    # expected = 400 × 63 / 365 = 69.04…
    assert doc["filings"]["expected"] == 69.0 and doc["filings"]["status"] == "behind"


def test_adding_an_alias_later_attributes_old_filings(home, cli, third_code):
    cli.json("enterprises", "import", write(home / "reg.csv", REGISTRY.format(third=third_code)))
    cli.json("import", write(home / "f.csv", FILINGS))
    assert cli.json("progress", "--as-of", "2013-03-04")["unattributed"] == 2
    cli.json("enterprises", "import", write(home / "reg2.csv",
             f"统一社会信用代码,企业名称,曾用名\n{third_code},宿迁安静纺织有限公司,张伟\n"))
    doc = cli.json("progress", "--as-of", "2013-03-04")
    assert doc["unattributed"] == 1
    ents = {e["name"]: e["filings"] for e in doc["by_enterprise"]}
    assert ents["宿迁安静纺织有限公司"] == 1
    town = {t["township"]: t["filings"] for t in doc["by_township"]}
    assert town["来龙镇"] == 1          # the township from the first registry import is kept


def test_year_defaults(home, cli, monkeypatch):
    doc = cli.json("progress", "--as-of", "2013-03-04")
    assert doc["year"] == 2013
    doc = cli.json("progress", "--year", "2012", "--as-of", "2013-03-04")
    assert (doc["year"], doc["as_of"]) == (2012, "2012-12-31")
    monkeypatch.setenv("IPMONITOR_TODAY", "2014-05-06")
    doc = cli.json("progress")
    assert (doc["year"], doc["as_of"]) == (2014, "2014-05-06")
    # 23:30 on 31 December in UTC is already 1 January in the district (UTC+8)
    monkeypatch.setenv("IPMONITOR_TODAY", "2014-12-31T23:30:00+00:00")
    doc = cli.json("progress")
    assert (doc["year"], doc["as_of"]) == (2015, "2015-01-01")


def test_bad_as_of_is_a_usage_error(cli):
    result = cli("progress", "--as-of", "2013-02-30", code=2)
    assert "2013-02-30" in result.stderr
