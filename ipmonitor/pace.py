"""The headline's gap, pace and last year, and the township goals (cli.md "later keys"). Pure.

`gap` = count − expected and `needed_per_week` = (goal − count) × 7 / days left, both exact
fractions rounded half-up (ties away from zero) to one decimal for the JSON; pages show whole
filings with the same rule (`whole`).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl

from .collate import pinyin_key
from .progress import days_in_year, effective_as_of, goal_status, one_decimal


def _day_of_year(year: int, as_of: dt.date) -> int:
    """Days of the year gone by at as_of: 0 before the year, the whole year after it."""
    if as_of.year < year:
        return 0
    return effective_as_of(year, as_of).timetuple().tm_yday


def pace(count: int, goal: int | None, year: int, as_of: dt.date) -> dict:
    """`gap` (count − expected) and `needed_per_week` for one goal; null where they mean nothing."""
    if goal is None:
        return {"gap": None, "needed_per_week": None}
    diy, doy = days_in_year(year), _day_of_year(year, as_of)
    gap = count - Fraction(goal * doy, diy)
    left = diy - doy
    needed = None if count >= goal or left <= 0 else Fraction((goal - count) * 7, left)
    return {"gap": one_decimal(gap), "needed_per_week": one_decimal(needed)}


def whole(x: float | int | None) -> int | None:
    """A number of filings for a page: half-up to a whole number (196.2 → 196, 34.5 → 35, −34.5 → −35)."""
    if x is None:
        return None
    return int(Decimal(str(x)).quantize(Decimal("1"), ROUND_HALF_UP))


def same_day_last_year(d: dt.date) -> dt.date:
    """The same calendar date a year earlier; 29 February reads as 28 February."""
    if d.month == 2 and d.day == 29:
        return dt.date(d.year - 1, 2, 28)
    return d.replace(year=d.year - 1)


def previous_year(earlier: pl.DataFrame, year: int, as_of: dt.date) -> dict | None:
    """Attributed filings (and inventions) of year − 1 up to the same calendar date, or None when
    no filing of that year is stored.

    `earlier`: filings dated before the year (columns filing_date, type, entity; unattributed
    ones included, so that "no filing stored" and "none attributed" are told apart).
    """
    start = dt.date(year - 1, 1, 1).isoformat()
    last = dt.date(year - 1, 12, 31).isoformat()
    that_year = earlier.filter(pl.col("filing_date").is_between(pl.lit(start), pl.lit(last)))
    if that_year.is_empty():
        return None
    end = same_day_last_year(effective_as_of(year, as_of) if as_of.year >= year else as_of).isoformat()
    counted = that_year.filter(pl.col("entity").is_not_null() & (pl.col("filing_date") <= end))
    return {"filings": counted.height,
            "invention": counted.filter(pl.col("type") == "invention").height}


def township_goals(by_township: list[dict], goals: dict[str, int] | None, year: int,
                   as_of: dt.date) -> list[dict]:
    """`by_township` with `goal`, `expected` and `status` for each township (null where no goal is
    set); a township with a goal but no registered entity is listed with zero filings."""
    if not goals:
        return by_township
    rows = list(by_township)
    known = {t["township"] for t in rows}
    rows += [{"township": name, "filings": 0, "invention": 0} for name in goals if name not in known]
    rows.sort(key=lambda t: (-t["filings"], pinyin_key(t["township"])))
    out = []
    for t in rows:
        g = goal_status(t["filings"], goals.get(t["township"]), year, as_of)
        out.append({**t, "goal": g["goal"], "expected": g["expected"], "status": g["status"]})
    return out


def add_later_keys(doc: dict, goal, earlier: pl.DataFrame) -> dict:
    """The progress document with `gap`, `needed_per_week`, `previous_year` and the township goals
    (`goal`: the year's Goal or None; `earlier`: as for `previous_year`)."""
    year, as_of = doc["year"], dt.date.fromisoformat(doc["as_of"])
    for key in ("filings", "invention"):
        doc[key].update(pace(doc[key]["count"], doc[key]["goal"], year, as_of))
    doc["previous_year"] = previous_year(earlier, year, as_of)
    doc["by_township"] = township_goals(doc["by_township"], goal.townships if goal else None, year, as_of)
    return doc
