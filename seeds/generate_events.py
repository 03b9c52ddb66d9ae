"""Demo legal-status list for 宿豫区, in the layout of CNIPA's legal-status export (法律状态查询).

    python seeds/generate_events.py [--out DIR]      # DIR defaults to this script's folder

Reads the committed agency exports (seeds/agencies/, through ipmonitor's own reader) and writes
events/cnipa_legal_status_2013.csv and events/README.md: the grant of every filing an agency shows
granted (dated by the announcement a few months after filing), grants of a few 2012 inventions
(the agencies' lists still say 实质审查), lapses for unpaid annual fees, one restoration, a
pledge registration and its release, a transfer, withdrawals and refusals the agencies report,
and two events for inventions of 2011 that no agency list holds (unmatched until one arrives).
GBK, CRLF, a title line above the header, as the export is saved by Excel on a Chinese Windows.
Deterministic: one random.Random with a fixed seed, no clock.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import polars as pl  # noqa: E402

from ipmonitor import filings  # noqa: E402
from ipmonitor.ids import application_check_char  # noqa: E402
from ipmonitor.tabular import alias_table, read_table  # noqa: E402

SEED = 20130701
EXPORTED = dt.date(2013, 7, 1)          # the day the list was exported
LAST = dt.date(2013, 6, 28)             # newest announcement in it
NAME = "cnipa_legal_status_2013.csv"
HEADER = ["申请号", "法律状态公告日", "法律状态", "法律状态信息"]
GRANT_WORDS = {"invention": ("授权", "发明专利权授予"), "utility_model": ("授权", "实用新型专利权授予"),
               "design": ("授权", "外观设计专利权授予")}
GRANT_DELAY = {"invention": (420, 520), "utility_model": (150, 260), "design": (110, 200)}
LAPSE = ("未缴年费专利权终止", "专利权终止", "专利权的终止")


def seed_filings(agencies: Path) -> pl.DataFrame:
    """Every filing of the agency exports (the last file's row of a number wins, files by name)."""
    parts = []
    for path in sorted(p for p in agencies.iterdir() if p.is_file()):
        if "_resend" in path.stem:   # 智行's July resend only corrects rows of its first list: the
            continue                  # legal-status list is drawn from the four first lists
        table = read_table(path.read_bytes(), path.name, alias_table(filings.ALIASES), filings.REQUIRED)
        batch = filings.normalise(table, EXPORTED)
        parts.append(batch.filings.select("application_no", "type", "filing_date", "status",
                                          "first_applicant"))
    with open(HERE / "enterprises.csv", encoding="utf-8-sig", newline="") as fh:
        names = {r["企业名称"] for r in csv.DictReader(fh)}
    return (pl.concat(parts).unique("application_no", keep="last", maintain_order=True)
            .with_columns(registered=pl.col("first_applicant").is_in(sorted(names)))
            .sort("application_no"))


def day(d: str) -> dt.date:
    return dt.date.fromisoformat(d)


def written(no: str, rng: random.Random) -> str:
    """CNIPA's list writes the number with or without its dot, some with a ZL prefix."""
    r = rng.random()
    if r < 0.15:
        return "ZL" + no
    if r < 0.3:
        return no.replace(".", "")
    return no


def build(fs: pl.DataFrame, rng: random.Random) -> tuple[list[list[str]], list[str]]:
    rows: list[tuple[dt.date, str, str, str]] = []   # (date, number, event, detail)
    notes: list[str] = []
    granted: list[dict] = []
    for f in fs.iter_rows(named=True):
        if f["status"] != "授权":
            continue
        lo, hi = GRANT_DELAY[f["type"]]
        when = min(day(f["filing_date"]) + dt.timedelta(days=rng.randint(lo, hi)),
                   LAST - dt.timedelta(days=rng.randint(0, 20)))
        when = max(when, day(f["filing_date"]) + dt.timedelta(days=60))
        word, detail = GRANT_WORDS[f["type"]]
        rows.append((when, f["application_no"], word, detail))
        granted.append({**f, "granted": when})
    notes.append(f"{len(granted)} grants of the filings the agencies show as 授权")

    pending_inv = [f for f in fs.iter_rows(named=True) if f["type"] == "invention"
                   and f["filing_date"] < "2012-05-01" and f["status"] in ("实质审查", "公开", "受理")]
    for f in rng.sample(pending_inv, min(6, len(pending_inv))):
        when = day(f["filing_date"]) + dt.timedelta(days=rng.randint(330, 420))
        when = min(when, LAST - dt.timedelta(days=rng.randint(0, 40)))
        rows.append((when, f["application_no"], "授权", "发明专利权授予"))
        granted.append({**f, "granted": when})
        notes.append(f"`{f['application_no']}` invention granted {when} (agency lists still say {f['status']})")

    # lapses, pledges and the transfer go to filings whose first applicant is a registered name
    ours = [g for g in granted if g["registered"]]
    early = [g for g in ours if g["type"] == "utility_model" and g["granted"] < dt.date(2012, 12, 1)]
    lapsed = rng.sample(early, min(4, len(early)))
    for i, g in enumerate(lapsed):
        when = dt.date(2013, 3 + i, rng.randint(3, 26))
        rows.append((when, g["application_no"], LAPSE[i % len(LAPSE)], "未缴纳第2年度年费"))
        notes.append(f"`{g['application_no']}` lapsed {when} (unpaid annual fee)")
    if lapsed:
        g = lapsed[0]
        back = dt.date(2013, 6, 14)
        rows.append((back, g["application_no"], "权利的恢复", "缴纳年费及滞纳金，恢复专利权"))
        notes.append(f"`{g['application_no']}` restored {back} (fee and surcharge paid)")

    strong = [g for g in ours if g["type"] == "invention"] or ours
    pledge = rng.choice(strong)
    rows.append((dt.date(2013, 5, 22), pledge["application_no"], "专利权质押合同登记的生效",
                 "质权人：江苏银行宿迁分行"))
    notes.append(f"`{pledge['application_no']}` pledge registered 2013-05-22")
    other = rng.choice([g for g in ours if g["application_no"] != pledge["application_no"]
                        and g["application_no"] not in {x["application_no"] for x in lapsed}])
    rows.append((dt.date(2013, 1, 9), other["application_no"], "专利权质押合同登记的生效", "质权人：宿迁农村商业银行"))
    rows.append((dt.date(2013, 6, 5), other["application_no"], "专利权质押合同登记的注销", "质押合同解除"))
    notes.append(f"`{other['application_no']}` pledge registered 2013-01-09, released 2013-06-05 "
                 "(a release is not a registration)")
    moved = rng.choice([g for g in ours if g["application_no"] not in
                        (pledge["application_no"], other["application_no"])])
    rows.append((dt.date(2013, 4, 17), moved["application_no"], "专利申请权、专利权的转移",
                 "专利权人变更（名称变更，仍为区内企业）"))
    notes.append(f"`{moved['application_no']}` transfer 2013-04-17 (informative: attribution unchanged)")

    for f in fs.iter_rows(named=True):
        if f["status"] == "视为撤回":
            when = day(f["filing_date"]) + dt.timedelta(days=rng.randint(120, 300))
            rows.append((min(when, LAST), f["application_no"], "视为撤回", "未按期缴纳申请费"))
        elif f["status"] == "驳回":
            when = day(f["filing_date"]) + dt.timedelta(days=rng.randint(200, 380))
            rows.append((min(when, LAST), f["application_no"], "驳回", "驳回决定"))

    for digits, when in (("201110215306", dt.date(2013, 2, 27)), ("201110407522", dt.date(2013, 5, 8))):
        no = f"{digits}.{application_check_char(digits)}"
        rows.append((when, no, "授权", "发明专利权授予"))
        notes.append(f"`{no}` (filed 2011, in no agency list) granted {when}: unmatched")

    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    out = [[written(no, rng), when.isoformat(), word, detail] for when, no, word, detail in rows]
    return out, notes


def csv_text(rows: list[list[str]]) -> str:
    def cell(v: str) -> str:
        return f'"{v}"' if any(c in v for c in ',"\n') else v
    lines = [f"中国专利法律状态查询结果（宿豫区，导出日期：{EXPORTED.isoformat()}）", ",".join(HEADER)]
    lines += [",".join(cell(v) for v in r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


README = """# Legal-status list for the demo (宿豫区)

Generated by `python seeds/generate_events.py` from the committed agency exports (deterministic;
`tests/test_patents.py` checks the committed file is exactly what it writes). Do not edit by hand.

- `{name}` — CNIPA's legal-status export: GBK, CRLF, a title line above the header
  `申请号,法律状态公告日,法律状态,法律状态信息`; numbers with or without their dot, some with `ZL`.
  {n} events.

What it holds:
{notes}
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE)
    out = ap.parse_args(argv).out
    rng = random.Random(SEED)
    rows, notes = build(seed_filings(HERE / "agencies"), rng)
    (out / "events").mkdir(parents=True, exist_ok=True)
    (out / "events" / NAME).write_bytes(csv_text(rows).encode("gb18030"))
    (out / "events" / "README.md").write_text(
        README.format(name=NAME, n=len(rows), notes="\n".join(f"- {n}" for n in notes)),
        encoding="utf-8", newline="\n")
    print(f"events/{NAME}: {len(rows)} events")


if __name__ == "__main__":
    main()
