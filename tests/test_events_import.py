"""`events import`: legal-status files read like agency exports, rejects, accounting, duplicates,
unmatched events applied when their filing arrives — on real SQLite files."""

from __future__ import annotations

import sqlite3

import pytest
import xlsxwriter
from conftest import write

HEADER = "申请号,法律状态公告日,法律状态,法律状态信息"
FILINGS = "\n".join([
    "申请号,申请日,申请人,发明名称,专利类型,法律状态",
    "201310699744.2,2013-03-05,宿迁华宇机械有限公司,一种切割装置,发明,实质审查",
    "201220687633.0,2012-11-20,宿迁绿源食品有限公司,一种保鲜方法,实用新型,授权",
    "",
])
REGISTRY = ("统一社会信用代码,企业名称\n91110000600037341L,宿迁华宇机械有限公司\n"
            "91350100M000100Y43,宿迁绿源食品有限公司\n")


def rows_of(home, sql):
    with sqlite3.connect(home / "ipmonitor.db") as conn:
        return conn.execute(sql).fetchall()


def only_file(doc):
    (f,) = doc["files"]
    return f


def test_cnipa_layout_gbk_with_title_line(home, cli):
    path = home / "ev.csv"
    path.write_bytes("\r\n".join([
        "中国专利法律状态查询结果（导出日期：2013-07-01）", HEADER,
        "201310699744.2,2014-05-01,授权,发明专利权授予",
        "ZL201220687633.0,2013-06-10,授权,",
        "2012206876330,2014-12-10,未缴年费专利权终止,未缴纳第3年度年费", ""]).encode("gb18030"))
    f = only_file(cli.json("events", "import", path))
    assert {k: f[k] for k in ("status", "rows", "new", "updated", "unchanged", "duplicate", "rejected",
                              "unmatched")} == {"status": "imported", "rows": 3, "new": 3, "updated": 0,
                                                "unchanged": 0, "duplicate": 0, "rejected": 0, "unmatched": 3}
    assert set(f) == {"file", "sha256", "status", "rows", "new", "updated", "unchanged", "duplicate",
                      "rejected", "warnings", "error", "unmatched", "import_id", "agency"}
    assert rows_of(home, "SELECT application_no, event_date, kind FROM legal_events ORDER BY event_date") == [
        ("201220687633.0", "2013-06-10", "granted"), ("201310699744.2", "2014-05-01", "granted"),
        ("201220687633.0", "2014-12-10", "lapsed")]


def test_utf16_tab_and_other_headers(home, cli):
    text = "\r\n".join(["专利号\t生效日\t事件\t详细信息", "201310699744.2\t2014年5月1日\t授权\t", ""])
    path = home / "ev.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    f = only_file(cli.json("events", "import", path))
    assert (f["status"], f["new"]) == ("imported", 1)
    assert rows_of(home, "SELECT event_date FROM legal_events") == [("2014-05-01",)]


