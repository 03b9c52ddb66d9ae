"""The subsidy claims log: states, rules, canonical form and hash chain (pure); the pages' data.

A claim's state is never stored: `fold` derives it from the claim's events.
Every event is hashed over `canonical(content)`, its content including the
previous event's hash and, for `submitted`, the claim row itself, so a change
to any stored row breaks the chain at that event (docs/subsidies.md).
The rule checks raise RuleViolation with `.rule` set to the rule's code.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import unicodedata
from pathlib import Path

from .errors import RuleViolation
from .filings import GRANTED_WORDS
from .store import claims as claims_store

STAGES = ("application", "grant", "pct", "maintenance")
STAGE_ZH = {"application": "申请资助", "grant": "授权资助", "pct": "PCT国际申请", "maintenance": "年费资助"}
_STAGE_WORDS = {**{s: s for s in STAGES}, **{v: k for k, v in STAGE_ZH.items()},
                "PCT": "pct", "PCT国际申请资助": "pct", "PCT申请": "pct", "国际申请": "pct",
                "申请": "application", "授权": "grant", "年费": "maintenance"}
STATES = ("submitted", "approved", "rejected", "paid")
STATE_ZH = {"submitted": "已申报", "approved": "已批准", "rejected": "未获批", "paid": "已拨付"}
EVENT_TYPES = ("submitted", "approved", "rejected", "paid", "corrected")
# event type → the states it may be recorded in (it leads to the state of its name)
TRANSITIONS = {"approved": ("submitted",), "rejected": ("submitted",), "paid": ("approved",)}
# correctable field → the states in which it may be corrected
CORRECTABLE = {"note": STATES, "amount": ("submitted",), "voucher": ("paid",)}
GRANTED_STAGES = ("grant", "maintenance")
GENESIS = "0" * 64
CLAIM_FIELDS = ("id", "application_no", "claimant", "stage", "amount", "submitted_on", "note")
EVENT_FIELDS = ("event", "claim_id", "type", "by", "at", "amount", "reason", "paid_on", "voucher",
                "field", "old", "new", "source", "prev_hash")


def refuse(rule: str, message: str) -> RuleViolation:
    """A RuleViolation whose one line names the rule; `.rule` carries its code (import reasons)."""
    e = RuleViolation(f"refused by rule {rule}: {message}")
    e.rule, e.detail = rule, message
    return e


def claim_id(year: int, number: int) -> str:
    return f"{year}-{number:04d}"


def year_of(claim_id_: str) -> int:
    return int(claim_id_.split("-", 1)[0])


def stage_key(text: str) -> str:
    """A stage word as compared: NFKC, no white space, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


STAGE_WORDS = {stage_key(k): v for k, v in _STAGE_WORDS.items()}


def parse_stage(text: str | None) -> str | None:
    """A stage from its English name or the words of the import (申请资助, 授权资助, PCT, 年费资助 …)."""
    return None if text is None else STAGE_WORDS.get(stage_key(text))


# --- the canonical form and the hash chain -------------------------------------------------------

def canonical(event: dict, claim: dict | None) -> bytes:
    """The bytes an event's hash is computed over: UTF-8 JSON, keys sorted, no spaces, non-ASCII
    kept; every field of EVENT_FIELDS (null when empty) and, for `submitted`, the claim's fields."""
    content = {k: event.get(k) for k in EVENT_FIELDS}
    if event.get("type") == "submitted":
        content["claim"] = None if claim is None else {k: claim.get(k) for k in CLAIM_FIELDS}
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def event_hash(event: dict, claim: dict | None) -> str:
    return hashlib.sha256(canonical(event, claim)).hexdigest()


