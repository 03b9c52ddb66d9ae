"""Reading the rows of a CSV text that may be damaged anywhere, in bounded time (filings.md §1, §3).

The semantics are those of Python's `csv` module (a quote is special only at the
start of a cell, `""` inside a quoted cell is a quote) and of Excel's row numbers:
one record is one spreadsheet row, however many lines its quoted cells span.

    fast path    the body has no quote, every line has as many cells as the header and
                 none is longer than a cell may be: polars reads the bytes as they are.
    general      the same structure is worked out per line, vectorised (cells per line,
                 quotes per line, which lines are well-formed); polars reads every clean
                 line, and only the lines that open a multi-line or broken quoted cell,
                 carry too many cells or an over-long one are read exactly, one record
                 at a time, by `csv` — never the whole file.

Reading rejects (a row that cannot be read as the header says):
`unbalanced_quote` a quote never closed, or a quoted cell running over 100 lines or
100,000 characters: the row where it opened is rejected, reading resumes on the next line;
`too_many_fields` more non-empty cells than the header; `field_too_long` a cell over
100,000 characters.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

MAX_CELL = 100_000          # characters in one cell
MAX_QUOTED_LINES = 100      # lines one quoted cell may span
_SENTINEL = "\x00"          # never in the text (NUL bytes are removed first)
_EXCERPT = 200              # characters of a rejected row's cells kept for the reject record

csv.field_size_limit(2**31 - 1)   # our own limits apply; csv's 131072 would raise mid-file


def clean_bytes(raw: bytes) -> bytes:
    """UTF-8 bytes with NUL removed and CRLF / lone CR (Excel for Mac) turned into LF."""
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", b"")
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:
            raw = raw.replace(b"\r", b"\n")
    return raw


def split_cells(line: str, delimiter: str) -> list[str]:
    """One physical line's cells (for finding the header)."""
    return next(csv.reader([line], delimiter=delimiter), [])


@dataclass
class Rows:
    frame: pl.DataFrame     # c0 … c{width-1} (String), line (Int64), read_error (String), fields (Int64)
    exact_records: int      # how many records were read by the exact pass (for the benchmark notes)


def read_rows(body: bytes, delimiter: str, width: int, first_line: int) -> Rows:
    """The records of `body` (UTF-8 bytes after the header line, cleaned), numbered from `first_line`."""
    frame = _polars(body, delimiter, width, truncate=False)
    if frame is not None and _consistent(frame, body, width, delimiter):
        frame = frame.with_row_index("line", offset=first_line).with_columns(
            pl.col("line").cast(pl.Int64), read_error=pl.lit(None, pl.String),
            fields=pl.lit(width, pl.Int64))
        return Rows(frame, 0)
    return _general(body.decode("utf-8"), delimiter, width, first_line)


def _quotes_well_formed(raw: bytes, delimiter: str) -> bool:
    """Every quote is where RFC 4180 puts one (vectorised over the quotes' positions): counting
    quotes from the start, an even-numbered one opens a cell (after a delimiter or a line end)
    or is the second of a doubled quote; an odd-numbered one closes a cell (before a delimiter
    or a line end) or is the first of a doubled quote. Then polars and csv read alike."""
    buf = np.frombuffer(raw, np.uint8)
    q = np.flatnonzero(buf == 34)
    if q.size % 2:
        return False
    d = ord(delimiter)
    before = np.where(q > 0, buf[np.maximum(q - 1, 0)], 10)[0::2]          # openers' previous byte
    after = np.where(q + 1 < buf.size, buf[np.minimum(q + 1, buf.size - 1)], 10)[1::2]  # closers' next
    ok_open = (before == d) | (before == 10) | (before == 34)
    ok_close = (after == d) | (after == 10) | (after == 34)
    return bool(ok_open.all() and ok_close.all())


