"""Corrections that stick (filings.md §4, §7): take an import back, dismiss a reject, override one
filing's attribution. Every correction records who, when and why; nothing of the trail is deleted.
"""

from __future__ import annotations

import getpass

import polars as pl

from . import ids, store, words
from .errors import CorrectionRefused as Refused
from .errors import UsageError
from .store import corrections as sql


def who(by: str | None) -> str:
    """--by, else the login name."""
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def reason(why: str | None) -> str:
    if not (why or "").strip():
        raise UsageError(words.say("correction.why_required"))
    return why.strip()


def reject_numbers(raw: pl.Expr) -> pl.Expr:
    """The canonical application number a reject is resolved by, or null when the raw number
    cannot be made canonical. A wrong check character counts as its digits with the right one
    (the corrected resend of a mistyped check character resolves it)."""
    clean = ids.clean_text(raw).str.replace(r"^(?:CN|ZL)+", "")
    digits = clean.str.extract(r"^([0-9]{12}|[0-9]{8})\.?[0-9X]?$", 1)
    typed = pl.when(digits.str.len_chars() == 12).then(digits.str.slice(4, 1)).otherwise(digits.str.slice(2, 1))
    return pl.when(typed.is_in(list(ids.TYPE_BY_DIGIT))).then(digits + "." + ids.app_check_expr(digits))


def canonical_or_none(text: str) -> str | None:
    try:
        return ids.canonical_application_no(text)
    except ValueError:
        return None


def revert(db, import_id: int, *, why: str, by: str | None) -> dict:
    """Take one agency-file or registry import back (newest first). Returns the revert's counts."""
    why, by = reason(why), who(by)
    with store.transaction(db):
        found = sql.imports(db, import_id)
        if not found:
            raise Refused(words.say("revert.no_such_import", id=import_id))
        imp = found[0]
        if imp["status"] == "reverted":
            raise Refused(words.say("revert.already", id=import_id, file=imp["file"], at=imp["reverted_at"],
                                    by=imp["reverted_by"]))
        if imp["kind"] == "filings":
            later = sql.later_touching(db, import_id)
            if later:
                raise Refused(words.say("revert.later_import", later=later["id"], later_file=later["file"],
                                        n=later["filings"], id=import_id, file=imp["file"]))
            claims = sql.claims_on_created(db, import_id)
            if claims:
                raise Refused(words.say("revert.claims", claims="、".join(claims[:5]), id=import_id,
                                        file=imp["file"]))
            restore = sql.restore_versions(db, import_id)
            restore = restore.with_columns(first_applicant_key=ids.name_key(pl.col("first_applicant")))
            removed = sql.revert_filings(db, import_id, restore)
            restored = restore.height
        elif imp["kind"] == "registry":
            later = sql.later_registry_touching(db, import_id)
            if later:
                raise Refused(words.say("revert.later_registry", later=later["id"], later_file=later["file"],
                                        id=import_id, file=imp["file"]))
            removed, restored = sql.revert_registry(db, import_id)
        elif imp["kind"] == "subsidy":
            raise Refused(words.say("revert.subsidy", id=import_id, file=imp["file"]))
        else:
            raise Refused(words.say("revert.kind", id=import_id, file=imp["file"],
                                    kind=words.say("import_kind." + imp["kind"])))
        sql.mark_reverted(db, import_id, at=store.utc_now(), by=by, why=why, removed=removed,
                          restored=restored)
    return {"import_id": import_id, "file": imp["file"], "kind": imp["kind"], "removed": removed,
            "restored": restored, "by": by, "why": why}


def dismiss(db, reject_id: int, *, why: str, by: str | None) -> dict:
    why, by = reason(why), who(by)
    with store.transaction(db):
        r = sql.reject(db, reject_id)
        if r is None:
            raise Refused(words.say("dismiss.no_such_reject", id=reject_id))
        if r["state"] == "dismissed":
            raise Refused(words.say("dismiss.already", id=reject_id, by=r["dismissed_by"], why=r["why"]))
        sql.dismiss(db, reject_id, at=store.utc_now(), by=by, why=why)
    return {**r, "state": "dismissed", "dismissed_by": by, "why": why}


def override(db, number: str, *, to: str | None, none: bool, clear: bool, why: str,
             by: str | None) -> dict:
    """Append one attribution override: to a registered entity, out of the district, or cleared."""
    if sum((to is not None, none, clear)) != 1:
        raise UsageError(words.say("override.one_of"))
    why, by = reason(why), who(by)
    app_no = canonical_or_none(number)
    if app_no is None:
        raise UsageError(words.say("override.bad_number", number=number))
    code = None if to is None else ids.clean_credit_code_str(to)
    with store.transaction(db):
        if not sql.filing_exists(db, app_no):
            raise Refused(words.say("override.no_filing", number=app_no))
        if to is not None and (code is None or not sql.entity_exists(db, code)):
            raise Refused(words.say("override.no_entity", code=to))
        action = "to" if to is not None else ("none" if none else "clear")
        sql.add_override(db, app_no, action, code, at=store.utc_now(), by=by, why=why)
    return {"application_no": app_no, "action": action, "credit_code": code, "by": by, "why": why}
