"""Agency rows → normalised filings, rejects and warnings (filings.md §1–4). Pure, vectorised.

`normalise(table, today)` takes the frame from `tabular.read_table` and returns
a `Batch`: the rows to store (one per application number, the file's last row
winning), the rejected rows with their first failing reason, the warnings,
and the in-file duplicate count. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from . import ids, words
from .headers import DERIVED_EXTRA, FALLBACK_ALIASES, TYPE_NOISE, TYPE_WORDS, Matcher
from .tabular import Table

ALIASES: dict[str, tuple[str, ...]] = {
    "application_no": ("申请号", "专利申请号", "申请号/专利号", "专利号", "application_no",
                       "application number", "application no", "appl no", "app no"),
    "filing_date": ("申请日", "申请日期", "申请时间", "提交日", "filing_date", "filing date",
                    "application date", "filing/creation date", "date filed"),
    "applicants": ("申请人", "申请(专利权)人", "申请（专利权）人", "[标]当前申请(专利权)人", "专利权人",
                   "申请人名称", "申请单位", "applicants", "applicant", "applicant name", "applicants name",
                   "assignee", "assignees", "current assignee", "original assignee",
                   "applicant/assignee", "assignee/applicant", "patentee"),
    "title": ("发明名称", "专利名称", "名称", "发明创造名称", "标题", "title", "patent title", "invention title"),
    "type": ("专利类型", "类型", "申请类型", "type", "patent_type", "patent type"),
    "status": ("法律状态", "案件状态", "状态", "当前状态", "当前法律状态", "简单法律状态", "status",
               "legal_status", "legal status"),
    "credit_code": ("统一社会信用代码", "信用代码", "申请人统一社会信用代码", "工商统一社会信用代码",
                    "credit_code", "unified social credit code", "credit code"),
    "agency": ("代理机构", "代理机构名称", "agency", "patent agency", "agency name"),
    "inventors": ("发明人", "设计人", "发明人/设计人", "inventors", "inventor", "inventor/author",
                  "inventor name", "inventors name"),
    "grant_date": ("授权日", "授权公告日", "授权日期", "grant_date", "grant date", "date of grant"),
}
REQUIRED = ("application_no", "filing_date", "applicants")
# how the store writes a date (filing, grant, event dates; an import's day): read back with this
# format (polars parses a given format several times faster than one it has to infer)
ISO_DATE = "%Y-%m-%d"
# The columns of a stored filing, declared once: the import produces them, store/records.py writes and
# reads them (its migration created the table with these columns), the year's read picks from them.
FIELDS = ("type", "filing_date", "applicants", "first_applicant", "first_applicant_key", "title", "status",
          "credit_code", "agency", "inventors", "grant_date")
COLUMNS = ("application_no", *FIELDS)
# What the table stores of them (the rest of the row is its imports and first provenance: *_import_id,
# first_line, first_extra): first_applicant and first_applicant_key are generated columns, the first
# name of `applicants` and its compared form, kept in `first_key_stored` only where it differs from the
# name (store/corrections.py, migration compact_filings).
GENERATED = ("first_applicant", "first_applicant_key")
STORED = (*(c for c in COLUMNS if c not in GENERATED), "first_key_stored")
# What a row says (its content): two rows of one number that differ here conflict.
CONTENT = tuple(f for f in FIELDS if f not in ("first_applicant", "first_applicant_key"))

PART_ROWS = 250_000     # rows per piece of `parts`

GRANTED_WORDS = ("授权", "有效", "专利权维持")
# The codes this module produces; their words are in words.py ("reason.filings.*", "warning.filings.*").
REJECT_REASONS = ("too_many_fields", "unbalanced_quote", "field_too_long", *ids.APP_ERRORS,
                  "missing_filing_date", "bad_filing_date",
                  "future_filing_date", "type_mismatch", "missing_applicant")
WARNING_CODES = ("year_mismatch", "check_digit_missing", "unknown_type_word", "conflicting_duplicate")


def _w(key: str) -> str:
    return words.say(key)


def matcher(extra: dict[str, str] | None = None) -> Matcher:
    """The header matcher of agency exports (filings.md §1), with a config's explicit column maps."""
    return Matcher(ALIASES, extra, fallback=FALLBACK_ALIASES, derived_extra=DERIVED_EXTRA)