def new_event(prev: tuple[int, str], claim_id_: str, type_: str, by: str, at: str,
              claim: dict | None = None, **fields) -> dict:
    """The next event after `prev` = (its number, its hash), hashed; `fields` from EVENT_FIELDS."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown event fields {sorted(unknown)}")
    event = {k: None for k in EVENT_FIELDS}
    event.update(fields, event=prev[0] + 1, claim_id=claim_id_, type=type_, by=by, at=at,
                 prev_hash=prev[1])
    event["hash"] = event_hash(event, claim)
    return event


def verify_chain(events: list[dict], claims: dict[str, dict], missing_triggers=()) -> dict:
    """Recompute the chain: `events` as stored, in order; `claims` by id; `missing_triggers` the
    append-only triggers not found. The `verify --json` document:
    {"ok", "events", "head", "first_bad": None | {"event", "claim_id", "problem"}}."""
    def bad(e: dict | None, claim: str | None, problem: str) -> dict:
        return {"ok": False, "events": len(events), "head": None,
                "first_bad": {"event": None if e is None else e["event"], "claim_id": claim, "problem": problem}}

    prev, submitted = GENESIS, set()
    for i, e in enumerate(events, start=1):
        cid = e.get("claim_id")
        if e["event"] != i:
            return bad(e, cid, f"expected event number {i} here: events before it are missing or renumbered")
        if e.get("prev_hash") != prev:
            return bad(e, cid, "its prev_hash is not the hash of the event before it")
        if e.get("hash") != event_hash(e, claims.get(cid)):
            what = "the event or its claim row" if e.get("type") == "submitted" else "the event"
            return bad(e, cid, f"its hash does not match its content ({what} was changed)")
        if (e.get("type") == "submitted") == (cid in submitted):
            return bad(e, cid, "each claim needs exactly one submitted event, before its other events")
        submitted.add(cid)
        prev = e["hash"]
    orphans = sorted(set(claims) - submitted)
    if orphans:
        return bad(None, orphans[0], "a claim row without a submitted event")
    if missing_triggers:
        return bad(None, None, f"the append-only triggers are missing: {', '.join(missing_triggers)}")
    return {"ok": True, "events": len(events), "head": prev if events else None, "first_bad": None}


# --- a claim's state, derived from its events ----------------------------------------------------

def fold(claim: dict, events: list[dict]) -> dict:
    """The claim as shown (`subsidy list --json`): its fields with corrections applied, the state,
    the claimed, approved and paid amounts, and its events (null fields left out)."""
    state, claimed, approved, paid = None, claim["amount"], 0, 0
    note, voucher, paid_on = claim.get("note"), None, None
    for e in events:
        t = e["type"]
        if t == "submitted":
            state = "submitted"
        elif t == "approved":
            state, approved = "approved", e["amount"] or 0
        elif t == "rejected":
            state = "rejected"
        elif t == "paid":
            state, paid, paid_on, voucher = "paid", approved, e["paid_on"], e["voucher"]
        elif t == "corrected":
            if e["field"] == "amount" and str(e["new"]).isdigit():   # only a tampered row holds anything else
                claimed = int(e["new"])
            elif e["field"] == "note":
                note = e["new"]
            elif e["field"] == "voucher":
                voucher = e["new"]
    return {"id": claim["id"], "application_no": claim["application_no"], "claimant": claim["claimant"],
            "stage": claim["stage"], "state": state, "claimed": claimed, "approved": approved, "paid": paid,
            "year": year_of(claim["id"]), "submitted_on": claim["submitted_on"], "note": note,
            "paid_on": paid_on, "voucher": voucher,
            "events": [{k: v for k, v in e.items() if v is not None and k != "claim_id"} for e in events]}


def live(claims: list[dict]) -> dict | None:
    """The folded claim that is still live (not rejected) among claims of one (number, stage)."""
    return next((c for c in claims if c["state"] != "rejected"), None)


def approved_total(claims: list[dict]) -> int:
    return sum(c["approved"] for c in claims if c["state"] in ("approved", "paid"))


# --- rules ---------------------------------------------------------------------------------------

def is_granted(filing: dict) -> bool:
    return (filing.get("status") or "") in GRANTED_WORDS or bool(filing.get("grant_date"))


def rate_key(filing_type: str, stage: str) -> tuple[str, ...]:
    """The schedule keys for a filing type and stage, the first one present applies."""
    if stage == "pct":
        return ("pct",)
    if stage == "maintenance":
        return (f"{filing_type}_maintenance", "maintenance")
    return (f"{filing_type}_{stage}",)


def check_amount(amount, what: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refuse("bad_amount", f"the {what} must be a whole number of yuan above 0, not {amount!r}")
    return amount


def check_rate(amount: int, filing_type: str, stage: str, year: int, schedule) -> None:
    """`schedule` is the year's SubsidyYear (or None); without `rates` there is no cap."""
    rates = None if schedule is None else schedule.rates
    if rates is None:
        return
    keys = rate_key(filing_type, stage)
    rate = next((rates[k] for k in keys if k in rates), None)
    if rate is None:
        raise refuse("no_rate", f"{year}'s schedule has no rate {' or '.join(keys)}: "
                                f"{stage} claims on {filing_type} filings are not subsidised that year")
    if amount > rate:
        raise refuse("over_rate", f"{amount} yuan is more than {year}'s rate {keys[0]} = {rate} yuan")


