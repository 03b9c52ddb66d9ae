"""`exports/progress-<year>.xlsx` for the province (pages.md): 总览, 按镇街, 按单位, 申请明细.

Every number is the progress document's (the same as progress.json); the filings are the
CSV export's rows, written as text cells (no ' prefix is needed: a cell is never a formula).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from .xlsxwrite import Bold, OneDecimal, Title, Workbook

STATUS_ZH = {"met": "已完成", "on_track": "进度正常", "at_risk": "有风险", "behind": "滞后"}
SHEETS = ("总览", "按镇街", "按单位", "申请明细")
DETAIL_KINDS = {"申请日": "date", "授权日": "date"}


def _dec(v):
    return None if v is None else OneDecimal(v)


def overview_rows(doc: dict, title: str, generated_at: str) -> list[list]:
    """总览: the headline numbers, one row each, all filings and inventions side by side."""
    f, i = doc["filings"], doc["invention"]
    prev = doc.get("previous_year") or {}
    word = lambda s: None if s is None else STATUS_ZH[s]
    return [
        [Title(title)],
        ["地区", doc["district"]],
        ["年度", doc["year"]],
        ["统计截至", dt.date.fromisoformat(doc["as_of"])],
        ["生成时间", generated_at],
        [],
        [Bold("项目"), Bold("全部专利申请"), Bold("其中发明专利申请")],
        ["已申请（件）", f["count"], i["count"]],
        ["全年目标（件）", f["goal"], i["goal"]],
        ["按时间进度应完成（件）", _dec(f["expected"]), _dec(i["expected"])],
        ["与时间进度相差（件，负数为落后）", _dec(f.get("gap")), _dec(i.get("gap"))],
        ["余下每周需（件）", _dec(f.get("needed_per_week")), _dec(i.get("needed_per_week"))],
        ["按当前速度全年预计（件）", _dec(f["projected"]), _dec(i["projected"])],
        ["状态", word(f["status"]) or "未设目标", word(i["status"]) or "未设目标"],
        ["去年同期（件）", prev.get("filings"), prev.get("invention")],
        [],
        ["未归属到名录单位的申请（件）", doc["unattributed"]],
        ["导入时被拒绝、尚未处理的行", doc["rejected"]],
    ]


def township_rows(doc: dict) -> list[list]:
    towns = doc["by_township"]
    with_goals = any("goal" in t for t in towns)
    head = ["镇街", "申请件数", "其中发明"] + (["目标", "按时间进度应完成", "状态"] if with_goals else [])
    rows = [[Bold(h) for h in head]]
    for t in towns:
        row = [t["township"] or "（未填镇街）", t["filings"], t["invention"]]
        if with_goals:
            row += [t.get("goal"), _dec(t.get("expected")),
                    STATUS_ZH[t["status"]] if t.get("status") else "未设目标"]
        rows.append(row)
    return rows


def entity_rows(doc: dict) -> list[list]:
    rows = [[Bold(h) for h in ("统一社会信用代码", "单位名称", "所属镇街", "申请件数", "其中发明")]]
    rows += [[e["credit_code"], e["name"], e["township"], e["filings"], e["invention"]]
             for e in doc["by_enterprise"]]
    return rows


def write_progress_workbook(path: Path, doc: dict, filings: pl.DataFrame, *, title: str,
                            generated_at: str) -> None:
    """The four sheets; `filings` is `pagedata.export_rows(...)` of the year."""
    with Workbook(path) as wb:
        wb.rows(SHEETS[0], overview_rows(doc, title, generated_at), widths=[34, 18, 18])
        wb.rows(SHEETS[1], township_rows(doc), widths=[16, 10, 10, 10, 16, 10], freeze=1)
        wb.rows(SHEETS[2], entity_rows(doc), widths=[22, 36, 14, 10, 10], freeze=1)
        wb.frame(SHEETS[3], filings, DETAIL_KINDS, widths=[17, 11, 10, 40, 40, 30, 22, 12, 10, 11, 30])
