"""What every command family shares: the home of the invocation, options, JSON and import printing."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from .. import app
from ..homes import resolve_home


def print_json(doc) -> None:
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def home_of(ctx, create: bool = True) -> app.Home:
    """The home of the invocation (cli.md's rule: --home, $IPMONITOR_HOME, else the current folder
    when it is one), opened once, closed when the command ends. A command that only reads passes
    create=False: it never creates the database."""
    home = app.open_home(resolve_home(ctx.obj["home"]), create=create)
    ctx.call_on_close(home.close)
    return home


YEAR = click.IntRange(1900, 2999)   # years (and the years of dates) a command accepts


def date_option(*names, **kw):
    def convert(ctx, param, value):
        if value is None:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"'{value}' is not a date like 2013-06-30") from None
        if not 1900 <= day.year <= 2999:
            raise click.BadParameter(f"'{value}' is outside the years 1900–2999")
        return day
    return click.option(*names, callback=convert, metavar="YYYY-MM-DD", **kw)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")(f)


def print_import(results: list[dict], as_json: bool, registry: bool = False) -> None:
    """The results of `import`, `enterprises import`, `subsidy import` and the demo: JSON or one line each."""
    if as_json:
        files = results
        if registry:
            files = [{k: v for k, v in r.items() if not (k in ("duplicate", "warnings") and not v)}
                     for r in results]
        print_json({"files": files})
        return
    for r in results:
        if r["status"] == "failed":
            click.echo(f"{r['file']}: FAILED: {r['error']}")
        elif r["status"] == "skipped":
            click.echo(f"{r['file']}: skipped, the same file (SHA-256) was imported before")
        else:
            sheet = f" (sheet “{r['sheet']}”)" if r.get("sheet") else ""
            click.echo(f"{r['file']}{sheet}: {r['rows']} rows: {r['new']} new, {r['updated']} updated, "
                       f"{r['unchanged']} unchanged, {r['duplicate']} duplicate, "
                       f"{r['rejected']} rejected; {r['warnings']} warnings")


def exit_for(results) -> None:
    """Exit 1 when a file failed whole."""
    if any(r["status"] == "failed" for r in results):
        sys.exit(1)