def check_claim(*, application_no: str, claimant: str, stage: str, amount, submitted_on: dt.date,
                today: dt.date, filing: dict | None, attributed_to: str | None,
                claimant_known: bool, existing: dict | None, schedule) -> None:
    """Every rule on a new claim, in the order the refusals are reported. `filing` is the stored
    filing (type, filing_date, status, grant_date) or None; `existing` the live claim of the same
    number and stage (folded) or None; `schedule` the SubsidyYear of the submitted date's year."""
    if stage not in STAGES:
        raise refuse("bad_stage", f"stage {stage!r} is not one of {', '.join(STAGES)}")
    check_amount(amount)
    if submitted_on > today:
        raise refuse("future_date", f"the submitted date {submitted_on} is after today ({today})")
    if filing is None:
        raise refuse("not_filed", f"{application_no} is not a stored filing (import the agency export first)")
    if not claimant_known:
        raise refuse("not_attributed", f"claimant {claimant} is not in the registry")
    if attributed_to != claimant:
        whom = f"to {attributed_to}" if attributed_to else "to no registered entity"
        raise refuse("not_attributed", f"{application_no} is attributed {whom}, not to the claimant {claimant}")
    if submitted_on.isoformat() < filing["filing_date"]:
        raise refuse("before_filing", f"the submitted date {submitted_on} is before the filing date "
                                      f"{filing['filing_date']} of {application_no}")
    if stage in GRANTED_STAGES and not is_granted(filing):
        raise refuse("not_granted", f"a {stage} claim needs a granted filing; {application_no} is "
                                    f"{filing.get('status') or 'without a legal status'} and has no grant date")
    if existing is not None:
        raise refuse("one_live_claim", f"{application_no} already has the {stage} claim {existing['id']} "
                                       f"({existing['state']}); a new one is allowed only after a rejection")
    check_rate(amount, filing["type"], stage, submitted_on.year, schedule)


def check_transition(claim: dict, event_type: str) -> None:
    """Refuse an event the claim's state does not allow (submitted → approved | rejected, approved → paid)."""
    allowed = TRANSITIONS[event_type]
    if claim["state"] not in allowed:
        verb = {"approved": "approve", "rejected": "reject", "paid": "pay"}[event_type]
        raise refuse("transition", f"claim {claim['id']} is {claim['state']}; {verb} needs a "
                                   f"{' or '.join(allowed)} claim "
                                   "(submitted → approved | rejected, approved → paid)")


def check_approval(claim: dict, amount, year_claims: list[dict], schedule, over_budget: bool) -> None:
    """Approve: the state, amount ≤ claimed, and the year's approved total within the budget."""
    check_transition(claim, "approved")
    check_amount(amount, "approved amount")
    if amount > claim["claimed"]:
        raise refuse("over_claimed", f"approving {amount} yuan on claim {claim['id']} is more than the "
                                     f"{claim['claimed']} yuan claimed")
    budget = None if schedule is None else schedule.budget
    total = approved_total(year_claims) + amount
    if budget is not None and total > budget and not over_budget:
        raise refuse("budget", f"approving {amount} yuan takes {claim['year']}'s approved total to "
                               f"{total:,} yuan, past the budget of {budget:,} (give --over-budget to approve anyway)")


