"""An anchor for the subsidy log: a head printed earlier proves later that the log was neither cut
short nor rewritten and re-hashed; the head goes into every weekly snapshot and progress.json."""

from __future__ import annotations

import json

import pytest
from test_subsidy import DROP, _db, _four_events, lh  # noqa: F401 (lh is a fixture)

from ipmonitor import ledger
from ipmonitor.store import claims as claims_store
from ipmonitor.store import connect

pytestmark = pytest.mark.reliability


def _restore_triggers(home):
    """A careful forger puts the append-only triggers back after the deed."""
    con = _db(home)
    for t in claims_store.TABLES:
        for op in ("UPDATE", "DELETE"):
            con.execute(f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} BEGIN "
                        f"SELECT RAISE(ABORT, 'the subsidy log is append-only: {t} rows cannot be {op.lower()}d'); END")
    con.close()


def test_a_head_printed_earlier_is_still_in_the_chain(lh):
    claims = _four_events(lh)
    events = sorted((e for c in claims for e in c["events"]), key=lambda e: e["event"])
    earlier = events[1]["hash"]                       # the head as printed after two events
    out = lh("subsidy", "verify", "--head", earlier)
    assert out.stdout.startswith(f"{earlier} 仍在校验链中：第 2 条记录（共 4 条；")
    doc = lh.json("subsidy", "verify", "--head", earlier.upper())
    assert (doc["ok"], doc["event"], doc["events"]) == (True, 2, 4)


def test_a_cut_tail_fails_against_the_head_printed_before(lh, home):
    claims = _four_events(lh)
    head = lh.json("subsidy", "verify")["head"]
    con = _db(home)
    con.executescript(DROP + " DELETE FROM subsidy_events WHERE seq = 4;")
    con.close()
    _restore_triggers(home)
    assert lh.json("subsidy", "verify")["ok"] is True     # on its own the shorter chain looks fine
    r = lh("subsidy", "verify", "--head", head, code=1)
    assert len(r.stderr.strip().splitlines()) == 1 and "被截短" in r.stderr
    assert lh.json("subsidy", "verify", "--head", head, code=1)["ok"] is False
    assert len(claims) == 2


def test_a_rewritten_and_rehashed_chain_fails_against_the_head_printed_before(lh, home):
    _four_events(lh)
    head = lh.json("subsidy", "verify")["head"]
    con = _db(home)
    con.executescript(DROP + " UPDATE subsidy_events SET amount = 100 WHERE seq = 2;")
    con.close()
    db = connect(home / "ipmonitor.db")               # re-hash every event from the changed one on
    events, claims = claims_store.all_events(db), claims_store.all_claims(db)
    prev = events[0]["hash"]
    for e in events[1:]:
        e["prev_hash"] = prev
        e["hash"] = ledger.event_hash(e, claims.get(e["claim_id"]))
        db.conn.execute("UPDATE subsidy_events SET prev_hash = ?, hash = ? WHERE seq = ?",
                        (e["prev_hash"], e["hash"], e["event"]))
        prev = e["hash"]
    db.conn.close()
    _restore_triggers(home)
    assert lh.json("subsidy", "verify")["ok"] is True    # the forged chain verifies on its own
    r = lh("subsidy", "verify", "--head", head, code=1)
    assert "重新计算了校验值" in r.stderr


def test_the_head_goes_into_progress_json_and_the_weekly_snapshot(lh, home):
    _four_events(lh)
    head = lh.json("subsidy", "verify")["head"]
    lh("report", "--as-of", "2013-06-28", "--out", home / "reports")
    reports = home / "reports"
    doc = json.loads((reports / "progress.json").read_text(encoding="utf-8"))
    assert doc["subsidy_head"] == {"events": 4, "head": head}
    week = reports / "archive" / "2013-W26"
    assert json.loads((week / "progress.json").read_text(encoding="utf-8"))["subsidy_head"]["head"] == head
    assert (week / "subsidy-head.txt").read_text(encoding="utf-8").splitlines()[-1] == head
    assert head in (week / "index.html").read_text(encoding="utf-8")
    assert ledger.anchor_line({"events": 4, "head": head}).endswith(head)