def type_word(expr: pl.Expr) -> pl.Expr:
    """A type column's word → invention / utility_model / design, or null (filings.md §2)."""
    key = (expr.str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()
           .str.replace_all(TYPE_NOISE, ""))
    return key.replace_strict(TYPE_WORDS, default=None, return_dtype=pl.String)


@dataclass
class Batch:
    filings: pl.DataFrame    # COLUMNS…, line, extra
    rejects: pl.DataFrame    # line, application_no, reason, message
    warnings: pl.DataFrame   # line, application_no, code, message
    rows: int
    duplicate: int


def parse_dates(expr: pl.Expr, excel_serials: bool = False) -> pl.Expr:
    """Dates as agencies write them → Date; impossible or unreadable → null (never rolled over).

    Accepts 2013-03-05, 2013/3/5, 2013.03.05, 2013年3月5日, 20130305, an
    optional time after it, and (for .xlsx) Excel day serials.
    """
    text = expr.str.normalize("NFKC").str.strip_chars()
    parts = text.str.extract_groups(
        r"^(\d{4})(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
        r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
    y = parts.struct.field("1")
    m = pl.coalesce(parts.struct.field("2"), parts.struct.field("4")).str.zfill(2)
    d = pl.coalesce(parts.struct.field("3"), parts.struct.field("5")).str.zfill(2)
    parsed = pl.concat_str(y, pl.lit("-"), m, pl.lit("-"), d).str.to_date(ISO_DATE, strict=False)
    if excel_serials:
        serial = text.str.extract(r"^(\d{5})(?:\.0+)?$", 1).str.to_integer(strict=False)
        parsed = pl.coalesce(parsed, (pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=serial)).cast(pl.Date))
    return parsed


def parse_date(text: str) -> dt.date | None:
    """One date as the imports read it (`parse_dates`): 2013-09-05, 2013/9/5, 2013年9月5日 …; else None."""
    return pl.select(parse_dates(pl.lit(text, dtype=pl.String))).item()


def split_names(expr: pl.Expr) -> pl.Expr:
    """A list cell → list of trimmed names (split on ; ； 、 | and newlines, never commas)."""
    return (expr.str.replace_all(r"[;；、|\r\n]+", "\x1f").str.split("\x1f")
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != "")))


def is_granted(status: pl.Expr, grant_date: pl.Expr) -> pl.Expr:
    """The rule: a granted legal status word, or a grant date (lifecycle.ever_granted asks the frames
    the same question of every stored version, with GRANTED_WORDS)."""
    return status.is_in(GRANTED_WORDS).fill_null(False) | grant_date.is_not_null()


def granted(filing: dict) -> bool:
    """`is_granted` for one filing given as a dict (status, grant_date), as the subsidy rules need it."""
    return bool(pl.select(is_granted(pl.lit(filing.get("status"), pl.String),
                                     pl.lit(filing.get("grant_date") or None, pl.String))).item())


def on_unique(source: pl.DataFrame, col: str, *steps: dict) -> list[pl.Expr]:
    """Columns computed from `col` once per distinct non-null value of `source[col]` and looked
    up for every row (dates, names and type words repeat thousands of times in a year's export);
    a null cell gives null. Each dict of `steps` is one `with_columns` on the distinct values, so
    a later step can use an earlier one; every name of every step becomes a column."""
    distinct = source.select(pl.col(col).drop_nulls().unique())
    for step in steps:
        distinct = distinct.with_columns(**step)
    at = pl.col(col).replace_strict(distinct[col], pl.int_range(distinct.height, dtype=pl.UInt32, eager=True),
                                    default=None)
    return [pl.lit(distinct[name]).gather(at).alias(name) for step in steps for name in step]


def normalise(table: Table, today: dt.date) -> Batch:
    """The whole file's Batch (`parts` gives the same in pieces)."""
    return _normalise(numbered(table), table, today)


def numbered(table: Table) -> pl.DataFrame:
    """The file's rows, every field present, with their application number parsed
    (ids.parse_application_numbers)."""
    f = table.frame.with_columns(pl.lit(None, pl.String).alias(c) for c in (
        "filing_date", "grant_date", "applicants", "type", "status", "credit_code", "inventors", "title",
        "agency", "read_error") if c not in table.frame.columns)
    return ids.parse_application_numbers(f.lazy(), "application_no").collect()


