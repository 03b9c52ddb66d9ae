"""`ipmonitor subsidy …`: the subsidy claims log (claim, approve, reject, pay, correct, import, list, verify)."""

from __future__ import annotations

import getpass
import sys

import click

from .. import ledger, subsidies, subsidy_import, words
from ..store import corrections
from ..errors import VerifyFailed
from .common import (YEAR, date_option, day_words, exit_for, home_of, json_option, print_import, print_json,
                     time_words)


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):   # no login name in the environment nor the password database
        return "unknown"


def head_problem(found: dict, head: str) -> str:
    """Why `verify --head` failed, in the officer's words (the JSON keeps ledger's `problem`)."""
    chain_bad = "the log itself does not verify: "
    if (found["problem"] or "").startswith(chain_bad):
        return words.say("cli.subsidy.not_verified", where="", problem=found["problem"][len(chain_bad):])
    return words.say("cli.subsidy.head_unknown", hash=(head or "").strip().lower()[:16])


def by_option(f):
    return click.option("--by", metavar="WHO", default=_default_user, show_default="the OS user",
                        help="Who records this.")(f)


def _line(c: dict, name: str | None = None) -> str:
    who = f"{name}（{c['claimant']}）" if name else c["claimant"]
    return words.say("cli.subsidy.line", id=c["id"], application_no=c["application_no"],
                     stage=words.say("stage." + c["stage"]), state=words.say("state." + c["state"]),
                     claimed=c["claimed"], approved=c["approved"], paid=c["paid"], who=who,
                     submitted=day_words(c["submitted_on"]))


def _show(claim: dict, as_json: bool, what: str, tz: str = "Asia/Shanghai", name: str | None = None) -> None:
    if as_json:
        print_json(claim)
    else:
        click.echo(words.say("cli.subsidy.done", id=claim["id"], what=what))
        click.echo(_line(claim, name))
        last = claim["events"][-1]
        click.echo(words.say("cli.subsidy.event", event=last["event"], by=last["by"], at=time_words(last["at"], tz),
                             hash=last["hash"]))


def _done(home, claim: dict, as_json: bool, event: str, field: str | None = None) -> None:
    what = words.say("event." + event) + (f"（{words.say('field.' + field)}）" if field and words.has("field." + field) else "")
    _show(claim, as_json, what, home.settings.timezone, subsidies.claimant_names(home.db).get(claim["claimant"]))


@click.group()
def subsidy():
    """The subsidy claims log: append-only, rule-checked, tamper-evident (docs/subsidies.md)."""


@subsidy.command("claim")
@click.option("--application-no", required=True, metavar="N", help="The filing's application number.")
@click.option("--claimant", required=True, metavar="CODE|NAME",
              help="The claimant: its unified social credit code or its registered name.")
@click.option("--stage", required=True, type=click.Choice(ledger.STAGES, case_sensitive=False),
              help="application (申请资助), grant (授权资助), pct (PCT 国际申请) or maintenance (年费资助).")
@click.option("--amount", required=True, type=int, metavar="YUAN", help="Amount claimed, whole yuan.")
@date_option("--date", "submitted_on", help="Submitted date; its year is the claim's year (default: today).")
@click.option("--note", metavar="TEXT", help="A note kept with the claim.")
@by_option
@json_option
@click.pass_context
def claim(ctx, application_no, claimant, stage, amount, submitted_on, note, by, as_json):
    """Record a new claim (checked against the rules and the year's schedule)."""
    home = home_of(ctx)
    c = subsidies.submit(home.db, home.settings, application_no=application_no, claimant=claimant,
                         stage=stage.lower(), amount=amount, submitted_on=submitted_on, note=note, by=by)
    _done(home, c, as_json, "submitted")


@subsidy.command("approve")
@click.argument("claim_id")
@click.option("--amount", required=True, type=int, metavar="YUAN", help="Amount approved (≤ claimed).")
@click.option("--over-budget", is_flag=True, help="Approve even past the year's budget (the page shows the overrun).")
@by_option
@json_option
@click.pass_context
def approve(ctx, claim_id, amount, over_budget, by, as_json):
    """Approve a submitted claim."""
    home = home_of(ctx)
    _done(home, subsidies.approve(home.db, home.settings, claim_id, amount, over_budget=over_budget, by=by),
          as_json, "approved")


@subsidy.command("reject")
@click.argument("claim_id")
@click.option("--reason", required=True, metavar="TEXT", help="Why the claim is rejected.")
@by_option
@json_option
@click.pass_context
def reject(ctx, claim_id, reason, by, as_json):
    """Reject a submitted claim."""
    home = home_of(ctx)
    _done(home, subsidies.reject(home.db, home.settings, claim_id, reason, by=by), as_json, "rejected")


