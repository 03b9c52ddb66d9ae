"""What the pages show beyond `app.progress`: pure polars functions of the year's attributed filings.

Inputs are the frames of `year.Year` (filings with column `entity`), the registry
and `records.history`; outputs are plain lists and dicts for the templates.
Nothing here re-counts what the progress document already holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import polars as pl

from . import words
from .filings import ISO_DATE, is_granted
from .ids import name_key
from .pagehtml import Rows, change_rows, co_rows, filing_rows
from .progress import attribute, goal_status

# The row of a filings table, in the order of its columns (the templates unpack these tuples).
FILING_COLUMNS = ["application_no", "date_zh", "title", "type_zh", "status_text", "agency"]
CHANGE_COLUMNS = ["application_no", "title", "old_status", "new_status", "changed_local", "file"]
CO_COLUMNS = ["application_no", "date_zh", "title", "type_zh", "role", "applicants"]
DASH = "—"
DATE_ZH, TIME_ZH = "%Y年%-m月%-d日", "%Y年%-m月%-d日 %H:%M"   # 2013年6月28日, 2013年6月28日 08:07
FORMULA_START = r"^[=+\-@\t\r]"   # = + - @ (and tab, CR) start a formula in Excel
EXPORT_COLUMNS = words.table("export")   # column → header of the export, in order


def _display(filings: pl.DataFrame) -> pl.DataFrame:
    """Words for the tables, made once for all rows: type in Chinese, ✔ after a granted status,
    — for an empty title, status or agency."""
    granted = is_granted(pl.col("status"), pl.col("grant_date"))
    return filings.with_columns(
        type_zh=pl.col("type").replace_strict(words.table("type"), default=pl.col("type")),
        date_zh=pl.col("filing_date").str.to_date(ISO_DATE, strict=False).dt.strftime(DATE_ZH),
        granted=granted,
        status_text=pl.col("status").fill_null(DASH)
        + pl.when(granted).then(pl.lit(" ✔")).otherwise(pl.lit("")),
        title=pl.col("title").fill_null(DASH), agency=pl.col("agency").fill_null(DASH))


def grouped_rows(df: pl.DataFrame, key: str, columns: list[str],
                 chunk: int = 200_000) -> Iterator[tuple[str, list[tuple]]]:
    """(key, rows as tuples of `columns`) for each value of `key`, each group in `df`'s order.

    One stable sort and one group_by for the group sizes, then the rows are turned into
    Python tuples a chunk of groups at a time (about `chunk` rows), so a year of a million
    filings never sits in memory as Python objects all at once.
    """
    df = df.filter(pl.col(key).is_not_null()).sort(key, maintain_order=True)
    sizes = df.group_by(key, maintain_order=True).len().rows()
    offset, i = 0, 0
    while i < len(sizes):
        j, n = i, 0
        while j < len(sizes) and (n == 0 or n + sizes[j][1] <= chunk):
            n += sizes[j][1]
            j += 1
        rows, pos = df.slice(offset, n).select(columns).rows(), 0
        for k, m in sizes[i:j]:
            yield k, rows[pos:pos + m]
            pos += m
        offset, i = offset + n, j


def attributed(filings: pl.DataFrame) -> pl.DataFrame:
    return filings.filter(pl.col("entity").is_not_null())


def with_entity_names(filings: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    names = entities.select(pl.col("credit_code").alias("entity"), pl.col("name").alias("entity_name"),
                            "township")
    return filings.join(names, on="entity", how="left")


def grants_in(grants: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Attributed grants (`app.grants`) dated in [start, end]: what `quality.grants` counts."""
    return grants.filter(pl.col("entity").is_not_null() & pl.col("granted_on").is_between(start, end))