def _consistent(frame: pl.DataFrame, raw: bytes, width: int, delimiter: str = ",") -> bool:
    """polars read without complaint; also one row per record (its line ends plus the line ends
    inside quoted cells account for every line end), no cell over MAX_CELL bytes and no quoted
    cell over MAX_QUOTED_LINES lines. Anything else goes to the exact reading."""
    if not raw:
        return frame.height == 0
    cols = [pl.col(f"c{i}") for i in range(width)]
    longest = frame.select(pl.max_horizontal(c.str.len_bytes().max() for c in cols)).item()
    if (longest or 0) > MAX_CELL:
        return False
    inner = 0
    if b'"' in raw:
        if not _quotes_well_formed(raw, delimiter):
            return False
        most, total = frame.select(
            pl.max_horizontal(c.str.count_matches("\n", literal=True).max() for c in cols).alias("most"),
            pl.sum_horizontal(c.str.count_matches("\n", literal=True).sum() for c in cols).alias("total")).row(0)
        if (most or 0) >= MAX_QUOTED_LINES:
            return False
        inner = total or 0
    records = raw.count(b"\n") - inner + (0 if raw.endswith(b"\n") else 1)
    return frame.height == records


def _polars(raw: bytes, delimiter: str, width: int, truncate: bool = True) -> pl.DataFrame | None:
    """polars' reading, or None when polars refuses (the exact reading then decides)."""
    schema = {f"c{i}": pl.String for i in range(width)}
    try:
        return pl.read_csv(raw, has_header=False, separator=delimiter, schema=schema, quote_char='"',
                           infer_schema=False, raise_if_empty=False, truncate_ragged_lines=truncate)
    except Exception:  # noqa: BLE001 — any polars surprise: the exact pass reads these lines
        return None


def _rx(d: str) -> str:
    """A delimiter inside a (Rust) regex."""
    return r"\t" if d == "\t" else re.escape(d)


def _quoted_line_pattern(d: str) -> str:
    d = _rx(d)
    cell = rf'(?:"(?:[^"]|"")*"|[^"{d}]*)'
    return rf"^{cell}(?:{d}{cell})*$"


_QUOTED_CELL = r'"(?:[^"]|"")*"'


def _general(body: str, delimiter: str, width: int, first_line: int) -> Rows:
    parts = body.split("\n")
    if body.endswith("\n") or not body:
        parts.pop()                                  # the text after the last line end is not a line
    lines = pl.Series("l", parts, dtype=pl.String)
    del parts
    n = len(lines)
    quotes = lines.str.count_matches('"', literal=True).to_numpy()
    fields = lines.str.count_matches(delimiter, literal=True).to_numpy().astype(np.int64) + 1
    length = lines.str.len_bytes().to_numpy()
    exact = length > MAX_CELL                        # bytes ≥ characters: only these can hold a long cell
    too_many = np.zeros(n, bool)

    quoted = np.flatnonzero(quotes > 0)
    if quoted.size:
        sub = lines.gather(quoted)
        well_formed = sub.str.contains(_quoted_line_pattern(delimiter)).to_numpy()
        fields[quoted] = sub.str.replace_all(_QUOTED_CELL, "").str.count_matches(
            delimiter, literal=True).to_numpy() + 1
        exact[quoted[~well_formed]] = True
        exact[quoted[well_formed & (fields[quoted] > width)]] = True   # rare: let csv count them
    plain_long = np.flatnonzero(~exact & (fields > width))
    if plain_long.size:                               # unquoted lines with more cells than the header
        rest = lines.gather(plain_long).str.splitn(delimiter, width + 1).struct.field(f"field_{width}")
        too_many[plain_long] = rest.str.contains(rf"[^\s{_rx(delimiter)}]").to_numpy()

    starts = np.ones(n, bool)                         # False: a line inside an earlier quoted cell
    records = []                                      # (index, cells, reason, cell count)
    next_free = 0
    for i in np.flatnonzero(exact).tolist():
        if i < next_free:
            continue
        cells, reason, consumed = _exact_record(lines, i, n, delimiter, width)
        records.append((i, cells, reason, len(cells)))
        starts[i + 1:i + consumed] = False
        next_free = i + consumed

    row = first_line - 1 + np.cumsum(starts)
    fast = np.flatnonzero(starts & ~exact & (length > 0))
    parts = []
    if fast.size:
        sub = lines.gather(fast)
        frame = _polars(_exactly(sub, fields[fast], delimiter, width), delimiter, width)
        if frame is None or frame.height != fast.size:   # cannot happen for well-formed lines; never guess
            return _all_exact(lines, delimiter, width, first_line)
        frame = frame.with_columns(
            line=pl.Series(row[fast], dtype=pl.Int64),
            read_error=pl.when(pl.Series(too_many[fast])).then(pl.lit("too_many_fields"))
            .otherwise(pl.lit(None, pl.String)),
            fields=pl.Series(fields[fast], dtype=pl.Int64))
        parts.append(frame)
    if records:
        parts.append(_records_frame(records, row, width))
    if not parts:
        parts.append(_records_frame([], row, width))
    out = pl.concat(parts, how="vertical").sort("line") if len(parts) > 1 else parts[0]
    return Rows(out, len(records))


