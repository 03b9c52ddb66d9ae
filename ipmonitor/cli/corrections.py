"""The officer's corrections: `init`, `imports` (`revert`), `rejects` (`dismiss`, `--csv`),
`attribute`, `agencies` (filings.md §4, §7, §8; cli.md)."""

from __future__ import annotations

import io
import sys

import click
import polars as pl

from .. import agencies as agency_report
from .. import corrections, words
from ..homes import init_home
from ..pagedata import FORMULA_START
from ..store import corrections as sql
from .common import home_of, json_option, print_json, time_words

COUNTS = ("rows", "new", "updated", "unchanged", "duplicate", "rejected", "warnings")
REJECT_KINDS = ("filings", "subsidy", "registry", "events")
CSV_COLUMNS = ("file", "line", "application_no", "reason", "message")


def lang(home) -> str | None:
    return getattr(home.settings, "language", None)


def by_option(f):
    return click.option("--by", metavar="WHO", help="Who makes the correction (default: the login name).")(f)


def why_option(f):
    return click.option("--why", metavar="TEXT", help="Why (required; kept with the correction).")(f)


@click.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False))
def init(folder):
    """Make a home: a commented ipmonitor.toml naming every key, and the folders."""
    home, wrote, made = init_home(folder or ".")
    folders = (words.say("init.folders", folders=words.say("label.series_sep").join(d + "/" for d in made))
               if made else "")
    click.echo(words.say("init.made" if wrote else "init.kept", path=home, folders=folders))


# --- imports ------------------------------------------------------------------------------------

def import_doc(r: dict) -> dict:
    """One entry of `imports --json`: id, kind, file, agency, sha256, when, counts, status."""
    return {"id": r["id"], "kind": r["kind"], "file": r["file"], "agency": r["agency"],
            "sha256": r["sha256"], "when": r["imported_at"], "counts": {k: r[k] for k in COUNTS},
            **{k: r[k] for k in COUNTS}, "status": r["status"],
            "reverted": None if r["status"] != "reverted" else
            {"at": r["reverted_at"], "by": r["reverted_by"], "why": r["why"]}}


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def imports(ctx, as_json):
    """The imports, newest first; `imports revert ID --why TEXT` takes one back."""
    if ctx.invoked_subcommand is not None:
        return
    home = home_of(ctx, create=False)
    rows = sql.imports(home.db)
    if as_json:
        print_json([import_doc(r) for r in rows])
        return
    if not rows:
        click.echo(words.say("imports.none", lang(home)))
    for r in rows:
        line = (f"{r['id']:>4}  {time_words(r['imported_at'], home.settings.timezone)}  {words.say('import_kind.' + r['kind'], lang(home))}  "
                f"{r['file']}  {r['agency'] or '-'}  "
                f"{words.say('imports.line', lang(home), **{k: r[k] for k in COUNTS})}  "
                f"{words.say('import_status.' + r['status'], lang(home))}")
        if r["status"] == "reverted":
            line += words.say("imports.reverted_by", lang(home), by=r["reverted_by"],
                              at=time_words(r["reverted_at"], home.settings.timezone),
                              why=r["why"])
        click.echo(line)


@imports.command("revert")
@click.argument("import_id", type=int)
@why_option
@by_option
@json_option
@click.pass_context
def imports_revert(ctx, import_id, why, by, as_json):
    """Take one import back (newest first): its filings go, the ones it changed get their values back."""
    home = home_of(ctx)
    done = corrections.revert(home.db, import_id, why=why, by=by)
    if as_json:
        print_json(done)
        return
    click.echo(words.say("revert.done", lang(home), id=done["import_id"], file=done["file"],
                         removed=done["removed"], restored=done["restored"]))


# --- rejects ------------------------------------------------------------------------------------

def reject_doc(r: dict) -> dict:
    return {"id": r["id"], "file": r["file"], "line": r["line"], "application_no": r["application_no"],
            "reason": r["reason"], "message": r["message"], "state": r["state"]}


def rejects_csv(rows: list[dict], kind: str, lang_: str | None) -> bytes:
    """The agency's rows back: UTF-8 with BOM, headers in words, formula-like cells made text."""
    heads = {c: words.say("rejects_csv." + c, lang_) for c in CSV_COLUMNS}
    df = pl.DataFrame([{**{c: r[c] for c in CSV_COLUMNS},
                        "reason": words.reason(r["reason"], kind, lang_, default=r["reason"])} for r in rows],
                      schema={"file": pl.String, "line": pl.Int64, "application_no": pl.String,
                              "reason": pl.String, "message": pl.String})
    df = df.with_columns(pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c))
                         .otherwise(pl.col(c)).alias(c) for c in ("file", "application_no", "reason", "message"))
    buf = io.BytesIO()
    df.rename(heads).write_csv(buf, include_bom=True)
    return buf.getvalue()


