"""Workbooks that fight back (issue 9 §3, issue 14 §5): each fails with one clear line or imports,
in bounded memory, and the first *visible* sheet is the one read. Every file is made here, small
on disk: xlsxwriter for honest workbooks, zipfile for hostile ones."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest
import xlsxwriter

from conftest import in_process

HEADER = ["申请号", "申请日", "申请人", "专利类型"]
ROW = ["201310699744.2", "2013-03-05", "宿迁华宇机械有限公司", "发明"]


def only(doc):
    (f,) = doc["files"]
    return f


def workbook(path, sheets, hidden=(), formulas=False):
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
        if name in hidden:
            ws.hide()
    if formulas:
        ws = wb.worksheets()[0]
        # a formula whose cached value is the number; ipmonitor must read the value, never evaluate
        ws.write_formula(2, 0, '=CONCATENATE("2012206876","33.0")', None, "201220687633.0")
        ws.write_row(2, 1, ["2012-11-20", "乙", "实用新型"])
    if hidden:
        wb.worksheets()[-1].activate()
    wb.close()
    return path


def import_json(home, path, code):
    proc = in_process("import", path, "--json", home=home)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    return only(json.loads(proc.stdout))


def test_the_first_visible_sheet_is_read_and_named(home, cli):
    path = workbook(home / "h.xlsx", [("旧数据", [HEADER, ["201310699744.3", "2013-03-05", "x", "发明"]]),
                                      ("清单", [HEADER, ROW])], hidden=("旧数据",))
    f = import_json(home, path, 0)
    assert (f["status"], f["sheet"], f["rows"], f["new"], f["rejected"]) == ("imported", "清单", 1, 1, 0)
    human = in_process("inspect", path, home=home).stdout
    assert "工作表“清单”" in human and "跳过了前面 1 个隐藏的工作表" in human


def test_every_sheet_hidden_fails_with_one_line(home):
    path = home / "allhidden.xlsx"
    workbook(path, [("a", [HEADER, ROW])])
    # xlsxwriter refuses to hide the only sheet: mark it hidden in the part itself
    data = io.BytesIO(path.read_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                body = body.replace(b'<sheet name="a"', b'<sheet name="a" state="hidden"')
            dst.writestr(info.filename, body)
    path.write_bytes(out.getvalue())
    f = import_json(home, path, 1)
    assert f["status"] == "failed" and "都被隐藏" in f["error"]


def test_formulas_give_their_cached_values(home, cli):
    path = workbook(home / "f.xlsx", [("s", [HEADER, ROW])], formulas=True)
    f = import_json(home, path, 0)
    assert (f["rows"], f["new"], f["rejected"]) == (2, 2, 0)


def test_many_sheets_only_the_first_visible_one_is_read(home):
    sheets = [(f"s{i}", [HEADER, ROW] if i == 0 else [["x"]]) for i in range(300)]
    f = import_json(home, workbook(home / "many.xlsx", sheets), 0)
    assert (f["sheet"], f["new"]) == ("s0", 1)


def zipped(path, parts: dict[str, bytes | callable], level=9):
    """A workbook made part by part; a callable part is streamed (it yields chunks)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, body in parts.items():
            if callable(body):
                with z.open(name, "w", force_zip64=True) as f:
                    for chunk in body():
                        f.write(chunk)
            else:
                z.writestr(name, body)
    return path


NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
BOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + NS +
        b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
        b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types '
         b'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         b'<Default Extension="xml" ContentType="application/xml"/>'
         b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
         b'officedocument.spreadsheetml.sheet.main+xml"/>'
         b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
         b'officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
             b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')


def book(sheet, **more):
    return {"[Content_Types].xml": TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": BOOK, "xl/_rels/workbook.xml.rels": RELS,
            "xl/worksheets/sheet1.xml": sheet, **more}


def sheet_xml(rows: bytes) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + NS + b"><sheetData>" + rows + \
        b"</sheetData></worksheet>"


def inline_row(r, cells):
    return (f'<row r="{r}">' + "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
                                       for i, v in enumerate(cells)) + "</row>").encode()


def test_a_hand_made_workbook_reads(home):
    path = zipped(home / "ok.xlsx", book(sheet_xml(inline_row(1, HEADER) + inline_row(2, ROW))))
    f = import_json(home, path, 0)
    assert (f["sheet"], f["new"]) == ("s", 1)


def test_zip_bomb_fails_before_inflating(home):
    def zeros():
        for _ in range(1100):
            yield b"\0" * (1 << 20)
    path = zipped(home / "bomb.xlsx", book(zeros))
    assert path.stat().st_size < 2 << 20
    f = import_json(home, path, 1)
    assert f["status"] == "failed" and "解压后过大" in f["error"]


