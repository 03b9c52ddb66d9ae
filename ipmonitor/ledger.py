"""The subsidy claims log: states, rules, canonical form and hash chain. Pure: no store, no files.

A claim's state is never stored: `fold` derives it from the claim's events.
Every event is hashed over `canonical(content)`, its content including the
previous event's hash and, for `submitted`, the claim row itself, so a change
to any stored row breaks the chain at that event (docs/subsidies.md).
The rule checks raise RuleViolation with `.rule` set to the rule's code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from . import words
from .errors import RuleViolation
from .filings import granted
from .tabular import text_key

STAGES = ("application", "grant", "pct", "maintenance")
_STAGE_WORDS = {**{s: s for s in STAGES}, **{v: k for k, v in words.table("stage", "zh").items()},
                "PCT": "pct", "PCT国际申请资助": "pct", "PCT申请": "pct", "国际申请": "pct",
                "申请": "application", "授权": "grant", "年费": "maintenance"}
STATES = ("submitted", "approved", "rejected", "paid")
EVENT_TYPES = ("submitted", "approved", "rejected", "paid", "corrected")
# event type → the states it may be recorded in (it leads to the state of its name)
TRANSITIONS = {"approved": ("submitted",), "rejected": ("submitted",), "paid": ("approved",)}
# correctable field → the states in which it may be corrected
CORRECTABLE = {"note": STATES, "amount": ("submitted",), "voucher": ("paid",)}
GRANTED_STAGES = ("grant", "maintenance")
GENESIS = "0" * 64
# The rules a refusal names (RuleViolation.rule); their words: words.py "reason.subsidy.*".
CLAIM_RULES = ("bad_stage", "bad_amount", "future_date", "not_filed", "not_attributed", "before_filing",
               "not_granted", "one_live_claim", "no_rate", "over_rate")
RULES = (*CLAIM_RULES, "transition", "over_claimed", "budget", "no_voucher", "before_submission",
         "correction", "no_actor", "no_reason", "unknown_claim", "bad_credit_code", "ambiguous_claimant")
CLAIM_FIELDS = ("id", "application_no", "claimant", "stage", "amount", "submitted_on", "note")
EVENT_FIELDS = ("event", "claim_id", "type", "by", "at", "amount", "reason", "paid_on", "voucher",
                "field", "old", "new", "source", "prev_hash")


def refuse(rule: str, message: str) -> RuleViolation:
    """A RuleViolation whose one line names the rule; `.rule` carries its code (import reasons)."""
    e = RuleViolation(words.say("error.refused", rule=rule, message=message,
                                what=words.reason(rule, "subsidy", default=rule)))
    e.rule, e.detail = rule, message
    return e


def claim_id(year: int, number: int) -> str:
    return f"{year}-{number:04d}"


def year_of(claim_id_: str) -> int:
    return int(claim_id_.split("-", 1)[0])


STAGE_WORDS = {text_key(k): v for k, v in _STAGE_WORDS.items()}


def parse_stage(text: str | None) -> str | None:
    """A stage from its English name or the words of the import (申请资助, 授权资助, PCT, 年费资助 …)."""
    return None if text is None else STAGE_WORDS.get(text_key(text))


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
    event = dict.fromkeys(EVENT_FIELDS)
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


def head_in_chain(events: list[dict], claims: dict[str, dict], head: str, missing_triggers=()) -> dict:
    """Is `head` (a hash printed earlier) the hash of an event of a chain that verifies?
    {"ok", "event": n | None, "events", "head", "problem"}: the log was cut before that event, or
    re-hashed from an earlier point, when the chain verifies and the hash is not in it."""
    chain = verify_chain(events, claims, missing_triggers)
    want = (head or "").strip().lower()
    out = {"ok": False, "event": None, "events": chain["events"], "head": chain["head"], "problem": None}
    if not chain["ok"]:
        return {**out, "problem": "the log itself does not verify: " + chain["first_bad"]["problem"]}
    at = next((e["event"] for e in events if e["hash"] == want), None)
    if at is None:
        return {**out, "problem": f"{want[:16]}… is not the hash of any event: the log was cut before it "
                                  "or rewritten and re-hashed since it was printed"}
    return {**out, "ok": True, "event": at}


def anchor_of(chain: dict) -> dict | None:
    """The log's anchor `{"events": n, "head": "<sha256 hex>"}` from a `verify` document; None while
    the log is empty or does not verify. Kept outside the database (weekly snapshots,
    progress.json, the weekly mail), it can later prove the log was neither cut nor re-hashed."""
    return {"events": chain["events"], "head": chain["head"]} if chain["ok"] and chain["head"] else None


def anchor_line(anchor: dict | None, lang: str | None = "zh-CN") -> str:
    """The anchor in one line, for the weekly mail and the snapshot's small file."""
    if anchor is None:
        return words.say("anchor.none", lang)
    return words.say("anchor.line", lang, events=anchor["events"], head=anchor["head"])


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