@subsidy.command("pay")
@click.argument("claim_id")
@date_option("--date", "paid_on", required=True, help="The payment date.")
@click.option("--voucher", required=True, metavar="V", help="The payment voucher number.")
@by_option
@json_option
@click.pass_context
def pay(ctx, claim_id, paid_on, voucher, by, as_json):
    """Record the payment of an approved claim."""
    home = home_of(ctx)
    _done(home, subsidies.pay(home.db, home.settings, claim_id, paid_on, voucher, by=by), as_json, "paid")


@subsidy.command("correct")
@click.argument("claim_id")
@click.option("--field", required=True, type=click.Choice(tuple(ledger.CORRECTABLE)),
              help="note (any time), amount (the amount claimed, while submitted) or voucher (once paid).")
@click.option("--value", required=True, metavar="NEW", help="The corrected value.")
@click.option("--why", required=True, metavar="TEXT", help="Why it is corrected.")
@by_option
@json_option
@click.pass_context
def correct(ctx, claim_id, field, value, why, by, as_json):
    """Correct a field of a claim: a `corrected` event, the claim row stays as it was."""
    home = home_of(ctx)
    _done(home, subsidies.correct(home.db, home.settings, claim_id, field, value, why, by=by), as_json,
          "corrected", field)


@subsidy.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@by_option
@json_option
@click.pass_context
def import_(ctx, file, by, as_json):
    """Import claims in bulk: 申请号, 统一社会信用代码, 资助类别, 申请金额, 申报日期[, 备注]."""
    home = home_of(ctx)
    results = [subsidy_import.import_claims(home.db, home.settings, file, by=by)]
    print_import(results, as_json)
    if not as_json and results[0].get("import_id") is not None:
        for r in corrections.rejects(home.db, "subsidy", states=None):
            if r["import_id"] == results[0]["import_id"]:
                click.echo(words.say("cli.subsidy.reject_row", line=r["line"], no=r["application_no"] or "-",
                                     what=words.reason(r["reason"], "subsidy", default=r["reason"]),
                                     message=r["message"]))
    exit_for(results)


@subsidy.command("list")
@click.option("--year", type=YEAR, help="Only claims of this year (the year of the submitted date).")
@click.option("--state", type=click.Choice(ledger.STATES), help="Only claims in this state.")
@json_option
@click.pass_context
def list_(ctx, year, state, as_json):
    """List claims with their state and amounts."""
    home = home_of(ctx, create=False)
    rows = subsidies.claims(home.db, year=year, state=state)
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo(words.say("cli.subsidy.none"))
        return
    names = subsidies.claimant_names(home.db)
    for c in rows:
        click.echo(_line(c, names.get(c["claimant"])))
    click.echo(words.say("cli.subsidy.total", n=len(rows), claimed=sum(c["claimed"] for c in rows),
                         approved=sum(c["approved"] for c in rows), paid=sum(c["paid"] for c in rows)))



@subsidy.command("verify")
@click.option("--head", "head", metavar="HASH", help="A head hash printed earlier: prove it is still part of "
                                                    "the chain (exit 1 when the log was cut or re-hashed).")
@json_option
@click.pass_context
def verify(ctx, head, as_json):
    """Recompute the hash chain; print its head, or name the first event that does not match."""
    if head is not None:
        found = subsidies.verify_head(home_of(ctx, create=False).db, head)
        if as_json:
            print_json(found)
        elif found["ok"]:
            click.echo(words.say("cli.subsidy.head_found", hash=head.strip().lower(), event=found["event"],
                                 events=found["events"], head=found["head"]))
        if not found["ok"]:
            if as_json:
                sys.exit(1)
            raise VerifyFailed(head_problem(found, head))
        return
    doc = subsidies.verify(home_of(ctx, create=False).db)
    if as_json:
        print_json(doc)
        if not doc["ok"]:
            sys.exit(1)
        return
    if not doc["ok"]:
        bad = doc["first_bad"]
        where = " ".join(x for x in (bad["event"] is not None and words.say("cli.subsidy.at_event", event=bad["event"]),
                                     bad["claim_id"] and words.say("cli.subsidy.of_claim", id=bad["claim_id"])) if x)
        raise VerifyFailed(words.say("cli.subsidy.not_verified", where=where + "：" if where else "",
                                     problem=bad["problem"]))
    if doc["events"] == 0:
        click.echo(words.say("cli.subsidy.empty"))
    else:
        click.echo(words.say("cli.subsidy.verified", events=doc["events"], head=doc["head"]))