def check_payment(claim: dict, paid_on: dt.date, voucher: str, today: dt.date) -> None:
    check_transition(claim, "paid")
    if not (voucher or "").strip():
        raise refuse("no_voucher", "a payment needs its voucher number")
    if paid_on > today:
        raise refuse("future_date", f"the payment date {paid_on} is after today ({today})")
    if paid_on.isoformat() < claim["submitted_on"]:
        raise refuse("before_submission", f"the payment date {paid_on} is before the claim's submitted "
                                          f"date {claim['submitted_on']}")


def check_correction(claim: dict, field: str, value: str, why: str) -> str:
    """The old value, as text, of a correctable field; refuses what may not be corrected now."""
    if field not in CORRECTABLE:
        raise refuse("correction", f"{field!r} cannot be corrected (only {', '.join(CORRECTABLE)}); "
                                   "reject the claim and submit a new one instead")
    if claim["state"] not in CORRECTABLE[field]:
        raise refuse("correction", f"the {field} of claim {claim['id']} cannot be corrected while it is "
                                   f"{claim['state']} (only while {' or '.join(CORRECTABLE[field])})")
    if not (why or "").strip():
        raise refuse("correction", "a correction needs its reason (--why)")
    old = {"amount": claim["claimed"], "note": claim["note"], "voucher": claim["voucher"]}[field]
    if str(old) == value:
        raise refuse("correction", f"the {field} of claim {claim['id']} is already {value!r}")
    return "" if old is None else str(old)


# --- the pages' numbers --------------------------------------------------------------------------

def summarise(year: int, claims: list[dict], budget: int | None, names: dict[str, str]) -> dict:
    """The year's figures from its folded claims (see `year_summary` for the shape)."""
    def sums(cs: list[dict]) -> dict:
        return {"count": len(cs), "claimed": sum(c["claimed"] for c in cs),
                "approved": approved_total(cs), "paid": sum(c["paid"] for c in cs)}

    by_state = [{"state": s, "state_zh": STATE_ZH[s], **sums([c for c in claims if c["state"] == s])}
                for s in STATES]
    per: dict[str, list[dict]] = {}
    for c in claims:
        per.setdefault(c["claimant"], []).append(c)
    by_enterprise = sorted(
        ({"credit_code": code, "name": names.get(code), **sums(cs)} for code, cs in per.items()),
        key=lambda r: (-r["approved"], -r["claimed"], r["credit_code"]))
    total = sums(claims)
    return {"year": year, "budget": budget, "claims": total["count"], "claimed": total["claimed"],
            "approved": total["approved"], "paid": total["paid"],
            "remaining": None if budget is None else budget - total["approved"],
            "overrun": None if budget is None else max(0, total["approved"] - budget),
            "by_state": by_state, "by_enterprise": by_enterprise}


# --- what the pages and the demo call (read the store through store/claims.py) -------------------

def verify(db) -> dict:
    """`subsidy verify --json`: the whole chain recomputed in order, then the append-only triggers."""
    return verify_chain(claims_store.all_events(db), claims_store.all_claims(db),
                        claims_store.triggers_missing(db))


def _shown(claim: dict, names: dict[str, str]) -> dict:
    return {**claim, "claimant_name": names.get(claim["claimant"]), "stage_zh": STAGE_ZH[claim["stage"]],
            "state_zh": STATE_ZH.get(claim["state"], claim["state"])}


