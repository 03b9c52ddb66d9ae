"""Quality indicators beside the filing count (signals.md): grants, valid inventions, shares,
zero-patent entities, a seasonal projection. Pure functions of frames."""

from __future__ import annotations

import datetime as dt

import polars as pl

from .ids import TYPES
from .filings import ISO_DATE
from .progress import days_in_year, effective_as_of

# A granted patent that no longer is in force (legal status words of domain.md).
LAPSED_WORDS = ("驳回", "撤回", "视为撤回", "放弃", "失效", "届满", "未缴年费", "无效", "终止")


def grant_day(granted: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Add `granted_on`: the grant date when known, else (filings.md §4) the newest filing date
    among the rows of the import that first showed the filing granted, never later than the
    district's date of that import (`seen_day`, else the local date of `first_seen_granted`)."""
    seen = (pl.col("first_seen_granted").str.to_datetime(time_zone="UTC")
            .dt.convert_time_zone(tz).dt.date())
    # a handful of distinct imports and grant dates: each parsed once
    keys = ["first_seen_granted", "seen_newest", "seen_day"]
    seen_on = granted.select(keys).unique().with_columns(
        _seen=pl.min_horizontal(pl.col("seen_newest").str.to_date(ISO_DATE, strict=False),
                                pl.coalesce(pl.col("seen_day").str.to_date(ISO_DATE, strict=False), seen)))
    grant_on = granted.select(pl.col("grant_date").unique()).with_columns(
        _grant=pl.col("grant_date").str.to_date(ISO_DATE, strict=False))
    return (granted.join(seen_on, on=keys, how="left", nulls_equal=True, maintain_order="left")
            .join(grant_on, on="grant_date", how="left", nulls_equal=True, maintain_order="left")
            .with_columns(granted_on=pl.coalesce("_grant", "_seen")).drop("_grant", "_seen"))


def seasonal_share(earlier: pl.DataFrame, day_of_year: int) -> tuple[float | None, list[int]]:
    """The share of a whole year's filings that the earlier years had reached by the same day
    (pooled over those years), and which years were used. None with fewer than two years."""
    if earlier.is_empty():
        return None, []
    per = (earlier.with_columns(date=pl.col("filing_date").str.to_date(ISO_DATE))
           .with_columns(year=pl.col("date").dt.year(), doy=pl.col("date").dt.ordinal_day())
           .group_by("year").agg(pl.len().alias("total"), (pl.col("doy") <= day_of_year).sum().alias("by_day")))
    if per.height < 2 or per["total"].sum() == 0:
        return None, sorted(per["year"].to_list())
    return per["by_day"].sum() / per["total"].sum(), sorted(per["year"].to_list())


def projection(count: int, inventions: int, year: int, as_of: dt.date,
               earlier: pl.DataFrame) -> dict:
    """Linear projection, or the seasonal one once two or more earlier years of data exist."""
    if as_of.year < year:
        return {"method": "linear", "filings": None, "invention": None, "years": []}
    doy = effective_as_of(year, as_of).timetuple().tm_yday
    share, years = seasonal_share(earlier, doy)
    inv_share, _ = seasonal_share(earlier.filter(pl.col("type") == "invention"), doy)
    if share:
        return {"method": "seasonal", "filings": round(count / share, 1),
                "invention": round(inventions / inv_share, 1) if inv_share else None, "years": years}
    diy = days_in_year(year)
    return {"method": "linear", "filings": round(count * diy / doy, 1),
            "invention": round(inventions * diy / doy, 1), "years": years}


def indicators(*, year: int, as_of: dt.date, population: int | None, counted: pl.DataFrame,
               entities: pl.DataFrame, granted: pl.DataFrame, earlier: pl.DataFrame) -> dict:
    """The `quality` document of `progress --json`.

    counted: the year's attributed filings up to as-of (type, entity); granted: every attributed
    filing ever seen granted, with `granted_on` and current `status`; earlier: attributed filings
    of the years before (filing_date, type).
    """
    start, end = dt.date(year, 1, 1), effective_as_of(year, as_of)
    in_year = granted.filter((pl.col("granted_on") >= start) & (pl.col("granted_on") <= end))
    grants = dict.fromkeys(TYPES, 0)
    grants.update(dict(in_year.group_by("type").len().iter_rows()))
    valid = granted.filter((pl.col("type") == "invention") & (pl.col("granted_on") <= end)
                           & ~pl.col("status").is_in(LAPSED_WORDS).fill_null(False)).height
    inventions = counted.filter(pl.col("type") == "invention")
    registered = entities["credit_code"]
    with_filings = int(registered.is_in(counted["entity"].drop_nulls().unique().implode()).sum())
    high_tech = entities.filter(pl.col("high_tech") == 1)["credit_code"]
    high_tech_without = int((~high_tech.is_in(inventions["entity"].drop_nulls().unique().implode())).sum())
    return {
        "grants": grants,
        "valid_inventions": valid,
        "invention_per_10k": None if not population else round(valid / population * 10_000, 2),
        "invention_share": None if counted.is_empty() else round(inventions.height / counted.height, 4),
        "entities_with_filings": with_filings,
        "entities_without_filings": entities.height - with_filings,
        "high_tech_without_invention": high_tech_without,
        "projection": projection(counted.height, inventions.height, year, as_of, earlier),
    }
