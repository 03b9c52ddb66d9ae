"""The rules as tables on the pure functions, every expectation worked out by hand from the rule
(filings.md §3, status.md): check characters, warnings, in-file duplicates, progress and pace
of one headline, patent terms. No database, no command line."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ipmonitor import filings, ids
from ipmonitor.lifecycle import with_terms
from ipmonitor.pace import pace
from ipmonitor.progress import goal_status
from ipmonitor.tabular import read_table


# --- check characters: weights 2,3,4,5,6,7,8,9,2,3,4,5 (12 digits) or 2…9 (8 digits), sum mod 11,
#     10 written X -------------------------------------------------------------------------------

@pytest.mark.parametrize("digits, check", [
    # 2·2+0·3+1·4+3·5+1·6+0·7+6·8+9·9+9·2+7·3+4·4+4·5 = 233 = 21·11 + 2
    ("201310699744", "2"),
    # 2·2+0·3+1·4+2·5+2·6+0·7+6·8+8·9+7·2+6·3+3·4+3·5 = 209 = 19·11 + 0
    ("201220687633", "0"),
    # 8·2+8·3+2·4+0·5+1·6+4·7+6·8+5·9 = 175 = 15·11 + 10 → X
    ("88201465", "X"),
    # 2·2+0·3+1·4+3·5+3·6+0·7+1·8+2·9+3·2+4·3+5·4+6·5 = 135 = 12·11 + 3
    ("201330123456", "3"),
])
def test_check_character_worked_out(digits, check):
    assert ids.application_check_char(digits) == check
    assert ids.canonical_application_no(f"{digits}.{check}") == f"{digits}.{check}"
    assert ids.canonical_application_no(digits) == f"{digits}.{check}"     # a missing check is added


@pytest.mark.parametrize("text, reason", [
    ("201310699744.3", "bad_check_digit"),    # 2 is right
    ("88201465.1", "bad_check_digit"),        # X is right
    ("201340699744", "bad_type_digit"),       # the type digit (5th) is 1, 2, 3, 8 or 9
    ("20131069974", "bad_application_no"),    # 11 digits
    ("", "missing_application_no"),
])
def test_number_reasons(text, reason):
    with pytest.raises(ValueError, match=reason):
        ids.canonical_application_no(text)


# --- warnings and duplicates on filings.normalise --------------------------------------------------

def normalise(text: str, today: dt.date = dt.date(2013, 6, 30)) -> filings.Batch:
    return filings.normalise(read_table(text.encode(), "x.csv", filings.matcher(), filings.REQUIRED), today)


def test_each_warning_keeps_its_row():
    batch = normalise("申请号,申请日,申请人,专利类型\n"
                      "201310699744.2,2012-12-30,甲,发明\n"      # number of 2013, filed 2012
                      "201220687633,2012-11-20,乙,实用新型\n"    # no check character
                      "201330123456.3,2013-01-15,丙,其他\n")     # a type word the rule does not know
    assert (batch.rows, batch.filings.height, batch.rejects.height) == (3, 3, 0)
    assert batch.warnings.select("line", "application_no", "code").rows() == [
        (2, "201310699744.2", "year_mismatch"), (3, "201220687633.0", "check_digit_missing"),
        (4, "201330123456.3", "unknown_type_word")]
    # the type comes from the number's 5th digit: 1 invention, 2 utility model, 3 design
    assert dict(batch.filings.select("application_no", "type").rows()) == {
        "201310699744.2": "invention", "201220687633.0": "utility_model", "201330123456.3": "design"}


def test_in_file_duplicates_the_last_row_wins_and_a_conflict_is_warned():
    batch = normalise("申请号,申请日,申请人,法律状态\n"
                      "201310699744.2,2013-03-05,甲,公开\n"
                      "CN201310699744.2,2013/3/5,甲,公开\n"     # the same after normalising
                      "201220687633.0,2012-11-20,乙,实质审查\n"
                      "201220687633.0,2012-11-20,乙,授权\n")    # the same number, another status
    # 4 rows = 2 stored + 2 duplicates + 0 rejects
    assert (batch.rows, batch.filings.height, batch.duplicate, batch.rejects.height) == (4, 2, 2, 0)
    assert dict(batch.filings.select("application_no", "line").rows()) == {
        "201310699744.2": 3, "201220687633.0": 5}
    assert batch.warnings.select("line", "code").rows() == [(5, "conflicting_duplicate")]


def test_today_is_the_last_day_a_filing_date_may_have():
    batch = normalise("申请号,申请日,申请人\n201310699744.2,2013-06-30,甲\n201220687633.0,2013-07-01,乙\n")
    assert batch.filings["application_no"].to_list() == ["201310699744.2"]
    assert batch.rejects.select("line", "reason").rows() == [(3, "future_filing_date")]


# --- one headline: expected, projected, status, gap, needed per week --------------------------------

@pytest.mark.parametrize("count, goal, as_of, status, expected, projected, gap, needed", [
    # 2013-06-30 is day 181 of 365. expected 60·181/365 = 29.75…; projected 43·365/181 = 86.71…;
    # 43 ≥ 29.75 → on track; gap 43 − 29.75 = 13.2; needed (60 − 43)·7/184 = 0.646… → 0.6
    (43, 60, dt.date(2013, 6, 30), "on_track", 29.8, 86.7, 13.2, 0.6),
    # expected 30·181/365 = 14.87…; 0.9·14.87 = 13.39 > 12 → behind; projected 12·365/181 = 24.19…;
    # gap −2.87… → −2.9; needed 18·7/184 = 0.684… → 0.7
    (12, 30, dt.date(2013, 6, 30), "behind", 14.9, 24.2, -2.9, 0.7),
    # 2013-04-10 is day 100: expected 365·100/365 = 100 exactly; 95 ≥ 90 → at risk;
    # projected 95·365/100 = 346.75 → 346.8; needed (365 − 95)·7/265 = 7.132… → 7.1
    (95, 365, dt.date(2013, 4, 10), "at_risk", 100.0, 346.8, -5.0, 7.1),
    # 2012 has 366 days; 2012-12-31 is the last: expected 100, nothing is needed with no day left
    (120, 100, dt.date(2012, 12, 31), "met", 100.0, 120.0, 20.0, None),
])
def test_headline_arithmetic(count, goal, as_of, status, expected, projected, gap, needed):
    g = goal_status(count, goal, as_of.year, as_of)
    assert (g["status"], g["expected"], g["projected"]) == (status, expected, projected)
    assert pace(count, goal, as_of.year, as_of) == {"gap": gap, "needed_per_week": needed}


# --- patent terms: 20 years for inventions, 10 for utility models, designs 10 (15 from 2021-06-01) ---

@pytest.mark.parametrize("kind, filed, term, term_end", [
    ("invention", "2013-03-05", 20, "2033-03-05"),
    ("utility_model", "2012-02-29", 10, "2022-02-28"),    # 29 February → 28 February in a common year
    ("design", "2021-05-31", 10, "2031-05-31"),
    ("design", "2021-06-01", 15, "2036-06-01"),
    ("invention", "2004-02-29", 20, "2024-02-29"),        # a leap year again
])
def test_terms(kind, filed, term, term_end):
    f = with_terms(pl.DataFrame({"type": [kind], "filing_date": [filed]}))
    assert f.select("term", pl.col("term_end").cast(pl.String)).row(0) == (term, term_end)


@pytest.mark.parametrize("applicants, key_stored, first, key", [
    ("甲公司", None, "甲公司", "甲公司"),
    ("甲公司; 乙公司; 丙", None, "甲公司", "甲公司"),
    ("ＡＢＣ公司; 乙", "abc公司", "ＡＢＣ公司", "abc公司"),
    ("甲;乙", None, "甲;乙", "甲;乙"),          # only "; " separates stored names
    ("", None, "", ""),
])
def test_first_applicant_is_read_by_the_generated_columns_rule(tmp_path, applicants, key_stored, first, key):
    """store.records derives first_applicant(_key) in polars; SQLite's generated columns say the same."""
    from ipmonitor import store
    from ipmonitor.store import records
    db = store.connect(tmp_path / "t.db")
    db.execute("INSERT INTO imports (id, kind, file, sha256, imported_at) VALUES (1, 'filings', 'f', 's', 't')")
    db.execute("INSERT INTO filings (application_no, type, filing_date, applicants, first_key_stored, "
               "first_import_id, last_import_id) VALUES ('1', 'design', '2013-01-01', ?, ?, 1, 1)",
               (applicants, key_stored))
    assert db.execute("SELECT first_applicant, first_applicant_key FROM filings").fetchone() == (first, key)
    got = records.every_filing(db, ("application_no", "first_applicant_key", "first_applicant"))
    assert got.columns == ["application_no", "first_applicant_key", "first_applicant", "last_import_id"]
    assert got.row(0) == ("1", key, first, 1)


