"""Everything a person reads is Chinese by default and English with `[district] language = "en"`
(cli.md "Language"); JSON keys, reason codes and exit codes do not change with the language."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from conftest import run_process, write
from ipmonitor import words
from ipmonitor.cli import main
from ipmonitor.cli.language import commands, help_key

GOOD = "申请号,申请日,申请人\n201310699744.2,2013-01-01,宿迁甲机械有限公司\n"


def english(home):
    text = (home / "ipmonitor.toml").read_text(encoding="utf-8")
    (home / "ipmonitor.toml").write_text(text.replace('timezone = "Asia/Shanghai"',
                                                      'timezone = "Asia/Shanghai"\nlanguage = "en"'),
                                         encoding="utf-8")


def test_every_command_and_option_has_help_in_both_languages():
    """A new command or option needs `help.<command path>` / `help.<command path>.<param name>` (or a
    shared `help.opt.<param name>`) in ipmonitor/words.py, in Chinese and English."""
    missing = []
    for path, cmd in commands(main):
        if help_key(path) is None:
            missing.append(f"help.{path or 'main'}")
        for p in cmd.params:
            if isinstance(p, click.Option) and p.name != "help" and help_key(path, p.name) is None:
                missing.append(f"help.{path or 'main'}.{p.name}")
    assert missing == [], "words missing in ipmonitor/words.py: " + ", ".join(missing)


def test_help_and_clicks_own_messages_are_chinese_by_default(home):
    out = run_process("subsidy", "claim", "--help", home=home).stdout
    assert out.startswith("用法：") and "选项" in out and "申请金额，整数元。" in out and "显示本帮助并退出。" in out
    bad = run_process("progress", "--bogus", home=home)
    assert bad.returncode == 2 and "没有选项 '--bogus'" in bad.stderr and "Usage" not in bad.stderr
    missing = run_process("subsidy", "approve", home=home)
    assert missing.returncode == 2 and "缺少参数" in missing.stderr


def test_help_is_english_with_language_en(home):
    english(home)
    out = run_process("subsidy", "claim", "--help", home=home).stdout
    assert out.startswith("Usage:") and "Amount claimed, whole yuan." in out
    assert "No such option" in run_process("progress", "--bogus", home=home).stderr


def test_summaries_and_tables_in_chinese_then_english(home, cli):
    out = cli("import", write(home / "a.csv", GOOD)).stdout
    assert out.strip() == "a.csv：1 行：新增 1，更新 0，未变 0，重复 0，拒绝 0；警告 0 条"
    table = cli("progress", "--as-of", "2013-01-31").stdout
    assert "项目" in table and "已申请" in table and "全部申请" in table and "count" not in table
    english(home)
    out = cli("import", write(home / "b.csv", GOOD.replace("699744.2", "699745.9"))).stdout
    assert out.strip().startswith("b.csv: 1 rows:")
    assert "count" in cli("progress", "--as-of", "2013-01-31").stdout


def test_json_and_exit_codes_do_not_change_with_the_language(home, cli):
    cli("import", write(home / "a.csv", GOOD))
    zh = cli.json("progress", "--as-of", "2013-01-31")
    failed_zh = cli.json("import", home / "missing.csv", code=1)["files"][0]
    english(home)
    assert cli.json("progress", "--as-of", "2013-01-31") == zh
    failed_en = cli.json("import", home / "missing.csv", code=1)["files"][0]
    assert {k: v for k, v in failed_en.items() if k != "error"} == {k: v for k, v in failed_zh.items() if k != "error"}
    assert failed_zh["error"].startswith("找不到文件") and failed_en["error"].startswith("file not found")


def test_config_errors_in_the_officers_words(home):
    (home / "ipmonitor.toml").write_text('[district]\nname = "宿豫区"\ncolour = 1\n', encoding="utf-8")
    proc = run_process("progress", home=home)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("ipmonitor: district.colour：未知的设置项"
                                   "（可用：name, timezone, population, language, bureau）")


def test_pages_stay_chinese_with_an_english_command_line(home, cli):
    english(home)
    cli("import", write(home / "a.csv", GOOD))
    cli("report", "--as-of", "2013-01-31", "--out", home / "reports")
    page = (home / "reports" / "index.html").read_text(encoding="utf-8")
    assert "总览" in page and "Overview" not in page


@pytest.mark.parametrize("lang, word", [("zh-CN", "进度正常"), ("en", "on track")])
def test_the_vocabulary_follows_the_language_it_is_told(lang, word):
    with words.speaking(lang):
        assert words.say("status.on_track") == word


# Three or more ASCII words in a row ("is not the hash", "no sources configured"): an English sentence.
# File names, paths, codes, hashes and single words such as `cron` or `ipmonitor serve` do not match.
ENGLISH = re.compile(r"(?<![\w/.-])[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}(?![\w/.-])")
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seeded(home: Path, lang: str) -> None:
    text = (SEEDS / "ipmonitor.toml").read_text(encoding="utf-8")
    if lang == "en":
        text = text.replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Shanghai"\nlanguage = "en"')
    (home / "ipmonitor.toml").write_text(text, encoding="utf-8")


FAMILIES = {
    "imports": [("inspect", SEEDS / "agencies" / "huayu_2013.xlsx"), ("inspect", "missing.csv"),
                ("import", "missing.csv"), ("imports",), ("imports", "revert", "999", "--why", "x"),
                ("imports", "revert", "1")],
    "corrections": [("rejects",), ("rejects", "--all"), ("rejects", "dismiss", "1", "--why", "撤回"),
                    ("rejects", "dismiss", "1", "--why", "撤回"), ("rejects", "dismiss", "9999", "--why", "x"),
                    ("attribute", "201310699744.2", "--none", "--why", "x"), ("attribute", "2013", "--none", "--why", "x"),
                    ("attribute", "201310699744.2", "--why", "x"), ("agencies",)],
    "patents": [("events", "import", SEEDS / "events" / "cnipa_legal_status_2013.csv"),
                ("patents", "--as-of", "2013-06-30")],
    "progress": [("progress", "--as-of", "2013-06-30"), ("progress", "--as-of", "2013-13-45"),
                 ("signals", "--as-of", "2013-06-30")],
    "subsidy": [("subsidy", "import", SEEDS / "subsidies" / "claims_2013.csv"), ("subsidy", "list"),
                ("subsidy", "approve", "2013-9999", "--amount", "10"), ("subsidy", "verify"),
                ("subsidy", "verify", "--head", "abc")],
    "serve": [("status",), ("fetch",), ("fetch", "nosuch"), ("mail",), ("web-password",)],
}


@pytest.mark.parametrize("family", FAMILIES)
def test_no_english_sentence_in_chinese_output(home, cli, monkeypatch, family):
    """In Chinese (the default) every command's output and error is free of English sentences."""
    monkeypatch.setenv("IPMONITOR_TODAY", "2013-07-01")
    seeded(home, "zh-CN")
    cli("enterprises", "import", SEEDS / "enterprises.csv")
    cli("import", SEEDS / "agencies" / "incopat_export_2013.csv", SEEDS / "agencies" / "zhixing_2012-2013.csv")
    said = []
    for args in FAMILIES[family]:
        out = cli(*args, code=None).output
        said.append(out)
        assert ENGLISH.findall(out) == [], (args, out)
    assert any(re.search(r"[\u4e00-\u9fff]", s) for s in said)


