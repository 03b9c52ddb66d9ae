"""exports/progress-<year>.xlsx (pages.md), read back with openpyxl — a reader independent of the
writer — and compared with numbers worked out by hand from the fixture."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl

from conftest import write
from ipmonitor.ids import credit_check_char
from ipmonitor.xlsxwrite import Workbook, column_letter


def code(body17: str) -> str:
    return body17 + credit_check_char(body17)


A, B, C = code("91321311MA1MAAAA0"), code("91321311MA1MBBBB0"), code("91321311MA1MCCCC0")
REGISTRY = f"""统一社会信用代码,企业名称,所属镇街
{A},宿迁甲机械有限公司,下相街道
{B},"=HYPERLINK(""http://x"")",顺河街道
{C},安徽丙纺织有限公司,来龙镇
"""
FILINGS = """申请号,申请日,申请人,发明名称,法律状态,代理机构
201310699744.2,2013-01-01,宿迁甲机械有限公司,一种<b>装置</b> & 方法,受理,
201320123456.8,2013-01-06,"=HYPERLINK(""http://x"")",=1+1,授权,甲代理
201330123456.3,2013-02-15,宿迁甲机械有限公司,@SUM(A1),受理,
201320123459,2013-02-20,张伟,灯,受理,
201220687633.0,2012-01-20,宿迁甲机械有限公司,去年,受理,
"""
GOALS = '\n[goals.2013.townships]\n"下相街道" = 73\n'


def sheet(wb, name):
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def test_the_four_sheets_carry_the_progress_numbers(home, cli):
    with (home / "ipmonitor.toml").open("a", encoding="utf-8") as f:
        f.write(GOALS)
    cli.json("enterprises", "import", write(home / "reg.csv", REGISTRY))
    cli.json("import", write(home / "f.csv", FILINGS))
    cli("report", "--as-of", "2013-02-28", "--out", home / "reports")
    wb = openpyxl.load_workbook(home / "reports" / "exports" / "progress-2013.xlsx")
    assert wb.sheetnames == ["总览", "按镇街", "按单位", "申请明细"]

    over = {r[0]: tuple(r[1:]) for r in sheet(wb, "总览") if r and r[0]}
    assert over["宿豫区 2013 年省知识产权试点区专利工作进度"] == (None, None)
    assert over["统计截至"][0] == dt.datetime(2013, 2, 28)
    # day 59 of 365; counted 699744.2, 123456.8, 123456.3 (张伟 is unattributed)
    assert over["已申请（件）"] == (3, 1)
    assert over["全年目标（件）"] == (400, 50)
    assert over["按时间进度应完成（件）"] == (64.7, 8.1)          # 400·59/365, 50·59/365
    assert over["与时间进度相差（件，负数为落后）"] == (-61.7, -7.1)
    assert over["余下每周需（件）"] == (9.1, 1.1)                  # 397·7/306, 49·7/306
    assert over["按当前速度全年预计（件）"] == (18.6, 6.2)          # 3·365/59, 1·365/59
    assert over["状态"] == ("滞后", "滞后")
    assert over["去年同期（件）"] == (1, 0)                        # 2012-01-20, a utility model
    assert over["未归属到名录单位的申请（件）"][0] == 1

    assert sheet(wb, "按镇街") == [
        ["镇街", "申请件数", "其中发明", "目标", "按时间进度应完成", "状态"],
        ["下相街道", 2, 1, 73, 11.8, "滞后"],                       # 73·59/365 = 11.8
        ["顺河街道", 1, 0, None, None, "未设目标"],
        ["来龙镇", 0, 0, None, None, "未设目标"]]
    assert sheet(wb, "按单位") == [
        ["统一社会信用代码", "单位名称", "所属镇街", "申请件数", "其中发明"],
        [A, "宿迁甲机械有限公司", "下相街道", 2, 1],
        [B, '=HYPERLINK("http://x")', "顺河街道", 1, 0],
        [C, "安徽丙纺织有限公司", "来龙镇", 0, 0]]

    detail = sheet(wb, "申请明细")
    assert detail[0][:4] == ["申请号", "申请日", "专利类型", "专利名称"]
    assert [r[0] for r in detail[1:]] == ["201310699744.2", "201320123456.8", "201330123456.3"]
    assert detail[1][1] == dt.datetime(2013, 1, 1)
    assert detail[1][3] == "一种<b>装置</b> & 方法"
    assert detail[2][3] == "=1+1" and detail[2][5] == '=HYPERLINK("http://x")'   # text, as written
    assert detail[3][3] == "@SUM(A1)"


def test_text_cells_are_never_formulas(home, cli):
    cli.json("enterprises", "import", write(home / "reg.csv", REGISTRY))
    cli.json("import", write(home / "f.csv", FILINGS))
    cli("report", "--as-of", "2013-02-28", "--out", home / "reports")
    wb = openpyxl.load_workbook(home / "reports" / "exports" / "progress-2013.xlsx")
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)


def test_writer_escapes_drops_illegal_characters_and_keeps_kinds(tmp_path):
    frame = pl.DataFrame({"t": ["a<&>b", "x\x01y", None, "  lead"], "n": [1, None, 3, -4],
                          "d": ["2013-06-30", None, "bad", "1900-03-01"]})
    with Workbook(tmp_path / "w.xlsx") as wb:
        wb.rows("小", [["文字", 1, 2.5, dt.date(2013, 1, 1), None, True]])
        wb.frame("大", frame, {"n": "int", "d": "date"}, chunk=3)
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    assert sheet(wb, "小") == [["文字", 1, 2.5, dt.datetime(2013, 1, 1), None, "是"]]
    assert sheet(wb, "大") == [["t", "n", "d"], ["a<&>b", 1, dt.datetime(2013, 6, 30)],
                              ["xy", None, None], [None, 3, None],
                              ["  lead", -4, dt.datetime(1900, 3, 1)]]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
