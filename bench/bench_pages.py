"""Benchmark of `build_pages`: a year of 1,000,000 filings and 5,000 entities, every page written.

    .venv/bin/python bench/bench_pages.py [--filings 1000000] [--entities 5000] [--dir bench/data/pages]

The database is generated directly (sqlite executemany in one transaction) into
DIR/home/ipmonitor.db, reused when it already has the asked size; the pages are
then built in a fresh process, which prints the seconds and its peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from ipmonitor import app, ids, store
from ipmonitor.render import build_pages

YEAR = 2013
AS_OF = dt.date(2013, 12, 31)
TOWNS = ["顺河街道", "豫新街道", "下相街道", "仰化镇", "大兴镇", "丁嘴镇", "新庄镇", "来龙镇", "陆集镇", "侍岭镇"]
STATUSES = ["受理", "公开", "实质审查", "授权", "驳回", "视为撤回"]


def credit_codes(n: int) -> list[str]:
    return [(f := f"91321311MA{i:07d}") + ids.credit_check_char(f) for i in range(1, n + 1)]


def generate(home: Path, n_filings: int, n_entities: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "ipmonitor.toml").write_text(
        f'[district]\nname = "宿豫区"\n\n[goals.{YEAR}]\n'
        f'filings = {n_filings * 6 // 5}\ninvention = {n_filings // 7}\n',
        encoding="utf-8")
    for name in ("ipmonitor.db", "ipmonitor.db-wal", "ipmonitor.db-shm"):
        (home / name).unlink(missing_ok=True)
    db = store.connect(home / "ipmonitor.db")
    codes = credit_codes(n_entities)
    ents = pl.DataFrame({"credit_code": codes}).with_row_index("i").with_columns(
        name=pl.format("宿迁市第{}号科技有限公司", pl.col("i")),
        township=pl.lit(pl.Series(TOWNS)).gather(pl.col("i") % len(TOWNS)),
        aliases=pl.when(pl.col("i") % 10 == 0).then(pl.format("宿迁{}号旧名", pl.col("i"))).otherwise(None),
        high_tech=(pl.col("i") % 7 == 0).cast(pl.Int64), above_scale=(pl.col("i") % 3 == 0).cast(pl.Int64),
    ).with_columns(name_key=ids.name_key(pl.col("name")))
    # filings: 5 % by unregistered applicants, 20 % with a co-applicant, a quarter with a credit code
    f = pl.DataFrame({"k": pl.int_range(0, n_filings, eager=True)}).with_columns(
        t=pl.col("k") % 8, u=(pl.col("k") * 2654435761) % 1_000_003)
    f = f.with_columns(
        type_digit=pl.when(pl.col("t") == 0).then(pl.lit("1")).when(pl.col("t") < 6).then(pl.lit("2"))
        .otherwise(pl.lit("3")),
        # a skewed share per entity; the last tenth of the registry files nothing (zero-patent entities)
        ent=((pl.col("u").cast(pl.Float64) / 1_000_003) ** 2 * (n_entities * 9 // 10)).cast(pl.Int64),
        day=pl.col("u") % 365,
    ).with_columns(serial=pl.col("k").cum_count().over("type_digit"))
    f = f.with_columns(digits=pl.format("{}{}{}", pl.lit(YEAR), pl.col("type_digit"),
                                        pl.col("serial").cast(pl.String).str.zfill(7)))
    f = f.with_columns(application_no=pl.format("{}.{}", pl.col("digits"), ids.app_check_expr(pl.col("digits"))))
    names = ents["name"]
    f = f.with_columns(
        first=pl.when(pl.col("u") % 20 == 0).then(pl.format("个人申请人{}", pl.col("u") % 5000))
        .otherwise(names.gather(f["ent"]).alias("n")),
        partner=pl.when(pl.col("u") % 5 == 1).then(names.gather((f["ent"] + 17) % n_entities)).otherwise(None),
    ).with_columns(
        type=pl.col("type_digit").replace_strict({"1": "invention", "2": "utility_model", "3": "design"}),
        filing_date=(pl.lit(dt.date(YEAR, 1, 1)) + pl.duration(days=pl.col("day"))).cast(pl.String),
        applicants=pl.concat_str(["first", "partner"], separator="; ", ignore_nulls=True),
        first_key=ids.name_key(pl.col("first")),
        title=pl.format("一种基于第{}号方案的装置", pl.col("u")),
        status=pl.lit(pl.Series(STATUSES)).gather(pl.col("u") % len(STATUSES)),
        credit_code=pl.when(pl.col("u") % 4 == 1).then(pl.lit(pl.Series(codes)).gather(pl.col("ent")))
        .otherwise(None),
        agency=pl.format("宿迁第{}专利代理事务所", pl.col("u") % 40),
        inventors=pl.lit("张三; 李四"), grant_date=pl.lit(None, pl.String),
    ).sort("application_no")
    f = f.with_columns(first_key_stored=pl.when(pl.col("first_key") != pl.col("first")).then("first_key"))
    cols = ["application_no", "type", "filing_date", "applicants", "first_key_stored",   # first_applicant(_key):
            "title", "status", "credit_code", "agency", "inventors", "grant_date"]        # generated columns
    now = store.utc_now()
    with store.transaction(db):
        for kind, file in (("registry", "registry.csv"), ("filings", "bench.csv"), ("filings", "update.csv")):
            db.conn.execute("INSERT INTO imports (kind, file, sha256, imported_at) VALUES (?, ?, ?, ?)",
                            (kind, file, f"{kind}-{file}", now))
        db.conn.executemany(
            "INSERT INTO entities (credit_code, name, name_key, township, aliases, high_tech, above_scale, import_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            ents.select("credit_code", "name", "name_key", "township", "aliases", "high_tech",
                        "above_scale").iter_rows())
        db.conn.executemany(
            "INSERT INTO entity_aliases (credit_code, alias, alias_key) VALUES (?, ?, ?)",
            ents.filter(pl.col("aliases").is_not_null()).select(
                "credit_code", "aliases", ids.name_key(pl.col("aliases")).alias("key")).iter_rows())
        db.conn.executemany(
            f"INSERT INTO filings ({', '.join(cols)}, first_import_id, last_import_id) "
            f"VALUES ({', '.join('?' * len(cols))}, 2, 2)", f.select(cols).iter_rows())
        db.conn.executemany(  # one filing in 20 changed its status in the second import
            "INSERT INTO filing_history (application_no, status, from_import_id, replaced_by_import_id) "
            "VALUES (?, '受理', 2, 3)", f.filter(pl.col("u") % 20 == 3).select("application_no").iter_rows())
        db.conn.executemany(
            "INSERT INTO rejects (import_id, line, application_no, reason, message) VALUES (2, ?, ?, ?, ?)",
            [(i + 2, f"2013{i:08d}", "bad_check_digit", "申请号校验位不对") for i in range(2000)])
    db.conn.close()


def build(home: Path, out: Path) -> None:
    h = app.open_home(home)
    t = time.perf_counter()
    index = build_pages(h, year=YEAR, as_of=AS_OF, out=out)
    seconds = time.perf_counter() - t
    pages = sum(1 for _ in out.rglob("*.html"))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"build_pages: {seconds:.1f} s, peak RSS {rss:.0f} MiB, {pages} pages, {size / 2**20:.0f} MiB written "
          f"({index})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--filings", type=int, default=1_000_000)
    ap.add_argument("--entities", type=int, default=5_000)
    ap.add_argument("--dir", type=Path, default=Path(__file__).resolve().parent / "data" / "pages")
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    home = a.dir / "home"
    if a.build_only:
        build(home, a.dir / "reports")
        return
    db = home / "ipmonitor.db"
    have = None
    if db.exists():
        h = app.open_home(home)
        have = h.db.conn.execute("SELECT (SELECT count(*) FROM filings), (SELECT count(*) FROM entities)").fetchone()
        h.close()
    if have != (a.filings, a.entities):
        t = time.perf_counter()
        generate(home, a.filings, a.entities)
        print(f"generated {a.filings:,} filings, {a.entities:,} entities in {time.perf_counter() - t:.1f} s")
    subprocess.run([sys.executable, __file__, "--build-only", "--dir", str(a.dir)], check=True)


if __name__ == "__main__":
    main()