def test_the_officers_lines_by_hand_in_both_languages(home, cli, monkeypatch):
    monkeypatch.setenv("IPMONITOR_TODAY", "2013-07-01")
    seeded(home, "zh-CN")
    cli("import", write(home / "a.csv", GOOD + "201310699745.1,2013-01-02,宿迁乙机械有限公司\n"))
    assert cli("rejects").stdout.splitlines() == [
        "    1  a.csv:3  201310699745.1  申请号校验位错误：申请号“201310699745.1”的校验位不对（按规则应为 7）"]
    assert cli("fetch").stdout.strip() == "没有配置 [[sources]]"
    head = cli("subsidy", "verify", "--head", "ABCDEF", code=1)
    assert head.stderr.strip() == ("ipmonitor: abcdef… 不是任何一条记录的校验值：资助记录在它之后被截短，"
                                   "或在打印它之后被改写并重新计算了校验值")
    english(home)
    # the message was written when the row was read (in Chinese then); the reason follows the language
    assert cli("rejects").stdout.splitlines() == [
        "    1  a.csv:3  201310699745.1  wrong check digit in the application number: "
        "申请号“201310699745.1”的校验位不对（按规则应为 7）"]
    assert cli("fetch").stdout.strip() == "no [[sources]] configured"


def test_the_progress_bar_speaks_the_language(home, cli, monkeypatch):
    from ipmonitor import progressbar
    seen: list[str] = []

    def bar(total, what, wanted=True, stream=None):
        seen.append(what)
        return progressbar.Quiet()
    monkeypatch.setattr(progressbar, "bar", bar)
    cli("import", write(home / "a.csv", GOOD))
    cli("report", "--as-of", "2013-01-31", "--out", home / "reports")
    english(home)
    cli("import", write(home / "b.csv", GOOD.replace("699744.2", "699745.7")))
    cli("report", "--as-of", "2013-01-31", "--out", home / "reports")
    assert seen == ["导入", "生成页面", "Importing", "Building pages"]
