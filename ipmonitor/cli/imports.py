"""`ipmonitor import`, `inspect` and `enterprises import`: agency exports and the registry in (`rejects`
is in corrections.py)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import app, clock
from .common import exit_for, home_of, json_option, print_import, print_json


@click.group()
def enterprises():
    """The district's registry of enterprises and institutions."""


@enterprises.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@json_option
@click.pass_context
def enterprises_import(ctx, files, as_json):
    """Load the registry (upsert by credit code)."""
    results = app.import_files(home_of(ctx), files, "registry", show_progress=not as_json)
    print_import(results, as_json, registry=True)
    exit_for(results)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--agency", metavar="NAME", help="The agency that sent the files (filings.md §8).")
@json_option
@click.pass_context
def import_(ctx, files, agency, as_json):
    """Import agency exports (CSV or .xlsx)."""
    results = app.import_files(home_of(ctx), files, "filings", exclusive=True, show_progress=not as_json,
                               agency=(agency or "").strip() or None)
    print_import(results, as_json)
    exit_for(results)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@json_option
@click.pass_context
def inspect(ctx, files, as_json):
    """Show how files would import (encoding, header, columns, counts, first rejects); store nothing."""
    from .. import store
    from ..config import load_settings
    from ..homes import resolve_home
    from ..importer import language
    from ..preview import inspect_file, render
    settings = load_settings(resolve_home(ctx.obj["home"]))
    db = store.connect_readonly(settings.db_path)
    if db is not None:
        ctx.call_on_close(db.conn.close)
    today = clock.today(settings.tz)
    docs = [inspect_file(db, settings, Path(f), today) for f in files]
    if as_json:
        print_json({"files": docs})
    else:
        for d in docs:
            for line in render(d, language(settings)):
                click.echo(line)
    exit_for(docs)

