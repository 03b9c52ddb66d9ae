"""Write the benchmark inputs: an agency export (GBK) and the district registry of 5,000 entities.

    python bench/generate.py ROWS OUT_DIR        # writes OUT_DIR/agency-ROWS.csv, OUT_DIR/registry.csv

Deterministic (fixed seed), vectorised. The export is shaped like the acceptance checks' file:
comma-separated, GBK, one header row, nine columns, about 2 % bad rows (wrong check digit,
impossible or future date, missing applicant, a type word the number contradicts) and 1 % rows
that repeat an earlier one (a tenth of those with a changed status). Filing dates fall evenly in
2011–2013, mostly ISO, a fifth written as agencies also do (2013/3/5, 2013年3月5日). Nine in ten rows
are filed by a registered entity (a skewed share each: the largest files about 1.4 %), a third
carry its credit code. Titles are drawn from 12,000 word combinations with no numbers in them, so
ordinary data plants no signal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

W12 = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_W = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
TOWNS = ["顺河街道", "豫新街道", "下相街道", "仰化镇", "大兴镇", "丁嘴镇", "新庄镇", "来龙镇", "陆集镇", "侍岭镇"]
STATUSES = ["受理", "公开", "实质审查", "授权", "驳回", "视为撤回", "专利权维持"]
WORDS = ["智能", "节能", "自动", "高效", "便携", "可调", "环保", "多功能", "一体化", "安全"]
THINGS = ["装置", "设备", "系统", "方法", "结构", "组件", "机构", "工艺", "电路", "模具"]
MATERIALS = ["钢", "铝合金", "塑料", "陶瓷", "玻璃", "木质", "碳纤维", "橡胶", "复合", "纸质"]
SUBJECTS = ["输送", "清洗", "切割", "检测", "干燥", "冷却", "包装", "加热", "过滤", "搅拌", "焊接", "喷涂"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚")
DESIGNS = ["包装盒", "灯具", "椅子", "水杯", "手机壳", "茶几", "花瓶", "标签"]
ENTITIES = 5000


def credit_codes(n: int, rng) -> list[str]:
    """n distinct valid 18-character codes (GB 32100-2015 check character)."""
    alphabet = np.array(list(CREDIT_ALPHABET))
    body = rng.integers(0, 31, (n, 9))
    serial = np.arange(n)
    digits = np.concatenate([
        np.tile([9, 1, 3, 2, 1, 3, 1, 1], (n, 1)),                  # 91 321311: Suyu district
        body,
    ], axis=1)
    digits[:, -4:] = np.stack([serial // 31 ** p % 31 for p in (3, 2, 1, 0)], axis=1)
    check = (31 - (digits * CREDIT_W).sum(axis=1) % 31) % 31
    full = np.concatenate([digits, check[:, None]], axis=1)
    return ["".join(alphabet[row]) for row in full]


def registry(rng) -> pl.DataFrame:
    codes = credit_codes(ENTITIES, rng)
    i = np.arange(ENTITIES)
    kinds = np.array(["科技有限公司", "机械制造有限公司", "新材料有限公司", "电子科技有限公司", "食品有限公司"])
    return pl.DataFrame({
        "统一社会信用代码": codes,
        "企业名称": [f"宿迁市{n}号{kinds[n % len(kinds)]}" for n in i],
        "所属镇街": [TOWNS[n % len(TOWNS)] for n in i],
        "曾用名": [f"宿迁{n}号旧称有限公司" if n % 10 == 0 else None for n in i],
        "高新技术企业": ["是" if n % 7 == 0 else "否" for n in i],
        "规模以上": ["是" if n % 3 == 0 else "否" for n in i],
    })


def export(rows: int, reg: pl.DataFrame, rng) -> pl.DataFrame:
    unique = rows - rows // 100                          # 1 % of the rows repeat an earlier one
    year = rng.choice([2011, 2012, 2013], unique)
    kind = rng.choice([1, 2, 3], unique, p=[0.25, 0.5, 0.25])
    serial = rng.permutation(9_000_000)[:unique] + 100_000
    digits = np.stack([year // 1000 % 10, year // 100 % 10, year // 10 % 10, year % 10, kind,
                       *[serial // 10 ** p % 10 for p in range(6, -1, -1)]], axis=1)
    check = (digits * W12).sum(axis=1) % 11
    day = rng.integers(0, 365, unique)
    ent = (rng.random(unique) ** 2 * ENTITIES).astype(np.int64)          # a skewed share per entity
    own = rng.random(unique) < 0.9                        # filed by a registered entity
    df = pl.DataFrame({"y": year, "k": kind, "s": serial, "c": check, "day": day, "e": ent, "own": own,
                       "r": rng.integers(0, 1 << 30, unique), "style": rng.integers(0, 10, unique)})
    names, codes = reg["企业名称"], reg["统一社会信用代码"]
    pick = lambda words, n: pl.lit(pl.Series(words)).gather(pl.col("r") // n % len(words))
    date = pl.date(pl.col("y"), 1, 1) + pl.duration(days="day")
    df = df.with_columns(
        number=pl.format("{}{}{}.{}", "y", "k", pl.col("s").cast(pl.String).str.zfill(7),
                         pl.when(pl.col("c") == 10).then(pl.lit("X")).otherwise(pl.col("c").cast(pl.String))),
        date=pl.when(pl.col("style") < 8).then(date.dt.strftime("%Y-%m-%d"))
        .when(pl.col("style") == 8).then(date.dt.strftime("%Y/%-m/%-d"))
        .otherwise(date.dt.strftime("%Y年%-m月%-d日")),
        first=pl.when(pl.col("own")).then(names.gather(df["e"]))
        .otherwise(pl.format("个人{}{}", pick(SURNAMES, 1), pl.col("r") % 4000)),
        partner=pl.when(pl.col("r") % 6 == 1).then(names.gather((df["e"] + 17) % ENTITIES)).otherwise(None),
        code=pl.when(pl.col("own") & (pl.col("r") % 3 == 0)).then(codes.gather(df["e"])).otherwise(None),
        title=pl.when(pl.col("k") == 3)
        .then(pl.format("{}{}{}", pick(WORDS, 3), pick(MATERIALS, 37), pick(DESIGNS, 7)))
        .otherwise(pl.format("一种{}{}{}{}", pick(WORDS, 3), pick(MATERIALS, 37), pick(SUBJECTS, 11),
                             pick(THINGS, 13))),
        type=pl.col("k").replace_strict({1: "发明", 2: "实用新型", 3: "外观设计"}, return_dtype=pl.String),
        status=pick(STATUSES, 17),
        agency=pl.format("宿迁第{}专利代理事务所", pl.col("r") % 40),
        inventors=pl.format("{}{}；{}{}", pick(SURNAMES, 19), pick(GIVEN, 23), pick(SURNAMES, 29), pick(GIVEN, 31)),
    ).with_columns(applicants=pl.concat_str(["first", "partner"], separator="；", ignore_nulls=True))
    # about 2 % bad rows, five kinds of damage
    bad = pl.col("r") % 250
    df = df.with_columns(
        date=pl.when(bad == 1).then(pl.format("{}-02-30", "y")).when(bad == 2).then(pl.lit("2031-05-01"))
        .otherwise(pl.col("date")),
        applicants=pl.when(bad == 3).then(None).otherwise(pl.col("applicants")),
        type=pl.when(bad == 4).then(pl.when(pl.col("k") == 3).then(pl.lit("发明")).otherwise(pl.lit("外观设计")))
        .otherwise(pl.col("type")),
    )
    # a bad check digit must really be wrong: the number with a digit that differs from the right one
    df = df.with_columns(number=pl.when(bad == 0).then(
        pl.col("number").str.slice(0, 13) + pl.when(pl.col("c") == 9).then(pl.lit("0")).otherwise(pl.lit("9")))
        .otherwise(pl.col("number")))
    out = df.select(申请号="number", 申请日="date", 申请人="applicants", 发明名称="title", 专利类型="type",
                    法律状态="status", 统一社会信用代码="code", 代理机构="agency", 发明人="inventors")
    repeats = out.gather(rng.integers(0, unique, rows - unique))
    repeats = repeats.with_columns(
        法律状态=pl.when(pl.int_range(pl.len()) % 10 == 0).then(pl.lit("授权")).otherwise(pl.col("法律状态")))
    return pl.concat([out, repeats]).gather(rng.permutation(rows))


def write_gbk(df: pl.DataFrame, path: Path) -> None:
    path.write_bytes(df.write_csv(line_terminator="\r\n").encode("gbk"))


def main() -> None:
    rows, out = int(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2013)
    reg = registry(rng)
    if not (out / "registry.csv").exists():
        write_gbk(reg, out / "registry.csv")
    write_gbk(export(rows, reg, rng), out / f"agency-{rows}.csv")


if __name__ == "__main__":
    main()
