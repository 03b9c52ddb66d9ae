"""Legal-status rows (法律状态) → normalised events, rejects and warnings (status.md). Pure, vectorised.

A legal-status file is read like an agency export (`tabular.read_table` with
this module's header map). `normalise(table)` returns an `EventBatch`: the
events to store (one per identity — number, date, event word — the file's last
row of an identity winning), the rejected rows with their first failing reason,
the warnings, and the in-file duplicate count. Nothing here touches the database.

`kind_of(expr)` turns event words into kinds; the lifecycle uses the same
function for the status words of agency exports.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from . import ids, words
from .filings import ALIASES as FILING_ALIASES
from .filings import parse_dates
from .tabular import Table, alias_table, text_key

# The header map of a legal-status file (pluggable: `inspect` and the inbox use it too).
ALIASES: dict[str, tuple[str, ...]] = {
    "application_no": FILING_ALIASES["application_no"],
    "event_date": ("法律状态公告日", "法律状态生效日", "公告日", "生效日", "事件日期", "法律状态日",
                   "法律状态公告日期", "event_date", "event date"),
    "event": ("法律状态", "法律状态名称", "法律状态类型", "事件", "event"),
    "detail": ("法律状态信息", "详细信息", "detail"),
}
REQUIRED = ("application_no", "event_date", "event")

# kind → the words that make it, in the order of status.md: the first matching kind wins.
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("restored", ("恢复",)),
    ("invalidated", ("无效",)),          # and not 部分无效 (see kind_of)
    ("lapsed", ("未缴年费", "终止", "失效", "届满")),
    ("abandoned", ("放弃",)),
    ("withdrawn", ("撤回",)),
    ("refused", ("驳回",)),
    ("granted", ("授权", "授予")),
    ("transferred", ("转让", "转移", "变更")),
    ("pledged", ("质押",)),                # a registration: not with 注销 / 解除 (see kind_of)
)
KINDS = (*(k for k, _ in KIND_WORDS), "other")
# Kinds that take a patent (or an application) out: the lifecycle's "negative" events.
ENDING = ("lapsed", "invalidated", "abandoned", "withdrawn", "refused")
LAPSE_KINDS = ("lapsed", "invalidated", "abandoned")

# The codes this module produces; their words are in words.py ("reason.events.*", "event_kind.*").
REJECT_REASONS = ("too_many_fields", "unbalanced_quote", "field_too_long", *ids.APP_ERRORS,
                  "missing_event_date", "bad_event_date", "missing_event")
WARNING_CODES = ("check_digit_missing",)
KIND_ZH = {**words.table("event_kind"), "expired": words.say("event_kind.expired")}


@dataclass
class EventBatch:
    events: pl.DataFrame     # application_no, event_date, words, word_key, kind, detail, line
    rejects: pl.DataFrame    # line, application_no, reason, message
    warnings: pl.DataFrame   # line, application_no, code, message
    rows: int
    duplicate: int


def header_map(extra: dict[str, str] | None = None):
    """The header matcher (tabular.alias_table) of a legal-status file."""
    return alias_table(ALIASES, extra)


def word_key(expr: pl.Expr) -> pl.Expr:
    """Event words as compared: NFKC, every white space removed."""
    return expr.str.normalize("NFKC").str.replace_all(r"\s+", "")


def kind_of(words: pl.Expr) -> pl.Expr:
    """The kind of each event word (status.md's table; null words → null)."""
    key = word_key(words)
    has = lambda *ws: pl.any_horizontal(key.str.contains(w, literal=True) for w in ws)
    expr = pl.when(key.is_null()).then(pl.lit(None, pl.String))
    for kind, words_ in KIND_WORDS:
        cond = has(*words_)
        if kind == "invalidated":
            cond = cond & ~key.str.contains("部分无效", literal=True)
        elif kind == "pledged":
            cond = cond & ~has("注销", "解除")
        expr = expr.when(cond).then(pl.lit(kind))
    return expr.otherwise(pl.lit("other"))


def is_pledge_registration(words: pl.Expr) -> pl.Expr:
    return kind_of(words) == "pledged"


def _col(table: Table, name: str) -> pl.Expr:
    return pl.col(name) if name in table.frame.columns else pl.lit(None, pl.String)


def normalise(table: Table) -> EventBatch:
    f = table.frame
    df = ids.parse_application_numbers(f.lazy(), "application_no")
    date_raw, event_raw = _col(table, "event_date"), _col(table, "event")
    df = df.with_columns(_date=parse_dates(date_raw, table.kind == "xlsx"),
                         _words=event_raw.str.normalize("NFKC").str.strip_chars())
    reason = (
        pl.when(_col(table, "read_error").is_not_null()).then(_col(table, "read_error"))
        .when(pl.col("app_error").is_not_null()).then(pl.col("app_error"))
        .when(date_raw.is_null()).then(pl.lit("missing_event_date"))
        .when(pl.col("_date").is_null()).then(pl.lit("bad_event_date"))
        .when(pl.col("_words").is_null() | (pl.col("_words") == "")).then(pl.lit("missing_event"))
        .otherwise(None))
    df = df.with_columns(_reason=reason).collect()
    bad = df.filter(pl.col("_reason").is_not_null())
    r = pl.col("_reason")
    raw_no = pl.col("application_no") if "application_no" in bad.columns else pl.lit(None, pl.String)
    say = words.say
    message = (
        pl.when(r == "too_many_fields").then(pl.format(
            say("message.filings.too_many_fields"),
            pl.col("fields") if "fields" in bad.columns else pl.lit(None, pl.Int64),
            pl.lit(len(table.headers))))
        .when((r == "bad_application_no") & pl.col("app_sci")).then(pl.format(
            say("message.filings.scientific_application_no"), raw_no))
        .when(r == "bad_application_no").then(pl.format(say("message.filings.bad_application_no"), raw_no))
        .when(r == "bad_check_digit").then(pl.format(say("message.events.bad_check_digit"), raw_no))
        .when(r == "bad_type_digit").then(pl.format(say("message.filings.bad_type_digit"), raw_no))
        .when(r == "bad_event_date").then(pl.format(say("message.events.bad_event_date"), date_raw))
        .otherwise(r.replace_strict(words.table("reason.events"), default=None)))
    rejects = bad.select(pl.col("line"), raw_no.alias("application_no"), r.alias("reason"),
                         message.alias("message"))

    ok = df.filter(pl.col("_reason").is_null()).select(
        pl.col("app_no").alias("application_no"),
        pl.col("_date").cast(pl.String).alias("event_date"),
        pl.col("_words").alias("words"),
        word_key(pl.col("_words")).alias("word_key"),
        kind_of(pl.col("_words")).alias("kind"),
        _col(table, "detail").str.normalize("NFKC").alias("detail"),
        pl.col("line"),
        pl.col("app_check_missing").alias("_w_check"),
    )
    identity = ["application_no", "event_date", "word_key"]
    ok = ok.with_columns(_last=pl.col("line") == pl.col("line").max().over(identity))
    duplicate = ok.height - int(ok["_last"].sum())
    winners = ok.filter(pl.col("_last"))
    warnings = (winners.filter(pl.col("_w_check"))
                .select("line", "application_no", pl.lit("check_digit_missing").alias("code"),
                        pl.format(words.say("message.filings.check_digit_missing"),
                                  pl.col("application_no")).alias("message"))
                .sort("line"))
    events = winners.select("application_no", "event_date", "words", "word_key", "kind", "detail", "line")
    return EventBatch(events.sort(identity), rejects, warnings, table.rows, duplicate)


def header_candidates(data: bytes) -> list[list[str]]:
    """The cells of the first lines of a file (CSV in any encoding the reader accepts, or .xlsx),
    split by each usual delimiter: enough to recognise what kind of file it is."""
    from . import csvread, xlsx
    from .tabular import HEADER_SEARCH_LINES, decode
    if xlsx.is_workbook(data):
        try:
            sheet = xlsx.check(data)          # a hostile workbook never reaches fastexcel
            import fastexcel
            sheet = fastexcel.read_excel(data).load_sheet(0 if sheet is None else sheet.name, header_row=None,
                                                           dtypes="string", n_rows=HEADER_SEARCH_LINES)
            return [["" if v is None else str(v) for v in row] for row in sheet.to_polars().iter_rows()]
        except Exception:  # an unreadable workbook: the import says why
            return []
    head = data[: 1 << 16]
    if len(data) > len(head) and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[: head.rfind(b"\n") + 1] or head   # never cut a character (\n is never inside one)
    elif len(data) > len(head):
        head = head[: head.rfind(b"\n\x00") + 2 if head.startswith(b"\xff\xfe") else len(head) // 2 * 2]
    try:
        text, _ = decode(head)
    except Exception:
        return []
    lines = text.replace("\r\n", "\n").split("\n")[:HEADER_SEARCH_LINES]
    return [csvread.split_cells(line, d) for line in lines for d in (",", "\t", ";") if d in line]


def is_events_file(data: bytes, extra: dict[str, str] | None = None) -> bool:
    """True when one of the first lines is the header of a legal-status list (see looks_like_events)."""
    return any(looks_like_events(cells, extra) for cells in header_candidates(data))


def looks_like_events(headers: list[str], extra: dict[str, str] | None = None) -> bool:
    """True for a header row of a legal-status list: event and event-date columns, no applicants
    column (how the inbox and the fetch job tell such a file from an agency export)."""
    mine = header_map(extra)
    fields = {mine.read_one(h)[0] for h in headers}
    applicant_keys = {text_key(a) for a in FILING_ALIASES["applicants"]}
    return ({"event", "event_date"} <= fields
            and not any(text_key(h) in applicant_keys for h in headers))
