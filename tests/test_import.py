"""`ipmonitor import`: every file variant of filings.md §1, the row checks of §3, identity and
accounting of §4, whole-file failures — through the CLI on real SQLite files."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
import xlsxwriter
from conftest import in_process, run_process, write

from ipmonitor import filings as rules
from ipmonitor.tabular import read_table

HEADER = "申请号,申请日,申请人,发明名称,专利类型,法律状态"
ROWS = [
    "201310699744.2,2013-03-05,宿迁华宇机械有限公司,一种切割装置,发明,实质审查",
    "201220687633.0,2012-11-20,宿迁绿源食品有限公司；江南大学,一种保鲜方法,实用新型,授权",
    "201330123456.3,2013-04-01,张伟,包装盒(红色),外观设计,授权",
]


def rows_of(db_path, sql):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def filings(home):
    return {r[0]: r[1:] for r in rows_of(home / "ipmonitor.db",
            "SELECT application_no, type, filing_date, applicants, title, status FROM filings")}


def only_file(doc):
    (f,) = doc["files"]
    return f


def accounted(f):
    return f["rows"] == f["new"] + f["updated"] + f["unchanged"] + f["duplicate"] + f["rejected"]


def test_design_number_check_used_in_fixtures():
    from ipmonitor.ids import canonical_application_no
    assert canonical_application_no("201330123456") == "201330123456.3"


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b"")])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_encodings_and_line_endings(home, cli, encoding, bom, newline):
    path = home / "a.csv"
    path.write_bytes(bom + newline.join([HEADER, *ROWS, ""]).encode(encoding))
    f = only_file(cli.json("import", path))
    assert (f["status"], f["rows"], f["new"], f["rejected"]) == ("imported", 3, 3, 0)
    got = filings(home)
    assert got["201220687633.0"] == ("utility_model", "2012-11-20", "宿迁绿源食品有限公司; 江南大学",
                                     "一种保鲜方法", "授权")
    assert got["201330123456.3"][0] == "design"


def test_utf16_tab_separated_unicode_text(home, cli):
    text = "\r\n".join(line.replace(",", "\t") for line in [HEADER, *ROWS]) + "\r\n"
    path = home / "unicode.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    f = only_file(cli.json("import", path))
    assert (f["status"], f["new"]) == ("imported", 3)
    assert filings(home)["201310699744.2"][1] == "2013-03-05"


def test_title_lines_above_header_extra_columns_and_any_order(home, cli):
    text = ("宿迁智行专利代理事务所 专利申请清单（截至2013年6月30日）,,,,\n"
            "制表：张三,,,,\n"
            "序号,申请（专利权）人,备注,申请日期,专利申请号\n"
            "1,宿迁华宇机械有限公司,加急,2013/3/5,CN 2013 1 0699744.2\n")
    f = only_file(cli.json("import", write(home / "t.csv", text)))
    assert (f["status"], f["rows"], f["new"]) == ("imported", 1, 1)
    (row,) = rows_of(home / "ipmonitor.db", "SELECT line, extra FROM filing_sources")
    assert row[0] == 4
    assert json.loads(row[1]) == {"序号": "1", "备注": "加急"}


def test_quoted_fields_with_commas_quotes_and_newlines(home, cli):
    text = (HEADER + "\n"
            '201310699744.2,2013-03-05,"Sumitomo Electric Industries, Ltd.","一种""新型""装置,含逗号",发明,公开\n'
            '201220687633.0,2012-11-20,"宿迁绿源食品有限公司\n江南大学","多行\n标题",实用新型,授权\n'
            "201330123456.3,2013-04-01,张伟,包装盒,外观设计,abc\n"
            "201330123456.9,2013-04-01,张伟,包装盒,外观设计,abc\n")
    f = only_file(cli.json("import", write(home / "q.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (4, 3, 1)
    got = filings(home)
    assert got["201310699744.2"][2] == "Sumitomo Electric Industries, Ltd."
    assert got["201310699744.2"][3] == '一种"新型"装置,含逗号'
    assert got["201220687633.0"][2] == "宿迁绿源食品有限公司; 江南大学"
    # the spreadsheet row of the bad record: header 1, then records 2, 3, 4, 5
    assert cli.json("rejects")[0]["line"] == 5


def test_blank_lines_are_not_rows_but_keep_line_numbers(home, cli):
    text = HEADER + "\n" + ROWS[0] + "\n\n,,,,,\n" + "201310699744.3,2013-03-05,甲,x,发明,\n"
    f = only_file(cli.json("import", write(home / "b.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (2, 1, 1)
    (rej,) = cli.json("rejects")
    assert {k: rej[k] for k in ("file", "line", "application_no", "reason")} == {
        "file": "b.csv", "line": 5, "application_no": "201310699744.3", "reason": "bad_check_digit"}


def test_ragged_row_falls_back_to_exact_reading(home, cli):
    text = (HEADER + "\n" + ROWS[0] + "\n"
            "201220687633.0,2012-11-20,Foo Co., Ltd.,标题,实用新型,授权\n"   # unquoted comma
            + ROWS[2] + ",,\n")                                               # trailing empty cells
    f = only_file(cli.json("import", write(home / "r.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (3, 2, 1)
    (rej,) = cli.json("rejects")
    assert (rej["line"], rej["reason"]) == (3, "too_many_fields")


def test_header_aliases_english_and_fullwidth(home, cli):
    text = ("Application Number,Filing Date,Applicants,Title,Patent_Type,Legal_Status,Credit_Code,Agency,Inventors\n"
            "201310699744.2,20130305,宿迁华宇机械有限公司,t,invention,授权,91110000600037341L,某代理,李四、王五\n")
    f = only_file(cli.json("import", write(home / "e.csv", text)))
    assert f["new"] == 1
    (row,) = rows_of(home / "ipmonitor.db", "SELECT credit_code, agency, inventors, status FROM filings")
    assert row == ("91110000600037341L", "某代理", "李四; 王五", "授权")


@pytest.mark.parametrize("written", ["2013-03-05", "2013/3/5", "2013.03.05", "2013年3月5日", "20130305",
                                     "2013-03-05 00:00:00", "２０１３－０３－０５", " 2013/03/05 "])
def test_date_spellings(home, cli, written):
    text = f"申请号,申请日,申请人\n201310699744.2,{written},甲\n"
    f = only_file(cli.json("import", write(home / "d.csv", text)))
    assert f["new"] == 1, f
    assert filings(home)["201310699744.2"][1] == "2013-03-05"


def test_xlsx_merged_title_date_cells_and_numeric_numbers(home, cli):
    path = home / "huayu.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("清单")
    ws.merge_range("A1:E1", "宿迁华宇专利事务所 专利申请清单")
    ws.write_row(2, 0, ["专利申请号", "申请日期", "申请人名称", "专利名称", "专利类型"])
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_number(3, 0, 201310699744)                     # number cell: check digit lost
    ws.write_datetime(3, 1, dt.datetime(2013, 3, 5), fmt)
    ws.write_row(3, 2, ["宿迁华宇机械有限公司", "一种装置", "发明"])
    ws.write_row(4, 0, ["201220687633.0", "2012年11月20日", "乙", "方法", "实用新型"])
    ws.write_row(5, 0, ["201310699744.9", "2013-03-05", "丙", "坏", "发明"])
    wb.close()
    f = only_file(cli.json("import", path))
    assert (f["rows"], f["new"], f["rejected"], f["warnings"]) == (3, 2, 1, 1)
    assert filings(home)["201310699744.2"][1] == "2013-03-05"
    (rej,) = cli.json("rejects")
    assert (rej["line"], rej["reason"]) == (6, "bad_check_digit")   # the sheet row
    (w,) = rows_of(home / "ipmonitor.db", "SELECT line, code FROM warnings")
    assert w == (4, "check_digit_missing")


REASON_ROWS = [  # (row, expected reason) — each row fails exactly at its reason
    (",2013-03-05,甲,,", "missing_application_no"),
    ("2.01321E+11,2013-03-05,甲,,", "bad_application_no"),
    ("CN102822194A,2013-03-05,甲,,", "bad_application_no"),
    ("201310699744.3,2013-03-05,甲,,", "bad_check_digit"),
    ("201340699744,2013-03-05,甲,,", "bad_type_digit"),
    ("201310699744.2,,甲,,", "missing_filing_date"),
    ("201310699744.2,2013-02-30,甲,,", "bad_filing_date"),
    ("201310699744.2,yesterday,甲,,", "bad_filing_date"),
    ("201310699744.2,2099-01-01,甲,,", "future_filing_date"),
    ("201310699744.2,2013-03-05,甲,外观设计,", "type_mismatch"),
    ("201310699744.2,2013-03-05,,发明,", "missing_applicant"),
    ("201310699744.2,2013-03-05, ；、 ,发明,", "missing_applicant"),
    ("201310699744.3,,,外观设计,", "bad_check_digit"),   # first failing check wins
]


HEAD5 = "申请号,申请日,申请人,专利类型,法律状态\n"


@pytest.mark.parametrize("row, reason", REASON_ROWS)
def test_each_reject_reason(row, reason):
    """The rule on the pure function (filings.normalise), no database: the row's one reason."""
    table = read_table((HEAD5 + row + "\n").encode(), "x.csv", rules.matcher(), rules.REQUIRED)
    batch = rules.normalise(table, dt.date(2013, 6, 30))
    assert (batch.rows, batch.filings.height, batch.duplicate) == (1, 0, 0)
    assert batch.rejects.select("line", "reason").rows() == [(2, reason)]
    (message,) = batch.rejects["message"].to_list()
    assert message
    if "E+" in row:
        assert "文本" in message   # tells the officer to export the column as text