def year_summary(db, settings, year: int) -> dict:
    """The subsidy page's data for `year` (claims whose submitted date falls in it):

    {"year": 2013, "budget": 150000 | None, "rates": {"invention_grant": 4000, …} | None,
     "claims": 40, "claimed": 61500, "approved": 30500, "paid": 18000,   # counts and yuan
     "remaining": 119500 | None, "overrun": 0 | None,   # budget − approved; approved beyond budget
     "by_state": [{"state": "submitted", "state_zh": "已申报", "count": 9, "claimed": 13500,
                   "approved": 0, "paid": 0}, …],        # always the four states, in STATES order
     "by_enterprise": [{"credit_code", "name", "count", "claimed", "approved", "paid"}, …],
                                                        # most approved first
     "items": [claim, …],   # as `subsidy list --json`, plus claimant_name, stage_zh, state_zh
     "events": 97, "head": "<sha256 hex>" | None,        # the whole log (all years)
     "chain": {"ok", "events", "head", "first_bad"}}     # `subsidy verify --json`

    `head` is None when the log is empty or does not verify (then `chain.first_bad` says why).
    """
    names = claims_store.entity_names(db)
    claims = [fold(c, es) for c, es in claims_store.claims_with_events(db, year=year)]
    schedule = settings.subsidy.get(year)
    chain = verify(db)
    return {**summarise(year, claims, None if schedule is None else schedule.budget, names),
            "rates": None if schedule is None else schedule.rates,
            "items": [_shown(c, names) for c in claims],
            "events": chain["events"], "head": chain["head"], "chain": chain}


def claims_of(db, credit_code: str) -> list[dict]:
    """An entity's claims of every year, by id: each as `subsidy list --json` prints it (with its
    events), plus claimant_name, stage_zh and state_zh."""
    names = claims_store.entity_names(db)
    return [_shown(fold(c, es), names) for c, es in claims_store.claims_with_events(db, claimant=credit_code)]


def pages_context(db, year: int, as_of: dt.date | None = None, settings=None) -> dict:
    """The subsidy slot of the pages (render.subsidy_context's contract):

    {"summary": year_summary(…) (budget, claims, claimed, approved, paid, … head),
     "claims_by_entity": {credit_code: claims_of(…) of every year},
     "page": bool — whether templates/subsidies.html exists to show `summary` in full}

    The log is shown as recorded now: `as_of` selects nothing (events carry recording times, not
    data dates). Without `settings` they are read from the home holding the database file.
    """
    if settings is None:
        from .config import load_settings   # the budget and rates live in the home's config
        main = next(r[2] for r in db.conn.execute("PRAGMA database_list") if r[1] == "main")
        settings = load_settings(Path(main).parent)
    names = claims_store.entity_names(db)
    by_entity: dict[str, list[dict]] = {}
    for c, es in claims_store.claims_with_events(db):
        by_entity.setdefault(c["claimant"], []).append(_shown(fold(c, es), names))
    return {"summary": year_summary(db, settings, year), "claims_by_entity": by_entity,
            "page": (Path(__file__).parent / "templates" / "subsidies.html").is_file()}


SEED_BY = "demo"


def apply_seed_decisions(home, folder: Path) -> list[dict]:
    """The demo's subsidy log from `folder` (seeds/subsidies): each `claims_<year>.csv` imported in
    year order, then that year's rows of `decisions.csv` (claim_id, action approve|reject|pay, amount,
    date, voucher, reason, by). Returns the import results (none without the folder); a decision the
    rules refuse raises RuleViolation."""
    from . import subsidies, subsidy_import   # they build on this module

    folder = Path(folder)
    if not (folder / "decisions.csv").is_file():
        return []
    with open(folder / "decisions.csv", encoding="utf-8-sig", newline="") as fh:
        decisions = list(csv.DictReader(fh))
    db, settings, results = home.db, home.settings, []
    for path in sorted(folder.glob("claims_*.csv")):
        results.append(subsidy_import.import_claims(db, settings, path, by=SEED_BY))
        for d in (d for d in decisions if d["claim_id"].startswith(path.stem.rsplit("_", 1)[-1] + "-")):
            by = d.get("by") or SEED_BY
            if d["action"] == "approve":
                subsidies.approve(db, settings, d["claim_id"], int(d["amount"]), by=by)
            elif d["action"] == "reject":
                subsidies.reject(db, settings, d["claim_id"], d["reason"], by=by)
            elif d["action"] == "pay":
                subsidies.pay(db, settings, d["claim_id"], dt.date.fromisoformat(d["date"]), d["voucher"], by=by)
            else:
                raise ValueError(f"decisions.csv: unknown action {d['action']!r}")
    return results
