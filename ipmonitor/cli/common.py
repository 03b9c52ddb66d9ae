"""What every command family shares: the home of the invocation, options, JSON and import printing."""

from __future__ import annotations

import datetime as dt
import json
import sys
from zoneinfo import ZoneInfo

import click

from .. import app, words
from ..homes import resolve_home


def day_words(iso: str | None) -> str:
    """'2013-04-01' → 2013年4月1日 (2013-04-01 in English)."""
    if not iso:
        return "-"
    d = dt.date.fromisoformat(str(iso)[:10])
    return words.say("label.date", year=d.year, month=d.month, day=d.day)


def time_words(iso: str | None, tz: str) -> str:
    """A stored UTC time → the district's local time in words: 2013年6月28日 08:07."""
    if not iso:
        return "-"
    t = dt.datetime.fromisoformat(str(iso))
    t = (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).astimezone(ZoneInfo(tz))
    return f"{day_words(t.date().isoformat())} {t:%H:%M}"


def print_json(doc) -> None:
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def home_of(ctx, create: bool = True) -> app.Home:
    """The home of the invocation (cli.md's rule: --home, $IPMONITOR_HOME, else the current folder
    when it is one), opened once, closed when the command ends. A command that only reads passes
    create=False: it never creates the database."""
    home = app.open_home(resolve_home(ctx.obj["home"]), create=create)
    words.set_language(home.settings.language)      # the config as checked decides
    ctx.call_on_close(home.close)
    return home


YEAR = click.IntRange(1900, 2999)   # years (and the years of dates) a command accepts


def date_option(*names, **kw):
    def convert(ctx, param, value):
        if value is None:
            return None
        from ..filings import parse_date   # the importer's spellings: 2013-09-05, 2013/9/5, 2013年9月5日
        day = parse_date(value)
        if day is None:
            raise click.BadParameter(words.say("cli.bad_date", value=value)) from None
        if not 1900 <= day.year <= 2999:
            raise click.BadParameter(words.say("cli.date_range", value=value))
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
            click.echo(words.say("cli.import.failed", file=r["file"], error=r["error"]))
        elif r["status"] == "skipped":
            click.echo(words.say("cli.import.skipped", file=r["file"]))
        else:
            sheet = words.say("cli.import.sheet", sheet=r["sheet"]) if r.get("sheet") else ""
            click.echo(words.say("cli.import.done", **{k: r.get(k, 0) for k in (
                "rows", "new", "updated", "unchanged", "duplicate", "rejected", "warnings")},
                                 file=f"{r['file']}{sheet}"))


def exit_for(results) -> None:
    """Exit 1 when a file failed whole."""
    if any(r["status"] == "failed" for r in results):
        sys.exit(1)