@click.group(invoke_without_command=True)
@click.option("--all", "all_states", is_flag=True, help="Every state (open, resolved, dismissed).")
@click.option("--file", "file_name", metavar="NAME", help="Only the rows of this file (its base name).")
@click.option("--kind", type=click.Choice(REJECT_KINDS), default="filings", show_default=True,
              help="Agency files, subsidy claims, registry or legal-status files.")
@click.option("--csv", "as_csv", is_flag=True, help="A CSV (UTF-8 with BOM) to send back to the agency.")
@json_option
@click.pass_context
def rejects(ctx, all_states, file_name, kind, as_csv, as_json):
    """Rejected rows still to correct (every state with --all); `rejects dismiss ID --why TEXT`."""
    if ctx.invoked_subcommand is not None:
        return
    home = home_of(ctx, create=False)
    rows = sql.rejects(home.db, kind, states=None if all_states else ("open",), file=file_name)
    if as_json:
        print_json([reject_doc(r) for r in rows])
        return
    if as_csv:
        sys.stdout.buffer.write(rejects_csv(rows, kind, lang(home)))
        sys.stdout.buffer.flush()
        return
    if not rows:
        click.echo(words.say("rejects.none" if all_states else "rejects.none_open", lang(home)))
    for r in rows:
        state = ""
        if r["state"] == "resolved":
            state = f"  [{words.say('rejects.resolved_by', lang(home), file=r['resolved_by_file'])}]"
        elif r["state"] == "dismissed":
            state = f"  [{words.say('rejects.dismissed_by', lang(home), by=r['dismissed_by'], why=r['why'])}]"
        click.echo(words.say("cli.rejects.row", lang(home), id=f"{r['id']:>5}", file=r["file"], line=r["line"],
                             no=r["application_no"] or "-", message=r["message"], state=state,
                             what=words.reason(r["reason"], kind, lang(home), default=r["reason"])))


@rejects.command("dismiss")
@click.argument("reject_id", type=int)
@why_option
@by_option
@click.pass_context
def rejects_dismiss(ctx, reject_id, why, by):
    """Dismiss one rejected row the agency will never resend (e.g. a withdrawn application)."""
    home = home_of(ctx)
    r = corrections.dismiss(home.db, reject_id, why=why, by=by)
    click.echo(words.say("dismiss.done", lang(home), id=reject_id, file=r["file"], line=r["line"], why=r["why"]))


# --- attribute ----------------------------------------------------------------------------------

@click.command()
@click.argument("application_no")
@click.option("--to", "to", metavar="CREDIT_CODE", help="Attribute the filing to this registered entity.")
@click.option("--none", "none", is_flag=True, help="Keep it out of the district (a same-named firm elsewhere).")
@click.option("--clear", is_flag=True, help="Back to the rule (credit code, then name).")
@why_option
@by_option
@click.pass_context
def attribute(ctx, application_no, to, none, clear, why, by):
    """Override one filing's attribution (kept with who, when and why; nothing is deleted)."""
    home = home_of(ctx)
    o = corrections.override(home.db, application_no, to=to, none=none, clear=clear, why=why, by=by)
    what = words.say("override." + o["action"], lang(home), code=o["credit_code"])
    click.echo(words.say("override.done", lang(home), number=o["application_no"], what=what, by=o["by"],
                         why=o["why"]))


# --- agencies -----------------------------------------------------------------------------------

@click.command("agencies")
@json_option
@click.pass_context
def agencies(ctx, as_json):
    """Deliveries per agency (files, last one, new and updated this year, rejected share), overdue first."""
    home = home_of(ctx, create=False)
    doc = agency_report.deliveries(home.db, home.settings)
    if as_json:
        print_json(doc)
        return
    if not doc:
        click.echo(words.say("agency.none", lang(home)))
    for a in doc:
        last = (words.say("agency.last", lang(home), at=time_words(a["last_at"], home.settings.timezone),
                           file=a["last_file"]) if a["last_file"]
                else words.say("agency.never", lang(home)))
        share = "-" if a["rejected_share"] is None else f"{a['rejected_share']:.1%}"
        click.echo(words.say("agency.line", lang(home), flag=words.say("agency.overdue", lang(home)) if a["overdue"]
                             else "", agency=a["agency"], files=a["files"], last=last, new=a["new"],
                             updated=a["updated"], share=share))