def test_the_pieces_of_a_file_are_its_batch_cut_by_number():
    """filings.parts (the import stores one piece while the next is worked out): every number's
    rows in one piece, pieces in number order, the rows without a usable number in the last."""
    text = ("申请号,申请日,申请人,法律状态\n"
            "201310699744.2,2013-03-05,甲,公开\n"         # line 2
            "201220687633.0,2012-11-20,乙,实质审查\n"     # line 3
            "bad,2013-01-01,丙,公开\n"                    # line 4: rejected, no number
            "CN201310699744.2,2013/3/5,甲,授权\n"         # line 5: line 2's number again, last wins
            "201330123456.3,2013-01-15,丁,公开\n"         # line 6
            "201220687633.0,2012-11-20,乙,实质审查\n"     # line 7: line 3's again, the same
            "201310123459.0,2013-02-02,戊,\n")            # line 8: a wrong check digit
    table = read_table(text.encode(), "x.csv", filings.matcher(), filings.REQUIRED)
    pieces = list(filings.parts(table, dt.date(2013, 6, 30), rows=2))
    # 4 pieces wanted; the cuts, quantiles of the 5 usable numbers, fall on …633.0 and …744.2 (each
    # twice in the file): numbers up to …633.0, then the rest with the unusable ones
    assert [p.filings["application_no"].to_list() for p in pieces] == [
        ["201220687633.0"], ["201310699744.2", "201330123456.3"]]
    assert [(p.rows, p.duplicate, p.rejects.height) for p in pieces] == [(2, 1, 0), (5, 1, 2)]
    whole = filings.normalise(table, dt.date(2013, 6, 30))
    assert (sum(p.rows for p in pieces), sum(p.duplicate for p in pieces)) == (whole.rows, whole.duplicate) == (7, 2)
    rejects = pl.concat([p.rejects for p in pieces]).sort("line")
    assert rejects.select("line", "reason").rows() == [(4, "bad_application_no"), (8, "bad_check_digit")]
    assert rejects.equals(whole.rejects)
    assert pl.concat([p.filings for p in pieces]).equals(whole.filings)
    assert dict(whole.filings.select("application_no", "line").rows()) == {
        "201220687633.0": 7, "201310699744.2": 5, "201330123456.3": 6}
