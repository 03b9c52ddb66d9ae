"""Signals of possibly abnormal filing patterns (signals.md): prompts for the officer, never verdicts.

Pure functions of frames. An applicant is the attributed entity, else the first applicant's
compared name. Every signal names the filings it rests on and says in words why it was raised.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

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


def _components(n: int, pairs: np.ndarray) -> list[list[int]]:
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
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


def near_duplicate_titles(f: pl.DataFrame) -> list[dict]:
    out = []
    dense = f.filter(pl.col("title").is_not_null() & (pl.len().over("who") >= NEAR_MIN))
    for g in dense.sort("filing_date").partition_by("who"):
        titles = g["title"].to_list()
        days = (g["filing_date"].str.to_date() - dt.date(1970, 1, 1)).dt.total_days().to_numpy()
        edits = cdist(titles, titles, scorer=Levenshtein.distance, workers=1)
        longest = np.maximum.outer(*(2 * [np.array([len(t) for t in titles])]))
        near = (edits <= NEAR_MAX_EDITS) & (edits <= (1 - NEAR_MIN_SIMILARITY) * longest)
        close = np.abs(days[:, None] - days[None, :]) < WINDOW_DAYS
        pairs = np.argwhere(np.triu(near & close, 1))
        for comp in _components(len(titles), pairs):
            comp_days = sorted(int(days[i]) for i in comp)
            count, _ = _densest_window(comp_days)
            if count >= NEAR_MIN:
                members = g[sorted(comp)]
                out.append(_signal("near_duplicate_titles", members,
                                   f"同一申请人在 {WINDOW_DAYS} 天内有 {count} 件标题几乎相同的申请"
                                   f"（如“{titles[comp[0]]}”）", 0.5 + 0.1 * (count - NEAR_MIN)))
    return out


def design_series(f: pl.DataFrame) -> list[dict]:
    designs = f.filter((pl.col("type") == "design") & pl.col("title").is_not_null()).with_columns(
        base=pl.col("title").str.normalize("NFKC").str.replace_all(_QUALIFIER, ""))
    # the qualifiers must really differ: the same title filed again is not a series of variants
    groups = designs.filter(pl.col("title").n_unique().over("who", "base") >= SERIES_MIN)
    out = []
    for g in groups.sort("filing_date").partition_by("who", "base"):
        days = (g["filing_date"].str.to_date() - dt.date(1970, 1, 1)).dt.total_days().to_list()
        count, at = _densest_window(days, SERIES_DAYS)
        batch = g.slice(at, count)
        if count >= SERIES_MIN and batch["title"].n_unique() >= SERIES_MIN:
            out.append(_signal("design_series", batch,
                               f"同一申请人 {SERIES_DAYS} 天内有 {count} 件外观设计仅颜色、型号或括号内说明不同"
                               f"（“{g['base'][0]}”系列）", 0.4 + 0.1 * (count - SERIES_MIN)))
    return out


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
    out = []
    for g in f.join(history, on="who", how="left").partition_by("who"):
        days = sorted(int(d) for d in (g["filing_date"].str.to_date() - dt.date(1970, 1, 1)).dt.total_days())
        peak, at = _densest_window(days)
        hist = g["hist"][0] or 0
        if hist >= 4:
            rate, floor, basis = hist * WINDOW_DAYS / hist_days, BURST_FLOOR_OWN, f"其前两年平均每 {WINDOW_DAYS} 天约 "
        else:
            rate, floor, basis = typical, BURST_FLOOR_NEW, f"本区申请人通常每 {WINDOW_DAYS} 天约 "
        threshold = max(floor, BURST_FACTOR * rate)
        if peak >= threshold:
            first = dt.date(1970, 1, 1) + dt.timedelta(days=days[at])
            window = g.filter(pl.col("filing_date").str.to_date().is_between(
                first, first + dt.timedelta(days=WINDOW_DAYS - 1)))
            out.append(_signal("burst", window,
                               f"{first.isoformat()} 起 {WINDOW_DAYS} 天内申请 {peak} 件，{basis}{rate:.1f} 件",
                               0.5 + 0.5 * (peak - threshold) / threshold))
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