def parts(table: Table, today: dt.date, rows: int = PART_ROWS) -> Iterator[Batch]:
    """`normalise` in pieces of about `rows` rows, one after another: each piece holds the rows of
    a range of numbers (those without a usable number come last), so each piece is the Batch of
    its numbers and the pieces' filings, one after the other, are the whole Batch's (their
    rejects, warnings and counts add up to it). The importer stores a piece while the next is
    worked out. The ranges are cut at quantiles of a fixed sample of the numbers."""
    df = numbered(table)
    n = -(-df.height // rows)
    if n <= 1:
        yield _normalise(df, table, today)
        return
    numbers = df["app_no"].drop_nulls()
    sample = numbers.sample(min(numbers.len(), 100 * n), seed=0).sort() if numbers.len() else numbers
    cuts = sample.gather([len(sample) * k // n for k in range(1, n)]).unique().sort() if len(sample) else sample
    # a row's piece: how many cuts lie at or below its number (a null number: past every cut)
    at = (cuts.search_sorted(df["app_no"].fill_null(""), side="right").cast(pl.UInt32) if len(cuts)
          else pl.Series([0] * df.height, dtype=pl.UInt32))
    piece = pl.when(pl.col("app_no").is_null()).then(pl.lit(len(cuts), pl.UInt32)).otherwise(at)
    by_piece = df.with_columns(_piece=piece).partition_by("_piece", as_dict=True, include_key=False)
    del df
    for key in sorted(by_piece):
        yield _normalise(by_piece.pop(key), table, today)


def _normalise(f: pl.DataFrame, table: Table, today: dt.date) -> Batch:
    """The Batch of the rows `f` (of `numbered`)."""
    xlsx = table.kind == "xlsx"
    df = f.lazy()
    names = split_names(pl.col("applicants"))
    df = df.with_columns(
        *on_unique(f, "filing_date", {"_date": parse_dates(pl.col("filing_date"), xlsx)}),
        *on_unique(f, "grant_date", {"_grant": parse_dates(pl.col("grant_date"), xlsx)}),
        *on_unique(f, "applicants",
                   {"_names_n": names.list.len(), "_applicants": names.list.join("; "), "_first": names.list.first()},
                   {"first_applicant_key": ids.name_key(pl.col("_first"))}),
        *on_unique(f, "type", {"_declared": type_word(pl.col("type"))}),
        *on_unique(f, "status", {"_status": pl.col("status").str.normalize("NFKC")}),
        *on_unique(f, "credit_code", {"_credit": ids.clean_credit_code(pl.col("credit_code"))}),
        *on_unique(f, "inventors", {"_inventors": split_names(pl.col("inventors")).list.join("; ")}),
        _type_given=pl.col("type").is_not_null(),
    ).with_columns(pl.col("_names_n").fill_null(0))
    reason = (
        pl.when(pl.col("read_error").is_not_null()).then(pl.col("read_error"))
        .when(pl.col("app_error").is_not_null()).then(pl.col("app_error"))
        .when(pl.col("filing_date").is_null()).then(pl.lit("missing_filing_date"))
        .when(pl.col("_date").is_null()).then(pl.lit("bad_filing_date"))
        .when(pl.col("_date") > pl.lit(today)).then(pl.lit("future_filing_date"))
        .when(pl.col("_declared").is_not_null() & (pl.col("_declared") != pl.col("app_type")))
        .then(pl.lit("type_mismatch"))
        .when(pl.col("_names_n") == 0).then(pl.lit("missing_applicant"))
        .otherwise(None))
    df = df.with_columns(_reason=reason).collect()

    rejects = _rejects(df.filter(pl.col("_reason").is_not_null()), table)
    extra_cols = [c for c in f.columns if c.startswith("extra:")]
    rows = f.height
    del f
    filings = df.lazy().filter(pl.col("_reason").is_null()).select(
        pl.col("app_no").alias("application_no"),
        pl.col("app_type").alias("type"),
        pl.col("_date").cast(pl.String).alias("filing_date"),
        pl.col("_applicants").alias("applicants"),
        pl.col("_first").alias("first_applicant"),
        "title",
        pl.col("_status").alias("status"),
        pl.col("_credit").alias("credit_code"),
        "agency",
        pl.col("_inventors").alias("inventors"),
        pl.col("_grant").cast(pl.String).alias("grant_date"),
        "first_applicant_key",
        pl.col("line"),
        (pl.struct([pl.col(c).alias(c[6:]) for c in extra_cols]).struct.json_encode()
         if extra_cols else pl.lit(None, pl.String)).alias("extra"),
        # warning inputs
        (pl.col("app_type_digit").is_in(["1", "2", "3"])
         & (pl.col("app_year") != pl.col("_date").dt.year())).alias("_w_year"),
        pl.col("app_check_missing").alias("_w_check"),
        (pl.col("_type_given") & pl.col("_declared").is_null()).alias("_w_type"),
        pl.col("app_year"), pl.col("_date").dt.year().alias("_date_year"),
        pl.col("type").alias("_type_raw"),
    ).with_columns(_dup=pl.col("application_no").is_duplicated()).collect()
    del df

    # in-file duplicates: the last row of a number wins; only the repeated numbers are windowed
    repeated = filings.filter(pl.col("_dup")).with_columns(
        _last=pl.col("line") == pl.col("line").max().over("application_no"),
        _conflict=pl.struct(CONTENT).n_unique().over("application_no") > 1)
    duplicate = repeated.height - int(repeated["_last"].sum())
    winners = pl.concat([
        filings.filter(~pl.col("_dup")).with_columns(_last=pl.lit(True), _conflict=pl.lit(False)),
        repeated.filter(pl.col("_last"))])
    del filings
    warnings = _warnings(winners.select("line", "application_no", "_w_year", "_w_check", "_w_type",
                                        "_conflict", "app_year", "_date_year", "_type_raw"))  # narrow: filtered 4×
    return Batch(winners.select(*COLUMNS, "line", "extra").sort("application_no"), rejects.sort("line"), warnings,
                 rows, duplicate)


def _rejects(bad: pl.DataFrame, table: Table) -> pl.DataFrame:
    r = pl.col("_reason")
    have = lambda c: pl.col(c) if c in bad.columns else pl.lit(None, pl.String)
    message = (
        pl.when(r == "too_many_fields").then(pl.format(
            _w("message.filings.too_many_fields"), have("fields"),
            pl.lit(len(table.headers))))
        .when(r == "unbalanced_quote").then(pl.lit(_w("message.filings.unbalanced_quote")))
        .when(r == "field_too_long").then(pl.lit(_w("message.filings.field_too_long")))
        .when((r == "bad_application_no") & pl.col("app_sci")).then(pl.format(
            _w("message.filings.scientific_application_no"), pl.col("application_no")))
        .when(r == "bad_application_no").then(pl.format(
            _w("message.filings.bad_application_no"), pl.col("application_no")))
        .when(r == "bad_check_digit").then(pl.format(
            _w("message.filings.bad_check_digit"), pl.col("application_no"),
            ids.app_check_expr(ids.clean_text(pl.col("application_no"))
                               .str.replace(r"^(?:CN|ZL)+", "").str.extract(r"^(\d{12}|\d{8})", 1))))
        .when(r == "bad_type_digit").then(pl.format(
            _w("message.filings.bad_type_digit"), pl.col("application_no")))
        .when(r == "bad_filing_date").then(pl.format(_w("message.filings.bad_filing_date"), pl.col("filing_date")))
        .when(r == "future_filing_date").then(pl.format(_w("message.filings.future_filing_date"), pl.col("_date")))
        .when(r == "type_mismatch").then(pl.format(
            _w("message.filings.type_mismatch"), have("type"),
            pl.col("app_type").replace_strict(words.table("type"), default="")))
        .otherwise(r.replace_strict(words.table("reason.filings"), default=None)))
    return bad.select(
        pl.col("line"),
        pl.col("application_no") if "application_no" in bad.columns else pl.lit(None, pl.String),
        r.alias("reason"),
        message.alias("message"),
    )


def _warnings(w: pl.DataFrame) -> pl.DataFrame:
    parts = []
    specs = [
        ("_w_year", "year_mismatch", pl.format(_w("message.filings.year_mismatch"),
                                               pl.col("app_year"), pl.col("_date_year"))),
        ("_w_check", "check_digit_missing", pl.format(_w("message.filings.check_digit_missing"),
                                                      pl.col("application_no"))),
        ("_w_type", "unknown_type_word", pl.format(_w("message.filings.unknown_type_word"),
                                                   pl.col("_type_raw"))),
        ("_conflict", "conflicting_duplicate", pl.lit(_w("warning.filings.conflicting_duplicate"))),
    ]
    for flag, code, message in specs:
        parts.append(w.filter(pl.col(flag)).select(
            "line", "application_no", pl.lit(code).alias("code"), message.alias("message")))
    return pl.concat(parts).sort("line", "code")
