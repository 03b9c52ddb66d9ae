"""`enterprises import` (filings.md §5) and ipmonitor.toml checking (cli.md)."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import in_process, run_process, write

from ipmonitor.ids import credit_check_char


def code(body17: str) -> str:
    return body17 + credit_check_char(body17)


A, B = code("91321311MA1MAAAA0"), code("91321311MA1MBBBB0")


def entities(home):
    with sqlite3.connect(home / "ipmonitor.db") as conn:
        return {r[0]: r[1:] for r in conn.execute(
            "SELECT credit_code, name, township, aliases, high_tech, above_scale FROM entities")}


def test_registry_rows_rejects_and_json_shape(home, cli):
    text = ("统一社会信用代码,企业名称,所属镇街,曾用名,高新技术企业,规模以上\n"
            f"{A},宿迁甲机械有限公司,顺河街道,宿迁甲机械厂；甲厂,是,Y\n"
            f"{B[:-1]}{'0' if B[-1] != '0' else '1'},坏代码公司,顺河街道,,否,N\n"
            f",没有代码公司,顺河街道,,否,N\n"
            f"{B},,顺河街道,,否,N\n")
    doc = cli.json("enterprises", "import", write(home / "reg.csv", text))
    (f,) = doc["files"]
    assert (f["rows"], f["new"], f["rejected"]) == (4, 1, 3)
    assert "duplicate" not in f and "warnings" not in f
    assert entities(home)[A] == ("宿迁甲机械有限公司", "顺河街道", "宿迁甲机械厂; 甲厂", 1, 1)
    reasons = sorted(r[0] for r in sqlite3.connect(home / "ipmonitor.db").execute(
        "SELECT reason FROM rejects"))
    assert reasons == ["bad_credit_code", "missing_credit_code", "missing_name"]
    assert cli.json("rejects") == []      # registry rejects are not agency-file rejects


def test_registry_import_keeps_the_pinyin_keys_of_names_and_townships(home, cli):
    text = ("统一社会信用代码,企业名称,所属镇街\n"
            f"{A},重庆银行宿迁分行,下相街道\n")
    cli.json("enterprises", "import", write(home / "reg.csv", text))
    with sqlite3.connect(home / "ipmonitor.db") as conn:
        keys = dict(conn.execute("SELECT name, key FROM name_pinyin"))
    # words read as words: 重庆 chóng, 银行 háng (not zhòng, xíng)
    assert keys == {"重庆银行宿迁分行": "chong2 qing4 yin2 hang2 su4 qian1 fen1 hang2\x00重庆银行宿迁分行",
                    "下相街道": "xia4 xiang1 jie1 dao4\x00下相街道"}


def test_a_home_from_before_the_pinyin_keys_gets_them_when_it_is_opened(home, cli):
    cli.json("enterprises", "import", write(home / "reg.csv", f"统一社会信用代码,企业名称,所属镇街\n{A},甲公司,顺河街道\n"))
    with sqlite3.connect(home / "ipmonitor.db") as conn:
        conn.execute("DROP TABLE name_pinyin")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'name_pinyin'")
    cli.json("progress", "--year", "2013", "--as-of", "2013-12-31")
    with sqlite3.connect(home / "ipmonitor.db") as conn:
        assert sorted(r[0] for r in conn.execute("SELECT name FROM name_pinyin")) == ["甲公司", "顺河街道"]


def test_registry_upsert_by_code_keeps_what_the_file_does_not_carry(home, cli):
    cli.json("enterprises", "import", write(home / "r1.csv",
             f"信用代码,单位名称,镇街,别名,high_tech\n{A},甲公司,顺河街道,甲厂,true\n{B},乙公司,来龙镇,,false\n"))
    (f,) = cli.json("enterprises", "import", write(home / "r2.csv",
                    f"credit_code,name,aliases\n{A.lower()},甲有限公司,新别名\n{B},乙公司,\n"))["files"]
    assert (f["new"], f["updated"], f["unchanged"]) == (0, 1, 1)
    got = entities(home)
    assert got[A] == ("甲有限公司", "顺河街道", "新别名", 1, None)
    assert got[B] == ("乙公司", "来龙镇", None, 0, None)
    aliases = sqlite3.connect(home / "ipmonitor.db").execute("SELECT alias FROM entity_aliases").fetchall()
    assert aliases == [("新别名",)]


def test_registry_duplicates_and_bad_flags(home, cli):
    (f,) = cli.json("enterprises", "import", write(home / "r.csv",
                    f"统一社会信用代码,企业名称,高新技术企业\n{A},甲,是\n{A},甲公司,也许\n"))["files"]
    assert (f["rows"], f["new"], f["duplicate"], f["warnings"]) == (2, 1, 1, 1)
    assert entities(home)[A][0] == "甲公司"


@pytest.mark.parametrize("toml, words", [
    ("[goals.2013]\nfilings = -4\n", "goals.2013.filings"),
    ("[goals.2013]\nfilings = \"many\"\n", "goals.2013.filings"),
    ("[goals.2013]\nfiling = 400\n", "goals.2013.filing"),
    ("[goals.next]\nfilings = 1\n", "goals.next"),
    ("[district]\ntimezone = \"Mars/Olympus\"\n", "district.timezone"),
    ("[jobs.inbox]\nevery = \"often\"\n", "jobs.inbox.every"),
    ("[jobs.report]\ncron = \"0 8 * *\"\n", "jobs.report.cron"),
    ("[[sources]]\nname = \"a\"\nurl = \"ftp://x\"\n", "sources[0].url"),
    ("[subsidy.2013.rates]\nbogus = 5\n", "subsidy.2013.rates.bogus"),
    ("[goals.2013\n", "不是有效的 TOML"),
    ("[gaols.2013]\nfilings = 1\n", "gaols"),
])
def test_bad_config_exits_2_naming_the_key(home, toml, words):
    (home / "ipmonitor.toml").write_text(toml, encoding="utf-8")
    proc = in_process("progress", home=home)
    assert proc.returncode == 2, proc
    assert words in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_home_from_environment_and_missing_home(tmp_path, home):
    import os
    import subprocess
    import sys
    env = {**os.environ, "IPMONITOR_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "ipmonitor", "progress", "--json", "--as-of", "2013-01-05"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0 and not (home / "ipmonitor.db").exists()   # a read never creates one
    proc = run_process("progress", home=tmp_path / "nowhere")
    assert proc.returncode == 2 and "nowhere" in proc.stderr


def test_no_config_file_uses_defaults(tmp_path):
    proc = run_process("progress", "--json", "--as-of", "2013-06-30", home=tmp_path)
    assert proc.returncode == 0
    import json
    doc = json.loads(proc.stdout)
    assert doc["filings"]["goal"] is None and doc["filings"]["status"] is None


def test_the_default_job_times_are_good_crontab_lines():
    """load_settings takes the defaults without asking APScheduler (a start-up cost of every command)."""
    from ipmonitor.config import JOB_DEFAULTS, check_cron
    crons = {name: job["cron"] for name, job in JOB_DEFAULTS.items() if "cron" in job}
    assert crons == {"fetch": "0 7 * * *", "report": "0 8 * * mon", "backup": "30 2 * * *"}
    for name, cron in crons.items():
        assert check_cron(cron, f"jobs.{name}.cron") == cron
