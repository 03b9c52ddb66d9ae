"""`subsidy import`: claims in bulk from a spreadsheet, with per-row rejects, like the filings import.

A file is read with `tabular.read_table` (any encoding, .xlsx, title lines);
rows whose cells cannot be read are rejected first (pure), then every other
row goes through the same rules as `subsidy claim`, in line order, inside one
transaction: a row that breaks a rule is rejected with the rule's code as its
reason and nothing else of it is stored. The same file (SHA-256) twice is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import polars as pl

from . import ids, ledger, store, subsidies, words
from .config import Settings
from .errors import FileFailed, RuleViolation
from .filings import parse_dates
from .importer import read_input, result
from .store import claims as claims_store
from .store import records
from .tabular import alias_table, read_table

KIND = "subsidy"
ALIASES: dict[str, tuple[str, ...]] = {
    "application_no": ("申请号", "专利申请号", "专利号", "application_no", "application number"),
    "claimant": ("统一社会信用代码", "信用代码", "申请单位统一社会信用代码", "claimant", "credit_code"),
    "stage": ("资助类别", "资助类型", "资助项目", "stage"),
    "amount": ("申请金额", "申请金额(元)", "申请资助金额", "amount", "claimed"),
    "submitted_on": ("申报日期", "申报日", "申请资助日期", "submitted_on", "date"),
    "note": ("备注", "说明", "note"),
}
REQUIRED = ("application_no", "claimant", "stage", "amount", "submitted_on")
# The codes a row is rejected with (their words: words.py "reason.subsidy.*"): the cells first,
# then the rules of a new claim (ledger.CLAIM_RULES).
ROW_REASONS = ("too_many_fields", "unbalanced_quote", "field_too_long", *ids.APP_ERRORS, "missing_credit_code",
               "bad_credit_code", "missing_stage",
               "bad_stage", "missing_amount", "bad_amount", "missing_date", "bad_date")
REJECT_REASONS = (*ROW_REASONS, *(r for r in ledger.CLAIM_RULES if r not in ROW_REASONS))
_AMOUNT = re.compile(r"^(\d+)(?:\.0+)?$")


def parse_amount(text: str | None) -> int | None:
    """'1000', '1,000', '1000.0', '1000元' → 1000; anything else → None."""
    if text is None:
        return None
    m = _AMOUNT.match(re.sub(r"[\s,元]", "", unicodedata.normalize("NFKC", text)))
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def normalise(frame: pl.DataFrame, xlsx: bool, today: dt.date) -> tuple[list[dict], list[dict]]:
    """The rows of a claims file → (claims to check against the store, rejects), in line order."""
    df = ids.parse_application_numbers(frame, "application_no").with_columns(
        _code=ids.clean_credit_code(pl.col("claimant")),
        _date=parse_dates(pl.col("submitted_on"), xlsx))
    df = df.with_columns(_code_ok=ids.credit_code_valid(pl.col("_code")).fill_null(False))
    rows, rejects = [], []
    for r in df.iter_rows(named=True):
        stage, amount = ledger.parse_stage(r["stage"]), parse_amount(r["amount"])
        checks = [
            (r.get("read_error") is not None, r.get("read_error"),
             words.reason(r.get("read_error") or "", "subsidy", default="")),
            (r["app_error"] is not None, r["app_error"],
             f"{r['application_no']!r} is not a valid application number ({r['app_error']})"),
            (r["claimant"] is None, "missing_credit_code", "the credit code is empty"),
            (not r["_code_ok"], "bad_credit_code", f"{r['claimant']!r} is not a valid unified social credit code"),
            (r["stage"] is None, "missing_stage", "the stage (资助类别) is empty"),
            (stage is None, "bad_stage", f"{r['stage']!r} is not a stage (申请资助, 授权资助, PCT国际申请, "
                                         "年费资助 or application, grant, pct, maintenance)"),
            (r["amount"] is None, "missing_amount", "the amount is empty"),
            (amount is None, "bad_amount", f"{r['amount']!r} is not a whole number of yuan above 0"),
            (r["submitted_on"] is None, "missing_date", "the submitted date (申报日期) is empty"),
            (r["_date"] is None, "bad_date", f"{r['submitted_on']!r} is not a date"),
        ]
        failed = next(((code, msg) for bad, code, msg in checks if bad), None)
        if failed:
            rejects.append({"line": r["line"], "application_no": r["application_no"],
                            "reason": failed[0], "message": failed[1]})
        else:
            rows.append({"line": r["line"], "application_no": r["app_no"], "claimant": r["_code"],
                         "stage": stage, "amount": amount, "submitted_on": r["_date"], "note": r.get("note")})
    return rows, rejects


def import_claims(db, settings: Settings, path: Path, *, by: str, today: dt.date | None = None) -> dict:
    """Import one claims file; the result has the shape of one file of `import --json`."""
    path = Path(path)
    name = path.name
    data, sha, done = read_input(db, KIND, path, settings)
    if done:
        return done
    today = today or subsidies.today_in(settings)
    by = subsidies.actor(by)
    try:
        table = read_table(data, name, alias_table(ALIASES), REQUIRED)
        cols = {c: pl.col(c) if c in table.frame.columns else pl.lit(None, pl.String).alias(c)
                for c in (*ALIASES, "read_error")}
        rows, rejects = normalise(table.frame.with_columns(cols.values()), table.kind == "xlsx", today)
    except FileFailed as e:
        return result(name, sha, "failed", str(e))

    with store.transaction(db):
        if records.find_import(db, KIND, sha):   # another process got there first
            return result(name, sha, "skipped")
        import_id = records.start_import(db, KIND, name, sha, store.utc_now())
        facts = subsidies.filing_facts(db, [r["application_no"] for r in rows])
        known = set(claims_store.entity_names(db))
        new = 0
        for r in rows:
            try:
                subsidies.record_claim(db, settings, facts, known, by=by, today=today,
                                       source=f"{name}:{r['line']}",
                                       **{k: v for k, v in r.items() if k != "line"})
                new += 1
            except RuleViolation as e:
                rejects.append({"line": r["line"], "application_no": r["application_no"],
                                "reason": getattr(e, "rule", "rule"), "message": getattr(e, "detail", str(e))})
        rejected = pl.DataFrame(sorted(rejects, key=lambda x: x["line"]),
                                schema={"line": pl.Int64, "application_no": pl.String,
                                        "reason": pl.String, "message": pl.String})
        records.save_rows(db, "rejects", import_id, rejected)
        counts = {"rows": table.rows, "new": new, "rejected": rejected.height}
        if new + rejected.height != table.rows:
            raise AssertionError(f"accounting does not add up for {name}: {counts}")
        records.finish_import(db, import_id, {k: counts.get(k, 0) for k in records.COUNT_KEYS})
    return result(name, sha, "imported", import_id=import_id, **counts)
