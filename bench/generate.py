"""Write a large agency export for the benchmarks: GBK, comma-separated, a title line, realistic values.

    python bench/generate.py ROWS OUT.csv

Deterministic (fixed seed). About 1 % of rows are damaged (bad check digit, impossible date,
missing applicant) and about 1 % repeat an earlier row, so every code path of the import runs.
"""

from __future__ import annotations

import sys

import numpy as np
import polars as pl

W12 = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])


def frame(rows: int, seed: int = 2013) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    year = rng.choice([2012, 2013], rows)
    kind = rng.choice([1, 2, 3], rows, p=[0.15, 0.6, 0.25])
    serial = rng.permutation(9_000_000)[:rows] + 100_000
    digits = np.stack([year // 1000 % 10, year // 100 % 10, year // 10 % 10, year % 10, kind,
                       *[serial // 10 ** p % 10 for p in range(6, -1, -1)]], axis=1)
    check = (digits * W12).sum(axis=1) % 11
    day = rng.integers(0, 365, rows)
    ents = rng.integers(0, 5000, rows)
    df = pl.DataFrame({"y": year, "k": kind, "s": serial, "c": check, "day": day, "e": ents})
    df = df.with_columns(
        number=pl.format("{}{}{}.{}", "y", "k", pl.col("s").cast(pl.String).str.zfill(7),
                         pl.when(pl.col("c") == 10).then(pl.lit("X")).otherwise(pl.col("c").cast(pl.String))),
        date=(pl.date(pl.col("y"), 1, 1) + pl.duration(days="day")).dt.strftime("%Y/%-m/%-d"),
        applicant=pl.format("宿迁市第{}科技有限公司", "e"),
        title=pl.format("一种用于{}的装置", "s"),
        type=pl.col("k").replace_strict({1: "发明", 2: "实用新型", 3: "外观设计"}, return_dtype=pl.String),
        status=pl.lit("实质审查"),
        agency=pl.lit("宿迁智行专利代理事务所"),
    )
    n = rows // 100
    damaged = df.head(n).with_columns(number=pl.col("number").str.replace(r"\.\w$", ".Y"))
    damaged = damaged.with_columns(number=pl.col("number").str.replace(r"\.Y$", ".0"))
    df = pl.concat([df.slice(n, rows - 2 * n), damaged, df.slice(n, n)])  # 1 % damaged, 1 % repeated
    return df.select(申请号="number", 申请日="date", 申请人="applicant", 发明名称="title",
                     专利类型="type", 法律状态="status", 代理机构="agency")


def main() -> None:
    rows, out = int(sys.argv[1]), sys.argv[2]
    df = frame(rows)
    text = "宿迁智行专利代理事务所 专利申请清单（基准测试）\r\n" + df.write_csv(line_terminator="\r\n")
    with open(out, "wb") as fh:
        fh.write(text.encode("gb18030"))


if __name__ == "__main__":
    main()
