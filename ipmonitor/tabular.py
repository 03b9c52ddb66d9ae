"""Read any agency file (CSV in any of the usual encodings, or .xlsx) into a frame of strings.

The frame has one column per recognised field (named after the field), the
unrecognised columns under `extra:<header>`, `line`: the row number as a
spreadsheet shows it (header counted; for .xlsx the sheet row), and
`read_error` / `fields`: the reading reject of the row (filings.md §1), if any,
and how many cells it had. Every cell is trimmed text or null; blank rows are
dropped (they are not rows).

A file that cannot be read at all raises FileFailed with one line saying why.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

import polars as pl

from . import csvread, xlsx
from .headers import Matcher, Reading, header_key  # noqa: F401 — header_key is used by callers
from .readwords import failed, field_word
from .shown import excerpt

HEADER_SEARCH_LINES = 10
# bytes that text holds: everything but the control characters other than tab, LF, FF, CR, ESC and
# DOS's end-of-file mark (Ctrl-Z)
_TEXT_BYTES = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 26, 27))
MAX_CELL = csvread.MAX_CELL


@dataclass
class Table:
    name: str
    sha256: str
    kind: str                 # "csv" or "xlsx"
    headers: list[str]        # the header cells as found
    fields: list[str]         # the recognised fields this file carries
    frame: pl.DataFrame       # fields + extra:<header> + line + read_error + fields
    rows: int                 # data rows (blank rows excluded)
    encoding: str | None = None      # utf-8, utf-8-sig, gb18030, utf-16 (CSV only)
    delimiter: str | None = None
    header_line: int = 1             # the header's spreadsheet row
    readings: list[Reading] = field(default_factory=list)
    sheet: str | None = None         # the sheet read (.xlsx)
    hidden_sheets_skipped: int = 0


def text_key(text: str) -> str:
    """A word as compared: NFKC, no white space, case-folded (subsidy stages; headers use
    headers.header_key, which also drops * _ . :)."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file: UTF-16 by BOM, else strict UTF-8 (BOM-aware), else GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise failed("utf16", offset=e.start) from None
    head = data[:8192].rstrip(b"\x00")          # NUL padding at the end of a cut-off copy is not content
    if len(head.translate(None, _TEXT_BYTES)) > len(head) // 100:
        raise failed("not_text")
    try:
        return data.decode("utf-8-sig"), ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as e:
            raise failed("undecodable", offset=e.start, byte=f"{data[e.start]:02x}") from None


def _found(headers: list[str]) -> str:
    found = [h.strip() for h in headers if h.strip()]
    text = "、".join(f"“{excerpt(h, 40)}”" for h in found[:30]) or "（无）"
    return text + (f" 等 {len(found)} 个" if len(found) > 30 else "")


def _shape(headers: list[str], raw: pl.DataFrame, matcher: Matcher, required: tuple[str, ...],
           name: str, sha: str, kind: str, **info) -> Table:
    """Name the columns, check the required ones, drop blank rows, trim cells."""
    readings = matcher.read(headers)
    fields = {r.field: r.index for r in readings if r.field}
    missing = [f for f in required if f not in fields]
    if missing:
        misses = matcher.near_misses(headers, missing)
        hint = "".join(f"；“{h}”可能是“{a}”" for h, a in misses)
        hint_en = "".join(f"; '{h}' probably means '{a}'" for h, a in misses)
        e = failed("missing", missing="、".join(field_word(f) for f in missing), found=_found(headers), hint=hint)
        e.en = (f"missing required column(s): {', '.join(field_word(f, 'en') for f in missing)}; headers found: "
                f"{', '.join(h.strip() for h in headers if h.strip()) or '(none)'}{hint_en}")
        raise e
    extras: dict[str, int] = {}
    for r in readings:
        if r.field is None and r.header:
            label, n = f"extra:{r.header}", 2
            while label in extras:
                label, n = f"extra:{r.header}#{n}", n + 1
            extras[label] = r.index
    cols = set(raw.columns)
    cell = lambda i: pl.col(f"c{i}").str.strip_chars() if f"c{i}" in cols else pl.lit(None, pl.String)
    named = raw.select(
        *[cell(i).alias(f) for f, i in fields.items()],
        *[cell(i).alias(label) for label, i in extras.items()],
        pl.col("line").cast(pl.Int64), pl.col("read_error"), pl.col("fields"),
    )
    value_cols = [c for c in named.columns if c not in ("line", "read_error", "fields")]
    named = named.with_columns(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
                               for c in value_cols)
    if value_cols:
        named = named.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in value_cols)
                             | pl.col("read_error").is_not_null())
    return Table(name, sha, kind, headers, list(fields), named, named.height, readings=readings, **info)