def enterprise_rows(by_enterprise: list[dict], filings: pl.DataFrame, entities: pl.DataFrame,
                    grants: pl.DataFrame) -> list[dict]:
    """`progress["by_enterprise"]` (its order and counts) with the counts by type, the grants of
    the year up to as-of (`grants`: from `grants_in`, counted as the overview counts them) and flags."""
    per = (_display(attributed(filings)).group_by("entity").agg(
        (pl.col("type") == "utility_model").sum().alias("utility_model"),
        (pl.col("type") == "design").sum().alias("design"))
        .join(grants.group_by("entity").agg(pl.len().alias("granted")), on="entity", how="full",
              coalesce=True))
    base = pl.DataFrame(by_enterprise, schema={"credit_code": pl.String, "name": pl.String,
                                               "township": pl.String, "filings": pl.Int64,
                                               "invention": pl.Int64})
    flags = entities.select("credit_code", "high_tech", "above_scale", "aliases")
    return (base.with_row_index("_order")
            .join(per, left_on="credit_code", right_on="entity", how="left")
            .join(flags, on="credit_code", how="left")
            .with_columns(pl.col("utility_model", "design", "granted").fill_null(0).cast(pl.Int64))
            .sort("_order").drop("_order").to_dicts())


def filings_by_entity(filings: pl.DataFrame) -> dict[str, Rows]:
    """Each entity's filings of the year, newest first, as the escaped rows of the filings table
    (FILING_COLUMNS; pagehtml.filing_rows)."""
    return filing_rows(_display(attributed(filings)).sort(["filing_date", "application_no"], descending=True))


def status_changes(history: pl.DataFrame, tz: str) -> pl.DataFrame:
    """`records.history` rows → one row per change of legal status, with the local time of the import.

    A version's successor is the next replaced version of the same filing, or
    the filing's current values after the last one.
    """
    if history.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(("application_no", "old_status", "new_status", "changed_at",
                                                  "changed_local", "changed_date", "file"), pl.String))
    last = pl.col("id") == pl.col("id").max().over("application_no")
    return (history.sort("application_no", "id")
            .with_columns(new_status=pl.when(last).then(pl.col("current_status"))
                          .otherwise(pl.col("old_status").shift(-1).over("application_no")))
            .filter(pl.col("old_status").ne_missing(pl.col("new_status")))
            .with_columns(_t=pl.col("changed_at").str.to_datetime(time_zone="UTC")
                          .dt.convert_time_zone(tz))
            .with_columns(changed_local=pl.col("_t").dt.strftime(TIME_ZH),
                          changed_date=pl.col("_t").dt.strftime("%Y-%m-%d"))
            .select("application_no", "old_status", "new_status", "changed_at", "changed_local",
                    "changed_date", "file"))


def changes_by_entity(changes: pl.DataFrame, filings: pl.DataFrame) -> dict[str, Rows]:
    """Status changes of each entity's filings of the year, newest first, as the escaped rows of the
    changes table (CHANGE_COLUMNS; pagehtml.change_rows)."""
    joined = changes.join(_display(attributed(filings)).select("application_no", "entity", "title"),
                          on="application_no", how="inner")
    return change_rows(joined.sort(["changed_at", "application_no"], descending=True))


def co_applications(filings: pl.DataFrame, entities: pl.DataFrame,
                    aliases: pl.DataFrame) -> dict[str, Rows]:
    """For each entity, the year's filings with more than one applicant that it takes part in:
    as first applicant (attributed to it) or as a later applicant (matched like attribution), newest
    first, as the escaped rows of the co-applications table (CO_COLUMNS; pagehtml.co_rows)."""
    multi = filings.filter(pl.col("applicants").str.contains("; ", literal=True))
    later = (multi.select("application_no", pl.col("applicants").str.split("; ").list.slice(1).alias("name"))
             .explode("name").filter(pl.col("name").is_not_null())
             .with_columns(credit_code=pl.lit(None, pl.String),
                           first_applicant_key=name_key(pl.col("name"))))
    later = (attribute(later, entities, aliases).filter(pl.col("entity").is_not_null())
             .select("application_no", "entity", pl.lit(words.say("role.later")).alias("role")))
    first = attributed(multi).select("application_no", "entity", pl.lit(words.say("role.first")).alias("role"))
    rows = (pl.concat([first, later]).unique(["application_no", "entity"], keep="first", maintain_order=True)
            .join(_display(multi).select("application_no", "filing_date", "date_zh", "title", "type_zh",
                                         "applicants"),
                  on="application_no")
            .sort(["filing_date", "application_no"], descending=True))
    return co_rows(rows)


