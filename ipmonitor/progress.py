"""Attribution and progress against the year's goals (filings.md §5–6). Pure functions of frames.

Arithmetic on the goals is exact (fractions); `expected` and `projected` are
rounded half-up to one decimal only when reported, and `status` is decided on
the exact values.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl

from .collate import pinyin_column
from .filings import ISO_DATE
from .ids import TYPES

STATUSES = ("met", "on_track", "at_risk", "behind")   # their words: words.py "status.*"


def attribute(filings: pl.DataFrame, entities: pl.DataFrame, aliases: pl.DataFrame,
              overrides: pl.DataFrame | None = None) -> pl.DataFrame:
    """Add `entity` (credit code or null) and `excluded` (bool).

    An override (filings.md §7) comes first: `to` a registered entity attributes the filing to
    it, `none` keeps it out of the district (`excluded`: neither attributed nor unattributed).
    Else the row's credit code when it is registered, else the entity whose name or alias
    equals the first applicant's compared name. A name that two entities share goes to the one
    that bears it as its name rather than as an alias, then to the smaller credit code, so the
    result never depends on row order.
    """
    codes = entities.select(pl.col("credit_code").alias("_by_code"))
    keys = (pl.concat([
        entities.select(pl.col("name_key").alias("_key"), "credit_code", pl.lit(0).alias("_pri")),
        aliases.select(pl.col("alias_key").alias("_key"), "credit_code", pl.lit(1).alias("_pri")),
    ]).sort("_key", "_pri", "credit_code").unique("_key", keep="first", maintain_order=True)
        .select("_key", pl.col("credit_code").alias("_by_name")))
    out = (filings
           .join(codes, left_on="credit_code", right_on="_by_code", how="left", coalesce=False)
           .join(keys, left_on="first_applicant_key", right_on="_key", how="left")
           .with_columns(entity=pl.coalesce("_by_code", "_by_name"))
           .drop("_by_code", "_by_name"))
    if overrides is None or overrides.is_empty():
        return out.with_columns(excluded=pl.lit(False))
    o = (overrides.select("application_no", pl.col("action").alias("_o_action"),
                          pl.col("credit_code").alias("_o_code"))
         .join(codes.with_columns(_o_known=pl.lit(True)), left_on="_o_code", right_on="_by_code", how="left"))
    action = pl.col("_o_action")
    return (out.join(o, on="application_no", how="left")
            .with_columns(
                entity=pl.when((action == "to") & pl.col("_o_known").fill_null(False)).then(pl.col("_o_code"))
                .when(action == "none").then(pl.lit(None, pl.String)).otherwise(pl.col("entity")),
                excluded=(action == "none").fill_null(False))
            .drop("_o_action", "_o_code", "_o_known"))


def days_in_year(year: int) -> int:
    return 366 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 365


def effective_as_of(year: int, as_of: dt.date) -> dt.date:
    """An as-of date after the year reads as its 31 December."""
    return min(as_of, dt.date(year, 12, 31))


def one_decimal(x: Fraction | None) -> float | None:
    if x is None:
        return None
    exact = Decimal(x.numerator) / Decimal(x.denominator)   # 28 significant digits: ample here
    return float(exact.quantize(Decimal("0.1"), ROUND_HALF_UP))


def goal_status(count: int, goal: int | None, year: int, as_of: dt.date) -> dict:
    """count, goal, expected, projected, status for one goal (filings.md §6)."""
    diy = days_in_year(year)
    if as_of.year < year:
        expected, projected = Fraction(0), None
    else:
        doy = effective_as_of(year, as_of).timetuple().tm_yday
        expected = None if goal is None else Fraction(goal * doy, diy)
        projected = Fraction(count * diy, doy)
    status = None
    if goal is not None:
        if count >= goal:
            status = "met"
        elif count >= expected:
            status = "on_track"
        elif count >= Fraction(9, 10) * expected:
            status = "at_risk"
        else:
            status = "behind"
    return {"count": count, "goal": goal,
            "expected": None if goal is None else one_decimal(expected),
            "projected": one_decimal(projected), "status": status}


def week_label(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def weekly(filings: pl.DataFrame, year: int, as_of: dt.date) -> list[dict]:
    """Every ISO week from the one holding 1 January to the one holding as_of, zero weeks included."""
    start = dt.date(year, 1, 1)
    if as_of < start:
        return []
    first = start - dt.timedelta(days=start.weekday())
    last = as_of - dt.timedelta(days=as_of.weekday())
    mondays = pl.DataFrame({"monday": pl.date_range(first, last, "1w", eager=True)})
    per_week = (filings.group_by(pl.col("date").dt.truncate("1w").alias("monday"))
                .agg(pl.len().alias("new"),
                     (pl.col("type") == "invention").sum().alias("invention_new")))
    table = (mondays.join(per_week, on="monday", how="left").fill_null(0).sort("monday")
             .with_columns(pl.col("new").cum_sum().alias("cumulative")))
    return [{"week": week_label(r["monday"]), "new": r["new"], "cumulative": r["cumulative"],
             "invention_new": r["invention_new"]} for r in table.iter_rows(named=True)]


def year_window(year: int, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The filing dates that count: 1 January of the year to the effective as-of date."""
    return dt.date(year, 1, 1), effective_as_of(year, as_of)


