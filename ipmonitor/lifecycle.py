"""The lifecycle of a patent (status.md): its state at any date from dated events, its term, the
annual fees falling due, and the `patents --json` document. Pure, vectorised functions of frames.

Events come from two places, put into one frame by `combine`: the legal-status lists (`events
import`) and the status words of agency exports (a changed status is an event, dated by the grant
date when given, else by the import's file day — the newest filing date of that import, never later
than the day of the import; filings.md §4).

State at a date, per filing, from its events up to that date (in date order):
granted → in force; lapsed, invalidated, abandoned, withdrawn, refused → out (before a grant: the
application ends, never in force); restored → back to the state before the event it undoes (the
latest ending event not yet undone; a grant that came while the filing was out does not count).
A patent is also out once its term ends: on the N-th anniversary of the filing date.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl

from .events import ENDING, LAPSE_KINDS, kind_of, word_key
from .filings import ISO_DATE, is_granted
from .ids import TYPES

STATE_KINDS = ("granted", "restored", *ENDING)
DESIGN_15_FROM = dt.date(2021, 6, 1)
TERM_YEARS = {"invention": 20, "utility_model": 10, "design": 10}
GRANTED_STATUS = ("有效", "专利权维持", "有效专利", "维持")   # granted words without 授权/授予
FEE_ALERT_DAYS = 60
EVENT_SCHEMA = {"application_no": pl.String, "date": pl.Date, "kind": pl.String, "words": pl.String,
                "source": pl.String, "seq": pl.Int64}


# --- dates ---------------------------------------------------------------------------------------

def anniversary(date: pl.Expr, years: pl.Expr | int) -> pl.Expr:
    """The `years`-th anniversary of `date`; 29 February falls on 28 February in a common year."""
    y = date.dt.year().cast(pl.Int32) + years
    m, d = date.dt.month(), date.dt.day()
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    d = pl.when((m == 2) & (d == 29) & ~leap).then(pl.lit(28)).otherwise(d)
    return pl.date(y, m, d)


def term_years(kind: pl.Expr, filing_date: pl.Expr) -> pl.Expr:
    """20 for inventions, 10 for utility models, 10 for designs (15 if filed on/after 2021-06-01)."""
    return (pl.when(kind == "invention").then(pl.lit(20))
            .when(kind == "utility_model").then(pl.lit(10))
            .when(filing_date >= pl.lit(DESIGN_15_FROM)).then(pl.lit(15))
            .otherwise(pl.lit(10)))


def with_terms(filings: pl.DataFrame) -> pl.DataFrame:
    """Add `filed` (Date), `term` (years) and `term_end`: the first day out of force, the N-th
    anniversary (the term ends at the end of the day before)."""
    f = filings.with_columns(filed=pl.col("filing_date").str.to_date(ISO_DATE))
    f = f.with_columns(term=term_years(pl.col("type"), pl.col("filed")))
    return f.with_columns(term_end=anniversary(pl.col("filed"), pl.col("term")))


# --- events --------------------------------------------------------------------------------------

def list_events(stored: pl.DataFrame) -> pl.DataFrame:
    """Rows of `store.events.events` → the event frame (source "list")."""
    return stored.select(
        "application_no", pl.col("event_date").str.to_date(ISO_DATE).alias("date"), "kind", "words",
        pl.lit("list").alias("source"), pl.col("id").cast(pl.Int64).alias("seq"))


def status_kind(status: pl.Expr) -> pl.Expr:
    """The kind of an agency export's status word: the event table, plus 有效 / 专利权维持 = granted."""
    return pl.when(word_key(status).is_in(GRANTED_STATUS)).then(pl.lit("granted")).otherwise(kind_of(status))


def status_versions(filings: pl.DataFrame, history: pl.DataFrame, imports: pl.DataFrame) -> pl.DataFrame:
    """Every stored version of every filing's status and grant date that an import still in force
    brought: the replaced ones (`store.events.history_versions`) and the current ones (`filings`:
    application_no, status, grant_date, last_import_id), with that import's facts
    (`store.events.import_facts`: imported_at, newest, day)."""
    current = (filings.filter(pl.col("status").is_not_null() | pl.col("grant_date").is_not_null())
               .select("application_no", "status", "grant_date", pl.col("last_import_id").alias("import_id")))
    kept = imports.filter(pl.col("reverted") == 0).drop("reverted")
    return (pl.concat([history.select("application_no", "status", "grant_date", "import_id"), current])
            .join(kept, on="import_id"))


