"""Read any agency file (CSV in any of the usual encodings, or .xlsx) into a frame of strings.

The frame has one column per recognised field (named after the field), the
unrecognised columns under `extra:<header>`, and `line`: the row number as a
spreadsheet shows it (header counted; for .xlsx the sheet row). Every cell is
trimmed text or null; blank rows are dropped (they are not rows).

A file that cannot be read at all raises FileFailed with one line saying why.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass

import polars as pl

from .errors import FileFailed
from .shown import excerpt

HEADER_SEARCH_LINES = 10
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def text_key(text: str) -> str:
    """A header or a word as compared: NFKC, no white space, case-folded (headers, subsidy stages)."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


@dataclass
class Table:
    name: str
    sha256: str
    kind: str                 # "csv" or "xlsx"
    headers: list[str]        # the header cells as found
    fields: list[str]         # the recognised fields this file carries
    frame: pl.DataFrame       # fields + extra:<header> + line (+ ragged)
    rows: int                 # data rows (blank rows excluded)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-16 by BOM, else strict UTF-8 (BOM-aware), else GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise FileFailed(f"cannot decode as UTF-16: bad bytes at offset {e.start}") from None
    if b"\x00" in data[:8192]:
        raise FileFailed("not a text file (binary content); send CSV or .xlsx")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as e:
            raise FileFailed(
                f"cannot decode: byte 0x{data[e.start]:02x} at offset {e.start} is neither "
                f"UTF-8 (failed at offset {utf8_error.start}) nor GBK/GB18030") from None


def _split_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _match(cells: list[str], aliases: dict[str, str]) -> set[str]:
    return {aliases[k] for k in map(text_key, cells) if k in aliases}


def _find_header(rows: list[list[str]], aliases: dict[str, str]) -> int | None:
    best, best_n = None, 0
    for i, cells in enumerate(rows[:HEADER_SEARCH_LINES]):
        n = len(_match(cells, aliases))
        if n > best_n:
            best, best_n = i, n
    return best


def _shape(headers: list[str], raw: pl.DataFrame, first_line: int, aliases: dict[str, str],
           required: tuple[str, ...], name: str, sha: str, kind: str) -> Table:
    """Name the columns, drop blank rows, trim cells, number the lines."""
    fields: dict[str, int] = {}
    extras: dict[str, int] = {}
    for i, h in enumerate(headers):
        fld = aliases.get(text_key(h))
        if fld and fld not in fields:
            fields[fld] = i
        elif h.strip():
            label, n = f"extra:{h.strip()}", 2
            while label in extras:
                label, n = f"extra:{h.strip()}#{n}", n + 1
            extras[label] = i
    missing = [f for f in required if f not in fields]
    if missing:
        found = ", ".join(h for h in headers if h.strip()) or "(none)"
        raise FileFailed(f"missing required column(s) {', '.join(missing)}; headers found: {excerpt(found, 160)}")
    cols = raw.columns
    cell = lambda i: pl.col(cols[i]).str.strip_chars() if i < len(cols) else pl.lit(None, pl.String)
    named = raw.with_row_index("line", offset=first_line).select(
        *[cell(i).alias(f) for f, i in fields.items()],
        *[cell(i).alias(label) for label, i in extras.items()],
        pl.col("line").cast(pl.Int64),
        *([pl.col("ragged")] if "ragged" in cols else []),
    )
    value_cols = [c for c in named.columns if c not in ("line", "ragged")]
    named = named.with_columns(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
                               for c in value_cols)
    if value_cols:
        named = named.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in value_cols))
    return Table(name, sha, kind, headers, list(fields), named, named.height)


