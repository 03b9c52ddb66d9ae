"""The `ipmonitor` command: the group, its error handling, and the commands of each family.

Each family lives in its own module and is registered here, explicitly:
imports.py (import, inspect, enterprises), corrections.py (init, imports, rejects, attribute,
agencies), patents.py (events import, patents), progress.py (progress, signals,
report), subsidy.py (subsidy …), serve.py (serve, fetch, status), demo.py.
Shared options and printing are in common.py. The CLI is the only layer that
imports both the core (`ipmonitor.*`) and the scheduled jobs (`jobs.*`).
"""

from __future__ import annotations

import sys
import traceback

import click

from .. import words
from ..diskfull import disk_full_message
from ..errors import IpmonitorError
from . import corrections, demo, imports, language, patents, progress, serve, subsidy
from .common import date_option, home_of, json_option, print_import, print_json

__all__ = ["main", "date_option", "home_of", "json_option", "print_import", "print_json"]


class Main(click.Group):
    """Speaks the home's language from the first word, and turns every ipmonitor error into one
    line on stderr and its exit code."""

    def main(self, args=None, *a, **kw):
        args = list(sys.argv[1:] if args is None else args)
        language.apply(self, language.choose(args))
        return super().main(args, *a, **kw)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IpmonitorError as e:
            click.echo(f"ipmonitor: {e}", err=True)
            sys.exit(e.exit_code)
        except click.UsageError as e:      # a bad option value: one line, exit 2
            where = f"{e.ctx.command_path}: " if e.ctx is not None else ""
            click.echo(f"ipmonitor: {where}{' '.join(e.format_message().split())}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo(f"ipmonitor: {words.say('cli.interrupted')}", err=True)
            sys.exit(130)
        except Exception as e:  # a bug: still one line, unless --debug
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            if disk_full_message(e):
                click.echo(f"ipmonitor: {disk_full_message(e)}", err=True)
                sys.exit(1)
            click.echo("ipmonitor: " + words.say("cli.internal", what=f"{type(e).__name__}: {e}"), err=True)
            sys.exit(1)


@click.group(cls=Main)
@click.option("--home", metavar="DIR", help="Home folder (default: $IPMONITOR_HOME, else the current folder).")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.version_option(package_name="ipmonitor")
@click.pass_context
def main(ctx, home, debug):
    """ipmonitor: patent filings of the district against the year's goals."""
    ctx.obj = {"home": home, "debug": debug}


for command in (
    corrections.init,
    imports.enterprises, imports.import_, imports.inspect, corrections.rejects, corrections.imports,
    corrections.attribute, corrections.agencies,
    progress.progress, progress.signals,
    patents.events, patents.patents,
    demo.demo_command,
    subsidy.subsidy,
    serve.serve, serve.fetch, serve.status, serve.mail, serve.web_password,
    progress.report,
):
    main.add_command(command)
