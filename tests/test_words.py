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
