"""Opening an .xlsx that may fight back: looked at before it is read, then its first visible sheet.

Before fastexcel sees the bytes, the workbook is checked from the zip directory and
by streaming the parts that will be read (never inflating them into memory):

- an encrypted / password-protected workbook is an OLE2 file holding `EncryptedPackage`;
- the declared uncompressed sizes, and then the bytes actually inflated, stay under
  MAX_UNCOMPRESSED (a zip bomb stops there, whatever its directory claims);
- no DTD or entity declaration (OOXML never has one: external entities, billion laughs);
- at most MAX_ROWS rows and MAX_CELLS cells in the sheet, no text run near a megabyte
  (one 200 MB cell); smaller over-long cells are rejected per row by the reader.

Formulas are read as their cached values; nothing is ever evaluated.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from .readwords import failed

MAX_UNCOMPRESSED = 1 << 30       # bytes inflated from the parts read, in all
MAX_ENTRIES = 20_000
MAX_ROWS = 1_048_576             # Excel's own limit
MAX_CELLS = 5_000_000            # 4.95 million cells were read in 490 MiB
MAX_TEXT_RUN = 1_000_000         # bytes of text without markup: certainly a cell over 100,000 characters
_CHUNK = 1 << 20
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Sheet:
    name: str
    index: int            # position among the workbook's sheets (0-based)
    hidden_before: int    # hidden sheets skipped in front of it


def is_workbook(data: bytes) -> bool:
    return data.startswith((ZIP_MAGIC, _OLE2[:4]))


def check(data: bytes) -> Sheet | None:
    """The sheet to read, or FileFailed. None: an old .xls (OLE2, not encrypted) for fastexcel."""
    if data.startswith(_OLE2[:4]):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise failed("workbook_encrypted")
        return None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise failed("workbook_damaged") from None
    if len(infos) > MAX_ENTRIES:
        raise failed("workbook_too_big")
    names = {i.filename: i for i in infos}
    if "xl/workbook.xml" not in names:
        raise failed("workbook_damaged")
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise failed("workbook_too_big")
    with zf:
        book = _small(zf, "xl/workbook.xml")
        rels = _small(zf, "xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
        sheets = [{k.split(b":")[-1].decode(): html.unescape(v.decode("utf-8", "replace"))
                       for k, v in _ATTR.findall(m)} for m in _SHEET.findall(book)]
        if not sheets:
            raise failed("workbook_no_sheet")
        visible = [i for i, s in enumerate(sheets) if s.get("state", "visible") == "visible"]
        if not visible:
            raise failed("workbook_no_visible_sheet")
        pick = visible[0]
        target = _target(rels, sheets[pick].get("id"))
        parts = [p for p in ("xl/sharedStrings.xml", target) if p and p in names]
        if target not in names:   # an unusual layout: scan every worksheet rather than none
            parts += [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        inflated = 0
        for part in dict.fromkeys(parts):
            inflated = _scan(zf, part, inflated, is_sheet=part != "xl/sharedStrings.xml")
    return Sheet(sheets[pick].get("name", ""), pick, pick)


def _small(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > 16 << 20:
        raise failed("workbook_too_big")
    try:
        data = zf.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise failed("workbook_damaged") from None
    if _DTD.search(data):
        raise failed("workbook_entities")
    return data


def _target(rels: bytes, rid: str | None) -> str | None:
    for m in _REL.findall(rels):
        attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(m)}
        if attrs.get("Id") == rid and "Target" in attrs:
            t = attrs["Target"]
            return t.lstrip("/") if t.startswith("/") else "xl/" + t.removeprefix("./")
    return None


def _scan(zf: zipfile.ZipFile, name: str, inflated: int, is_sheet: bool) -> int:
    """Stream one part: size, DTD, rows, cells and text runs; returns the bytes inflated so far."""
    rows = cells = run = 0
    first = True
    try:
        with zf.open(name) as f:
            while chunk := f.read(_CHUNK):
                inflated += len(chunk)
                if inflated > MAX_UNCOMPRESSED:
                    raise failed("workbook_too_big")
                if first and _DTD.search(chunk[:4096]):
                    raise failed("workbook_entities")
                first = False
                if is_sheet:
                    rows += chunk.count(b"<row") + chunk.count(b":row ")
                    cells += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b":c ")
                    if rows > MAX_ROWS:
                        raise failed("workbook_too_many_rows")
                    if cells > MAX_CELLS:
                        raise failed("workbook_too_many_cells")
                marks = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 60)   # every "<"
                if marks.size == 0:
                    run += len(chunk)
                else:
                    run += int(marks[0])
                    if run > MAX_TEXT_RUN or (marks.size > 1 and int(np.diff(marks).max()) > MAX_TEXT_RUN):
                        raise failed("workbook_cell_too_long")
                    run = len(chunk) - int(marks[-1]) - 1
                if run > MAX_TEXT_RUN:
                    raise failed("workbook_cell_too_long")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise failed("workbook_damaged") from None
    return inflated

