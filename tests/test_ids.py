"""Application numbers, credit codes and compared names (domain.md), against worked examples
and an independent reference implementation written here."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipmonitor import ids


def reference_check(digits: str) -> str:
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5] if len(digits) == 12 else [2, 3, 4, 5, 6, 7, 8, 9]
    r = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return "X" if r == 10 else str(r)


@pytest.mark.parametrize("digits, check", [
    ("201310123456", "2"), ("201320123456", "8"), ("95115608", "X"),
    ("201310699744", "2"), ("201080063196", "9"), ("201220687633", "0"),
    ("201710601862", "3"), ("97101765", "4"), ("88201465", "X"),
])
def test_worked_check_characters(digits, check):
    assert ids.application_check_char(digits) == check


@pytest.mark.parametrize("text", [
    "201310699744.2", "CN201310699744.2", "CN 2013 1 0699744.2", "CN2013106997442",
    "ZL201310699744.2", "2013106997442", "２０１３１０６９９７４４．２", "２０１３１０６９９７４４。２",
    " 201310699744.2 ", "\u00a0201310699744.2\u00a0", "cn201310699744.2", "ZL 201310699744.2",
])
def test_accepted_spellings_of_one_number(text):
    assert ids.canonical_application_no(text) == "201310699744.2"


@pytest.mark.parametrize("text, canonical", [
    ("88201465.x", "88201465.X"), ("97101765.4", "97101765.4"), ("95115608", "95115608.X"),
    ("201310699744", "201310699744.2"),   # Excel dropped the check character: completed
    ("201080063196.9", "201080063196.9"),  # PCT national phase
])
def test_old_numbers_lower_case_and_missing_check(text, canonical):
    assert ids.canonical_application_no(text) == canonical


@pytest.mark.parametrize("text, reason", [
    ("", "missing_application_no"), ("   ", "missing_application_no"),
    ("2.01221E+11", "bad_application_no"), ("CN102822194A", "bad_application_no"),
    ("PCT/CN2013/000123", "bad_application_no"), ("20131069974", "bad_application_no"),
    ("2013106997441234", "bad_application_no"), ("201310699744.3", "bad_check_digit"),
    ("201340699744", "bad_type_digit"), ("201350699744", "bad_type_digit"), ("CN 2013 4 0699744", "bad_type_digit"),
])
def test_rejected_numbers(text, reason):
    with pytest.raises(ValueError, match=reason):
        ids.canonical_application_no(text)


# The property tests check many numbers per example on the vectorised parser the import uses
# (canonical_application_no is that parser on one value): 20-40 examples × up to 40 numbers.

def parsed(texts: list[str]) -> pl.DataFrame:
    return ids.parse_application_numbers(pl.DataFrame({"n": texts}, schema={"n": pl.String}), "n")


NUMBER = st.tuples(st.integers(2003, 2030), st.sampled_from("12389"), st.integers(0, 9_999_999),
                   st.sampled_from(["{d}.{c}", "CN{d}.{c}", "ZL{d}{c}", "{d}", " CN {y} {t} {s}.{c} "]))


@settings(max_examples=40, deadline=None)
@given(st.lists(NUMBER, min_size=1, max_size=40))
def test_any_valid_number_round_trips(numbers):
    texts, expected = [], []
    for year, kind, serial, form in numbers:
        digits = f"{year}{kind}{serial:07d}"
        check = reference_check(digits)
        texts.append(form.format(d=digits, c=check.lower(), y=year, t=kind, s=f"{serial:07d}"))
        expected.append(f"{digits}.{check}")
    out = parsed(texts)
    assert out["app_error"].to_list() == [None] * len(texts)
    assert out["app_no"].to_list() == expected


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"\A20[0-2][0-9][12389][0-9]{7}\Z"), st.sampled_from("0123456789X")),
                min_size=1, max_size=40))
def test_any_wrong_check_character_is_caught(pairs):
    texts = [f"{digits}.{wrong}" for digits, wrong in pairs if wrong != reference_check(digits)]
    assert parsed(texts)["app_error"].to_list() == ["bad_check_digit"] * len(texts)


def test_vectorised_parse_gives_type_year_and_flags():
    df = pl.DataFrame({"n": ["201310699744.2", "201080063196", "88201465.X", None]})
    out = ids.parse_application_numbers(df, "n")
    assert out["app_type"].to_list() == ["invention", "invention", "utility_model", None]
    assert out["app_year"].to_list()[:3] == [2013, 2010, 1988]
    assert out["app_check_missing"].to_list()[:3] == [False, True, False]
    assert out["app_error"].to_list() == [None, None, None, "missing_application_no"]


ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def reference_credit_check(first17: str) -> str:
    return ALPHABET[(31 - sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS)) % 31) % 31]


@pytest.mark.parametrize("code, valid", [
    ("91110000600037341L", True), ("91350100M000100Y43", True), (" 91110000600037341l ", True),
    ("91110000600037341K", False), ("9111000060003734", False), ("91110000600037341I", False),
    ("", False),
])
def test_credit_codes(code, valid):
    assert ids.is_valid_credit_code(code) is valid


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, min_size=17, max_size=17), min_size=1, max_size=40))
def test_credit_check_matches_reference(firsts):
    right = [f + reference_credit_check(f) for f in firsts]
    wrong = [f + next(c for c in ALPHABET if c != reference_credit_check(f)) for f in firsts]
    valid = pl.DataFrame({"c": right + wrong}).select(ids.credit_code_valid(ids.clean_credit_code(pl.col("c"))))
    assert valid.to_series().to_list() == [True] * len(right) + [False] * len(wrong)


@pytest.mark.parametrize("a, b", [
    ("宿迁（宿豫）机械有限公司", "宿迁(宿豫)机械有限公司"),
    ("宿迁　华宇 科技有限公司", "宿迁华宇科技有限公司"),
    ("Sumitomo Electric Industries, Ltd.", "SUMITOMO ELECTRIC INDUSTRIES,LTD."),
])
def test_compared_names_are_equal(a, b):
    keys = pl.select(ids.name_key(pl.lit(a)), ids.name_key(pl.lit(b)).alias("b")).row(0)
    assert keys[0] == keys[1]
