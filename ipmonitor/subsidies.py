"""Recording the subsidy log: each command checks `ledger`'s rules and appends its events in one transaction.

Every function takes the database and the settings, does its checks inside one
`store.transaction` (BEGIN IMMEDIATE, so the checks see the final state), and
returns the claim as `subsidy … --json` prints it. A refusal raises
RuleViolation before anything is written, and the transaction rolls back.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from . import clock, ids, ledger, store, words
from .config import Settings
from .progress import attribute
from .store import claims as claims_store
from .store import corrections, records


def today_in(settings: Settings) -> dt.date:
    return clock.today(settings.tz)


def canonical_number(text: str) -> str:
    try:
        return ids.canonical_application_no(text)
    except ValueError as e:
        raise ledger.refuse(str(e), f"{text!r} is not a valid application number ({e})") from None


def clean_code(text: str) -> str:
    code = ids.clean_credit_code_str(text or "")
    if not code or not ids.is_valid_credit_code(code):
        raise ledger.refuse("bad_credit_code", words.say("refusal.bad_credit_code", text=repr(text)))
    return code


def folded(db, **filters) -> list[dict]:
    """The claims matching `filters` (see claims_store.claims_with_events), state derived."""
    return [ledger.fold(c, es) for c, es in claims_store.claims_with_events(db, **filters)]


def get_claim(db, claim_id: str) -> dict:
    found = folded(db, claim_id=claim_id)
    if not found:
        raise ledger.refuse("unknown_claim", words.say("refusal.unknown_claim", id=claim_id))
    return found[0]


def filing_facts(db, numbers: list[str]) -> dict[str, dict]:
    """The stored filings among `numbers`, each with `entity`: the credit code it is attributed to."""
    filings = claims_store.filings_by_numbers(db, numbers)
    if filings.is_empty():
        return {}
    attributed = attribute(filings, records.entities(db), records.entity_aliases(db),
                           corrections.overrides(db))
    return {r["application_no"]: r for r in attributed.to_dicts()}


def actor(by: str | None) -> str:
    if not (by or "").strip():
        raise ledger.refuse("no_actor", words.say("refusal.no_actor"))
    return by.strip()


def _append(db, claim_id: str, type_: str, by: str, claim: dict | None = None, **fields) -> dict:
    event = ledger.new_event(claims_store.head(db) or (0, ledger.GENESIS), claim_id, type_, actor(by),
                             store.utc_now(), claim, **fields)
    claims_store.insert_event(db, event)
    return event


def record_claim(db, settings: Settings, facts: dict[str, dict], known: set[str], *, application_no: str,
                 claimant: str, stage: str, amount, submitted_on: dt.date, note: str | None, by: str,
                 today: dt.date, source: str | None = None) -> str:
    """Check and append one claim (numbers already canonical) inside the caller's transaction; its id."""
    by = actor(by)
    filing = facts.get(application_no)
    existing = (ledger.live(folded(db, application_no=application_no, stage=stage))
                if stage in ledger.STAGES else None)
    ledger.check_claim(application_no=application_no, claimant=claimant, stage=stage, amount=amount,
                       submitted_on=submitted_on, today=today, filing=filing,
                       attributed_to=None if filing is None else filing["entity"],
                       claimant_known=claimant in known, existing=existing,
                       schedule=settings.subsidy.get(submitted_on.year))
    year = submitted_on.year
    number = claims_store.next_number(db, year)
    claim = {"id": ledger.claim_id(year, number), "application_no": application_no, "claimant": claimant,
             "stage": stage, "amount": amount, "submitted_on": submitted_on.isoformat(),
             "note": (note or "").strip() or None}
    claims_store.insert_claim(db, claim, year, number)
    _append(db, claim["id"], "submitted", by, claim, source=source)
    return claim["id"]


def claimant_code(db, text: str) -> str:
    """A claimant as the officer names it: a credit code, or the registered name (or alias) of
    exactly one entity."""
    code = ids.clean_credit_code_str(text or "")
    if code and ids.is_valid_credit_code(code):
        return code
    key = pl.select(ids.name_key(pl.lit(text or "", dtype=pl.String))).item()
    found = claims_store.codes_named(db, key) if key else []
    if len(found) == 1:
        return found[0]
    if found:
        raise ledger.refuse("ambiguous_claimant", words.say("refusal.ambiguous", text=repr(text), n=len(found),
                                                            codes=", ".join(found)))
    raise ledger.refuse("bad_credit_code", words.say("refusal.no_claimant", text=repr(text)))


def submit(db, settings: Settings, *, application_no: str, claimant: str, stage: str, amount,
           submitted_on: dt.date | None = None, note: str | None = None, by: str) -> dict:
    """`subsidy claim`: a new claim, its id taken from the submitted date's year (default today).
    `claimant`: a credit code or a registered name."""
    number, code = canonical_number(application_no), claimant_code(db, claimant)
    today = today_in(settings)
    with store.transaction(db):
        cid = record_claim(db, settings, filing_facts(db, [number]), set(claims_store.entity_names(db)),
                           application_no=number, claimant=code, stage=stage, amount=amount,
                           submitted_on=submitted_on or today, note=note, by=by, today=today)
    return get_claim(db, cid)


