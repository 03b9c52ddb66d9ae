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
    """The human lines for one inspected file."""
    en = words.lang_of(lang) == 1
    say = lambda key: words.say(key, lang)
    name = doc["file"]
    if doc["status"] == "failed":
        return [f"{name}: FAILED: {doc['error']}" if en else f"{name}：无法导入：{doc['error']}"]
    lines = [f"{name}: {say('inspect.' + doc['status'])}"]
    if doc["kind"] == "xlsx":
        skipped = doc.get("hidden_sheets_skipped") or 0
        extra = (f"，跳过了前面 {skipped} 个隐藏的工作表" if not en else f", {skipped} hidden sheet(s) before it skipped") if skipped else ""
        lines.append(f"  {'sheet' if en else '工作表'} “{doc['sheet']}”{extra}; "
                     f"{'header on row' if en else '表头在第'} {doc['header_line']}{'' if en else ' 行'}")
    else:
        lines.append(f"  {'encoding' if en else '编码'} {doc['encoding']}, "
                     f"{'delimiter' if en else '分隔符'} {say('delimiter.' + DELIMITER_CODES[doc['delimiter']])}, "
                     f"{'header on line' if en else '表头在第'} {doc['header_line']}{'' if en else ' 行'}")
    lines.append("  " + ("columns:" if en else "各列的读法："))
    for c in doc["columns"]:
        if c["field"]:
            how = f"{field_word(c['field'], lang)}（{say('match.' + c['match'])}）" if not en else \
                f"{field_word(c['field'], lang)} ({say('match.' + c['match'])})"
        elif "lost_to_column" in c:
            how = (f"not used: column {c['lost_to_column']} gives the same field" if en
                   else f"未用作字段：第 {c['lost_to_column']} 列已提供同一字段（随行保存）")
        elif c["header"]:
            how = "unknown (kept with the row)" if en else "未识别（随行保存）"
        else:
            continue
        lines.append(f"    {c['column']:>3} {c['header'][:40]} → {how}")
    if en:
        lines.append(f"  {doc['rows']} rows: {doc['new']} new, {doc['updated']} updated, {doc['unchanged']} unchanged, "
                     f"{doc['duplicate']} duplicate, {doc['rejected']} rejected; {doc['warnings']} warnings")
    else:
        lines.append(f"  共 {doc['rows']} 行：新增 {doc['new']}，更新 {doc['updated']}，未变 {doc['unchanged']}，"
                     f"重复 {doc['duplicate']}，拒收 {doc['rejected']}；警告 {doc['warnings']} 条")
    if doc["reasons"]:
        listed = ", ".join(f"{code} {'' if en else words.reason(code, default='')} ×{n}".replace("  ", " ")
                          for code, n in doc["reasons"].items())
        lines.append(f"  {'rejected by reason' if en else '拒收原因'}: {listed}")
    for r in doc["first_rejects"]:
        lines.append(f"    {'line' if en else '第'} {r['line']}{'' if en else ' 行'}  {r['application_no'] or '-'}  "
                     f"{r['reason']}: {r['message']}")
    if doc["first_warnings"]:
        lines.append("  " + ("first warnings:" if en else "警告（前几条）："))
    for w in doc["first_warnings"]:
        lines.append(f"    {'line' if en else '第'} {w['line']}{'' if en else ' 行'}  {w['application_no'] or '-'}  "
                     f"{w['code']}: {w['message'] or words.say('warning.filings.' + w['code'], lang)}")
    return lines

