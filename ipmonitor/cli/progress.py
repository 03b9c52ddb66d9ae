"""`ipmonitor progress`, `signals` and `report`: the year measured, its patterns, its pages."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import click

from .. import app, words
from .common import YEAR, date_option, home_of, json_option, print_json

YEAR_HELP = "Year (default: the year of --as-of, else this year)."


def width(text: str) -> int:
    """Columns a text takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cell(text, n: int, left: bool = False) -> str:
    text = str(text)
    gap = " " * max(n - width(text), 0)
    return text + gap if left else gap + text


def _num(v) -> str:
    return "-" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))


def goal_table(doc: dict) -> list[str]:
    """The two goals as a table: count, goal, expected, gap, per week, projected, status."""
    head = words.say("cli.progress.head").split("|")
    rows = [head]
    for key in ("filings", "invention"):
        g = doc[key]
        rows.append([words.say("cli.progress.all" if key == "filings" else "cli.progress.invention"),
                     *(_num(g.get(k)) for k in ("count", "goal", "expected", "gap", "needed_per_week", "projected")),
                     words.say("status." + (g["status"] or "none"))])
    widths = [max(width(r[i]) for r in rows) + 2 for i in range(len(head))]
    return [(cell(r[0], widths[0], left=True) + "".join(cell(v, widths[i]) for i, v in enumerate(r[1:-1], 1))
             + "  " + r[-1]).rstrip() for r in rows]


@click.command()
@click.option("--year", type=YEAR, help=YEAR_HELP)
@date_option("--as-of", help="Count filings up to this date (default: today).")
@json_option
@click.pass_context
def progress(ctx, year, as_of, as_json):
    """Progress against the year's goals."""
    home = home_of(ctx, create=False)
    with home.arrow():
        doc = app.progress(home, *app.resolve_period(home, year, as_of))
    if as_json:
        print_json(doc)
        return
    day = dt.date.fromisoformat(doc["as_of"])
    click.echo(words.say("cli.progress.title", district=doc["district"], year=doc["year"],
                         as_of=words.say("label.date", year=day.year, month=day.month, day=day.day)))
    for line in goal_table(doc):
        click.echo(line)
    sep = words.say("label.list_sep")
    click.echo(words.say("cli.progress.by_type") + sep.join(f"{words.say('type.' + k)} {v}"
                                                            for k, v in doc["by_type"].items()))
    if doc.get("previous_year"):
        click.echo(words.say("cli.progress.previous", **doc["previous_year"]))
    click.echo(words.say("cli.progress.counts", unattributed=doc["unattributed"], rejected=doc["rejected"]))
    click.echo(words.say("cli.progress.by_township"))
    for t in doc["by_township"]:
        line = words.say("cli.progress.township", township=t["township"] or words.say("label.no_township"),
                         filings=t["filings"], invention=t["invention"])
        if t.get("goal") is not None:
            line += words.say("cli.progress.township_goal", goal=t["goal"], expected=_num(t["expected"]),
                              status=words.say("status." + t["status"]))
        click.echo(line)
    zero = sum(1 for e in doc["by_enterprise"] if e["filings"] == 0)
    click.echo(words.say("cli.progress.entities", count=len(doc["by_enterprise"]), zero=zero))


@click.command()
@click.option("--year", type=YEAR, help=YEAR_HELP)
@date_option("--as-of", help="Look at filings up to this date (default: today).")
@json_option
@click.pass_context
def signals(ctx, year, as_of, as_json):
    """Patterns worth a look (near-identical titles, design series, bursts): prompts, not verdicts."""
    home = home_of(ctx, create=False)
    with home.arrow():
        found = app.signals(home, *app.resolve_period(home, year, as_of))
    if as_json:
        print_json(found)
        return
    if not found:
        click.echo(words.say("cli.signals.none"))
    for s in found:
        kind = words.say("signal." + s["kind"]) if words.has("signal." + s["kind"]) else s["kind"]
        click.echo(words.say("cli.signals.line", score=f"{s['score']:.2f}", kind=kind, applicant=s["applicant"],
                             detail=s["detail"]))
        click.echo(f"       {', '.join(s['applications'])}")


@click.command("report")
@click.option("--year", type=YEAR, help=YEAR_HELP)
@date_option("--as-of", help="Count filings up to this date (default: today).")
@click.option("--out", type=click.Path(file_okay=False),
              help="Output folder (default: reports/ in the home for this year, reports/<year>/ for another).")
@click.pass_context
def report(ctx, year, as_of, out):
    """Write the pages: overview, registry, each entity, data quality, weekly archive, JSON and CSV."""
    home = home_of(ctx, create=False)
    year, as_of = app.resolve_period(home, year, as_of)
    from .. import render      # here: jinja2 and the page modules load only for the commands that build pages
    target = Path(out).resolve() if out else render.default_out(home, year)
    with home.arrow():
        index = render.build_pages(home, year=year, as_of=as_of, out=target, show_progress=True)
    click.echo(str(index))
