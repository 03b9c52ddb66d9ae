"""`ipmonitor inspect`: what importing a file would do, storing nothing (cli.md).

The file is read and normalised exactly as `import` does (the same functions);
the accounting is counted against the database opened read-only (none yet: every
row is new). One dict per file, in the shape documented in docs/inspect.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .config import Settings
from .errors import FileFailed
from . import words
from .importer import language, load_bytes, read_file
from .readwords import field_word
from .store import records
from .tabular import sha256_of

FIRST = 20   # rejects and warnings listed per file

DELIMITER_CODES = {",": "comma", "\t": "tab", ";": "semicolon"}


def inspect_file(db, settings: Settings, path: Path, today: dt.date) -> dict:
    """What `import` would do with one file: how it is read and how its rows would count."""
    path = Path(path)
    out = {"file": path.name, "sha256": None, "status": "failed", "error": None, "kind": None,
           "encoding": None, "delimiter": None, "sheet": None, "header_line": None, "columns": [],
           "rows": 0, "new": 0, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 0,
           "warnings": 0, "reasons": {}, "first_rejects": [], "first_warnings": []}
    lang = language(settings)
    try:
        data = load_bytes(path, settings.max_file_mb)
        out["sha256"] = sha256_of(data)
        table, batch = read_file(settings, data, path.name, "filings", today)
    except FileFailed as e:
        out["error"] = e.text(lang)
        out["error_code"] = e.code
        return out
    new, updated = records.preview_filings(db, batch.filings)
    stored = batch.filings.height
    out.update(
        status="skipped" if records.imported_before(db, "filings", out["sha256"]) else "would_import",
        kind=table.kind, encoding=table.encoding, delimiter=table.delimiter, sheet=table.sheet,
        hidden_sheets_skipped=table.hidden_sheets_skipped, header_line=table.header_line,
        columns=[r.as_dict() for r in table.readings],
        rows=batch.rows, new=new, updated=updated, unchanged=stored - new - updated,
        duplicate=batch.duplicate, rejected=batch.rejects.height, warnings=batch.warnings.height,
        reasons=dict(batch.rejects.group_by("reason").len().sort("len", "reason", descending=[True, False])
                     .iter_rows()),
        first_rejects=batch.rejects.sort("line").head(FIRST).select(
            "line", "application_no", "reason", "message").to_dicts(),
        first_warnings=batch.warnings.sort("line").head(FIRST).select(
            "line", "application_no", "code", "message").to_dicts(),
    )
    return out


def render(doc: dict, lang: str = "zh-CN") -> list[str]:
    """The human lines for one inspected file (words.py `inspect.*`)."""
    def say(key: str, **fmt) -> str:
        return words.say(key, lang, **fmt)

    name = doc["file"]
    if doc["status"] == "failed":
        return [say("inspect.failed", file=name, error=doc["error"])]
    lines = [say("inspect.status", file=name, status=say("inspect." + doc["status"]))]
    if doc["kind"] == "xlsx":
        skipped = doc.get("hidden_sheets_skipped") or 0
        lines.append(say("inspect.sheet", sheet=doc["sheet"], line=doc["header_line"],
                         hidden=say("inspect.hidden", n=skipped) if skipped else ""))
    else:
        lines.append(say("inspect.text", encoding=doc["encoding"], line=doc["header_line"],
                         delimiter=say("delimiter." + DELIMITER_CODES[doc["delimiter"]])))
    lines.append(say("inspect.columns"))
    for c in doc["columns"]:
        if c["field"]:
            how = say("inspect.field", field=field_word(c["field"], lang), match=say("match." + c["match"]))
        elif "lost_to_column" in c:
            how = say("inspect.lost", column=c["lost_to_column"])
        elif c["header"]:
            how = say("inspect.unknown")
        else:
            continue
        lines.append(f"    {c['column']:>3} {c['header'][:40]} → {how}")
    lines.append(say("inspect.counts", **{k: doc[k] for k in (
        "rows", "new", "updated", "unchanged", "duplicate", "rejected", "warnings")}))
    if doc["reasons"]:
        listed = say("label.list_sep").join(
            say("inspect.reason_count", reason=words.reason(code, lang=lang, default=code), n=n)
            for code, n in doc["reasons"].items())
        lines.append(say("inspect.reasons", listed=listed))
    for r in doc["first_rejects"]:
        lines.append(say("inspect.row", line=r["line"], no=r["application_no"] or "-",
                         what=words.reason(r["reason"], lang=lang, default=r["reason"]), message=r["message"]))
    if doc["first_warnings"]:
        lines.append(say("inspect.first_warnings"))
    for w in doc["first_warnings"]:
        what = say("warning.filings." + w["code"]) if words.has("warning.filings." + w["code"]) else w["code"]
        lines.append(say("inspect.row", line=w["line"], no=w["application_no"] or "-", what=what,
                         message=w["message"] or what))
    return lines
