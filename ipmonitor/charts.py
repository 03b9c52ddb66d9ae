"""Inline SVG charts made at build time: line styles, hatching and direct labels, never colour alone.

Every chart is an `<svg role="img">` with a `<title>` and a `<desc>`; the page
shows the same numbers in a table beside it. Ids are prefixed with the chart's
own id, because all charts of a page share one document.
"""

from __future__ import annotations

import datetime as dt
import math

from markupsafe import Markup, escape

from .filters import week_zh
from .pace import whole

FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
INK, MUTED, GRID = "#1f2937", "#6b7280", "#d1d5db"
MAIN, ACCENT, THIRD = "#1d4ed8", "#b45309", "#047857"


# Chart text is never smaller than MIN_FONT user units, and a chart is never drawn narrower than its
# viewBox (on a phone it scrolls sideways inside .chart-wrap), so its text is ≥ 11 CSS px anywhere.
MIN_FONT = 11
CLOSE = "</svg></div>"


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _num(v) -> str:
    return f"{v:,.1f}" if isinstance(v, float) else f"{v:,}"


def nice_max(value: float) -> tuple[float, float]:
    """A round axis maximum ≥ value and its tick step (1, 2 or 5 × 10^k, four or five ticks)."""
    if value <= 0:
        return 4.0, 1.0
    raw = value / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    step = max(step, 1.0)
    return step * math.ceil(value / step), step


def _text(x, y, s, *, anchor="start", size=11, fill=INK, weight=None) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}"{w}>{escape(s)}</text>')


def _patterns(pid: str) -> str:
    """Hatching (diagonal lines), dots and cross-hatching, readable in black and white."""
    return (
        f'<defs><pattern id="{pid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{ACCENT}" stroke-width="3"/></pattern>'
        f'<pattern id="{pid}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.4" fill="{THIRD}"/></pattern>'
        f'</defs>')


def _open(pid: str, w: int, h: int, title: str, desc: str) -> str:
    return (f'<div class="chart-wrap"><svg id="{pid}" class="chart" role="img" aria-labelledby="{pid}-t {pid}-d" '
            f'viewBox="0 0 {w} {h}" style="--w: {w}px" preserveAspectRatio="xMidYMid meet" font-family="{FONT}" '
            f'xmlns="http://www.w3.org/2000/svg"><title id="{pid}-t">{escape(title)}</title>'
            f'<desc id="{pid}-d">{escape(desc)}</desc>')


def _y_axis(parts: list, top: float, left: float, width: float, height: float, ymax: float,
            step: float) -> None:
    v = 0.0
    while v <= ymax + 1e-9:
        y = top + height - height * v / ymax
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + width)}" y2="{_n(y)}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, _num(int(v) if v == int(v) else v), anchor="end",
                           size=MIN_FONT, fill=MUTED))
        v += step