def ever_granted(filings: pl.DataFrame, history: pl.DataFrame, imports: pl.DataFrame) -> pl.DataFrame:
    """Every filing that some stored version shows granted (filings.is_granted), with what dates an undated grant (filings.md §4): of the first import that showed it
    granted, the newest filing date among the rows it stored (`seen_newest`), the district's
    date of that import (`seen_day`, null for imports made before it was kept) and its time
    (`first_seen_granted`, UTC ISO). Versions that an import taken back replaced do not count.
    `filings`: every stored filing (with last_import_id); `history`, `imports`: as for
    `status_versions`. The other columns of `filings` are kept (attribution's, for instance)."""
    granted = is_granted(pl.col("status"), pl.col("grant_date"))
    reverted = imports.filter(pl.col("reverted") == 1)["import_id"].implode()
    shown = history.filter(granted)
    now = filings.filter(granted)
    versions = pl.concat([
        now.select("application_no", import_id="last_import_id"),
        shown.filter(~pl.col("replaced_by").is_in(reverted).fill_null(False)).select("application_no", "import_id")])
    first = (versions.group_by("application_no").agg(pl.col("import_id").min())
             .join(imports.select("import_id", first_seen_granted="imported_at", seen_newest="newest",
                                  seen_day="day"), on="import_id").drop("import_id"))
    once = filings.join(shown.select("application_no").unique(), on="application_no", how="semi")
    return (pl.concat([now, once]).unique("application_no", keep="first", maintain_order=True)
            .drop("last_import_id").join(first, on="application_no"))