def _read_xlsx(data: bytes, name: str, sha: str, aliases, required) -> Table:
    import fastexcel
    try:
        reader = fastexcel.read_excel(data)
        sheet = reader.load_sheet(0, header_row=None, dtypes="string", skip_rows=0)
        raw = sheet.to_polars()
    except Exception as e:  # fastexcel raises its own error types per damage
        raise FileFailed(f"not a readable .xlsx workbook ({type(e).__name__})") from None
    raw = raw.rename({c: f"c{i}" for i, c in enumerate(raw.columns)})
    head_rows = [[("" if v is None else str(v)) for v in r]
                 for r in raw.head(HEADER_SEARCH_LINES).iter_rows()]
    h = _find_header(head_rows, aliases)
    if h is None:
        raise FileFailed(f"no header row found in the first {HEADER_SEARCH_LINES} rows of the first sheet")
    # sheet rows are 1-based; the first data row sits right under the header
    return _shape(head_rows[h], raw.slice(h + 1), h + 2, aliases, required, name, sha, "xlsx")


def _read_csv_exact(text: str, delimiter: str, width: int) -> pl.DataFrame:
    """The slow, exact pass: Python's csv, one record per spreadsheet row.

    Used only when polars cannot read the file as it is (ragged rows, stray
    quotes). A row with more non-empty cells than the header is flagged in
    `ragged` with its cell count.
    """
    columns: list[list[str | None]] = [[] for _ in range(width)]
    ragged: list[int | None] = []
    for rec in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for i in range(width):
            columns[i].append(rec[i] if i < len(rec) else None)
        extra = [c for c in rec[width:] if c.strip()]
        ragged.append(len(rec) if extra else None)
    data = {f"c{i}": pl.Series(values, dtype=pl.String) for i, values in enumerate(columns)}
    data["ragged"] = pl.Series(ragged, dtype=pl.Int64)
    return pl.DataFrame(data)


def _read_csv(data: bytes, name: str, sha: str, aliases, required) -> Table:
    text = decode(data)
    if not text.strip():
        raise FileFailed("the file is empty")
    # split on "\n" only: str.splitlines also breaks at U+2028, \x0c … which csv does not
    lines = [line + "\n" for line in text[: 1 << 20].split("\n", HEADER_SEARCH_LINES)[:HEADER_SEARCH_LINES]]
    best = None  # (matched, delimiter, line index, cells)
    for i, line in enumerate(lines):
        for delim in (",", "\t", ";"):
            if delim not in line:
                continue
            cells = _split_line(line, delim)
            n = len(_match(cells, aliases))
            if n and (best is None or n > best[0]):
                best = (n, delim, i, cells)
    if best is None:
        shown = excerpt(lines[0].strip(), 80) if lines else ""
        raise FileFailed(f"no header row found in the first {HEADER_SEARCH_LINES} lines "
                         f"(first line: '{shown}')")
    _, delim, h, headers = best
    body = text[sum(len(x) for x in lines[: h + 1]):]
    width = len(headers)
    schema = {f"c{i}": pl.String for i in range(width)}
    try:
        raw = pl.read_csv(body.encode("utf-8"), has_header=False, separator=delim,
                          schema=schema, quote_char='"', infer_schema=False,
                          raise_if_empty=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError,
            pl.exceptions.SchemaError):   # SchemaError: the first row has fewer cells than the header
        raw = _read_csv_exact(body, delim, width)
    return _shape(headers, raw, h + 2, aliases, required, name, sha, "csv")


def read_table(data: bytes, name: str, aliases: dict[str, str],
               required: tuple[str, ...]) -> Table:
    """Read one file's bytes. `aliases` maps text_key(header) → field."""
    if not data.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
        raise FileFailed("the file is empty")
    sha = sha256_of(data)
    if data.startswith((_XLSX_MAGIC, _XLS_MAGIC)):
        return _read_xlsx(data, name, sha, aliases, required)
    return _read_csv(data, name, sha, aliases, required)


def alias_table(aliases: dict[str, tuple[str, ...]], extra: dict[str, str] | None = None) -> dict[str, str]:
    """{field: (header, …)} → {text_key: field}, plus explicit {header: field} maps."""
    out = {text_key(h): f for f, hs in aliases.items() for h in hs}
    for h, f in (extra or {}).items():
        out[text_key(h)] = f
    return out
