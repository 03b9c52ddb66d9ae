"""The lifecycle of status.md on hand-made frames: event words → kinds, terms at their boundaries,
restorations, withdrawals, fee dates across leap years and the per-10k arithmetic. Every expected
value is worked out from the rule by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ipmonitor import lifecycle
from ipmonitor.events import kind_of

D = dt.date.fromisoformat
CODE = "91321311MA1MXXXX0X"


@pytest.mark.parametrize("words, kind", [
    ("权利的恢复", "restored"),
    ("专利权终止后的恢复", "restored"),           # 恢复 is looked for first
    ("专利权全部无效宣告", "invalidated"),
    ("宣告专利权无效", "invalidated"),
    ("专利权部分无效宣告", "other"),               # 部分无效 keeps the patent
    ("未缴年费专利权终止", "lapsed"),
    ("专利权的终止", "lapsed"),
    ("专利权失效", "lapsed"),
    ("专利权有效期届满", "lapsed"),
    ("避免重复授权放弃专利权", "abandoned"),       # 放弃 before 授权
    ("放弃专利权", "abandoned"),
    ("发明专利申请公布后的视为撤回", "withdrawn"),
    ("撤回专利申请", "withdrawn"),
    ("发明专利申请公布后的驳回", "refused"),
    ("授权", "granted"),
    ("发明专利权授予", "granted"),
    ("授　权", "granted"),                        # ideographic space
    ("专利申请权、专利权的转移", "transferred"),
    ("专利权转让", "transferred"),
    ("著录事项变更", "transferred"),
    ("专利权质押合同登记的生效", "pledged"),
    ("专利权质押合同登记的注销", "other"),         # a release is not a registration
    ("专利权质押合同解除", "other"),
    ("实质审查的生效", "other"),
    ("公开", "other"),
    ("ＰＣＴ进入国家阶段", "other"),
])
def test_event_words_to_kinds(words, kind):
    assert pl.select(kind_of(pl.lit(words))).item() == kind


def status_kind(word):
    return pl.select(lifecycle.status_kind(pl.lit(word))).item()


def test_status_words_of_agency_exports():
    assert [status_kind(w) for w in ("授权", "有效", "专利权维持", "受理", "视为撤回", "未缴年费", "失效")] == \
        ["granted", "granted", "granted", "other", "withdrawn", "lapsed", "lapsed"]


def filings(*rows, entity=CODE):
    """rows: (number, type, filing date)."""
    return pl.DataFrame({"application_no": [r[0] for r in rows], "type": [r[1] for r in rows],
                         "filing_date": [r[2] for r in rows], "entity": [entity] * len(rows),
                         "name": ["宿迁华宇机械有限公司"] * len(rows)},
                        schema={"application_no": pl.String, "type": pl.String, "filing_date": pl.String,
                                "entity": pl.String, "name": pl.String})


def events(*rows):
    """rows: (number, date, words) in the order they were stored."""
    df = pl.DataFrame({"application_no": [r[0] for r in rows], "event_date": [r[1] for r in rows],
                       "words": [r[2] for r in rows], "id": list(range(1, len(rows) + 1))},
                      schema={"application_no": pl.String, "event_date": pl.String, "words": pl.String,
                              "id": pl.Int64})
    listed = lifecycle.list_events(df.with_columns(kind=kind_of(pl.col("words"))))
    return lifecycle.combine(listed, pl.DataFrame(schema=lifecycle.EVENT_SCHEMA))


def doc(fs, ev, as_of, population=None, days=60, unmatched=0):
    return lifecycle.document(filings=fs, events=ev, as_of=D(as_of), population=population,
                              fee_alert_days=days, unmatched=unmatched)


def in_force(fs, ev, as_of) -> int:
    return sum(doc(fs, ev, as_of)["in_force"].values())


INV, UM, DES = "201310699744.2", "201220687633.0", "201330123456.3"


@pytest.mark.parametrize("kind, filed, last_day_in_force, first_day_out", [
    ("invention", "2000-03-15", "2020-03-14", "2020-03-15"),
    ("utility_model", "2010-05-20", "2020-05-19", "2020-05-20"),
    ("design", "2011-01-05", "2021-01-04", "2021-01-05"),
    ("design", "2021-05-31", "2031-05-30", "2031-05-31"),       # the day before the boundary: 10 years
    ("design", "2021-06-01", "2036-05-31", "2036-06-01"),       # on the boundary: 15 years
    ("invention", "2004-02-29", "2024-02-28", "2024-02-29"),    # anniversary in a leap year
    ("utility_model", "2012-02-29", "2022-02-27", "2022-02-28"),  # 29 Feb → 28 Feb in a common year
])
def test_term_ends_at_the_end_of_the_day_before_the_anniversary(kind, filed, last_day_in_force, first_day_out):
    no = {"invention": INV, "utility_model": UM, "design": DES}[kind]
    fs = filings((no, kind, filed))
    ev = events((no, (D(filed) + dt.timedelta(days=200)).isoformat(), "授权"))
    assert in_force(fs, ev, last_day_in_force) == 1
    assert in_force(fs, ev, first_day_out) == 0


def test_term_end_is_listed_as_expired_in_its_year():
    fs = filings((UM, "utility_model", "2012-02-29"))
    ev = events((UM, "2012-09-01", "授权"))
    assert doc(fs, ev, "2022-02-27")["lapsed_in_year"] == []
    assert doc(fs, ev, "2022-03-01")["lapsed_in_year"] == [
        {"application_no": UM, "credit_code": CODE, "name": "宿迁华宇机械有限公司", "type": "utility_model",
         "date": "2022-02-28", "kind": "expired", "words": None}]
    assert doc(fs, ev, "2023-01-01")["lapsed_in_year"] == []        # another year


def test_grant_counts_from_its_date():
    fs = filings((INV, "invention", "2013-03-05"))
    ev = events((INV, "2015-06-10", "发明专利权授予"))
    assert in_force(fs, ev, "2015-06-09") == 0
    assert in_force(fs, ev, "2015-06-10") == 1
    assert doc(fs, ev, "2015-12-31")["granted_in_year"] == {"invention": 1, "utility_model": 0, "design": 0}
    assert doc(fs, ev, "2016-12-31")["granted_in_year"] == {"invention": 0, "utility_model": 0, "design": 0}


def test_restoration_after_a_lapse():
    fs = filings((UM, "utility_model", "2012-11-20"))
    ev = events((UM, "2013-06-10", "授权"), (UM, "2014-12-10", "未缴年费专利权终止"),
                (UM, "2015-03-10", "权利的恢复"))
    assert [in_force(fs, ev, d) for d in ("2014-12-09", "2014-12-10", "2015-03-09", "2015-03-10")] == [1, 0, 0, 1]
    d = doc(fs, ev, "2014-12-31")
    assert d["lapsed_in_year"] == [{"application_no": UM, "credit_code": CODE, "name": "宿迁华宇机械有限公司",
                                    "type": "utility_model", "date": "2014-12-10", "kind": "lapsed",
                                    "words": "未缴年费专利权终止"}]


@pytest.mark.parametrize("words, kind", [("专利权全部无效宣告", "invalidated"), ("放弃专利权", "abandoned")])
def test_invalidated_and_abandoned_take_it_out(words, kind):
    fs = filings((INV, "invention", "2013-03-05"))
    ev = events((INV, "2014-05-01", "授权"), (INV, "2016-02-01", words))
    assert [in_force(fs, ev, d) for d in ("2016-01-31", "2016-02-01", "2030-01-01")] == [1, 0, 0]
    assert [r["kind"] for r in doc(fs, ev, "2016-12-31")["lapsed_in_year"]] == [kind]


def test_partial_invalidation_keeps_it_in_force():
    fs = filings((INV, "invention", "2013-03-05"))
    ev = events((INV, "2014-05-01", "授权"), (INV, "2016-02-01", "专利权部分无效宣告"))
    assert in_force(fs, ev, "2016-06-01") == 1
    assert doc(fs, ev, "2016-12-31")["lapsed_in_year"] == []


@pytest.mark.parametrize("words", ["视为撤回", "驳回"])
def test_withdrawn_or_refused_before_grant_is_never_in_force(words):
    fs = filings((INV, "invention", "2013-03-05"))
    ev = events((INV, "2014-02-01", words), (INV, "2014-05-01", "授权"))
    assert in_force(fs, ev, "2014-06-01") == 0
    assert doc(fs, ev, "2014-12-31")["granted_in_year"]["invention"] == 0


def test_restored_withdrawal_is_pending_then_a_grant_puts_it_in_force():
    fs = filings((INV, "invention", "2013-03-05"))
    ev = events((INV, "2014-02-01", "发明专利申请公布后的视为撤回"), (INV, "2014-03-01", "权利的恢复"),
                (INV, "2015-05-01", "授权"))
    assert [in_force(fs, ev, d) for d in ("2014-02-15", "2014-04-01", "2015-05-01")] == [0, 0, 1]


def test_two_lapses_and_two_restorations_undo_in_order():
    fs = filings((UM, "utility_model", "2012-11-20"))
    ev = events((UM, "2013-06-10", "授权"), (UM, "2014-12-10", "未缴年费专利权终止"),
                (UM, "2015-03-10", "权利的恢复"), (UM, "2016-12-10", "未缴年费专利权终止"),
                (UM, "2017-03-10", "权利的恢复"))
    assert [in_force(fs, ev, d) for d in ("2015-06-01", "2016-12-10", "2017-03-10")] == [1, 0, 1]


def test_a_restoration_with_nothing_to_undo_changes_nothing():
    fs = filings((UM, "utility_model", "2012-11-20"))
    ev = events((UM, "2013-06-10", "授权"), (UM, "2013-07-10", "权利的恢复"), (UM, "2014-12-10", "专利权的终止"))
    assert [in_force(fs, ev, d) for d in ("2013-08-01", "2014-12-10")] == [1, 0]


def test_unattributed_filings_do_not_count():
    fs = pl.concat([filings((INV, "invention", "2013-03-05")),
                    filings((UM, "utility_model", "2012-11-20"), entity=None)])
    ev = events((INV, "2014-05-01", "授权"), (UM, "2013-06-10", "授权"))
    assert doc(fs, ev, "2014-12-31")["in_force"] == {"invention": 1, "utility_model": 0, "design": 0}


# --- fees ------------------------------------------------------------------------------------------

def fees(as_of, days=60, filed="2012-02-29", kind="utility_model", granted="2012-10-01"):
    no = {"invention": INV, "utility_model": UM, "design": DES}[kind]
    d = doc(filings((no, kind, filed)), events((no, granted, "授权")), as_of, days=days)
    return [(f["due"], f["patent_year"]) for f in d["fees_due"]]


def test_fee_dates_of_a_29_february_filing():
    assert fees("2013-01-15") == [("2013-02-28", 2)]      # common year: 28 February
    assert fees("2015-12-31") == [("2016-02-29", 5)]      # leap year: 29 February
    assert fees("2013-02-27") == [("2013-02-28", 2)]
    assert fees("2013-02-28") == []                        # due on as-of is not after it


def test_fee_window_bounds():
    assert fees("2012-12-30") == [("2013-02-28", 2)]      # as-of + 60 = 28 Feb 2013: included
    assert fees("2012-12-29") == []                        # as-of + 60 = 27 Feb 2013
    assert fees("2012-12-29", days=61) == [("2013-02-28", 2)]


def test_the_first_fee_example_of_status_md():
    # filed 2011-01-14: the 3rd anniversary 2014-01-14 starts patent year 4
    assert fees("2013-12-31", filed="2011-01-14", kind="invention", granted="2012-08-01") == [("2014-01-14", 4)]


def test_no_fee_on_or_after_the_end_of_the_term():
    assert fees("2013-05-01", filed="2003-06-10", granted="2004-01-01") == []      # 2013-06-10 ends the term
    assert fees("2012-05-01", filed="2003-06-10", granted="2004-01-01") == [("2012-06-10", 10)]


def test_no_fee_before_the_grant_or_after_a_lapse():
    assert fees("2012-08-01", granted="2012-10-01") == []
    fs = filings((UM, "utility_model", "2012-02-29"))
    ev = events((UM, "2012-10-01", "授权"), (UM, "2013-01-10", "未缴年费专利权终止"))
    assert doc(fs, ev, "2013-01-15")["fees_due"] == []


# --- the figure and the counts ----------------------------------------------------------------------

@pytest.mark.parametrize("count, population, expected", [
    (57, 780000, 0.73),        # 0.7307…
    (5, 620000, 0.08),         # 0.0806…
    (1, 80000, 0.13),          # 0.125 exactly: half-up
    (0, 620000, 0.0),
    (3, None, None),
])
def test_per_10k(count, population, expected):
    assert lifecycle.per_10k(count, population) == expected


def test_pledges_and_unmatched():
    fs = filings((INV, "invention", "2013-03-05"))
    ev = events((INV, "2014-05-01", "授权"), (INV, "2014-06-01", "专利权质押合同登记的生效"),
                (INV, "2014-09-01", "专利权质押合同登记的注销"), (INV, "2015-01-05", "专利权质押合同登记的生效"))
    assert doc(fs, ev, "2014-12-31")["pledged_in_year"] == 1
    assert doc(fs, ev, "2015-12-31", unmatched=3)["pledged_in_year"] == 1
    assert doc(fs, ev, "2015-12-31", unmatched=3)["unmatched_events"] == 3


def test_lists_sorted_by_date_then_number():
    a, b, c = "201220000001.5", "201220000002.1", "201220000003.8"
    fs = filings((c, "utility_model", "2012-03-01"), (a, "utility_model", "2012-03-01"),
                 (b, "utility_model", "2012-02-01"))
    ev = events((c, "2012-09-01", "授权"), (a, "2012-09-01", "授权"), (b, "2012-09-01", "授权"),
                (c, "2013-05-01", "专利权的终止"), (a, "2013-05-01", "专利权的终止"))
    d = doc(fs, ev, "2013-12-31", days=60)
    assert [(r["date"], r["application_no"]) for r in d["lapsed_in_year"]] == [("2013-05-01", a), ("2013-05-01", c)]
    d = doc(fs, ev, "2014-01-01", days=60)
    assert [(r["due"], r["application_no"]) for r in d["fees_due"]] == [("2014-02-01", b)]


def test_status_words_dated_by_the_import_file_day():
    versions = pl.DataFrame({
        "application_no": [UM, UM, INV], "status": ["受理", "授权", "授权"], "grant_date": [None, None, "2013-04-02"],
        "import_id": [1, 2, 2], "imported_at": ["2013-03-01T02:00:00+00:00", "2013-07-02T17:00:00+00:00",
                                               "2013-07-02T17:00:00+00:00"],
        "newest": ["2013-02-20", "2013-06-28", "2013-06-28"]},
        schema={"application_no": pl.String, "status": pl.String, "grant_date": pl.String, "import_id": pl.Int64,
                "imported_at": pl.String, "newest": pl.String})
    ev = lifecycle.status_events(versions, "Asia/Shanghai")
    assert sorted((r["application_no"], r["date"].isoformat(), r["kind"]) for r in ev.to_dicts()) == [
        (UM, "2013-06-28", "granted"), (INV, "2013-04-02", "granted")]
    # the newest filing date later than the import's own day: the day of the import wins
    late = versions.with_columns(newest=pl.lit("2013-08-01"))
    ev = lifecycle.status_events(late, "Asia/Shanghai")
    assert sorted(r["date"].isoformat() for r in ev.to_dicts()) == ["2013-04-02", "2013-07-03"]


def test_the_list_speaks_for_the_kinds_it_reports():
    listed = events((UM, "2013-01-10", "授权"))
    status = pl.DataFrame({"application_no": [UM, UM], "date": [D("2013-06-28"), D("2013-06-28")],
                           "kind": ["granted", "lapsed"], "words": ["授权", "未缴年费"], "source": ["status"] * 2,
                           "seq": [1, 2]}, schema=lifecycle.EVENT_SCHEMA)
    ev = lifecycle.combine(listed.filter(pl.col("source") == "list"), status)
    assert [(r["date"].isoformat(), r["kind"], r["source"]) for r in ev.to_dicts()] == [
        ("2013-01-10", "granted", "list"), ("2013-06-28", "lapsed", "status")]


def test_month_ends():
    assert lifecycle.month_ends(2013, D("2013-03-15")) == [D("2013-01-31"), D("2013-02-28"), D("2013-03-15")]
    assert lifecycle.month_ends(2012, D("2012-02-29")) == [D("2012-01-31"), D("2012-02-29")]


# --- the stored versions, as frames (store.events.history_versions, import_facts) ----------------

IMPORTS = pl.DataFrame({"import_id": [1, 2, 3], "imported_at": ["2013-03-01T02:00:00+00:00"] * 3,
                        "newest": ["2013-02-27", "2013-05-30", "2013-08-30"], "day": ["2013-03-01", None, None],
                        "reverted": [0, 0, 1]})


def _filings(rows):
    return pl.DataFrame(rows, schema=["application_no", "status", "grant_date", "last_import_id"], orient="row")


def _history(rows):
    return pl.DataFrame(rows, schema=["application_no", "status", "grant_date", "import_id", "replaced_by"],
                        orient="row")


def test_status_versions_are_the_current_and_replaced_ones_of_imports_in_force():
    filings = _filings([("A", "授权", None, 2), ("B", None, None, 1), ("C", "视撤", None, 3)])
    history = _history([("A", "实审", None, 1, 2), ("C", "实审", None, 2, 3)])
    got = lifecycle.status_versions(filings, history, IMPORTS).sort("application_no", "import_id")
    # B carries neither a status nor a grant date; C's current version came from the reverted import 3
    assert got.select("application_no", "status", "import_id", "newest").rows() == [
        ("A", "实审", 1, "2013-02-27"), ("A", "授权", 2, "2013-05-30"), ("C", "实审", 2, "2013-05-30")]


def test_ever_granted_dates_from_the_first_import_that_showed_the_grant():
    filings = _filings([
        ("A", "授权", None, 2),            # granted now, and already in import 1's version
        ("B", "实审", None, 2),            # granted only in a version import 2 replaced
        ("C", "实审", None, 3),            # granted only in a version the reverted import 3 replaced
        ("D", "实审", "2013-06-01", 1),     # a grant date is a grant
        ("E", "实审", None, 1)])
    history = _history([("A", "授权", None, 1, 2), ("B", "有效", None, 1, 2), ("C", "授权", None, 2, 3)])
    got = lifecycle.ever_granted(filings, history, IMPORTS).sort("application_no")
    assert got.select("application_no", "seen_newest", "seen_day").rows() == [
        ("A", "2013-02-27", "2013-03-01"), ("B", "2013-02-27", "2013-03-01"), ("D", "2013-02-27", "2013-03-01")]