@pytest.mark.parametrize("prolog", [
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
])
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/sharedStrings.xml"])
def test_entities_and_doctypes_are_refused(home, prolog, part):
    parts = book(sheet_xml(inline_row(1, HEADER) + inline_row(2, ROW)))
    body = parts.get(part, b'<?xml version="1.0"?><sst ' + NS + b' count="0" uniqueCount="0"></sst>')
    parts[part] = body.replace(b"?>", b"?>" + prolog, 1)
    f = import_json(home, zipped(home / "xxe.xlsx", parts), 1)
    assert f["status"] == "failed" and "实体" in f["error"] and "root:" not in json.dumps(f)


def test_encrypted_workbook_says_so(home):
    # what Excel writes for a password-protected workbook: an OLE2 compound file with an
    # EncryptionInfo and an EncryptedPackage stream (directory names are UTF-16LE)
    blob = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le")
            + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 2000)
    (home / "secret.xlsx").write_bytes(blob)
    f = import_json(home, home / "secret.xlsx", 1)
    assert f["status"] == "failed" and "密码" in f["error"]


def test_one_enormous_cell_fails_whole_in_bounded_memory(home):
    def cell():
        yield b'<?xml version="1.0"?><sst ' + NS + b' count="1" uniqueCount="1"><si><t>'
        for _ in range(200):
            yield b"x" * (1 << 20)
        yield b"</t></si></sst>"
    row = b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    path = zipped(home / "cell.xlsx", book(sheet_xml(inline_row(1, HEADER) + row), **{"xl/sharedStrings.xml": cell}))
    assert path.stat().st_size < 1 << 20
    proc = subprocess.run(
        [sys.executable, "-c", "import resource, subprocess, sys; "
         "p = subprocess.run([sys.executable, '-m', 'ipmonitor', '--home', sys.argv[1], 'import', sys.argv[2], '--json'],"
         " capture_output=True, text=True); print(p.stdout); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)", str(home), str(path)],
        capture_output=True, text=True, timeout=120)
    f = only(json.loads(proc.stdout))
    assert f["status"] == "failed" and "100,000" in f["error"]
    assert int(proc.stderr.strip().splitlines()[-1]) < 400 * 1024   # KiB: far below the 2.7 GB of before


def test_a_long_but_bounded_cell_rejects_only_its_row(home):
    big = "很长" * 60_000   # 120,000 characters: more than Excel writes, as a hand-made file may hold
    rows = (inline_row(1, HEADER) + inline_row(2, [ROW[0], ROW[1], big, ROW[3]])
            + inline_row(3, ["201220687633.0", "2012-11-20", "乙", "实用新型"]))
    path = zipped(home / "long.xlsx", book(sheet_xml(rows)))
    f = import_json(home, path, 0)
    assert (f["rows"], f["new"], f["rejected"]) == (2, 1, 1)
    rej = json.loads(in_process("rejects", "--json", home=home).stdout)
    assert [(r["line"], r["reason"]) for r in rej] == [(2, "field_too_long")]


def test_dense_workbook_over_the_cell_limit_fails_with_one_line(home):
    def rows():
        yield b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>"
        yield inline_row(1, HEADER)
        cells = b"".join(b'<c><v>1</v></c>' for _ in range(10))
        for _r in range(2, 520_002):
            yield b"<row>" + cells + b"</row>"
        yield b"</sheetData></worksheet>"
    path = zipped(home / "dense.xlsx", book(rows), level=1)
    assert path.stat().st_size < 10 << 20
    f = import_json(home, path, 1)
    assert f["status"] == "failed" and "5,000,000" in f["error"]


def test_too_many_rows_fails_with_one_line(home):
    def rows():
        yield b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>"
        yield inline_row(1, HEADER)
        for _ in range(1_100_000):
            yield b"<row/>"
        yield b"</sheetData></worksheet>"
    f = import_json(home, zipped(home / "rows.xlsx", book(rows), level=1), 1)
    assert f["status"] == "failed" and "1,048,576" in f["error"]


def test_not_a_zip_and_a_truncated_zip(home):
    good = workbook(home / "g.xlsx", [("s", [HEADER, ROW])]).read_bytes()
    (home / "cut.xlsx").write_bytes(good[: len(good) // 2])
    f = import_json(home, home / "cut.xlsx", 1)
    assert f["status"] == "failed" and ".xlsx" in f["error"]
