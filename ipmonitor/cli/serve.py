"""`ipmonitor serve`, `fetch`, `status`, `mail`, `web-password`: the scheduled server and its by-hand companions."""

from __future__ import annotations

import getpass
import logging
import os
import sys

import click

from .. import words
from ..errors import UsageError
from ..homes import resolve_home
from ..words import say
from .common import home_of, json_option, print_json



@click.command()
@click.option("--inbox-quiet", type=click.FloatRange(0, 3600), default=5.0, show_default=True,
              metavar="SECONDS", help="Import a file in inbox/ only once it has not changed for this long.")
@click.option("--stop-grace", type=click.FloatRange(0, 9), default=8.0, show_default=True,
              metavar="SECONDS", help="On SIGTERM/SIGINT, how long a running job may go on before its "
                                      "database work is interrupted and rolled back.")
@click.pass_context
def serve(ctx, inbox_quiet, stop_grace):
    """Run the scheduled jobs (inbox, fetch, report, backup, mail) and the [web] server until SIGTERM or Ctrl-C."""
    from jobs.schedule import serve as run_server   # here: the scheduler, httpx and the web server load only for these commands
    code = run_server(resolve_home(ctx.obj["home"]), inbox_quiet=inbox_quiet, stop_grace=stop_grace)
    # The server has closed its databases and logged "server stopped"; leave without the interpreter's
    # teardown (a second or more on a busy machine) so that a stop stays within its 10 seconds.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@click.command()
@click.argument("source", required=False)
@json_option
@click.pass_context
def fetch(ctx, source, as_json):
    """Fetch every [[sources]] url (or only SOURCE) into inbox/ now; the inbox job imports it."""
    home = home_of(ctx)
    from jobs.context import Context, Result
    from jobs.runner import record

    from .. import sources
    sources.select(home.settings, source)          # an unknown name is a usage error, not a run
    results: list[dict] = []

    def body(h, c):
        results.extend(sources.fetch_all(h, source))
        return Result(*sources.summary(results))
    run_id, result = record(home, "fetch", "manual", body, Context())
    if as_json:
        print_json({"run": run_id, "outcome": result.outcome, "sources": results})
    else:
        for r in results:
            click.echo(words.say("fetch.source", source=r["source"], what=words.say(
                "cli.fetch." + r["status"], **{k: r.get(k) for k in ("file", "bytes", "error")})))
        if not results:
            click.echo(result.message)
    if result.outcome == "failed":
        if not results:       # the run itself failed (the database, a bug): say why
            click.echo("ipmonitor: " + words.say("cli.fetch.run_failed", message=result.message), err=True)
        sys.exit(1)


@click.command()
@json_option
@click.pass_context
def status(ctx, as_json):
    """Each job's last and next run, the counts, and whether a server runs on this home."""
    from .. import app, store
    from ..config import load_settings
    from ..diskfull import DISK_FULL
    from ..errors import DatabaseError
    try:
        home = home_of(ctx, create=False)
    except DatabaseError as e:          # a full disk: show what is on it, read-only
        if str(e) != DISK_FULL:
            raise
        settings = load_settings(resolve_home(ctx.obj["home"]))
        home = app.Home(settings, store.connect_snapshot(settings.db_path))
        ctx.call_on_close(home.close)
    from jobs.status import status as build_status
    doc = build_status(home)
    if as_json:
        print_json(doc)
        return
    server = doc["server"]
    click.echo((words.say("cli.status.running", pid=server["pid"]) if server["running"]
                else words.say("cli.status.stopped")) + words.say("cli.status.home", home=doc["home"]))
    for name, j in doc["jobs"].items():
        outcome = words.say("cli.status.outcome." + j["outcome"]) if j["outcome"] else "-"
        nxt = j["next_run"] or ("-" if server["running"] else words.say("cli.status.no_next"))
        click.echo(words.say("cli.status.job", job=words.say("cli.status.job." + name), schedule=j["schedule"].replace("every ", words.say("cli.status.every")),
                             last=_when(j["last_run"]), outcome=outcome,
                             items="-" if j["items"] is None else j["items"], next=_when(nxt)))
        if j["outcome"] == "failed":
            click.echo(words.say("cli.status.message", message=j["message"]))
    if doc["disk"]["full"]:
        click.echo(words.say("cli.status.disk", what=DISK_FULL))
    for a in doc.get("agencies_overdue", []):
        click.echo(words.say("agency.status_overdue", agency=a["agency"],
                             last=a["last_at"] or words.say("agency.never")))
    c = doc["counts"]
    click.echo(words.say("cli.status.counts", filings=c["filings"], rejects=c["rejects"], claims=c["claims"],
                         last=_when(doc["last_import_at"]) if doc["last_import_at"] else words.say("cli.status.never")))


def _when(text):
    """An ISO time with its offset (as status gives it) → 2013年6月28日 08:07 in that offset."""
    import datetime as dt
    try:
        t = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text or "-"
    return words.say("label.date", year=t.year, month=t.month, day=t.day) + f" {t:%H:%M}"


MIN_PASSWORD = 8


@click.command("web-password")
def web_password():
    """Print a password hash for [web] users: type the password twice (hidden), or pipe it in."""
    if sys.stdin.isatty():
        first = getpass.getpass(say("web.password.prompt"))
        if len(first) >= MIN_PASSWORD and getpass.getpass(say("web.password.again")) != first:
            raise UsageError(say("web.password.mismatch"))
    else:
        first = sys.stdin.readline().rstrip("\r\n")
    if len(first) < MIN_PASSWORD:
        raise UsageError(say("web.password.short", n=MIN_PASSWORD))
    from ..web import hash_password
    click.echo(hash_password(first))
    click.echo(say("web.password.hint"), err=True)


@click.command("mail")
@json_option
@click.pass_context
def mail(ctx, as_json):
    """Send the weekly mail ([mail]) now, as a recorded run; exit 1 when it could not be sent."""
    home = home_of(ctx)
    if home.settings.mail is None:
        raise UsageError(say("mail.no_settings"))
    from jobs import mail as mail_job
    from jobs.context import Context
    from jobs.runner import record
    run_id, result = record(home, "mail", "manual", mail_job.run, Context())
    if as_json:
        print_json({"run": run_id, "outcome": result.outcome, "recipients": result.items,
                    "message": result.message})
    elif result.outcome == "failed":
        click.echo(f"ipmonitor: {result.message}", err=True)
    else:
        click.echo(result.message)
    if result.outcome == "failed":
        sys.exit(1)
