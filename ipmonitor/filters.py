"""Jinja2 filters of the pages: thousands separators, one decimal, percent, Chinese dates, local times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from markupsafe import Markup

from . import words
from .pace import whole

DASH = "—"
# A symbol for each status, so that colour is never the only signal (also in black-and-white print).
STATUS_MARK = {"met": "✔", "on_track": "●", "at_risk": "▲", "behind": "▼"}


def thousands(value) -> str:
    """1234567 → '1,234,567'; floats keep one decimal ('1,234.5'); None → '—'."""
    if value is None:
        return DASH
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{int(value):,}"


def one_decimal(value) -> str:
    """29.8 → '29.8', 30 → '30.0'; None → '—'."""
    return DASH if value is None else f"{float(value):,.1f}"


def percent(part, whole) -> str:
    """part / whole as a percentage with one decimal: (171, 400) → '42.8%'; no whole → '—'."""
    if part is None or not whole:
        return DASH
    return f"{100 * part / whole:.1f}%"


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def date_zh(value) -> str:
    """'2013-06-30' (or a date) → '2013年6月30日'; None → '—'."""
    d = _date(value)
    return DASH if d is None else words.say("label.date", year=d.year, month=d.month, day=d.day)


def month_day(value) -> str:
    """'2013-06-30' → '6月30日'."""
    d = _date(value)
    return DASH if d is None else words.say("label.month_day", month=d.month, day=d.day)


def local_time(value, tz: str) -> str:
    """An ISO time (UTC or with offset; naive read as UTC) → '2013年6月28日 08:07' in the time zone."""
    if value is None or value == "":
        return DASH
    t = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return datetime_zh(t.astimezone(ZoneInfo(tz)))


def datetime_zh(t: dt.datetime) -> str:
    """A local time → '2013年6月28日 08:07'."""
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


def week_zh(label: str | None, with_year: bool = False) -> str:
    """'2013-W26' → '第26周（6月24日—6月30日）' (Monday to Sunday; with_year: '2013年第26周（…）')."""
    if not label:
        return DASH
    y, w = label.split("-W")
    monday = dt.date.fromisocalendar(int(y), int(w), 1)
    sunday = monday + dt.timedelta(days=6)
    return (f"{y}年" if with_year else "") + f"第{int(w)}周（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）"


def whole_number(value) -> str:
    """A count of filings on a page: half-up to a whole number with separators (196.2 → '196')."""
    return DASH if value is None else f"{whole(value):,}"


def gap_zh(gap) -> str:
    """count − expected in whole filings: '落后时间进度 35 件' / '超前 12 件' / '与时间进度持平'."""
    if gap is None:
        return DASH
    n = whole(gap)
    return f"落后时间进度 {-n:,} 件" if n < 0 else f"超前 {n:,} 件" if n > 0 else "与时间进度持平"


def status_zh(status: str | None) -> str:
    """'on_track' → '● 进度正常' (symbol and words); None → '未设目标'."""
    return words.say("status.none") if status is None else f"{STATUS_MARK[status]} {words.say('status.' + status)}"


def type_zh(kind: str | None) -> str:
    return DASH if kind is None else words.table("type").get(kind, kind)


def yes_no(flag) -> str:
    return DASH if flag is None else words.say("label.yes" if flag else "label.no")


def or_dash(value) -> str:
    return DASH if value is None or value == "" else value


EVENT_ZH = {"submitted": "已申报", "approved": "已批准", "rejected": "已驳回", "paid": "已拨付",
            "corrected": "已更正"}
FIELD_ZH = {"note": "备注", "amount": "申请金额", "voucher": "凭证号"}


def _yuan(v) -> str:
    try:
        return f"{int(v):,} 元"
    except (TypeError, ValueError):
        return str(v)


def event_zh(kind: str | None) -> str:
    """A subsidy event's type in words: 'paid' → '已拨付'."""
    return EVENT_ZH.get(kind, kind or DASH)


def event_detail(e: dict) -> str:
    """What a subsidy event says, in words: 金额 1,000 元；凭证号 …；拨付日期 2013年6月28日 …"""
    t, parts = e.get("type"), []
    if t == "corrected":
        field = e.get("field")
        old, new = (_yuan(e.get("old")), _yuan(e.get("new"))) if field == "amount" else (e.get("old"), e.get("new"))
        parts.append(f"{FIELD_ZH.get(field, field)}：{or_dash(old)} → {or_dash(new)}")
    if e.get("amount") is not None:
        parts.append(f"金额 {_yuan(e['amount'])}")
    if e.get("paid_on"):
        parts.append(f"拨付日期 {date_zh(e['paid_on'])}")
    if e.get("voucher"):
        parts.append(f"凭证号 {e['voucher']}")
    if e.get("reason"):
        parts.append(("理由：" if t in ("rejected", "corrected") else "说明：") + str(e["reason"]))
    if e.get("source"):
        parts.append(f"来自文件 {e['source']}")
    return "；".join(parts) or DASH


def css_string(value) -> Markup:
    """A CSS string literal for inline <style> (e.g. @page margin boxes): every ASCII character other
    than a letter, digit or space as a hex escape, so no value can end the string or the style."""
    out = "".join(c if (c.isalnum() or c == " " or ord(c) > 127) else f"\\{ord(c):x} " for c in str(value))
    return Markup(f'"{out}"')


FILTERS = {
    "thousands": thousands, "one_decimal": one_decimal, "percent": percent, "date_zh": date_zh,
    "month_day": month_day, "local_time": local_time, "status_zh": status_zh, "type_zh": type_zh,
    "yes_no": yes_no, "or_dash": or_dash, "css_string": css_string, "event_zh": event_zh,
    "event_detail": event_detail, "week_zh": week_zh, "whole": whole_number, "gap_zh": gap_zh,
}
