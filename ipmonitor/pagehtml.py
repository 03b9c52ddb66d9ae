"""Big tables of the pages made as escaped HTML in polars, not in Jinja loops. Pure.

An entity's page may list thousands of filings, and a year's pages about a million rows: a
Jinja loop over Python tuples costs seconds per hundred thousand rows, the same rows made by
`concat_str` a fraction of that. Each cell is escaped exactly as Jinja's autoescape escapes
it (markupsafe: `& < > " '` → `&amp; &lt; &gt; &#34; &#39;`) and a null cell is empty, as
`{{ value }}` prints it with render.blank_none, so the pages are byte for byte what the loops made. The results are
`Rows` (the markup of the `<tr>` lines and their count), which the templates print as markup.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from . import lifecycle, words
from .events import KIND_ZH

__all__ = ["Rows", "cell", "escape", "grouped_html", "or_dash", "timeline_rows"]

DASH = "—"
HTML_CHARS = ["&", "<", ">", '"', "'"]
HTML_ESCAPES = ["&amp;", "&lt;", "&gt;", "&#34;", "&#39;"]   # markupsafe.escape's, in one pass


class Rows:
    """Table rows as escaped HTML, kept as UTF-8 bytes (`data`): `len()` is the number of rows,
    printing it gives the markup. render splices `data` into the page's bytes without decoding it."""
    __slots__ = ("count", "data")

    def __init__(self, data: bytes = b"", count: int = 0):
        self.data, self.count = data, count

    @property
    def html(self) -> str:
        return self.data.decode("utf-8")

    def __len__(self) -> int:
        return self.count

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __eq__(self, other) -> bool:
        return isinstance(other, Rows) and (self.data, self.count) == (other.data, other.count)

    def __repr__(self) -> str:
        return f"Rows({self.count} rows)"


EMPTY = Rows()


def escape(expr: pl.Expr) -> pl.Expr:
    """Text escaped as Jinja's autoescape (markupsafe.escape) escapes it; null stays null."""
    return expr.str.replace_many(HTML_CHARS, HTML_ESCAPES)


def cell(expr: pl.Expr) -> pl.Expr:
    """`{{ value }}`: the value as text, escaped; null is empty (render.blank_none)."""
    return escape(expr.cast(pl.String)).fill_null("")


def or_dash(expr: pl.Expr) -> pl.Expr:
    """`{{ value|or_dash }}`: — for null or empty text, else the value escaped."""
    text = expr.cast(pl.String)
    return pl.when(text.is_null() | (text == "")).then(pl.lit(DASH)).otherwise(escape(text))


def tr(*cells: pl.Expr, start: str = "<tr>", end: str = "</tr>\n") -> pl.Expr:
    """One `<tr>` line of `<td>` cells (already escaped expressions)."""
    parts: list[pl.Expr] = [pl.lit(start)]
    for c in cells:
        parts += [pl.lit("<td>"), c, pl.lit("</td>")]
    return pl.concat_str([*parts, pl.lit(end)])


def grouped_html(df: pl.DataFrame, key: str, html: pl.Expr) -> dict[str, Rows]:
    """For each non-null value of `key`, its rows' `html` joined in `df`'s order."""
    out = (df.filter(pl.col(key).is_not_null()).select(key, html.alias("_html"))
           .group_by(key, maintain_order=True).agg(pl.col("_html").str.join("").cast(pl.Binary),
                                                   pl.len().alias("_n")))
    return {k: Rows(h, n) for k, h, n in out.iter_rows()}


def filing_rows(display: pl.DataFrame) -> dict[str, Rows]:
    """Each entity's rows of `_macros.filings_table` (pagedata.FILING_COLUMNS, in `display`'s order):
    number, title, date, type, status, agency."""
    return grouped_html(display, "entity", tr(*(cell(pl.col(c)) for c in (
        "application_no", "title", "date_zh", "type_zh", "status_text", "agency"))))


def change_rows(changes: pl.DataFrame) -> dict[str, Rows]:
    """Each entity's rows of `_macros.changes_table` (pagedata.CHANGE_COLUMNS, in `changes`' order);
    an empty or unknown status reads （未知）."""
    unknown = lambda c: pl.when(pl.col(c).is_null() | (pl.col(c) == "")).then(  # noqa: E731
        pl.lit("（未知）")).otherwise(escape(pl.col(c)))
    return grouped_html(changes, "entity", tr(cell(pl.col("application_no")), cell(pl.col("title")),
                                              unknown("old_status"), unknown("new_status"),
                                              cell(pl.col("changed_local")), cell(pl.col("file"))))


def co_rows(co: pl.DataFrame) -> dict[str, Rows]:
    """Each entity's rows of the co-applications table (pagedata.CO_COLUMNS, in `co`'s order)."""
    return grouped_html(co, "entity", tr(*(cell(pl.col(c)) for c in (
        "application_no", "date_zh", "title", "type_zh", "role", "applicants")), start="    <tr>"))