def unattributed(filings: pl.DataFrame) -> list[dict]:
    """The year's filings no entity claims, grouped by first applicant (most filings first)."""
    excluded = pl.col("excluded").fill_null(False) if "excluded" in filings.columns else pl.lit(False)
    return (filings.filter(pl.col("entity").is_null() & ~excluded)
            .sort("filing_date", "application_no")
            .group_by("first_applicant_key", maintain_order=True)
            .agg(pl.col("first_applicant").first().alias("applicant"), pl.len().alias("filings"),
                 (pl.col("type") == "invention").sum().alias("invention"),
                 pl.col("filing_date").min().alias("first_date"),
                 pl.col("filing_date").max().alias("last_date"),
                 pl.col("application_no").head(3).alias("examples"),
                 pl.col("agency").drop_nulls().unique(maintain_order=True).head(3).alias("agencies"))
            .sort(["filings", "applicant"], descending=[True, False])
            .drop("first_applicant_key").to_dicts())


def recent(filings: pl.DataFrame, entities: pl.DataFrame, start: dt.date, end: dt.date) -> list[tuple]:
    """Attributed filings dated in [start, end], newest first: FILING_COLUMNS, entity, entity name."""
    f = attributed(filings).filter(
        pl.col("filing_date").is_between(pl.lit(start.isoformat()), pl.lit(end.isoformat())))
    return (with_entity_names(_display(f), entities)
            .sort(["filing_date", "application_no"], descending=True)
            .select(*FILING_COLUMNS, "entity", "entity_name").rows())


def changes_in(history: pl.DataFrame, entities: pl.DataFrame, aliases: pl.DataFrame, tz: str,
               start: dt.date, end: dt.date) -> list[tuple]:
    """Status changes recorded by imports on the local dates [start, end], of the filings (of any
    filing date) attributed to an entity, newest first: CHANGE_COLUMNS, entity, entity name.
    `history` is what `records.history_changed_between` gives."""
    changes = status_changes(history, tz).filter(
        pl.col("changed_date").is_between(pl.lit(start.isoformat()), pl.lit(end.isoformat())))
    filings = attributed(attribute(
        history.unique("application_no").select("application_no", "filing_date", "title",
                                                "credit_code", "first_applicant_key"),
        entities, aliases))
    return (with_entity_names(changes.join(filings.drop("credit_code", "first_applicant_key"),
                                           on="application_no"), entities)
            .with_columns(pl.col("title").fill_null(DASH))
            .sort(["changed_at", "application_no"], descending=True)
            .select(*CHANGE_COLUMNS, "entity", "entity_name").rows())


def week_end(label: str) -> dt.date:
    y, w = label.split("-W")
    return dt.date.fromisocalendar(int(y), int(w), 7)


def weekly_rows(weekly: list[dict], year: int, as_of: dt.date, goals) -> list[dict]:
    """The weekly series with the cumulative inventions and each goal's target at the week's end
    (`goal_status(...)["expected"]` on that day: the target line of the charts)."""
    goal = goals.get(year)
    filings_goal, invention_goal = (goal.filings, goal.invention) if goal else (None, None)
    rows, inv = [], 0
    for w in weekly:
        inv += w["invention_new"]
        day = min(week_end(w["week"]), as_of, dt.date(year, 12, 31))
        rows.append({**w, "end": day, "invention_cumulative": inv,
                     "target": _target(filings_goal, year, day),
                     "invention_target": _target(invention_goal, year, day)})
    return rows


def _target(goal: int | None, year: int, day: dt.date) -> float | None:
    return None if goal is None else goal_status(0, goal, year, day)["expected"]


def export_rows(filings: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """The year's attributed filings for the exports, oldest first, with the Chinese headers."""
    f = (with_entity_names(attributed(filings), entities).sort("filing_date", "application_no")
         .with_columns(type_zh=pl.col("type").replace_strict(words.table("type"), default=pl.col("type"))))
    return f.select([pl.col(c).alias(h) for c, h in EXPORT_COLUMNS.items()])


def export_frame(filings: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """The CSV export of the year's attributed filings."""
    return csv_safe(export_rows(filings, entities))


def csv_safe(rows: pl.DataFrame) -> pl.DataFrame:
    """Any text cell that starts like a formula (= + - @, tab, CR) prefixed with ' so a spreadsheet
    shows it as text."""
    return rows.select([
        pl.when(pl.col(h).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(h))
        .otherwise(pl.col(h)).alias(h)
        for h in rows.columns])