def status_events(versions: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Versions of `status_versions` → events (source "status"): each change of the
    status word's kind, and a grant wherever a grant date is given. Only kinds that change state."""
    if versions.is_empty():
        return pl.DataFrame(schema=EVENT_SCHEMA)
    local_day = (pl.col("imported_at").str.to_datetime(time_zone="UTC")
                 .dt.convert_time_zone(tz).dt.date())
    day = (pl.coalesce(pl.col("day").str.to_date(ISO_DATE, strict=False), local_day) if "day" in versions.columns
           else local_day)
    # the dates of an import and the kind of a status word are worked out once per distinct value
    # (a few imports and words over a million versions) and joined back
    per_import = [c for c in ("imported_at", "newest", "day") if c in versions.columns]
    file_days = versions.select("import_id", *per_import).unique("import_id").select(
        "import_id", file_day=pl.min_horizontal(pl.col("newest").str.to_date(ISO_DATE, strict=False), day))
    kinds = versions.select(pl.col("status").unique()).with_columns(
        kind=status_kind(pl.col("status")).fill_null("other"))
    grants = versions.select(pl.col("grant_date").unique()).with_columns(
        grant=pl.col("grant_date").str.to_date(ISO_DATE, strict=False))
    # a filing's only version makes an event only with a state-changing word or a grant date: the
    # others (most pending filings) are dropped before the joins. Sorted, a filing's versions are
    # neighbours: a version with a neighbour of its number is not its filing's only one
    no = pl.col("application_no")
    state_words = kinds.filter(pl.col("kind").is_in(STATE_KINDS))["status"].implode()
    v = (versions.drop(per_import).sort("application_no", "import_id")
         .filter(pl.col("status").is_in(state_words) | pl.col("grant_date").is_not_null()
                 | no.eq(no.shift(1)).fill_null(False) | no.eq(no.shift(-1)).fill_null(False))
         .join(file_days, on="import_id", how="left", maintain_order="left")
         .join(kinds, on="status", how="left", nulls_equal=True, maintain_order="left")
         .join(grants, on="grant_date", how="left", nulls_equal=True, maintain_order="left"))
    changed = v.filter(pl.col("application_no").ne_missing(pl.col("application_no").shift(1))
                       | pl.col("kind").ne_missing(pl.col("kind").shift(1)))   # sorted: shift within a filing
    by_word = changed.filter(pl.col("kind").is_in(STATE_KINDS)).select(
        "application_no",
        pl.when(pl.col("kind") == "granted").then(pl.coalesce("grant", "file_day"))
        .otherwise(pl.col("file_day")).alias("date"),
        "kind", pl.col("status").alias("words"), "import_id")
    by_date = v.filter(pl.col("grant").is_not_null()).select(
        "application_no", pl.col("grant").alias("date"), pl.lit("granted").alias("kind"),
        pl.coalesce("status", pl.lit("授权")).alias("words"), "import_id")
    # one event per (filing, kind, date), the first import's: only a filing's events of one day
    # can repeat each other, so the rest is not searched
    both = pl.concat([by_word, by_date]).sort("application_no", "date", "import_id")
    same_day = ((no.eq(no.shift(1)) & pl.col("date").eq(pl.col("date").shift(1))).fill_null(False)
                | (no.eq(no.shift(-1)) & pl.col("date").eq(pl.col("date").shift(-1))).fill_null(False))
    both = both.with_columns(_run=same_day)
    runs = both.filter("_run").unique(["application_no", "kind", "date"], keep="first", maintain_order=True)
    return (pl.concat([both.filter(~pl.col("_run")), runs]).sort("application_no", "date", "import_id",
                                                                  maintain_order=True)
            .select("application_no", "date", "kind", "words", pl.lit("status").alias("source"),
                    pl.col("import_id").cast(pl.Int64).alias("seq")))


def combine(listed: pl.DataFrame, by_status: pl.DataFrame) -> pl.DataFrame:
    """One event frame. The legal-status list speaks for the kinds it reports: a status-word event
    is dropped when the list holds an event of the same kind for that filing."""
    seen = listed.select("application_no", "kind").unique()
    kept = by_status.join(seen, on=["application_no", "kind"], how="anti")
    return (pl.concat([listed.select(EVENT_SCHEMA.keys()), kept.select(EVENT_SCHEMA.keys())])
            .with_columns(_src=(pl.col("source") == "status").cast(pl.Int8))
            .sort("application_no", "date", "_src", "seq").drop("_src")
            .with_columns(seq=pl.int_range(pl.len(), dtype=pl.Int64)))   # one order: list first on a day


# --- state at a date -----------------------------------------------------------------------------

def _pair_restorations(ev: pl.DataFrame) -> pl.DataFrame:
    """Mark `undone` the ending events that a later restoration undoes, and the restorations used
    or idle; each restoration undoes the latest ending event before it not yet undone."""
    ev = ev.with_columns(undone=pl.lit(False))
    while True:
        live = ev.filter(~pl.col("undone") & (pl.col("kind") != "granted")).with_columns(
            prev_kind=pl.col("kind").shift(1).over("application_no"),
            prev_i=pl.col("i").shift(1).over("application_no"))
        pairs = live.filter((pl.col("kind") == "restored") & pl.col("prev_kind").is_in(ENDING))
        if pairs.is_empty():
            break
        hit = pl.concat([pairs["i"], pairs["prev_i"]])
        ev = ev.with_columns(undone=pl.col("undone") | pl.col("i").is_in(hit.implode()),
                             pair=pl.when(pl.col("i").is_in(pairs["i"].implode())).then(pl.lit(-1))
                             .when(pl.col("i").is_in(pairs["prev_i"].implode())).then(pl.lit(1))
                             .otherwise(pl.col("pair") if "pair" in ev.columns else pl.lit(0)))
    if "pair" not in ev.columns:
        ev = ev.with_columns(pair=pl.lit(0))
    # a grant inside an undone stretch (out, then restored) did not apply
    depth = pl.col("pair").cum_sum().over("application_no")
    ev = ev.with_columns(inside=(depth - pl.col("pair").clip(lower_bound=0)) > 0)
    return ev.filter(~pl.col("undone") & (pl.col("kind") != "restored")
                     & ~((pl.col("kind") == "granted") & pl.col("inside")))


def _state_table(events: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Per filing with events: `granted_on`, `out_on`, `out_kind`, `ended` at `as_of`, and
    `restorations` (whether a restoration up to as-of took part: only those need the pairing)."""
    ev = events.filter((pl.col("date") <= as_of) & pl.col("kind").is_in(STATE_KINDS)).select(
        "application_no", "date", "kind", "seq")
    with_r = ev.filter(pl.col("kind") == "restored").select("application_no").unique()
    if not with_r.is_empty():
        simple = ev.join(with_r, on="application_no", how="anti")
        paired = _pair_restorations(ev.join(with_r, on="application_no", how="semi")
                                    .sort("application_no", "date", "seq").with_row_index("i"))
        ev = pl.concat([simple, paired.select("application_no", "date", "kind", "seq")])
    # in (filing, date, seq) order a filing's events are one run: its first event is the run's
    # first row, and the event that took it out after its grant the first later non-grant
    no = pl.col("application_no")
    ev = ev.sort("application_no", "date", "seq").with_columns(_first=no.ne_missing(no.shift(1)))
    ev = ev.with_columns(
        first_kind=pl.when("_first").then(pl.col("kind")).forward_fill(),
        first_date=pl.when("_first").then(pl.col("date")).forward_fill())
    granted_on = pl.when(pl.col("first_kind") == "granted").then(pl.col("first_date"))
    outs = ev.filter((pl.col("first_kind") == "granted") & (pl.col("kind") != "granted")
                     & (pl.col("date") >= pl.col("first_date")))
    out = outs.filter(no.ne_missing(no.shift(1))).select(
        "application_no", out_on=pl.col("date"), out_kind=pl.col("kind"))
    table = ev.filter("_first").select("application_no", ended=pl.col("first_kind") != "granted",
                                       granted_on=granted_on)
    return (table.join(out, on="application_no", how="left")
            .join(with_r.with_columns(restorations=pl.lit(True)), on="application_no", how="left")
            .with_columns(pl.col("restorations").fill_null(False)))


def _in_force(as_of: dt.date) -> pl.Expr:
    return (pl.col("granted_on").is_not_null() & (pl.col("granted_on") <= as_of)
            & (pl.col("out_on").is_null() | (pl.col("out_on") > as_of)) & (pl.lit(as_of) < pl.col("term_end")))


def states(filings: pl.DataFrame, events: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Each filing (with_terms columns) with its state at `as_of`: `granted_on` (the grant that
    counts, or null), `out_on` / `out_kind` (the event that took it out after that grant, else
    null), `ended` (an ending event before any grant), `in_force`."""
    return (filings.join(_state_table(events, as_of), on="application_no", how="left")
            .with_columns(pl.col("ended").fill_null(False), pl.col("restorations").fill_null(False))
            .with_columns(in_force=_in_force(as_of).fill_null(False)))


# --- the document --------------------------------------------------------------------------------

def per_10k(count: int, population: int | None) -> float | None:
    """count ÷ population × 10,000, rounded half-up to 2 decimals; None without a population."""
    if not population:
        return None
    exact = Fraction(count * 10_000, population)
    return float((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.01"),
                                                                                   ROUND_HALF_UP))


def by_type(df: pl.DataFrame) -> dict:
    out = dict.fromkeys(TYPES, 0)
    out.update(dict(df.group_by("type").len().iter_rows()))
    return out


def fees_due(st: pl.DataFrame, as_of: dt.date, days: int) -> pl.DataFrame:
    """Patents in force at as-of with a filing-date anniversary d, as-of < d ≤ as-of + days, before
    the term ends; `patent_year` is the year that starts on d."""
    last = as_of + dt.timedelta(days=days)
    f = st.filter(pl.col("in_force")).with_columns(
        k=pl.int_ranges(pl.lit(as_of.year) - pl.col("filed").dt.year(),
                        pl.lit(last.year) - pl.col("filed").dt.year() + 1)).explode("k")
    f = f.filter(pl.col("k") >= 1).with_columns(due=anniversary(pl.col("filed"), pl.col("k")))
    return (f.filter((pl.col("due") > as_of) & (pl.col("due") <= last) & (pl.col("due") < pl.col("term_end")))
            .with_columns(patent_year=pl.col("k") + 1))


def figures(*, filings: pl.DataFrame, events: pl.DataFrame, as_of: dt.date, population: int | None) -> dict:
    """`in_force`, `invention_per_10k` and `granted_in_year` of `document`, without the lists
    (what `progress --json` takes from the lifecycle)."""
    f = with_terms(filings.filter(pl.col("entity").is_not_null())
                   .join(events.select("application_no").unique(), on="application_no", how="semi"))
    st = states(f, events, as_of)
    start = dt.date(as_of.year, 1, 1)
    counts = by_type(st.filter(pl.col("in_force")))
    return {"in_force": counts, "invention_per_10k": per_10k(counts["invention"], population),
            "granted_in_year": by_type(st.filter(pl.col("granted_on").is_between(pl.lit(start), pl.lit(as_of))))}


def _rows(df: pl.DataFrame, date_col: str, cols: list[str]) -> list[dict]:
    return (df.sort(date_col, "application_no")
            .with_columns(pl.col(date_col).cast(pl.String)).select(cols).to_dicts())


def document(*, filings: pl.DataFrame, events: pl.DataFrame, as_of: dt.date, population: int | None,
             fee_alert_days: int, unmatched: int) -> dict:
    """The document of `patents --json` (status.md).

    filings: every stored filing with `entity` (attribution) and `name` (the entity's name);
    only attributed ones count. events: `combine`'s frame (any numbers)."""
    f = with_terms(filings.filter(pl.col("entity").is_not_null())
                   .join(events.select("application_no").unique(), on="application_no", how="semi"))
    st = states(f, events, as_of)
    start = dt.date(as_of.year, 1, 1)
    in_year = lambda c: pl.col(c).is_between(pl.lit(start), pl.lit(as_of))
    force = st.filter(pl.col("in_force"))
    mine = events.join(f.select("application_no", "type", "entity", "name"), on="application_no")
    lapses = mine.filter(pl.col("kind").is_in(LAPSE_KINDS) & in_year("date")).select(
        "application_no", pl.col("entity").alias("credit_code"), "name", "type", "date", "kind", "words")
    expired = st.filter(pl.col("granted_on").is_not_null() & (pl.col("granted_on") < pl.col("term_end"))
                        & (pl.col("out_on").is_null() | (pl.col("out_on") >= pl.col("term_end")))
                        & in_year("term_end")).select(
        "application_no", pl.col("entity").alias("credit_code"), "name", "type",
        pl.col("term_end").alias("date"), pl.lit("expired").alias("kind"), pl.lit(None, pl.String).alias("words"))
    pledged = mine.filter((pl.col("kind") == "pledged") & in_year("date")).height
    due = fees_due(st, as_of, fee_alert_days).select(
        "application_no", pl.col("entity").alias("credit_code"), "name", "type", "due", "patent_year")
    counts = by_type(force)
    return {
        "as_of": as_of.isoformat(),
        "in_force": counts,
        "invention_per_10k": per_10k(counts["invention"], population),
        "granted_in_year": by_type(st.filter(in_year("granted_on"))),
        "lapsed_in_year": _rows(pl.concat([lapses, expired]), "date",
                                ["application_no", "credit_code", "name", "type", "date", "kind", "words"]),
        "pledged_in_year": pledged,
        "fees_due": _rows(due, "due", ["application_no", "credit_code", "name", "type", "due", "patent_year"]),
        "unmatched_events": unmatched,
    }


def month_ends(year: int, as_of: dt.date) -> list[dt.date]:
    """The month ends of the year up to as-of, and as-of itself when it is not one."""
    out = []
    for m in range(1, 13):
        end = (dt.date(year, m + 1, 1) if m < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
        if end > as_of:
            break
        out.append(end)
    if as_of.year == year and (not out or out[-1] != as_of):
        out.append(as_of)
    return out


def series(filings: pl.DataFrame, events: pl.DataFrame, days: list[dt.date],
           population: int | None) -> list[dict]:
    """In force by type and the per-10k figure at each of `days` (ascending).

    Without a restoration, a filing's state at an earlier day follows from its state at the last
    day (the grant and the first ending event after it only move in); the few filings with a
    restoration are worked out again for each day."""
    if not days:
        return []
    f = with_terms(filings.filter(pl.col("entity").is_not_null())
                   .join(events.select("application_no").unique(), on="application_no", how="semi"))
    last = states(f, events, days[-1])
    simple, again = last.filter(~pl.col("restorations")), last.filter(pl.col("restorations"))
    again_events = events.join(again.select("application_no"), on="application_no", how="semi")
    again = again.drop("granted_on", "out_on", "out_kind", "ended", "restorations", "in_force")
    out = []
    for d in days:
        force = pl.concat([simple.filter(_in_force(d)).select("type"),
                           states(again, again_events, d).filter(pl.col("in_force")).select("type")])
        counts = by_type(force)
        out.append({"date": d.isoformat(), **counts, "invention_per_10k": per_10k(counts["invention"], population)})
    return out
