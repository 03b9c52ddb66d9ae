"""The district's registry of entities (filings.md §5): rows → entities, rejects. Pure, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from . import ids, words
from .filings import split_names
from .tabular import Table

ALIASES: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
    "name": ("企业名称", "单位名称", "名称", "name"),
    "township": ("所属镇街", "乡镇街道", "镇街", "township"),
    "aliases": ("曾用名", "别名", "aliases"),
    "high_tech": ("高新技术企业", "high_tech"),
    "above_scale": ("规模以上", "above_scale"),
}
REQUIRED = ("credit_code", "name")
# The codes this module produces; their words are in words.py ("reason.registry.*", "warning.registry.*").
REJECT_REASONS = ("too_many_fields", "unbalanced_quote", "field_too_long", "missing_credit_code",
                  "bad_credit_code", "missing_name")
WARNING_CODES = ("bad_high_tech", "bad_above_scale")
_TRUE = ("是", "y", "yes", "true", "1", "√", "✓")
_FALSE = ("否", "n", "no", "false", "0", "×")


@dataclass
class RegistryBatch:
    entities: pl.DataFrame   # credit_code, name, name_key, township, aliases, high_tech, above_scale, line
    rejects: pl.DataFrame    # line, application_no (the raw code), reason, message
    warnings: pl.DataFrame   # line, application_no, code, message
    rows: int
    duplicate: int


def _flag(expr: pl.Expr) -> pl.Expr:
    key = expr.str.normalize("NFKC").str.strip_chars().str.to_lowercase()
    return pl.when(key.is_in(_TRUE)).then(1).when(key.is_in(_FALSE)).then(0).otherwise(None)


def normalise(table: Table) -> RegistryBatch:
    f = table.frame
    col = lambda c: pl.col(c) if c in f.columns else pl.lit(None, pl.String)
    df = f.with_columns(_code=ids.clean_credit_code(col("credit_code")))
    df = df.with_columns(_valid=ids.credit_code_valid(pl.col("_code")))
    reason = (pl.when(col("read_error").is_not_null()).then(col("read_error"))
              .when(pl.col("_code").is_null()).then(pl.lit("missing_credit_code"))
              .when(~pl.col("_valid")).then(pl.lit("bad_credit_code"))
              .when(col("name").is_null()).then(pl.lit("missing_name"))
              .otherwise(None))
    df = df.with_columns(_reason=reason)
    bad = df.filter(pl.col("_reason").is_not_null())
    rejects = bad.select(
        "line", col("credit_code").alias("application_no"), pl.col("_reason").alias("reason"),
        pl.when(pl.col("_reason") == "bad_credit_code")
        .then(pl.format(words.say("message.registry.bad_credit_code"), col("credit_code")))
        .otherwise(pl.col("_reason").replace_strict(words.table("reason.registry"), default=None)).alias("message"))
    ok = df.filter(pl.col("_reason").is_null())
    flags_bad = [(c, (col(c).is_not_null() & _flag(col(c)).is_null())) for c in ("high_tech", "above_scale")]
    ents = ok.select(
        pl.col("_code").alias("credit_code"),
        col("name").alias("name"),
        ids.name_key(col("name")).alias("name_key"),
        col("township").str.normalize("NFKC").str.strip_chars().alias("township"),
        pl.when(col("aliases").is_null()).then(None)
        .otherwise(split_names(col("aliases")).list.join("; ")).alias("aliases"),
        _flag(col("high_tech")).alias("high_tech"),
        _flag(col("above_scale")).alias("above_scale"),
        "line",
        *[b.alias(f"_bad_{c}") for c, b in flags_bad],
        col("high_tech").alias("_raw_high_tech"), col("above_scale").alias("_raw_above_scale"),
    ).with_columns(_last=pl.col("line") == pl.col("line").max().over("credit_code"))
    duplicate = ents.height - int(ents["_last"].sum())
    ents = ents.filter(pl.col("_last"))
    warnings = pl.concat([
        ents.filter(pl.col(f"_bad_{c}")).select(
            "line", pl.col("credit_code").alias("application_no"), pl.lit(f"bad_{c}").alias("code"),
            pl.format(words.say("message.registry.bad_flag"), pl.col(f"_raw_{c}")).alias("message"))
        for c in ("high_tech", "above_scale")])
    keep = ["credit_code", "name", "name_key", "township", "aliases", "high_tech", "above_scale", "line"]
    return RegistryBatch(ents.select(keep), rejects, warnings, table.rows, duplicate)


def alias_rows(entities: pl.DataFrame) -> pl.DataFrame:
    """One row per (entity, alias) for the entities that list aliases."""
    return (entities.filter(pl.col("aliases").is_not_null())
            .select("credit_code", pl.col("aliases").str.split("; ").alias("alias"))
            .explode("alias")
            .with_columns(alias_key=ids.name_key(pl.col("alias"))))
