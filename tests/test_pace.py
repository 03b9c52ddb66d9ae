"""The headline's gap and pace, last year's same day, township goals and pinyin order (cli.md later
keys): the pure rules with literals worked out by hand, then the keys through `progress --json`."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from conftest import write
from ipmonitor.collate import pinyin_key, sort_names
from ipmonitor.ids import credit_check_char
from ipmonitor.pace import pace, previous_year, same_day_last_year, whole


def test_gap_and_needed_per_week_of_the_cli_md_example():
    # 2013-06-30 is day 181 of 365: expected 400·181/365 = 198.356… → gap 171 − 198.356… = −27.4;
    # needed (400 − 171)·7 / (365 − 181) = 1603/184 = 8.711… → 8.7
    assert pace(171, 400, 2013, dt.date(2013, 6, 30)) == {"gap": -27.4, "needed_per_week": 8.7}
    # inventions: 23 − 50·181/365 = −1.794… → −1.8; 27·7/184 = 1.027… → 1.0
    assert pace(23, 50, 2013, dt.date(2013, 6, 30)) == {"gap": -1.8, "needed_per_week": 1.0}


def test_needed_per_week_is_half_up_on_the_exact_value():
    # 2013-12-11 is day 345: 20 days left; (100 − 97)·7/20 = 1.05 exactly → 1.1 (not banker's 1.0)
    assert pace(97, 100, 2013, dt.date(2013, 12, 11))["needed_per_week"] == 1.1


def test_needed_per_week_is_null_when_met_without_goal_or_without_days_left():
    assert pace(400, 400, 2013, dt.date(2013, 6, 30)) == {"gap": 201.6, "needed_per_week": None}
    assert pace(5, None, 2013, dt.date(2013, 6, 30)) == {"gap": None, "needed_per_week": None}
    # 31 December, and a date after the year (read as 31 December): no day remains
    assert pace(10, 400, 2013, dt.date(2013, 12, 31)) == {"gap": -390.0, "needed_per_week": None}
    assert pace(10, 400, 2013, dt.date(2014, 2, 1)) == {"gap": -390.0, "needed_per_week": None}


def test_before_the_year_the_whole_year_remains():
    # nothing expected yet; 365·7/365 = 7.0 a week
    assert pace(0, 365, 2013, dt.date(2012, 12, 31)) == {"gap": 0.0, "needed_per_week": 7.0}


def test_leap_year_counts_366_days():
    # 2012-07-01 is day 183 of 366: expected 366·183/366 = 183 → gap −83; (366−100)·7/183 = 10.17… → 10.2
    assert pace(100, 366, 2012, dt.date(2012, 7, 1)) == {"gap": -83.0, "needed_per_week": 10.2}


@pytest.mark.parametrize("value, n", [(196.2, 196), (196.5, 197), (0.5, 1), (2.5, 3), (-34.5, -35),
                                      (-34.4, -34), (None, None), (7, 7)])
def test_whole_numbers_on_pages_are_half_up(value, n):
    assert whole(value) == n


def test_same_day_last_year_reads_29_february_as_28():
    assert same_day_last_year(dt.date(2012, 2, 29)) == dt.date(2011, 2, 28)
    assert same_day_last_year(dt.date(2013, 6, 30)) == dt.date(2012, 6, 30)
    assert same_day_last_year(dt.date(2013, 2, 28)) == dt.date(2012, 2, 28)


def _earlier(rows):
    return pl.DataFrame(rows, schema={"filing_date": pl.String, "type": pl.String, "entity": pl.String},
                        orient="row")


def test_previous_year_counts_attributed_filings_up_to_the_same_date():
    earlier = _earlier([("2012-01-05", "invention", "A"), ("2012-02-28", "design", "A"),
                        ("2012-02-29", "invention", "A"), ("2012-03-01", "design", None),
                        ("2012-12-31", "design", "B"), ("2011-06-01", "invention", "A")])
    # as of 2013-02-28: 2012-01-05 and 2012-02-28 (2012-02-29 is after the same date)
    assert previous_year(earlier, 2013, dt.date(2013, 2, 28)) == {"filings": 2, "invention": 1}
    # as of a date after the year: all of 2012 that is attributed
    assert previous_year(earlier, 2013, dt.date(2014, 1, 9)) == {"filings": 4, "invention": 2}
    # 2012-02-29 as of: 2011 up to 28 February 2011 → none, but 2011 has a stored filing: 0, not null
    assert previous_year(earlier, 2012, dt.date(2012, 2, 29)) == {"filings": 0, "invention": 0}
    # no filing of 2010 is stored at all
    assert previous_year(earlier, 2011, dt.date(2011, 6, 30)) is None


def test_unattributed_filings_alone_still_mean_the_year_is_stored():
    earlier = _earlier([("2012-03-01", "design", None)])
    assert previous_year(earlier, 2013, dt.date(2013, 6, 30)) == {"filings": 0, "invention": 0}


def test_pinyin_order():
    towns = ["顺河街道", "下相街道", "来龙镇", "豫新街道", "洋河镇", "侍岭镇", "", "Abc"]
    # lái, shì, shùn, xià, yáng, yù — Latin letters as themselves, a blank last
    assert sort_names(towns) == ["Abc", "来龙镇", "侍岭镇", "顺河街道", "下相街道", "洋河镇", "豫新街道", ""]
    assert pinyin_key(None) == pinyin_key("")


def code(body17: str) -> str:
    return body17 + credit_check_char(body17)


A, B, C = code("91321311MA1MAAAA0"), code("91321311MA1MBBBB0"), code("91321311MA1MCCCC0")
REGISTRY = f"""统一社会信用代码,企业名称,所属镇街
{A},宿迁甲机械有限公司,下相街道
{B},宿迁乙食品有限公司,顺河街道
{C},安徽丙纺织有限公司,来龙镇
"""
FILINGS = """申请号,申请日,申请人,统一社会信用代码
201310699744.2,2013-01-01,宿迁甲机械有限公司,
201320123456.8,2013-01-06,宿迁乙食品有限公司,
201330123456.3,2013-02-15,宿迁甲机械有限公司,
201320123459,2013-02-20,张伟,
201220687633.0,2012-01-20,宿迁甲机械有限公司,
201210123456.2,2012-02-29,宿迁乙食品有限公司,
201220123457,2012-03-10,宿迁甲机械有限公司,
"""
TOWN_GOALS = """
[goals.2013.townships]
"下相街道" = 73
"顺河街道" = 365
"洋河镇" = 10
"""


def test_later_keys_through_progress_json(home, cli):
    with (home / "ipmonitor.toml").open("a", encoding="utf-8") as f:
        f.write(TOWN_GOALS)
    cli.json("enterprises", "import", write(home / "reg.csv", REGISTRY))
    cli.json("import", write(home / "f.csv", FILINGS))
    doc = cli.json("progress", "--as-of", "2013-02-28")
    # 2013-02-28 is day 59: counted 699744.2 (invention), 123456.8, 123456.3 → 3, inventions 1
    # expected 400·59/365 = 64.657… → gap −61.7; needed 397·7/306 = 9.081… → 9.1
    assert doc["filings"] == {"count": 3, "goal": 400, "expected": 64.7, "projected": 18.6,
                              "status": "behind", "gap": -61.7, "needed_per_week": 9.1}
    # 50·59/365 = 8.082… → gap −7.1; 49·7/306 = 1.120… → 1.1
    assert (doc["invention"]["gap"], doc["invention"]["needed_per_week"]) == (-7.1, 1.1)
    # 2012 up to 28 February: 687633.0 (utility model); 2012-02-29 is after the same date
    assert doc["previous_year"] == {"filings": 1, "invention": 0}
    # townships: 下相 2 of 73 → expected 73·59/365 = 11.8, 2 < 0.9·11.8 → behind; 顺河 1 of 365 →
    # expected 59.0, behind; 来龙 no goal; 洋河镇 has a goal but no entity: listed with 0
    assert doc["by_township"] == [
        {"township": "下相街道", "filings": 2, "invention": 1, "goal": 73, "expected": 11.8, "status": "behind"},
        {"township": "顺河街道", "filings": 1, "invention": 0, "goal": 365, "expected": 59.0, "status": "behind"},
        {"township": "来龙镇", "filings": 0, "invention": 0, "goal": None, "expected": None, "status": None},
        {"township": "洋河镇", "filings": 0, "invention": 0, "goal": 10, "expected": 1.6, "status": "behind"},
    ]
    # ties in pinyin order: 安徽丙 (ān) before nothing else with zero filings
    assert [e["name"] for e in doc["by_enterprise"]] == ["宿迁甲机械有限公司", "宿迁乙食品有限公司",
                                                          "安徽丙纺织有限公司"]


def test_without_township_goals_the_keys_are_absent_and_no_earlier_year_gives_null(home, cli):
    cli.json("enterprises", "import", write(home / "reg.csv", REGISTRY))
    cli.json("import", write(home / "f.csv", FILINGS))
    doc = cli.json("progress", "--year", "2012", "--as-of", "2012-12-31")
    assert doc["previous_year"] is None
    assert all(set(t) == {"township", "filings", "invention"} for t in doc["by_township"])
    # no goal for 2012: gap and needed are null
    assert (doc["filings"]["gap"], doc["filings"]["needed_per_week"]) == (None, None)


def test_a_bad_township_goal_is_a_config_error(home, cli):
    with (home / "ipmonitor.toml").open("a", encoding="utf-8") as f:
        f.write('\n[goals.2013.townships]\n"下相街道" = "八十"\n')
    result = cli("progress", code=2)
    assert "goals.2013.townships.下相街道" in result.stderr


@pytest.mark.parametrize("spelling", ["2013-03-04", "2013/3/4", "2013年3月4日", "2013.03.04", "20130304"])
def test_as_of_takes_the_import_date_spellings(cli, spelling):
    assert cli.json("progress", "--as-of", spelling)["as_of"] == "2013-03-04"