def test_every_reject_reason_through_the_cli(home, cli):
    """The same rows in one file through `import` and `rejects`: stored, listed by line."""
    text = HEAD5 + "\n".join(row for row, _ in REASON_ROWS) + "\n"
    f = only_file(cli.json("import", write(home / "x.csv", text)))
    assert (f["rows"], f["new"], f["rejected"]) == (len(REASON_ROWS), 0, len(REASON_ROWS))
    rejects = cli.json("rejects")
    assert [(r["file"], r["line"], r["reason"]) for r in rejects] == [
        ("x.csv", line, reason) for line, (_, reason) in enumerate(REASON_ROWS, start=2)]
    assert all(r["message"] for r in rejects)


def test_future_date_uses_the_district_today(home, cli, monkeypatch):
    # 20:00 UTC on 30 June is 04:00 on 1 July in the district (UTC+8): 1 July is today, 2 July is not
    monkeypatch.setenv("IPMONITOR_TODAY", "2013-06-30T20:00:00+00:00")
    text = "申请号,申请日,申请人\n201310699744.2,2013-07-02,甲\n201310699745.7,2013-07-01,乙\n"
    f = only_file(cli.json("import", write(home / "f.csv", text)))
    assert (f["new"], f["rejected"]) == (1, 1)
    (rej,) = cli.json("rejects")
    assert (rej["line"], rej["reason"]) == (2, "future_filing_date")


