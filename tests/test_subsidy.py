"""The subsidy claims log through the CLI on real SQLite files: rules, transitions, budget, hash chain, import."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import write

from ipmonitor import subsidies
from ipmonitor.config import load_settings
from ipmonitor.store import connect, records

A, B, C = "91110000600037341L", "91350100M000100Y43", "913213115878737825"   # registered
OUTSIDER = "91321311760580124L"          # a valid code that is not in the registry
INV_A = "201310123456.2"      # invention of A, 实质审查 (not granted), credit code given
UM_A = "201320123456.8"       # utility model of A, 授权
UM_B_2012 = "201220687633.0"  # utility model of B (by name), 授权, filed 2012-11-20
DES_B = "201330123456.3"      # design of B written with its former name, 受理
INV_PERSON = "201310699744.2" # an individual's invention: attributed to nobody
INV_A_GD = "201210555555.3"   # invention of A, no status but a grant date
UM_B = "201320654321.4"       # utility model of B, 授权, filed 2013-03-10
NOT_STORED = "201310000001.1"

REGISTRY = f"""统一社会信用代码,企业名称,所属镇街,曾用名
{A},宿迁甲科技有限公司,顺河街道,
{B},宿迁乙机械有限公司,大兴镇,宿迁老乙机械厂
{C},宿迁丙食品有限公司,来龙镇,
"""
FILINGS = f"""申请号,申请日,申请人,专利类型,法律状态,统一社会信用代码,授权日
{INV_A},2013-01-10,宿迁甲科技有限公司,发明,实质审查,{A},
{UM_A},2013-01-15,宿迁甲科技有限公司,实用新型,授权,{A},
{UM_B_2012},2012-11-20,宿迁乙机械有限公司,实用新型,授权,,
{DES_B},2013-02-01,宿迁老乙机械厂,外观设计,受理,,
{INV_PERSON},2013-02-20,张三,发明,公开,,
{INV_A_GD},2012-03-05,宿迁甲科技有限公司,发明,,{A},2013-03-01
{UM_B},2013-03-10,宿迁乙机械有限公司,实用新型,授权,,
"""
SUBSIDY_CONFIG = """
[subsidy.2012]
budget = 100000

[subsidy.2013]
budget = 5000

