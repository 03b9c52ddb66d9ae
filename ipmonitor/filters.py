"""Jinja2 filters of the pages: thousands separators, one decimal, percent, Chinese dates, local times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from . import words

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
    """An ISO time (UTC or with offset; naive read as UTC) → 'YYYY-MM-DD HH:MM' in the time zone."""
    if value is None or value == "":
        return DASH
    t = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def status_zh(status: str | None) -> str:
    """'on_track' → '● 进度正常' (symbol and words); None → '未设目标'."""
    return words.say("status.none") if status is None else f"{STATUS_MARK[status]} {words.say('status.' + status)}"


def type_zh(kind: str | None) -> str:
    return DASH if kind is None else words.table("type").get(kind, kind)


def yes_no(flag) -> str:
    return DASH if flag is None else words.say("label.yes" if flag else "label.no")


def or_dash(value) -> str:
    return DASH if value is None or value == "" else value


FILTERS = {
    "thousands": thousands, "one_decimal": one_decimal, "percent": percent, "date_zh": date_zh,
    "month_day": month_day, "local_time": local_time, "status_zh": status_zh, "type_zh": type_zh,
    "yes_no": yes_no, "or_dash": or_dash,
}