def cumulative(pid: str, *, year: int, as_of: dt.date, points: list[tuple[dt.date, int]],
               goal: int | None, projected: float | None, label: str) -> Markup:
    """Cumulative count by week's end against the straight target line from 0 to the goal on 31 Dec."""
    W, H, left, right, top, bottom = 520, 270, 40, 84, 28, 30
    pw, ph = W - left - right, H - top - bottom
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days = (end - start).days
    count = points[-1][1] if points else 0
    ymax, step = nice_max(max(count, goal or 0, projected or 0, 1) * 1.05)
    x = lambda d: left + pw * max(0, min(days, (d - start).days)) / days
    y = lambda v: top + ph - ph * v / ymax
    title = (f"{label}累计：截至{as_of.month}月{as_of.day}日 {count:,} 件"
             + (f"，全年目标 {goal:,} 件" if goal is not None else "，未设目标")
             + (f"，按当前速度预计全年 {whole(projected):,} 件" if projected is not None else ""))
    desc = "实线为实际累计（每周末一个点），虚线为目标线（均匀完成全年目标），点线为按当前速度的预计。"
    parts = [_open(pid, W, H, title, desc)]
    _y_axis(parts, top, left, pw, ph, ymax, step)
    for m in range(1, 13):
        mx = x(dt.date(year, m, 1))
        parts.append(f'<line x1="{_n(mx)}" y1="{_n(top + ph)}" x2="{_n(mx)}" y2="{_n(top + ph + 4)}" '
                     f'stroke="{MUTED}"/>')
        parts.append(_text(mx + pw / 24, top + ph + 16, f"{m}月", anchor="middle", size=MIN_FONT, fill=MUTED))
    # legend: the line styles with words
    lg = [("实际", f'stroke="{MAIN}" stroke-width="3"'),
          ("目标线", f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="7 4"'),
          ("预计", f'stroke="{MAIN}" stroke-width="2" stroke-dasharray="2 3"')]
    lx = left
    for word, style in lg:
        parts.append(f'<line x1="{lx}" y1="12" x2="{lx + 24}" y2="12" {style}/>')
        parts.append(_text(lx + 28, 16, word, size=11))
        lx += 80
    if goal is not None:
        parts.append(f'<line x1="{_n(x(start))}" y1="{_n(y(0))}" x2="{_n(x(end))}" y2="{_n(y(goal))}" '
                     f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="7 4"/>')
        parts.append(_text(x(end) + 6, y(goal) + 4, f"目标 {goal:,}", size=11))
    if points:
        path = " ".join(f"{_n(x(d))},{_n(y(v))}" for d, v in [(start, 0), *points])
        if projected is not None:
            parts.append(f'<line x1="{_n(x(points[-1][0]))}" y1="{_n(y(count))}" x2="{_n(x(end))}" '
                         f'y2="{_n(y(projected))}" stroke="{MAIN}" stroke-width="2" stroke-dasharray="2 3"/>')
            py = y(projected) + 4
            if goal is not None and abs(py - (y(goal) + 4)) < 13:
                py += 13 if projected < goal else -13
            parts.append(_text(x(end) + 6, py, f"预计 {whole(projected):,}", size=11, fill=MAIN))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{MAIN}" stroke-width="3" '
                     f'stroke-linejoin="round"/>')
        for d, v in points:
            parts.append(f'<circle cx="{_n(x(d))}" cy="{_n(y(v))}" r="2.2" fill="{MAIN}"/>')
        ax = x(points[-1][0])
        parts.append(_text(ax, y(count) - 8, f"{count:,}", anchor="middle", size=12, weight="bold"))
        parts.append(f'<line x1="{_n(ax)}" y1="{top}" x2="{_n(ax)}" y2="{_n(top + ph)}" stroke="{MUTED}" '
                     f'stroke-width="1" stroke-dasharray="1 2"/>')
    parts.append(CLOSE)
    return Markup("".join(parts))


def weekly_bars(pid: str, weeks: list[dict]) -> Markup:
    """New filings per ISO week; the invention part of each bar hatched."""
    W, H, left, right, top, bottom = 960, 250, 46, 12, 28, 30
    pw, ph = W - left - right, H - top - bottom
    peak = max((w["new"] for w in weeks), default=0)
    ymax, step = nice_max(max(peak, 1) * 1.05)
    total, inv = sum(w["new"] for w in weeks), sum(w["invention_new"] for w in weeks)
    title = f"每周新增申请：共 {len(weeks)} 周 {total:,} 件，其中发明 {inv:,} 件，单周最多 {peak:,} 件"
    desc = "每根柱为一周的新增申请，斜线部分为其中的发明申请。"
    parts = [_open(pid, W, H, title, desc), _patterns(pid)]
    _y_axis(parts, top, left, pw, ph, ymax, step)
    parts.append(f'<rect x="{left}" y="6" width="14" height="10" fill="{MAIN}"/>')
    parts.append(_text(left + 18, 15, "实用新型与外观设计", size=11))
    parts.append(f'<rect x="{left + 150}" y="6" width="14" height="10" fill="url(#{pid}-hatch)" '
                 f'stroke="{ACCENT}"/>')
    parts.append(_text(left + 168, 15, "发明（斜线）", size=11))
    n = max(len(weeks), 1)
    slot = pw / n
    bw = max(slot * 0.75, 1)
    every = max(1, math.ceil(n / 18))
    for i, w in enumerate(weeks):
        bx = left + i * slot + (slot - bw) / 2
        h_all, h_inv = ph * w["new"] / ymax, ph * w["invention_new"] / ymax
        if h_all:
            parts.append(f'<rect x="{_n(bx)}" y="{_n(top + ph - h_all)}" width="{_n(bw)}" '
                         f'height="{_n(h_all)}" fill="{MAIN}"><title>{escape(week_zh(w["week"]))}：{w["new"]} 件，'
                         f'其中发明 {w["invention_new"]} 件</title></rect>')
        if h_inv:
            parts.append(f'<rect x="{_n(bx)}" y="{_n(top + ph - h_inv)}" width="{_n(bw)}" '
                         f'height="{_n(h_inv)}" fill="url(#{pid}-hatch)" stroke="{ACCENT}" stroke-width="0.5"/>')
        if i % every == 0:
            parts.append(_text(bx + bw / 2, top + ph + 16, f"第{int(w['week'][-2:])}周",
                               anchor="middle", size=MIN_FONT, fill=MUTED))
    parts.append(CLOSE)
    return Markup("".join(parts))


def hbars(pid: str, rows: list[tuple[str, int, int | None]], *, title: str, part_word: str | None = None,
          styles: list[str] | None = None, goals: list[tuple[int | None, str]] | None = None) -> Markup:
    """Horizontal bars, one per (label, value, part); `part` (e.g. inventions) is drawn hatched inside.

    `styles` gives each bar its own fill ('solid', 'hatch', 'dots') when bars stand for different
    kinds, so a black-and-white print still tells them apart. `goals` gives each bar its
    (goal, status in words): a dashed mark at the goal and the words after the number.
    """
    label_w, left_pad, right = 100, 6, (200 if goals else 100)
    W, row_h, top = 460 + (100 if goals else 0), 26, 8
    H = top + row_h * max(len(rows), 1) + 8
    pw = W - label_w - left_pad - right
    vmax = max([r[1] for r in rows] + [g[0] for g in goals or [] if g[0]], default=0) or 1
    desc = ("条形长度为件数" + (f"，斜线部分为其中的{part_word}" if part_word else "")
            + ("，竖虚线为该镇街的全年目标" if goals else "") + "。")
    parts = [_open(pid, W, H, title, desc), _patterns(pid)]
    fills = {"solid": f'fill="{MAIN}"', "hatch": f'fill="url(#{pid}-hatch)" stroke="{ACCENT}"',
             "dots": f'fill="url(#{pid}-dots)" stroke="{THIRD}"'}
    for i, (label, value, part) in enumerate(rows):
        y0 = top + i * row_h
        short = label if len(label) <= 9 else label[:8] + "…"   # the table beside it has the full name
        parts.append(_text(label_w, y0 + 17, short, anchor="end", size=12))
        bx = label_w + left_pad
        w = pw * value / vmax
        fill = fills[(styles or [])[i] if styles and i < len(styles) else "solid"]
        if w:
            parts.append(f'<rect x="{bx}" y="{y0 + 4}" width="{_n(w)}" height="{row_h - 8}" {fill}/>')
        if part:
            parts.append(f'<rect x="{bx}" y="{y0 + 4}" width="{_n(pw * part / vmax)}" height="{row_h - 8}" '
                         f'fill="url(#{pid}-hatch)" stroke="{ACCENT}" stroke-width="0.5"/>')
        words = f"{value:,}" + (f"（{part_word} {part:,}）" if part_word and part is not None else "")
        goal, status = (goals[i] if goals and i < len(goals) else (None, ""))
        if goal:
            gx = bx + pw * goal / vmax
            parts.append(f'<line x1="{_n(gx)}" y1="{y0 + 1}" x2="{_n(gx)}" y2="{y0 + row_h - 1}" stroke="{INK}" '
                         f'stroke-width="1.5" stroke-dasharray="3 2"/>')
            words += f" / 目标 {goal:,} {status}"
        parts.append(_text(max(bx + w, bx + pw * (goal or 0) / vmax) + 6, y0 + 17, words, size=11))
    parts.append(CLOSE)
    return Markup("".join(parts))