def test_xlsx_with_date_cells(home, cli):
    import datetime as dt
    path = home / "ev.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["法律状态查询"])
    ws.write_row(1, 0, ["申请号", "法律状态公告日", "法律状态"])
    ws.write_string(2, 0, "201310699744.2")
    ws.write_datetime(2, 1, dt.datetime(2014, 5, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_string(2, 2, "授权")
    wb.close()
    f = only_file(cli.json("events", "import", path))
    assert (f["status"], f["new"]) == ("imported", 1)
    assert rows_of(home, "SELECT event_date FROM legal_events") == [("2014-05-01",)]


@pytest.mark.parametrize("cells, reason", [
    (",2014-05-01,授权", "missing_application_no"),
    ("2.01310E+11,2014-05-01,授权", "bad_application_no"),
    ("201310699744.3,2014-05-01,授权", "bad_check_digit"),
    ("201340699744.9,2014-05-01,授权", "bad_type_digit"),
    ("201310699744.2,,授权", "missing_event_date"),
    ("201310699744.2,2014-02-30,授权", "bad_event_date"),
    ("201310699744.2,2014-05-01,", "missing_event"),
    ("201310699744.2,2014-05-01,授权,,多出来的", "too_many_fields"),
])
def test_rejects(home, cli, cells, reason):
    path = write(home / "ev.csv", f"{HEADER}\n{cells}\n201220687633.0,2013-06-10,授权,\n")
    f = only_file(cli.json("events", "import", path))
    assert (f["rows"], f["new"], f["rejected"]) == (2, 1, 1)
    assert rows_of(home, "SELECT line, reason FROM rejects") == [(2, reason)]


def test_missing_required_column_fails_whole(home, cli):
    path = write(home / "ev.csv", "申请号,法律状态\n201310699744.2,授权\n")
    result = cli("events", "import", path, code=1)
    assert "event_date" in result.output or "法律状态公告日" in result.output
    assert rows_of(home, "SELECT count(*) FROM legal_events") == [(0,)]


def test_duplicates_in_file_and_across_files_and_sha_skip(home, cli):
    body = f"{HEADER}\n201310699744.2,2014-05-01,授权,\n201310699744.2,2014/5/1,授 权,\n"
    first = only_file(cli.json("events", "import", write(home / "a.csv", body)))
    assert (first["rows"], first["new"], first["duplicate"]) == (2, 1, 1)
    again = only_file(cli.json("events", "import", home / "a.csv"))
    assert again["status"] == "skipped"
    other = write(home / "b.csv", body + "201310699744.2,2016-02-01,专利权的终止,\n")
    f = only_file(cli.json("events", "import", other))
    assert (f["rows"], f["new"], f["duplicate"], f["rejected"]) == (3, 1, 2, 0)
    assert rows_of(home, "SELECT count(*) FROM legal_events") == [(2,)]
    assert rows_of(home, "SELECT kind, count(*) FROM imports GROUP BY kind") == [("events", 2)]


def test_unmatched_events_apply_when_the_filing_arrives(home, cli):
    write(home / "r.csv", REGISTRY)
    cli("enterprises", "import", home / "r.csv")
    ev = write(home / "ev.csv", f"{HEADER}\n201310699744.2,2014-05-01,授权,\n201220687633.0,2013-06-10,授权,\n")
    assert only_file(cli.json("events", "import", ev))["unmatched"] == 2
    before = cli.json("patents", "--as-of", "2014-12-31")
    assert (before["in_force"], before["unmatched_events"]) == (
        {"invention": 0, "utility_model": 0, "design": 0}, 2)
    cli("import", write(home / "f.csv", FILINGS))
    after = cli.json("patents", "--as-of", "2014-12-31")
    assert (after["in_force"], after["unmatched_events"]) == (
        {"invention": 1, "utility_model": 1, "design": 0}, 0)
    assert after["invention_per_10k"] is None


def test_events_of_a_file_are_one_transaction(home, cli, monkeypatch):
    from ipmonitor.store import events as events_store
    path = write(home / "ev.csv", f"{HEADER}\n201310699744.2,2014-05-01,授权,\n")

    def boom(*a, **k):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(events_store, "count_unmatched", boom)
    cli("events", "import", path, code=1)
    assert rows_of(home, "SELECT count(*) FROM legal_events") == [(0,)]
    assert rows_of(home, "SELECT count(*) FROM imports") == [(0,)]
    monkeypatch.undo()
    assert only_file(cli.json("events", "import", path))["new"] == 1


def test_agency_file_whose_first_row_is_shorter_than_the_header(home, cli):
    # the reader falls back to its exact pass: the missing cells are empty (filings.md §1)
    path = write(home / "a.csv", "申请号,申请日,申请人,发明名称\n201310699744.2,2013-03-05,宿迁华宇机械有限公司\n")
    f = only_file(cli.json("import", path))
    assert (f["status"], f["rows"], f["new"]) == ("imported", 1, 1)
    assert rows_of(home, "SELECT title FROM filings") == [(None,)]
