"""Demo subsidy claims for ipmonitor: subsidies/claims_2012.csv, claims_2013.csv and decisions.csv.

    python seeds/generate_subsidies.py [--seeds DIR] [--out DIR]   # defaults: this folder, ./subsidies

Imports the seeds (registry, agency exports, ipmonitor.toml) into a temporary home with
ipmonitor's own functions and picks attributed filings that fit each stage, so every claim
passes the rules. 2012: 58 claims, all approved and paid, 108,000 yuan (the bureau's 2012
figure, domain.md). 2013 (to 28 June): claims in every state within the year's budget, and
three rows the import rejects on purpose. The files are then replayed in a second temporary
home the way `ipmonitor demo` does (demo.apply_seed_decisions) and the totals checked.
Deterministic: one random.Random with a fixed seed, dates derived from the filing dates.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import polars as pl  # noqa: E402

from ipmonitor import app, demo, subsidies, subsidy_import  # noqa: E402
from ipmonitor.filings import granted  # noqa: E402
from ipmonitor.progress import attribute  # noqa: E402
from ipmonitor.store import corrections, records  # noqa: E402

SEED = 20121231
D = dt.date
HEADER = ["申请号", "统一社会信用代码", "资助类别", "申请金额", "申报日期", "备注"]
WORD = {"application": "申请资助", "grant": "授权资助", "pct": "PCT国际申请", "maintenance": "年费资助"}
APPROVER, PAYER = "陈立", "周琳"
END_2012, END_2013 = D(2012, 12, 20), D(2013, 6, 25)
# 2012 at the 2012 rates: 5 PCT × 10,000 + 2 invention grants × 4,000 + 2 design grants × 500
# + 22 invention applications × 1,000 + 27 utility-model grants × 1,000 = 108,000 in 58 items.
PLAN_2012 = {"pct": 5, "invention_grant": 2, "design_grant": 2, "invention_application": 22,
             "utility_model_grant": 27}
REJECT_REASONS = ["申报材料不全，缺少专利证书复印件", "该专利已列入非正常专利申请排查名单，暂缓资助",
                  "申报单位与专利权人名称不一致，未提供更名证明", "超过申报期限"]


def load(seeds: Path, home_dir: Path) -> tuple[app.Home, list[dict]]:
    """A fresh home with the seeds imported; the attributed filings as dicts, by number."""
    home = demo.fresh_home(seeds, home_dir)
    app.import_files(home, [seeds / "enterprises.csv"], "registry")
    app.import_files(home, sorted(p for p in (seeds / "agencies").iterdir() if p.is_file()), "filings")
    demo.apply_overrides(home, seeds / "overrides.csv")
    found = attribute(records.filings_between(home.db, "2000-01-01", "2099-12-31"),
                      records.entities(home.db), records.entity_aliases(home.db), corrections.overrides(home.db))
    rows = (found.filter(pl.col("entity").is_not_null()).sort("application_no")
            .with_columns(date=pl.col("filing_date").str.to_date()).to_dicts())
    for r in rows:
        r["granted"] = granted(r)
        r["pct_no"] = r["application_no"][4] in "89"
    return home, rows


def between(rng: random.Random, lo: D, hi: D) -> D:
    """A day in [lo, hi] (hi when lo is later: the callers keep hi on or after the filing date)."""
    lo = min(lo, hi)
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def pick(rng: random.Random, rows: list[dict], n: int, taken: set, stage: str) -> list[dict]:
    free = [r for r in rows if (r["application_no"], stage) not in taken]
    if len(free) < n:
        raise SystemExit(f"only {len(free)} filings fit {stage}, {n} needed: the seeds changed")
    chosen = sorted(rng.sample(free, n), key=lambda r: r["application_no"])
    taken.update((r["application_no"], stage) for r in chosen)
    return chosen


def claim(r: dict, stage: str, amount: int, date: D, note: str = "") -> dict:
    return {"no": r["application_no"], "code": r["entity"], "stage": stage, "amount": amount,
            "date": date, "note": note}


def plan_2012(rng: random.Random, rows: list[dict], taken: set) -> list[dict]:
    y = [r for r in rows if r["date"].year == 2012]
    inv = [r for r in y if r["type"] == "invention"]
    early = lambda rs, last: [r for r in rs if r["date"] <= last]
    out = []
    pct_pool = [r for r in early(inv, D(2012, 6, 30)) if not r["granted"]]
    for r in pick(rng, pct_pool, PLAN_2012["pct"], taken, "pct"):
        out.append(claim(r, "pct", 10000, between(rng, max(r["date"] + dt.timedelta(days=150), D(2012, 9, 1)),
                                                  END_2012), "PCT国际申请已受理"))
    for r in pick(rng, [r for r in inv if r["granted"]], PLAN_2012["invention_grant"], taken, "grant"):
        out.append(claim(r, "grant", 4000, between(rng, D(2012, 11, 1), END_2012)))
    designs = early([r for r in y if r["type"] == "design" and r["granted"]], D(2012, 4, 30))
    for r in pick(rng, designs, PLAN_2012["design_grant"], taken, "grant"):
        out.append(claim(r, "grant", 500, between(rng, r["date"] + dt.timedelta(days=150), END_2012)))
    for r in pick(rng, early(inv, D(2012, 11, 15)), PLAN_2012["invention_application"], taken, "application"):
        out.append(claim(r, "application", 1000, between(rng, r["date"] + dt.timedelta(days=10),
                                                         min(r["date"] + dt.timedelta(days=60), END_2012))))
    ums = early([r for r in y if r["type"] == "utility_model" and r["granted"]], D(2012, 4, 30))
    for r in pick(rng, ums, PLAN_2012["utility_model_grant"], taken, "grant"):
        out.append(claim(r, "grant", 1000, between(rng, r["date"] + dt.timedelta(days=200), END_2012)))
    return sorted(out, key=lambda c: (c["date"], c["no"], c["stage"]))


def plan_2013(rng: random.Random, rows: list[dict], taken: set) -> list[dict]:
    start = D(2013, 1, 5)
    late = lambda r, days: max(start, r["date"] + dt.timedelta(days=days))
    inv = [r for r in rows if r["type"] == "invention" and not r["pct_no"]]
    out = []
    for r in pick(rng, [r for r in inv if r["date"] >= D(2012, 11, 16) and r["date"] <= D(2013, 5, 31)],
                  14, taken, "application"):
        out.append(claim(r, "application", 1000, between(rng, late(r, 10), min(late(r, 60), END_2013))))
    ums = [r for r in rows if r["type"] == "utility_model" and r["granted"]]
    for r in pick(rng, [r for r in ums if D(2012, 5, 1) <= r["date"] <= D(2012, 11, 30)], 14, taken, "grant"):
        out.append(claim(r, "grant", 1000, between(rng, late(r, 200), END_2013)))
    for r in pick(rng, [r for r in ums if r["date"].year == 2013], 3, taken, "grant"):
        out.append(claim(r, "grant", 1000, between(rng, late(r, 90), END_2013)))
    designs = [r for r in rows if r["type"] == "design" and r["granted"]]
    for r in pick(rng, [r for r in designs if r["date"].year == 2012], 6, taken, "grant"):
        out.append(claim(r, "grant", 500, between(rng, late(r, 150), END_2013)))
    for r in pick(rng, [r for r in designs if r["date"].year == 2013], 2, taken, "grant"):
        out.append(claim(r, "grant", 500, between(rng, late(r, 60), END_2013)))
    for r in pick(rng, [r for r in rows if r["pct_no"] and r["date"].year == 2013], 2, taken, "pct"):
        out.append(claim(r, "pct", 10000, between(rng, late(r, 20), END_2013), "PCT国际申请进入中国国家阶段"))
    return sorted(out, key=lambda c: (c["date"], c["no"], c["stage"]))


def planted_2013(rng: random.Random, rows: list[dict], claims_2012: list[dict]) -> list[dict]:
    """Three rows the import rejects: a grant claim on a filing not yet granted (not_granted), an
    application claim on a utility model (no_rate in 2013), a second claim on a 2012 grant (one_live_claim)."""
    pending = [r for r in rows if r["type"] == "utility_model" and not r["granted"]
               and D(2013, 1, 1) <= r["date"] <= D(2013, 5, 1)]
    a = rng.choice(pending)
    b = rng.choice([r for r in rows if r["type"] == "utility_model" and D(2013, 3, 1) <= r["date"] <= D(2013, 5, 10)])
    paid = next(c for c in claims_2012 if c["stage"] == "grant" and c["amount"] == 1000)
    return [claim(a, "grant", 1000, max(a["date"] + dt.timedelta(days=30), D(2013, 3, 8))),
            claim(b, "application", 1000, D(2013, 5, 16)),
            {**paid, "date": D(2013, 4, 22), "note": ""}]


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")   # Excel's "CSV UTF-8"


def claims_file(claims: list[dict]) -> bytes:
    return csv_bytes(HEADER, [[c["no"], c["code"], WORD[c["stage"]], c["amount"], c["date"].isoformat(), c["note"]]
                              for c in claims])


def ids_of(home: app.Home, path: Path, year: int, expect_new: int) -> dict[tuple, str]:
    r = subsidy_import.import_claims(home.db, home.settings, path, by=demo.SEED_BY, today=D(2013, 6, 28))
    if r["new"] != expect_new:
        raise SystemExit(f"{path.name}: {r['new']} claims imported, {expect_new} expected: {r}")
    return {(c["application_no"], c["stage"]): c["id"] for c in subsidies.claims(home.db, year=year)}


def decisions(rng: random.Random, claims: list[dict], ids: dict, year: int) -> list[dict]:
    out, n = [], 0
    def add(cid, action, **kw):
        out.append({"claim_id": cid, "action": action, "amount": "", "date": "", "voucher": "", "reason": "",
                    "by": PAYER if action == "pay" else APPROVER, **kw})
    order = sorted(claims, key=lambda c: ids[(c["no"], c["stage"])])
    if year == 2012:
        for c in order:
            n += 1
            add(ids[(c["no"], c["stage"])], "approve", amount=c["amount"])
            paid_on = D(2012, 7, 26) if c["date"] <= D(2012, 7, 15) else D(2012, 12, 28)
            add(ids[(c["no"], c["stage"])], "pay", date=paid_on.isoformat(), voucher=f"宿豫科资-2012-{n:03d}")
        return out
    decided = [c for c in order if c["date"] <= D(2013, 5, 31)]
    rejected = set(rng.sample(range(len(decided)), 4))
    for i, c in enumerate(decided):
        cid = ids[(c["no"], c["stage"])]
        if i in rejected:
            add(cid, "reject", reason=REJECT_REASONS[len([j for j in rejected if j < i])])
            continue
        amount = c["amount"] if i % 7 != 3 else c["amount"] * 3 // 4      # a few cut to 75 %
        add(cid, "approve", amount=amount)
        if c["date"] <= D(2013, 4, 10):
            n += 1
            add(cid, "pay", date="2013-05-24", voucher=f"宿豫科资-2013-{n:03d}")
    return out


def check(seeds: Path, out: Path) -> dict:
    """Replay the files as the demo does; the year summaries, or SystemExit when a total is off."""
    with tempfile.TemporaryDirectory() as tmp:
        home, _ = load(seeds, Path(tmp))
        try:
            demo.apply_seed_decisions(home, out)
            y12 = subsidies.year_summary(home.db, home.settings, 2012)
            y13 = subsidies.year_summary(home.db, home.settings, 2013)
        finally:
            home.close()
    states12 = {s["state"]: s["count"] for s in y12["by_state"]}
    if (y12["claims"], states12["paid"], y12["approved"], y12["paid"]) != (58, 58, 108000, 108000):
        raise SystemExit(f"2012 is not 58 paid items of 108,000 yuan: {y12['by_state']}")
    if any(s["count"] == 0 for s in y13["by_state"]) or y13["overrun"] or not y13["chain"]["ok"]:
        raise SystemExit(f"2013 does not have every state within its budget: {y13['by_state']}")
    return {"2012": y12, "2013": y13}


def readme(summary: dict) -> str:
    lines = ["# Demo subsidy claims (专利资助)", "",
             "Generated by `python seeds/generate_subsidies.py` from the other seeds (deterministic; do not",
             "edit by hand). `ipmonitor demo` imports `claims_<year>.csv` in year order (`subsidy import`),",
             "each followed by that year's rows of `decisions.csv` (approve / reject / pay).", ""]
    for year, s in summary.items():
        lines.append(f"- {year}: {s['claims']} claims, budget {s['budget']:,} yuan; " + "; ".join(
            f"{b['state']} {b['count']} (claimed {b['claimed']:,}, approved {b['approved']:,}, paid {b['paid']:,})"
            for b in s["by_state"]))
    lines += ["- `claims_2013.csv` also holds three rows rejected on purpose: a grant claim on a filing not yet",
              "  granted (`not_granted`), an application claim on a utility model, which 2013's schedule does",
              "  not subsidise (`no_rate`), and a second grant claim on a filing paid in 2012 (`one_live_claim`).", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=here)
    ap.add_argument("--out", type=Path, default=here / "subsidies")
    args = ap.parse_args(argv)
    rng = random.Random(SEED)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home, rows = load(args.seeds, Path(tmp))
        try:
            taken: set = set()
            c12 = plan_2012(rng, rows, taken)
            c13 = plan_2013(rng, rows, taken)
            bad = planted_2013(rng, rows, c12)
            (args.out / "claims_2012.csv").write_bytes(claims_file(c12))
            file13 = sorted(c13 + bad, key=lambda c: (c["date"], c["no"], c["stage"]))
            (args.out / "claims_2013.csv").write_bytes(claims_file(file13))
            d12 = decisions(rng, c12, ids_of(home, args.out / "claims_2012.csv", 2012, len(c12)), 2012)
            d13 = decisions(rng, c13, ids_of(home, args.out / "claims_2013.csv", 2013, len(c13)), 2013)
        finally:
            home.close()
    keys = ["claim_id", "action", "amount", "date", "voucher", "reason", "by"]
    (args.out / "decisions.csv").write_bytes(csv_bytes(keys, [[d[k] for k in keys] for d in d12 + d13]))
    summary = check(args.seeds, args.out)
    (args.out / "README.md").write_text(readme(summary), encoding="utf-8")
    print(readme(summary))


if __name__ == "__main__":
    main()
