"""`ipmonitor demo`: the main job on the bundled seeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .. import demo, render
from .common import print_import, print_json


@click.command("demo")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Where to write the pages (default: reports/ here; inside a home, the demo home's reports/).")
@click.option("--demo-home", type=click.Path(file_okay=False), default="demo-home", show_default=True,
              help="The demo's own home (config and database), rebuilt on every run.")
@click.option("--json", "as_json", is_flag=True, help="Print the progress as JSON.")
def demo_command(out, demo_home, as_json):
    """Build a fresh demo home from seeds/, import everything and show the progress."""
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
        click.echo(f"\n{progress['district']} {progress['year']} as of {progress['as_of']}: "
                   f"{f['count']}/{f['goal']} filings ({f['status']}), "
                   f"{i['count']}/{i['goal']} invention ({i['status']})")
        click.echo(f"demo home: {home.settings.home}  (try: ipmonitor --home {demo_home} progress "
                   f"--as-of {progress['as_of']})")
        click.echo("pages (open index.html in a browser):")
        click.echo(str(index))
    finally:
        home.close()
