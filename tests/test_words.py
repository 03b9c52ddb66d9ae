"""Every code the program can produce has its words, in Chinese and in English (ipmonitor/words.py).

The code lists come from the modules that produce the codes; the rule codes of the subsidy log are
also read from the source (every `refuse("…")`), so a new rule without words fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ipmonitor import event_import, events, filings, ids, importer, ledger, progress, registry, subsidy_import, words

SRC = Path(words.__file__).resolve().parent

FAMILIES = [
    ("type", ids.TYPES),
    ("status", progress.STATUSES),
    ("reason.filings", filings.REJECT_REASONS),
    ("warning.filings", filings.WARNING_CODES),
    ("reason.registry", registry.REJECT_REASONS),
    ("warning.registry", registry.WARNING_CODES),
    ("reason.subsidy", subsidy_import.REJECT_REASONS),
    ("reason.subsidy", ledger.RULES),
    ("stage", ledger.STAGES),
    ("state", ledger.STATES),
    ("event", ledger.EVENT_TYPES),
    ("import_kind", (*importer.KINDS, subsidy_import.KIND, event_import.KIND)),
    ("reason.events", events.REJECT_REASONS),
    ("warning.events", events.WARNING_CODES),
    ("event_kind", (*events.KINDS, "expired")),
    ("event_source", ("list", "status")),
]


@pytest.mark.parametrize("family,codes", FAMILIES, ids=[f for f, _ in FAMILIES])
def test_every_code_has_words_in_both_languages(family, codes):
    missing = [c for c in codes if not words.has(f"{family}.{c}")]
    assert missing == []


def test_every_refused_rule_is_listed():
    text = "".join((SRC / name).read_text(encoding="utf-8") for name in ("ledger.py", "subsidies.py"))
    refused = set(re.findall(r'refuse\("([a-z_]+)"', text))
    assert refused - set(ledger.RULES) == set()


def test_every_reason_the_import_can_store_has_words():
    """Reasons in the reject expressions (pl.lit("…")) are all declared in REJECT_REASONS."""
    for module, codes in ((filings, filings.REJECT_REASONS), (registry, registry.REJECT_REASONS),
                          (events, events.REJECT_REASONS)):
        text = Path(module.__file__).read_text(encoding="utf-8")
        found = set(re.findall(r'then\(pl\.lit\("([a-z_]+)"\)\)', text))
        assert found - set(codes) == set(), module.__name__


def test_both_languages_are_filled_and_the_catalogue_says_them():
    assert [k for k, (zh, en) in words.WORDS.items() if not zh or not en] == []
    assert words.say("status.on_track") == "进度正常"
    assert words.say("status.on_track", lang="en") == "on track"
    assert words.say("type.utility_model", lang="zh-CN") == "实用新型"
    assert words.say("nav.csv", year=2013) == "2013 年申请明细（CSV）"
    assert words.say("nav.csv", lang="en-GB", year=2013) == "Filings of 2013 (CSV)"
    assert words.reason("bad_check_digit") == "申请号校验位错误"
    assert words.reason("bad_credit_code", "registry") == "统一社会信用代码校验位错误或格式不对"
    assert words.reason("nonsense", default="") == ""
    assert words.table("type") == {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}


def test_templates_with_placeholders_agree_between_languages():
    """A `{}` template is filled column-wise: both languages need the same number of holes."""
    for key, (zh, en) in words.WORDS.items():
        assert zh.count("{}") == en.count("{}"), key
        assert sorted(re.findall(r"\{(\w+)", zh)) == sorted(re.findall(r"\{(\w+)", en)), key


def test_every_key_the_program_says_is_in_the_catalogue_in_both_languages():
    """Every literal `say("…")` / `words.say("…")` key in the package has a Chinese and an English entry."""
    text = "".join(p.read_text(encoding="utf-8") for p in [*SRC.rglob("*.py"), *(SRC.parent / "jobs").rglob("*.py")])
    keys = set(re.findall(r'\bsay\(\s*"([a-z_]+(?:\.[A-Za-z_ -]+)+)"', text))
    assert len(keys) > 100
    assert sorted(k for k in keys if not words.has(k)) == []


def test_config_errors_all_go_through_the_catalogue():
    """No ConfigError in config.py is written inline: each is `words.say(key, …)` (both languages)."""
    text = (SRC / "config.py").read_text(encoding="utf-8")
    raised = re.findall(r"raise ConfigError\((.{0,12})", text)
    assert raised and [r for r in raised if not r.startswith("words.say(")] == []


@pytest.mark.parametrize("lang, expected", [
    ("zh-CN", "ipmonitor.toml 的 [mail] 设置了 user，还需要 password_env（存放密码的环境变量名；密码不写进配置文件）"),
    ("en", "ipmonitor.toml: [mail] sets user, so it needs password_env too (the environment variable holding "
           "the password; the password is never written in the config)"),
])
def test_a_config_error_speaks_the_configured_language(tmp_path, lang, expected):
    from ipmonitor.config import load_settings
    from ipmonitor.errors import ConfigError
    (tmp_path / "ipmonitor.toml").write_text(
        f'[district]\nlanguage = "{lang}"\n[mail]\nsmtp = "mail.example.cn:25"\nfrom = "a@example.cn"\n'
        'to = ["b@example.cn"]\nuser = "a"\n', encoding="utf-8")
    with words.speaking(lang), pytest.raises(ConfigError) as e:
        load_settings(tmp_path)
    assert str(e.value) == expected


@pytest.mark.parametrize("lang, expected", [
    ("zh-CN", "agencies.expected：应为代理机构名称的列表，实际是 '宿迁智行'"),
    ("en", "agencies.expected: expected a list of agency names, got '宿迁智行'"),
])
def test_the_agencies_expected_error_in_both_languages(tmp_path, lang, expected):
    from ipmonitor.config import load_settings
    from ipmonitor.errors import ConfigError
    (tmp_path / "ipmonitor.toml").write_text('[agencies]\nexpected = "宿迁智行"\n', encoding="utf-8")
    with words.speaking(lang), pytest.raises(ConfigError) as e:
        load_settings(tmp_path)
    assert str(e.value) == expected


def test_inspect_lines_in_both_languages():
    from ipmonitor.preview import render
    doc = {"file": "a.csv", "status": "would_import", "kind": "csv", "encoding": "utf-8", "delimiter": ",",
           "header_line": 1, "columns": [{"column": 1, "header": "申请号", "field": "application_no", "match": "exact"},
                                         {"column": 2, "header": "备注", "field": None, "match": None}],
           "rows": 3, "new": 2, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 1, "warnings": 0,
           "reasons": {"bad_check_digit": 1}, "first_warnings": [],
           "first_rejects": [{"line": 3, "application_no": "201310699744.3", "reason": "bad_check_digit",
                              "message": "校验位不对"}]}
    assert render(doc) == [
        "a.csv：将导入（本次未存储任何内容）",
        "  编码 utf-8，分隔符 逗号，表头在第 1 行",
        "  各列的读法：",
        "      1 申请号 → 申请号（列名完全匹配）",
        "      2 备注 → 未识别（随行保存）",
        "  共 3 行：新增 2，更新 0，未变 0，重复 0，拒收 1；警告 0 条",
        "  拒收原因：申请号校验位错误 1 行",
        "    第 3 行  201310699744.3  申请号校验位错误：校验位不对",
    ]
    assert render(doc, "en")[:2] == ["a.csv: would import (nothing stored)",
                                     "  encoding utf-8, delimiter comma, header on line 1"]
    assert render(doc, "en")[-2:] == ["  rejected by reason: wrong check digit in the application number ×1",
                                      "    line 3  201310699744.3  wrong check digit in the application number: 校验位不对"]