def _exactly(lines: pl.Series, fields: np.ndarray, d: str, width: int) -> bytes:
    """Well-formed lines as one text in which every line has exactly `width` cells (polars 2
    takes its column count from the first line): short lines get empty cells, the extra cells of
    long (unquoted) lines are cut off — whether they were empty is already known."""
    df = pl.DataFrame({"l": lines, "k": width - fields, "d": pl.Series([d] * len(lines))})
    cut = pl.col("l").str.splitn(d, width + 1).struct.field(f"field_{width}").str.len_chars()
    line = (pl.when(pl.col("k") > 0).then(pl.col("l") + pl.col("d").repeat_by("k").list.join(""))
            .when(pl.col("k") < 0).then(pl.col("l").str.slice(0, pl.col("l").str.len_chars() - cut - 1))
            .otherwise(pl.col("l")))
    return df.select(line.str.join("\n")).item().encode("utf-8")


def _all_exact(lines: pl.Series, delimiter: str, width: int, first_line: int) -> Rows:
    n = len(lines)
    starts = np.ones(n, bool)
    records, i = [], 0
    while i < n:
        if lines[i] == "":
            i += 1
            continue
        cells, reason, consumed = _exact_record(lines, i, n, delimiter, width)
        records.append((i, cells, reason, len(cells)))
        starts[i + 1:i + consumed] = False
        i += consumed
    row = first_line - 1 + np.cumsum(starts)
    return Rows(_records_frame(records, row, width), len(records))


def _exact_record(lines: pl.Series, i: int, n: int, delimiter: str, width: int):
    """(cells, reason or None, lines consumed) of the record that starts on line `i`."""
    first = lines[i]
    budget = len(first) + MAX_CELL

    def feed():
        used = 0
        for k in range(i, min(i + MAX_QUOTED_LINES, n)):
            line = lines[k]
            used += len(line) + 1
            if k > i and used > budget:
                break
            yield line + "\n"
        yield _SENTINEL + "\n"

    reader = csv.reader(feed(), delimiter=delimiter)
    try:
        cells = next(reader)
    except (csv.Error, StopIteration):
        cells = [_SENTINEL]
    if any(_SENTINEL in c for c in cells):            # still inside a quote at the end of the budget
        return _excerpt(first.split(delimiter)), "unbalanced_quote", 1
    consumed = max(reader.line_num, 1)
    if any(len(c) > MAX_CELL for c in cells):
        text = "\n".join(lines.slice(i, consumed).to_list())
        long_quoted = re.search(rf'(?:^|{re.escape(delimiter)})"(?:[^"]|""){{{MAX_CELL + 1}}}', text)
        if long_quoted:
            return _excerpt(first.split(delimiter)), "unbalanced_quote", 1
        return _excerpt(cells), "field_too_long", consumed
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        return _excerpt(cells), "too_many_fields", consumed
    return cells, None, consumed


def _excerpt(cells: list[str]) -> list[str]:
    return [c if len(c) <= _EXCERPT else c[:_EXCERPT] + "…" for c in cells]


def _records_frame(records, row: np.ndarray, width: int) -> pl.DataFrame:
    cols = {f"c{k}": pl.Series([cells[k] if k < len(cells) else None for _, cells, _, _ in records],
                               dtype=pl.String) for k in range(width)}
    return pl.DataFrame({
        **cols,
        "line": pl.Series([int(row[i]) for i, _, _, _ in records], dtype=pl.Int64),
        "read_error": pl.Series([r for _, _, r, _ in records], dtype=pl.String),
        "fields": pl.Series([f for _, _, _, f in records], dtype=pl.Int64),
    })