def rate_key(filing_type: str, stage: str) -> tuple[str, ...]:
    """The schedule keys for a filing type and stage, the first one present applies."""
    if stage == "pct":
        return ("pct",)
    if stage == "maintenance":
        return (f"{filing_type}_maintenance", "maintenance")
    return (f"{filing_type}_{stage}",)


MAX_AMOUNT = 10_000_000_000      # yuan: the config's bound on budgets and rates


def check_amount(amount, what: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refuse("bad_amount", words.say("refusal.bad_amount", what=words.say("field." + what), value=repr(amount)))
    if amount > MAX_AMOUNT:
        raise refuse("bad_amount", words.say("refusal.too_much", what=words.say("field." + what), amount=amount,
                                             most=MAX_AMOUNT))
    return amount


def check_rate(amount: int, filing_type: str, stage: str, year: int, schedule) -> None:
    """`schedule` is the year's SubsidyYear (or None); without `rates` there is no cap."""
    rates = None if schedule is None else schedule.rates
    if rates is None:
        return
    keys = rate_key(filing_type, stage)
    rate = next((rates[k] for k in keys if k in rates), None)
    if rate is None:
        raise refuse("no_rate", words.say("refusal.no_rate", year=year, keys=" / ".join(keys),
                                          stage=words.say("stage." + stage), type=words.say("type." + filing_type)))
    if amount > rate:
        raise refuse("over_rate", words.say("refusal.over_rate", amount=amount, year=year, rate=rate, keys=keys[0]))


def check_claim(*, application_no: str, claimant: str, stage: str, amount, submitted_on: dt.date,
                today: dt.date, filing: dict | None, attributed_to: str | None,
                claimant_known: bool, existing: dict | None, schedule) -> None:
    """Every rule on a new claim, in the order the refusals are reported. `filing` is the stored
    filing (type, filing_date, status, grant_date) or None; `existing` the live claim of the same
    number and stage (folded) or None; `schedule` the SubsidyYear of the submitted date's year."""
    if stage not in STAGES:
        raise refuse("bad_stage", words.say("refusal.bad_stage", stage=repr(stage), stages=", ".join(STAGES)))
    check_amount(amount)
    if submitted_on > today:
        raise refuse("future_date", words.say("refusal.future_submitted", date=submitted_on, today=today))
    if filing is None:
        raise refuse("not_filed", words.say("refusal.not_filed", no=application_no))
    if not claimant_known:
        raise refuse("not_attributed", words.say("refusal.not_registered", claimant=claimant))
    if attributed_to != claimant:
        whom = attributed_to or words.say("refusal.nobody")
        raise refuse("not_attributed", words.say("refusal.not_attributed", no=application_no, whom=whom,
                                                 claimant=claimant))
    if submitted_on.isoformat() < filing["filing_date"]:
        raise refuse("before_filing", words.say("refusal.before_filing", date=submitted_on,
                                                filing_date=filing["filing_date"], no=application_no))
    if stage in GRANTED_STAGES and not granted(filing):
        raise refuse("not_granted", words.say("refusal.not_granted", stage=words.say("stage." + stage),
                                              no=application_no,
                                              status=filing.get("status") or words.say("refusal.no_status")))
    if existing is not None:
        raise refuse("one_live_claim", words.say("refusal.one_live_claim", no=application_no,
                                                 stage=words.say("stage." + stage), id=existing["id"],
                                                 state=words.say("state." + existing["state"])))
    check_rate(amount, filing["type"], stage, submitted_on.year, schedule)


def check_transition(claim: dict, event_type: str) -> None:
    """Refuse an event the claim's state does not allow (submitted → approved | rejected, approved → paid)."""
    allowed = TRANSITIONS[event_type]
    if claim["state"] not in allowed:
        raise refuse("transition", words.say("refusal.transition", id=claim["id"],
                                             state=words.say("state." + claim["state"]),
                                             event=words.say("event." + event_type),
                                             allowed=" / ".join(words.say("state." + a) for a in allowed)))


def check_approval(claim: dict, amount, year_claims: list[dict], schedule, over_budget: bool) -> None:
    """Approve: the state, amount ≤ claimed, and the year's approved total within the budget."""
    check_transition(claim, "approved")
    check_amount(amount, "approved amount")
    if amount > claim["claimed"]:
        raise refuse("over_claimed", words.say("refusal.over_claimed", amount=amount, id=claim["id"],
                                               claimed=claim["claimed"]))
    budget = None if schedule is None else schedule.budget
    total = approved_total(year_claims) + amount
    if budget is not None and total > budget and not over_budget:
        raise refuse("budget", words.say("refusal.budget", amount=amount, year=claim["year"], total=total,
                                         budget=budget))


def check_payment(claim: dict, paid_on: dt.date, voucher: str, today: dt.date) -> None:
    check_transition(claim, "paid")
    if not (voucher or "").strip():
        raise refuse("no_voucher", words.say("refusal.no_voucher"))
    if paid_on > today:
        raise refuse("future_date", words.say("refusal.future_paid", date=paid_on, today=today))
    if paid_on.isoformat() < claim["submitted_on"]:
        raise refuse("before_submission", words.say("refusal.before_submission", date=paid_on,
                                                    submitted=claim["submitted_on"]))


def check_correction(claim: dict, field: str, value: str, why: str) -> str:
    """The old value, as text, of a correctable field; refuses what may not be corrected now."""
    if field not in CORRECTABLE:
        raise refuse("correction", words.say("refusal.not_correctable", field=repr(field),
                                             fields=", ".join(CORRECTABLE)))
    if claim["state"] not in CORRECTABLE[field]:
        raise refuse("correction", words.say("refusal.not_now", field=words.say("field." + field), id=claim["id"],
                                             state=words.say("state." + claim["state"]),
                                             states=" / ".join(words.say("state." + x) for x in CORRECTABLE[field])))
    if not (why or "").strip():
        raise refuse("correction", words.say("refusal.no_why"))
    old = {"amount": claim["claimed"], "note": claim["note"], "voucher": claim["voucher"]}[field]
    if str(old) == value:
        raise refuse("correction", words.say("refusal.same_value", field=words.say("field." + field), id=claim["id"],
                                        value=repr(value)))
    return "" if old is None else str(old)


# --- the pages' numbers --------------------------------------------------------------------------

def summarise(year: int, claims: list[dict], budget: int | None, names: dict[str, str]) -> dict:
    """The year's figures from its folded claims (see `year_summary` for the shape)."""
    def sums(cs: list[dict]) -> dict:
        return {"count": len(cs), "claimed": sum(c["claimed"] for c in cs),
                "approved": approved_total(cs), "paid": sum(c["paid"] for c in cs)}

    by_state = [{"state": s, "state_zh": words.say("state." + s), **sums([c for c in claims if c["state"] == s])}
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