def fee_rows(fees_by_entity: list[dict], type_words: dict[str, str]) -> list[Rows]:
    """The rows of each table of patents.html's fees (inforce.page's `fees_by_entity`, in its order):
    due date, number, type in words (— without a type), the patent year."""
    fees = pl.DataFrame([(i, f["due"], f["application_no"], f["type"], f["patent_year"])
                         for i, e in enumerate(fees_by_entity) for f in e["fees"]],
                        schema={"i": pl.Int64, "due": pl.String, "application_no": pl.String, "type": pl.String,
                                "patent_year": pl.Int64}, orient="row")
    kind = (pl.when(pl.col("type").is_null()).then(pl.lit(DASH))
            .otherwise(escape(pl.col("type").replace_strict(type_words, default=pl.col("type")))))
    html = pl.concat_str(pl.lit("    <tr><td>"), cell(pl.col("due")), pl.lit("</td><td>"),
                         cell(pl.col("application_no")), pl.lit("</td><td>"), kind,
                         pl.lit('</td><td class="num">第 '), cell(pl.col("patent_year")), pl.lit(" 年</td></tr>\n"))
    rows = grouped_html(fees, "i", html)
    return [rows.get(i, EMPTY) for i in range(len(fees_by_entity))]


def reject_rows(rejects: list[dict], reasons: dict[str, str]) -> Rows:
    """The rows of a table of quality.html's rejected rows: file, line, number (or credit code),
    the reason in words, the message."""
    text = lambda v: None if v is None else str(v)  # noqa: E731  (as Jinja prints a value)
    frame = pl.DataFrame([(text(r["file"]), text(r["line"]), text(r["application_no"]),
                           text(reasons.get(r["reason"], r["reason"])), text(r["message"])) for r in rejects],
                         schema=["file", "line", "no", "reason", "message"], orient="row")
    html = pl.concat_str(pl.lit("    <tr><td>"), cell(pl.col("file")), pl.lit('</td><td class="num">'),
                         or_dash(pl.col("line")), pl.lit('</td><td class="code">'), or_dash(pl.col("no")),
                         pl.lit("</td><td>"), cell(pl.col("reason")), pl.lit("</td><td>"),
                         or_dash(pl.col("message")), pl.lit("</td></tr>\n"))
    return Rows(frame.select(html.str.join("").cast(pl.Binary)).item(), frame.height) if rejects else EMPTY


def timeline_frame(h, as_of: dt.date, source_zh: dict[str, str]) -> pl.DataFrame:
    """Every attributed filing of `h` (inforce.Holdings), whatever its year, newest first: its state
    at as-of in words (`state_zh`), type in words, the last day of its term (`term_last`) and its
    events in date order (`events`, each one line of words)."""
    f = lifecycle.states(lifecycle.with_terms(h.filings.filter(pl.col("entity").is_not_null())),
                         h.events, as_of)
    say = words.say
    state = (pl.when(pl.col("in_force")).then(pl.lit(say("patent_state.in_force")))
             .when(pl.col("granted_on").is_not_null() & (pl.lit(as_of) >= pl.col("term_end")))
             .then(pl.lit(say("patent_state.expired")))
             .when(pl.col("out_kind").is_not_null())
             .then(pl.format(say("patent_state.out"), pl.col("out_kind").replace_strict(KIND_ZH, default="")))
             .when(pl.col("ended")).then(pl.lit(say("patent_state.ended")))
             .otherwise(pl.lit(say("patent_state.pending"))))
    f = f.with_columns(state_zh=state,
                       type_zh=pl.col("type").replace_strict(words.table("type"), default=pl.col("type")))
    ev = (h.events.join(f.select("application_no"), on="application_no")
          .with_columns(line=pl.concat_str(
              pl.col("date").cast(pl.String), pl.lit(" "), pl.col("words"), pl.lit("（"),
              pl.col("kind").replace_strict(KIND_ZH, default=pl.col("kind")), pl.lit("，"),
              pl.col("source").replace_strict(source_zh, default=pl.col("source")), pl.lit("）")))
          .group_by("application_no", maintain_order=True).agg(pl.col("line").alias("events")))
    return (f.join(ev, on="application_no", how="left")
            .with_columns(pl.col("events").fill_null(pl.lit([], pl.List(pl.String))),
                          (pl.col("term_end") - pl.duration(days=1)).cast(pl.String).alias("term_last"))
            .sort(["filing_date", "application_no"], descending=True))


def timeline_rows(h, as_of: dt.date, source_zh: dict[str, str]) -> dict[str, Rows]:
    """Each entity's rows of `_timeline.timeline`: number, filing date, title, type, state, last day
    of the term, then its events as a list (— without any), on a line of their own."""
    lines = pl.col("events").list.eval(escape(pl.element()).fill_null(""))
    events = (pl.when(pl.col("events").list.len() > 0)
              .then(pl.concat_str(pl.lit('<ol class="events"><li>'), lines.list.join("</li><li>"),
                                  pl.lit("</li></ol>")))
              .otherwise(pl.lit(DASH)))
    html = pl.concat_str(
        tr(cell(pl.col("application_no")), cell(pl.col("filing_date")), or_dash(pl.col("title")),
           cell(pl.col("type_zh")), cell(pl.col("state_zh")), or_dash(pl.col("term_last")),
           start="    <tr>", end="\n"),
        pl.lit("      <td>"), events, pl.lit("</td></tr>\n"))
    return grouped_html(timeline_frame(h, as_of, source_zh), "entity", html)
