"""Identifiers: patent application numbers, credit codes, compared names.

Each rule is written once, as polars expressions over a whole column; the
scalar helpers run the same expressions on a one-element frame, so the CLI,
the seeds and the import can never disagree.
"""

from __future__ import annotations

import polars as pl

TYPE_BY_DIGIT = {"1": "invention", "8": "invention", "2": "utility_model",
                 "9": "utility_model", "3": "design"}
TYPES = ("invention", "utility_model", "design")
# The reasons parse_application_numbers gives an unusable number, first failing first.
APP_ERRORS = ("missing_application_no", "bad_application_no", "bad_check_digit", "bad_type_digit")

_W12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_W8 = (2, 3, 4, 5, 6, 7, 8, 9)

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def clean_text(expr: pl.Expr) -> pl.Expr:
    """NFKC, ideographic full stop as '.', every white space removed, upper case."""
    return (expr.str.normalize("NFKC")
            .str.replace_all("。", ".", literal=True)
            .str.replace_all(r"\s+", "")
            .str.to_uppercase())


def name_key(expr: pl.Expr) -> pl.Expr:
    """A name as compared: NFKC, no white space, Latin letters case-folded."""
    return (expr.str.normalize("NFKC").str.replace_all(r"\s+", "")
            .str.to_lowercase())


