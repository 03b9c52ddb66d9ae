"""`ipmonitor demo`: the main job on the bundled seeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .. import demo, words
from .common import print_import, print_json


@click.command("demo")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Where to write the pages (default: reports/ here; inside a home, the demo home's reports/).")
@click.option("--demo-home", type=click.Path(file_okay=False), default="demo-home", show_default=True,
              help="The demo's own home (config and database), rebuilt on every run.")
@click.option("--json", "as_json", is_flag=True, help="Print the progress as JSON.")
def demo_command(out, demo_home, as_json):
    """Build a fresh demo home from seeds/, import everything and show the progress."""
    from .. import render      # here: jinja2 loads only for the commands that build pages
    demo_home_path = Path(demo_home).resolve()
    pages = demo.pages_folder(out, Path.cwd().resolve(), demo_home_path)
    home, results, progress = demo.build(demo.seeds_dir(), demo_home_path)
    try:
        index = render.build_pages(home, year=progress["year"], as_of=dt.date.fromisoformat(progress["as_of"]),
                                   out=pages)
        if as_json:
            print_json(progress)
            return
        print_import(results, False)
        f, i = progress["filings"], progress["invention"]
        word = lambda s: words.say("status." + (s or "none"))  # noqa: E731
        click.echo("\n" + words.say("cli.demo.summary", district=progress["district"], year=progress["year"],
                                    as_of=progress["as_of"], fc=f["count"], fg=f["goal"], fs=word(f["status"]),
                                    ic=i["count"], ig=i["goal"], is_=word(i["status"])))
        click.echo(words.say("cli.demo.home", home=home.settings.home, demo_home=demo_home, as_of=progress["as_of"]))
        click.echo(words.say("cli.demo.pages"))
        click.echo(str(index))
    finally:
        home.close()
