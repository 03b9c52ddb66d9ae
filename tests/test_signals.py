"""Signals and quality indicators (signals.md): planted patterns are found, ordinary filings stay quiet."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest
from conftest import write

from ipmonitor.indicators import indicators, projection
from ipmonitor.signals import find_signals

OBJECTS = ["切割装置", "焊接机构", "输送带", "烘干设备", "包装机", "检测方法", "控制电路", "散热结构",
           "过滤器", "搅拌罐", "夹具", "传动轴", "冷却系统", "纺织机", "粉碎机", "喷涂装置", "节能灯", "阀门"]
ADJ = ["新型", "高效", "自动", "便携式", "智能", "节能", "多功能", "可调节", "一体化", "防尘"]
PRODUCTS = ["包装盒", "酒瓶", "茶具", "台灯", "座椅", "手提袋", "托盘", "标签", "水杯", "花瓶"]
COLS = ["application_no", "filing_date", "type", "title", "first_applicant", "first_applicant_key", "entity"]


def ordinary(year: int, seed: int = 7, entities: int = 60) -> list[dict]:
    """A district's ordinary year: a few filings per entity, titles of real variety."""
    rng = random.Random(seed)
    rows, serial = [], 1000
    for e in range(entities):
        for _ in range(rng.randint(0, 9)):
            serial += 1
            kind = rng.choices(["invention", "utility_model", "design"], [15, 60, 25])[0]
            title = (f"{rng.choice(PRODUCTS)}（{rng.choice(['一', '二'])}）" if kind == "design"
                     else f"一种{rng.choice(ADJ)}{rng.choice(OBJECTS)}")
            day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            rows.append(dict(application_no=f"{year}x{serial}", filing_date=day.isoformat(), type=kind,
                             title=title, first_applicant=f"企业{e}", first_applicant_key=f"企业{e}",
                             entity=f"E{e:03d}"))
    return rows


def frame(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict.fromkeys(COLS, pl.String))


def run(year_rows, before_rows=(), claims=None, year=2013):
    claims = claims if claims is not None else pl.DataFrame(schema={"claim_id": pl.String,
                                                                     "application_no": pl.String})
    return find_signals(year_filings=frame(year_rows), before=frame(list(before_rows)), claims=claims,
                        start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))


def planted(kind, who, titles, start, step_days=1, type_="utility_model"):
    return [dict(application_no=f"P-{kind}-{i}", filing_date=(start + dt.timedelta(days=i * step_days)).isoformat(),
                 type=type_, title=t, first_applicant=who, first_applicant_key=who, entity=None)
            for i, t in enumerate(titles)]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_ordinary_years_raise_no_signal(seed):
    assert run(ordinary(2013, seed), ordinary(2012, seed + 100) + ordinary(2011, seed + 200)) == []


def test_near_identical_titles_within_14_days():
    titles = ["一种用于汽车的节能散热装置", "一种用于汽车的节能散热装置A", "一种用于汽车的节能散热设备",
              "一种用于货车的节能散热装置", "一种用于汽车的节能散热装置Ⅱ", "一种用于汽车的节能散热装置B"]
    rows = ordinary(2013) + planted("near", "宿迁某某科技有限公司", titles, dt.date(2013, 5, 6), 2)
    (s,) = run(rows, ordinary(2012))
    assert s["kind"] == "near_duplicate_titles" and s["applicant"] == "宿迁某某科技有限公司"
    assert s["applications"] == sorted(f"P-near-{i}" for i in range(6))
    assert 0 < s["score"] <= 1 and "不是结论" in s["detail"]


def test_near_identical_titles_spread_over_months_are_quiet():
    titles = ["一种用于汽车的节能散热装置" + c for c in "ABCDEF"]
    assert run(ordinary(2013) + planted("near", "某公司", titles, dt.date(2013, 1, 6), 20)) == []


def test_design_series_differing_only_by_colour_or_model():
    titles = ["包装盒（红色）", "包装盒（蓝色）", "包装盒(绿色)", "包装盒（A款）"]
    rows = ordinary(2013) + planted("series", "宿迁某食品有限公司", titles, dt.date(2013, 4, 18), 0, "design")
    (s,) = run(rows, ordinary(2012))
    assert (s["kind"], len(s["applications"])) == ("design_series", 4)