def test_warnings_keep_the_row(home, cli):
    text = ("申请号,申请日,申请人,专利类型\n"
            "201310699744.2,2012-12-30,甲,发明\n"        # year_mismatch (divisional)
            "201220687633,2012-11-20,乙,实用新型\n"      # check_digit_missing
            "201080063196.9,2012-01-05,丙,国际申请\n")   # unknown_type_word; PCT: no year warning
    f = only_file(cli.json("import", write(home / "w.csv", text)))
    assert (f["new"], f["rejected"], f["warnings"]) == (3, 0, 3)
    got = sorted(rows_of(home / "ipmonitor.db", "SELECT line, application_no, code FROM warnings"))
    assert got == [(2, "201310699744.2", "year_mismatch"), (3, "201220687633.0", "check_digit_missing"),
                   (4, "201080063196.9", "unknown_type_word")]
    assert filings(home)["201080063196.9"][0] == "invention"


def test_in_file_duplicates_and_conflicts(home, cli):
    text = ("申请号,申请日,申请人,法律状态\n"
            "201310699744.2,2013-03-05,甲,公开\n"
            "CN201310699744.2,2013/3/5,甲,公开\n"     # identical after normalising
            "201220687633.0,2012-11-20,乙,实质审查\n"
            "201220687633.0,2012-11-20,乙,授权\n")    # same number, other values: later wins
    f = only_file(cli.json("import", write(home / "dup.csv", text)))
    assert (f["rows"], f["new"], f["duplicate"], f["warnings"]) == (4, 2, 2, 1)
    assert accounted(f)
    assert filings(home)["201220687633.0"][4] == "授权"
    assert rows_of(home / "ipmonitor.db", "SELECT line, code FROM warnings") == [(5, "conflicting_duplicate")]


def test_reimport_skip_update_unchanged_and_history(home, cli):
    first = write(home / "a.csv", "申请号,申请日,申请人,发明名称,法律状态\n"
                  "201310699744.2,2013-03-05,甲,一种装置,实质审查\n"
                  "201220687633.0,2012-11-20,乙,一种方法,授权\n")
    assert only_file(cli.json("import", first))["new"] == 2
    assert only_file(cli.json("import", first))["status"] == "skipped"
    # a second agency's file: no title column, an empty status cell, one changed status, one new
    second = write(home / "b.csv", "申请号,申请日,申请人,法律状态\n"
                   "201310699744.2,2013-03-05,甲,授权\n"
                   "201220687633.0,2012-11-20,乙,\n"
                   "201710601862.3,2017-05-02,丙,受理\n")
    f = only_file(cli.json("import", second))
    assert (f["new"], f["updated"], f["unchanged"]) == (1, 1, 1) and accounted(f)
    got = filings(home)
    assert got["201310699744.2"][3:] == ("一种装置", "授权")     # title kept, status updated
    assert got["201220687633.0"][4] == "授权"                    # empty cell keeps the stored value
    hist = rows_of(home / "ipmonitor.db",
                   "SELECT h.application_no, h.status, a.file, b.file FROM filing_history h "
                   "JOIN imports a ON a.id = h.from_import_id JOIN imports b ON b.id = h.replaced_by_import_id")
    assert hist == [("201310699744.2", "实质审查", "a.csv", "b.csv")]
    prov = rows_of(home / "ipmonitor.db", "SELECT i.file, s.line FROM filing_sources s JOIN imports i "
                   "ON i.id = s.import_id WHERE application_no = '201310699744.2' ORDER BY i.id")
    assert prov == [("a.csv", 2), ("b.csv", 2)]


