"""`ipmonitor report`: write the HTML progress pages (pages.md)."""

from __future__ import annotations

from pathlib import Path

import click

from . import app, render
from .cli import date_option, home_of, main


@main.command("report")
@click.option("--year", type=int, help="Year (default: the year of --as-of, else this year).")
@date_option("--as-of", help="Count filings up to this date (default: today).")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: reports/ in the home).")
@click.pass_context
def report(ctx, year, as_of, out):
    """Write the pages: overview, registry, each entity, data quality, weekly archive, JSON and CSV."""
    home = home_of(ctx)
    year, as_of = app.resolve_period(home, year, as_of)
    target = Path(out).resolve() if out else home.settings.path("reports")
    index = render.build_pages(home, year=year, as_of=as_of, out=target)
    click.echo(str(index))