def _read_xlsx(data: bytes, name: str, sha: str, matcher: Matcher, required) -> Table:
    import fastexcel
    sheet = xlsx.check(data)
    target = 0 if sheet is None else sheet.name
    try:
        reader = fastexcel.read_excel(data)
        raw = reader.load_sheet(target, header_row=None, dtypes="string", skip_rows=0).to_polars()
    except Exception as e:  # noqa: BLE001 — fastexcel raises its own error types per damage
        raise failed("workbook_unreadable", sheet=sheet.name if sheet else "1",
                     why=type(e).__name__) from None
    raw = raw.rename({c: f"c{i}" for i, c in enumerate(raw.columns)})
    head_rows = [[("" if v is None else str(v)) for v in r]
                 for r in raw.head(HEADER_SEARCH_LINES).iter_rows()]
    h = _find_header(head_rows, matcher)
    if h is None:
        first = next((excerpt(" ".join(c for c in r if c), 80) for r in head_rows if any(r)), "")
        raise failed("no_header", n=HEADER_SEARCH_LINES, first=first, hint=_no_header_hint(head_rows, matcher))
    width = raw.width
    body = raw.slice(h + 1).with_row_index("line", offset=h + 2)
    too_long = pl.any_horizontal(pl.col(f"c{i}").str.len_chars() > MAX_CELL for i in range(width))
    body = body.with_columns(read_error=pl.when(too_long).then(pl.lit("field_too_long"))
                             .otherwise(pl.lit(None, pl.String)), fields=pl.lit(width, pl.Int64))
    body = body.with_columns(pl.when(pl.col("read_error").is_not_null())
                             .then(pl.col(f"c{i}").str.slice(0, 200)).otherwise(pl.col(f"c{i}")).alias(f"c{i}")
                             for i in range(width))
    return _shape(head_rows[h], body, matcher, required, name, sha, "xlsx", header_line=h + 1,
                  sheet=sheet.name if sheet else None,
                  hidden_sheets_skipped=sheet.hidden_before if sheet else 0)


def _find_header(rows: list[list[str]], matcher: Matcher) -> int | None:
    best, best_n = None, 0
    for i, cells in enumerate(rows[:HEADER_SEARCH_LINES]):
        n = matcher.count(cells)
        if n > best_n:
            best, best_n = i, n
    return best


def _no_header_hint(rows: list[list[str]], matcher: Matcher) -> str:
    for cells in rows:
        misses = matcher.near_misses(cells, list(matcher.aliases))
        if misses:
            return "；" + "；".join(f"“{h}”可能是“{a}”" for h, a in misses)
    return ""


def _read_csv(data: bytes, name: str, sha: str, matcher: Matcher, required) -> Table:
    text, encoding = decode(data)
    if encoding == "utf-8":
        raw = data                                  # already the bytes polars reads
    elif encoding == "utf-8-sig":
        raw = data[3:]
    else:
        raw = text.encode("utf-8")
    del text
    raw = csvread.clean_bytes(raw)
    if not raw.strip():
        raise failed("empty")
    # the first lines, split on "\n" only: str.splitlines also breaks at U+2028, \x0c … which csv does not
    head = raw[: 1 << 20].decode("utf-8", "ignore")
    lines = head.split("\n", HEADER_SEARCH_LINES)[:HEADER_SEARCH_LINES]
    best = None  # (matched, delimiter, line index, cells)
    for i, line in enumerate(lines):
        for delim in (",", "\t", ";"):
            if delim not in line:
                continue
            cells = csvread.split_cells(line, delim)
            n = matcher.count(cells)
            if n and (best is None or n > best[0]):
                best = (n, delim, i, cells)
    if best is None:
        rows = [csvread.split_cells(x, "\t" if "\t" in x else ",") for x in lines]
        raise failed("no_header", n=HEADER_SEARCH_LINES, first=excerpt(lines[0].strip(), 80) if lines else "",
                     hint=_no_header_hint(rows, matcher))
    _, delim, h, headers = best
    offset = sum(len(x.encode("utf-8")) + 1 for x in lines[: h + 1])
    rows = csvread.read_rows(raw[offset:], delim, len(headers), h + 2)
    return _shape(headers, rows.frame, matcher, required, name, sha, "csv", encoding=encoding,
                  delimiter=delim, header_line=h + 1)


def read_table(data: bytes, name: str, matcher: Matcher, required: tuple[str, ...]) -> Table:
    """Read one file's bytes with the header matcher of its kind (filings, registry, claims)."""
    if not data.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
        raise failed("empty")
    sha = sha256_of(data)
    if xlsx.is_workbook(data):
        return _read_xlsx(data, name, sha, matcher, required)
    return _read_csv(data, name, sha, matcher, required)


def alias_table(aliases: dict[str, tuple[str, ...]], extra: dict[str, str] | None = None,
                **kw) -> Matcher:
    """The header matcher for {field: (alias, …)}, plus explicit {header: field} maps."""
    return Matcher(aliases, extra, **kw)
