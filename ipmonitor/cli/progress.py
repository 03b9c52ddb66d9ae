"""`ipmonitor progress`, `signals` and `report`: the year measured, its patterns, its pages."""

from __future__ import annotations

from pathlib import Path

import click

from .. import app, render, words
from .common import YEAR, date_option, home_of, json_option, print_json

YEAR_HELP = "Year (default: the year of --as-of, else this year)."


def _goal_line(label: str, g: dict) -> str:
    fmt = lambda v: "-" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))  # noqa: E731
    status = "-" if g["status"] is None else f"{words.say('status.' + g['status'])} ({g['status']})"
    return (f"{label:<8}{g['count']:>8}{fmt(g['goal']):>8}{fmt(g['expected']):>10}"
            f"{fmt(g['projected']):>10}   {status}")


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
    click.echo(f"{doc['district']} {doc['year']} 年专利申请进度（截至 {doc['as_of']}）")
    click.echo(f"{'':<8}{'count':>8}{'goal':>8}{'expected':>10}{'projected':>10}   status")
    click.echo(_goal_line("all", doc["filings"]))
    click.echo(_goal_line("invention", doc["invention"]))
    click.echo("by type: " + ", ".join(f"{words.say('type.' + k)} {v}" for k, v in doc["by_type"].items()))
    click.echo(f"unattributed filings: {doc['unattributed']}    rejected rows: {doc['rejected']}")
    click.echo("by township:")
    for t in doc["by_township"]:
        click.echo(f"  {t['township'] or '(none)'}: {t['filings']} filings, {t['invention']} invention")
    zero = sum(1 for e in doc["by_enterprise"] if e["filings"] == 0)
    click.echo(f"entities: {len(doc['by_enterprise'])} registered, {zero} without a filing this year")


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
        click.echo("No signals: nothing unusual in this year's filings.")
    for s in found:
        click.echo(f"[{s['score']:.2f}] {s['kind']}  {s['applicant']}: {s['detail']}")
        click.echo(f"       {', '.join(s['applications'])}")


@click.command("report")
@click.option("--year", type=YEAR, help=YEAR_HELP)
@date_option("--as-of", help="Count filings up to this date (default: today).")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: reports/ in the home).")
@click.pass_context
def report(ctx, year, as_of, out):
    """Write the pages: overview, registry, each entity, data quality, weekly archive, JSON and CSV."""
    home = home_of(ctx, create=False)
    year, as_of = app.resolve_period(home, year, as_of)
    target = Path(out).resolve() if out else home.settings.path("reports")
    with home.arrow():
        index = render.build_pages(home, year=year, as_of=as_of, out=target, show_progress=True)
    click.echo(str(index))