[subsidy.2013.rates]
invention_application = 1000
invention_grant = 4000
utility_model_grant = 1000
design_grant = 500
pct = 10000
"""


@pytest.fixture
def lh(home: Path, cli):
    """A home with the registry, the filings above and the 2012/2013 subsidy settings."""
    with open(home / "ipmonitor.toml", "a", encoding="utf-8") as fh:
        fh.write(SUBSIDY_CONFIG)
    cli("enterprises", "import", write(home / "registry.csv", REGISTRY))
    cli("import", write(home / "agency.csv", FILINGS))
    return cli


def claim(cli, number, code, stage, amount, date="2013-04-01", *extra, exit=0):
    args = ["subsidy", "claim", "--application-no", number, "--claimant", code, "--stage", stage,
            "--amount", amount, *(["--date", date] if date else []), *extra]
    return cli.json(*args, code=exit) if exit == 0 else cli(*args, code=exit)


def listed(cli, *args):
    return cli.json("subsidy", "list", *args)


def event_count(cli) -> int:
    return cli.json("subsidy", "verify")["events"]


def refused(result, rule: str) -> None:
    assert result.exit_code == 1
    assert f"（规则 {rule}）：" in result.stderr and "不予受理：" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


# --- claim: the JSON shape and the rules -----------------------------------------------------------

def test_claim_prints_the_claim_with_its_submitted_event(lh, monkeypatch):
    monkeypatch.setenv("IPMONITOR_TODAY", "2013-04-02T01:02:03+00:00")
    c = claim(lh, UM_A, A, "grant", 1000, "2013-04-01", "--note", "第一批", "--by", "王敏")
    ev = c.pop("events")
    assert c == {"id": "2013-0001", "application_no": UM_A, "claimant": A, "stage": "grant",
                 "state": "submitted", "claimed": 1000, "approved": 0, "paid": 0, "year": 2013,
                 "submitted_on": "2013-04-01", "note": "第一批", "paid_on": None, "voucher": None}
    assert len(ev) == 1 and ev[0]["type"] == "submitted" and ev[0]["by"] == "王敏" and ev[0]["event"] == 1
    assert ev[0]["prev_hash"] == "0" * 64 and len(ev[0]["hash"]) == 64
    assert ev[0]["at"] == "2013-04-02T01:02:03+00:00"       # the time it was recorded, in UTC


def test_claim_human_output_is_short(lh):
    out = lh("subsidy", "claim", "--application-no", UM_A, "--claimant", A, "--stage", "grant",
             "--amount", "800", "--date", "2013-04-01").stdout
    assert out.splitlines()[0] == "资助申请 2013-0001：申报。"
    assert len(out.splitlines()) == 3


def test_numbers_and_codes_are_read_in_any_usual_spelling(lh):
    c = claim(lh, "CN 2013 2 0123456.8", A.lower(), "GRANT", 1000)
    assert (c["application_no"], c["claimant"], c["stage"]) == (UM_A, A, "grant")


def test_by_defaults_to_the_os_user(lh, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "officer-li")
    assert claim(lh, UM_A, A, "grant", 1000)["events"][0]["by"] == "officer-li"


def test_date_defaults_to_today_in_the_district(lh, monkeypatch):
    monkeypatch.setenv("IPMONITOR_TODAY", "2013-06-30T17:00:00+00:00")   # 1 July, 01:00 in the district
    c = claim(lh, UM_A, A, "grant", 1000, None)
    assert (c["submitted_on"], c["id"]) == ("2013-07-01", "2013-0001")
    assert c["events"][0]["at"] == "2013-06-30T17:00:00+00:00"      # recorded in UTC


def test_ids_are_numbered_per_year_of_the_submitted_date(lh):
    assert claim(lh, UM_B_2012, B, "grant", 1000, "2012-12-31")["id"] == "2012-0001"
    assert claim(lh, UM_A, A, "grant", 1000, "2013-01-20")["id"] == "2013-0001"
    assert claim(lh, INV_A, A, "application", 1000, "2013-02-01")["id"] == "2013-0002"
    assert claim(lh, UM_B, B, "grant", 900, "2013-05-01")["id"] == "2013-0003"
    assert claim(lh, INV_A_GD, A, "grant", 4000, "2012-12-01")["id"] == "2012-0002"


@pytest.mark.parametrize("number, code, stage, amount, date, rule", [
    (NOT_STORED, A, "application", 1000, "2013-04-01", "not_filed"),
    ("201310123456.3", A, "application", 1000, "2013-04-01", "bad_check_digit"),
    ("2013101234", A, "application", 1000, "2013-04-01", "bad_application_no"),
    (INV_A, "91110000600037341X", "application", 1000, "2013-04-01", "bad_credit_code"),
    (INV_A, B, "application", 1000, "2013-04-01", "not_attributed"),          # A's filing
    (INV_PERSON, A, "application", 1000, "2013-04-01", "not_attributed"),     # nobody's filing
    (UM_A, OUTSIDER, "grant", 1000, "2013-04-01", "not_attributed"),          # not registered
    (INV_A, A, "grant", 4000, "2013-04-01", "not_granted"),                   # 实质审查
    (DES_B, B, "grant", 500, "2013-04-01", "not_granted"),                    # 受理
    (INV_A, A, "maintenance", 100, "2013-04-01", "not_granted"),
    (INV_A, A, "application", 1001, "2013-04-01", "over_rate"),
    (UM_A, A, "grant", 1001, "2013-04-01", "over_rate"),
    (INV_A, A, "pct", 10001, "2013-04-01", "over_rate"),
    (UM_A, A, "application", 100, "2013-04-01", "no_rate"),                   # no utility_model_application
    (UM_A, A, "maintenance", 100, "2013-04-01", "no_rate"),                   # no maintenance rate
    (INV_A, A, "application", 0, "2013-04-01", "bad_amount"),
    (INV_A, A, "application", -5, "2013-04-01", "bad_amount"),
    (INV_A, A, "application", 1000, "2013-01-09", "before_filing"),           # filed 2013-01-10
    (INV_A, A, "application", 1000, "2099-01-01", "future_date"),
])
def test_a_claim_that_breaks_a_rule_is_refused_and_nothing_is_stored(lh, number, code, stage, amount, date, rule):
    refused(claim(lh, number, code, stage, amount, date, exit=1), rule)
    assert listed(lh) == []
    assert event_count(lh) == 0


def test_amounts_up_to_the_rate_are_accepted(lh):
    assert claim(lh, INV_A, A, "application", 1000)["claimed"] == 1000
    assert claim(lh, INV_A, A, "pct", 10000)["claimed"] == 10000
    assert claim(lh, UM_A, A, "grant", 999)["claimed"] == 999


def test_attribution_by_name_and_former_name(lh):
    assert claim(lh, UM_B, B, "grant", 1000)["claimant"] == B          # by first applicant's name
    assert claim(lh, DES_B, B, "application", 10, "2012-12-01", exit=1).exit_code == 1   # before filing
    refused(claim(lh, DES_B, A, "application", 10, "2013-04-01", exit=1), "not_attributed")


def test_a_grant_date_makes_a_filing_granted(lh):
    assert claim(lh, INV_A_GD, A, "grant", 4000)["state"] == "submitted"


def test_a_year_without_rates_has_no_cap_and_a_year_without_settings_neither(lh):
    assert claim(lh, UM_B_2012, B, "application", 123456, "2012-12-01")["claimed"] == 123456
    assert claim(lh, INV_A, A, "application", 777777, "2014-01-05")["id"] == "2014-0001"


def test_one_live_claim_per_number_and_stage(lh):
    claim(lh, INV_A, A, "application", 1000)
    refused(claim(lh, INV_A, A, "application", 500, "2013-05-01", exit=1), "one_live_claim")
    assert claim(lh, INV_A, A, "pct", 8000)["id"] == "2013-0002"       # another stage is fine
    lh("subsidy", "approve", "2013-0001", "--amount", "1000")
    refused(claim(lh, INV_A, A, "application", 500, "2013-05-01", exit=1), "one_live_claim")
    lh("subsidy", "pay", "2013-0001", "--date", "2013-06-01", "--voucher", "PZ-1")
    refused(claim(lh, INV_A, A, "application", 500, "2013-06-02", exit=1), "one_live_claim")
    # a later year does not reopen it either
    refused(claim(lh, INV_A, A, "application", 500, "2014-02-01", exit=1), "one_live_claim")


def test_a_rejected_claim_may_be_claimed_again(lh):
    claim(lh, UM_A, A, "grant", 1000)
    lh("subsidy", "reject", "2013-0001", "--reason", "材料不全")
    again = claim(lh, UM_A, A, "grant", 1000, "2013-05-02")
    assert again["id"] == "2013-0002" and again["state"] == "submitted"
    refused(claim(lh, UM_A, A, "grant", 1000, "2013-05-03", exit=1), "one_live_claim")


def test_concurrent_claims_from_separate_processes_get_distinct_ids(lh, home):
    import subprocess
    import sys
    jobs = [(UM_A, A, "grant"), (INV_A, A, "application"), (UM_B, B, "grant"), (INV_A_GD, A, "grant")]
    procs = [subprocess.Popen([sys.executable, "-m", "ipmonitor", "--home", str(home), "subsidy", "claim",
                               "--application-no", n, "--claimant", c, "--stage", s, "--amount", "500",
                               "--date", "2013-04-01", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for n, c, s in jobs]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1] for o in outs]
    assert sorted(json.loads(o[0])["id"] for o in outs) == ["2013-0001", "2013-0002", "2013-0003", "2013-0004"]
    assert lh.json("subsidy", "verify")["events"] == 4


def test_a_refusal_from_a_real_process_is_one_line_and_exit_1(lh, home):
    from conftest import run_process
    r = run_process("subsidy", "claim", "--application-no", INV_A, "--claimant", A, "--stage", "grant",
                    "--amount", "10", "--date", "2013-04-01", home=home)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("ipmonitor: 不予受理：专利尚未授权（规则 not_granted）：") and r.stderr.count("\n") == 1


# --- transitions ---------------------------------------------------------------------------------------

def _in_state(cli, state: str) -> str:
    cid = claim(cli, UM_A, A, "grant", 1000)["id"]
    if state in ("approved", "paid"):
        cli("subsidy", "approve", cid, "--amount", "800")
    if state == "paid":
        cli("subsidy", "pay", cid, "--date", "2013-05-01", "--voucher", "PZ-7")
    if state == "rejected":
        cli("subsidy", "reject", cid, "--reason", "不符合条件")
    return cid


ACTIONS = {"approve": ["--amount", "500"], "reject": ["--reason", "重复申报"],
           "pay": ["--date", "2013-06-01", "--voucher", "PZ-9"]}
ALLOWED = {("submitted", "approve"): "approved", ("submitted", "reject"): "rejected",
           ("approved", "pay"): "paid"}


@pytest.mark.parametrize("state", ["submitted", "approved", "rejected", "paid"])
@pytest.mark.parametrize("action", ["approve", "reject", "pay"])
def test_transitions(lh, state, action):
    cid = _in_state(lh, state)
    before = event_count(lh)
    if (state, action) in ALLOWED:
        c = lh.json("subsidy", action, cid, *ACTIONS[action], "--by", "张科长")
        assert c["state"] == ALLOWED[(state, action)]
        assert c["events"][-1]["by"] == "张科长"
        assert event_count(lh) == before + 1
    else:
        refused(lh("subsidy", action, cid, *ACTIONS[action], code=1), "transition")
        assert listed(lh)[0]["state"] == state
        assert event_count(lh) == before


def test_amounts_through_the_states(lh):
    cid = claim(lh, UM_A, A, "grant", 1000)["id"]
    refused(lh("subsidy", "approve", cid, "--amount", "1001", code=1), "over_claimed")
    refused(lh("subsidy", "approve", cid, "--amount", "0", code=1), "bad_amount")
    c = lh.json("subsidy", "approve", cid, "--amount", "600")
    assert (c["state"], c["claimed"], c["approved"], c["paid"]) == ("approved", 1000, 600, 0)
    assert c["events"][-1]["amount"] == 600
    refused(lh("subsidy", "pay", cid, "--date", "2013-03-31", "--voucher", "PZ-1", code=1), "before_submission")
    refused(lh("subsidy", "pay", cid, "--date", "2099-01-01", "--voucher", "PZ-1", code=1), "future_date")
    c = lh.json("subsidy", "pay", cid, "--date", "2013-04-20", "--voucher", "PZ-2013-031")
    assert (c["state"], c["approved"], c["paid"], c["paid_on"], c["voucher"]) == \
        ("paid", 600, 600, "2013-04-20", "PZ-2013-031")
    assert [e["type"] for e in c["events"]] == ["submitted", "approved", "paid"]


def test_reject_records_the_reason(lh):
    cid = claim(lh, UM_A, A, "grant", 1000)["id"]
    c = lh.json("subsidy", "reject", cid, "--reason", "专利权人与申请单位不一致")
    assert (c["state"], c["approved"], c["paid"]) == ("rejected", 0, 0)
    assert c["events"][-1]["reason"] == "专利权人与申请单位不一致"
    refused(lh("subsidy", "reject", claim(lh, INV_A, A, "application", 1000)["id"], "--reason", " ", code=1),
            "no_reason")


def test_an_unknown_claim_is_refused(lh):
    refused(lh("subsidy", "approve", "2013-0099", "--amount", "1", code=1), "unknown_claim")


# --- the budget ----------------------------------------------------------------------------------------

def test_approvals_stop_at_the_budget_unless_over_budget(lh, home):
    big = claim(lh, INV_A_GD, A, "grant", 4000)["id"]            # 2013 budget: 5000
    one = claim(lh, UM_A, A, "grant", 1000)["id"]
    third = claim(lh, UM_B, B, "grant", 1000)["id"]
    old = claim(lh, UM_B_2012, B, "grant", 90000, "2012-12-01")["id"]   # 2012: its own budget
    lh("subsidy", "approve", old, "--amount", "90000")
    lh("subsidy", "approve", big, "--amount", "4000")
    lh("subsidy", "approve", one, "--amount", "1000")              # exactly the budget: allowed
    r = lh("subsidy", "approve", third, "--amount", "1", code=1)
    refused(r, "budget")
    assert "5,001" in r.stderr and "5,000" in r.stderr and "--over-budget" in r.stderr
    assert listed(lh, "--state", "approved", "--year", "2013") and \
        [c["id"] for c in listed(lh, "--state", "submitted")] == [third]
    c = lh.json("subsidy", "approve", third, "--amount", "700", "--over-budget")
    assert c["state"] == "approved"
    assert "5,700" in c["events"][-1]["reason"]           # the overrun is on the record
    db = connect(home / "ipmonitor.db")
    s = subsidies.year_summary(db, load_settings(home), 2013)
    assert (s["budget"], s["approved"], s["overrun"], s["remaining"]) == (5000, 5700, 700, -700)
    s12 = subsidies.year_summary(db, load_settings(home), 2012)
    assert (s12["budget"], s12["approved"], s12["overrun"], s12["remaining"]) == (100000, 90000, 0, 10000)


def test_rejected_claims_do_not_use_the_budget(lh):
    a = claim(lh, INV_A_GD, A, "grant", 4000)["id"]
    b = claim(lh, UM_A, A, "grant", 1000)["id"]
    lh("subsidy", "approve", a, "--amount", "4000")
    lh("subsidy", "reject", b, "--reason", "撤回")
    c = claim(lh, UM_B, B, "grant", 1000)["id"]
    assert lh.json("subsidy", "approve", c, "--amount", "1000")["approved"] == 1000


# --- corrections ---------------------------------------------------------------------------------------

def test_corrections_are_events_and_the_claim_row_stays(lh, home):
    cid = claim(lh, UM_A, A, "grant", 900, "2013-04-01", "--note", "旧备注")["id"]
    c = lh.json("subsidy", "correct", cid, "--field", "amount", "--value", "1000", "--why", "填错")
    assert c["claimed"] == 1000
    e = c["events"][-1]
    assert (e["type"], e["field"], e["old"], e["new"], e["reason"]) == ("corrected", "amount", "900", "1000", "填错")
    refused(lh("subsidy", "correct", cid, "--field", "amount", "--value", "1001", "--why", "x", code=1), "over_rate")
    corrected = lh.json("subsidy", "correct", cid, "--field", "note", "--value", "新备注", "--why", "更正")
    assert corrected["note"] == "新备注"
    lh("subsidy", "approve", cid, "--amount", "1000")
    refused(lh("subsidy", "correct", cid, "--field", "amount", "--value", "800", "--why", "x", code=1), "correction")
    row = sqlite3.connect(home / "ipmonitor.db").execute(
        "SELECT amount, note FROM subsidy_claims WHERE id = ?", (cid,)).fetchone()
    assert row == (900, "旧备注")
    assert lh.json("subsidy", "verify")["ok"] is True


# --- the hash chain --------------------------------------------------------------------------------------

def _four_events(cli) -> list[dict]:
    cid = claim(cli, UM_A, A, "grant", 1000, "2013-04-01", "--note", "备注")["id"]
    cli("subsidy", "approve", cid, "--amount", "1000")
    claim(cli, INV_A, A, "application", 1000, "2013-04-02")
    cli("subsidy", "pay", cid, "--date", "2013-05-01", "--voucher", "PZ-1")
    return listed(cli)


def _recompute(claim_row: dict, e: dict) -> str:
    """The documented canonical form (docs/subsidies.md), written out independently of ledger.py."""
    keys = ["event", "claim_id", "type", "by", "at", "amount", "reason", "paid_on", "voucher",
            "field", "old", "new", "source", "prev_hash"]
    content = {k: e.get(k) for k in keys}
    if e["type"] == "submitted":
        content["claim"] = {k: claim_row[k] for k in ("id", "application_no", "claimant", "stage",
                                                       "amount", "submitted_on", "note")}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_verify_prints_the_head_that_anyone_can_recompute(lh):
    claims = _four_events(lh)
    doc = lh.json("subsidy", "verify")
    assert doc["ok"] is True and doc["events"] == 4 and doc["first_bad"] is None
    events = sorted(((c, e) for c in claims for e in c["events"]), key=lambda ce: ce[1]["event"])
    assert [e["event"] for _, e in events] == [1, 2, 3, 4]
    prev = "0" * 64
    for c, e in events:
        row = {"id": c["id"], "application_no": c["application_no"], "claimant": c["claimant"],
               "stage": c["stage"], "amount": c["claimed"], "submitted_on": c["submitted_on"], "note": c["note"]}
        assert e["prev_hash"] == prev
        assert _recompute(row, {**e, "claim_id": c["id"]}) == e["hash"]
        prev = e["hash"]
    assert doc["head"] == prev
    out = lh("subsidy", "verify").stdout
    assert out.strip() == f"资助记录核验通过：共 4 条记录，最新校验值 {prev}"


def test_the_recipe_in_the_docs_recomputes_the_head(lh, home, monkeypatch, capsys):
    import re
    _four_events(lh)
    head = lh.json("subsidy", "verify")["head"]
    doc = (Path(__file__).resolve().parent.parent / "docs" / "subsidies.md").read_text(encoding="utf-8")
    recipe = re.findall(r"```python\n(.*?)```", doc, re.S)
    assert len(recipe) == 1
    monkeypatch.chdir(home)
    exec(recipe[0], {})
    assert capsys.readouterr().out.strip() == f"head {head}"


def test_an_empty_log_verifies(lh):
    assert lh.json("subsidy", "verify") == {"ok": True, "events": 0, "head": None, "first_bad": None}


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "ipmonitor.db", isolation_level=None)


@pytest.mark.parametrize("sql", ["UPDATE subsidy_events SET amount = 5 WHERE seq = 2",
                                 "DELETE FROM subsidy_events WHERE seq = 4",
                                 "UPDATE subsidy_claims SET amount = 5",
                                 "DELETE FROM subsidy_claims"])
def test_the_tables_refuse_updates_and_deletes(lh, home, sql):
    _four_events(lh)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        _db(home).execute(sql)
    assert lh.json("subsidy", "verify")["ok"] is True


DROP = ("DROP TRIGGER subsidy_events_no_update; DROP TRIGGER subsidy_events_no_delete; "
        "DROP TRIGGER subsidy_claims_no_update; DROP TRIGGER subsidy_claims_no_delete;")


@pytest.mark.parametrize("tamper, event, claim_id", [
    ("UPDATE subsidy_events SET amount = 2000 WHERE seq = 2", 2, "2013-0001"),     # approved amount
    ("UPDATE subsidy_events SET voucher = 'PZ-X' WHERE seq = 4", 4, "2013-0001"),
    ("UPDATE subsidy_events SET recorded_by = 'someone' WHERE seq = 3", 3, "2013-0002"),
    ("UPDATE subsidy_claims SET amount = 900 WHERE id = '2013-0002'", 3, "2013-0002"),
    ("UPDATE subsidy_claims SET note = NULL WHERE id = '2013-0001'", 1, "2013-0001"),
    ("DELETE FROM subsidy_events WHERE seq = 2", 3, "2013-0002"),
    ("DELETE FROM subsidy_events WHERE seq = 1", 2, "2013-0001"),
    ("UPDATE subsidy_events SET seq = 9 WHERE seq = 4", 9, "2013-0001"),
])
def test_verify_names_the_first_event_that_does_not_match(lh, home, tamper, event, claim_id):
    _four_events(lh)
    con = _db(home)
    con.executescript(DROP)
    con.executescript("PRAGMA foreign_keys = OFF; " + tamper)
    con.close()
    r = lh("subsidy", "verify", "--json", code=1)
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["head"] is None
    assert (doc["first_bad"]["event"], doc["first_bad"]["claim_id"]) == (event, claim_id)
    r = lh("subsidy", "verify", code=1)
    assert r.stderr.startswith(f"ipmonitor: 资助记录核验未通过：第 {event} 条记录 （资助申请 {claim_id}）：")
    assert len(r.stderr.strip().splitlines()) == 1


def test_an_event_rewritten_with_a_fresh_hash_breaks_the_link_to_the_next(lh, home):
    claims = _four_events(lh)
    approved = next(e for e in claims[0]["events"] if e["type"] == "approved")
    assert approved["event"] == 2
    forged = _recompute({}, {**approved, "claim_id": "2013-0001", "amount": 100})
    con = _db(home)
    con.executescript(DROP)
    con.execute("UPDATE subsidy_events SET amount = 100, hash = ? WHERE seq = 2", (forged,))
    doc = lh.json("subsidy", "verify", code=1)
    assert (doc["first_bad"]["event"], doc["first_bad"]["claim_id"]) == (3, "2013-0002")
    assert "prev_hash" in doc["first_bad"]["problem"]


def test_a_claim_row_without_its_events_is_named(lh, home):
    _four_events(lh)
    _db(home).execute("INSERT INTO subsidy_claims (id, year, number, application_no, claimant, stage, amount, "
                      f"submitted_on) VALUES ('2013-0003', 2013, 3, '{UM_B}', '{B}', 'grant', 1000, '2013-04-03')")
    doc = lh.json("subsidy", "verify", code=1)
    assert doc["first_bad"] == {"event": None, "claim_id": "2013-0003",
                                "problem": "a claim row without a submitted event"}


def test_dropped_triggers_fail_verify(lh, home):
    _four_events(lh)
    _db(home).executescript(DROP)
    doc = lh.json("subsidy", "verify", code=1)
    assert doc["ok"] is False and "append-only triggers are missing" in doc["first_bad"]["problem"]


def test_cutting_the_last_event_is_caught_by_the_printed_head(lh, home):
    _four_events(lh)
    printed = lh.json("subsidy", "verify")["head"]
    con = _db(home)
    con.executescript(DROP + " DELETE FROM subsidy_events WHERE seq = 4;")
    con.executescript(" ".join(f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} BEGIN "
                               f"SELECT RAISE(ABORT, 'append-only'); END;"
                               for t in ("subsidy_claims", "subsidy_events") for op in ("UPDATE", "DELETE")))
    doc = lh.json("subsidy", "verify")
    assert doc["ok"] is True and doc["events"] == 3
    assert doc["head"] != printed          # the printed copy shows the log was cut


# --- import ----------------------------------------------------------------------------------------------

CLAIMS_FILE = f"""申请号,统一社会信用代码,资助类别,申请金额,申报日期,备注
{UM_A},{A},授权资助,1000,2013-04-01,首批
{INV_A},{A},申请资助,"1,000",2013/4/2,
{INV_A},{A},PCT国际申请,10000,2013-04-03,
{UM_B},{B},grant,800.0,2013年4月5日,
201310123456.3,{A},申请资助,1000,2013-04-01,
{UM_B},91110000600037341X,授权资助,1000,2013-04-01,
{UM_B},{B},奖励,1000,2013-04-01,
{UM_B},{B},授权资助,一千,2013-04-01,
{UM_B},{B},授权资助,1000,2013-13-01,
{INV_A},{A},授权资助,4000,2013-04-01,
{UM_A},{A},授权资助,1000,2013-04-09,
{INV_PERSON},{A},申请资助,1000,2013-04-01,
{INV_A_GD},{A},授权资助,4001,2013-04-01,
{NOT_STORED},{A},申请资助,1000,2013-04-01,
{UM_B_2012},{B},年费资助,300,2013-04-01,
"""
EXPECTED_REJECTS = [
    (6, "201310123456.3", "bad_check_digit"), (7, UM_B, "bad_credit_code"), (8, UM_B, "bad_stage"),
    (9, UM_B, "bad_amount"), (10, UM_B, "bad_date"), (11, INV_A, "not_granted"),
    (12, UM_A, "one_live_claim"), (13, INV_PERSON, "not_attributed"), (14, INV_A_GD, "over_rate"),
    (15, NOT_STORED, "not_filed"), (16, UM_B_2012, "no_rate"),
]


def test_import_stores_the_good_rows_and_rejects_the_others_with_reasons(lh, home):
    path = write(home / "claims.csv", CLAIMS_FILE)
    doc = lh.json("subsidy", "import", path, "--by", "导入员")
    f = doc["files"][0]
    assert set(f) == {"file", "sha256", "status", "rows", "new", "updated", "unchanged", "duplicate",
                      "rejected", "warnings", "error", "import_id", "agency"}
    assert (f["file"], f["status"], f["rows"], f["new"], f["rejected"], f["error"]) == \
        ("claims.csv", "imported", 15, 4, 11, None)
    assert f["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    got = [(c["id"], c["application_no"], c["stage"], c["claimed"], c["submitted_on"], c["note"])
           for c in listed(lh)]
    assert got == [("2013-0001", UM_A, "grant", 1000, "2013-04-01", "首批"),
                   ("2013-0002", INV_A, "application", 1000, "2013-04-02", None),
                   ("2013-0003", INV_A, "pct", 10000, "2013-04-03", None),
                   ("2013-0004", UM_B, "grant", 800, "2013-04-05", None)]
    first = listed(lh)[0]["events"][0]
    assert (first["by"], first["source"]) == ("导入员", "claims.csv:2")
    db = connect(home / "ipmonitor.db")
    rejects = records.rejects(db, "subsidy")
    assert [(r["line"], r["application_no"], r["reason"]) for r in rejects] == EXPECTED_REJECTS
    assert all(r["file"] == "claims.csv" and r["message"] for r in rejects)
    assert lh.json("rejects") == []                    # the agency-file rejects are not mixed in


def test_the_same_file_twice_is_skipped(lh, home):
    path = write(home / "claims.csv", CLAIMS_FILE)
    lh("subsidy", "import", path)
    again = lh.json("subsidy", "import", write(home / "copy.csv", CLAIMS_FILE))["files"][0]
    assert (again["file"], again["status"], again["rows"], again["new"]) == ("copy.csv", "skipped", 0, 0)
    assert len(listed(lh)) == 4
    assert "已跳过" in lh("subsidy", "import", path).stdout


def test_import_reads_gbk_and_english_headers(lh, home):
    gbk = write(home / "gbk.csv",
                f"申请号,统一社会信用代码,资助类别,申请金额,申报日期\n{UM_A},{A},授权资助,1000,2013-04-01\n",
                encoding="gb18030")
    assert lh.json("subsidy", "import", gbk)["files"][0]["new"] == 1
    eng = write(home / "en.csv",
                f"application_no,claimant,stage,amount,date\n{INV_A},{A},application,1000,2013-04-02\n")
    assert lh.json("subsidy", "import", eng)["files"][0]["new"] == 1
    assert [c["id"] for c in listed(lh)] == ["2013-0001", "2013-0002"]


def test_a_file_without_the_columns_fails_whole_and_is_not_remembered(lh, home):
    path = write(home / "bad.csv", f"申请号,统一社会信用代码\n{UM_A},{A}\n")
    r = lh("subsidy", "import", path, "--json", code=1)
    f = json.loads(r.stdout)["files"][0]
    assert f["status"] == "failed" and f["error"].startswith("缺少必需的列：资助类别、申请金额、申报日期")
    assert listed(lh) == []
    path.write_text(f"申请号,统一社会信用代码,资助类别,申请金额,申报日期\n{UM_A},{A},授权资助,1000,2013-04-01\n",
                    encoding="utf-8")
    assert lh.json("subsidy", "import", path)["files"][0]["status"] == "imported"
    missing = lh("subsidy", "import", home / "nope.csv", "--json", code=1)
    assert json.loads(missing.stdout)["files"][0]["error"].startswith("找不到文件")


# --- list and the page data --------------------------------------------------------------------------------

def _mixed(cli):
    claim(cli, UM_B_2012, B, "grant", 1000, "2012-12-01")                  # 2012-0001 submitted
    claim(cli, UM_A, A, "grant", 1000)                                     # 2013-0001 → paid 900
    cli("subsidy", "approve", "2013-0001", "--amount", "900")
    cli("subsidy", "pay", "2013-0001", "--date", "2013-05-01", "--voucher", "PZ-1")
    claim(cli, INV_A, A, "application", 1000)                              # 2013-0002 → rejected
    cli("subsidy", "reject", "2013-0002", "--reason", "材料不全")
    claim(cli, UM_B, B, "grant", 1000)                                     # 2013-0003 → approved 1000
    cli("subsidy", "approve", "2013-0003", "--amount", "1000")
    claim(cli, INV_A_GD, A, "grant", 3000)                                 # 2013-0004 submitted


def test_list_filters_by_year_and_state(lh):
    _mixed(lh)
    assert [c["id"] for c in listed(lh)] == ["2012-0001", "2013-0001", "2013-0002", "2013-0003", "2013-0004"]
    assert [c["id"] for c in listed(lh, "--year", "2013", "--state", "submitted")] == ["2013-0004"]
    assert [c["id"] for c in listed(lh, "--state", "submitted")] == ["2012-0001", "2013-0004"]
    assert [c["id"] for c in listed(lh, "--year", "2012")] == ["2012-0001"]
    out = lh("subsidy", "list", "--year", "2013").stdout.splitlines()
    assert out[-1] == "共 4 笔：申请 6,000 元，批准 1,900 元，拨付 900 元"


def test_year_summary_and_claims_of(lh, home):
    _mixed(lh)
    db = connect(home / "ipmonitor.db")
    s = subsidies.year_summary(db, load_settings(home), 2013)
    assert {k: s[k] for k in ("year", "budget", "claims", "claimed", "approved", "paid", "remaining", "overrun")} == \
        {"year": 2013, "budget": 5000, "claims": 4, "claimed": 6000, "approved": 1900, "paid": 900,
         "remaining": 3100, "overrun": 0}
    assert [(r["state"], r["count"], r["claimed"], r["approved"], r["paid"]) for r in s["by_state"]] == [
        ("submitted", 1, 3000, 0, 0), ("approved", 1, 1000, 1000, 0), ("rejected", 1, 1000, 0, 0),
        ("paid", 1, 1000, 900, 900)]
    assert [(r["credit_code"], r["name"], r["count"], r["approved"]) for r in s["by_enterprise"]] == [
        (B, "宿迁乙机械有限公司", 1, 1000), (A, "宿迁甲科技有限公司", 3, 900)]
    assert [c["id"] for c in s["items"]] == ["2013-0001", "2013-0002", "2013-0003", "2013-0004"]
    assert (s["items"][1]["state_zh"], s["items"][1]["stage_zh"], s["items"][1]["claimant_name"]) == \
        ("已驳回", "申请资助", "宿迁甲科技有限公司")
    assert s["events"] == 9 and s["head"] == lh.json("subsidy", "verify")["head"] and s["chain"]["ok"]
    mine = subsidies.claims_of(db, B)
    assert [(c["id"], c["state"], len(c["events"])) for c in mine] == [("2012-0001", "submitted", 1),
                                                                      ("2013-0003", "approved", 2)]
    assert subsidies.claims_of(db, C) == []


# --- the demo seeds -----------------------------------------------------------------------------------------

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = ["README.md", "claims_2012.csv", "claims_2013.csv", "decisions.csv"]


def test_committed_subsidy_seeds_are_what_the_generator_writes(tmp_path):
    import subprocess
    import sys
    subprocess.run([sys.executable, str(SEEDS / "generate_subsidies.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == SEED_FILES
    for name in SEED_FILES:
        assert (tmp_path / name).read_bytes() == (SEEDS / "subsidies" / name).read_bytes(), \
            f"seeds/subsidies/{name} differs: run `python seeds/generate_subsidies.py`"


def test_the_demo_log_has_2012s_58_items_and_108000_yuan(tmp_path):
    from ipmonitor import demo
    home, results, _ = demo.build(SEEDS, tmp_path / "demo-home")
    try:
        by_file = {r["file"]: r for r in results}
        assert (by_file["claims_2012.csv"]["new"], by_file["claims_2012.csv"]["rejected"]) == (58, 0)
        assert (by_file["claims_2013.csv"]["new"], by_file["claims_2013.csv"]["rejected"]) == (41, 3)
        assert sorted(r["reason"] for r in records.rejects(home.db, "subsidy")) == \
            ["no_rate", "not_granted", "one_live_claim"]
        y12 = subsidies.year_summary(home.db, home.settings, 2012)
        assert (y12["claims"], y12["approved"], y12["paid"]) == (58, 108000, 108000)
        assert [s["count"] for s in y12["by_state"]] == [0, 0, 0, 58]
        y13 = subsidies.year_summary(home.db, home.settings, 2013)
        assert y13["claims"] == 41 and all(s["count"] > 0 for s in y13["by_state"])
        assert y13["budget"] == 150000 and y13["approved"] <= 150000 and y13["overrun"] == 0
        assert y13["chain"]["ok"] is True and y13["head"] == subsidies.verify(home.db)["head"]
    finally:
        home.close()


def test_pages_context_takes_the_budget_from_the_settings(lh, home):
    _mixed(lh)
    ctx = subsidies.pages_context(connect(home / "ipmonitor.db"), load_settings(home), 2013)
    assert {k: ctx["summary"][k] for k in ("budget", "claims", "claimed", "approved", "paid")} == \
        {"budget": 5000, "claims": 4, "claimed": 6000, "approved": 1900, "paid": 900}
    assert sorted(ctx["claims_by_entity"]) == sorted([A, B])
    assert [c["id"] for c in ctx["claims_by_entity"][B]] == ["2012-0001", "2013-0003"]


def test_claimant_by_registered_name_or_former_name_and_names_in_the_list(lh):
    c = claim(lh, UM_A, "宿迁甲科技有限公司", "grant", 1000)
    assert c["claimant"] == A
    c = claim(lh, UM_B, "宿迁老乙机械厂", "grant", 1000)          # a former name (alias) of B
    assert c["claimant"] == B
    refused(claim(lh, DES_B, "宿迁丁公司", "application", 100, exit=1), "bad_credit_code")
    out = lh("subsidy", "list").stdout
    assert "宿迁甲科技有限公司" in out and "宿迁乙机械有限公司" in out


def test_status_counts_the_claims(lh):
    claim(lh, UM_A, A, "grant", 1000)
    claim(lh, INV_A, A, "application", 500)
    assert lh.json("status")["counts"] == {"filings": 7, "rejects": 0, "claims": 2}
