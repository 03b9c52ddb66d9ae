"""The `ipmonitor` command: parse arguments, call the core, print. Errors become one line and an exit code."""

from __future__ import annotations

import datetime as dt
import json
import sys
import traceback
from pathlib import Path

import click

from . import app
from .errors import IpmonitorError
from .filings import REASONS
from .progress import STATUS_ZH
from .store import records

TYPE_ZH = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}
STATUS_WORD = {"imported": "imported", "skipped": "skipped (already imported)", "failed": "FAILED"}


class Main(click.Group):
    """Turns every ipmonitor error into one line on stderr and its exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IpmonitorError as e:
            click.echo(f"ipmonitor: {e}", err=True)
            sys.exit(e.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("ipmonitor: interrupted", err=True)
            sys.exit(130)
        except Exception as e:  # a bug: still one line, unless --debug
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.echo(f"ipmonitor: internal error: {type(e).__name__}: {e} (run with --debug for details)",
                       err=True)
            sys.exit(1)


def print_json(doc) -> None:
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def home_of(ctx) -> app.Home:
    from .config import resolve_home
    home = app.open_home(resolve_home(ctx.obj["home"]))
    ctx.call_on_close(home.close)
    return home


def date_option(*names, **kw):
    def convert(ctx, param, value):
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"'{value}' is not a date like 2013-06-30") from None
    return click.option(*names, callback=convert, metavar="YYYY-MM-DD", **kw)


@click.group(cls=Main)
@click.option("--home", metavar="DIR", help="Home folder (default: $IPMONITOR_HOME, else the current folder).")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.version_option(package_name="ipmonitor")
@click.pass_context
def main(ctx, home, debug):
    """ipmonitor: patent filings of the district against the year's goals."""
    ctx.obj = {"home": home, "debug": debug}


def _print_import(results: list[dict], as_json: bool, registry: bool = False) -> None:
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
            click.echo(f"{r['file']}: {r['rows']} rows: {r['new']} new, {r['updated']} updated, "
                       f"{r['unchanged']} unchanged, {r['duplicate']} duplicate, "
                       f"{r['rejected']} rejected; {r['warnings']} warnings")


def _exit_for(results) -> None:
    if any(r["status"] == "failed" for r in results):
        sys.exit(1)


@main.group()
def enterprises():
    """The district's registry of enterprises and institutions."""


@enterprises.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def enterprises_import(ctx, files, as_json):
    """Load the registry (upsert by credit code)."""
    results = app.import_files(home_of(ctx), files, "registry")
    _print_import(results, as_json, registry=True)
    _exit_for(results)


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def import_(ctx, files, as_json):
    """Import agency exports (CSV or .xlsx)."""
    results = app.import_files(home_of(ctx), files, "filings")
    _print_import(results, as_json)
    _exit_for(results)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def rejects(ctx, as_json):
    """List the rejected rows of agency files."""
    rows = records.rejects(home_of(ctx).db)
    if as_json:
        print_json([{k: r[k] for k in ("file", "line", "application_no", "reason", "message")}
                    for r in rows])
        return
    if not rows:
        click.echo("No rejected rows.")
    for r in rows:
        click.echo(f"{r['file']}:{r['line']}  {r['application_no'] or '-'}  {r['reason']} "
                   f"({REASONS.get(r['reason'], '')}): {r['message']}")


def _goal_line(label: str, g: dict) -> str:
    fmt = lambda v: "-" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
    status = "-" if g["status"] is None else f"{STATUS_ZH[g['status']]} ({g['status']})"
    return (f"{label:<8}{g['count']:>8}{fmt(g['goal']):>8}{fmt(g['expected']):>10}"
            f"{fmt(g['projected']):>10}   {status}")


@main.command()
@click.option("--year", type=int, help="Year (default: the year of --as-of, else this year).")
@date_option("--as-of", help="Count filings up to this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def progress(ctx, year, as_of, as_json):
    """Progress against the year's goals."""
    home = home_of(ctx)
    doc = app.progress(home, *app.resolve_period(home, year, as_of))
    if as_json:
        print_json(doc)
        return
    click.echo(f"{doc['district']} {doc['year']} 年专利申请进度（截至 {doc['as_of']}）")
    click.echo(f"{'':<8}{'count':>8}{'goal':>8}{'expected':>10}{'projected':>10}   status")
    click.echo(_goal_line("all", doc["filings"]))
    click.echo(_goal_line("invention", doc["invention"]))
    click.echo("by type: " + ", ".join(f"{TYPE_ZH[k]} {v}" for k, v in doc["by_type"].items()))
    click.echo(f"unattributed filings: {doc['unattributed']}    rejected rows: {doc['rejected']}")
    click.echo("by township:")
    for t in doc["by_township"]:
        click.echo(f"  {t['township'] or '(none)'}: {t['filings']} filings, {t['invention']} invention")
    zero = sum(1 for e in doc["by_enterprise"] if e["filings"] == 0)
    click.echo(f"entities: {len(doc['by_enterprise'])} registered, {zero} without a filing this year")


@main.command()
@click.option("--year", type=int, help="Year (default: the year of --as-of, else this year).")
@date_option("--as-of", help="Look at filings up to this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def signals(ctx, year, as_of, as_json):
    """Patterns worth a look (near-identical titles, design series, bursts): prompts, not verdicts."""
    home = home_of(ctx)
    found = app.signals(home, *app.resolve_period(home, year, as_of))
    if as_json:
        print_json(found)
        return
    if not found:
        click.echo("No signals: nothing unusual in this year's filings.")
    for s in found:
        click.echo(f"[{s['score']:.2f}] {s['kind']}  {s['applicant']}: {s['detail']}")
        click.echo(f"       {', '.join(s['applications'])}")


# The commands of the other capabilities register themselves on `main`.
from . import cli_demo  # noqa: E402,F401
from . import cli_subsidy  # noqa: E402,F401
from . import cli_serve  # noqa: E402,F401
from . import cli_report  # noqa: E402,F401