def approve(db, settings: Settings, claim_id: str, amount, *, over_budget: bool = False, by: str) -> dict:
    with store.transaction(db):
        claim = get_claim(db, claim_id)
        year_claims = folded(db, year=claim["year"])
        schedule = settings.subsidy.get(claim["year"])
        ledger.check_approval(claim, amount, year_claims, schedule, over_budget)
        budget = None if schedule is None else schedule.budget
        total = ledger.approved_total(year_claims) + amount
        note = (f"approved over budget: {claim['year']}'s approved total {total:,} > budget {budget:,}"
                if budget is not None and total > budget else None)
        _append(db, claim_id, "approved", by, amount=amount, reason=note)
    return get_claim(db, claim_id)


def reject(db, settings: Settings, claim_id: str, reason: str, *, by: str) -> dict:
    with store.transaction(db):
        claim = get_claim(db, claim_id)
        ledger.check_transition(claim, "rejected")
        if not (reason or "").strip():
            raise ledger.refuse("no_reason", words.say("refusal.no_reason"))
        _append(db, claim_id, "rejected", by, reason=reason.strip())
    return get_claim(db, claim_id)


def pay(db, settings: Settings, claim_id: str, paid_on: dt.date, voucher: str, *, by: str) -> dict:
    with store.transaction(db):
        claim = get_claim(db, claim_id)
        ledger.check_payment(claim, paid_on, voucher, today_in(settings))
        _append(db, claim_id, "paid", by, paid_on=paid_on.isoformat(), voucher=voucher.strip())
    return get_claim(db, claim_id)


def correct(db, settings: Settings, claim_id: str, field: str, value: str, why: str, *, by: str) -> dict:
    """A `corrected` event: the note (any time), the claimed amount (while submitted, rule-checked
    again) or the voucher (once paid). The claim row itself never changes."""
    value = (value or "").strip()
    with store.transaction(db):
        claim = get_claim(db, claim_id)
        old = ledger.check_correction(claim, field, value, why)
        if field == "amount":
            amount = ledger.check_amount(int(value) if value.isdigit() else value)
            filing = filing_facts(db, [claim["application_no"]]).get(claim["application_no"])
            if filing is not None:
                ledger.check_rate(amount, filing["type"], claim["stage"], claim["year"],
                                  settings.subsidy.get(claim["year"]))
        _append(db, claim_id, "corrected", by, field=field, old=old, new=value, reason=why.strip())
    return get_claim(db, claim_id)


def claimant_names(db) -> dict[str, str]:
    """credit code → registered name, for showing claims."""
    return claims_store.entity_names(db)


def claims(db, *, year: int | None = None, state: str | None = None) -> list[dict]:
    """`subsidy list`: the claims of a year (or all), in a state (or any), by id."""
    return [c for c in folded(db, year=year) if state is None or c["state"] == state]


# --- the read model: what `subsidy verify`, the pages and the seeds read ---------------------------

def verify(db) -> dict:
    """`subsidy verify --json`: the whole chain recomputed in order, then the append-only triggers."""
    return ledger.verify_chain(claims_store.all_events(db), claims_store.all_claims(db),
                               claims_store.triggers_missing(db))


def anchor(db) -> dict | None:
    """The subsidy log's anchor (ledger.anchor_of): `{"events", "head"}`, or None."""
    return ledger.anchor_of(verify(db))


def verify_head(db, head: str) -> dict:
    """`subsidy verify --head HASH`: is a head printed earlier still part of the chain?"""
    return ledger.head_in_chain(claims_store.all_events(db), claims_store.all_claims(db), head,
                                claims_store.triggers_missing(db))


def shown(claim: dict, names: dict[str, str]) -> dict:
    """A folded claim as the pages show it: plus claimant_name, stage_zh, state_zh."""
    return {**claim, "claimant_name": names.get(claim["claimant"]),
            "stage_zh": words.say("stage." + claim["stage"]),
            "state_zh": words.table("state").get(claim["state"], claim["state"])}


def year_summary(db, settings: Settings, year: int) -> dict:
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
    claims = folded(db, year=year)
    schedule = settings.subsidy.get(year)
    chain = verify(db)
    return {**ledger.summarise(year, claims, None if schedule is None else schedule.budget, names),
            "rates": None if schedule is None else schedule.rates,
            "items": [shown(c, names) for c in claims],
            "events": chain["events"], "head": chain["head"], "chain": chain}


def claims_of(db, credit_code: str) -> list[dict]:
    """An entity's claims of every year, by id: each as `subsidy list --json` prints it (with its
    events), plus claimant_name, stage_zh and state_zh."""
    names = claims_store.entity_names(db)
    return [shown(c, names) for c in folded(db, claimant=credit_code)]


def pages_context(db, settings: Settings, year: int) -> dict:
    """The subsidy slot of the pages:

    {"summary": year_summary(…) (budget, claims, claimed, approved, paid, … head),
     "claims_by_entity": {credit_code: claims_of(…) of every year}}

    The log is shown as recorded now: the as-of date selects nothing (events carry recording
    times, not data dates).
    """
    names = claims_store.entity_names(db)
    by_entity: dict[str, list[dict]] = {}
    for c in folded(db):
        by_entity.setdefault(c["claimant"], []).append(shown(c, names))
    return {"summary": year_summary(db, settings, year), "claims_by_entity": by_entity}
