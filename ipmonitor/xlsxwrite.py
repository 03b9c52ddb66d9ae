"""A small .xlsx writer: SpreadsheetML parts in a zip, the big sheets built as text by polars.

Why not xlsxwriter: it spends ~15 µs a cell in Python (a 100,000-filing sheet took 18 s here),
and a year can hold a million filings; building the sheet's XML with polars string expressions
takes a second or two. Every text cell is an inline string (`t="inlineStr"`), never a formula, so
`=cmd|…` stays the text it is; numbers are numbers, dates are date serials with a date format.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

MAX_ROWS = 1_048_576                       # Excel's rows per sheet, header included
EPOCH = dt.date(1899, 12, 30)              # day 0 of Excel's 1900 date system (as Excel counts)
ILLEGAL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]"   # not allowed in XML 1.0
# styles: 0 plain, 1 bold (headers), 2 one decimal, 3 date, 4 bold title
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="11"/><name val="宋体"/></font><font><b/><sz val="14"/><name val="宋体"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letter(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


class Bold(str):
    """A text cell set in bold (headers)."""


class Title(str):
    """A text cell set as the sheet's title."""


class OneDecimal(float):
    """A number shown with one decimal (expected, projected …)."""


def _text(s: str) -> str:
    import re
    return escape(re.sub(ILLEGAL, "", s))


def _cell(ref: str, v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        v = "是" if v else "否"
    if isinstance(v, str):
        style = ' s="1"' if isinstance(v, Bold) else ' s="4"' if isinstance(v, Title) else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{_text(v)}</t></is></c>'
    if isinstance(v, dt.date):
        return f'<c r="{ref}" s="3"><v>{(v - EPOCH).days}</v></c>'
    style = ' s="2"' if isinstance(v, OneDecimal) else ""
    return f'<c r="{ref}"{style}><v>{v!r}</v></c>'


def rows_xml(rows: list[list], start: int = 1) -> str:
    """Sheet rows from Python values (str → text, int/float → number, date → date, None → empty)."""
    out = []
    for n, row in enumerate(rows, start):
        cells = "".join(_cell(f"{column_letter(i)}{n}", v) for i, v in enumerate(row))
        out.append(f'<row r="{n}">{cells}</row>')
    return "".join(out)


SPECIAL = r"[&<>\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]"


def _frame_rows(frame: pl.DataFrame, kinds: dict[str, str], start: int) -> pl.DataFrame:
    """One `<row>` per row of `frame` (columns in order; kind 'text', 'int', 'date'), vectorised.
    Text is escaped only in the columns that hold a character needing it (most hold none)."""
    frame = frame.with_columns(_n=(pl.int_range(pl.len(), dtype=pl.Int64) + start).cast(pl.String))
    n, cells = pl.col("_n"), []
    for i, col in enumerate(frame.columns[:-1]):
        ref = pl.lit(f'<c r="{column_letter(i)}') + n
        kind = kinds.get(col, "text")
        c = pl.col(col)
        if kind == "text":
            t = c.cast(pl.String)
            if frame[col].cast(pl.String).str.contains(SPECIAL).any():
                t = (t.str.replace_all(ILLEGAL, "").str.replace_all("&", "&amp;", literal=True)
                     .str.replace_all("<", "&lt;", literal=True).str.replace_all(">", "&gt;", literal=True))
            xml = ref + pl.lit('" t="inlineStr"><is><t xml:space="preserve">') + t + pl.lit("</t></is></c>")
            xml = pl.when(c.is_null() | (c.cast(pl.String) == "")).then(pl.lit("")).otherwise(xml)
        elif kind == "date":
            days = (c.cast(pl.String).str.to_date(strict=False) - pl.lit(EPOCH)).dt.total_days()
            xml = pl.when(days.is_null()).then(pl.lit("")).otherwise(
                ref + pl.lit('" s="3"><v>') + days.cast(pl.String) + pl.lit("</v></c>"))
        else:
            xml = pl.when(c.is_null()).then(pl.lit("")).otherwise(
                ref + pl.lit('"><v>') + c.cast(pl.String) + pl.lit("</v></c>"))
        cells.append(xml.alias(f"_c{i}"))
    row = pl.lit('<row r="') + n + pl.lit('">') + pl.concat_str(cells) + pl.lit("</row>")
    return frame.select(row.alias("xml"))


def _sheet_head(widths: list[float], freeze: int) -> str:
    pane = (f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{freeze}" topLeftCell="A{freeze + 1}" '
            f'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>') if freeze else ""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}>{pane}'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")


class Workbook:
    """`with Workbook(path) as wb: wb.rows(name, rows); wb.frame(name, frame, kinds)`."""

    def __init__(self, path: Path):
        self.path, self.names = Path(path), []
        self.zip = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)

    def _add(self, name: str, widths: list[float], freeze: int, parts) -> None:
        """A sheet from parts: text, or a one-column frame of row XML (written by polars, a row a line)."""
        self.names.append(name)
        with self.zip.open(f"xl/worksheets/sheet{len(self.names)}.xml", "w", force_zip64=True) as f:
            f.write(_sheet_head(widths, freeze).encode())
            for part in parts:
                if isinstance(part, str):
                    f.write(part.encode())
                else:
                    part.write_csv(f, include_header=False, quote_style="never")
            f.write(b"</sheetData></worksheet>")

    def rows(self, name: str, rows: list[list], widths: list[float] = (), freeze: int = 0) -> None:
        """A small sheet from Python values."""
        self._add(name, list(widths), freeze, [rows_xml(rows)])

    def frame(self, name: str, frame: pl.DataFrame, kinds: dict[str, str], widths: list[float] = (),
              chunk: int = 100_000) -> None:
        """A big sheet: a bold header of the frame's column names, then its rows; a frame longer than
        a sheet holds goes on in sheets named `name (2)`, `name (3)` …"""
        header = rows_xml([[Bold(c) for c in frame.columns]])
        per_sheet = MAX_ROWS - 1
        for k, offset in enumerate(range(0, max(frame.height, 1), per_sheet)):
            part = frame.slice(offset, per_sheet)
            chunks = (_frame_rows(part.slice(o, chunk), kinds, o + 2) for o in range(0, part.height, chunk))
            self._add(name if k == 0 else f"{name} ({k + 1})", list(widths), 1, [header, *chunks])

    def close(self) -> None:
        sheets = "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, n in enumerate(self.names, 1))
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(self.names) + 1))
        k = len(self.names) + 1
        ct = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                     f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                     for i in range(1, k))
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        pkg = "http://schemas.openxmlformats.org/package/2006"
        self.zip.writestr("[Content_Types].xml", head +
            f'<Types xmlns="{pkg}/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{ct}</Types>")
        self.zip.writestr("_rels/.rels", head + f'<Relationships xmlns="{pkg}/relationships">'
                          f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
                          "</Relationships>")
        self.zip.writestr("xl/workbook.xml", head + f'<workbook {NS} xmlns:r="{REL}"><sheets>{sheets}</sheets></workbook>')
        self.zip.writestr("xl/_rels/workbook.xml.rels", head + f'<Relationships xmlns="{pkg}/relationships">'
                          f'{rels}<Relationship Id="rId{k}" Type="{REL}/styles" Target="styles.xml"/>'
                          "</Relationships>")
        self.zip.writestr("xl/styles.xml", STYLES)
        self.zip.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            self.close()
        else:
            self.zip.close()
