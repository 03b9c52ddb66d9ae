"""Everything a person reads is Chinese by default and English with `[district] language = "en"`
(cli.md "Language"); JSON keys, reason codes and exit codes do not change with the language."""

from __future__ import annotations


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
