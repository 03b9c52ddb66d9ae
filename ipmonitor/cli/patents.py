"""`ipmonitor events import` and `ipmonitor patents`: legal-status lists and the patents in force."""

from __future__ import annotations

import click

from .. import app, words
from .common import date_option, exit_for, home_of, json_option, print_json


@click.group()
def events():
    """Legal-status lists (法律状态): grants, lapses, restorations, pledges."""


@events.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@json_option
@click.pass_context
def events_import(ctx, files, as_json):
    """Import legal-status lists (CSV or .xlsx, read like agency exports)."""
    results = app.import_files(home_of(ctx), files, "events")
    if as_json:
        print_json({"files": results})
    else:
        for r in results:
            key = {"failed": "cli.events.failed", "skipped": "cli.events.skipped"}.get(r["status"],
                                                                                      "cli.events.imported")
            click.echo(words.say(key, **r))
    exit_for(results)


@click.command()
@date_option("--as-of", help="The day to look at (default: today).")
@json_option
@click.pass_context
def patents(ctx, as_of, as_json):
    """Patents in force, inventions per 10,000 people, this year's grants and lapses, fees due."""
    home = home_of(ctx)
    with home.arrow():
        doc = app.patents(home, as_of or home.today())
    if as_json:
        print_json(doc)
        return
    say, types = words.say, words.table("type")
    pieces = lambda counts: say("label.list_sep").join(
        say("label.pieces", name=types[k], count=v) for k, v in counts.items())
    per_10k = doc["invention_per_10k"]
    click.echo(say("cli.patents.in_force", as_of=doc["as_of"], pieces=pieces(doc["in_force"])))
    click.echo(say("cli.patents.per_10k", invention=doc["in_force"]["invention"],
                   figure=say("cli.patents.no_population") if per_10k is None else f"{per_10k:.2f}"))
    click.echo(say("cli.patents.granted", pieces=pieces(doc["granted_in_year"])))
    click.echo(say("cli.patents.lapsed", n=len(doc["lapsed_in_year"]), pledged=doc["pledged_in_year"]))
    for r in doc["lapsed_in_year"]:
        click.echo(f"  {r['date']}  {r['application_no']}  {r['name'] or '-'}  {say('event_kind.' + r['kind']) if words.has('event_kind.' + r['kind']) else r['kind']}"
                   + (f"  {r['words']}" if r["words"] else ""))
    click.echo(say("cli.patents.fees", n=len(doc["fees_due"])))
    for r in doc["fees_due"]:
        click.echo(f"  {r['due']}  {r['application_no']}  {r['name'] or '-'}  "
                   + say("cli.patents.patent_year", year=r["patent_year"]))
    if doc["unmatched_events"]:
        click.echo(say("cli.patents.unmatched", n=doc["unmatched_events"]))