def test_a_burst_far_above_the_own_rate():
    who = "宿迁突增机械有限公司"
    history = planted("hist", who, [f"一种{o}" for o in OBJECTS[:5]], dt.date(2011, 3, 1), 120)
    burst_titles = [f"一种{a}{o}" for a, o in zip(ADJ, OBJECTS[5:])]
    rows = ordinary(2013) + planted("burst", who, burst_titles, dt.date(2013, 10, 8), 1)
    found = run(rows, ordinary(2012) + history)
    assert [s["kind"] for s in found] == ["burst"]
    assert len(found[0]["applications"]) == 10 and found[0]["applicant"] == who


def test_subsidy_on_flagged_filings():
    titles = ["包装盒（红色）", "包装盒（蓝色）", "包装盒（黄色）", "包装盒（黑色）"]
    rows = ordinary(2013) + planted("series", "某食品公司", titles, dt.date(2013, 4, 18), 1, "design")
    claims = pl.DataFrame({"claim_id": ["2013-0003", "2013-0009"], "application_no": ["P-series-1", "2013x1001"]})
    kinds = [s["kind"] for s in run(rows, claims=claims)]
    assert sorted(kinds) == ["design_series", "subsidy_on_flagged"]
    flagged = next(s for s in run(rows, claims=claims) if s["kind"] == "subsidy_on_flagged")
    assert flagged["applications"] == ["P-series-1"] and "2013-0003" in flagged["detail"]


def test_projection_is_seasonal_with_two_earlier_years():
    earlier = frame(planted("a", "x", ["t"] * 4, dt.date(2011, 1, 10), 90) +
                    planted("b", "x", ["t"] * 4, dt.date(2012, 1, 10), 90))
    # by 30 June the earlier years had 2 of 8 filings each (10 Jan, 9 Apr): share 0.5
    p = projection(30, 3, 2013, dt.date(2013, 6, 30), earlier)
    assert (p["method"], p["filings"], p["years"]) == ("seasonal", 60.0, [2011, 2012])
    one_year = earlier.filter(pl.col("filing_date") >= "2012-01-01")
    assert projection(30, 3, 2013, dt.date(2013, 6, 30), one_year)["method"] == "linear"


def test_indicators():
    counted = frame([dict(application_no=str(i), filing_date="2013-03-01", type=t, title="x",
                          first_applicant="a", first_applicant_key="a", entity=e)
                     for i, (t, e) in enumerate([("invention", "A"), ("utility_model", "A"), ("design", "B"),
                                                 ("utility_model", "B")])])
    entities = pl.DataFrame({"credit_code": ["A", "B", "C", "D"], "high_tech": [1, 1, 1, 0]})
    granted = pl.DataFrame({
        "type": ["invention", "invention", "invention", "utility_model"],
        "status": ["授权", "有效", "未缴年费", "授权"],
        "granted_on": [dt.date(2012, 5, 1), dt.date(2013, 2, 1), dt.date(2013, 3, 1), dt.date(2013, 7, 1)]})
    q = indicators(year=2013, as_of=dt.date(2013, 6, 30), population=780000, counted=counted,
                   entities=entities, granted=granted, earlier=frame([]))
    assert q["grants"] == {"invention": 2, "utility_model": 0, "design": 0}
    assert q["valid_inventions"] == 2                       # the lapsed one is not in force
    assert q["invention_per_10k"] == round(2 / 780000 * 10000, 2)
    assert q["invention_share"] == 0.25
    assert (q["entities_with_filings"], q["entities_without_filings"]) == (2, 2)
    assert q["high_tech_without_invention"] == 2            # B and C
    assert q["projection"]["method"] == "linear"


def test_signals_and_quality_through_the_cli(home, cli):
    write(home / "reg.csv", "统一社会信用代码,企业名称,高新技术企业\n91110000600037341L,宿迁某食品有限公司,是\n")
    cli.json("enterprises", "import", home / "reg.csv")
    from ipmonitor.ids import application_check_char as cc
    nums = [f"20133010000{i}" for i in range(4)]
    lines = [f"{n}.{cc(n)},2013-04-1{i},宿迁某食品有限公司,包装盒（{c}）,外观设计,授权"
             for i, (n, c) in enumerate(zip(nums, ["红色", "蓝色", "绿色", "黑色"]))]
    write(home / "f.csv", "申请号,申请日,申请人,专利名称,专利类型,法律状态\n" + "\n".join(lines) + "\n")
    cli.json("import", home / "f.csv")
    (s,) = cli.json("signals", "--as-of", "2013-06-30")
    assert s["kind"] == "design_series" and s["credit_code"] == "91110000600037341L"
    q = cli.json("progress", "--as-of", "2013-06-30")["quality"]
    assert q["high_tech_without_invention"] == 1 and q["entities_with_filings"] == 1
    assert q["invention_per_10k"] is None                    # no population configured