def measure(*, year: int, as_of: dt.date, district: str, goals, filings: pl.DataFrame,
            entities: pl.DataFrame, rejected: int) -> dict:
    """The progress document of `progress --json` (cli.md).

    `filings` are the attributed filings (column `entity`) of any dates; only those dated in the
    year up to the effective as-of date count.
    """
    start, end = year_window(year, as_of)
    f = (filings.with_columns(date=pl.col("filing_date").str.to_date(ISO_DATE))
         .filter((pl.col("date") >= start) & (pl.col("date") <= end)))
    counted = f.filter(pl.col("entity").is_not_null())
    excluded = pl.col("excluded").fill_null(False) if "excluded" in f.columns else pl.lit(False)
    inventions = counted.filter(pl.col("type") == "invention")
    by_type = dict.fromkeys(TYPES, 0)
    by_type.update(dict(counted.group_by("type").len().iter_rows()))

    per_entity = (counted.group_by("entity")
                  .agg(pl.len().alias("filings"), (pl.col("type") == "invention").sum().alias("invention")))
    ents = (entities.join(per_entity, left_on="credit_code", right_on="entity", how="left")
            .with_columns(pl.col("filings").fill_null(0), pl.col("invention").fill_null(0)))
    # the pinyin key only breaks ties of (filings, invention): the registry's keys (worked out at
    # its import), else worked out here for the tied rows only
    tied = ents.select(pl.len().over("filings", "invention") > 1).to_series()
    names = ents["name"].zip_with(tied, pl.Series([None] * ents.height, dtype=pl.String))
    known = ents["name_pinyin"] if "name_pinyin" in ents.columns else None
    by_enterprise = (ents.with_columns(_key=pinyin_column(names, known))
                     .sort(["filings", "invention", "_key"], descending=[True, True, False])
                     .select("credit_code", "name", "township", "filings", "invention").to_dicts())
    keyed = "township_pinyin" in ents.columns
    towns = ents.group_by("township").agg(pl.col("filings").sum(), pl.col("invention").sum(),
                                          *([pl.col("township_pinyin").first()] if keyed else []))
    by_township = (towns.with_columns(_key=pinyin_column(towns["township"], towns["township_pinyin"] if keyed else None))
                   .drop("township_pinyin", strict=False)
                   .sort(["filings", "_key"], descending=[True, False]).drop("_key").to_dicts())
    goal = goals.get(year)
    eff = effective_as_of(year, as_of) if as_of.year >= year else as_of
    return {
        "year": year,
        "as_of": eff.isoformat(),
        "district": district,
        "filings": goal_status(counted.height, goal.filings if goal else None, year, as_of),
        "invention": goal_status(inventions.height, goal.invention if goal else None, year, as_of),
        "by_type": by_type,
        "by_township": by_township,
        "by_enterprise": by_enterprise,
        "weekly": weekly(counted, year, end),
        "unattributed": f.filter(pl.col("entity").is_null() & ~excluded).height,
        "rejected": rejected,
        "excluded": f.filter(excluded).height,
    }