def test_several_files_one_fails_others_import(home, cli):
    good = write(home / "good.csv", HEADER + "\n" + ROWS[0] + "\n")
    result = cli("import", good, home / "missing.csv", "--json", code=1)
    files = json.loads(result.stdout)["files"]
    assert [(f["file"], f["status"]) for f in files] == [("good.csv", "imported"), ("missing.csv", "failed")]
    assert "missing.csv" in files[1]["error"]


def snapshot(home):
    db = home / "ipmonitor.db"
    if not db.exists():
        return None
    return [rows_of(db, f"SELECT count(*) FROM {t}")[0][0]
            for t in ("imports", "filings", "rejects", "warnings", "filing_sources", "filing_history")]


@pytest.mark.parametrize("name, content, words", [
    ("missing.csv", "申请号,发明名称\n201310699744.2,x\n".encode(), ["缺少必需的列：申请日、申请人", "“申请号”、“发明名称”"]),
    ("empty.csv", b"", ["文件是空的"]),
    ("blank.csv", b"\xef\xbb\xbf\r\n\r\n", ["文件是空的"]),
    ("binary.csv", bytes(range(256)) * 8, ["不是文本文件"]),
    ("noheader.csv", b"a,b,c\n1,2,3\n", ["找不到表头"]),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", [".xlsx"]),
    ("latin.csv", "申请号,申请日,申请人\n".encode() + b"\xff\xfe\xfd\x80\x81,\xff\n", ["无法解码"]),
])
def test_whole_file_failures_leave_the_database_unchanged(home, cli, name, content, words):
    cli.json("import", write(home / "ok.csv", HEADER + "\n" + ROWS[0] + "\n"))
    before = snapshot(home)
    (home / name).write_bytes(content)
    proc = in_process("import", home / name, "--json", home=home)
    assert proc.returncode == 1
    f = only_file(json.loads(proc.stdout))
    assert f["status"] == "failed" and f["new"] == 0
    for w in words:
        assert w in f["error"]
    assert "Traceback" not in proc.stderr
    assert snapshot(home) == before
    # a failed file is not remembered: once fixed, the same name imports
    write(home / name, HEADER + "\n" + ROWS[1] + "\n")
    assert only_file(cli.json("import", home / name))["status"] == "imported"


def test_human_output_error_is_one_line(home):
    (home / "empty.csv").write_bytes(b"")
    proc = run_process("import", home / "empty.csv", home=home)
    assert proc.returncode == 1
    assert "empty.csv" in proc.stdout and "文件是空的" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_a_crash_mid_import_stores_nothing_and_a_retry_completes(home, cli, monkeypatch):
    from ipmonitor.store import records
    path = write(home / "a.csv", HEADER + "\n" + "\n".join(ROWS) + "\n201310699744.9,2013-03-05,x,,,\n")
    real = records.save_rows

    def crash(db, table, import_id, df):
        if table == "warnings":
            raise KeyboardInterrupt   # as if the process were stopped after filings and rejects
        return real(db, table, import_id, df)

    monkeypatch.setattr(records, "save_rows", crash)
    from ipmonitor import app
    home_ = app.open_home(home)
    with pytest.raises(KeyboardInterrupt):
        app.import_files(home_, [path])
    home_.close()
    assert snapshot(home) == [0, 0, 0, 0, 0, 0]
    monkeypatch.setattr(records, "save_rows", real)
    f = only_file(cli.json("import", path))
    assert (f["status"], f["new"], f["rejected"]) == ("imported", 3, 1)


def test_explicit_column_map_from_sources(home, cli):
    (home / "ipmonitor.toml").write_text(
        '[[sources]]\nname = "x"\nurl = "https://example.invalid/e.csv"\n'
        '[sources.columns]\napplication_no = "案卷申请编号"\nfiling_date = "递交日"\napplicants = "客户"\n',
        encoding="utf-8")
    text = "案卷申请编号,递交日,客户\n201310699744.2,2013-03-05,甲\n"
    assert only_file(cli.json("import", write(home / "m.csv", text)))["new"] == 1


def test_odd_line_separators_in_a_title_line_do_not_shift_line_numbers(home, cli):
    text = "清单\u2028第二部分\x0c,,\n" + HEADER + "\n" + "201310699744.3,2013-03-05,甲,,,\n"
    only_file(cli.json("import", write(home / "s.csv", text)))
    assert cli.json("rejects")[0]["line"] == 3
