"""Signals of possibly abnormal filing patterns (signals.md): prompts for the officer, never verdicts.

Pure functions of frames. An applicant is the attributed entity, else the first applicant's
compared name. Every signal names the filings it rests on and says in words why it was raised.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from .filings import ISO_DATE

WINDOW_DAYS = 14
NEAR_MIN = 5          # near-identical titles within the window
SERIES_MIN = 4        # designs differing only by a qualifier …
SERIES_DAYS = 30      # … filed within this many days (a batch, not a product line over years)
NEAR_MAX_EDITS = 3    # "differ only by a few characters" …
NEAR_MIN_SIMILARITY = 0.8   # … and most of the title is the same
BURST_FLOOR_OWN = 6   # a burst is at least this many filings in the window (with own history)
BURST_FLOOR_NEW = 8   # … or this many for an applicant without history
BURST_FACTOR = 5      # and this many times the usual rate
CAVEAT = "（提示，供核实，不是结论）"
WHOLE_MAX = 400       # an applicant's titles compared all with all up to this many, else by blocks of days

_QUALIFIER = (r"[（(【\[][^）)】\]]*[）)】\]]"                     # anything in brackets
              r"|[A-Za-z0-9\-_.#/]+"                               # model codes, numbers
              r"|[红橙黄绿青蓝紫黑白灰金银粉棕褐米彩]色"              # colours
              r"|\s+")


def _who(f: pl.DataFrame) -> pl.DataFrame:
    return f.with_columns(who=pl.coalesce(pl.col("entity"), pl.lit("~") + pl.col("first_applicant_key")))


def _signal(kind, g: pl.DataFrame, detail: str, score: float) -> dict:
    first = g.sort("filing_date")
    return {"kind": kind, "credit_code": first["entity"][0], "applicant": first["first_applicant"][0],
            "applications": sorted(first["application_no"].to_list()), "detail": detail + CAVEAT,
            "score": round(min(1.0, max(0.0, score)), 2)}


def _components(n: int, pairs) -> list[list[int]]:
    """Connected groups (NEAR_MIN or more members) of the graph on n nodes with these edges:
    labels spread along the edges (numpy, all edges at once) until no label changes."""
    import numpy as np
    label = np.arange(n)
    if len(pairs):
        a, b = pairs[:, 0], pairs[:, 1]
        while True:
            low = np.minimum(label[a], label[b])
            new = label.copy()
            np.minimum.at(new, a, low)
            np.minimum.at(new, b, low)
            new = new[new]            # jump along chains
            if np.array_equal(new, label):
                break
            label = new
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(label.tolist()):
        groups.setdefault(g, []).append(i)
    return [g for g in groups.values() if len(g) >= NEAR_MIN]


def _densest_window(days: list[int], width: int = WINDOW_DAYS) -> tuple[int, int]:
    """(count, start index) of the densest run of sorted day numbers within `width` days."""
    best, start, j = 0, 0, 0
    for i in range(len(days)):
        while days[i] - days[j] >= width:
            j += 1
        if i - j + 1 > best:
            best, start = i - j + 1, j
    return best, start


def _near_pairs(titles: list[str], days, lengths):
    """Index pairs (i < j) of near-identical titles filed less than WINDOW_DAYS apart. Only
    filings in the same or the next WINDOW_DAYS-long block of days can be that close, so each
    block is compared with itself and its successor, never the whole year with itself."""
    import numpy as np  # here, not at start-up: only the signals need them
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist
    if len(titles) <= WHOLE_MAX:   # small enough to compare all with all in one call
        block = np.zeros(len(titles), dtype=np.int64)
    else:
        block = days // WINDOW_DAYS
    starts = np.searchsorted(block, np.unique(block))
    bounds = [*starts, len(titles)]
    found = []
    for k in range(len(starts)):
        a0, a1 = bounds[k], bounds[k + 1]
        b1 = bounds[k + 2] if k + 2 < len(bounds) and block[bounds[k + 1]] == block[a0] + 1 else a1
        edits = cdist(titles[a0:a1], titles[a0:b1], scorer=Levenshtein.distance,
                      score_cutoff=NEAR_MAX_EDITS, workers=1)
        longest = np.maximum.outer(lengths[a0:a1], lengths[a0:b1])
        near = (edits <= NEAR_MAX_EDITS) & (edits <= (1 - NEAR_MIN_SIMILARITY) * longest)
        close = np.abs(days[a0:a1, None] - days[None, a0:b1]) < WINDOW_DAYS
        i, j = np.nonzero(near & close)
        i, j = i + a0, j + a0
        found.append(np.stack([i[i < j], j[i < j]], axis=1))
    return np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)


def near_duplicate_titles(f: pl.DataFrame) -> list[dict]:
    out = []
    dense = (f.filter(pl.col("title").is_not_null() & (pl.len().over("who") >= NEAR_MIN))
             .sort("who", "filing_date", maintain_order=True)
             .with_columns(_day=(pl.col("filing_date").str.to_date(ISO_DATE) - dt.date(1970, 1, 1)).dt.total_days(),
                           _len=pl.col("title").str.len_chars()))
    if dense.is_empty():
        return out
    titles, days, lengths = dense["title"].to_list(), dense["_day"].to_numpy(), dense["_len"].to_numpy()
    sizes = dense.group_by("who", maintain_order=True).len()["len"].to_list()
    at = 0
    for n in sizes:   # one applicant's filings, by date: rows at .. at + n
        pairs = _near_pairs(titles[at:at + n], days[at:at + n], lengths[at:at + n])
        for comp in _components(n, pairs):
            comp_days = sorted(int(days[at + i]) for i in comp)
            count, _ = _densest_window(comp_days)
            if count >= NEAR_MIN:
                members = dense[[at + i for i in sorted(comp)]]
                out.append(_signal("near_duplicate_titles", members,
                                   f"同一申请人在 {WINDOW_DAYS} 天内有 {count} 件标题几乎相同的申请"
                                   f"（如“{titles[at + comp[0]]}”）", 0.5 + 0.1 * (count - NEAR_MIN)))
        at += n
    return out


def design_series(f: pl.DataFrame) -> list[dict]:
    designs = f.filter((pl.col("type") == "design") & pl.col("title").is_not_null()).with_columns(
        base=pl.col("title").str.normalize("NFKC").str.replace_all(_QUALIFIER, ""))
    # the qualifiers must really differ: the same title filed again is not a series of variants
    groups = designs.filter(pl.col("title").n_unique().over("who", "base") >= SERIES_MIN)
    out = []
    for g in groups.sort("filing_date").partition_by("who", "base"):
        days = (g["filing_date"].str.to_date(ISO_DATE) - dt.date(1970, 1, 1)).dt.total_days().to_list()
        count, at = _densest_window(days, SERIES_DAYS)
        batch = g.slice(at, count)
        if count >= SERIES_MIN and batch["title"].n_unique() >= SERIES_MIN:
            out.append(_signal("design_series", batch,
                               f"同一申请人 {SERIES_DAYS} 天内有 {count} 件外观设计仅颜色、型号或括号内说明不同"
                               f"（“{g['base'][0]}”系列）", 0.4 + 0.1 * (count - SERIES_MIN)))
    return out


def _peaks(f: pl.DataFrame, width: int) -> pl.DataFrame:
    """Per `who`: the most filings within `width` days (`peak`) and the first day of the first
    such window (`first`), as `_densest_window` finds them, for every applicant at once."""
    import numpy as np
    d = (f.select("who", day=(pl.col("filing_date").str.to_date(ISO_DATE) - dt.date(1970, 1, 1)).dt.total_days())
         .sort("who", "day").with_columns(_rank=pl.col("who").rank("dense")))
    key = d["_rank"].cast(pl.Int64).to_numpy() * 1_000_000 + d["day"].to_numpy()
    j = np.searchsorted(key, key - width + 1, side="left")
    count = np.arange(len(key)) - j + 1
    d = d.with_columns(_count=pl.Series(count), _first=pl.Series(d["day"].to_numpy()[j]))
    return (d.group_by("who").agg(peak=pl.col("_count").max(),
                                  first=pl.col("_first").get(pl.col("_count").arg_max())))


def burst(f: pl.DataFrame, before: pl.DataFrame, start: dt.date, end: dt.date) -> list[dict]:
    """Filings within WINDOW_DAYS far above the applicant's own rate over the two years before
    (or, without such history, far above the district's typical applicant this year)."""
    if f.is_empty():
        return []
    history = before.group_by("who").agg(pl.len().alias("hist"))
    hist_days = 730
    elapsed = max((end - start).days + 1, WINDOW_DAYS)
    per_who = f.group_by("who").len()
    typical = float(per_who["len"].median()) * WINDOW_DAYS / elapsed
    own = pl.col("hist") >= 4
    rate = pl.when(own).then(pl.col("hist") * WINDOW_DAYS / hist_days).otherwise(pl.lit(typical))
    floor = pl.when(own).then(pl.lit(BURST_FLOOR_OWN)).otherwise(pl.lit(BURST_FLOOR_NEW))
    flagged = (_peaks(f, WINDOW_DAYS).join(history, on="who", how="left")
               .with_columns(pl.col("hist").fill_null(0))
               .with_columns(rate=rate, threshold=pl.max_horizontal(floor.cast(pl.Float64), BURST_FACTOR * rate))
               .filter(pl.col("peak") >= pl.col("threshold")))
    if flagged.is_empty():
        return []
    out = []
    rows = f.join(flagged.select("who"), on="who")
    by_who = {k[0]: g for k, g in rows.group_by("who")}
    for r in flagged.iter_rows(named=True):
        g = by_who[r["who"]]
        first = dt.date(1970, 1, 1) + dt.timedelta(days=int(r["first"]))
        basis = f"其前两年平均每 {WINDOW_DAYS} 天约 " if r["hist"] >= 4 else f"本区申请人通常每 {WINDOW_DAYS} 天约 "
        window = g.filter(pl.col("filing_date").str.to_date(ISO_DATE).is_between(
            first, first + dt.timedelta(days=WINDOW_DAYS - 1)))
        out.append(_signal("burst", window,
                           f"{first.isoformat()} 起 {WINDOW_DAYS} 天内申请 {r['peak']} 件，{basis}{r['rate']:.1f} 件",
                           0.5 + 0.5 * (r["peak"] - r["threshold"]) / r["threshold"]))
    return out


def subsidy_on_flagged(flagged: list[dict], claims: pl.DataFrame, f: pl.DataFrame) -> list[dict]:
    numbers = {n for s in flagged for n in s["applications"]}
    hit = claims.filter(pl.col("application_no").is_in(numbers))
    out = []
    for g in f.join(hit.select("application_no", "claim_id"), on="application_no").partition_by("who"):
        ids_ = ", ".join(sorted(g["claim_id"].to_list()))
        out.append(_signal("subsidy_on_flagged", g,
                           f"资助申报（{ids_}）涉及上述提示中的申请", 0.9))
    return out


def find_signals(*, year_filings: pl.DataFrame, before: pl.DataFrame, claims: pl.DataFrame,
                 start: dt.date, end: dt.date) -> list[dict]:
    """All signals for the filings of [start, end]; `before`: the two years before, same columns."""
    f, b = _who(year_filings), _who(before)
    found = near_duplicate_titles(f) + design_series(f) + burst(f, b, start, end)
    found += subsidy_on_flagged(found, claims, f)
    return sorted(found, key=lambda s: (-s["score"], s["kind"], s["applicant"] or "", s["applications"]))