def _weighted_sum(digits: pl.Expr, weights: tuple[int, ...]) -> pl.Expr:
    """Σ digit·weight, on the digits as one integer read three digits at a time: each group's
    share comes from a table of its 1,000 values (integer gathers beat string slicing)."""
    n = digits.str.to_integer(strict=False)
    total, last = None, len(weights)
    for end in range(last, 0, -3):
        start = max(0, end - 3)
        w = weights[start:end]
        table = pl.Series([sum(int(ch) * wi for ch, wi in zip(f"{v:0{len(w)}d}", w)) for v in range(10 ** len(w))],
                          dtype=pl.Int64)
        group = (n // 10 ** (last - end)) % 10 ** len(w)
        part = pl.lit(table).gather(group)
        total = part if total is None else total + part
    return total


def app_check_expr(digits: pl.Expr) -> pl.Expr:
    """The check character of 12 (or 8) application-number digits."""
    long = digits.str.len_chars() == 12
    total = pl.coalesce(_weighted_sum(pl.when(long).then(digits), _W12),
                        _weighted_sum(pl.when(~long).then(digits), _W8))
    rem = total % 11
    return pl.when(rem == 10).then(pl.lit("X")).otherwise(rem.cast(pl.String))


CANONICAL = r"^(?:[0-9]{12}|[0-9]{8})\.[0-9X]$"   # already clean: nothing to normalise


def parse_application_numbers(df, col: str):
    """Add columns describing the application number in `col` (to a DataFrame or LazyFrame).

    Added: `app_no` (canonical `DIGITS.C`, null when unusable), `app_error`
    (first failing reason code or null), `app_check_missing` (bool),
    `app_type`, `app_type_digit`, `app_year`, `app_sci` (looks like scientific notation).

    Most numbers arrive already clean (`201310234567.3`): only the others go through
    NFKC and the clean-up (the rest of the column is masked to null, which costs nothing).
    """
    raw = pl.col(col)
    plain = raw.str.contains(CANONICAL).fill_null(False)
    odd = pl.when(plain).then(None).otherwise(raw)
    s1 = df.with_columns(_an_plain=plain, _an_odd=clean_text(odd).str.replace(r"^(?:CN|ZL)+", ""))
    s1 = s1.with_columns(_an_clean=pl.when(pl.col("_an_plain")).then(raw).otherwise(pl.col("_an_odd")))
    c = pl.col("_an_clean")
    parts = c.str.extract_groups(r"^([0-9]{12}|[0-9]{8})\.?([0-9X])?$")
    s2 = s1.with_columns(_an_digits=parts.struct.field("1"), _an_given=parts.struct.field("2"),
                         _an_sci=pl.col("_an_odd").str.contains(r"^[0-9]+(?:\.[0-9]+)?E[+-]?[0-9]+$"))
    d = pl.col("_an_digits")
    s3 = s2.with_columns(_an_calc=app_check_expr(d),
                         _an_typed=pl.when(d.str.len_chars() == 12)
                         .then(d.str.slice(4, 1)).otherwise(d.str.slice(2, 1)))
    given, calc, typed = pl.col("_an_given"), pl.col("_an_calc"), pl.col("_an_typed")
    error = (pl.when(raw.is_null() | (c == "")).then(pl.lit("missing_application_no"))
             .when(d.is_null()).then(pl.lit("bad_application_no"))
             .when(given.is_not_null() & (given != calc)).then(pl.lit("bad_check_digit"))
             .when(~typed.is_in(list(TYPE_BY_DIGIT))).then(pl.lit("bad_type_digit"))
             .otherwise(None))
    year = (pl.when(d.str.len_chars() == 12).then(d.str.slice(0, 4).str.to_integer(strict=False))
            .otherwise(d.str.slice(0, 2).str.to_integer(strict=False)
                       .pipe(lambda yy: pl.when(yy >= 80).then(yy + 1900).otherwise(yy + 2000))))
    out = s3.with_columns(
        app_error=error,
        app_sci=pl.col("_an_sci").fill_null(False),
        app_check_missing=d.is_not_null() & given.is_null(),
        app_type=typed.replace_strict(TYPE_BY_DIGIT, default=None),
        app_type_digit=typed,
        app_year=year.cast(pl.Int32),
    ).with_columns(
        app_no=pl.when(pl.col("app_error").is_null()).then(d + "." + calc).otherwise(None))
    return out.drop("_an_plain", "_an_odd", "_an_clean", "_an_digits", "_an_given", "_an_sci", "_an_calc", "_an_typed")


def canonical_application_no(text: str) -> str:
    """The canonical form of one application number, or ValueError(reason)."""
    row = parse_application_numbers(pl.DataFrame({"n": [text]}, schema={"n": pl.String}), "n").row(0, named=True)
    if row["app_error"]:
        raise ValueError(row["app_error"])
    return row["app_no"]


def application_check_char(digits: str) -> str:
    """The check character for 12 or 8 digits (used by seeds and tests)."""
    return pl.select(app_check_expr(pl.lit(digits))).item()


def credit_check_expr(first17: pl.Expr) -> pl.Expr:
    """The GB 32100-2015 check character of 17 credit-code characters; null when one is not in the alphabet."""
    mapping = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}
    vals = [first17.str.slice(i, 1).replace_strict(mapping, default=None, return_dtype=pl.Int32)
            for i in range(17)]
    total = pl.sum_horizontal(v * w for v, w in zip(vals, _CREDIT_W))
    check = ((31 - total % 31) % 31).replace_strict(dict(enumerate(CREDIT_ALPHABET)), return_dtype=pl.String)
    return pl.when(pl.all_horizontal(v.is_not_null() for v in vals)).then(check).otherwise(None)


def credit_code_valid(expr: pl.Expr) -> pl.Expr:
    """True when a cleaned 18-character credit code carries a correct check character (never null)."""
    return ((expr.str.len_chars() == 18)
            & (credit_check_expr(expr.str.slice(0, 17)) == expr.str.slice(17, 1))).fill_null(False)


def clean_credit_code(expr: pl.Expr) -> pl.Expr:
    """A credit code as compared: NFKC, no white space, upper case; empty → null."""
    cleaned = clean_text(expr)
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def credit_check_char(first17: str) -> str:
    """The check character for 17 characters (seeds and tests): `credit_check_expr` on one value."""
    char = pl.select(credit_check_expr(pl.lit(first17, pl.String))).item()
    if char is None or len(first17) != 17:
        raise ValueError(f"{first17!r} is not 17 characters of the credit-code alphabet")
    return char


def is_valid_credit_code(code: str) -> bool:
    s = pl.Series("c", [code], dtype=pl.String)
    return bool(pl.select(credit_code_valid(clean_credit_code(pl.lit(s)))).item())


def clean_credit_code_str(code: str) -> str | None:
    return pl.select(clean_credit_code(pl.lit(pl.Series("c", [code], dtype=pl.String)))).item()
