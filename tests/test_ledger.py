"""The pure parts of the subsidy log: canonical form, hashes, chain verification, states, rules, summaries."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from ipmonitor import ledger
from ipmonitor.config import SubsidyYear
from ipmonitor.errors import RuleViolation

CLAIM = {"id": "2013-0007", "application_no": "201320123456.8", "claimant": "91110000600037341L",
         "stage": "grant", "amount": 500, "submitted_on": "2013-04-01", "note": "首批"}
AT = "2013-04-01T02:00:00+00:00"


def test_canonical_form_is_sorted_compact_utf8_json_with_the_claim_for_submitted():
    e = ledger.new_event((0, ledger.GENESIS), "2013-0007", "submitted", "王敏", AT, CLAIM)
    expected = ('{"amount":null,"at":"2013-04-01T02:00:00+00:00","by":"王敏",'
                '"claim":{"amount":500,"application_no":"201320123456.8","claimant":"91110000600037341L",'
                '"id":"2013-0007","note":"首批","stage":"grant","submitted_on":"2013-04-01"},'
                '"claim_id":"2013-0007","event":1,"field":null,"new":null,"old":null,"paid_on":null,'
                '"prev_hash":"' + "0" * 64 + '","reason":null,"source":null,"type":"submitted","voucher":null}')
    assert ledger.canonical(e, CLAIM) == expected.encode("utf-8")
    assert e["hash"] == hashlib.sha256(expected.encode("utf-8")).hexdigest()


def test_other_events_do_not_carry_the_claim():
    e = ledger.new_event((1, "a" * 64), "2013-0007", "approved", "张", AT, None, amount=500)
    assert b'"claim"' not in ledger.canonical(e, CLAIM)
    assert (e["event"], e["prev_hash"], e["amount"]) == (2, "a" * 64, 500)


def test_unknown_fields_and_types_are_programming_errors():
    with pytest.raises(ValueError):
        ledger.new_event((0, ledger.GENESIS), "2013-0007", "deleted", "x", AT)
    with pytest.raises(ValueError):
        ledger.new_event((0, ledger.GENESIS), "2013-0007", "approved", "x", AT, colour="red")


def chain() -> tuple[list[dict], dict[str, dict]]:
    other = {**CLAIM, "id": "2013-0008", "stage": "application", "application_no": "201310123456.2"}
    e1 = ledger.new_event((0, ledger.GENESIS), "2013-0007", "submitted", "a", AT, CLAIM)
    e2 = ledger.new_event((1, e1["hash"]), "2013-0008", "submitted", "a", AT, other)
    e3 = ledger.new_event((2, e2["hash"]), "2013-0007", "approved", "b", AT, amount=400)
    e4 = ledger.new_event((3, e3["hash"]), "2013-0007", "paid", "c", AT, paid_on="2013-05-01", voucher="PZ-1")
    return [e1, e2, e3, e4], {"2013-0007": dict(CLAIM), "2013-0008": other}


def test_an_intact_chain_verifies_with_its_last_hash_as_head():
    events, claims = chain()
    assert ledger.verify_chain(events, claims) == {"ok": True, "events": 4, "head": events[3]["hash"],
                                                   "first_bad": None}
    assert ledger.verify_chain([], {}) == {"ok": True, "events": 0, "head": None, "first_bad": None}


def _first_bad(events, claims, triggers=()):
    doc = ledger.verify_chain(events, claims, triggers)
    assert doc["ok"] is False and doc["head"] is None
    return doc["first_bad"]["event"], doc["first_bad"]["claim_id"], doc["first_bad"]["problem"]


def test_a_changed_event_is_named():
    events, claims = chain()
    events[2]["amount"] = 4000
    assert _first_bad(events, claims)[:2] == (3, "2013-0007")


def test_a_changed_claim_row_is_named_at_its_submitted_event():
    events, claims = chain()
    claims["2013-0008"]["amount"] = 10000
    assert _first_bad(events, claims)[:2] == (2, "2013-0008")
    events, claims = chain()
    del claims["2013-0007"]
    assert _first_bad(events, claims)[:2] == (1, "2013-0007")


def test_a_rehashed_event_breaks_the_next_link():
    events, claims = chain()
    events[1]["by"] = "someone else"
    events[1]["hash"] = ledger.event_hash(events[1], claims["2013-0008"])
    event, claim, problem = _first_bad(events, claims)
    assert (event, claim) == (3, "2013-0007") and "prev_hash" in problem


def test_missing_and_reordered_events_are_named():
    events, claims = chain()
    assert _first_bad(events[:1] + events[2:], claims)[:2] == (3, "2013-0007")
    assert _first_bad(events[1:], claims)[:2] == (2, "2013-0008")
    assert _first_bad([events[1], events[0], *events[2:]], claims)[:2] == (2, "2013-0008")


def test_structure_of_the_log():
    events, claims = chain()
    extra = ledger.new_event((4, events[3]["hash"]), "2013-0007", "submitted", "x", AT, CLAIM)
    assert _first_bad(events + [extra], claims)[:2] == (5, "2013-0007")      # submitted twice
    orphan = {**CLAIM, "id": "2013-0009"}
    assert _first_bad(events, {**claims, "2013-0009": orphan}) == \
        (None, "2013-0009", "a claim row without a submitted event")
    assert "triggers are missing" in _first_bad(events, claims, ["subsidy_events_no_update"])[2]


def test_fold_derives_the_state_and_amounts():
    events, claims = chain()
    mine = [e for e in events if e["claim_id"] == "2013-0007"]
    states = [ledger.fold(CLAIM, mine[:n]) for n in (1, 2, 3)]
    assert [(c["state"], c["claimed"], c["approved"], c["paid"]) for c in states] == [
        ("submitted", 500, 0, 0), ("approved", 500, 400, 0), ("paid", 500, 400, 400)]
    assert (states[2]["paid_on"], states[2]["voucher"], states[2]["year"]) == ("2013-05-01", "PZ-1", 2013)
    assert all("claim_id" not in e and None not in e.values() for e in states[2]["events"])
    rejected = ledger.fold(CLAIM, [mine[0], {**mine[1], "type": "rejected", "amount": None, "reason": "x"}])
    assert (rejected["state"], rejected["approved"]) == ("rejected", 0)


def test_fold_applies_corrections_over_the_claim_row():
    sub = ledger.new_event((0, ledger.GENESIS), "2013-0007", "submitted", "a", AT, CLAIM)
    fix = ledger.new_event((1, sub["hash"]), "2013-0007", "corrected", "a", AT, field="amount",
                           old="500", new="450", reason="填错")
    note = ledger.new_event((2, fix["hash"]), "2013-0007", "corrected", "a", AT, field="note",
                            old="首批", new="第二批", reason="更正")
    c = ledger.fold(CLAIM, [sub, fix, note])
    assert (c["claimed"], c["note"], c["state"]) == (450, "第二批", "submitted")


@pytest.mark.parametrize("text, stage", [
    ("申请资助", "application"), ("授权资助", "grant"), ("PCT", "pct"), ("pct", "pct"),
    ("PCT国际申请", "pct"), ("ＰＣＴ 国际申请", "pct"), ("年费资助", "maintenance"), ("Grant", "grant"),
    ("maintenance", "maintenance"), (" application ", "application"), ("奖励", None), (None, None)])
def test_stage_words(text, stage):
    assert ledger.parse_stage(text) == stage


RATES = SubsidyYear(budget=1000, rates={"invention_grant": 4000, "utility_model_grant": 1000, "pct": 10000,
                                        "maintenance": 200, "design_maintenance": 100})


@pytest.mark.parametrize("amount, ftype, stage, outcome", [
    (4000, "invention", "grant", None), (4001, "invention", "grant", "over_rate"),
    (1000, "utility_model", "grant", None), (1001, "utility_model", "grant", "over_rate"),
    (10000, "design", "pct", None), (10001, "invention", "pct", "over_rate"),
    (200, "invention", "maintenance", None), (201, "utility_model", "maintenance", "over_rate"),
    (100, "design", "maintenance", None), (101, "design", "maintenance", "over_rate"),
    (1, "design", "grant", "no_rate"), (1, "invention", "application", "no_rate"),
])
def test_rates(amount, ftype, stage, outcome):
    if outcome is None:
        ledger.check_rate(amount, ftype, stage, 2013, RATES)
    else:
        with pytest.raises(RuleViolation) as e:
            ledger.check_rate(amount, ftype, stage, 2013, RATES)
        assert e.value.rule == outcome and f"（规则 {outcome}）：" in str(e.value)


def test_no_schedule_no_cap():
    ledger.check_rate(10**9, "design", "application", 2013, None)
    ledger.check_rate(10**9, "design", "application", 2013, SubsidyYear(budget=5))


def folded(state: str, claimed=1000, approved=0) -> dict:
    return {"id": "2013-0001", "year": 2013, "state": state, "claimed": claimed, "approved": approved,
            "paid": approved if state == "paid" else 0, "submitted_on": "2013-04-01", "claimant": "X",
            "note": None, "voucher": None}


@pytest.mark.parametrize("state", ledger.STATES)
@pytest.mark.parametrize("event", ["approved", "rejected", "paid"])
def test_transition_table(state, event):
    allowed = {("submitted", "approved"), ("submitted", "rejected"), ("approved", "paid")}
    if (state, event) in allowed:
        ledger.check_transition(folded(state), event)
    else:
        with pytest.raises(RuleViolation) as e:
            ledger.check_transition(folded(state), event)
        assert e.value.rule == "transition"


def test_approval_budget():
    year = [folded("approved", 1000, 600), folded("paid", 1000, 300), folded("rejected", 1000, 0),
            folded("submitted", 1000, 0)]
    schedule = SubsidyYear(budget=1000)
    ledger.check_approval(folded("submitted", 500), 100, year, schedule, False)      # 900 + 100 = 1000
    with pytest.raises(RuleViolation) as e:
        ledger.check_approval(folded("submitted", 500), 101, year, schedule, False)
    assert e.value.rule == "budget"
    ledger.check_approval(folded("submitted", 500), 500, year, schedule, True)
    ledger.check_approval(folded("submitted", 500), 500, year, None, False)         # no budget
    with pytest.raises(RuleViolation) as e:
        ledger.check_approval(folded("submitted", 500), 501, year, None, True)
    assert e.value.rule == "over_claimed"


FILING = {"type": "utility_model", "filing_date": "2013-01-15", "status": "授权", "grant_date": None}


def _claim(**kw):
    args = dict(application_no="201320123456.8", claimant="A", stage="grant", amount=1000,
                submitted_on=dt.date(2013, 4, 1), today=dt.date(2013, 6, 30), filing=FILING,
                attributed_to="A", claimant_known=True, existing=None, schedule=RATES)
    args.update(kw)
    ledger.check_claim(**args)


@pytest.mark.parametrize("kw, rule", [
    ({"stage": "bonus"}, "bad_stage"),
    ({"amount": 0}, "bad_amount"), ({"amount": 1.5}, "bad_amount"), ({"amount": True}, "bad_amount"),
    ({"submitted_on": dt.date(2013, 7, 1)}, "future_date"),
    ({"filing": None}, "not_filed"),
    ({"claimant_known": False}, "not_attributed"), ({"attributed_to": "B"}, "not_attributed"),
    ({"attributed_to": None}, "not_attributed"),
    ({"submitted_on": dt.date(2013, 1, 14)}, "before_filing"),
    ({"filing": {**FILING, "status": "受理"}}, "not_granted"),
    ({"existing": {"id": "2013-0001", "state": "approved"}}, "one_live_claim"),
    ({"amount": 1001}, "over_rate"),
])
def test_claim_rules(kw, rule):
    with pytest.raises(RuleViolation) as e:
        _claim(**kw)
    assert e.value.rule == rule


def test_claim_rules_pass():
    _claim()
    _claim(filing={**FILING, "status": None, "grant_date": "2013-03-01"})
    _claim(filing={**FILING, "status": "专利权维持"})
    _claim(filing={**FILING, "status": "有效"})
    _claim(submitted_on=dt.date(2013, 1, 15))


def test_live_claim_ignores_rejected_ones():
    assert ledger.live([folded("rejected"), folded("rejected")]) is None
    assert ledger.live([folded("rejected"), folded("paid", 1000, 1000)])["state"] == "paid"


def test_summarise():
    claims = [{**folded("paid", 1000, 800), "claimant": "A"}, {**folded("approved", 500, 500), "claimant": "B"},
              {**folded("submitted", 300), "claimant": "A"}, {**folded("rejected", 200), "claimant": "C"}]
    s = ledger.summarise(2013, claims, 1000, {"A": "甲", "B": "乙"})
    assert (s["claims"], s["claimed"], s["approved"], s["paid"], s["remaining"], s["overrun"]) == \
        (4, 2000, 1300, 800, -300, 300)
    assert [(r["state"], r["count"], r["claimed"], r["approved"]) for r in s["by_state"]] == [
        ("submitted", 1, 300, 0), ("approved", 1, 500, 500), ("rejected", 1, 200, 0), ("paid", 1, 1000, 800)]
    assert [(r["credit_code"], r["name"], r["count"], r["approved"]) for r in s["by_enterprise"]] == [
        ("A", "甲", 2, 800), ("B", "乙", 1, 500), ("C", None, 1, 0)]
    empty = ledger.summarise(2014, [], None, {})
    assert (empty["claims"], empty["budget"], empty["remaining"], empty["overrun"]) == (0, None, None, None)
